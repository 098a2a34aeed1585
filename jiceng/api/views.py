"""The REST API (/api/v1/): thin viewsets over the `visible_to` querysets, the `access_*`
accessors, the forms of the pages and the actions. No business rule lives here."""

from __future__ import annotations

import logging
from datetime import date

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.response import Response

from jiceng.cases.access import NO_GEOMETRY, RELATED, access_case
from jiceng.cases.forms import FORMS, with_children
from jiceng.cases.models import Case, CaseEvent, Category, Summons, Whistle
from jiceng.cases.photos import CONTENT_TYPES, photo_response
from jiceng.cases.roles import relations, steps_for
from jiceng.cases.transitions import TRANSITIONS, check
from jiceng.jurisdictions.access import access_grid, access_jurisdiction
from jiceng.jurisdictions.models import Department, Grid, Jurisdiction

from . import selectors
from . import serializers as s
from .errors import ApiError, form_error
from .forms import intake_form, plain_data
from .idempotency import PARAMETER as IDEMPOTENCY_KEY
from .idempotency import idempotent
from .pagination import CodeCursorPagination, IdCursorPagination
from .schema import READ_ERRORS, WRITE_ERRORS, action_body

audit = logging.getLogger("jiceng.audit")
UNMASK = "accounts.unmask_personal_data"


def wants_unmasked(request, what: str) -> bool:
    """`?unmask=1` from someone holding the permission; each time is logged."""
    if request.query_params.get("unmask") not in ("1", "true"):
        return False
    if not request.user.has_perm(UNMASK):
        return False
    audit.info("personal data unmasked: user=%s %s (api)", request.user.username, what)
    return True


def query(serializer_class, request) -> dict:
    params = serializer_class(data=request.query_params)
    params.is_valid(raise_exception=True)
    return params.validated_data


# --- reference data -----------------------------------------------------------------------


class JurisdictionFilter(serializers.Serializer):
    parent = serializers.CharField(required=False, help_text="上级辖区代码：只列其直接下级")
    level = serializers.ChoiceField(
        choices=Jurisdiction._meta.get_field("level").choices, required=False
    )
    code = serializers.CharField(required=False)


class PathCursor(CodeCursorPagination):
    ordering = "path"  # the tree's own order: parents before children


@extend_schema_view(
    list=extend_schema(parameters=[JurisdictionFilter], responses={200: s.JurisdictionSerializer}),
    retrieve=extend_schema(responses={200: s.JurisdictionSerializer, **READ_ERRORS}),
)
class JurisdictionViewSet(viewsets.ReadOnlyModelViewSet):
    """The jurisdiction tree (市/区/街道/社区) within the caller's scope."""

    serializer_class = s.JurisdictionSerializer
    pagination_class = PathCursor
    lookup_field = "code"
    lookup_value_regex = r"[0-9]{12}"

    def get_queryset(self):
        qs = Jurisdiction.objects.visible_to(self.request.user).select_related("parent")
        return qs.defer("geometry_wkb", "parent__geometry_wkb")

    def filter_queryset(self, qs):
        data = query(JurisdictionFilter, self.request)
        if "parent" in data:
            qs = qs.filter(parent__code=data["parent"])
        if "level" in data:
            qs = qs.filter(level=data["level"])
        if "code" in data:
            qs = qs.filter(code=data["code"])
        return qs

    def get_object(self):
        return access_jurisdiction(self.request.user, self.kwargs["code"])


class GridFilter(serializers.Serializer):
    community = serializers.CharField(required=False, help_text="社区代码")
    kind = serializers.ChoiceField(choices=Grid._meta.get_field("kind").choices, required=False)


