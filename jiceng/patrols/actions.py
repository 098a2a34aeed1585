"""Every change to patrol logs goes through these functions."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from jiceng.cases.models import Case
from jiceng.jurisdictions.choices import PostKind
from jiceng.jurisdictions.models import Grid
from jiceng.lib.clock import now as clock_now

from .models import PatrolLog

log = logging.getLogger("jiceng.audit")

GRID_POSTS = [PostKind.GRID_WORKER, PostKind.GRID_LEADER]


@transaction.atomic
def log_patrol(
    *,
    acting_user,
    grid: Grid,
    started_at: datetime,
    ended_at: datetime,
    households_visited: int = 0,
    people_visited: int = 0,
    issues_found: str = "",
    notes: str = "",
    cases: Iterable[Case] = (),
) -> PatrolLog:
    """Write a grid worker's log of one patrol. Every problem is named at once, keyed by
    the argument it is about (a form shows each next to its field)."""
    now = clock_now()
    cases = list(cases)
    errors = _problems(acting_user, grid, started_at, ended_at, now)
    errors |= _count_problems(households_visited, people_visited)
    errors |= _case_problems(acting_user, cases)
    if errors:
        raise ValidationError(errors)
    entry = PatrolLog.objects.create(
        worker=acting_user,
        grid=grid,
        started_at=started_at,
        ended_at=ended_at,
        households_visited=households_visited,
        people_visited=people_visited,
        issues_found=issues_found.strip(),
        notes=notes.strip(),
        created_at=now,
    )
    entry.cases.set(cases)
    log.info("patrol logged: id=%s worker=%s grid=%s", entry.pk, acting_user.username, grid.code)
    return entry


def _problems(user, grid: Grid, started_at, ended_at, now) -> dict[str, str]:
    errors = {}
    if not _is_posted_to(user, grid):
        errors["grid"] = f"网格“{grid.name}”不是您在岗负责的网格"
    if ended_at <= started_at:
        errors["ended_at"] = "结束时间必须晚于开始时间"
    elif ended_at > now:
        errors["ended_at"] = "结束时间不能晚于现在"
    return errors


def _is_posted_to(user, grid: Grid) -> bool:
    return grid.posts.filter(user=user, active=True, kind__in=GRID_POSTS).exists()


def _count_problems(households: int, people: int) -> dict[str, str]:
    errors = {}
    if households is None or households < 0:
        errors["households_visited"] = "走访户数不能为负数"
    if people is None or people < 0:
        errors["people_visited"] = "走访人数不能为负数"
    return errors


def _case_problems(user, cases: list[Case]) -> dict[str, str]:
    """A log may link only cases its writer may see (the same answer for a case that does
    not exist and one of another grid)."""
    if not cases:
        return {}
    ids = [c.pk for c in cases]
    visible = set(Case.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
    hidden = [c.number for c in cases if c.pk not in visible]
    if not hidden:
        return {}
    return {"cases": f"事件 {'、'.join(hidden)} 不存在或您无权查看"}
