"""Who opens which dashboard: leaders and dispatchers their own subtree, nobody else's;
people whose role has no dashboard get 404 for every node (see docs/dashboard.md)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PAGES = ["dashboard", "dashboard-cases", "dashboard-outline", "dashboard-rankings"]


def test_a_district_leaders_home_is_the_dashboard_of_their_district(login, cast):
    response = login(cast.district_leader).get(reverse("home"))
    assert response.status_code == 200
    assert response.templates[0].name == "dashboards/dashboard.html"
    assert response.context["node"] == cast.district


def test_a_city_leaders_home_and_dashboard_are_the_citys(login, cast, city_leader):
    client = login(city_leader)
    assert client.get(reverse("home")).context["node"] == cast.city
    assert client.get(reverse("my-dashboard")).context["node"] == cast.city


def test_a_dispatchers_own_dashboard_is_their_street(login, cast):
    response = login(cast.dispatcher).get(reverse("my-dashboard"))
    assert response.status_code == 200 and response.context["node"] == cast.street


def test_the_drill_down_links_lead_from_the_city_to_a_community(login, cast, city_leader):
    client = login(city_leader)
    steps = [cast.city, cast.district, cast.street, cast.community]
    for parent, child in zip(steps, steps[1:], strict=False):
        page = client.get(reverse("dashboard", args=[parent.code])).content.decode()
        assert f'href="{reverse("dashboard", args=[child.code])}"' in page
    bottom = client.get(reverse("dashboard", args=[cast.community.code]))
    assert bottom.status_code == 200 and bottom.context["children"] == []


def test_breadcrumbs_link_only_the_levels_the_user_may_open(login, cast):
    response = login(cast.district_leader).get(reverse("dashboard", args=[cast.community.code]))
    assert [(a.name, opens) for a, opens in response.context["crumbs"]] == [
        ("天津市", False),
        ("和平区", True),
        ("劝业场街道", True),
    ]
    assert f'href="{reverse("dashboard", args=[cast.city.code])}"' not in response.content.decode()


@pytest.mark.parametrize("name", PAGES)
def test_a_district_leader_gets_404_for_another_districts_dashboard(login, cast, hedong, name):
    client = login(cast.district_leader)
    assert client.get(reverse(name, args=[hedong.district.code])).status_code == 404
    assert client.get(reverse(name, args=[hedong.street.code])).status_code == 404
    assert client.get(reverse(name, args=[cast.city.code])).status_code == 404


@pytest.mark.parametrize("name", PAGES)
def test_the_neighbour_streets_dispatcher_gets_404_for_our_streets_dashboard(login, cast, name):
    client = login(cast.neighbour)
    assert client.get(reverse(name, args=[cast.street.code])).status_code == 404
    assert client.get(reverse(name, args=[cast.community.code])).status_code == 404
    assert client.get(reverse(name, args=[cast.other_street.code])).status_code == 200


@pytest.mark.parametrize("member", ["grid_worker", "resident", "clerk", "secretary"])
@pytest.mark.parametrize("name", PAGES)
def test_roles_without_a_dashboard_get_404_even_for_their_own_place(login, cast, member, name):
    """404, not 403: the answer is the same for a code that does not exist, a foreign one
    and their own, so it tells them nothing (and the scope walker expects 404)."""
    client = login(getattr(cast, member))
    for node in (cast.community, cast.district, cast.other_street):
        assert client.get(reverse(name, args=[node.code])).status_code == 404
    assert client.get(reverse(name, args=["999999999999"])).status_code == 404


@pytest.mark.parametrize("member", ["grid_worker", "resident", "clerk"])
def test_my_dashboard_sends_roles_without_one_to_their_home_page(login, cast, member):
    response = login(getattr(cast, member)).get(reverse("my-dashboard"))
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_the_menu_shows_the_dashboard_only_to_those_who_have_one(login, cast):
    link = f'href="{reverse("my-dashboard")}"'
    assert link in login(cast.dispatcher).get(reverse("case-queue")).content.decode()
    assert link not in login(cast.grid_worker).get(reverse("case-queue")).content.decode()


def test_anonymous_visitors_are_sent_to_the_login_page(client, cast):
    response = client.get(reverse("dashboard", args=[cast.city.code]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
