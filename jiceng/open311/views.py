"""GeoReport v2 endpoints: thin, each answering in the format its suffix names, errors
included (400/403/404 as errors → error)."""

from __future__ import annotations

from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from jiceng.cases.transitions import CaseError
from jiceng.jurisdictions.choices import Level
from jiceng.jurisdictions.models import Jurisdiction

from . import actions, render, selectors
from .access import Forbidden, caller_of
from .attributes import definition
from .choices import FORMATS, SPECIFICATION
from .forms import SubmissionForm, parse_requests_query, parse_window
from .forms import services as active_services


def open311(*methods: str):
    """The spec's frame around a view: allowed methods, a jurisdiction_id that must be
    ours when given, and a refused key as 403, all in the requested format."""

    def decorate(view):
        @wraps(view)
        def wrapper(request: HttpRequest, format: str, **kwargs) -> HttpResponse:
            if request.method not in methods:
                response = render.errors(format, 405, f"不支持 {request.method} 方法")
                response["Allow"] = ", ".join(methods)
                return response
            jurisdiction = (request.GET.get("jurisdiction_id") or "").strip()
            jurisdiction = jurisdiction or (request.POST.get("jurisdiction_id") or "").strip()
            if jurisdiction and not _is_ours(jurisdiction):
                return render.errors(format, 404, f"jurisdiction_id“{jurisdiction}”不是本市编码")
            try:
                return view(request, format, **kwargs)
            except Forbidden as refused:
                return render.errors(format, 403, str(refused))

        return csrf_exempt(wrapper)  # keyed machine calls, no cookie counts (access.py)

    return decorate


def _is_ours(code: str) -> bool:
    return Jurisdiction.objects.filter(code=code, level=Level.CITY).exists()


@open311("GET")
def discovery(request: HttpRequest, format: str) -> HttpResponse:
    base = request.build_absolute_uri(reverse("open311-discovery", args=["xml"]))
    endpoint = {
        "specification": SPECIFICATION,
        "url": base.rsplit("/", 1)[0],
        "changeset": "2026-11-21T00:00:00+08:00",
        "type": "production",
        "formats": [f.split(";")[0] for f in FORMATS.values()],
    }
    body = {
        "changeset": endpoint["changeset"],
        "contact": "所在城市 12345 政务服务便民热线",
        "key_service": "接口密钥由市、区平台管理员在 jiceng 管理后台为外部系统签发",
        "endpoints": [endpoint],
    }
    return render.respond(format, "discovery", None, body)


@open311("GET")
def service_list(request: HttpRequest, format: str) -> HttpResponse:
    return render.respond(format, "services", "service", selectors.service_list())


@open311("GET")
def service(request: HttpRequest, format: str, service_code: str) -> HttpResponse:
    category = active_services().filter(code=service_code).first()
    if category is None:
        return render.errors(format, 404, f"没有 service_code 为“{service_code}”的服务")
    return render.respond(format, "service_definition", None, definition(category))


@open311("GET", "POST")
def requests(request: HttpRequest, format: str) -> HttpResponse:
    if request.method == "POST":
        return _post_request(request, format)
    caller = caller_of(request)
    query, problems = parse_requests_query(request.GET)
    if problems:
        return render.errors(format, 400, *problems)
    rows = selectors.find_requests(caller.user, query)
    return render.respond(format, "service_requests", "request", rows)


def _post_request(request: HttpRequest, format: str) -> HttpResponse:
    caller = caller_of(request, key_required=True)
    form = SubmissionForm(request.POST)
    form.is_valid()
    problems = form.problems()
    if problems:
        return render.errors(format, 400, *problems)
    try:
        case = actions.submit_request(form.submission(), acting_user=caller.user)
    except (actions.Refused, CaseError) as refused:
        return render.errors(format, 400, str(refused))
    category = case.category
    row = {
        "service_request_id": case.number,
        "service_notice": selectors.service_notice(
            category.accept_limit_hours, category.handle_limit_hours
        ),
        "account_id": form.cleaned_data["account_id"] or None,
    }
    return render.respond(format, "service_requests", "request", [row])


@open311("GET")
def request_detail(request: HttpRequest, format: str, service_request_id: str) -> HttpResponse:
    caller = caller_of(request)
    row = selectors.find_request(caller.user, service_request_id)
    if row is None:
        # The same answer for a number that does not exist and one outside the caller's area.
        return render.errors(format, 404, f"没有编号为“{service_request_id}”的诉求，或无权查看")
    return render.respond(format, "service_requests", "request", [row])


@open311("GET")
def request_updates(request: HttpRequest, format: str) -> HttpResponse:
    caller = caller_of(request)
    (start, end), problems = parse_window(request.GET)
    if problems:
        return render.errors(format, 400, *problems)
    rows = selectors.find_updates(caller.user, start, end)
    return render.respond(format, "service_requests_updates", "request_update", rows)
