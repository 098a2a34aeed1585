"""Rebuild the daily rollups from the case rows: for historical cases loaded in bulk
(a migration from another system, the benchmarks' million cases) or to repair rollups
after a manual fix in the database.

The actions keep rollups exact as they go. A rebuild can only count what the case rows
still hold: each case's latest dispatch, acceptance and handling deadline; reworks and
returns on the day of the case's reply or dispatch. For cases handled once, the rebuilt
counters equal the incremental ones (tests/test_rebuild.py checks that).

The database does all the work; no case row travels to Python. One INSERT … SELECT per
spec below writes a cell per matching row into a temporary table: its local day, places
(community, subdistrict, district), department and what it adds to the spec's counters.
Then one INSERT … SELECT … GROUP BY per level sums the cells into DailyStat rows, so the
cases are read once per spec, not once per spec and level. Local days are computed in
SQL by Django's TruncDate: `AT TIME ZONE` on PostgreSQL, Django's zone-aware function on
SQLite (slower per row, right in any zone; an embedded install is small).

Each counter is counted on the local day of one column, so the days in a range are
rebuilt exactly by deleting their rows and recounting the rows whose column falls in
them (`rebuild_rollups(start=…, end=…)`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import (
    BooleanField,
    Count,
    DateField,
    DurationField,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Q,
    Value,
)
from django.db.models.functions import Cast, TruncDate, TruncMonth

from jiceng.cases.choices import Satisfaction
from jiceng.cases.models import Case, Summons
from jiceng.jurisdictions.models import Jurisdiction

from .models import COUNTERS, CategoryMonthStat, DailyStat

TERRITORIAL = {"community": "community_id", "subdistrict": "subdistrict_id",
               "district": "district_id", "city": None}  # fmt: skip
CELLS = "jiceng_rebuild_cells"  # the temporary table, private to this connection
PLACES = ("community", "subdistrict", "district")
LEVELS = {
    # level: (unit prefix, cells column naming the unit, which cells count)
    "community": ("j", "community", "placed AND community IS NOT NULL"),
    "subdistrict": ("j", "subdistrict", "placed AND subdistrict IS NOT NULL"),
    "district": ("j", "district", "placed AND district IS NOT NULL"),
    "city": ("j", None, "placed"),
    "department": ("d", "department", "department IS NOT NULL"),
}
DURATION = "handling_seconds"  # cells hold microseconds; each DailyStat row whole seconds
# Hash aggregation of a million groups; PostgreSQL's default (4 MB) would spill to disk.
REBUILD_WORK_MEM = "256MB"


class Microseconds(Func):
    """A duration as an exact count of microseconds (an interval on PostgreSQL, already
    microseconds in Django's SQLite): the levels sum them and truncate to seconds."""

    output_field = models.BigIntegerField()

    def as_postgresql(self, compiler, connection, **extra):
        template = "(EXTRACT(EPOCH FROM %(expressions)s) * 1000000)::bigint"
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="%(expressions)s", **extra)


@dataclass(frozen=True)
class Rows:
    """Where a spec's rows come from: the model, its columns for the three places and the
    department, and which rows count for places at all (None: every row)."""

    model: type[models.Model]
    places: tuple[str, str, str]
    department: str
    placed: Q | None


CASES = Rows(Case, ("community_id", "subdistrict_id", "district_id"), "assigned_department_id",
             ~Q(path=""))  # fmt: skip
# A whistle counts for its case's places and the summoned department; the city's rows
# count it even when the case has no place, as they always did.
SUMMONS = Rows(
    Summons,
    ("case__community_id", "case__subdistrict_id", "case__district_id"),
    "department_id",
    None,
)


@dataclass(frozen=True)
class Spec:
    """What each row matching `where` adds to which counters, on the local day of one
    column."""

    rows: Rows
    column: str
    where: Q
    counters: dict[str, models.Expression]
    places: bool = True  # False: for the department only
    departments: bool = True  # False: for the places only (as intake counts `received`)


ONE = Value(1, output_field=IntegerField())
NO_DEPARTMENT = Cast(Value(None), models.BigIntegerField())  # a typed NULL for PostgreSQL


