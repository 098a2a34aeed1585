import pytest

pytestmark = pytest.mark.browser


def test_a_dispatcher_logs_in_and_sees_the_grid_polygons_on_the_map(
    page, login, live_server, live_cast
):
    login(page, "dispatcher")
    assert "劝业场街道" in page.inner_text("h1")
    page.goto(f"{live_server.url}/j/{live_cast.community.code}/")
    page.wait_for_selector("#map.loaded", timeout=15000)
    polygons = page.locator("#map path.leaflet-interactive")
    assert polygons.count() == 2  # the community's two grids, drawn with no tiles reachable
    assert page.get_attribute("#map", "data-features") == "2"


def test_a_grid_worker_on_a_phone_sees_only_their_grid(browser, login, live_server, live_cast):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    page = login(context, "gridworker")
    assert live_cast.grid.code in page.inner_text("main")
    assert live_cast.second_grid.code not in page.inner_text("main")
    page.goto(f"{live_server.url}/g/{live_cast.grid.code}/")
    page.wait_for_selector("#map.loaded path.leaflet-interactive", timeout=15000)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375  # nothing forces a phone to scroll sideways
    context.close()


def test_a_wrong_password_is_refused_with_a_message(page, live_server, live_cast):
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "dispatcher")
    page.fill("input[name=password]", "wrong")
    page.click("button[type=submit]")
    assert "用户名或密码不正确" in page.inner_text("main")
