"""What a user may see: one scope per user, computed once per request.

Every queryset's `visible_to(user)` and every `access_*` accessor starts here, so the
rules live in this one function (STYLE.md §4).
"""

from __future__ import annotations

from dataclasses import dataclass

from .choices import Role


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    # A jurisdiction subtree (materialised path) the user sees in full, and its root.
    path: str | None = None
    node_id: int | None = None
    # A grid worker sees only these grids (and their communities).
    grid_ids: frozenset[int] | None = None
    # The community a grid worker works in: used to find the departments above it.
    community_path: str | None = None
    # A department clerk acts for this department.
    department_id: int | None = None


NOTHING = Scope()
SUBTREE_ROLES = {
    Role.CITY_LEADER,
    Role.DISTRICT_LEADER,
    Role.SUBDISTRICT_DISPATCHER,
    Role.COMMUNITY_SECRETARY,
    Role.COMMUNITY_STAFF,
    Role.EXTERNAL_SYSTEM,  # an external system's area, at whatever level it serves
}


def scope_for(user) -> Scope:
    """The user's scope, cached on the user object for the rest of the request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    cached = getattr(user, "_jiceng_scope", None)
    if cached is None:
        cached = _compute_scope(user)
        user._jiceng_scope = cached
    return cached


def _compute_scope(user) -> Scope:
    if user.is_superuser or user.role == Role.SYSTEM_ADMIN:
        return Scope(everything=True)
    if user.role in SUBTREE_ROLES and user.jurisdiction_id:
        return Scope(path=user.jurisdiction.path, node_id=user.jurisdiction_id)
    if user.role == Role.GRID_WORKER:
        return _grid_worker_scope(user)
    if user.role == Role.DEPARTMENT_CLERK and user.department_id:
        home = user.department.jurisdiction
        return Scope(path=home.path, department_id=user.department_id)
    return NOTHING


def _grid_worker_scope(user) -> Scope:
    from jiceng.jurisdictions.choices import PostKind
    from jiceng.jurisdictions.models import Grid

    grid_ids = Grid.objects.filter(
        posts__user=user,
        posts__active=True,
        posts__kind__in=[PostKind.GRID_WORKER, PostKind.GRID_LEADER],
    ).values_list("id", flat=True)
    community = user.jurisdiction
    return Scope(grid_ids=frozenset(grid_ids), community_path=community.path if community else None)
