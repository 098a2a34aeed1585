"""Case pages: the queue, one case with its timeline and buttons, reporting, the inbox.

Every case is reached through `access_case` or `Case.objects.visible_to`, and every change
goes through an action (called by the action forms); the views only wire them together.
"""

from __future__ import annotations

import logging

import shapely
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, F
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.jurisdictions import maps
from jiceng.jurisdictions.models import Grid
from jiceng.lib.excel import XLSX
from jiceng.lib.masking import mask_name, mask_phone

from .access import access_case
from .choices import Status
from .exports import export_cases
from .forms import FORMS, QueueFilter, ReportForm, form_message
from .inbox import inbox_for, mark_read
from .models import Case, CasePhoto
from .roles import relations
from .selectors import suggest_duplicates
from .transitions import TRANSITIONS, CaseError, available, check

audit = logging.getLogger("jiceng.audit")

PAGE_SIZE = 50
UNMASK = "accounts.unmask_personal_data"


# --- the queue ----------------------------------------------------------------------------


@login_required
def queue(request):
    filters = QueueFilter(request.GET or None)
    visible = Case.objects.visible_to(request.user)
    page = Paginator(_listed(filters.apply(visible)), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filters": filters,
        "page": page,
        "counts": _status_counts(filters.apply(visible, status=False)),
    }
    return render(request, "cases/queue.html", context)


@login_required
def export(request):
    """The queue, with the same filters, as an Excel file (callers masked by default)."""
    filters = QueueFilter(request.GET or None)
    cases = _listed(filters.apply(Case.objects.visible_to(request.user)))
    data, _unmasked = export_cases(
        request.user, cases, unmask_requested=request.GET.get("unmask") == "1"
    )
    name = f"cases-{timezone.localtime():%Y%m%d-%H%M}.xlsx"
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _listed(cases):
    """The rows of the queue with everything a row shows, deadlines first."""
    return (
        cases.select_related(
            "category", "community", "assigned_jurisdiction", "assigned_department"
        )
        .defer("description", "community__geometry_wkb", "assigned_jurisdiction__geometry_wkb")
        .order_by(F("due_at").asc(nulls_last=True), "received_at", "id")
    )


def _status_counts(cases) -> list[tuple[str, str, int]]:
    rows = dict(cases.order_by().values_list("status").annotate(n=Count("id", distinct=True)))
    return [(value, label, rows[value]) for value, label in Status.choices if rows.get(value)]


# --- one case -----------------------------------------------------------------------------


@login_required
def detail(request, number: str):
    case = access_case(request.user, number)
    return render(request, "cases/detail.html", _detail_context(request.user, case))


def _detail_context(user, case: Case, error: str = "") -> dict:
    allowed = [
        t for t in available(case.status, relations(user, case)) if _left(t.name, case, user)
    ]
    names = {t.name for t in allowed}
    among = Case.objects.visible_to(user)
    return {
        "case": case,
        "caller": _caller(user, case),
        "photos": case.photos.all(),
        "events": case.events.select_related("actor"),
        "whistles": case.whistles.select_related("blown_by").prefetch_related(
            "summons__department"
        ),
        "actions": [(t, _action_form(t.name, case, user)) for t in allowed],
        "duplicates": suggest_duplicates(case, among=among) if "merge" in names else [],
        "map_url": reverse("case-map", args=[case.number]),
        "error": error,
    }


def _left(name: str, case: Case, user) -> bool:
    """Hide a per-department step that is already done: a department that has reported
    in, or a whistle whose departments are all rated (the table allows them by status)."""
    if name == "report_in":
        return case.summons.filter(department_id=user.department_id, reported_at=None).exists()
    if name == "rate_department":
        return case.summons.filter(rated_at=None).exists()
    return True


def _action_form(name: str, case: Case, user):
    return FORMS[name](case=case, user=user, auto_id=f"id_{name}_%s")  # unique ids per page


