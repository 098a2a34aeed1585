"""Walk every /api/v1/ route as the people of 劝业场街道 and as 劝业场's 12345 centre,
and prove nothing of 小白楼街道 comes back: lists leave it out, details answer 404."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from jiceng.cases import actions as case_actions
from jiceng.cases.models import Whistle
from jiceng.cases.tests.fixtures import IN_GRID, IN_OTHER_GRID, JPEG

OUR_SIDE = ["grid_worker", "secretary", "dispatcher", "clerk", "resident", "centre"]


@pytest.fixture
def world(cast, catalogue, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    def report(worker, point, text):
        return case_actions.report_by_grid_worker(
            acting_user=worker,
            category=catalogue["garbage"],
            lng=point[0],
            lat=point[1],
            description=text,
            photos_in=[("a.jpg", JPEG)],
        )

    ours = report(cast.grid_worker, IN_GRID, "花园路口垃圾")
    foreign = report(cast.other_worker, IN_OTHER_GRID, "小白楼菜市场垃圾")
    whistle = case_actions.blow_whistle(
        foreign, acting_user=cast.neighbour, departments=[cast.department], reason="emergency"
    )
    return ours, foreign, whistle


def api_routes():
    """(route, converters) of every pattern under the API's namespace."""

    def walk(resolver, prefix, inside):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                yield from walk(
                    entry, prefix + str(entry.pattern), inside or entry.namespace == "api"
                )
            elif inside and isinstance(entry, URLPattern) and entry.name:
                yield entry.name, prefix + str(entry.pattern)

    return list(walk(get_resolver(), "", False))


def fill(route: str, ours, foreign, whistle, cast) -> list[str]:
    """Concrete URLs of a route with the neighbour's values in its kwargs; the
    neighbour's photo is tried under their case number and under ours."""
    path = route.lstrip("^").rstrip("$").replace("\\.(?P<format>[a-z0-9]+)/?", "")
    if "(?P<format>" in route:
        return []
    values = {
        "(?P<photo_id>[0-9]+)": str(foreign.photos.get().pk),
        "(?P<code>[0-9]{12})": cast.other_street.code,
        "(?P<code>[0-9]{12,15})": cast.other_grid.code,
        "(?P<pk>[^/.]+)": str(whistle.pk),
    }
    for pattern, value in values.items():
        path = path.replace(pattern, value)
    numbers = [foreign.number] + ([ours.number] if "(?P<photo_id>" in route else [])
    return ["/" + path.replace("(?P<number>[0-9]+)", n) for n in numbers]


def client_for(member, cast, api, centre_client):
    return centre_client if member == "centre" else api(getattr(cast, member))


FOREIGN = ["小白楼", "泰安道", "120101002", "钱志强", "陈静"]


@pytest.mark.parametrize("member", OUR_SIDE)
def test_no_api_route_returns_anything_of_the_neighbour(cast, world, api, centre_client, member):
    ours, foreign, whistle = world
    client, walked = client_for(member, cast, api, centre_client), 0
    for name, route in api_routes():
        if "(?P<" not in route:
            if name in ("api:schema", "api:docs", "api:redoc"):
                continue
            response = client.get("/" + route.lstrip("^").rstrip("$"))
            assert response.status_code in (200, 404), (route, response.status_code)
            text = response.content.decode()
            assert foreign.number not in text and not any(m in text for m in FOREIGN), route
            walked += 1
            continue
        for url in fill(route, ours, foreign, whistle, cast):
            if name.startswith("api:category"):
                continue  # the catalogue is the same for everyone
            method = client.post if "/actions/" in url else client.get
            response = method(url)
            assert response.status_code == 404, f"{url} as {member}: {response.status_code}"
            walked += 1
    assert walked >= 30


def test_the_walk_really_reaches_our_own_rows(cast, world, api, centre_client):
    ours, _foreign, _whistle = world
    for client in (api(cast.dispatcher), centre_client):
        detail = client.get(f"/api/v1/cases/{ours.number}/")
        assert detail.status_code == 200
        listed = [r["number"] for r in client.get("/api/v1/cases/").json()["results"]]
        assert listed == [ours.number]
        photo = client.get(detail.json()["photos"][0]["url"])
        assert photo.status_code == 200 and b"".join(photo.streaming_content) == JPEG
    assert Whistle.objects.count() == 1
