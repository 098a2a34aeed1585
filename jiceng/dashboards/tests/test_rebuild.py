"""Rebuilt rollups equal the ones the actions kept, for cases handled once."""

import pytest

from jiceng.cases import actions
from jiceng.cases.choices import WhistleReason
from jiceng.cases.tests.fixtures import run_to
from jiceng.dashboards.kpis import summed
from jiceng.dashboards.models import COUNTERS, DailyStat
from jiceng.dashboards.rebuild import rebuild_rollups

from .test_kpis import month, window  # noqa: F401  (the hand-built month)

pytestmark = pytest.mark.django_db

REBUILT = [c for c in COUNTERS if c != "overdue"]  # overdue lives in sweep events only


def totals() -> dict:
    start, end = window()
    out = {}
    for level in ("community", "subdistrict", "district", "city", "department"):
        for unit, counts in summed(level, start, end).items():
            out[unit] = {c: counts[c] or 0 for c in REBUILT}
    return out


def test_a_rebuild_gives_back_the_counters_the_actions_kept(month):  # noqa: F811
    case = actions.report_by_grid_worker(
        acting_user=month.grid_worker,
        category=month_category(month),
        lng=117.05,
        lat=39.1,
        description="联合执法",
    )
    whistle = actions.blow_whistle(
        case,
        acting_user=month.dispatcher,
        departments=[month.department],
        reason=WhistleReason.JOINT_ENFORCEMENT,
    )
    summons = actions.report_in(whistle.summons.get(), acting_user=month.clerk)
    run_to(case, month, "closed")
    actions.rate_department(summons, acting_user=month.dispatcher, speed=4, attitude=4, result=4)
    before = totals()
    street, department = before[f"j{month.street.pk}"], before[f"d{month.department.pk}"]
    assert (street["received"], street["summoned"], street["reworks"]) == (5, 1, 1)
    assert (department["ratings"], department["rating_points"]) == (1, 12)
    result = rebuild_rollups()
    assert result["rows"] == DailyStat.objects.count() > 0
    assert totals() == before


def month_category(cast):
    from jiceng.cases.models import Category

    return Category.objects.get(code="0601")


def test_a_rebuilt_department_row_counts_what_intake_counts_there(month):  # noqa: F811
    from jiceng.cases.models import Category

    case = actions.report_by_grid_worker(
        acting_user=month.grid_worker,
        category=Category.objects.get(code="0602"),  # road damage: the 城管委's, by rule
        lng=117.05,
        lat=39.1,
        description="路面塌陷",
    )
    assert case.assigned_department_id == month.department.pk
    before = totals()[f"d{month.department.pk}"]
    assert before["dispatched"] >= 1 and before["received"] == 0  # received: places only
    rebuild_rollups()
    assert totals()[f"d{month.department.pk}"] == before
