"""Forms of the case pages: the queue filters, the report form and one form per action.

Each action form holds the fields its action needs and calls it (`perform`), so the one
action endpoint is a table lookup and the detail page renders the same forms.
"""

from __future__ import annotations

from django import forms
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from jiceng.accounts.choices import Role
from jiceng.jurisdictions.choices import Level
from jiceng.jurisdictions.models import Department, Jurisdiction, subtree_q

from . import actions
from .choices import Satisfaction, Source, Status, WhistleReason
from .models import Case, Category
from .transitions import NotAllowed

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


class QueueFilter(forms.Form):
    """The queue's filters, read from GET; an invalid value is ignored, not an error."""

    status = forms.ChoiceField(label=_("状态"), choices=ALL + Status.choices, required=False)
    category = forms.ModelChoiceField(
        label=_("事项类别"),
        queryset=Category.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("全部"),
    )
    source = forms.ChoiceField(label=_("来源"), choices=ALL + Source.choices, required=False)
    overdue = forms.BooleanField(label=_("红牌超期"), required=False)
    warned = forms.BooleanField(label=_("黄牌预警"), required=False)
    manual = forms.BooleanField(label=_("待人工派单"), required=False)

    def apply(self, cases, *, status: bool = True):
        """The cases that pass every filter (all but the status one when `status` is off,
        for the per-status counts)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        if status and data.get("status"):
            cases = cases.filter(status=data["status"])
        if data.get("category"):
            category = data["category"]
            cases = cases.filter(Q(category=category) | Q(category__parent=category))
        if data.get("source"):
            cases = cases.filter(source=data["source"])
        for flag, field in FLAGS.items():
            if data.get(flag):
                cases = cases.filter(**{field: True})
        return cases


# --- reporting ----------------------------------------------------------------------------


class ReportForm(forms.Form):
    """One form for every reporter; the intake action follows the user's role."""

    category = forms.ModelChoiceField(
        label=_("事项类别"),
        queryset=Category.objects.filter(active=True, parent__isnull=False),
        to_field_name="code",
    )
    description = forms.CharField(
        label=_("事件描述"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    lng = forms.FloatField(label=_("经度"), min_value=-180, max_value=180, required=False)
    lat = forms.FloatField(label=_("纬度"), min_value=-90, max_value=90, required=False)
    crs = forms.ChoiceField(label=_("坐标系"), choices=CRS_LABELS, initial="wgs84")
    photos = PhotosField(label=_("现场照片"))
    self_resolved = forms.BooleanField(label=_("已现场自处置"), required=False)
    after_photos = PhotosField(label=_("处置后照片"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if user.role != Role.GRID_WORKER:
            del self.fields["self_resolved"], self.fields["after_photos"]
        if user.role == Role.RESIDENT:
            return  # a resident may describe the place in words instead of a point
        del self.fields["address"]
        self.fields["lng"].required = self.fields["lat"].required = True

    def clean(self):
        data = super().clean()
        if (data.get("lng") is None) != (data.get("lat") is None):
            raise forms.ValidationError(_("经度和纬度须同时填写"))
        return data

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
        }
        if self.user.role == Role.GRID_WORKER:
            return actions.report_by_grid_worker(
                **common, self_resolved=data["self_resolved"], after_photos=data["after_photos"]
            )
        if self.user.role == Role.RESIDENT:
            return actions.report_by_resident(**common, address=data["address"])
        # Staff other than grid workers report what they find on their rounds (巡查发现).
        return actions.report_patrol_finding(**common)


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


def units_for(user, case: Case):
    """The communities and subdistrict a case can be dispatched to: those of its own
    subdistrict (or district) that the user sees."""
    units = Jurisdiction.objects.visible_to(user).defer("geometry_wkb")
    units = units.filter(level__in=[Level.SUBDISTRICT, Level.COMMUNITY]).order_by("path")
    root = case.subdistrict or case.district
    return units.filter(subtree_q(root.path)) if root else units.filter(level=Level.SUBDISTRICT)


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

    def perform(self) -> None:
        data = self.arguments()
        data["departments"] = list(data["departments"])
        actions.blow_whistle(
            self.case, acting_user=self.user, expected_version=self.cleaned_data["version"], **data
        )


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
    return forms.TypedChoiceField(label=label, choices=SCORES, coerce=int)


class RateDepartmentForm(ActionForm):
    summons = SummonsChoice(label=_("部门"), queryset=None)
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
