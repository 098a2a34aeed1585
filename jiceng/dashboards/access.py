"""Who may open a dashboard, and of which node: 404 for "missing", "not yours" and "not a
page for your role" alike, like every accessor (docs/dashboard.md says why)."""

from __future__ import annotations

from django.http import Http404

from jiceng.accounts.choices import Role
from jiceng.jurisdictions.access import access_jurisdiction
from jiceng.jurisdictions.models import Jurisdiction
from jiceng.jurisdictions.views import scope_root_for

# The command dashboard (一网统管) is the work surface of leaders and command centres:
# district and city leaders, the subdistrict dispatchers' command centre, the admins.
DASHBOARD_ROLES = {
    Role.CITY_LEADER,
    Role.DISTRICT_LEADER,
    Role.SUBDISTRICT_DISPATCHER,
    Role.SYSTEM_ADMIN,
}


def may_use_dashboard(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.role in DASHBOARD_ROLES)


def access_dashboard(user, code: str, *, with_geometry: bool = False) -> Jurisdiction:
    """The node whose dashboard the user asked for; 404 unless it is in their scope and
    their role has dashboards. The role is checked first, so a grid worker learns
    nothing about which codes exist."""
    if not may_use_dashboard(user):
        raise Http404("没有这个辖区的指挥大屏，或您无权查看")
    return access_jurisdiction(user, code, with_geometry=with_geometry)


def dashboard_root(user) -> Jurisdiction | None:
    """The user's own dashboard: the top of their scope (the city, their district or
    their subdistrict), or None for roles without one."""
    return scope_root_for(user) if may_use_dashboard(user) else None
