"""每月一题: category × place (the node's children) whose count in the chosen month rose
most above the mean of the three months before, read from CategoryMonthStat rows that
intake keeps (one upsert for the community, subdistrict, district and city)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from jiceng.cases import actions
from jiceng.cases.tests.fixtures import IN_GRID, IN_OTHER_GRID
from jiceng.dashboards.kpis import add_months
from jiceng.dashboards.models import CategoryMonthStat
from jiceng.dashboards.selectors import themes

pytestmark = pytest.mark.django_db


@pytest.fixture
def chosen():
    return add_months(timezone.localdate(), -1)  # last month: a month with a whole history


@pytest.fixture
def stats(cast, catalogue, chosen):
    """Counts by month offset from the chosen month (0 = chosen, -1 = the month before…)."""
    garbage, road, gas = catalogue["garbage"], catalogue["road"], catalogue["gas"]
    rows = [
        (cast.street, garbage, {-3: 3, -2: 4, -1: 5, 0: 10}),  # mean 4, +6
        (cast.street, road, {-1: 3, 0: 4}),  # mean 1, +3
        (cast.street, gas, {-4: 50, 0: 5}),  # four months back is outside: mean 0, +5
        (cast.other_street, garbage, {-3: 10, -2: 10, -1: 10, 0: 12}),  # mean 10, +2
        (cast.other_street, road, {0: 1}),  # mean 0, +1
        (cast.other_street, gas, {-1: 9, 0: 2}),  # mean 3, −1: not a candidate
        (cast.community, garbage, {0: 100}),  # a grandchild of the district: not a place
        (cast.street, road, {1: 100}),  # the month after the chosen one: ignored
    ]
    CategoryMonthStat.objects.bulk_create(
        CategoryMonthStat(
            jurisdiction=place, category=category, month=add_months(chosen, k), received=n
        )
        for place, category, counts in rows
        for k, n in counts.items()
    )
    return cast


def test_the_candidates_are_the_biggest_rises_over_the_three_month_mean(stats, chosen):
    kids = [stats.street, stats.other_street]
    found = [
        (t.place.name, t.category_name, t.current, t.previous_mean, t.rise)
        for t in themes(stats.district, kids, chosen)
    ]
    assert found == [
        ("劝业场街道", "暴露垃圾", 10, 4.0, 6.0),
        ("劝业场街道", "燃气泄漏", 5, 0.0, 5.0),
        ("劝业场街道", "道路破损", 4, 1.0, 3.0),
        ("小白楼街道", "暴露垃圾", 12, 10.0, 2.0),
        ("小白楼街道", "道路破损", 1, 0.0, 1.0),
    ]


def test_the_dashboard_shows_them_for_the_month_picked(login, stats, chosen):
    client = login(stats.district_leader)
    url = reverse("dashboard", args=[stats.district.code])
    response = client.get(url, {"month": f"{chosen:%Y-%m}"})
    assert [(t.place, t.category_code) for t in response.context["themes"]][:2] == [
        (stats.street, "0601"),
        (stats.street, "0901"),
    ]
    assert "+6.0" in response.content.decode()
    # This month only the street's road row counts: 100 against a mean of 7/3.
    current = client.get(url).context["themes"]
    assert [(t.place, t.category_code, t.current) for t in current] == [(stats.street, "0602", 100)]


def test_a_communitys_dashboard_compares_the_community_itself(login, stats, chosen):
    response = login(stats.dispatcher).get(
        reverse("dashboard", args=[stats.community.code]), {"month": f"{chosen:%Y-%m}"}
    )
    assert [(t.place, t.current) for t in response.context["themes"]] == [(stats.community, 100)]


def test_a_bad_month_is_refused_with_a_message_naming_it(login, cast):
    client = login(cast.dispatcher)
    response = client.get(reverse("dashboard", args=[cast.street.code]), {"month": "2026-13"})
    assert response.status_code == 200  # the page still shows this month
    assert "月份“2026-13”格式不对，应为 年-月，例如 2026-11" in response.content.decode()
    future = f"{add_months(timezone.localdate(), 1):%Y-%m}"
    response = client.get(reverse("dashboard", args=[cast.street.code]), {"month": future})
    assert "月份不能晚于本月" in response.content.decode()


def rows_of(category) -> dict:
    return dict(
        CategoryMonthStat.objects.filter(category=category).values_list(
            "jurisdiction_id", "received"
        )
    )


def test_intake_adds_one_to_the_four_places_of_the_case(cast, catalogue, rules):
    garbage, road = catalogue["garbage"], catalogue["road"]

    def report(category, point):
        return actions.report_by_grid_worker(
            acting_user=cast.grid_worker,
            category=category,
            lng=point[0],
            lat=point[1],
            description="测试",
        )

    report(garbage, IN_GRID)
    month = timezone.localdate().replace(day=1)
    assert set(CategoryMonthStat.objects.values_list("month", flat=True)) == {month}
    places = [cast.community, cast.street, cast.district, cast.city]
    assert rows_of(garbage) == {p.pk: 1 for p in places}
    report(garbage, IN_GRID)
    report(road, IN_GRID)
    assert rows_of(garbage) == {p.pk: 2 for p in places}
    assert rows_of(road) == {p.pk: 1 for p in places}
    actions.report_by_grid_worker(
        acting_user=cast.other_worker,
        category=garbage,
        lng=IN_OTHER_GRID[0],
        lat=IN_OTHER_GRID[1],
        description="测试",
    )
    theirs = [cast.other_community, cast.other_street]
    assert rows_of(garbage) == {
        **{p.pk: 1 for p in theirs},
        cast.community.pk: 2,
        cast.street.pk: 2,
        cast.district.pk: 3,
        cast.city.pk: 3,
    }
