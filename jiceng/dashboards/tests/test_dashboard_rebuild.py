"""`jiceng rebuild-rollups` recomputes the category-month rows from the cases and gets
exactly what intake kept, local months included (Asia/Shanghai, not UTC)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from jiceng.cases import actions
from jiceng.cases.tests.fixtures import IN_GRID, IN_OTHER_GRID, JPEG
from jiceng.dashboards.models import CategoryMonthStat
from jiceng.dashboards.rebuild import rebuild_rollups
from jiceng.lib.clock import frozen

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def snapshot() -> dict:
    return {
        (month, place, category): n
        for month, place, category, n in CategoryMonthStat.objects.values_list(
            "month", "jurisdiction_id", "category_id", "received"
        )
    }


@pytest.fixture
def history(cast, catalogue, rules):
    """Cases on both sides of a month boundary that UTC would put in the other month,
    self-resolved ones, another street's, and one outside every grid (no place)."""

    def report(worker, category, point, at, **kw):
        with frozen(datetime(*at, tzinfo=SHANGHAI)):
            actions.report_by_grid_worker(
                acting_user=worker,
                category=category,
                lng=point[0],
                lat=point[1],
                description="测试",
                **kw,
            )

    garbage, road = catalogue["garbage"], catalogue["road"]
    report(cast.grid_worker, garbage, IN_GRID, (2025, 9, 30, 23, 30))
    report(cast.grid_worker, garbage, IN_GRID, (2025, 10, 1, 0, 30))  # UTC: 30 September
    report(cast.grid_worker, road, IN_GRID, (2025, 10, 2, 9, 0))
    report(
        cast.grid_worker, garbage, IN_GRID, (2025, 10, 3, 9, 0),
        self_resolved=True, after_photos=[("a.jpg", JPEG)],
    )  # fmt: skip
    report(cast.other_worker, garbage, IN_OTHER_GRID, (2025, 10, 4, 9, 0))
    report(cast.grid_worker, road, (100.0, 20.0), (2025, 10, 5, 9, 0))  # outside: no place
    return cast


def test_a_rebuild_gives_back_the_rows_intake_kept(history, catalogue):
    before = snapshot()
    city, garbage = history.city.pk, catalogue["garbage"].pk
    assert before[(datetime(2025, 9, 1).date(), city, garbage)] == 1
    assert before[(datetime(2025, 10, 1).date(), city, garbage)] == 3
    assert before[(datetime(2025, 10, 1).date(), history.other_street.pk, garbage)] == 1
    assert sum(n for (_m, place, _c), n in before.items() if place == city) == 5
    result = rebuild_rollups()
    assert result["category_rows"] == len(before) == CategoryMonthStat.objects.count()
    assert snapshot() == before


def test_the_command_rebuilds_them_too(history, capsys):
    before = snapshot()
    CategoryMonthStat.objects.all().delete()
    call_command("rebuild_rollups")
    assert snapshot() == before
    assert "类别月统计" in capsys.readouterr().out
