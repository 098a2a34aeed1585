"""Walk every URL pattern and every admin list as the people of 劝业场街道 and prove
that nothing of 小白楼街道 (the neighbour's nodes, grids, people and cases) reaches them."""

from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from jiceng.cases import actions
from jiceng.cases.choices import CategoryKind
from jiceng.cases.models import Case, Category
from jiceng.lib.excel import XLSX, read_rows

pytestmark = pytest.mark.django_db

OUR_SIDE = ["grid_worker", "secretary", "dispatcher", "resident"]
SKIP = {"logout", "set_language", "login"}  # POST-only or public forms with no data
# The load probe: POST-only, off (404) by default, it shows nothing and reads no one's data.
SKIP |= {"load-probe-ping"}
# POST-only endpoints that change data: walked with foreign values only (each must 404).
POST_ONLY = {"case-act", "case-filter-delete"}
# Public pages answer anyone about any community (jiceng/residents): walked with both
# sides' values, they must show no person and no case text or number of the neighbour.
PUBLIC = {"public-community"}
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
FOREIGN_TEXT = "小白楼菜市场门口井盖缺失"


@pytest.fixture
def world(cast, settings, tmp_path):
    """The cast plus one case on each side, each with a photo, made by the real actions
    (no responsibility rule: both wait in their street's manual queue)."""
    settings.MEDIA_ROOT = tmp_path
    group = Category.objects.create(code="06", name="市容环境", kind=CategoryKind.EVENT)
    category = Category.objects.create(
        code="0603", name="井盖缺失", kind=CategoryKind.EVENT, parent=group
    )

    def report(worker, lng, text):
        return actions.report_by_grid_worker(
            acting_user=worker,
            category=category,
            lng=lng,
            lat=39.1,
            description=text,
            photos_in=[("a.jpg", JPEG)],
        )

    ours = report(cast.grid_worker, 117.05, "花园路口井盖缺失")
    foreign = report(cast.other_worker, 117.3, FOREIGN_TEXT)
    assert foreign.subdistrict == cast.other_street
    our_log = patrol(cast.grid_worker, cast.grid, ours, "花园路巡查")
    foreign_log = patrol(cast.other_worker, cast.other_grid, foreign, FOREIGN_TEXT)
    return SimpleNamespace(
        cast=cast, ours=ours, foreign=foreign, our_log=our_log, foreign_log=foreign_log
    )


def patrol(worker, grid, case, notes):
    """A patrol log (民情日志) linking the case, written through the real action."""
    from datetime import timedelta

    from django.utils import timezone

    from jiceng.patrols.actions import log_patrol

    now = timezone.now()
    return log_patrol(
        acting_user=worker,
        grid=grid,
        started_at=now - timedelta(hours=1),
        ended_at=now - timedelta(minutes=5),
        notes=notes,
        cases=[case],
    )


def patterns(resolver=None, prefix=""):
    """(name, route) of every named pattern outside the admin."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            # The admin has its own walk below; the API's is jiceng/api/tests/test_scope_walk.py.
            if getattr(entry, "app_name", None) in ("admin", "api"):
                continue
            yield from patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and entry.name and entry.name not in SKIP:
            yield entry.name, prefix + str(entry.pattern), entry.pattern.converters


def foreign_markers(world) -> list[str]:
    cast = world.cast
    return [
        cast.other_street.code,
        cast.other_community.code,
        cast.other_grid.code,
        cast.other_street.name,
        cast.other_community.name,
        cast.neighbour.full_name,
        cast.other_worker.full_name,
        world.foreign.number,
        FOREIGN_TEXT,
    ]


def foreign_codes(cast) -> list[str]:
    return [cast.other_street.code, cast.other_community.code, cast.other_grid.code]


def own_codes(cast) -> list[str]:
    return [cast.street.code, cast.community.code, cast.grid.code]


def kwargs_for(converters, world, route) -> tuple[list[dict], list[dict]]:
    """(foreign, own) values for a route's URL kwargs; unknown kwargs fail the walk."""
    cast, ours, foreign = world.cast, world.ours, world.foreign
    our_photo, foreign_photo = ours.photos.get().pk, foreign.photos.get().pk
    known = {
        frozenset({"code"}): (
            [{"code": c} for c in foreign_codes(cast)],
            [{"code": c} for c in own_codes(cast)],
        ),
        frozenset({"number"}): ([{"number": foreign.number}], [{"number": ours.number}]),
        frozenset({"number", "id"}): (
            # The neighbour's photo is refused under their case number and under ours.
            [
                {"number": foreign.number, "id": foreign_photo},
                {"number": ours.number, "id": foreign_photo},
            ],
            [{"number": ours.number, "id": our_photo}],
        ),
        frozenset({"number", "action"}): (
            [{"number": foreign.number, "action": a} for a in ("dispatch", "accept", "merge")],
            [],
        ),
        # Another person's saved queue filter (the neighbour's): never ours to delete.
        frozenset({"filter_id"}): ([{"filter_id": neighbours_saved_filter(world)}], []),
        # Another person's API token (the neighbour's): never ours to see or revoke.
        frozenset({"token_id"}): ([{"token_id": neighbours_token(world)}], []),
        # Open311 (jiceng/open311): a signed-in session counts for nothing there, so these
        # are the public's answers, which must not show an open case of the neighbour.
        frozenset({"format"}): ([], [{"format": "json"}, {"format": "xml"}]),
        frozenset({"service_code", "format"}): ([], [{"service_code": "0603", "format": "xml"}]),
        frozenset({"service_request_id", "format"}): (
            [{"service_request_id": foreign.number, "format": f} for f in ("json", "xml")],
            [],
        ),
        frozenset({"log_id"}): (
            [{"log_id": world.foreign_log.pk}, {"log_id": world.foreign_log.pk + 1000}],
            [{"log_id": world.our_log.pk}],
        ),
    }
    names = frozenset(converters)
    assert names in known, f"the walker cannot fill {set(names)} in {route}: teach it"
    return known[names]


