"""How the API shows things. Read-only: writes go through the actions (via the forms).

Personal data of residents (callers' names and phones, residents named as actors) is
masked unless the view says `unmask` in the context (permission held, asked, logged).
"""

from __future__ import annotations

import shapely
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from jiceng.accounts.choices import Role
from jiceng.cases.choices import Source
from jiceng.cases.forms import CRS_LABELS
from jiceng.cases.models import Case, CaseEvent, CasePhoto, Category, Summons, Whistle
from jiceng.jurisdictions.models import Department, Grid, Jurisdiction
from jiceng.lib.masking import mask_name, mask_phone


class JurisdictionSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Jurisdiction
        fields = ["code", "name", "level", "kind", "parent", "depth", "boundary_synthetic"]


class GridSerializer(serializers.ModelSerializer):
    community = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Grid
        fields = [
            "code",
            "name",
            "kind",
            "community",
            "area_m2",
            "center_lng",
            "center_lat",
            "synthetic",
        ]


class GridDetailSerializer(GridSerializer):
    geometry = serializers.SerializerMethodField(help_text="GeoJSON 几何（WGS84）")

    class Meta(GridSerializer.Meta):
        fields = [*GridSerializer.Meta.fields, "geometry"]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_geometry(self, grid: Grid) -> dict | None:
        geom = grid.geometry
        return shapely.geometry.mapping(geom) if geom is not None else None


class DepartmentSerializer(serializers.ModelSerializer):
    jurisdiction = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Department
        fields = ["id", "name", "short_name", "kind", "jurisdiction", "phone"]


class CategorySerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Category
        fields = ["code", "name", "parent", "kind", "urgency", "handling_level", "active"]


# --- cases ----------------------------------------------------------------------------


class Masked:
    """Mixin: mask a resident's name or phone unless the view unmasked them."""

    def unmasked(self) -> bool:
        return bool(self.context.get("unmask"))

    def name(self, value: str) -> str:
        return value if self.unmasked() else mask_name(value)

    def phone(self, value: str) -> str:
        return value if self.unmasked() else mask_phone(value)


class CaseSerializer(Masked, serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    grid = serializers.SlugRelatedField(slug_field="code", read_only=True)
    community = serializers.SlugRelatedField(slug_field="code", read_only=True)
    assigned_jurisdiction = serializers.SlugRelatedField(slug_field="code", read_only=True)
    assigned_department = serializers.PrimaryKeyRelatedField(read_only=True)
    caller_name = serializers.SerializerMethodField()
    caller_phone = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "number",
            "url",
            "source",
            "status",
            "category",
            "category_name",
            "urgency",
            "address",
            "lng",
            "lat",
            "grid",
            "community",
            "assigned_jurisdiction",
            "assigned_department",
            "in_manual_queue",
            "warned",
            "overdue",
            "self_resolved",
            "hotline_order_no",
            "caller_name",
            "caller_phone",
            "received_at",
            "due_at",
            "closed_at",
            "version",
        ]

    def get_caller_name(self, case: Case) -> str:
        return self.name(case.caller_name)

    def get_caller_phone(self, case: Case) -> str:
        return self.phone(case.caller_phone)

    def get_url(self, case: Case) -> str:
        return reverse("api:case-detail", args=[case.number])


class EventSerializer(Masked, serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = CaseEvent
        fields = ["action", "from_status", "to_status", "actor", "at", "note"]

    def get_actor(self, event: CaseEvent) -> str:
        actor = event.actor
        if actor is None:
            return ""
        return self.name(str(actor)) if actor.role == Role.RESIDENT else str(actor)


class PhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = CasePhoto
        fields = ["id", "stage", "content_type", "size", "uploaded_at", "url"]

    def get_url(self, photo: CasePhoto) -> str:
        return reverse("api:case-photo", args=[self.context["number"], photo.pk])


class SummonsSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)

    class Meta:
        model = Summons
        fields = [
            "department",
            "department_name",
            "due_at",
            "reported_at",
            "late",
            "notes",
            "speed",
            "attitude",
            "result",
            "rated_at",
        ]


class WhistleSerializer(serializers.ModelSerializer):
    case = serializers.SerializerMethodField()
    subdistrict = serializers.SlugRelatedField(slug_field="code", read_only=True)
    summons = SummonsSerializer(many=True, read_only=True)

    class Meta:
        model = Whistle
        fields = ["id", "case", "subdistrict", "reason", "note", "blown_at", "summons"]

    def get_case(self, whistle: Whistle) -> str:
        return whistle.case.number


class CaseDetailSerializer(CaseSerializer):
    events = serializers.SerializerMethodField()
    photos = serializers.SerializerMethodField()
    whistles = serializers.SerializerMethodField()
    actions = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="当前用户此刻可执行的操作"
    )

    class Meta(CaseSerializer.Meta):
        fields = [
            *CaseSerializer.Meta.fields,
            "description",
            "result",
            "resolved",
            "satisfaction",
            "merged_into",
            "events",
            "photos",
            "whistles",
            "actions",
        ]

    merged_into = serializers.SerializerMethodField()
    satisfaction = serializers.CharField(
        read_only=True, help_text="回访满意度（见 rate/follow_up）"
    )

    def get_merged_into(self, case: Case) -> str | None:
        return case.merged_into.number if case.merged_into_id else None

    @extend_schema_field(EventSerializer(many=True))
    def get_events(self, case: Case) -> list:
        events = case.events.select_related("actor")
        return EventSerializer(events, many=True, context=self.context).data

    @extend_schema_field(PhotoSerializer(many=True))
    def get_photos(self, case: Case) -> list:
        context = self.context | {"number": case.number}
        return PhotoSerializer(case.photos.all(), many=True, context=context).data

    @extend_schema_field(WhistleSerializer(many=True))
    def get_whistles(self, case: Case) -> list:
        whistles = case.whistles.select_related("case", "subdistrict").prefetch_related(
            "summons__department"
        )
        whistles = whistles.defer("subdistrict__geometry_wkb")
        return WhistleSerializer(whistles, many=True, context=self.context).data