@extend_schema_view(
    list=extend_schema(parameters=[GridFilter]),
    retrieve=extend_schema(responses={200: s.GridDetailSerializer, **READ_ERRORS}),
)
class GridViewSet(viewsets.ReadOnlyModelViewSet):
    """Grids; lists without geometry, one grid with its GeoJSON boundary."""

    serializer_class = s.GridSerializer
    pagination_class = CodeCursorPagination
    lookup_field = "code"
    lookup_value_regex = r"[0-9]{12,15}"

    def get_queryset(self):
        qs = Grid.objects.visible_to(self.request.user).select_related("community")
        return qs.defer("geometry_wkb", "community__geometry_wkb")

    def filter_queryset(self, qs):
        data = query(GridFilter, self.request)
        if "community" in data:
            qs = qs.filter(community__code=data["community"])
        if "kind" in data:
            qs = qs.filter(kind=data["kind"])
        return qs

    def retrieve(self, request, code=None):
        grid = access_grid(request.user, code)
        return Response(s.GridDetailSerializer(grid).data)


class DepartmentFilter(serializers.Serializer):
    kind = serializers.CharField(required=False)
    jurisdiction = serializers.CharField(required=False, help_text="所在辖区代码")


@extend_schema_view(
    list=extend_schema(parameters=[DepartmentFilter]),
    retrieve=extend_schema(responses={200: s.DepartmentSerializer, **READ_ERRORS}),
)
class DepartmentViewSet(viewsets.ReadOnlyModelViewSet):
    """Functional departments (条) the caller may see."""

    serializer_class = s.DepartmentSerializer
    pagination_class = IdCursorPagination

    def get_queryset(self):
        qs = Department.objects.visible_to(self.request.user).select_related("jurisdiction")
        return qs.defer("jurisdiction__geometry_wkb")

    def filter_queryset(self, qs):
        data = query(DepartmentFilter, self.request)
        if "kind" in data:
            qs = qs.filter(kind=data["kind"])
        if "jurisdiction" in data:
            qs = qs.filter(jurisdiction__code=data["jurisdiction"])
        return qs


class CategoryFilter(serializers.Serializer):
    parent = serializers.CharField(required=False, help_text="大类编码：列出其小类")
    top = serializers.BooleanField(required=False, default=False, help_text="只列大类")
    active = serializers.BooleanField(required=False, allow_null=True, default=None)


@extend_schema_view(
    list=extend_schema(parameters=[CategoryFilter]),
    retrieve=extend_schema(responses={200: s.CategorySerializer, **READ_ERRORS}),
)
class CategoryViewSet(viewsets.ReadOnlyModelViewSet):
    """The matter catalogue (事项清单): 大类 and their 小类, in code order."""

    serializer_class = s.CategorySerializer
    pagination_class = CodeCursorPagination
    lookup_field = "code"
    lookup_value_regex = r"[0-9A-Za-z]{1,12}"
    queryset = Category.objects.select_related("parent")

    def filter_queryset(self, qs):
        data = query(CategoryFilter, self.request)
        if "parent" in data:
            qs = qs.filter(parent__code=data["parent"])
        if data["top"]:
            qs = qs.filter(parent__isnull=True)
        if data["active"] is not None:
            qs = qs.filter(active=data["active"])
        return qs


# --- cases --------------------------------------------------------------------------------

LISTED = ["category", "grid", "community", "assigned_jurisdiction"]
LISTED_NO_GEOMETRY = [
    "grid__geometry_wkb",
    "community__geometry_wkb",
    "assigned_jurisdiction__geometry_wkb",
]


def filter_cases(cases, data: dict):
    for field in ("status", "source"):
        if field in data:
            cases = cases.filter(**{field: data[field]})
    if "category" in data:
        category = Category.objects.filter(code=data["category"]).first()
        if category is None:
            raise ApiError(
                400, "invalid", _("没有这个事项类别"), {"category": [_("没有这个事项类别")]}
            )
        cases = cases.filter(category_id__in=with_children(category))
    if "grid" in data:
        cases = cases.filter(grid__code=data["grid"])
    for flag in ("overdue", "warned"):
        if data.get(flag) is not None:
            cases = cases.filter(**{flag: data[flag]})
    if "received_after" in data:
        cases = cases.filter(received_at__gte=data["received_after"])
    if "received_before" in data:
        cases = cases.filter(received_at__lt=data["received_before"])
    if "updated_since" in data:
        touched = CaseEvent.objects.filter(at__gte=data["updated_since"]).values("case_id")
        cases = cases.filter(pk__in=touched)
    return cases


