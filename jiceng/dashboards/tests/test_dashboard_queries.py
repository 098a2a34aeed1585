"""Fixed query counts: the dashboard at city, district and subdistrict level and the map's
JSON run the same number of queries with more cases, more children and more departments
(the page reads rollups, the tree and small capped queries; never a row per case)."""

import pytest
from django.urls import reverse

from jiceng.cases import actions
from jiceng.cases.tests.fixtures import IN_GRID, IN_OTHER_GRID, JPEG
from jiceng.jurisdictions.actions import create_jurisdiction
from jiceng.jurisdictions.choices import Kind, Level
from jiceng.jurisdictions.models import Department

pytestmark = pytest.mark.django_db

PAGE_QUERIES = 13  # session, user, scope, node, menu, crumbs, children, trend, overdue, ranks…


def grow(cast, catalogue, hedong, rounds: int = 1) -> None:
    """More cases in both streets and more children at every level."""
    for _round in range(rounds):
        for worker, point in ((cast.grid_worker, IN_GRID), (cast.other_worker, IN_OTHER_GRID)):
            for category in (catalogue["garbage"], catalogue["road"]):
                actions.report_by_grid_worker(
                    acting_user=worker, category=category, lng=point[0], lat=point[1],
                    description="测试",
                )  # fmt: skip
        actions.report_by_grid_worker(
            acting_user=cast.grid_worker, category=catalogue["garbage"], lng=IN_GRID[0],
            lat=IN_GRID[1], description="测试", self_resolved=True, after_photos=[("a.jpg", JPEG)],
        )  # fmt: skip
    first = cast.street.children.count() + 2  # codes after the ones made before
    for seq in range(first, first + 3):
        create_jurisdiction(
            code=f"120101001{seq:03d}", name=f"新社区{seq}", level=Level.COMMUNITY,
            kind=Kind.COMMUNITY, parent=cast.street,
        )  # fmt: skip
        create_jurisdiction(
            code=f"120101{seq:03d}000", name=f"新街道{seq}", level=Level.SUBDISTRICT,
            kind=Kind.STREET, parent=cast.district,
        )  # fmt: skip
        Department.objects.create(name=f"新部门{seq}", jurisdiction=cast.district)


@pytest.fixture
def world(cast, catalogue, rules, hedong, city_leader):
    grow(cast, catalogue, hedong)
    return cast


def page_queries(client, url, django_assert_num_queries, expected=None) -> int:
    client.get(url)  # warm the per-process caches (the city's id, the locate index)
    if expected is None:
        with django_assert_num_queries(PAGE_QUERIES, exact=False) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200
    return expected


@pytest.mark.parametrize(
    ("who", "where"),
    [("city_leader", "city"), ("district_leader", "district"), ("dispatcher", "street")],
)
def test_the_page_runs_the_same_queries_with_more_cases_and_children(
    login, world, catalogue, hedong, city_leader, django_assert_num_queries, who, where
):
    user = city_leader if who == "city_leader" else getattr(world, who)
    client = login(user)
    url = reverse("dashboard", args=[getattr(world, where).code])
    before = page_queries(client, url, django_assert_num_queries)
    assert before <= PAGE_QUERIES
    grow(world, catalogue, hedong, rounds=3)
    page_queries(client, url, django_assert_num_queries, expected=before)


def test_the_leaders_home_page_runs_as_few_queries(
    login, world, catalogue, hedong, django_assert_num_queries
):
    client = login(world.district_leader)
    before = page_queries(client, reverse("home"), django_assert_num_queries)
    grow(world, catalogue, hedong, rounds=2)
    page_queries(client, reverse("home"), django_assert_num_queries, expected=before)


@pytest.mark.parametrize("name", ["dashboard-cases", "dashboard-rankings"])
def test_the_map_json_and_the_export_run_the_same_queries_with_more_cases(
    login, world, catalogue, hedong, city_leader, django_assert_num_queries, name
):
    client = login(city_leader)
    url = reverse(name, args=[world.city.code])
    client.get(url)
    with django_assert_num_queries(8, exact=False) as captured:
        client.get(url)
    before = len(captured.captured_queries)
    grow(world, catalogue, hedong, rounds=3)
    with django_assert_num_queries(before):
        response = client.get(url)
    assert response.status_code == 200
