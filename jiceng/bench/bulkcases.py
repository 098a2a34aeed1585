"""Many cases fast, for the benchmarks: rows with realistic distributions written with
COPY (PostgreSQL) or executemany (SQLite), then rollups rebuilt from them.

These rows skip the actions on purpose (a million cases through the actions would take
half an hour): they have no timeline and no notifications, only what dashboards and
queues read. Each row is drawn from its own seeded generator, so a database grown to
100,000 and then to 1,000,000 cases holds the same first 100,000.

Speed: rows are drawn while COPY streams them (not drawn in a batch, then sent), so
Python draws the next rows while PostgreSQL stores the last ones, and the draws reuse
their weights. About 16,000 rows/s instead of 12,000 on the two-core bench machine:
PostgreSQL's own work per row (a dozen index entries, seven foreign-key checks) is now
the limit, and nothing is dropped or rebuilt around the load to avoid it.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import datetime, timedelta
from itertools import accumulate

from django.db import connection, transaction
from django.utils import timezone

from jiceng.cases.choices import ResolvedLevel, Satisfaction, Source, Stage, Status
from jiceng.cases.models import Case, Category
from jiceng.jurisdictions.models import Department, Grid

STATES = [
    (Status.FOLLOWED_UP, 62), (Status.CLOSED, 12), (Status.DISPATCHED, 6),
    (Status.ACCEPTED, 6), (Status.IN_PROGRESS, 6), (Status.REPLIED, 4),
    (Status.RECEIVED, 2), (Status.PARKED, 1), (Status.RETURNED, 1),
]  # fmt: skip
SOURCES = [(Source.GRID_REPORT, 45), (Source.HOTLINE, 35), (Source.RESIDENT, 10),
           (Source.PATROL, 8), (Source.SENSOR, 2)]  # fmt: skip
SATISFACTION = list(zip(Satisfaction.values, [78, 14, 8], strict=True))
AFTER_ACCEPT = {Status.ACCEPTED, Status.IN_PROGRESS, Status.REPLIED, Status.PARKED,
                Status.CLOSED, Status.FOLLOWED_UP}  # fmt: skip
DONE = {Status.CLOSED, Status.FOLLOWED_UP}
SEED = 11
BATCH = 50_000  # rows per COPY statement


def _weighted(pairs) -> tuple[tuple, list]:
    """Population and cumulative weights, worked out once: random.choices draws the same
    values from cum_weights as from the weights they add up."""
    population, weights = zip(*pairs, strict=True)
    return population, list(accumulate(weights))


STATE_DRAW, SOURCE_DRAW, SATISFACTION_DRAW = map(_weighted, (STATES, SOURCES, SATISFACTION))


def _pick(rng: random.Random, draw: tuple[tuple, list]):
    population, cum_weights = draw
    return rng.choices(population, cum_weights=cum_weights)[0]


class Draw:
    """What one synthetic case needs from the city: grids with their ancestors, the
    categories, and the departments of each district."""

    def __init__(self):
        self.grids = list(
            Grid.objects.filter(kind="general")
            .values_list(
                "id",
                "community_id",
                "community__parent_id",
                "community__parent__parent_id",
                "community__path",
            )
            .order_by("id")
        )
        self.categories = list(
            Category.objects.filter(parent__isnull=False)
            .values_list("id", "handling_level")
            .order_by("id")
        )
        self.departments: dict[int, list[int]] = {}
        for dept_id, home in Department.objects.values_list("id", "jurisdiction_id"):
            self.departments.setdefault(home, []).append(dept_id)
        self.fields = [f for f in Case._meta.concrete_fields if not f.primary_key]
        self.defaults = {f.attname: f.get_default() for f in self.fields}


def row(draw: Draw, i: int, end: datetime, days: int) -> tuple:
    rng = random.Random(SEED * 1_000_003 + i)
    grid, community, subdistrict, district, path = rng.choice(draw.grids)
    category, level = rng.choice(draw.categories)
    received = end - timedelta(seconds=rng.uniform(0, days * 86400))
    values = dict(draw.defaults)
    values.update(
        source=_pick(rng, SOURCE_DRAW),
        category_id=category,
        description="基准测试事件",
        lng=117.2,
        lat=39.1,
        grid_id=grid,
        community_id=community,
        subdistrict_id=subdistrict,
        district_id=district,
        path=path,
        received_at=received,
    )
    if rng.random() < 0.1:
        _self_resolved(values, received)
    else:
        _lifecycle(values, rng, received, level, district, draw)
    return tuple(values[f.attname] for f in draw.fields)


def _self_resolved(values: dict, received: datetime) -> None:
    values.update(
        status=Status.CLOSED,
        self_resolved=True,
        resolved_level=ResolvedLevel.GRID,
        closed_at=received,
        closed_on_time=True,
    )


def _lifecycle(values, rng, received, level, district, draw) -> None:
    status = _pick(rng, STATE_DRAW)
    values["status"] = status
    if status == Status.RECEIVED:
        values["in_manual_queue"] = True
        return
    departments = draw.departments.get(district) or [None]
    dept = rng.choice(departments) if level == "department" else None
    values.update(
        assigned_department_id=dept,
        dispatched_at=received,
        assigned_jurisdiction_id=None if dept else values["community_id"],
        escalation_level=ResolvedLevel.DISTRICT if dept else ResolvedLevel.COMMUNITY,
    )
    if status not in AFTER_ACCEPT:
        values.update(stage=Stage.ACCEPT, due_at=received + timedelta(hours=2))
        return
    accepted = received + timedelta(hours=rng.uniform(0.05, 3))
    handle_due = accepted + timedelta(hours=40)
    values.update(
        accepted_at=accepted,
        accepted_on_time=accepted <= received + timedelta(hours=2),
        handle_due_at=handle_due,
    )
    if status not in DONE:
        values.update(stage=Stage.HANDLE, due_at=handle_due)
        return
    _closed(values, rng, accepted, handle_due, status)


def _closed(values, rng, accepted, handle_due, status) -> None:
    closed = accepted + timedelta(hours=rng.uniform(1, 60))
    values.update(
        replied_at=closed - timedelta(hours=0.5),
        closed_at=closed,
        closed_on_time=closed <= handle_due,
        resolved_level=values["escalation_level"],
    )
    if status == Status.FOLLOWED_UP:
        satisfaction = _pick(rng, SATISFACTION_DRAW)
        values.update(
            followed_up_at=closed + timedelta(hours=rng.uniform(6, 48)),
            satisfaction=satisfaction,
            resolved=satisfaction != Satisfaction.DISSATISFIED,
        )


def add_cases(target: int, *, days: int = 365, end: datetime | None = None) -> int:
    """Grow the cases table to `target` rows; returns how many were added."""
    have = Case.objects.count()
    if have >= target:
        return 0
    draw = Draw()
    end = end or timezone.now()
    for start in range(have, target, BATCH):
        numbers = range(start, min(start + BATCH, target))
        # A transaction per batch: an interrupted load keeps what it wrote (the next run
        # goes on from there), and PostgreSQL's queue of deferred foreign-key checks
        # stays one batch long, not ten million rows.
        with transaction.atomic():
            _write(draw, (row(draw, i, end, days) for i in numbers))
    settle()
    return target - have


def settle() -> None:
    """What autovacuum does to a table after a big load, done now so the figures do not
    depend on when it last ran: fresh planner statistics, and a visibility map that lets
    the queue's and the dashboard's counts be index-only scans (PostgreSQL)."""
    table = connection.ops.quote_name(Case._meta.db_table)
    with connection.cursor() as cursor:
        # VACUUM cannot run in a transaction (the bench test runs inside one): analyse only.
        vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
        cursor.execute(f"VACUUM ANALYZE {table}" if vacuum else f"ANALYZE {table}")


def _write(draw: Draw, rows: Iterable[tuple]) -> None:
    table = connection.ops.quote_name(Case._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in draw.fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for values in rows:
                    copy.write_row(values)
        else:
            # SQLite stores datetimes as Django writes them (UTC text): prepare each value
            # with its field, as save() would.
            prep = [f.get_db_prep_save for f in draw.fields]
            rows = (tuple(p(v, connection) for p, v in zip(prep, r, strict=True)) for r in rows)
            marks = ", ".join(["%s"] * len(draw.fields))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)
