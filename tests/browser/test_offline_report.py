"""A grid worker's phone (375 × 812) with no network: the report waits on the phone, is
sent when the connection returns, and makes exactly one case however often the page is
opened again. GPS fills the coordinates; the report page opens offline."""

import pytest

from jiceng.cases.models import Case
from jiceng.cases.tests.fixtures import IN_GRID, JPEG
from tests.browser.devices import PHONE

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(browser, login, live_server, live_cast, catalogue, settings, tmp_path):
    """A logged-in grid worker's phone on the report page."""
    settings.MEDIA_ROOT = tmp_path
    contexts = []

    def open_phone(**options):
        context = browser.new_context(**PHONE, **options)
        contexts.append(context)
        page = login(context, "gridworker")
        page.goto(f"{live_server.url}/cases/new/")
        page.wait_for_selector("#report-map.loaded")
        return context, page

    yield open_phone
    for context in contexts:
        context.close()


def fill_report(page, text: str) -> None:
    page.fill("#category-search", "垃圾")
    page.click("#category-results button[data-code='0601']")
    page.click("#report-map")  # the map shows the worker's grid; its middle is inside it
    page.fill("textarea[name=description]", text)
    photo = {"name": "scene.jpg", "mimeType": "image/jpeg", "buffer": JPEG}
    page.set_input_files("input[name=photos]", files=[photo])


def test_a_report_written_offline_is_sent_exactly_once_when_the_phone_is_back_online(
    phone, live_cast
):
    context, page = phone()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    context.set_offline(True)
    fill_report(page, "离线上报：小区门口垃圾堆放")
    assert page.input_value("select[name=category]") == "0601"
    page.click("form#report button[type=submit]")
    page.wait_for_selector("[data-outbox]:not([hidden])")
    assert "已保存在手机上，联网后自动发送（1 条待发送）" in page.inner_text("[data-outbox]")
    assert not Case.objects.exists()

    context.set_offline(False)  # the 'online' event sends the outbox
    page.wait_for_selector("[data-outbox]", state="hidden", timeout=15000)
    case = Case.objects.get()
    assert case.description == "离线上报：小区门口垃圾堆放"
    assert case.grid == live_cast.grid and case.reporter.username == "gridworker"
    assert case.client_key is not None and case.photos.count() == 1

    page.reload()  # every page load sends what is queued: nothing is left to send
    page.wait_for_load_state("networkidle")
    page.wait_for_selector("#report-map.loaded")
    assert Case.objects.count() == 1


def test_a_report_queued_when_the_session_ended_waits_for_the_next_login(phone, login):
    context, page = phone()
    context.set_offline(True)
    fill_report(page, "会话过期后上报")
    page.click("form#report button[type=submit]")
    page.wait_for_selector("[data-outbox]:not([hidden])")
    context.clear_cookies(name="sessionid")  # the session ended while the phone was away
    context.set_offline(False)
    page.wait_for_selector(".outbox-item.login", timeout=15000)
    assert "请重新登录后发送" in page.inner_text("[data-outbox]")
    assert not Case.objects.exists()

    login(page, "gridworker")  # today's tasks send the outbox on loading
    # The sending that page load started (flush hands back the one under way).
    page.evaluate("window.jiceng.outbox.flush(false)")
    assert page.evaluate("window.jiceng.outbox.render()") == 0
    assert Case.objects.get().description == "会话过期后上报"


def test_gps_fills_the_coordinates(phone):
    position = {"longitude": IN_GRID[0], "latitude": IN_GRID[1], "accuracy": 8}
    _context, page = phone(geolocation=position, permissions=["geolocation"])
    page.click("#use-gps")
    page.wait_for_function("document.querySelector('[name=lng]').value !== ''")
    assert page.input_value("[name=lng]") == "117.050000"
    assert page.input_value("[name=lat]") == "39.100000"
    assert page.input_value("[name=crs]") == "wgs84"
    assert "已定位" in page.inner_text("#gps-status")


def test_a_report_sent_online_opens_the_new_case(phone, live_cast):
    _context, page = phone()
    fill_report(page, "在线上报：路灯不亮")
    page.click("form#report button[type=submit]")
    page.wait_for_url("**/cases/20*/")
    case = Case.objects.get()
    assert case.number in page.url and case.description == "在线上报：路灯不亮"


def test_the_report_page_opens_with_no_network_once_it_was_opened_online(phone):
    context, page = phone()
    # The service worker (registered on the login page) installs and becomes active. Its
    # clients.claim() takes only the pages that exist when it activates: a page whose
    # navigation was under way at that moment stays uncontrolled until it loads again, as
    # on a phone. So wait for an active worker, not for this page to be taken, and reload:
    # a page loaded while a worker is active is always under it.
    active = "navigator.serviceWorker.getRegistration().then(r => !!(r && r.active))"
    page.wait_for_function(active, timeout=15000)
    page.reload()
    assert page.evaluate("navigator.serviceWorker.controller !== null")
    # Each page the server draws has its own masked CSRF token: the same token after an
    # offline reload means the copy the service worker kept, not a new page.
    token = "form#report input[name=csrfmiddlewaretoken]"
    served = page.get_attribute(token, "value")
    # The worker stores its copy after handing the page over: wait until the copy it keeps
    # is this very page (an earlier copy may still be there for a moment).
    page.wait_for_function(
        "token => caches.keys().then(keys => Promise.all(keys.map(k => caches.open(k)"
        ".then(c => c.match('/cases/new/', {ignoreVary: true}))"
        ".then(r => r ? r.text() : ''))))"
        ".then(texts => texts.some(t => t.includes(token)))",
        arg=served,
        timeout=15000,
    )
    context.set_offline(True)
    assert page.evaluate("fetch('/cases/new/').then(() => 'online', () => 'offline')") == "offline"
    page.reload()
    page.wait_for_selector("form#report")
    assert page.get_attribute(token, "value") == served
    assert page.is_visible("textarea[name=description]")
