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
from pathlib import Path

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


def vi_context(browser, *, timeout: float = 15_000, **options):
    """A browser context as a user in Viet Nam has: vi-VN, Asia/Ho_Chi_Minh, 1280 × 900 (the
    caller closes it)."""
    options.setdefault("viewport", {"width": 1280, "height": 900})
    ctx = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", **options)
    ctx.set_default_timeout(timeout)
    return ctx


@pytest.fixture
def context(browser):
    ctx = vi_context(browser)
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
SHOTS = Path("/tmp/egov-shots")


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


class PageChecks:
    """The checks of every page of a walk: axe-core's serious and critical violations (kept in
    `failures`, asserted empty at the end), no horizontal scroll at 360 px nor at 1280 px, and a
    screenshot at each width in /tmp/egov-shots/<prefix>-<name>-<lang>-<width>.png. axe runs
    once at the page's width, or at each width (`axe_each_width`)."""

    def __init__(self, page, prefix: str, *, axe_each_width: bool = False):
        self.page, self.prefix, self.axe_each_width = page, prefix, axe_each_width
        self.failures: dict[str, list[str]] = {}

    def __call__(self, name: str) -> None:
        page = self.page
        lang = page.locator("html").get_attribute("lang")
        if not self.axe_each_width:
            self.failures[f"{name}-{lang}"] = serious_violations(page)
        SHOTS.mkdir(parents=True, exist_ok=True)
        for width in (360, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            if self.axe_each_width:
                self.failures[f"{name}-{lang}-{width}"] = serious_violations(page)
            scroll = page.evaluate("document.documentElement.scrollWidth")
            assert scroll <= width, f"{name}-{lang}: {scroll}px wide at {width}px"
            page.screenshot(path=str(SHOTS / f"{self.prefix}-{name}-{lang}-{width}.png"),
                            full_page=True)
