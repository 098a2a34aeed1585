"""The grid worker's day on a 375 px phone: today's tasks, a patrol log written on the
phone's own date pickers, and the history; nothing scrolls sideways."""

import pytest

from jiceng.patrols.models import PatrolLog
from tests.browser.devices import PHONE

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser, login, live_cast):
    context = browser.new_context(**PHONE)
    yield login(context, "gridworker")
    context.close()


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 375


def test_a_grid_worker_logs_a_patrol_from_todays_tasks(page, live_server, live_cast):
    assert "今日巡查 0/2" in page.inner_text("#patrols") and fits_the_phone(page)
    page.click("text=写民情日志")
    page.wait_for_url("**/patrols/new/")
    assert fits_the_phone(page)
    page.fill("input[name=households_visited]", "6")
    page.fill("input[name=people_visited]", "9")
    page.fill("textarea[name=notes]", "走访独居老人，反映楼道灯不亮")
    page.click("form button[type=submit]")
    page.wait_for_selector("dl.facts")
    entry = PatrolLog.objects.get()
    assert entry.grid == live_cast.grid and entry.households_visited == 6
    assert "走访独居老人" in page.inner_text("main") and fits_the_phone(page)
    page.goto(f"{live_server.url}/")
    assert "今日巡查 1/2" in page.inner_text("#patrols")
    page.click("text=我的记录")
    page.wait_for_url("**/patrols/mine/")
    assert live_cast.grid.name in page.inner_text("main") and fits_the_phone(page)
