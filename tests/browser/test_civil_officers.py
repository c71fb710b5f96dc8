"""The officers' civil-record page on a phone (a walk found the "link a user" box of each person
found running out of its card at 360 px, and too thin to tap): the box stays inside the card, as
tall as the other inputs; the page is axe-clean in Vietnamese and English."""

from __future__ import annotations

import pytest

from tests.browser.conftest import serious_violations, switch_language

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def manager(transactional_db, org, make_user):
    from egov.civil.models import Person

    Person.objects.create(full_name="Lê Thị Hộ Tịch", sex="female", commune=org["commune"],
                          personal_id="001190000123")
    return make_user("quantri", org["province"], "admin")


def test_the_link_box_fits_a_phone(browser, live_server, login, manager):
    ctx = browser.new_context(locale="vi-VN", viewport={"width": 360, "height": 800})
    ctx.set_default_timeout(30_000)
    page = ctx.new_page()
    try:
        login(page, "quantri")
        page.goto(f"{live_server.url}/civil/officers/?q=001190000123")
        for lang in ("vi", "en"):
            switch_language(page, lang)
            box = page.locator("#officer-found input[name=username]").first.bounding_box()
            card = page.locator("#officer-found tbody tr").first.bounding_box()
            assert box["x"] + box["width"] <= card["x"] + card["width"], (box, card)
            assert box["height"] >= 40, box
            assert page.evaluate("document.documentElement.scrollWidth") <= 360
            assert not serious_violations(page)
    finally:
        ctx.close()
