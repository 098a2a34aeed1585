"""Forms of the case pages: the queue filters, the report form and one form per action.

Each action form holds the fields its action needs and calls it (`perform`), so the one
action endpoint is a table lookup and the detail page renders the same forms.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import F, Q
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.accounts.choices import Role
from jiceng.jurisdictions.choices import DepartmentKind, Level
from jiceng.jurisdictions.models import Department, Grid, Jurisdiction, subtree_q

from . import actions, policy
from .choices import Satisfaction, Source, Status, WhistleReason
from .models import Case, Category, SavedFilter, id_of_number
from .transitions import CaseError, NotAllowed

ALL = [("", _("全部"))]
CRS_LABELS = [
    ("wgs84", _("WGS84（GPS 原始坐标）")),
    ("gcj02", _("GCJ-02（高德、腾讯地图）")),
    ("bd09", _("BD-09（百度地图）")),
]
FLAGS = {"overdue": "overdue", "warned": "warned", "manual": "in_manual_queue"}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos from one file input; the actions check their content and size."""

    widget = MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        return [super(PhotosField, self).clean(f, initial) for f in files if f]


def text_field(label, *, required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# --- the queue ----------------------------------------------------------------------------


class CategoryChoice(forms.ModelChoiceField):
    """The catalogue in code order: each 大类 followed by its 小类, indented."""

    def label_from_instance(self, obj) -> str:
        indent = "\u3000" if obj.parent_id else ""
        return f"{indent}{obj.code} {obj.name}"


class GridChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


# People whose grids fit in a list (a subdistrict has about a hundred); a district or the
# city has thousands, so they type the grid's code instead.
GRID_LIST_ROLES = {
    Role.SUBDISTRICT_DISPATCHER,
    Role.COMMUNITY_SECRETARY,
    Role.COMMUNITY_STAFF,
    Role.GRID_WORKER,
}


class QueueFilter(forms.Form):
    """The queue's filters, read from GET. An invalid value is reported on the page and
    that one filter is ignored (a saved filter whose grid was removed still opens)."""

    q = forms.CharField(
        label=_("关键词"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("编号、描述、地址")}),
    )
    status = forms.ChoiceField(label=_("状态"), choices=ALL + Status.choices, required=False)
    category = CategoryChoice(
        label=_("事项类别"),
        queryset=Category.objects.only("code", "name", "parent_id").order_by("code"),
        to_field_name="code",
        required=False,
        empty_label=_("全部"),
        error_messages={"invalid_choice": _("没有这个事项类别")},
    )
    source = forms.ChoiceField(label=_("来源"), choices=ALL + Source.choices, required=False)
    grid = GridChoice(
        label=_("网格"),
        queryset=Grid.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=_("全部"),
        error_messages={"invalid_choice": _("没有这个网格，或您无权查看")},
    )
    overdue = forms.BooleanField(label=_("红牌超期"), required=False)
    warned = forms.BooleanField(label=_("黄牌预警"), required=False)
    manual = forms.BooleanField(label=_("待人工派单"), required=False)

    def __init__(self, data=None, *, user):
        super().__init__(data)
        if user.role == Role.RESIDENT:
            del self.fields["grid"]  # a resident's own requests: no grids to choose from
            return
        grids = Grid.objects.visible_to(user).general().only("code", "name").order_by("code")
        self.fields["grid"].queryset = grids
        if user.role not in GRID_LIST_ROLES:
            self.fields["grid"].widget = forms.TextInput(attrs={"placeholder": _("网格编码")})

    def valid_data(self) -> dict:
        """The filters that passed validation (the others are ignored)."""
        self.is_valid()
        return getattr(self, "cleaned_data", {})

    def chosen_status(self) -> str:
        return self.valid_data().get("status") or ""

    def apply(self, cases, *, status: bool = True):
        """The cases that pass every filter (all but the status one when `status` is off,
        for the per-status counts)."""
        data = self.valid_data()
        if status and data.get("status"):
            cases = cases.filter(status=data["status"])
        if data.get("category"):
            cases = cases.filter(category_id__in=with_children(data["category"]))
        if data.get("source"):
            cases = cases.filter(source=data["source"])
        if data.get("grid"):
            cases = cases.filter(grid_id=data["grid"].pk)
        if data.get("q", "").strip():
            cases = cases.filter(keyword_q(data["q"]))
        for flag, field in FLAGS.items():
            if data.get(flag):
                cases = cases.filter(**{field: True})
        return cases