class AnyAccept(BaseContentNegotiation):
    """A photo is served whatever the client accepts (an `<img>` asks for image/*,
    curl for */*); the JSON renderer is kept for the error answers."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


PHOTO_ID = OpenApiParameter("photo_id", int, OpenApiParameter.PATH, description="照片 id")
PHOTO_FILE = {
    (200, content_type): OpenApiResponse(OpenApiTypes.BINARY, description="照片文件")
    for content_type in CONTENT_TYPES
}


class CaseViewSet(viewsets.GenericViewSet):
    """Cases (事件): list and read within scope, report from any source, and every
    lifecycle step as `POST /api/v1/cases/{number}/actions/{action}/`."""

    serializer_class = s.CaseSerializer
    pagination_class = IdCursorPagination
    lookup_field = "number"
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        qs = Case.objects.visible_to(self.request.user).select_related(*LISTED)
        return qs.defer("description", *LISTED_NO_GEOMETRY)

    @extend_schema(
        parameters=[s.CaseFilterSerializer], responses={200: s.CaseSerializer(many=True)}
    )
    def list(self, request):
        data = query(s.CaseFilterSerializer, request)
        cases = filter_cases(self.get_queryset(), data)
        page = self.paginate_queryset(cases)
        context = {"unmask": wants_unmasked(request, "case list")}
        return self.get_paginated_response(s.CaseSerializer(page, many=True, context=context).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("unmask", OpenApiTypes.BOOL, description="显示未脱敏的个人信息")
        ],
        responses={200: s.CaseDetailSerializer, **READ_ERRORS},
    )
    def retrieve(self, request, number=None):
        return Response(self._detail(request, access_case(request.user, number)))

    def _detail(self, request, case: Case) -> dict:
        case.actions = [t.name for t in steps_for(request.user, case)]
        context = {"unmask": wants_unmasked(request, f"case={case.number}")}
        return s.CaseDetailSerializer(case, context=context).data

    @extend_schema(
        operation_id="cases_photo",
        summary="下载事件照片",
        description="详情中 photos[].url 所指的照片文件；能查看该事件者方可下载，否则 404。",
        parameters=[PHOTO_ID],
        responses={**PHOTO_FILE, **READ_ERRORS},
    )
    @action(
        detail=True,
        url_path=r"photos/(?P<photo_id>[0-9]+)",
        url_name="photo",
        content_negotiation_class=AnyAccept,
    )
    def photo(self, request, number=None, photo_id=None):
        """The photo's file (the detail's `photos[].url`), within the case's scope: 404
        for a missing or foreign case and for a photo of another case."""
        return photo_response(access_case(request.user, number), int(photo_id))

    @extend_schema(
        request={
            "application/json": s.CaseCreateSerializer,
            "multipart/form-data": s.CaseCreateSerializer,
        },
        parameters=[IDEMPOTENCY_KEY],
        responses={
            201: s.CaseCreatedSerializer,
            200: s.CaseCreatedSerializer,  # the same report or order number sent before
            **WRITE_ERRORS,
        },
    )
    @idempotent
    def create(self, request):
        """The new case in brief, with its detail URL in `Location`: the intake's hot path
        answers from the case the action returned, without reading it back (a client that
        wants the timeline follows the link)."""
        data = plain_data(request)
        data.setdefault("crs", "wgs84")  # GPS coordinates unless the caller says otherwise
        form = intake_form(data.get("source", ""), request.user, data, request.FILES)
        if not form.is_valid():
            raise form_error(form)
        case = form.submit()
        created = getattr(case, "created", True)
        body = s.created_body(case)
        answer = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(body, status=answer, headers={"Location": body["url"]})

    def act(self, request, number: str, name: str) -> Response:
        """One lifecycle step through the pages' form: 404 unseen, 403 no part in the
        step, 409 impossible now or stale `version`, 400 with the fields."""
        case = access_case(request.user, number)
        check(name, case.status, relations(request.user, case))
        form = FORMS[name](plain_data(request), request.FILES, case=case, user=request.user)
        if not form.is_valid():
            raise form_error(form)
        form.perform()
        fresh = self.get_queryset().select_related(*RELATED).defer(*NO_GEOMETRY)
        fresh = fresh.filter(pk=case.pk).first()
        answer = {"action": name, "case": self._detail(request, fresh) if fresh else None}
        return Response(answer)


def _action_endpoint(name: str):
    body = action_body(name)

    def endpoint(self, request, number=None):
        return self.act(request, number, name)

    # The router maps POST to the method by the name it has when `action` wraps it.
    endpoint.__name__ = endpoint.__qualname__ = f"act_{name}"
    endpoint = idempotent(endpoint)
    endpoint = action(
        detail=True, methods=["post"], url_path=f"actions/{name}", url_name=f"act-{name}"
    )(endpoint)
    return extend_schema(
        operation_id=f"cases_actions_{name}",
        summary=str(TRANSITIONS[name].label),
        request={"application/json": body, "multipart/form-data": body},
        parameters=[IDEMPOTENCY_KEY],
        responses={200: s.ActionResultSerializer, **WRITE_ERRORS},
    )(endpoint)


for _name in FORMS:
    setattr(CaseViewSet, f"act_{_name}", _action_endpoint(_name))


@extend_schema_view(
    list=extend_schema(responses={200: s.WhistleSerializer(many=True)}),
    retrieve=extend_schema(responses={200: s.WhistleSerializer, **READ_ERRORS}),
)
class WhistleViewSet(viewsets.ReadOnlyModelViewSet):
    """吹哨 on the cases the caller sees, with each summoned department's report-in and
    rating. Blow one or report in with the case's `whistle` / `report_in` actions."""

    serializer_class = s.WhistleSerializer
    pagination_class = IdCursorPagination

    def get_queryset(self):
        visible = Case.objects.visible_to(self.request.user).values("pk")
        summons = Summons.objects.select_related("department").order_by("pk")
        qs = Whistle.objects.filter(case_id__in=visible).select_related("case", "subdistrict")
        qs = qs.defer("case__description", "subdistrict__geometry_wkb")
        return qs.prefetch_related(Prefetch("summons", queryset=summons))