def when(condition: Q) -> models.Expression:
    """1 for a row that meets the condition, else 0."""
    return models.Case(
        models.When(condition, then=ONE), default=Value(0), output_field=IntegerField()
    )


SPECS = [
    Spec(CASES, "received_at", Q(), {
        "received": ONE,
        "self_resolved": when(Q(self_resolved=True)),
        # Self-resolved cases have no handling deadline; the actions count them due and
        # on time on their day.
        "due": when(Q(self_resolved=True)),
        "closed_on_time": when(Q(self_resolved=True)),
    }, departments=False),
    Spec(CASES, "dispatched_at", Q(dispatched_at__isnull=False), {
        "dispatched": ONE,
        "returns": F("return_count"),
        # acceptances count on the day of the dispatch they answer (a cohort)
        "accepted": when(Q(accepted_at__isnull=False)),
        "accepted_on_time": when(Q(accepted_on_time=True)),
    }),
    Spec(CASES, "handle_due_at", Q(handle_due_at__isnull=False) & ~Q(status="parked"), {
        "due": ONE,
        "closed_on_time": when(Q(closed_on_time=True, closed_at__isnull=False)),
    }),
    Spec(CASES, "replied_at", Q(replied_at__isnull=False), {
        "reworks": F("rework_count"),
        "verifications": when(Q(status__in=["verified", "closed", "followed_up"]))
        + F("rework_count"),
    }),
    Spec(CASES, "closed_at", Q(closed_at__isnull=False), {
        "closed": ONE,
        "handling_seconds": Microseconds(ExpressionWrapper(
            F("closed_at") - F("received_at"), output_field=DurationField())),
        **{f"closed_{lv}": when(Q(resolved_level=lv))
           for lv in ("grid", "community", "subdistrict", "district", "city")},
    }),
    Spec(CASES, "followed_up_at", Q(followed_up_at__isnull=False), {
        "followed_up": ONE,
        "resolved": when(Q(resolved=True)),
        **{s: when(Q(satisfaction=s)) for s in Satisfaction.values},
    }),
    Spec(SUMMONS, "whistle__blown_at", Q(), {"summoned": ONE}),
    Spec(SUMMONS, "reported_at", Q(reported_at__isnull=False), {
        "reported_on_time": when(Q(late=False) | Q(late__isnull=True)),
        "reported_late": when(Q(late=True)),
    }),
    Spec(SUMMONS, "rated_at", Q(rated_at__isnull=False), {
        "ratings": ONE,
        "rating_points": F("speed") + F("attitude") + F("result"),
    }, places=False),
]  # fmt: skip
WIDTH = max(len([name for name in spec.counters if name != DURATION]) for spec in SPECS)


@transaction.atomic
def rebuild_rollups(*, start: date | None = None, end: date | None = None) -> dict[str, int]:
    """Replace the DailyStat rows of the local days [start, end) (every day when a bound
    is None) and the CategoryMonthStat rows of every month the range touches, with
    counters recomputed from the cases."""
    tz = ZoneInfo(settings.TIME_ZONE)
    city_id = Jurisdiction.objects.filter(depth=0).values_list("id", flat=True).first()
    _clear(_within(DailyStat.objects.all(), "day", start, end), everything=not (start or end))
    span = (_midnight(start, tz), _midnight(end, tz))
    with connection.cursor() as cursor, _work_mem(cursor):
        _create_cells(cursor)
        for number, spec in enumerate(SPECS):
            _fill_cells(cursor, number, spec, tz, span)
        rows = sum(_insert_level(cursor, level, city_id) for level in LEVELS)
        cursor.execute(f"DROP TABLE {CELLS}")
    category_rows = rebuild_category_months(tz, city_id, start=start, end=end)
    return {"rows": rows, "category_rows": category_rows, "cases": Case.objects.count()}


def _within(rows, field: str, start: date | None, end: date | None):
    """The rows whose `field` is in [start, end); a bound that is None is open."""
    if start:
        rows = rows.filter(**{f"{field}__gte": start})
    if end:
        rows = rows.filter(**{f"{field}__lt": end})
    return rows


