"""Rebuild the daily rollups from the case rows: for historical cases loaded in bulk
(a migration from another system, the benchmarks' million cases) or to repair rollups
after a manual fix in the database.

The actions keep rollups exact as they go. A rebuild can only count what the case rows
still hold: each case's latest dispatch, acceptance and handling deadline; reworks and
returns on the day of the case's reply or dispatch. For cases handled once, the rebuilt
counters equal the incremental ones (tests/test_rebuild.py checks that).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import (
    Count,
    DateField,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import TruncDate, TruncMonth

from jiceng.cases.choices import Satisfaction
from jiceng.cases.models import Case, Summons
from jiceng.jurisdictions.models import Jurisdiction

from .models import COUNTERS, CategoryMonthStat, DailyStat

TERRITORIAL = {"community": "community_id", "subdistrict": "subdistrict_id",
               "district": "district_id", "city": None}  # fmt: skip

# (date column, filter, counters) — each counter summed per local day of the column.
SPECS = [
    ("received_at", Q(), {
        "received": Count("id"),
        "self_resolved": Count("id", filter=Q(self_resolved=True)),
    }),
    ("dispatched_at", Q(dispatched_at__isnull=False), {
        "dispatched": Count("id"),
        "returns": Sum("return_count"),
        # acceptances count on the day of the dispatch they answer (a cohort)
        "accepted": Count("id", filter=Q(accepted_at__isnull=False)),
        "accepted_on_time": Count("id", filter=Q(accepted_on_time=True)),
    }),
    ("handle_due_at", Q(handle_due_at__isnull=False) & ~Q(status="parked"), {
        "due": Count("id"),
        "closed_on_time": Count("id", filter=Q(closed_on_time=True, closed_at__isnull=False)),
    }),
    ("replied_at", Q(replied_at__isnull=False), {
        "reworks": Sum("rework_count"),
        "verifications": Count("id", filter=Q(status__in=["verified", "closed", "followed_up"]))
        + Sum("rework_count"),
    }),
    ("closed_at", Q(closed_at__isnull=False), {
        "closed": Count("id"),
        "handling_seconds": Sum(ExpressionWrapper(F("closed_at") - F("received_at"),
                                                  output_field=DurationField())),
        **{f"closed_{lv}": Count("id", filter=Q(resolved_level=lv))
           for lv in ("grid", "community", "subdistrict", "district", "city")},
    }),
    ("followed_up_at", Q(followed_up_at__isnull=False), {
        "followed_up": Count("id"),
        "resolved": Count("id", filter=Q(resolved=True)),
        **{s: Count("id", filter=Q(satisfaction=s)) for s in Satisfaction.values},
    }),
]  # fmt: skip
# Self-resolved cases have no handling deadline; the actions count them due and on time.
SELF_RESOLVED_DUE = {"due": Count("id"), "closed_on_time": Count("id")}


@transaction.atomic
def rebuild_rollups() -> dict[str, int]:
    """Replace every DailyStat row with counters recomputed from the cases."""
    tz = ZoneInfo(settings.TIME_ZONE)
    totals: dict[tuple, dict[str, int]] = defaultdict(dict)
    city_id = Jurisdiction.objects.filter(depth=0).values_list("id", flat=True).first()
    for column, where, counters in SPECS:
        _add(totals, column, where, counters, tz, city_id)
    _add(totals, "received_at", Q(self_resolved=True), SELF_RESOLVED_DUE, tz, city_id)
    _add_summons(totals, tz, city_id)
    DailyStat.objects.all().delete()
    rows = [_row(key, counters) for key, counters in totals.items()]
    DailyStat.objects.bulk_create(rows, batch_size=2000)
    category_rows = rebuild_category_months(tz, city_id)
    return {"rows": len(rows), "category_rows": category_rows, "cases": Case.objects.count()}


def rebuild_category_months(tz, city_id: int | None) -> int:
    """Replace every CategoryMonthStat row: one INSERT … SELECT … GROUP BY per level, so
    the database counts a million cases without sending one of them to Python."""
    CategoryMonthStat.objects.all().delete()
    table = connection.ops.quote_name(CategoryMonthStat._meta.db_table)
    written = 0
    with connection.cursor() as cursor:
        for field in TERRITORIAL.values():
            if field is None and city_id is None:
                continue
            sql, params = _category_months(field, city_id, tz).query.sql_with_params()
            cursor.execute(
                f"INSERT INTO {table} (month, jurisdiction_id, category_id, received) "
                f"SELECT s.m, s.j, s.c, s.n FROM ({sql}) s",
                params,
            )
            written += cursor.rowcount
    return written


def _category_months(field: str | None, city_id: int | None, tz):
    """Cases per local month, node of one level and category (aliased columns, so the
    INSERT above names them whatever order Django writes them in)."""
    node = F(field) if field else Value(city_id, output_field=IntegerField())
    return (
        Case.objects.exclude(path="")
        .filter(**({f"{field}__isnull": False} if field else {}))
        .annotate(
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


def _add(totals, column, where, counters, tz, city_id, department: bool = True) -> None:
    day = TruncDate(column, tzinfo=tz)
    for level, field in TERRITORIAL.items():
        group = [field] if field else []
        qs = Case.objects.filter(where).exclude(path="").annotate(day=day)
        for row in qs.values("day", *group).annotate(**counters).order_by():
            unit_id = row[field] if field else city_id
            if unit_id:
                _merge(totals, (row["day"], f"j{unit_id}", level, unit_id, None), row, counters)
    if department:
        qs = Case.objects.filter(where, assigned_department__isnull=False).annotate(day=day)
        for row in qs.values("day", "assigned_department_id").annotate(**counters).order_by():
            dept = row["assigned_department_id"]
            _merge(totals, (row["day"], f"d{dept}", "department", None, dept), row, counters)


def _merge(totals, key, row, counters) -> None:
    bucket = totals[key]
    for name in counters:
        value = row[name] or 0
        if isinstance(value, timedelta):  # the handling time sums a duration
            value = int(value.total_seconds())
        bucket[name] = bucket.get(name, 0) + value


def _add_summons(totals, tz, city_id) -> None:
    """Whistles: summoned and report-ins for the subdistrict's units and the department;
    ratings for the department."""
    rows = Summons.objects.values_list(
        "whistle__blown_at",
        "reported_at",
        "late",
        "rated_at",
        "speed",
        "attitude",
        "result",
        "department_id",
        "case__community_id",
        "case__subdistrict_id",
        "case__district_id",
    )
    for blown, reported, late, rated, speed, attitude, result, dept, *places in rows.iterator():
        units = _summons_units(places, city_id, dept)
        _count(totals, blown, tz, units, {"summoned": 1})
        if reported is not None:
            _count(
                totals, reported, tz, units, {"reported_late" if late else "reported_on_time": 1}
            )
        if rated is not None:
            _count(
                totals,
                rated,
                tz,
                units[-1:],
                {"ratings": 1, "rating_points": speed + attitude + result},
            )


def _summons_units(places, city_id, dept) -> list[tuple]:
    community, subdistrict, district = places
    units = [
        ("community", community),
        ("subdistrict", subdistrict),
        ("district", district),
        ("city", city_id),
    ]
    out = [(f"j{u}", level, u, None) for level, u in units if u]
    return out + [(f"d{dept}", "department", None, dept)]


def _count(totals, moment, tz, units, counters) -> None:
    day = moment.astimezone(tz).date()
    for key, level, jurisdiction_id, department_id in units:
        _merge(totals, (day, key, level, jurisdiction_id, department_id), counters, counters)


def _row(key, counters) -> DailyStat:
    day, unit, level, jurisdiction_id, department_id = key
    values = {name: counters.get(name, 0) for name in COUNTERS}
    return DailyStat(
        day=day,
        unit=unit,
        level=level,
        jurisdiction_id=jurisdiction_id,
        department_id=department_id,
        **values,
    )