def _caller(user, case: Case) -> dict:
    """The caller's name and phone, masked unless the user may see them; every unmasked
    view is written to the audit log (who and which case, never the data itself)."""
    if not (case.caller_name or case.caller_phone):
        return {}
    if user.has_perm(UNMASK):
        audit.info("personal data unmasked: user=%s case=%s", user.username, case.number)
        return {"name": case.caller_name, "phone": case.caller_phone, "unmasked": True}
    return {"name": mask_name(case.caller_name), "phone": mask_phone(case.caller_phone)}


@login_required
def case_map(request, number: str):
    """GeoJSON of the case's point and, when the user may see it, its grid."""
    case = access_case(request.user, number)
    features = []
    grid = case.grid_id and Grid.objects.visible_to(request.user).filter(pk=case.grid_id).first()
    if grid:
        url = reverse("grid", args=[grid.code])
        features.append(
            maps.feature(grid.geometry, 0, code=grid.code, name=grid.name, layer=grid.kind, url=url)
        )
    if case.lng is not None and case.lat is not None:
        point = shapely.Point(case.lng, case.lat)
        url = reverse("case", args=[case.number])
        name = case.category.name
        features.append(maps.feature(point, 0, code=case.number, name=name, layer="case", url=url))
    return JsonResponse(maps.collection(features))


@login_required
def photo(request, number: str, id: int):
    """A photo, only for those who may see its case (the storage is never public)."""
    case = access_case(request.user, number)
    picture = get_object_or_404(CasePhoto, case=case, pk=id)
    try:
        handle = picture.file.open("rb")
    except FileNotFoundError:
        raise Http404("照片文件不存在") from None
    response = FileResponse(handle, content_type=picture.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --- acting on a case ---------------------------------------------------------------------


@login_required
@require_POST
def act(request, number: str, action: str):
    case = access_case(request.user, number)
    if action not in FORMS:
        raise Http404("没有这个操作")
    try:
        case = _perform(request, case, action)
    except CaseError as error:
        return _refused(request, case, error)
    if _wants_json(request):
        return JsonResponse({"ok": True, "status": case.status, "version": case.version})
    messages.success(request, _("“%(action)s”已完成") % {"action": TRANSITIONS[action].label})
    return redirect("case", number=case.number)


def _perform(request, case: Case, action: str) -> Case:
    # Who-may before is-possible before is-the-input-right: an outsider learns nothing
    # from a 400 about fields. The action checks again under the row lock.
    check(action, case.status, relations(request.user, case))
    form = FORMS[action](request.POST, request.FILES, case=case, user=request.user)
    if not form.is_valid():
        raise CaseError(form_message(form))
    form.perform()
    return Case.objects.only("received_at", "status", "version").get(pk=case.pk)


def _refused(request, case: Case, error: CaseError):
    if _wants_json(request):
        return JsonResponse({"error": str(error)}, status=error.status)
    fresh = access_case(request.user, case.number)  # the failed action changed nothing
    context = _detail_context(request.user, fresh, error=str(error))
    return render(request, "cases/detail.html", context, status=error.status)


def _wants_json(request) -> bool:
    accept = request.headers.get("Accept", "")
    return request.GET.get("format") == "json" or "application/json" in accept


# --- reporting ----------------------------------------------------------------------------


@login_required
def new_case(request):
    form = ReportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            case = form.submit()
        except CaseError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("事件已上报，编号 %(number)s") % {"number": case.number})
            return redirect("case", number=case.number)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "cases/new.html", {"form": form}, status=status)


# --- the inbox ----------------------------------------------------------------------------


@login_required
def inbox(request):
    """The user's notifications, unread first; POST marks some (`id`) or all read."""
    if request.method == "POST":
        ids = [int(i) for i in request.POST.getlist("id") if i.isdigit()]
        mark_read(request.user, None if request.POST.get("all") else ids)
        return redirect("inbox")
    page = Paginator(inbox_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "cases/inbox.html", {"page": page})
