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
from django.db.models import F
from django.http import Http404, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.accounts.choices import Role
from jiceng.jurisdictions import maps
from jiceng.jurisdictions.choices import GridKind
from jiceng.jurisdictions.models import Grid
from jiceng.lib.clock import now as clock_now
from jiceng.lib.excel import XLSX
from jiceng.lib.masking import mask_name, mask_phone

from .access import access_case, access_saved_filter
from .actions import delete_filter as delete_saved_filter
from .exports import export_cases
from .forms import (
    FORMS,
    BulkDispatchForm,
    QueueFilter,
    RateDepartmentForm,
    ReportForm,
    SavedFilterForm,
    form_message,
    queue_query,
)
from .inbox import inbox_for, mark_read
from .models import Case, SavedFilter
from .photos import photo_response
from .roles import leader_relations, relations, steps_for
from .selectors import desk_for, status_counts, suggest_duplicates
from .transitions import TRANSITIONS, CaseError, check

audit = logging.getLogger("jiceng.audit")

PAGE_SIZE = 50
UNMASK = "accounts.unmask_personal_data"


# --- the queue ----------------------------------------------------------------------------


@login_required
def queue(request):
    return _queue_page(request, request.GET)


def _queue_page(request, query, *, save_form=None, bulk_form=None, status: int = 200):
    """The queue for `query` (the GET filters, or those of the page a refused POST came
    from, which then shows its form's errors)."""
    user = request.user
    filters = QueueFilter(query or None, user=user)
    counts, page = _rows(user, filters, query.get("page"))
    if _mark_dispatchable(user, page.object_list) and bulk_form is None:
        bulk_form = BulkDispatchForm(user=user)
    current = queue_query(query)
    context = {
        "filters": filters,
        "page": page,
        "counts": counts,
        "current_query": current,
        "saved": list(SavedFilter.objects.filter(user_id=user.pk)),
        "save_form": save_form or SavedFilterForm(user=user, initial={"query": current}),
        "bulk_form": bulk_form,
        "ticked": set(bulk_form.data.getlist("number")) if _bound(bulk_form) else set(),
    }
    return render(request, "cases/queue.html", context, status=status)


def _rows(user, filters: QueueFilter, page_number):
    """The per-status counts and the page of rows: two queries over the scope."""
    visible = Case.objects.visible_to(user)
    counts = status_counts(filters.apply(visible, status=False))
    paginator = Paginator(_listed(filters.apply(visible)), PAGE_SIZE)
    paginator.count = _total(counts, filters.chosen_status())  # no second COUNT of the scope
    page = paginator.get_page(page_number)
    page.object_list = list(page.object_list)
    return counts, page


def _bound(form) -> bool:
    return form is not None and form.is_bound


def _total(counts: list[tuple[str, str, int]], status: str) -> int:
    by_status = {value: n for value, _label, n in counts}
    return by_status.get(status, 0) if status else sum(by_status.values())


def _mark_dispatchable(user, cases: list[Case]) -> bool:
    """Tick boxes for the rows the user may dispatch now (no query per row); True if any."""
    step = TRANSITIONS["dispatch"]
    for case in cases:
        relations = leader_relations(user, case)
        case.dispatchable = case.status in step.sources and bool(step.actors & relations)
    return any(case.dispatchable for case in cases)


def _back_to_queue(query: str):
    return redirect(reverse("case-queue") + (f"?{query}" if query else ""))


@login_required
def save_filter(request):
    """Save the queue's current filters under a name (POST; a GET goes to the queue)."""
    if request.method != "POST":
        return redirect("case-queue")
    form = SavedFilterForm(request.POST, user=request.user)
    if form.is_valid() and form.save() is not None:
        name = form.cleaned_data["name"]
        messages.success(request, _("已保存常用筛选“%(name)s”") % {"name": name})
        return _back_to_queue(form.cleaned_data["query"])
    query = QueryDict(request.POST.get("query", ""))
    return _queue_page(request, query, save_form=form, status=400)


@login_required
@require_POST
def delete_filter(request, filter_id: int):
    saved = access_saved_filter(request.user, filter_id)
    delete_saved_filter(saved, acting_user=request.user)
    messages.success(request, _("已删除常用筛选“%(name)s”") % {"name": saved.name})
    return _back_to_queue(request.POST.get("next", ""))


@login_required
def bulk_dispatch(request):
    """派单 for the ticked rows (POST; a GET goes to the queue). Each case is dispatched
    by the action on its own; the messages name the dispatched and, for each refused
    one, its number and why (a number the user cannot see reads like a missing one)."""
    if request.method != "POST":
        return redirect("case-queue")
    form = BulkDispatchForm(request.POST, user=request.user)
    query = QueryDict(request.POST.get("next", ""))
    if not form.is_valid():
        return _queue_page(request, query, bulk_form=form, status=400)
    done, refused = form.perform()
    if done:
        text = _("已派单 %(n)d 件：%(numbers)s")
        messages.success(request, text % {"n": len(done), "numbers": "、".join(done)})
    for number, why in refused:
        messages.error(request, _("未派单 %(number)s：%(why)s") % {"number": number, "why": why})
    return _back_to_queue(queue_query(query))