# --- KPIs ---------------------------------------------------------------------------------


class KpiQuery(serializers.Serializer):
    node = serializers.CharField(required=False, help_text="辖区代码；默认为本人范围的顶层")
    month = serializers.RegexField(
        r"^\d{4}-(0[1-9]|1[0-2])$",
        required=False,
        help_text="YYYY-MM；默认本月",
        error_messages={"invalid": _("月份格式应为 YYYY-MM")},
    )


def kpi_request(request) -> tuple[Jurisdiction, date]:
    data = query(KpiQuery, request)
    node = selectors.kpi_node(request.user, data.get("node"))
    month = data.get("month")
    return node, date.fromisoformat(f"{month}-01") if month else selectors.this_month()


class KpiViewSet(viewsets.ViewSet):
    """考核指标 (响应率, 解决率, 满意率, 按期结案率 …) per node and month, and the month's
    rankings of the node's children and of the departments (docs/kpis.md)."""

    pagination_class = None

    @extend_schema(parameters=[KpiQuery], responses={200: s.KpiSerializer, **READ_ERRORS})
    def list(self, request):
        node, month = kpi_request(request)
        kpi = selectors.node_kpi(node, month)
        answer = {"node": node.code, "name": node.name, "month": f"{month:%Y-%m}"}
        return Response(answer | {"kpis": selectors.kpi_values(kpi)})

    @extend_schema(
        parameters=[KpiQuery], responses={200: s.RankingRowSerializer(many=True), **READ_ERRORS}
    )
    @action(detail=False, url_path="rankings/children", url_name="children")
    def children(self, request):
        node, month = kpi_request(request)
        return Response(selectors.child_rows(request.user, node, month))

    @extend_schema(
        parameters=[KpiQuery], responses={200: s.RankingRowSerializer(many=True), **READ_ERRORS}
    )
    @action(detail=False, url_path="rankings/departments", url_name="departments")
    def departments(self, request):
        node, month = kpi_request(request)
        return Response(selectors.department_rows(node, month))
