import pytest

pytestmark = pytest.mark.browser


@pytest.fixture
def live_cases(live_cast):
    """Two open cases in 劝业场街道, through the real actions (no rule: manual queue)."""
    from jiceng.cases import actions
    from jiceng.cases.choices import CategoryKind
    from jiceng.cases.models import Category

    group = Category.objects.create(code="06", name="市容环境", kind=CategoryKind.EVENT)
    garbage = Category.objects.create(
        code="0601", name="暴露垃圾", kind=CategoryKind.EVENT, parent=group
    )
    for lng in (117.05, 117.15):
        actions.report_by_grid_worker(
            acting_user=live_cast.grid_worker,
            category=garbage,
            lng=lng,
            lat=39.1,
            description="垃圾",
        )
    return live_cast


def test_a_district_leader_lands_on_the_dashboard_with_trends_and_map(
    page, login, live_cases, settings
):
    settings.MAP_TILE_URL = ""  # no tile server at all: polygons on a blank background
    login(page, "leader")
    assert "和平区" in page.inner_text("h1")
    page.wait_for_selector(".spark.drawn svg", timeout=15000)
    assert page.locator(".spark.drawn").count() == 6  # one trend line per card
    page.wait_for_selector("#dash-map.loaded", timeout=15000)
    assert page.get_attribute("#dash-map", "data-markers") == "2"
    page.wait_for_selector("#dash-map[data-children-drawn='2']", timeout=15000)
    assert page.locator("#dash-map .case-dot, #dash-map .marker-cluster").count() >= 1
    # The district's three grids from the city-wide grid layer (gridlayer.js).
    page.wait_for_selector("#dash-map[data-grids='3']", timeout=15000)


def test_clicking_a_street_on_the_ranking_drills_down(page, login, live_server, live_cases):
    login(page, "leader")
    page.click("table[data-ranking=children] a:text('劝业场街道')")
    page.wait_for_url(f"{live_server.url}/dashboard/{live_cases.street.code}/")
    assert "劝业场街道" in page.inner_text("h1")
    assert "和平区" in page.inner_text(".crumbs")
