"""A birth registered in a real browser by the commune's registrar (issue 13 "Done means"): the
civil-status home, the form sent empty (the errors by their fields, nothing written), then
filled (the child and a new mother; no father declared) — the event page with Số / Quyển số.
In Vietnamese, then in English; every page axe-clean (no serious or critical violation) and no
wider than a 360 px screen, with screenshots in /tmp/egov-shots/."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.browser.civil_support import make_registrar
from tests.browser.conftest import PageChecks, submit, switch_language, vi_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def registrar(transactional_db, org, make_user):
    return make_registrar(org, make_user)


def _fill_birth(page, child: str, mother: str) -> None:
    born = (dt.date.today() - dt.timedelta(days=7)).isoformat()
    page.fill("#id_child_full_name", child)
    page.select_option("#id_child_sex", "female")
    page.fill("#id_child_birth_date", born)
    page.fill("#id_child_birth_place", "Trạm y tế xã")
    page.check("input[name=mother_mode][value=new]")
    expect(page.locator("#id_mother_full_name")).to_be_visible()
    page.fill("#id_mother_full_name", mother)
    page.fill("#id_mother_birth_date", "1996-04-12")


def test_registrar_registers_a_birth(browser, live_server, login, registrar):
    from egov.civil.models import CivilEvent, Person

    url = live_server.url
    ctx = vi_context(browser, timeout=30_000)
    page = ctx.new_page()
    check = PageChecks(page, "civil", axe_each_width=True)
    try:
        login(page, "tuphapxa")
        switch_language(page, "vi")
        # The menu entry "Hộ tịch" opens the civil-status home.
        submit(page, "a[href='/civil/']")
        expect(page.locator("h1")).to_have_text("Hộ tịch")
        check("home")
        submit(page, "#link-birth")
        expect(page.locator("h1")).to_have_text("Đăng ký khai sinh")
        # The mother's and father's fields are hidden while "not declared" is chosen.
        expect(page.locator("#id_mother_full_name")).to_be_hidden()
        check("form")

        # Sent empty: the errors by their fields, the summary links to them, nothing written.
        submit(page, "#do-register")
        expect(page.locator("#id_child_full_name_error")).to_be_visible()
        assert page.locator("#id_child_full_name").get_attribute("aria-invalid") == "true"
        assert page.locator("#form-errors a[href='#id_child_full_name']").count() == 1
        assert not Person.objects.exists()
        check("errors")

        _fill_birth(page, "Nguyễn Thị Hồng Nhung", "Trần Thị Lan")
        submit(page, "#do-register")
        expect(page.locator("#event-title")).to_have_text("Khai sinh")
        expect(page.locator("#event-entry")).to_contain_text("Số: 1, Quyển số: 01")
        expect(page.locator("#event-parties")).to_contain_text("Nguyễn Thị Hồng Nhung")
        expect(page.locator("#event-parties")).to_contain_text("Trần Thị Lan")
        check("event")

        # In English: a second birth, the next entry of the same book.
        switch_language(page, "en")
        page.goto(f"{url}/civil/births/new/")
        expect(page.locator("h1")).to_have_text("Register a birth")
        check("form")
        _fill_birth(page, "Phạm Minh Đức", "Võ Thị Thu")
        page.fill("#id_child_birth_date", "")
        submit(page, "#do-register")
        expect(page.locator("#id_child_birth_date_error")).to_be_visible()
        expect(page.locator("#id_mother_full_name")).to_have_value("Võ Thị Thu")  # kept
        check("errors")
        page.fill("#id_child_birth_date", (dt.date.today() - dt.timedelta(days=2)).isoformat())
        submit(page, "#do-register")
        expect(page.locator("#event-entry")).to_contain_text("Entry no.: 2, Book no.: 01")
        expect(page.locator("#event-parties")).to_contain_text("Child")
        check("event")
        assert CivilEvent.objects.count() == 2
        bad = {k: v for k, v in check.failures.items() if v}
        assert not bad, bad
    finally:
        ctx.close()
