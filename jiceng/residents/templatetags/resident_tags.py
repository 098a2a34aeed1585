"""Template helpers of the resident and public pages."""

from __future__ import annotations

from datetime import timedelta

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def duration(delta: timedelta | None) -> str:
    """3.5 小时 under a day, 2 天 4 小时 beyond: how long handling took, in plain words."""
    if delta is None:
        return "—"
    hours = max(delta.total_seconds(), 0) / 3600
    if hours < 24:
        return _("%(hours).1f 小时") % {"hours": hours}
    days, rest = divmod(round(hours), 24)
    return _("%(days)d 天 %(hours)d 小时") % {"days": days, "hours": rest}


@register.filter
def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"
