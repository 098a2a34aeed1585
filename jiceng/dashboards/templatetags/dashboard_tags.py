"""Template helpers of the dashboard: who has one, and how a rate reads."""

from __future__ import annotations

from django import template

from ..access import may_use_dashboard

register = template.Library()


@register.filter
def has_dashboard(user) -> bool:
    return may_use_dashboard(user)


@register.filter
def percent(rate: float | None) -> str:
    """0.8333 → 83.3%; no denominator → —."""
    return "—" if rate is None else f"{rate * 100:.1f}%"
