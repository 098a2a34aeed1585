"""How a user stands to a case: dispatcher, handler, verifier, supervisor, summoned,
requester.

The transitions table says which of these relations may take each action.
"""

from __future__ import annotations

from django.db.models import Q

from jiceng.accounts.choices import Role
from jiceng.jurisdictions.choices import Level, PostKind

from . import transitions as t
from .models import Case


def relations(user, case: Case) -> set[str]:
    if user is None or not user.is_authenticated or not user.is_active:
        return set()
    found = leader_relations(user, case)
    _handlers(user, case, found)
    _verifiers(user, case, found)
    if _is_requester(user, case):
        found.add(t.REQUESTER)
    if (
        user.role == Role.DEPARTMENT_CLERK
        and case.summons.filter(department_id=user.department_id).exists()
    ):
        found.add(t.SUMMONED)
    return found


def steps_for(user, case: Case) -> list[t.Transition]:
    """The steps this user may take on this case now, in table order: the case page's
    buttons and the API's `actions`. The table allows a per-department step by status
    alone, so one already done is left out here."""
    found = relations(user, case)
    return [s for s in t.available(case.status, found) if _left(s.name, case, user)]


def _left(name: str, case: Case, user) -> bool:
    """A summoned department that has reported in has no report-in left (the user's own
    department, which may be summoned more than once); 下考上 ends when every summoned
    department is rated."""
    if name == "report_in":
        return case.summons.filter(department_id=user.department_id, reported_at=None).exists()
    if name == "rate_department":
        return case.summons.filter(rated_at=None).exists()
    return True


def leader_relations(user, case: Case) -> set[str]:
    """The relations that follow from the user's post alone, without a query: enough to
    know on which rows of a list the user may dispatch."""
    found: set[str] = set()
    if user.is_superuser or user.role == Role.SYSTEM_ADMIN:
        found |= {t.DISPATCHER, t.SUPERVISOR}
    _leaders(user, case, found)
    return found


def _leaders(user, case: Case, found: set[str]) -> None:
    if user.role == Role.SUBDISTRICT_DISPATCHER and user.jurisdiction_id == case.subdistrict_id:
        found |= {t.DISPATCHER, t.SUBDISTRICT}
    elif user.role == Role.DISTRICT_LEADER and user.jurisdiction_id == case.district_id:
        found |= {t.DISPATCHER, t.SUPERVISOR}
    elif user.role == Role.CITY_LEADER:
        found |= {t.DISPATCHER, t.SUPERVISOR}
    if case.subdistrict_id is None and user.role in (Role.DISTRICT_LEADER, Role.CITY_LEADER):
        found.add(t.DISPATCHER)  # a case nobody could locate waits at the top


def _handlers(user, case: Case, found: set[str]) -> None:
    if case.assigned_department_id:
        if user.role == Role.DEPARTMENT_CLERK and user.department_id == case.assigned_department_id:
            found.add(t.HANDLER)
        return
    unit = case.assigned_jurisdiction
    if unit is None or user.jurisdiction_id != unit.pk:
        return
    if unit.level == Level.COMMUNITY and user.role in (
        Role.COMMUNITY_SECRETARY,
        Role.COMMUNITY_STAFF,
    ):
        found.add(t.HANDLER)
    elif unit.level == Level.SUBDISTRICT and user.role == Role.SUBDISTRICT_DISPATCHER:
        found.add(t.HANDLER)


def _verifiers(user, case: Case, found: set[str]) -> None:
    if user.role == Role.GRID_WORKER and case.grid_id:
        if user.posts.filter(active=True, grids=case.grid_id).exists():
            found.add(t.VERIFIER)
    elif user.role in (Role.COMMUNITY_SECRETARY, Role.COMMUNITY_STAFF):
        # With no grid worker on the grid, the community's own staff verify on site.
        if user.jurisdiction_id == case.community_id and not _grid_has_worker(case):
            found.add(t.VERIFIER)


def _is_requester(user, case: Case) -> bool:
    """The resident whose request it is: the recorded requester or, when none is recorded,
    a resident who reported it themselves (a grid worker's own report has no requester)."""
    if case.requester_id is not None:
        return case.requester_id == user.pk
    return case.reporter_id == user.pk and user.role == Role.RESIDENT


def requested_by(user) -> Q:
    """The cases `_is_requester` holds for, as a filter (lists need it without a loop)."""
    own = Q(requester_id=user.pk)
    if user.role == Role.RESIDENT:
        own |= Q(requester__isnull=True, reporter_id=user.pk)
    return own


def _grid_has_worker(case: Case) -> bool:
    if not case.grid_id:
        return False
    return case.grid.posts.filter(
        active=True, kind__in=[PostKind.GRID_WORKER, PostKind.GRID_LEADER]
    ).exists()
