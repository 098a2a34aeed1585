"""Intake through the API: the source chooses the action. The grid worker's, resident's
and patrol reports use the pages' ReportForm (the same validation as the UI); a 12345
order has its own form around `receive_hotline_order`."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jiceng.accounts.choices import Role
from jiceng.accounts.scope import scope_for
from jiceng.cases import actions
from jiceng.cases.choices import Source, Urgency
from jiceng.cases.forms import CRS_LABELS, ReportForm
from jiceng.cases.models import Case, Category
from jiceng.cases.transitions import CaseError, NotAllowed

from .choices import Use

# The source each role reports under with the pages' form (ReportForm.submit).
OWN_SOURCE = {Role.GRID_WORKER: Source.GRID_REPORT, Role.RESIDENT: Source.RESIDENT}
# Who may enter a 12345 order: the command centres and the external systems allowed to.
HOTLINE_ROLES = {
    Role.SUBDISTRICT_DISPATCHER,
    Role.DISTRICT_LEADER,
    Role.CITY_LEADER,
    Role.SYSTEM_ADMIN,
    Role.EXTERNAL_SYSTEM,
}


class HotlineOrderForm(forms.Form):
    """A 12345 order; the same order number twice is the same case (the action's rule)."""

    order_no = forms.CharField(label=_("热线工单号"), max_length=40)
    category = forms.ModelChoiceField(
        label=_("事项类别"),
        queryset=Category.objects.filter(active=True, parent__isnull=False),
        to_field_name="code",
        error_messages={"invalid_choice": _("没有这个事项类别（须为启用的小类编码）")},
    )
    description = forms.CharField(label=_("诉求内容"), max_length=2000)
    caller_name = forms.CharField(label=_("来电人"), max_length=50, required=False)
    caller_phone = forms.CharField(label=_("来电号码"), max_length=20, required=False)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    lng = forms.FloatField(label=_("经度"), min_value=-180, max_value=180, required=False)
    lat = forms.FloatField(label=_("纬度"), min_value=-90, max_value=90, required=False)
    crs = forms.ChoiceField(label=_("坐标系"), choices=CRS_LABELS, required=False)
    jurisdiction_code = forms.CharField(label=_("所属辖区代码"), max_length=12, required=False)
    urgency = forms.ChoiceField(
        label=_("紧急程度"), choices=[("", "")] + Urgency.choices, required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        data = super().clean()
        if (data.get("lng") is None) != (data.get("lat") is None):
            raise forms.ValidationError(_("经度和纬度须同时填写"))
        if not self.errors:
            self._check_place(data)
        return data

    def _check_place(self, data) -> None:
        """The order must fall in the caller's own area: an external system (or a street's
        centre) cannot file orders for a place it does not serve."""
        scope = scope_for(self.user)
        if scope.everything:
            return
        place = actions.place_of(
            data.get("lng"), data.get("lat"), data.get("crs") or "wgs84", data["jurisdiction_code"]
        )
        if not (scope.path and place.path.startswith(scope.path)):
            raise forms.ValidationError(
                _("工单的位置（坐标或辖区代码）不在您服务的辖区内，或无法定位，请核对")
            )

    def submit(self) -> Case:
        data = self.cleaned_data
        case, created = actions.receive_hotline_order(
            order_no=data["order_no"],
            category=data["category"],
            description=data["description"],
            caller_name=data["caller_name"],
            caller_phone=data["caller_phone"],
            address=data["address"],
            lng=data["lng"],
            lat=data["lat"],
            crs=data["crs"] or "wgs84",
            jurisdiction_code=data["jurisdiction_code"],
            acting_user=self.user,
            urgency=data["urgency"] or None,
        )
        case.created = created
        return case


def intake_form(source: str, user, data, files) -> forms.Form:
    """The form for a report from `source` by `user`; NotAllowed when the user does not
    report from that source."""
    if source == Source.HOTLINE:
        _check_hotline_caller(user)
        return HotlineOrderForm(data, user=user)
    if user.role == Role.EXTERNAL_SYSTEM:
        raise NotAllowed(_("外部系统只能提交12345工单"))
    own = OWN_SOURCE.get(user.role, Source.PATROL)
    if source != own:
        label = Source(own).label
        raise NotAllowed(_("您的角色只能以“%(source)s”来源上报") % {"source": label})
    return ReportForm(data, files, user=user)


def _check_hotline_caller(user) -> None:
    allowed = user.is_superuser or user.role in HOTLINE_ROLES
    system = getattr(user, "api_client", None)
    if user.role == Role.EXTERNAL_SYSTEM:
        allowed = system is not None and system.allows(Use.SUBMIT_HOTLINE)
    if not allowed:
        raise NotAllowed(_("您无权提交12345工单"))


def plain_data(request):
    """The body as form data (a copy the view may add defaults to): a form-encoded or
    multipart body's fields as they are (the files go separately), a JSON object's
    booleans as "1"/"0", numbers as text, lists kept."""
    if request.content_type.startswith(("multipart/form-data", "application/x-www-form")):
        return request.POST.copy()
    data = request.data
    if not isinstance(data, dict):
        raise CaseError(_("请求体须为 JSON 对象"))
    return {k: _plain(v) for k, v in data.items()}


def _plain(value):
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


class TokenForm(forms.Form):
    """A new personal token (/account/tokens/): only a name to recognise it by."""

    name = forms.CharField(
        label=_("用途说明"),
        max_length=100,
        help_text=_("例如：巡查数据同步脚本"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