def _clear(rows: models.QuerySet, *, everything: bool) -> None:
    """Delete the rows about to be rebuilt. A full rebuild in its own transaction (the
    command, the benchmarks) on PostgreSQL TRUNCATEs: inserting a million rows over their
    deleted twins takes twice as long, every unique check visiting the dead row. That
    locks dashboards out until commit, fair for maintenance after a bulk load. Inside a
    caller's transaction TRUNCATE may be refused (rows it wrote have foreign-key checks
    pending), and a range leaves dashboards reading meanwhile: DELETE."""
    own_transaction = len(connection.atomic_blocks) == 1
    if everything and own_transaction and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {connection.ops.quote_name(rows.model._meta.db_table)}")
    else:
        rows.delete()


def _midnight(day: date | None, tz: ZoneInfo) -> datetime | None:
    return datetime.combine(day, time.min, tzinfo=tz) if day else None


@contextmanager
def _work_mem(cursor) -> Iterator[None]:
    """Raise PostgreSQL's work_mem for the rebuild only, then put it back: set_config with
    is_local lasts to the end of the transaction, which may be the caller's (an import)."""
    if connection.vendor != "postgresql":
        yield
        return
    cursor.execute("SELECT current_setting('work_mem')")
    before = cursor.fetchone()[0]
    cursor.execute("SELECT set_config('work_mem', %s, true)", [REBUILD_WORK_MEM])
    yield  # on an error the rollback (of the transaction or savepoint) undoes the setting
    cursor.execute("SELECT set_config('work_mem', %s, true)", [before])


def _create_cells(cursor) -> None:
    """The cells table, as narrow as the widest spec: each row holds one spec's counters
    in c0, c1, … (integers, which PostgreSQL sums without numeric arithmetic) and the
    handling time in microseconds, named by the spec's number."""
    slots = ", ".join(f"c{i} INTEGER NOT NULL DEFAULT 0" for i in range(WIDTH))
    cursor.execute(f"DROP TABLE IF EXISTS {CELLS}")
    cursor.execute(
        f"CREATE TEMPORARY TABLE {CELLS} (day DATE NOT NULL, community BIGINT, "
        f"subdistrict BIGINT, district BIGINT, placed BOOLEAN NOT NULL, department BIGINT, "
        f"spec SMALLINT NOT NULL, micros BIGINT NOT NULL DEFAULT 0, {slots})"
    )


def _slots(spec: Spec) -> dict[str, str]:
    """The cells column of each of the spec's counters."""
    names = [name for name in spec.counters if name != DURATION]
    return {name: ("micros" if name == DURATION else f"c{names.index(name)}")
            for name in spec.counters}  # fmt: skip


def _fill_cells(cursor, number: int, spec: Spec, tz, span) -> None:
    """One INSERT … SELECT: a cell per row whose column falls in the span, with its local
    day, places, department and what it adds to the spec's counters. Not grouped here:
    at this grain nearly every row is its own group, and the levels group anyway."""
    qs = spec.rows.model.objects.filter(spec.where)
    after, before = span
    if after:
        qs = qs.filter(**{f"{spec.column}__gte": after})
    if before:
        qs = qs.filter(**{f"{spec.column}__lt": before})
    keys = {
        "day": TruncDate(spec.column, tzinfo=tz),
        **{f"in_{p}": F(c) for p, c in zip(PLACES, spec.rows.places, strict=True)},
        "in_placed": _placed(spec),
        "in_department": F(spec.rows.department) if spec.departments else NO_DEPARTMENT,
    }
    adds = {f"add_{name}": value for name, value in spec.counters.items()}  # no field names
    sql, params = qs.values(**keys, **adds).order_by().query.sql_with_params()
    slots = _slots(spec)
    cursor.execute(
        f"INSERT INTO {CELLS} (day, {', '.join(PLACES)}, placed, department, spec, "
        f"{', '.join(slots.values())}) SELECT s.day, {', '.join(f's.in_{p}' for p in PLACES)}, "
        f"s.in_placed, s.in_department, {number}, {', '.join(f's.add_{n}' for n in slots)} "
        f"FROM ({sql}) s",
        params,
    )