def with_children(category: Category):
    """A 大类 and its 小类 as a subquery of ids (a 小类 has no children: itself)."""
    family = Category.objects.filter(Q(pk=category.pk) | Q(parent_id=category.pk))
    return family.values("pk")


def keyword_q(text: str) -> Q:
    """A case number (exact, its date included), a hotline order number, or words in the
    description or the address."""
    text = text.strip()
    found = Q(description__icontains=text) | Q(address__icontains=text)
    found |= Q(hotline_order_no=text)
    pk, day = id_of_number(text), _day_of_number(text)
    if pk is not None and day is not None:
        found |= Q(pk=pk, received_at__range=day)
    return found


def _day_of_number(number: str) -> tuple[datetime, datetime] | None:
    """The local day a case number's date prefix names, as an aware range."""
    try:
        day = datetime.strptime(number[:8], "%Y%m%d")
    except ValueError:
        return None
    start = timezone.make_aware(day)
    return start, start + timedelta(days=1) - timedelta(microseconds=1)


def queue_query(data) -> str:
    """The filter part of a queue query string, in field order, empty values and the page
    left out: what a saved filter stores and what the chips compare."""
    names = [n for n in QueueFilter.base_fields if data.get(n, "").strip()]
    return urlencode([(n, data.get(n).strip()) for n in names])


MAX_BULK = 100
MISSING = _("没有这个事件，或您无权查看")  # the same words for "missing" and "not yours"


class NumbersField(forms.Field):
    """The case numbers ticked in the queue (one checkbox named `number` per row)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[str]:
        numbers: list[str] = []
        for raw in value or []:
            number = str(raw).strip()
            if number and number not in numbers:
                numbers.append(number)
        return numbers

    def validate(self, value) -> None:
        super().validate(value)
        if len(value) > MAX_BULK:
            message = _("一次最多批量派单 %(max)d 件，您勾选了 %(n)d 件")
            raise forms.ValidationError(message, params={"max": MAX_BULK, "n": len(value)})


class BulkDispatchForm(forms.Form):
    """派单 for the queue's ticked rows, all to one unit. Each case goes through
    `actions.dispatch` in its own transaction, so one refusal stops none of the others."""

    number = NumbersField(label=_("事件"), error_messages={"required": _("请至少勾选一件事件")})
    department = forms.ModelChoiceField(
        label=_("职能部门"), queryset=Department.objects.none(), required=False
    )
    jurisdiction = forms.ModelChoiceField(
        label=_("或社区/街道"), queryset=Jurisdiction.objects.none(), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["department"].queryset = Department.objects.visible_to(user).order_by("name")
        self.fields["jurisdiction"].queryset = units_for(user)

    def clean(self):
        data = super().clean()
        if "department" in data and "jurisdiction" in data:
            if (data["department"] is None) == (data["jurisdiction"] is None):
                raise forms.ValidationError(_("请指定一个处置单位：职能部门或社区/街道"))
        return data

    def perform(self) -> tuple[list[str], list[tuple[str, str]]]:
        """(numbers dispatched, [(number, why not)]) in the order they were ticked."""
        data = self.cleaned_data
        found = self._cases(data["number"])
        done, refused = [], []
        for number in data["number"]:
            case = found.get(number)
            why = self._refusal(case)
            if why is None:
                try:
                    actions.dispatch(
                        case,
                        acting_user=self.user,
                        department=data["department"],
                        jurisdiction=data["jurisdiction"],
                    )
                except CaseError as error:
                    why = str(error)
            if why is None:
                done.append(number)
            else:
                refused.append((number, why))
        return done, refused

    def _cases(self, numbers: list[str]) -> dict[str, Case]:
        """The ticked cases the user sees, by number, in one query; a number that is not
        one, or names a case the user cannot see, is simply absent."""
        ids = [pk for pk in map(id_of_number, numbers) if pk is not None]
        visible = Case.objects.visible_to(self.user).filter(pk__in=ids)
        visible = visible.select_related("subdistrict", "district").defer(
            "subdistrict__geometry_wkb", "district__geometry_wkb"
        )
        return {c.number: c for c in visible}

    def _refusal(self, case: Case | None) -> str | None:
        if case is None:
            return str(MISSING)
        unit = self.cleaned_data["jurisdiction"]
        if unit is not None and not unit_fits(unit, case):
            return _("“%(unit)s”不在该事件所在的街道内") % {"unit": unit.name}
        return None


class SavedFilterForm(forms.Form):
    """Name the queue's current filters (常用筛选); the rules (no duplicate name, at most
    20 per person) are the action's."""

    name = forms.CharField(
        label=_("常用筛选名称"),
        max_length=40,
        error_messages={"required": _("请填写常用筛选的名称")},
    )
    query = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_query(self) -> str:
        query = queue_query(QueryDict(self.cleaned_data["query"]))
        if not query:
            raise forms.ValidationError(_("当前没有设置筛选条件，无需保存"))
        if len(query) > 500:
            raise forms.ValidationError(_("筛选条件太长，无法保存"))
        return query

    def save(self) -> SavedFilter | None:
        data = self.cleaned_data
        try:
            return actions.save_filter(
                acting_user=self.user, name=data["name"], query=data["query"]
            )
        except CaseError as error:
            self.add_error("name", str(error))
            return None


