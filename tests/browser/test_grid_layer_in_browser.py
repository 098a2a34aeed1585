import pytest

pytestmark = pytest.mark.browser


def test_a_district_page_draws_its_grids_and_a_close_look_links_to_one(
    page, login, live_server, live_cast
):
    login(page, "leader")
    page.goto(f"{live_server.url}/j/{live_cast.district.code}/")
    # The coarse layer: all three grids, drawn with no tiles reachable.
    page.wait_for_selector("#map[data-grids='3']", timeout=15000)
    for _ in range(4):  # from the district's overview to a detailed zoom
        page.click(".leaflet-control-zoom-in")
        page.wait_for_timeout(400)
    page.wait_for_function("document.querySelector('#map').dataset.grids !== '3'", timeout=15000)
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.6, box["y"] + box["height"] / 2)
    link = page.locator(".leaflet-popup-content a")
    link.wait_for(timeout=5000)
    assert link.get_attribute("href") == f"/g/{live_cast.other_grid.code}/"
