"""KPI formulas on a hand-built set of cases with known answers (docs/kpis.md)."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from jiceng.cases import actions
from jiceng.cases.choices import Satisfaction, WhistleReason
from jiceng.cases.models import Case
from jiceng.cases.tests.fixtures import IN_GRID, JPEG, run_to
from jiceng.dashboards.kpis import KPI, month_bounds, monthly_table, summed
from jiceng.lib.clock import frozen

pytestmark = pytest.mark.django_db


def window():
    today = timezone.localdate()
    return today - timedelta(days=40), today + timedelta(days=400)


def kpi_of(unit_key: str, level: str) -> KPI:
    start, end = window()
    return KPI(unit_key, unit_key, summed(level, start, end, [unit_key]).get(unit_key, {}))


def garbage(cast, catalogue, **kw):
    return actions.report_by_grid_worker(
        acting_user=cast.grid_worker,
        category=catalogue["garbage"],
        lng=IN_GRID[0],
        lat=IN_GRID[1],
        description="垃圾",
        **kw,
    )


def past(case, *fields):
    """Move deadlines a minute into the past, as if the unit had been slow."""
    minute_ago = timezone.now() - timedelta(minutes=1)
    Case.objects.filter(pk=case.pk).update(**{f: minute_ago for f in fields})
    case.refresh_from_db()
    return case


@pytest.fixture
def month(cast, catalogue, rules):
    """A: on time with one rework, satisfied. B: late at both ends, dissatisfied.
    C: self-resolved. D: dispatched, not yet accepted."""
    a = garbage(cast, catalogue)
    a = run_to(a, cast, "replied")
    a = actions.verify(a, acting_user=cast.grid_worker, passed=False, note="未清理干净")
    a = actions.reply(a, acting_user=cast.secretary, result="再次清运")
    a = actions.verify(a, acting_user=cast.grid_worker, passed=True)
    a = actions.close(a, acting_user=cast.dispatcher)
    actions.follow_up(
        a, acting_user=cast.dispatcher, resolved=True, satisfaction=Satisfaction.SATISFIED
    )
    b = past(garbage(cast, catalogue), "due_at")
    b = actions.accept(b, acting_user=cast.secretary)
    b = actions.reply(b, acting_user=cast.secretary, result="已处理")
    b = actions.verify(b, acting_user=cast.grid_worker, passed=True)
    b = actions.close(past(b, "handle_due_at"), acting_user=cast.dispatcher)
    actions.follow_up(
        b, acting_user=cast.dispatcher, resolved=False, satisfaction=Satisfaction.DISSATISFIED
    )
    garbage(cast, catalogue, self_resolved=True, after_photos=[("a.jpg", JPEG)])
    garbage(cast, catalogue)
    return cast


def test_the_three_rates_of_a_subdistrict(month):
    k = kpi_of(f"j{month.street.pk}", "subdistrict")
    assert k.c("received") == 4
    assert k.response_rate == round(1 / 3, 4)  # A on time; B late; D not yet
    assert k.resolution_rate == 0.5
    assert k.satisfaction_rate == 0.5


def test_on_time_closure_counts_each_handling_round_by_its_deadline(month):
    k = kpi_of(f"j{month.street.pk}", "subdistrict")
    assert (k.c("due"), k.c("closed_on_time")) == (3, 2)  # A and C of A, B, C
    assert k.on_time_closure_rate == round(2 / 3, 4)


def test_self_resolution_rework_and_resolution_levels(month):
    k = kpi_of(f"j{month.community.pk}", "community")
    assert k.self_resolved_share == 0.25
    assert k.rework_rate == round(1 / 3, 4)  # one failed check in three checks
    assert k.resolution_levels["grid"] == round(1 / 3, 4)
    assert k.resolution_levels["community"] == round(2 / 3, 4)
    assert k.average_handling_hours is not None


def test_the_city_and_district_see_the_same_counts(month):
    district = kpi_of(f"j{month.district.pk}", "district")
    city = kpi_of(f"j{month.city.pk}", "city")
    assert district.counts == city.counts
    assert district.c("received") == 4


def test_nothing_counts_for_the_neighbouring_subdistrict(month):
    k = kpi_of(f"j{month.other_street.pk}", "subdistrict")
    assert k.c("received") == 0 and k.response_rate is None


def test_a_department_is_scored_bottom_up_by_the_subdistricts_it_served(cast, catalogue, rules):
    case = garbage(cast, catalogue)
    whistle = actions.blow_whistle(
        case,
        acting_user=cast.dispatcher,
        departments=[cast.department],
        reason=WhistleReason.JOINT_ENFORCEMENT,
    )
    summons = actions.report_in(whistle.summons.get(), acting_user=cast.clerk)
    run_to(case, cast, "closed")
    actions.rate_department(summons, acting_user=cast.dispatcher, speed=5, attitude=4, result=3)
    k = kpi_of(f"d{cast.department.pk}", "department")
    assert k.bottom_up_score == 4.0
    assert k.report_in_on_time_rate == 1.0
    street = kpi_of(f"j{cast.street.pk}", "subdistrict")
    assert street.c("summoned") == 1 and street.c("reported_on_time") == 1


def test_the_monthly_ranking_lists_every_subdistrict_best_first(month):
    table = monthly_table("subdistrict", timezone.localdate())
    assert [k.name for k in table] == ["劝业场街道", "小白楼街道"]
    assert table[0].composite > table[1].composite == 0


def test_an_extension_moves_the_round_to_its_new_deadline_day(cast, catalogue, rules):
    case = actions.accept(garbage(cast, catalogue), acting_user=cast.secretary)
    before = kpi_of(f"j{cast.street.pk}", "subdistrict").c("due")
    actions.approve_extension(case, acting_user=cast.dispatcher, hours=80)
    assert kpi_of(f"j{cast.street.pk}", "subdistrict").c("due") == before == 1


def test_a_department_counts_what_it_was_given_not_what_the_place_received(cast, catalogue, rules):
    actions.report_by_grid_worker(
        acting_user=cast.grid_worker,
        category=catalogue["road"],
        lng=IN_GRID[0],
        lat=IN_GRID[1],
        description="路面坑洼",
    )
    department = kpi_of(f"d{cast.department.pk}", "department")
    street = kpi_of(f"j{cast.street.pk}", "subdistrict")
    assert (department.c("received"), department.c("dispatched")) == (0, 1)
    assert (street.c("received"), street.c("dispatched")) == (1, 1)


def test_an_acceptance_counts_for_the_month_of_the_dispatch_it_answers(cast, catalogue, rules):
    tz = timezone.get_current_timezone()
    with frozen(datetime(2026, 10, 31, 10, 0, tzinfo=tz)):
        case = garbage(cast, catalogue)  # dispatched to the community on 31 October
    with frozen(datetime(2026, 11, 2, 9, 0, tzinfo=tz)):
        actions.accept(case, acting_user=cast.secretary)  # accepted on Monday 2 November

    def month_of(first):
        start, end = month_bounds(first)
        unit = f"j{cast.street.pk}"
        return KPI(unit, unit, summed("subdistrict", start, end, [unit]).get(unit, {}))

    october, november = (
        month_of(datetime(2026, 10, 1).date()),
        month_of(datetime(2026, 11, 1).date()),
    )
    assert (october.c("dispatched"), october.c("accepted")) == (1, 1)
    assert (november.c("dispatched"), november.c("accepted")) == (0, 0)
    assert november.response_rate is None  # nothing dispatched: no rate, never 100 %+
