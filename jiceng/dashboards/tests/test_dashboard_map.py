"""The map's data: open cases of the subtree as compact markers, most urgent first and
capped, 30-day heat per grid centre, and the node's own outline."""

from datetime import timedelta

import pytest
from django.urls import reverse

from jiceng.cases import actions
from jiceng.cases.models import Case
from jiceng.cases.tests.fixtures import IN_GRID, IN_OTHER_GRID, JPEG, run_to
from jiceng.dashboards import selectors
from jiceng.lib.clock import frozen, now

from .test_kpis import past

pytestmark = pytest.mark.django_db
SECOND_GRID = (117.15, 39.1)
PHOTO = [("a.jpg", JPEG)]


def report(worker, category, point, **kw):
    return actions.report_by_grid_worker(
        acting_user=worker, category=category, lng=point[0], lat=point[1], description="测试", **kw
    )


@pytest.fixture
def scene(cast, catalogue, rules):
    garbage = catalogue["garbage"]
    calm = report(cast.grid_worker, garbage, IN_GRID)
    red = past(report(cast.grid_worker, garbage, SECOND_GRID), "warn_at", "due_at")
    yellow = past(report(cast.grid_worker, garbage, IN_GRID), "warn_at")
    # The yellow card's deadline is nearer than the calm case's.
    Case.objects.filter(pk=calm.pk).update(due_at=now() + timedelta(hours=5))
    Case.objects.filter(pk=yellow.pk).update(due_at=now() + timedelta(hours=2))
    actions.sweep()
    closed = run_to(report(cast.grid_worker, garbage, IN_GRID), cast, "closed")
    theirs = report(cast.other_worker, garbage, IN_OTHER_GRID)
    with frozen(now() - timedelta(days=40)):
        report(cast.grid_worker, garbage, SECOND_GRID, self_resolved=True, after_photos=PHOTO)
    return cast, {"calm": calm, "red": red, "yellow": yellow, "closed": closed, "theirs": theirs}


def cases_json(client, node) -> dict:
    response = client.get(reverse("dashboard-cases", args=[node.code]))
    assert response.status_code == 200
    return response.json()


def test_markers_are_open_cases_of_the_subtree_earliest_deadline_first(login, scene):
    cast, c = scene
    data = cases_json(login(cast.dispatcher), cast.street)
    red, yellow, calm = (Case.objects.get(pk=c[k].pk) for k in ("red", "yellow", "calm"))
    assert data["markers"] == [
        [SECOND_GRID[0], SECOND_GRID[1], red.number, 2],  # past its deadline: first
        [IN_GRID[0], IN_GRID[1], yellow.number, 1],
        [IN_GRID[0], IN_GRID[1], calm.number, 0],
    ]
    assert data["truncated"] is False


def test_the_district_sees_both_streets_and_each_street_only_its_own(login, scene):
    cast, c = scene
    client = login(cast.district_leader)
    district = {m[2] for m in cases_json(client, cast.district)["markers"]}
    neighbour = {m[2] for m in cases_json(client, cast.other_street)["markers"]}
    assert c["theirs"].number in district and neighbour == {c["theirs"].number}
    assert c["closed"].number not in district


def test_markers_are_capped_and_say_so(login, scene, monkeypatch):
    cast, c = scene
    monkeypatch.setattr(selectors, "MARKER_CAP", 2)
    data = cases_json(login(cast.dispatcher), cast.street)
    assert len(data["markers"]) == 2 and data["truncated"] is True
    assert data["markers"][0][2] == Case.objects.get(pk=c["red"].pk).number


def test_the_heat_counts_cases_received_in_the_last_30_days_per_grid(login, scene):
    cast, _c = scene
    data = cases_json(login(cast.district_leader), cast.district)
    heat = {(lng, lat): n for lng, lat, n in data["heat"]}
    centre = lambda g: (round(g.center_lng, 6), round(g.center_lat, 6))  # noqa: E731
    # First grid: calm, yellow, closed; second: red (the 40-day-old case is left out).
    assert heat == {centre(cast.grid): 3, centre(cast.second_grid): 1, centre(cast.other_grid): 1}
    street = cases_json(login(cast.dispatcher), cast.street)["heat"]
    assert centre(cast.other_grid) not in {(lng, lat) for lng, lat, _n in street}


def test_the_heat_is_kept_for_minutes_and_says_when_it_was_computed(login, scene, catalogue):
    from django.core.cache import cache

    cast, _c = scene
    client = login(cast.district_leader)
    first = cases_json(client, cast.district)
    report(cast.grid_worker, catalogue["garbage"], SECOND_GRID)
    kept = cases_json(client, cast.district)
    assert kept["heat"] == first["heat"] and kept["heat_at"] == first["heat_at"]
    assert len(kept["markers"]) == len(first["markers"]) + 1  # the markers are live
    cache.clear()  # as when HEAT_SECONDS have passed
    total = lambda data: sum(n for _lng, _lat, n in data["heat"])  # noqa: E731
    assert total(cases_json(client, cast.district)) == total(first) + 1


def test_the_outline_is_the_nodes_own_boundary(login, cast):
    response = login(cast.dispatcher).get(reverse("dashboard-outline", args=[cast.street.code]))
    feature = response.json()["features"][0]
    assert feature["properties"] == {"code": cast.street.code, "layer": "outline"}
    assert feature["geometry"]["coordinates"][0][0] == [117.0, 39.0]


def test_the_page_points_its_map_at_the_endpoints(login, cast):
    page = login(cast.district_leader).get(reverse("dashboard", args=[cast.district.code]))
    html = page.content.decode()
    for url in (
        reverse("dashboard-cases", args=[cast.district.code]),
        reverse("dashboard-outline", args=[cast.district.code]),
        reverse("jurisdiction-map", args=[cast.district.code]),
        "/static/echarts/echarts.min.js",
        "/static/leaflet.markercluster/leaflet.markercluster.js",
        "/static/leaflet.heat/leaflet-heat.js",
    ):
        assert url in html
