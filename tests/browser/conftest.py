"""Playwright (sync API) in Debian's Chromium against pytest-django's live_server.

One browser for the whole browser suite, a fresh context (cookies, storage) per test.
Playwright's sync API keeps an event loop running in this thread while the browser is open, so
Django's async-safety check must be relaxed for the ORM calls made meanwhile (test set-up, the
flush after each test). DJANGO_ALLOW_ASYNC_UNSAFE is set only while the browser is open: it would
otherwise leak into later tests (e.g. `check --deploy` in a subprocess refuses it).

The browser fixture is package-scoped rather than session-scoped for the same reason: pytest-django
runs these (transactional) tests after the ordinary ones, all together, and the browser and its
event loop are gone before the remaining tests run.
"""

from __future__ import annotations

import os

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


@pytest.fixture(scope="package")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        # Never a skip: CI installs chromium (scripts/setup.sh --test); a missing browser fails.
        pytest.fail(f"{CHROMIUM} is not installed (apt-get install chromium)")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    pw = sync_playwright().start()
    try:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    finally:
        pw.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def context(browser):
    ctx = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh",
                              viewport={"width": 1280, "height": 900})
    ctx.set_default_timeout(15_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture
def login(live_server):
    from tests.conftest import PASSWORD

    def _login(page, username: str, password: str = PASSWORD):
        page.goto(live_server.url + "/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("form[action='/login/'] button[type=submit]")
        page.wait_for_load_state()

    return _login


SERIOUS = {"serious", "critical"}


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical accessibility violations on ``page`` (printed with the
    offending elements, so a failure says where)."""
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page)
    bad = [v for v in result.response["violations"] if v.get("impact") in SERIOUS]
    for v in bad:
        print(page.url, v["id"], v["impact"], [n["target"] for n in v["nodes"]][:5])
    return [f"{v['id']} ({v['impact']})" for v in bad]


def page_width(page) -> int:
    """The page's scroll width: wider than the viewport means a horizontal scroll."""
    return page.evaluate("document.documentElement.scrollWidth")


def switch_language(page, lang: str) -> None:
    """Switch the page to ``lang`` ("vi"/"en") with the header's language buttons."""
    if page.locator("html").get_attribute("lang") != lang:
        with page.expect_navigation():
            page.click(f"button[name=language][value={lang}]")
        page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == lang


def submit(page, selector: str) -> None:
    """Click ``selector`` and wait for the page it leads to."""
    with page.expect_navigation():
        page.click(selector)
    page.wait_for_load_state()