def _placed(spec: Spec):
    """Whether the spec's rows count for their places: a boolean per row, or a constant."""
    if not spec.places or spec.rows.placed is None:
        return Value(spec.places, output_field=BooleanField())
    return ExpressionWrapper(spec.rows.placed, output_field=BooleanField())


def _insert_level(cursor, level: str, city_id: int | None) -> int:
    """Sum the cells of one level into DailyStat rows; returns the rows written."""
    prefix, column, where = LEVELS[level]
    if column is None and city_id is None:
        return 0
    node = column or str(int(city_id))
    place = f"NULL, {node}" if level == "department" else f"{node}, NULL"
    sums = ", ".join(_sum(counter) for counter in COUNTERS)
    cursor.execute(
        f"INSERT INTO {DailyStat._meta.db_table} (day, unit, level, jurisdiction_id, "
        f"department_id, {', '.join(COUNTERS)}) "
        f"SELECT day, '{prefix}' || CAST({node} AS TEXT), '{level}', {place}, {sums} "
        f"FROM {CELLS} WHERE {where} GROUP BY day{f', {column}' if column else ''}"
    )
    return cursor.rowcount


def _sum(counter: str) -> str:
    """A counter's total over a group of cells: its column summed over the cells of each
    spec that counts it (two specs count `due`)."""
    terms = [
        f"COALESCE(SUM({slot}) FILTER (WHERE spec = {number}), 0)"
        for number, spec in enumerate(SPECS)
        if (slot := _slots(spec).get(counter))
    ]
    total = " + ".join(terms) or "0"
    return _whole_seconds(total) if counter == DURATION else total


def _whole_seconds(microseconds: str) -> str:
    """Truncated toward zero, as int(timedelta.total_seconds()) does (SQLite divides
    integers so; PostgreSQL's SUM of bigints is numeric)."""
    if connection.vendor == "postgresql":
        return f"TRUNC({microseconds} / 1000000)"
    return f"({microseconds} / 1000000)"


def rebuild_category_months(
    tz, city_id: int | None, *, start: date | None = None, end: date | None = None
) -> int:
    """Replace the CategoryMonthStat rows of the months [start, end) touches (all when
    a bound is None): one INSERT … SELECT … GROUP BY per level, so the database counts a
    million cases without sending one of them to Python."""
    first = start.replace(day=1) if start else None
    after_last = _next_month(end - timedelta(days=1)) if end else None
    months = _within(CategoryMonthStat.objects.all(), "month", first, after_last)
    _clear(months, everything=not (start or end))
    span = (_midnight(first, tz), _midnight(after_last, tz))
    table = connection.ops.quote_name(CategoryMonthStat._meta.db_table)
    written = 0
    with connection.cursor() as cursor:
        for field in TERRITORIAL.values():
            if field is None and city_id is None:
                continue
            sql, params = _category_months(field, city_id, tz, span).query.sql_with_params()
            cursor.execute(
                f"INSERT INTO {table} (month, jurisdiction_id, category_id, received) "
                f"SELECT s.m, s.j, s.c, s.n FROM ({sql}) s",
                params,
            )
            written += cursor.rowcount
    return written


def _next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def _category_months(field: str | None, city_id: int | None, tz, span):
    """Cases per local month, node of one level and category (aliased columns, so the
    INSERT above names them whatever order Django writes them in)."""
    node = F(field) if field else Value(city_id, output_field=IntegerField())
    qs = Case.objects.exclude(path="").filter(**({f"{field}__isnull": False} if field else {}))
    after, before = span
    if after:
        qs = qs.filter(received_at__gte=after)
    if before:
        qs = qs.filter(received_at__lt=before)
    return (
        qs.annotate(
            m=TruncMonth("received_at", tzinfo=tz, output_field=DateField()),
            j=node,
            c=F("category_id"),
        )
        .values("m", "j", "c")
        .annotate(n=Count("id"))
        # Written in the order 每月一题 reads them (a node's months and categories
        # together), so that read touches a few pages instead of one per row.
        .order_by("j", "m", "c")
    )
