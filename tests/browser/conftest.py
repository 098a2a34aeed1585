"""Playwright driving Debian's chromium (never a downloaded browser)."""

from __future__ import annotations

import shutil

import pytest

from conftest import PASSWORD
from jiceng.web.screenshots import CHROMIUM, CHROMIUM_ARGS  # the same browser as the README's
from tests.browser.devices import DESKTOP


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def live_cast(transactional_db):
    from conftest import build_cast

    return build_cast()


@pytest.fixture
def login(live_server):
    """`login(where, user)`: sign a cast member (a User or a username) in through the login
    form, in a browser context (on a new page) or on a page, and return the page, on the
    person's home page. Every browser test signs in this way, as a person would."""

    def log_in(where, user, password: str = PASSWORD):
        page = where.new_page() if hasattr(where, "new_page") else where
        page.goto(f"{live_server.url}/login/")
        page.fill("input[name=username]", getattr(user, "username", user))
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        return page

    return log_in
