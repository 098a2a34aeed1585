"""Read-only questions the grid worker's pages ask: today's tasks and their history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import CharField, Count, F, Q, QuerySet, Value
from django.utils import timezone

from jiceng.accounts.scope import scope_for
from jiceng.cases.choices import OPEN_STATUSES, Status
from jiceng.cases.models import Case
from jiceng.jurisdictions.models import Grid
from jiceng.lib.clock import now as clock_now

from .choices import PATROLS_A_DAY
from .models import PatrolLog

# A block lists this many cases; its count says how many there are in all.
BLOCK_SIZE = 20
# Open cases with a running clock, except those waiting for the worker's own site check.
OPEN_WITH_DEADLINE = OPEN_STATUSES - {Status.REPLIED}


@dataclass
class Today:
    """The grid worker's home page: cases to verify, open cases against the clock in
    their grids, and today's patrols against 两巡."""

    to_verify: list[Case] = field(default_factory=list)
    to_verify_count: int = 0
    open_cases: list[Case] = field(default_factory=list)
    open_count: int = 0
    patrols: int = 0
    patrols_due: int = PATROLS_A_DAY
    grids: list[Grid] = field(default_factory=list)

    @property
    def patrols_done(self) -> bool:
        return self.patrols >= self.patrols_due


def today_for(user) -> Today:
    """Six queries whatever the number of cases: the grid ids, one count of each block,
    each block's rows, today's patrols, the grids' names."""
    grid_ids = scope_for(user).grid_ids or frozenset()
    mine = Case.objects.visible_to(user).filter(grid_id__in=grid_ids)
    counts = mine.aggregate(
        verify=Count("id", filter=Q(status=Status.REPLIED)),
        open=Count("id", filter=Q(status__in=OPEN_WITH_DEADLINE, due_at__isnull=False)),
    )
    to_verify = _rows(mine.filter(status=Status.REPLIED))
    open_cases = _rows(mine.filter(status__in=OPEN_WITH_DEADLINE, due_at__isnull=False))
    return Today(
        to_verify=to_verify,
        to_verify_count=counts["verify"],
        open_cases=open_cases,
        open_count=counts["open"],
        patrols=patrols_today(user),
        grids=list(Grid.objects.filter(id__in=grid_ids).defer("geometry_wkb").order_by("code")),
    )


def _rows(cases: QuerySet) -> list[Case]:
    """Deadlines first: the red and yellow cards are what the worker must see."""
    listed = cases.select_related("category", "grid").defer("grid__geometry_wkb")
    ordered = listed.order_by(F("due_at").asc(nulls_last=True), "received_at", "id")
    return list(ordered[:BLOCK_SIZE])


def local_day(now: datetime) -> tuple[datetime, datetime]:
    """The local calendar day (Asia/Shanghai) around `now`: a 7 a.m. patrol is today's
    even though it is yesterday in UTC."""
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=1)


def patrols_today(user) -> int:
    """Patrols finished today: one that runs past midnight counts for the day it ends."""
    start, end = local_day(clock_now())
    return PatrolLog.objects.filter(worker=user, ended_at__gte=start, ended_at__lt=end).count()


# --- 我的记录 -------------------------------------------------------------------------------


def history_for(user) -> QuerySet:
    """The user's patrol logs and the cases they reported, newest first, as
    (kind, id, at) rows: one sorted query a paginator can slice."""
    logs = PatrolLog.objects.filter(worker=user).annotate(
        kind=Value("log", output_field=CharField()), at=F("started_at")
    )
    cases = (
        Case.objects.visible_to(user)
        .filter(reporter=user)
        .annotate(kind=Value("case", output_field=CharField()), at=F("received_at"))
    )
    # Unordered parts: a compound statement sorts only as a whole.
    rows = logs.order_by().values_list("kind", "id", "at")
    rows = rows.union(cases.order_by().values_list("kind", "id", "at"), all=True)
    return rows.order_by("-at", "-id")


def history_page(rows: list[tuple[str, int, datetime]]) -> list[PatrolLog | Case]:
    """The objects of one page of `history_for`, in its order: two queries a page."""
    log_ids = [pk for kind, pk, _at in rows if kind == "log"]
    case_ids = [pk for kind, pk, _at in rows if kind == "case"]
    logs = PatrolLog.objects.select_related("grid").defer("grid__geometry_wkb").in_bulk(log_ids)
    cases = Case.objects.select_related("category").in_bulk(case_ids)
    found = {"log": logs, "case": cases}
    return [found[kind][pk] for kind, pk, _at in rows if pk in found[kind]]
