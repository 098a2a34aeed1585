"""Reference resources (tree, grids, departments, catalogue) and the KPIs."""

import pytest

from jiceng.cases.tests.fixtures import run_to


def codes(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [row["code"] for row in response.json()["results"]]


def test_the_tree_filters_by_parent_level_and_code(cast, api):
    client = api(cast.dispatcher)
    assert codes(client.get("/api/v1/jurisdictions/", {"parent": cast.street.code})) == [
        cast.community.code
    ]
    assert codes(client.get("/api/v1/jurisdictions/", {"level": "subdistrict"})) == [
        cast.street.code
    ]
    assert codes(client.get("/api/v1/jurisdictions/", {"code": cast.other_street.code})) == []


def test_grids_list_without_geometry_and_detail_with_geojson(cast, api):
    client = api(cast.secretary)
    rows = client.get("/api/v1/grids/").json()["results"]
    assert {r["code"] for r in rows} == {cast.grid.code, cast.second_grid.code}
    assert all("geometry" not in r for r in rows)
    detail = client.get(f"/api/v1/grids/{cast.grid.code}/").json()
    assert detail["geometry"]["type"] == "Polygon"


def test_the_catalogue_lists_groups_and_their_items(cast, catalogue, api):
    client = api(cast.resident)
    assert codes(client.get("/api/v1/categories/", {"top": "true"})) == ["06", "0901"]
    assert codes(client.get("/api/v1/categories/", {"parent": "06"})) == ["0601", "0602"]


def test_departments_are_scoped(cast, api):
    assert len(api(cast.dispatcher).get("/api/v1/departments/").json()["results"]) == 1
    assert api(cast.resident).get("/api/v1/departments/").json()["results"] == []


def test_the_kpis_of_a_node_and_its_rankings(cast, reported, api):
    run_to(reported, cast, "closed")
    client = api(cast.district_leader)
    kpi = client.get("/api/v1/kpis/", {"node": cast.street.code}).json()
    assert kpi["node"] == cast.street.code and kpi["kpis"]["response_rate"] == 1.0
    children = client.get("/api/v1/kpis/rankings/children/").json()
    assert {row["code"] for row in children} == {cast.street.code, cast.other_street.code}
    departments = client.get("/api/v1/kpis/rankings/departments/").json()
    assert departments[0]["department"] == cast.department.pk


@pytest.mark.parametrize("member", ["neighbour", "grid_worker", "resident"])
def test_kpis_of_our_street_are_refused_to_others(cast, api, member):
    response = api(getattr(cast, member)).get("/api/v1/kpis/", {"node": cast.street.code})
    assert response.status_code == 404


def test_a_bad_month_is_a_clear_400(cast, api):
    response = api(cast.dispatcher).get("/api/v1/kpis/", {"month": "2026-13"})
    assert response.json()["error"]["fields"]["month"] == ["月份格式应为 YYYY-MM"]


@pytest.mark.parametrize("url", ["/api/v1/jurisdictions/", "/api/v1/grids/", "/api/v1/whistles/"])
def test_reference_lists_run_a_fixed_number_of_queries(
    cast, api, url, django_assert_num_queries, django_assert_max_num_queries
):
    from conftest import make_grid

    client = api(cast.dispatcher)
    client.get(url)
    with django_assert_max_num_queries(50) as before:
        client.get(url)
    for n in range(3, 8):
        make_grid(cast.community, n, (117.0, 39.0, 117.01, 39.01))
    with django_assert_num_queries(len(before.captured_queries)):
        client.get(url)
