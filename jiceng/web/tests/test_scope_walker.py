"""Walk every URL pattern and every admin list as the people of 劝业场街道 and prove
that nothing of 小白楼街道 (the neighbour's nodes, grids and people) reaches them."""

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse

pytestmark = pytest.mark.django_db

OUR_SIDE = ["grid_worker", "secretary", "dispatcher", "resident"]
SKIP = {"logout", "set_language", "login"}  # POST-only or public forms with no data


def patterns(resolver=None, prefix=""):
    """(name, route) of every named pattern outside the admin."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if getattr(entry, "app_name", None) == "admin":
                continue
            yield from patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and entry.name and entry.name not in SKIP:
            yield entry.name, prefix + str(entry.pattern), entry.pattern.converters


def foreign_markers(cast) -> list[str]:
    return [
        cast.other_street.code,
        cast.other_community.code,
        cast.other_grid.code,
        cast.other_street.name,
        cast.other_community.name,
        cast.neighbour.full_name,
        cast.other_worker.full_name,
    ]


def foreign_codes(cast) -> list[str]:
    return [cast.other_street.code, cast.other_community.code, cast.other_grid.code]


def own_codes(cast) -> list[str]:
    return [cast.street.code, cast.community.code, cast.grid.code]


def assert_clean(response, cast, where):
    body = response.content.decode()
    for marker in foreign_markers(cast):
        assert marker not in body, f"{where} shows {marker}"


@pytest.mark.parametrize("member", OUR_SIDE)
def test_no_page_shows_the_neighbouring_subdistrict(client, cast, member):
    client.force_login(getattr(cast, member))
    walked = 0
    for name, route, converters in patterns():
        unknown = set(converters) - {"code"}
        assert not unknown, f"the walker cannot fill {unknown} in {route}: teach it"
        if not converters:
            response = client.get(reverse(name))
            assert response.status_code in (200, 302), route
            assert_clean(response, cast, route)
            walked += 1
            continue
        for code in foreign_codes(cast):
            response = client.get(reverse(name, kwargs={"code": code}))
            assert response.status_code == 404, f"{route} with {code} as {member}"
            walked += 1
        for code in own_codes(cast):
            response = client.get(reverse(name, kwargs={"code": code}))
            if response.status_code == 200:
                assert_clean(response, cast, f"{route} with {code}")
    assert walked >= 10


@pytest.mark.parametrize("member", ["dispatcher"])
def test_no_admin_list_or_page_shows_the_neighbouring_subdistrict(client, cast, member):
    user = getattr(cast, member)
    client.force_login(user)
    foreign = foreign_objects(cast)
    for model in admin.site._registry:
        info = model._meta.app_label, model._meta.model_name
        response = client.get(reverse("admin:{}_{}_changelist".format(*info)))
        assert response.status_code in (200, 403), info
        assert_clean(response, cast, f"admin list {info}")
        for obj in foreign.get(model, []):
            response = client.get(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))
            assert response.status_code in (302, 403, 404), f"admin page {info} {obj}"


def test_the_admin_lists_are_really_walked(client, cast):
    client.force_login(cast.dispatcher)
    response = client.get(reverse("admin:jurisdictions_grid_changelist"))
    assert response.status_code == 200
    assert cast.grid.code in response.content.decode()


def foreign_objects(cast) -> dict:
    from jiceng.accounts.models import User
    from jiceng.jurisdictions.models import Grid, Jurisdiction, Post

    return {
        Jurisdiction: [cast.other_street, cast.other_community],
        Grid: [cast.other_grid],
        User: [cast.neighbour, cast.other_worker],
        Post: list(Post.objects.filter(jurisdiction=cast.other_community)),
    }
