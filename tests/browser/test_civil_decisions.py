"""Decisions noted in a real browser by the commune's registrar (Luật Hộ tịch 2014, Điều 3.2–3.3):
from the person page, a marriage done abroad with a new foreign spouse — sent first with the
decision missing (the errors by their fields, nothing written), then filled; the event page
with the country; then a declaration of missing status from the person page. Every page
axe-clean and no wider than 360 px, in Vietnamese and in English; screenshots in
/tmp/egov-shots/."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PageChecks, submit, switch_language, vi_context
from tests.browser.test_civil_birth import registrar  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_registrar_notes_a_marriage_abroad_and_a_missing_person(browser, live_server, login,
                                                               org, registrar):  # noqa: F811
    from egov.civil.models import CivilEvent, Person

    wife = Person.objects.create(full_name="Đặng Thị Xuất Cảnh", sex="female",
                                 birth_date=dt.date(1996, 3, 3), commune=org["commune"])
    url = live_server.url
    ctx = vi_context(browser, timeout=30_000)
    page = ctx.new_page()
    check = PageChecks(page, "civil", axe_each_width=True)
    try:
        login(page, "tuphapxa")
        switch_language(page, "vi")
        page.goto(f"{url}/civil/persons/{wife.pk}/")
        submit(page, "#act-abroad-marriage")
        expect(page.locator("h1")).to_have_text("Ghi vào Sổ việc kết hôn ở nước ngoài")
        expect(page.locator("#chosen-wife")).to_contain_text("Đặng Thị Xuất Cảnh")
        check("decision-form")
        page.check("input[name=husband_mode][value=new]")
        page.fill("#id_husband_full_name", "Park Ji Hoon")
        page.fill("#id_husband_birth_date", "1992-07-07")
        page.fill("#id_country", "Hàn Quốc")
        submit(page, "#do-register")
        expect(page.locator("#id_authority_error")).to_be_visible()
        expect(page.locator("#id_decision_date_error")).to_be_visible()
        expect(page.locator("#id_country")).to_have_value("Hàn Quốc")  # kept
        assert not CivilEvent.objects.exists()
        check("decision-errors")
        page.fill("#id_authority", "Văn phòng quận Mapo, Seoul")
        page.fill("#id_decision_number", "KR-2026-12")
        page.fill("#id_decision_date", "2026-01-10")
        submit(page, "#do-register")
        expect(page.locator("#event-country")).to_have_text("Hàn Quốc")
        expect(page.locator("#event-parties")).to_contain_text("Park Ji Hoon")
        check("decision-event")

        switch_language(page, "en")
        page.goto(f"{url}/civil/persons/{wife.pk}/")
        submit(page, "#act-missing")
        expect(page.locator("h1")).to_have_text("Note a declaration of missing status")
        page.fill("#id_authority", "People's Court of Area 2")
        page.fill("#id_decision_number", "5/2026/QĐ-TA")
        page.fill("#id_decision_date", "2026-02-02")
        check("missing-form")
        submit(page, "#do-register")
        expect(page.locator("#event-decision")).to_have_text("5/2026/QĐ-TA")
        check("missing-event")
        page.goto(f"{url}/civil/persons/{wife.pk}/")
        expect(page.locator("#act-missing-end")).to_be_visible()
        assert CivilEvent.objects.count() == 2
        bad = {k: v for k, v in check.failures.items() if v}
        assert not bad, bad
    finally:
        ctx.close()
