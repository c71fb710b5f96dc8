"""The search page in a real browser (Debian's Chromium): search without diacritics, filters,
save the search and run it again; axe (no serious or critical violation) at 1280 and 360 px and
no horizontal scroll at 360 px."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import serious_violations as _serious
from tests.documents import test_search

make_doc = test_search.make_doc

SHOTS = Path("/tmp/egov-shots")


@pytest.fixture
def people(transactional_db, org, make_user):
    """test_search's people."""
    return test_search.make_people(org, make_user)




def _check(pg, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 360):
        pg.set_viewport_size({"width": width, "height": 900})
        assert _serious(pg) == [], f"{name} at {width}px"
        if width == 360:
            scroll = pg.evaluate("document.documentElement.scrollWidth")
            assert scroll <= 360, f"{name}: {scroll}px wide at 360px"
        pg.screenshot(path=str(SHOTS / f"search-{name}-{width}.png"), full_page=True)
    pg.set_viewport_size({"width": 1280, "height": 900})


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_search_page_in_the_browser(page, live_server, people, make_doc, login):
    doc = make_doc("incoming", "Quyết định về việc hỗ trợ đồng bào vùng lũ năm 2026",
                   code="321/QĐ-UBND", type_code="QD", urgency="urgent")
    for i in range(25):
        make_doc("outgoing", f"Kế hoạch hỗ trợ sinh kế số {i}")
    make_doc("incoming", "Quyết định của Sở Tài chính về đồng bào", agency=people["finance"])

    login(page, "vt_stp")
    page.goto(live_server.url + "/documents/search/")
    _check(page, "empty")
    page.fill("#id_q", "quyet dinh dong")
    page.click("form[role=search] button[type=submit] >> nth=0")
    page.wait_for_load_state()
    rows = page.locator("#doc-search-rows tr.doc-search-row")
    assert rows.count() == 1  # not the other agency's document
    assert rows.first.locator("mark").first.inner_text() == "Quyết"
    assert "321/QĐ-UBND" in rows.first.inner_text()
    assert rows.first.locator("a").get_attribute("href").endswith(f"/{doc.pk}/")
    _check(page, "results")

    # filters: only outgoing plans, 20 per page, "Show more" loads the rest in place (htmx)
    page.goto(live_server.url + "/documents/search/?q=ke+hoach+ho+tro&kind=outgoing")
    assert page.locator("#doc-search-rows tr.doc-search-row").count() == 20
    page.click("#doc-search-more a")
    # (a locator wait: wait_for_function needs eval(), which the Content-Security-Policy forbids)
    expect(page.locator("#doc-search-rows tr.doc-search-row")).to_have_count(25)
    assert page.locator("#doc-search-more").count() == 0

    # save the search, find it in "My saved searches", run it again
    page.fill("#id_name", "Kế hoạch hỗ trợ")
    page.click(".doc-search-save button[type=submit]")
    page.wait_for_load_state()
    saved = page.locator(".doc-search-saved__link", has_text="Kế hoạch hỗ trợ")
    assert saved.count() == 1
    _check(page, "saved")
    page.goto(live_server.url + "/documents/search/")
    page.locator(".doc-search-saved__link", has_text="Kế hoạch hỗ trợ").click()
    page.wait_for_load_state()
    assert page.locator("#doc-search-rows tr.doc-search-row").count() == 20
    assert page.input_value("#id_q") == "ke hoach ho tro"

    # a bad date: the message by the field, never an error page
    page.goto(live_server.url + "/documents/search/?q=x&from=2026-02-30")
    assert page.locator("#id_from_error").count() == 1
    _check(page, "invalid")
