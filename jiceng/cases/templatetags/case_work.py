"""Template helpers of the work surfaces: report-in countdowns, and the case blocks of
the community home page (drawn by jiceng.web, which knows nothing about cases)."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import timezone

from ..selectors import CommunityWork, community_work

register = template.Library()


def clock_text(seconds: int) -> str:
    """12:05 under an hour, 1:12:05 above (the same as cases/case.js)."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


@register.simple_tag
def countdown(deadline: datetime, now: datetime) -> dict:
    """The time left to a deadline as the page first shows it (case.js then ticks it
    from the same two instants); past the deadline, the time since, marked late."""
    seconds = int((deadline - now).total_seconds())
    return {
        "text": clock_text(abs(seconds)),
        "late": seconds < 0,
        "deadline": timezone.localtime(deadline).isoformat(timespec="seconds"),
        "now": timezone.localtime(now).isoformat(timespec="seconds"),
    }


@register.simple_tag(takes_context=True)
def community_cases(context) -> CommunityWork:
    return community_work(context["user"])
