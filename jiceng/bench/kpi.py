"""The monthly KPI table for all subdistricts (and departments), and every page of
pages.py, as the cases pile up: measured at each step, so the report shows how each
grows with the number of cases (issue 6: it should not)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, timedelta

from django.utils import timezone

from jiceng.cases.demo import ensure_policy
from jiceng.dashboards.kpis import monthly_table
from jiceng.dashboards.models import DailyStat
from jiceng.dashboards.rebuild import rebuild_rollups
from jiceng.jurisdictions.departments import ensure_default_departments
from jiceng.jurisdictions.models import Grid

from . import pages
from .bulkcases import add_cases
from .registry import Context, Figure, benchmark, timed

STEPS = {
    "10m": (100_000, 1_000_000, 10_000_000),
    "full": (100_000, 1_000_000),
    "small": (20_000, 100_000),
    "tiny": (150, 300),
}


def last_full_month() -> date:
    first = timezone.localdate().replace(day=1)
    return (first - timedelta(days=1)).replace(day=1)


@benchmark("kpi")
def kpi(ctx: Context) -> list[Figure]:
    """Grow the database to each step, rebuild the rollups once, then time the tables
    and the pages."""
    if not Grid.objects.general().exists():
        return []
    ensure_default_departments()
    ensure_policy()  # the catalogue the synthetic cases draw their categories from
    month = last_full_month()
    figures = []
    for target in STEPS.get(ctx.scale.name, (1000,)):
        figures += at_step(ctx, target, month)
    return figures


def at_step(ctx: Context, target: int, month: date) -> list[Figure]:
    load_s = seconds(lambda: add_cases(target))
    rebuild_s = seconds(rebuild_rollups)
    note = f"{target:,} cases; {DailyStat.objects.count():,} rollup rows; month {month:%Y-%m}"
    figures = []
    for level, label in (("subdistrict", "subdistricts"), ("department", "departments")):
        ms = [s * 1e3 for s in timed(lambda lv=level: monthly_table(lv, month), ctx.scale.runs)]
        series = f"Monthly KPI table, all {label}"
        figures.append(Figure(f"{series}, {target:,} cases", "ms", ms, note, series, target))
    figures.append(
        Figure(
            f"Bulk load to {target:,} cases (COPY/executemany)",
            "s",
            [load_s],
            "benchmark data, not through the actions",
        )
    )
    figures.append(
        Figure(f"Rollup rebuild at {target:,} cases", "s", [rebuild_s], "jiceng rebuild-rollups")
    )
    return figures + pages.at_step(ctx, target)


def seconds(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started
