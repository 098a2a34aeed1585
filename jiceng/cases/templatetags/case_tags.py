"""Template helpers of the case pages: masking, timeline labels, the inbox count."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

from jiceng.accounts.choices import Role
from jiceng.lib import masking

from ..inbox import unread_count as count_unread
from ..transitions import TRANSITIONS

register = template.Library()

# Timeline rows written by intake and the sweep, which are not transitions.
EVENT_LABELS = {
    "receive": _("受理"),
    "queue": _("转人工派单"),
    "self_resolve": _("现场自处置"),
    "absorb": _("合并重复事件"),
    "warning": _("黄牌预警"),
    "overdue": _("红牌超期"),
}


@register.filter
def mask_phone(value: str | None) -> str:
    return masking.mask_phone(value or "")


@register.filter
def mask_name(value: str | None) -> str:
    return masking.mask_name(value or "")


@register.filter
def action_label(name: str) -> str:
    transition = TRANSITIONS.get(name)
    return transition.label if transition else EVENT_LABELS.get(name, name)


@register.filter
def actor_name(user) -> str:
    """Staff by name; a resident (a member of the public) masked; nobody: the system."""
    if user is None:
        return _("系统")
    if user.role == Role.RESIDENT:
        return masking.mask_name(str(user))
    return str(user)


@register.simple_tag(takes_context=True)
def unread_count(context) -> int:
    return count_unread(context.get("user"))