# --- reporting ----------------------------------------------------------------------------


class CatalogueChoiceField(forms.ModelChoiceField):
    """A 小类 by code, found in the in-memory policy (no query per report: intake is the
    hot path); the page's choices still come from the queryset."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        found = policy.current().categories.get(str(value))
        if found is None:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return found


class ReportForm(forms.Form):
    """One form for every reporter; the intake action follows the user's role.

    The phone page (cases/new.html, cases/report.js) adds a map, GPS, a keyword search
    over the catalogue and an offline outbox; without JS it is this plain form.
    `client_key` makes a report sent twice (an offline retry) one case.
    """

    category = CatalogueChoiceField(
        label=_("事项类别"),
        queryset=Category.objects.filter(active=True, parent__isnull=False),
        to_field_name="code",
        error_messages={"invalid_choice": _("没有这个事项类别，请重新选择")},
    )
    description = forms.CharField(
        label=_("事件描述"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    lng = forms.FloatField(label=_("经度"), min_value=-180, max_value=180, required=False)
    lat = forms.FloatField(label=_("纬度"), min_value=-90, max_value=90, required=False)
    crs = forms.ChoiceField(label=_("坐标系"), choices=CRS_LABELS, initial="wgs84")
    photos = PhotosField(label=_("现场照片"))
    requester_phone = forms.CharField(
        label=_("诉求群众手机号"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        help_text=_("代群众反映诉求时填写：须是事件所在社区已登记的群众，群众可跟踪和评价"),
    )
    self_resolved = forms.BooleanField(label=_("现场已解决（自处置）"), required=False)
    after_photos = PhotosField(label=_("处置后照片"))
    client_key = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.initial.setdefault("client_key", uuid.uuid4())  # the no-JS form's own key
        for name in ("photos", "after_photos"):
            self.fields[name].widget.attrs["capture"] = "environment"  # the rear camera
        if user.role != Role.GRID_WORKER:
            del self.fields["self_resolved"], self.fields["after_photos"]
            del self.fields["requester_phone"]
        if user.role == Role.RESIDENT:
            return  # a resident may describe the place in words instead of a point
        del self.fields["address"]
        self.fields["lng"].required = self.fields["lat"].required = True

    def catalogue(self) -> list[Category]:
        """The 小类 with their 大类, in code order: one query for the select's groups
        and the page's keyword search."""
        if not hasattr(self, "_catalogue"):
            listed = self.fields["category"].queryset.select_related("parent")
            self._catalogue = list(listed.order_by("code"))
            self.fields["category"].choices = grouped_categories(self._catalogue)
        return self._catalogue

    def clean_requester_phone(self) -> str:
        return "".join(self.cleaned_data.get("requester_phone", "").split())

    def clean(self):
        data = super().clean()
        if (data.get("lng") is None) != (data.get("lat") is None):
            raise forms.ValidationError(_("经度和纬度须同时填写"))
        if data.get("requester_phone"):
            data["requester"] = self._requester(data)
        return data

    def _requester(self, data):
        """The resident of the case's community with this phone. Another community's
        resident gets the same answer as no one: the form must not tell a grid worker
        who is registered elsewhere."""
        place = None
        if data.get("lng") is not None and data.get("crs"):
            place = actions.place_of(data["lng"], data["lat"], data["crs"])
        community = place.community if place else None
        resident = resident_with_phone(self.user, data["requester_phone"], community)
        if resident is None:
            self.add_error("requester_phone", NO_RESIDENT)
        return resident

    def submit(self) -> Case:
        data = self.cleaned_data
        common = {
            "acting_user": self.user,
            "category": data["category"],
            "description": data["description"],
            "lng": data["lng"],
            "lat": data["lat"],
            "crs": data["crs"],
            "photos_in": data["photos"],
            "client_key": data.get("client_key"),
        }
        if self.user.role == Role.GRID_WORKER:
            return actions.report_by_grid_worker(
                **common,
                self_resolved=data["self_resolved"],
                after_photos=data["after_photos"],
                requester=data.get("requester"),
            )
        if self.user.role == Role.RESIDENT:
            return actions.report_by_resident(**common, address=data["address"])
        # Staff other than grid workers report what they find on their rounds (巡查发现).
        return actions.report_patrol_finding(**common)


