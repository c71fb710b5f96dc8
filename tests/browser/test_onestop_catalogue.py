"""The public procedure catalogue in a real browser, anonymous, at 1280 and 360 px: search
without diacritics, open a procedure, see its papers, fees and time and the "Nộp trực tuyến"
link; axe-clean; no horizontal scroll."""

from __future__ import annotations

import pytest

from tests.browser.conftest import page_width
from tests.browser.conftest import serious_violations as _serious

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def catalogue(transactional_db):
    """live_server tests empty the database after each test, the seed included: re-seed."""
    from egov.onestop.catalogue_seed import seed_catalogue

    seed_catalogue()


def test_search_and_detail(page, live_server, catalogue):
    failures: dict[str, list[str]] = {}
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(live_server.url + "/public/procedures/")
        assert page.locator("html").get_attribute("lang") == "vi"
        assert page.locator("h1").inner_text() == "Thủ tục hành chính"
        failures[f"list@{width}"] = _serious(page)
        assert page_width(page) <= width, f"{page_width(page)}px wide at {width}px"

        page.fill("#id_q", "khai sinh")
        page.click("[data-testid=catalogue-search] button[type=submit]")
        page.wait_for_load_state()
        rows = page.locator("[data-testid=catalogue-results] tbody tr")
        assert rows.count() == 1
        assert "Đăng ký khai sinh" in rows.first.inner_text()
        failures[f"search@{width}"] = _serious(page)

        page.click("text=Đăng ký khai sinh")
        page.wait_for_load_state()
        assert page.url.endswith("/public/procedures/1.001193/")
        facts = page.locator("[data-testid=procedure-facts]").inner_text()
        assert "Trong ngày" in facts and "sau 15 giờ" in facts
        assert "Tờ khai đăng ký khai sinh" in page.locator("[data-testid=components]").inner_text()
        assert "miễn phí" in page.locator("[data-testid=fees]").inner_text()
        link = page.locator("[data-testid=apply-online]")
        assert link.inner_text() == "Nộp trực tuyến"
        assert link.get_attribute("href") == "/public/apply/1.001193/"
        failures[f"detail@{width}"] = _serious(page)
        assert page_width(page) <= width, f"{page_width(page)}px wide at {width}px"

        page.goto(live_server.url + "/public/procedures/2.001458/")  # a long legal basis
        failures[f"land@{width}"] = _serious(page)
        assert page_width(page) <= width, f"{page_width(page)}px wide at {width}px"
    assert not any(failures.values()), failures
