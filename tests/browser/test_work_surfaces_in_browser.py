"""The case page's whistle dialog and live report-in countdown in a real browser, and
the department desk's ticking summons row."""

import os

import pytest

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("JICENG_SCREENSHOTS")  # a folder: save what the tests saw


def shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


@pytest.fixture
def live_case(live_cast):
    from jiceng.cases import actions
    from jiceng.cases.choices import CategoryKind, Handler
    from jiceng.cases.models import Category, Responsibility

    group = Category.objects.create(code="06", name="市容环境", kind=CategoryKind.EVENT)
    garbage = Category.objects.create(
        code="0601", name="暴露垃圾", kind=CategoryKind.EVENT, parent=group
    )
    Responsibility.objects.create(
        category=garbage, jurisdiction=live_cast.district, handler=Handler.COMMUNITY
    )
    return actions.report_by_grid_worker(
        acting_user=live_cast.grid_worker,
        category=garbage,
        lng=117.05,
        lat=39.1,
        description="小区门口垃圾堆放",
    )


def test_the_whistle_dialog_opens_in_place_and_the_countdown_ticks(
    page, login, live_server, live_case
):
    login(page, "dispatcher")
    url = f"{live_server.url}/cases/{live_case.number}/"
    page.goto(url)
    page.click("a[data-dialog=whistle-dialog]")
    assert page.url == url  # opened by the script, not by following the link
    dialog = page.locator("#whistle-dialog")
    assert dialog.is_visible()
    shot(page, "whistle-dialog")
    dialog.get_by_label("和平区城市管理委员会").check()
    dialog.locator("button[type=submit]").click()
    page.wait_for_url(url)
    countdown = page.locator(".countdown time").first
    first = countdown.inner_text()
    assert first in ("30:00", "29:59", "29:58")
    page.wait_for_function(
        "t => document.querySelector('.countdown time').textContent !== t", arg=first
    )
    shot(page, "case-page-countdown")


def test_the_desk_lists_the_summons_with_a_ticking_countdown(page, login, live_server, live_case):
    from jiceng.cases import actions

    cast_dispatcher = live_case.reporter.__class__.objects.get(username="dispatcher")
    department = cast_dispatcher.__class__.objects.get(username="clerk").department
    actions.blow_whistle(
        live_case, acting_user=cast_dispatcher, departments=[department], reason="emergency"
    )
    login(page, "clerk")
    assert "待报到" in page.inner_text("#summons")
    first = page.locator("#summons .countdown time").inner_text()
    page.wait_for_function(
        "t => document.querySelector('#summons .countdown time').textContent !== t", arg=first
    )
    shot(page, "department-desk")
    page.click("#summons button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert "没有待报到的召集" in page.inner_text("#summons")
