"""Case intake through the real action: locate + dispatch + deadlines + timeline + rollup."""

from __future__ import annotations

import random

from jiceng.cases import actions, notify
from jiceng.cases.demo import ensure_policy, ensure_staff
from jiceng.cases.models import Case, Category
from jiceng.jurisdictions.models import Grid

from .registry import Context, Figure, benchmark, rate, timed

CASES_PER_RUN = {"full": 2000, "10m": 2000, "small": 1000, "tiny": 20}


def _setup(ctx: Context):
    ensure_policy()
    staff = ensure_staff()
    grids = list(Grid.objects.general().defer("geometry_wkb").order_by("code")[:5000])
    categories = list(Category.objects.filter(parent__isnull=False).order_by("code"))
    return staff, grids, categories


@benchmark("intake")
def intake(ctx: Context) -> list[Figure]:
    """Grid reports created one by one through `report_by_grid_worker`, each its own
    transaction as in production (notifications muted: they are background jobs)."""
    if not Grid.objects.general().exists():
        return []
    staff, grids, categories = ctx.cached("intake-setup", lambda: _setup(ctx))
    rng = random.Random(7)
    n = CASES_PER_RUN.get(ctx.scale.name, 500)

    def create_many() -> None:
        with notify.muted():
            for _ in range(n):
                grid = rng.choice(grids)
                # The action is its own transaction, as for a request in production.
                actions.report_by_grid_worker(
                    acting_user=staff.community.get(grid.community_id),
                    category=rng.choice(categories),
                    lng=grid.center_lng,
                    lat=grid.center_lat,
                    description="基准测试上报",
                )

    seconds = timed(create_many, ctx.scale.runs, warmup=1)
    note = f"{n:,} grid reports per run, {Case.objects.count():,} cases in the database after"
    return [Figure("Case intake through the action", "cases/s", rate(n, seconds), note)]