NO_RESIDENT = _("事件所在社区没有登记这个手机号的群众，请核对号码，或不填此项")


def resident_with_phone(user, phone: str, community):
    """An active resident of `community` registered with `phone`, or None. Only in a
    community the user may see: a pin dropped across the boundary must not turn the
    form into a way to ask who lives there."""
    if community is None:
        return None
    residents = get_user_model().objects.filter(role=Role.RESIDENT, is_active=True)
    ours = Jurisdiction.objects.visible_to(user).values("pk")
    found = residents.filter(phone=phone, jurisdiction=community, jurisdiction__in=ours)
    return found.order_by("pk").first()


def grouped_categories(categories: list[Category]) -> list:
    """Choices for a select: each 大类 an optgroup of its 小类."""
    groups: dict[str, list] = {}
    for c in categories:
        groups.setdefault(f"{c.parent.code} {c.parent.name}", []).append((c.code, c.name))
    return [("", "---------"), *groups.items()]


# --- actions ------------------------------------------------------------------------------


class ActionForm(forms.Form):
    """An action's fields plus the version the page was drawn from (stale pages are
    refused with 409). Field names are the action's keyword arguments."""

    run = None  # the function in actions.py, as a staticmethod
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args, case: Case, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.case, self.user = case, user
        self.fields["version"].initial = case.version

    def arguments(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        if "photos" in data:
            data["photos_in"] = data.pop("photos")
        return data

    def perform(self) -> None:
        version = self.cleaned_data["version"]
        self.run(self.case, acting_user=self.user, expected_version=version, **self.arguments())


class AcceptForm(ActionForm):
    run = staticmethod(actions.accept)


class StartForm(ActionForm):
    run = staticmethod(actions.start)


class ReplyForm(ActionForm):
    run = staticmethod(actions.reply)
    result = text_field(_("办理结果"), required=True)
    photos = PhotosField(label=_("反馈照片"))


class VerifyForm(ActionForm):
    run = staticmethod(actions.verify)
    passed = True
    note = text_field(_("核查说明"))
    photos = PhotosField(label=_("核查照片"))

    def arguments(self) -> dict:
        return super().arguments() | {"passed": self.passed}


class RejectForm(VerifyForm):
    passed = False
    note = text_field(_("不通过的原因"), required=True)


class NoteForm(ActionForm):
    note = text_field(_("说明"))


class CloseForm(NoteForm):
    run = staticmethod(actions.close)


class OverruleForm(NoteForm):
    run = staticmethod(actions.overrule)


class ResumeForm(NoteForm):
    run = staticmethod(actions.resume)


class ReopenForm(NoteForm):
    run = staticmethod(actions.reopen)


class UrgeForm(ActionForm):
    run = staticmethod(actions.urge)
    note = text_field(_("催办意见"), required=True)


class SuperviseForm(ActionForm):
    run = staticmethod(actions.supervise)
    note = text_field(_("督办意见"), required=True)


class FollowUpForm(ActionForm):
    run = staticmethod(actions.follow_up)
    resolved = forms.TypedChoiceField(
        label=_("是否解决"),
        choices=[("1", _("已解决")), ("0", _("未解决"))],
        coerce=lambda v: v == "1",
    )
    satisfaction = forms.ChoiceField(label=_("满意度"), choices=Satisfaction.choices)
    note = text_field(_("回访记录"))


class RateForm(ActionForm):
    """The requester's own rating after closure (radio buttons: one tap each on a phone)."""

    run = staticmethod(actions.rate_by_resident)
    resolved = forms.TypedChoiceField(
        label=_("问题是否已解决"),
        choices=[("1", _("已解决")), ("0", _("未解决"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    satisfaction = forms.ChoiceField(
        label=_("您对办理结果是否满意"), choices=Satisfaction.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("意见或建议（选填）"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReasonForm(ActionForm):
    reason = text_field(_("原因"), required=True)


class ReturnForm(ReasonForm):
    run = staticmethod(actions.return_case)


class RequestParkForm(ReasonForm):
    run = staticmethod(actions.request_park)


class ApproveParkForm(ReasonForm):
    run = staticmethod(actions.approve_park)


class EscalateForm(ReasonForm):
    run = staticmethod(actions.escalate)


class RequestExtensionForm(ReasonForm):
    run = staticmethod(actions.request_extension)
    hours = forms.FloatField(label=_("延期小时数"), min_value=0.5, max_value=2000)


class ApproveExtensionForm(NoteForm):
    run = staticmethod(actions.approve_extension)
    hours = forms.FloatField(label=_("批准延期小时数"), min_value=0.5, max_value=2000)


class DispatchForm(ActionForm):
    run = staticmethod(actions.dispatch)
    department = forms.ModelChoiceField(
        label=_("职能部门"), queryset=Department.objects.none(), required=False
    )
    jurisdiction = forms.ModelChoiceField(
        label=_("或社区/街道"), queryset=Jurisdiction.objects.none(), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        departments = Department.objects.visible_to(self.user).order_by("name")
        self.fields["department"].queryset = departments
        self.fields["jurisdiction"].queryset = units_for(self.user, self.case)


def units_for(user, case: Case | None = None):
    """The communities and subdistrict a case can be dispatched to: those of its own
    subdistrict (or district) that the user sees. With no case (bulk dispatch), every
    one the user sees; each case is then checked with `unit_fits`."""
    units = Jurisdiction.objects.visible_to(user).defer("geometry_wkb")
    units = units.filter(level__in=[Level.SUBDISTRICT, Level.COMMUNITY]).order_by("path")
    if case is None:
        return units
    root = case.subdistrict or case.district
    return units.filter(subtree_q(root.path)) if root else units.filter(level=Level.SUBDISTRICT)


def unit_fits(unit: Jurisdiction, case: Case) -> bool:
    """`units_for(user, case)` for one unit already known to be visible, without a query."""
    root = case.subdistrict or case.district
    return unit.path.startswith(root.path) if root else unit.level == Level.SUBDISTRICT


class MergeForm(ActionForm):
    run = staticmethod(actions.merge)
    into = forms.CharField(label=_("原件编号"), max_length=20)

    def clean_into(self) -> Case:
        number = self.cleaned_data["into"].strip()
        original = Case.objects.visible_to(self.user).numbered(number)
        if original is None:
            raise forms.ValidationError(_("没有这个事件，或您无权查看"))
        return original


class WhistleForm(ActionForm):
    departments = forms.ModelMultipleChoiceField(
        label=_("召集部门"),
        queryset=Department.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请至少选择一个职能部门")},
    )
    reason = forms.ChoiceField(label=_("吹哨事由"), choices=WhistleReason.choices)
    note = text_field(_("说明"))
    minutes = forms.IntegerField(
        label=_("报到时限(分钟)"), min_value=1, max_value=24 * 60, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        departments = Department.objects.visible_to(self.user).order_by("name")
        self.fields["departments"].queryset = departments
        self.fields["departments"].choices = by_kind(departments)

    def perform(self) -> None:
        data = self.arguments()
        data["departments"] = list(data["departments"])
        actions.blow_whistle(
            self.case, acting_user=self.user, expected_version=self.cleaned_data["version"], **data
        )


def by_kind(departments) -> list[tuple[str, list[tuple[int, str]]]]:
    """Departments as checkbox groups, one per kind (城市管理, 住建…) in the kinds' order."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for d in departments:
        groups.setdefault(d.kind, []).append((d.pk, d.name))
    order = [k for k in DepartmentKind.values if k in groups] + sorted(
        k for k in groups if k not in DepartmentKind.values
    )
    return [(_kind_label(k), groups[k]) for k in order]


def _kind_label(kind: str) -> str:
    return DepartmentKind(kind).label if kind in DepartmentKind.values else kind


class ReportInForm(ActionForm):
    note = text_field(_("联合处置记录"))

    def perform(self) -> None:
        mine = self.case.summons.filter(department_id=self.user.department_id)
        unreported_first = F("reported_at").desc(nulls_first=True)
        summons = mine.order_by(unreported_first, "-due_at").first()
        if summons is None:
            raise NotAllowed("贵部门没有被召集处置该事件")
        actions.report_in(
            summons,
            acting_user=self.user,
            note=self.cleaned_data["note"],
            expected_version=self.cleaned_data["version"],
        )


class SummonsChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.department.name


SCORES = [(n, str(n)) for n in range(5, 0, -1)]


def score_field(label) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=SCORES,
        coerce=int,
        error_messages={
            "required": _("请选择 1 到 5 星"),
            "invalid_choice": _("评分必须是 1 到 5 星"),
        },
    )


class RateDepartmentForm(ActionForm):
    """下考上 for one summoned department; the case page draws one such form per
    department still to rate, with the department fixed and 1–5 stars per criterion."""

    summons = SummonsChoice(
        label=_("部门"),
        queryset=None,
        error_messages={"invalid_choice": _("该部门已评价过，或未被本事件召集")},
    )
    speed = score_field(_("响应速度"))
    attitude = score_field(_("工作态度"))
    result = score_field(_("处置效果"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        unrated = self.case.summons.filter(rated_at=None).select_related("department")
        self.fields["summons"].queryset = unrated.order_by("department__name")

    def perform(self) -> None:
        data = self.arguments()
        actions.rate_department(
            data.pop("summons"),
            acting_user=self.user,
            expected_version=self.cleaned_data["version"],
            **data,
        )


FORMS: dict[str, type[ActionForm]] = {
    "dispatch": DispatchForm,
    "accept": AcceptForm,
    "start": StartForm,
    "reply": ReplyForm,
    "verify": VerifyForm,
    "reject": RejectForm,
    "close": CloseForm,
    "follow_up": FollowUpForm,
    "rate": RateForm,
    "return": ReturnForm,
    "overrule": OverruleForm,
    "request_extension": RequestExtensionForm,
    "approve_extension": ApproveExtensionForm,
    "request_park": RequestParkForm,
    "approve_park": ApproveParkForm,
    "resume": ResumeForm,
    "reopen": ReopenForm,
    "merge": MergeForm,
    "escalate": EscalateForm,
    "urge": UrgeForm,
    "supervise": SuperviseForm,
    "whistle": WhistleForm,
    "report_in": ReportInForm,
    "rate_department": RateDepartmentForm,
}


def form_message(form: forms.Form) -> str:
    """A form's errors as one line for a message or a JSON answer."""
    parts = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = field.label if field is not None and field.label else ""
        parts += [f"{label}：{e}" if label else str(e) for e in errors]
    return "；".join(parts)
