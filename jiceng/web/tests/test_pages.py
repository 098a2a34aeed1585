import json

import pytest
from django.urls import reverse

from jiceng.jurisdictions.choices import GridKind
from jiceng.jurisdictions.models import Grid

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_are_sent_to_the_login_page(client, cast):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("member", "shows"),
    [
        ("dispatcher", "劝业场街道"),
        ("district_leader", "和平区"),
        ("secretary", "花园路社区居委会"),
        ("grid_worker", "花园路社区居委会第1网格"),
        ("clerk", "和平区城市管理委员会"),
        ("resident", "花园路社区居委会"),
    ],
)
def test_every_role_lands_on_its_own_home_page(login, cast, member, shows):
    response = login(getattr(cast, member)).get(reverse("home"))
    assert response.status_code == 200
    assert shows in response.content.decode()


def test_the_ui_speaks_chinese_by_default_and_english_on_request(login, cast):
    client = login(cast.dispatcher)
    assert "辖区" in client.get(reverse("tree")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert 'lang="en"' in client.get(reverse("tree")).content.decode()


def test_a_node_page_lists_children_with_their_counts(login, cast):
    response = login(cast.district_leader).get(reverse("jurisdiction", args=[cast.district.code]))
    children = {c.code: c for c in response.context["children"]}
    assert children[cast.street.code].community_count == 1
    assert children[cast.street.code].grid_count == 2
    assert children[cast.other_street.code].grid_count == 1


def test_a_community_page_names_its_dual_role_secretary(login, cast):
    response = login(cast.dispatcher).get(reverse("jurisdiction", args=[cast.community.code]))
    assert "一肩挑" in response.content.decode()
    assert list(response.context["dual_role"]) == [cast.secretary]


def test_the_node_map_layer_holds_the_community_grids(login, cast):
    response = login(cast.dispatcher).get(reverse("jurisdiction-map", args=[cast.community.code]))
    data = json.loads(response.content)
    assert data["type"] == "FeatureCollection"
    assert sorted(f["properties"]["code"] for f in data["features"]) == [
        cast.grid.code,
        cast.second_grid.code,
    ]
    assert data["features"][0]["geometry"]["type"] == "Polygon"


def test_a_grid_page_shows_its_worker(login, cast):
    response = login(cast.secretary).get(reverse("grid", args=[cast.grid.code]))
    assert "周海燕" in response.content.decode()


def test_the_node_page_runs_a_fixed_number_of_queries(login, cast, django_assert_max_num_queries):
    client = login(cast.district_leader)
    url = reverse("jurisdiction", args=[cast.community.code])
    client.get(url)
    with django_assert_max_num_queries(14) as few:
        client.get(url)
    from conftest import make_grid

    for seq in range(3, 13):
        make_grid(cast.community, seq, (117.0, 39.0, 117.01, 39.01), kind=GridKind.SPECIAL)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["grids"]) == 12
    assert Grid.objects.count() == 13


def test_a_browser_asking_for_english_still_gets_chinese_until_the_user_chooses(login, cast):
    client = login(cast.dispatcher)
    response = client.get(reverse("tree"), headers={"accept-language": "en-US,en;q=0.9"})
    assert 'lang="zh-hans"' in response.content.decode()