def neighbours_saved_filter(world) -> int:
    from jiceng.cases.models import SavedFilter

    saved, _ = SavedFilter.objects.get_or_create(
        user=world.cast.neighbour, name="小白楼红牌", defaults={"query": "overdue=on"}
    )
    return saved.pk


def neighbours_token(world) -> int:
    from jiceng.api.actions import create_token
    from jiceng.api.models import ApiToken

    token = ApiToken.objects.filter(user=world.cast.neighbour).first()
    return (token or create_token(world.cast.neighbour, name="小白楼的脚本")[0]).pk


def body_of(response) -> str:
    # Reading a streamed response to its end closes it (the test client's wrapper);
    # closing it again would fire request_finished and close the test's connection.
    data = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type") == XLSX:  # an export: read its cells, not its zip
        return "\n".join(" ".join(str(v) for v in row if v is not None) for row in read_rows(data))
    return data.decode(errors="replace")


def assert_no_person(response, world, where):
    cast, body = world.cast, body_of(response)
    people = [cast.neighbour.full_name, cast.other_worker.full_name]
    for marker in [*people, world.foreign.number, FOREIGN_TEXT]:
        assert marker not in body, f"{where} shows {marker}"


def assert_clean(response, world, where):
    body = body_of(response)
    for marker in foreign_markers(world):
        assert marker not in body, f"{where} shows {marker}"


@pytest.mark.parametrize("member", OUR_SIDE)
def test_no_page_shows_the_neighbouring_subdistrict(client, world, member):
    client.force_login(getattr(world.cast, member))
    walked = 0
    for name, route, converters in patterns():
        if not converters:
            response = client.get(reverse(name))
            assert response.status_code in (200, 302), route
            assert_clean(response, world, route)
            walked += 1
            continue
        foreign, own = kwargs_for(converters, world, route)
        if name in PUBLIC:
            for kwargs in foreign + own:
                response = client.get(reverse(name, kwargs=kwargs))
                assert response.status_code in (200, 404), f"{route} with {kwargs}"
                assert_no_person(response, world, f"{route} with {kwargs}")
                walked += 1
            continue
        fetch = client.post if name in POST_ONLY else client.get
        for kwargs in foreign:
            response = fetch(reverse(name, kwargs=kwargs))
            assert response.status_code == 404, f"{route} with {kwargs} as {member}"
            walked += 1
        for kwargs in [] if name in POST_ONLY else own:
            response = client.get(reverse(name, kwargs=kwargs))
            if response.status_code == 200:
                assert_clean(response, world, f"{route} with {kwargs}")
    assert walked >= 10


@pytest.mark.parametrize("member", ["dispatcher", "district_leader"])
def test_the_case_pages_are_really_walked(client, world, member):
    client.force_login(getattr(world.cast, member))
    number = world.ours.number
    assert number in client.get(reverse("case-queue")).content.decode()
    assert client.get(reverse("case", args=[number])).status_code == 200
    photo = world.ours.photos.get().pk
    response = client.get(reverse("case-photo", args=[number, photo]))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content) == JPEG


@pytest.mark.parametrize("member", ["dispatcher"])
def test_no_admin_list_or_page_shows_the_neighbouring_subdistrict(client, world, member):
    user = getattr(world.cast, member)
    # Case lists are walked too (the scoped admin group may not grant them yet).
    user.user_permissions.add(Permission.objects.get(codename="view_case"))
    client.force_login(user)
    foreign = foreign_objects(world)
    for model in admin.site._registry:
        info = model._meta.app_label, model._meta.model_name
        response = client.get(reverse("admin:{}_{}_changelist".format(*info)))
        assert response.status_code in (200, 403), info
        assert_clean(response, world, f"admin list {info}")
        for obj in foreign.get(model, []):
            response = client.get(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))
            assert response.status_code in (302, 403, 404), f"admin page {info} {obj}"


def test_the_admin_lists_are_really_walked(client, world):
    cast = world.cast
    cast.dispatcher.user_permissions.add(Permission.objects.get(codename="view_case"))
    client.force_login(cast.dispatcher)
    response = client.get(reverse("admin:jurisdictions_grid_changelist"))
    assert response.status_code == 200
    assert cast.grid.code in response.content.decode()
    response = client.get(reverse("admin:cases_case_changelist"))
    assert response.status_code == 200
    assert world.ours.number in response.content.decode()
    response = client.get(reverse("admin:cases_case_change", args=[world.ours.pk]))
    assert response.status_code == 200


def foreign_objects(world) -> dict:
    from jiceng.accounts.models import User
    from jiceng.jurisdictions.models import Grid, Jurisdiction, Post
    from jiceng.patrols.models import PatrolLog

    cast = world.cast
    return {
        Jurisdiction: [cast.other_street, cast.other_community],
        Grid: [cast.other_grid],
        User: [cast.neighbour, cast.other_worker],
        Post: list(Post.objects.filter(jurisdiction=cast.other_community)),
        Case: [world.foreign],
        PatrolLog: [world.foreign_log],
    }
