"""Admin for API credentials. A new token or key is shown once, in the message after
saving; only its digest is stored."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from jiceng.lib.admin import ScopedAdmin

from . import actions
from .choices import Use
from .models import ApiToken, ExternalSystem


@admin.action(description=_("撤销所选令牌"))
def revoke_tokens(modeladmin, request, queryset) -> None:
    for token in queryset:
        actions.revoke_token(token, acting_user=request.user)


@admin.register(ApiToken)
class ApiTokenAdmin(ScopedAdmin):
    list_display = ["user", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    fields = ["user", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "created_at", "last_used_at", "revoked_at"]
    actions = [revoke_tokens]

    def save_model(self, request, obj, form, change) -> None:
        if change:
            obj.save(update_fields=["name"])
            return
        token, raw = actions.create_token(obj.user, name=obj.name, acting_user=request.user)
        obj.pk = token.pk
        messages.warning(request, _("令牌只显示这一次，请立即妥善保存：%(raw)s") % {"raw": raw})


class ExternalSystemForm(forms.ModelForm):
    uses = forms.MultipleChoiceField(
        label=_("允许用途"), choices=Use.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = ExternalSystem
        fields = ["name", "area", "uses"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["uses"] = self.instance.use_list()

    def clean_uses(self) -> str:
        return ",".join(self.cleaned_data["uses"])


@admin.action(description=_("撤销所选外部系统的密钥"))
def revoke_systems(modeladmin, request, queryset) -> None:
    for system in queryset:
        actions.revoke_external_system(system, acting_user=request.user)


@admin.register(ExternalSystem)
class ExternalSystemAdmin(ScopedAdmin):
    form = ExternalSystemForm
    list_display = ["name", "area", "uses", "prefix", "active", "last_used_at", "revoked_at"]
    list_select_related = ["area"]
    raw_id_fields = ["area"]
    actions = [revoke_systems]

    def save_model(self, request, obj, form, change) -> None:
        if change:
            obj.save(update_fields=["name", "area", "uses"])
            return
        system, raw = actions.create_external_system(
            name=obj.name, area=obj.area, uses=obj.use_list(), acting_user=request.user
        )
        obj.pk, obj.user = system.pk, system.user
        messages.warning(request, _("API 密钥只显示这一次，请立即妥善保存：%(raw)s") % {"raw": raw})
