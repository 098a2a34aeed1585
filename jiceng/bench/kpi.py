"""The monthly KPI table for all subdistricts (and departments) as the cases pile up."""

from __future__ import annotations

import time
from datetime import date, timedelta

from django.utils import timezone

from jiceng.cases.demo import ensure_policy
from jiceng.dashboards.kpis import monthly_table
from jiceng.dashboards.models import DailyStat
from jiceng.dashboards.rebuild import rebuild_rollups
from jiceng.jurisdictions.departments import ensure_default_departments
from jiceng.jurisdictions.models import Grid

from .bulkcases import add_cases
from .registry import Context, Figure, benchmark, timed

STEPS = {"full": (100_000, 1_000_000), "small": (20_000, 100_000), "tiny": (300,)}


def last_full_month() -> date:
    first = timezone.localdate().replace(day=1)
    return (first - timedelta(days=1)).replace(day=1)


@benchmark("kpi")
def kpi(ctx: Context) -> list[Figure]:
    """Grow the database to each step, rebuild the rollups once, then time the tables."""
    if not Grid.objects.general().exists():
        return []
    ensure_default_departments()
    ensure_policy()  # the catalogue the synthetic cases draw their categories from
    month = last_full_month()
    figures = []
    for target in STEPS.get(ctx.scale.name, (1000,)):
        started = time.perf_counter()
        add_cases(target)
        load_s = time.perf_counter() - started
        started = time.perf_counter()
        rebuild_rollups()
        rebuild_s = time.perf_counter() - started
        rows = DailyStat.objects.count()
        note = f"{target:,} cases; {rows:,} rollup rows; month {month:%Y-%m}"
        for level, label in (("subdistrict", "subdistricts"), ("department", "departments")):
            ms = [s * 1e3 for s in timed(lambda lv=level: monthly_table(lv, month), ctx.scale.runs)]
            figures.append(
                Figure(f"Monthly KPI table, all {label}, {target:,} cases", "ms", ms, note)
            )
        figures.append(
            Figure(
                f"Bulk load to {target:,} cases (COPY/executemany)",
                "s",
                [load_s],
                "benchmark data, not through the actions",
            )
        )
        figures.append(
            Figure(
                f"Rollup rebuild at {target:,} cases", "s", [rebuild_s], "jiceng rebuild-rollups"
            )
        )
    return figures