class CaseFilterSerializer(serializers.Serializer):
    """The case list's query parameters (the queue's filters, plus times)."""

    status = serializers.ChoiceField(choices=Case._meta.get_field("status").choices, required=False)
    category = serializers.CharField(required=False, help_text="类别编码；大类包含其全部小类")
    source = serializers.ChoiceField(choices=Source.choices, required=False)
    grid = serializers.CharField(required=False, help_text="网格编码")
    overdue = serializers.BooleanField(required=False, allow_null=True, default=None)
    warned = serializers.BooleanField(required=False, allow_null=True, default=None)
    received_after = serializers.DateTimeField(required=False)
    received_before = serializers.DateTimeField(required=False)
    updated_since = serializers.DateTimeField(
        required=False, help_text="此时间之后有过任何动作（时间线新增记录）的事件"
    )
    unmask = serializers.BooleanField(
        required=False, default=False, help_text="显示未脱敏的个人信息（需相应权限，记入审计日志）"
    )


class CaseCreatedSerializer(serializers.Serializer):
    """The answer to a create: what the reporter needs at once, drawn from the case the
    intake action returned without reading anything back (the hot path); the detail is
    at `url` (also the `Location` header)."""

    number = serializers.CharField()
    url = serializers.SerializerMethodField()
    source = serializers.CharField()
    status = serializers.CharField()
    category = serializers.CharField(source="category.code")
    in_manual_queue = serializers.BooleanField()
    self_resolved = serializers.BooleanField()
    received_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField()

    def get_url(self, case: Case) -> str:
        return reverse("api:case-detail", args=[case.number])


_WHEN = serializers.DateTimeField()


def created_body(case: Case) -> dict:
    """CaseCreatedSerializer's answer built directly: the same fields (the serializer
    stays for the schema; tests/test_cases.py keeps the two equal), without DRF's
    per-instance field copies, a fifth of a millisecond of the intake's hot path."""
    when = _WHEN.to_representation
    return {
        "number": case.number,
        "url": reverse("api:case-detail", args=[case.number]),
        "source": case.source,
        "status": case.status,
        "category": case.category.code,
        "in_manual_queue": case.in_manual_queue,
        "self_resolved": case.self_resolved,
        "received_at": when(case.received_at),
        "due_at": when(case.due_at) if case.due_at else None,
        "version": case.version,
    }


class CaseCreateSerializer(serializers.Serializer):
    """The body of a new case, for the schema: `source` chooses the intake action and
    which fields apply (the forms of the pages validate it)."""

    source = serializers.ChoiceField(
        choices=Source.choices,
        help_text="grid_report 网格员；resident 群众；patrol 其他工作人员；hotline 12345 工单",
    )
    category = serializers.CharField(help_text="小类编码")
    description = serializers.CharField(max_length=2000)
    lng = serializers.FloatField(required=False, min_value=-180, max_value=180)
    lat = serializers.FloatField(required=False, min_value=-90, max_value=90)
    crs = serializers.ChoiceField(choices=[c for c, _l in CRS_LABELS], required=False)
    address = serializers.CharField(required=False, max_length=200)
    photos = serializers.ListField(child=serializers.FileField(), required=False)
    self_resolved = serializers.BooleanField(required=False, help_text="网格员自处置")
    after_photos = serializers.ListField(child=serializers.FileField(), required=False)
    requester_phone = serializers.CharField(required=False, max_length=20)
    client_key = serializers.UUIDField(required=False)
    order_no = serializers.CharField(required=False, max_length=40, help_text="12345 工单号")
    caller_name = serializers.CharField(required=False, max_length=50)
    caller_phone = serializers.CharField(required=False, max_length=20)
    jurisdiction_code = serializers.CharField(required=False, max_length=12)
    urgency = serializers.CharField(required=False)


class ErrorDetail(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetail()


class ActionResultSerializer(serializers.Serializer):
    action = serializers.CharField()
    case = CaseDetailSerializer(
        allow_null=True, help_text="操作后的事件；操作后您已无权查看时为 null（如退单后的部门）"
    )


class KpiSerializer(serializers.Serializer):
    node = serializers.CharField()
    name = serializers.CharField()
    month = serializers.CharField()
    kpis = serializers.DictField()


class RankingRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    name = serializers.CharField()
    code = serializers.CharField(allow_null=True)
    department = serializers.IntegerField(allow_null=True)
    response_rate = serializers.FloatField(allow_null=True)
    resolution_rate = serializers.FloatField(allow_null=True)
    satisfaction_rate = serializers.FloatField(allow_null=True)
    on_time_closure_rate = serializers.FloatField(allow_null=True)
    composite = serializers.FloatField()