@login_required
def export(request):
    """The queue, with the same filters, as an Excel file (callers masked by default)."""
    filters = QueueFilter(request.GET or None, user=request.user)
    # Not `_listed`: that defers the description, which the export writes out.
    cases = filters.apply(Case.objects.visible_to(request.user)).order_by(*QUEUE_ORDER)
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
            "category", "community", "grid", "assigned_jurisdiction", "assigned_department"
        )
        .defer(
            "description",
            "community__geometry_wkb",
            "grid__geometry_wkb",
            "assigned_jurisdiction__geometry_wkb",
        )
        .order_by(*QUEUE_ORDER)
    )


QUEUE_ORDER = (F("due_at").asc(nulls_last=True), "received_at", "id")  # deadlines first


# --- one case -----------------------------------------------------------------------------


@login_required
def detail(request, number: str):
    """One case: `?open=whistle` draws the whistle dialog open, for browsers without
    JavaScript (with it, the button opens the dialog in place)."""
    case = access_case(request.user, number)
    context = _detail_context(request.user, case, opened=request.GET.get("open", ""))
    return render(request, "cases/detail.html", context)


def _detail_context(user, case: Case, error: str = "", opened: str = "") -> dict:
    allowed = steps_for(user, case)
    names = {t.name for t in allowed}
    among = Case.objects.visible_to(user)
    whistles = list(
        case.whistles.select_related("blown_by").prefetch_related("summons__department")
    )
    return {
        "case": case,
        "caller": _caller(user, case),
        "photos": case.photos.all(),
        "events": case.events.select_related("actor"),
        "whistles": whistles,
        "actions": [(t, _action_form(t.name, case, user)) for t in allowed],
        "ratings": _rating_forms(case, user, whistles) if "rate_department" in names else [],
        "duplicates": suggest_duplicates(case, among=among) if "merge" in names else [],
        "map_url": reverse("case-map", args=[case.number]),
        "error": error,
        "opened": opened,
        "now": clock_now(),
    }


def _rating_forms(case: Case, user, whistles) -> list:
    """One 下考上 form per summoned department not rated yet, from the whistles already
    loaded (no query per department)."""
    unrated = [s for w in whistles for s in w.summons.all() if s.rated_at is None]
    return [
        (s, RateDepartmentForm(case=case, user=user, auto_id=f"id_rate_{s.pk}_%s"))
        for s in sorted(unrated, key=lambda s: s.department.name)
    ]


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
    return photo_response(access_case(request.user, number), id)


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
    return redirect(_next_url(request) or reverse("case", args=[case.number]))


def _next_url(request) -> str:
    """Where a form asked to go back to (the desk acts from its rows), if it is ours."""
    url = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if url and safe else ""


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


# --- the department desk -----------------------------------------------------------------


@login_required
def desk(request):
    """A department clerk's home (web.views.ROLE_HOMES): summons to report in to, orders
    to accept or return, orders to reply to, and those recently handed back. Each row's
    buttons post to the case's action endpoint and come back here."""
    user = request.user
    department = user.department
    context = {
        "desk": desk_for(user),
        "department": department,
        "root": department.jurisdiction if department else None,
        "now": clock_now(),
        "here": reverse("home"),
    }
    return render(request, "cases/desk.html", context)


# --- reporting ----------------------------------------------------------------------------


# Whose report page draws grid polygons: a few grids each (a street's hundred or a
# district's thousands would make the phone page heavy; they use GPS or coordinates).
MAP_ROLES = {Role.GRID_WORKER, Role.COMMUNITY_SECRETARY, Role.COMMUNITY_STAFF}


@login_required
def new_case(request):
    """Report a problem. The phone's outbox posts here too, asking for JSON: 201 with the
    new case, 200 with the case an earlier sending of the same report made, 400 with the
    form's errors."""
    form = ReportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            case = form.submit()
        except CaseError as error:
            form.add_error(None, str(error))
        else:
            return _reported(request, case)
    if form.is_bound and _wants_json(request):
        errors = form.errors.get_json_data()
        return JsonResponse({"error": form_message(form), "errors": errors}, status=400)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "cases/new.html", _report_context(request.user, form), status=status)


def _reported(request, case: Case):
    created = getattr(case, "created", True)
    if _wants_json(request):
        url = reverse("case", args=[case.number])
        answer = {"number": case.number, "url": url, "created": created}
        return JsonResponse(answer, status=201 if created else 200)
    if created:
        messages.success(request, _("事件已上报，编号 %(number)s") % {"number": case.number})
    else:
        messages.info(request, _("这条上报此前已收到，编号 %(number)s") % {"number": case.number})
    return redirect("case", number=case.number)


def _report_context(user, form: ReportForm) -> dict:
    """The form, the catalogue for the keyword search and the user's grids for the map,
    all inside the page so that it works offline once cached."""
    catalogue = [
        {"code": c.code, "name": c.name, "group": c.parent.name, "keywords": c.keywords}
        for c in form.catalogue()
    ]
    return {"form": form, "catalogue": catalogue, "grids": _report_grids(user)}


def _report_grids(user) -> dict:
    if user.role not in MAP_ROLES:
        return maps.collection([])
    grids = Grid.objects.visible_to(user).filter(kind=GridKind.GENERAL).order_by("code")
    return maps.collection(
        [maps.feature(g.geometry, 0.00001, code=g.code, name=g.name, layer=g.kind) for g in grids]
    )


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
