"""Incremental rollups: each case action adds to the counters of the units it concerns,
in its own transaction, with one INSERT … ON CONFLICT DO UPDATE statement (the same SQL
works on SQLite ≥ 3.24 and PostgreSQL)."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from django.utils import timezone

from jiceng.jurisdictions.models import Jurisdiction
from jiceng.lib import fastsql

from .models import COUNTERS, CategoryMonthStat, DailyStat

TABLE = DailyStat._meta.db_table
CATEGORY_TABLE = CategoryMonthStat._meta.db_table


@lru_cache(maxsize=1)
def _city_id() -> int | None:
    return Jurisdiction.objects.filter(depth=0).values_list("id", flat=True).first()


def reset_caches() -> None:
    _city_id.cache_clear()


def territorial_units(case) -> list[tuple[str, str, int | None, int | None]]:
    """(unit key, level, jurisdiction id, department id) for every node above the case's
    place, city included: a community's case counts for its subdistrict and district too."""
    units = []
    for level, node_id in (
        ("community", case.community_id),
        ("subdistrict", case.subdistrict_id),
        ("district", case.district_id),
        ("city", _city_id() if case.path else None),
    ):
        if node_id:
            units.append((f"j{node_id}", level, node_id, None))
    return units


def department_unit(department_id: int | None) -> list[tuple[str, str, int | None, int | None]]:
    return [(f"d{department_id}", "department", None, department_id)] if department_id else []


def local_day(moment: datetime | date) -> date:
    if isinstance(moment, datetime):
        return timezone.localtime(moment).date()
    return moment


def bump(
    case,
    moment,
    *,
    department_id: int | None = None,
    territorial: bool = True,
    department_counters: dict[str, int] | None = None,
    **counters: int,
) -> None:
    """Add `counters` on the day of `moment` to the case's territorial units and, when
    given, to a department (`department_counters` if they differ), in one statement."""
    rows = []
    if territorial:
        rows += [(unit, counters) for unit in territorial_units(case)]
    if department_id:
        dept = counters if department_counters is None else department_counters
        rows += [(unit, dept) for unit in department_unit(department_id)]
    rows = [(unit, {k: v for k, v in c.items() if v}) for unit, c in rows]
    rows = [(unit, c) for unit, c in rows if c]
    if rows:
        _upsert(local_day(moment), rows)


def _upsert(day: date, rows) -> None:
    names = tuple(sorted({name for _unit, counters in rows for name in counters}))
    params: list = []
    for (key, level, jurisdiction_id, department_id), counters in rows:
        params += [day, key, level, jurisdiction_id, department_id]
        params += [counters.get(n, 0) for n in names]
    fastsql.execute(_upsert_sql(names, len(rows)), params)


@lru_cache(maxsize=256)
def _upsert_sql(names: tuple[str, ...], rows: int) -> str:
    """One statement text per set of counters and number of units (built once)."""
    unknown = set(names) - set(COUNTERS)
    if unknown:
        raise ValueError(f"unknown rollup counters: {sorted(unknown)}")
    columns = ["day", "unit", "level", "jurisdiction_id", "department_id", *names]
    row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    updates = ", ".join(f"{n} = {TABLE}.{n} + excluded.{n}" for n in names)
    return (
        f"INSERT INTO {TABLE} ({', '.join(columns)}) VALUES {', '.join([row] * rows)} "
        f"ON CONFLICT (day, unit) DO UPDATE SET {updates}"
    )


def bump_category_month(case, moment) -> None:
    """Count one case received for its 小类 and local month at every node above its
    place (community, subdistrict, district, city), in one statement: 每月一题 reads
    these rows, never the cases."""
    nodes = [node_id for _key, _level, node_id, _dept in territorial_units(case)]
    if not nodes:
        return
    month = local_day(moment).replace(day=1)
    params: list = []
    for node_id in nodes:
        params += [month, node_id, case.category_id]
    fastsql.execute(_category_upsert_sql(len(nodes)), params)


@lru_cache(maxsize=4)
def _category_upsert_sql(rows: int) -> str:
    row = "(%s, %s, %s, 1)"
    return (
        f"INSERT INTO {CATEGORY_TABLE} (month, jurisdiction_id, category_id, received) "
        f"VALUES {', '.join([row] * rows)} "
        f"ON CONFLICT (jurisdiction_id, month, category_id) "
        f"DO UPDATE SET received = {CATEGORY_TABLE}.received + excluded.received"
    )
