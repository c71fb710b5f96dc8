"""A marriage with a foreign party registered in a real browser (issue 13: "marriage, with a
foreign party too"): the wife's nationality given without her passport — the error by the
identity-document field, nothing written — then with it: the event page says "Có yếu tố nước
ngoài" and shows her nationality and document. axe-clean and no wider than 360 px."""

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


def _years_ago(years: int) -> str:
    today = dt.date.today()
    return today.replace(year=today.year - years, day=min(today.day, 28)).isoformat()


def test_registrar_registers_a_marriage_with_a_foreign_wife(browser, live_server, login,
                                                             registrar):
    from egov.civil.models import CivilEvent, Person

    ctx = vi_context(browser, timeout=30_000)
    page = ctx.new_page()
    check = PageChecks(page, "civil", axe_each_width=True)
    try:
        login(page, "tuphapxa")
        switch_language(page, "vi")
        page.goto(f"{live_server.url}/civil/marriages/new/")
        page.fill("#id_husband_full_name", "Nguyễn Văn Hùng")
        page.fill("#id_husband_birth_date", _years_ago(29))
        page.fill("#id_wife_full_name", "Kim Ji Yeon")
        page.fill("#id_wife_birth_date", _years_ago(26))
        page.fill("#id_wife_nationality", "Hàn Quốc")
        submit(page, "#do-register")
        expect(page.locator("#id_wife_identity_document_error")).to_contain_text("Điều 17.2")
        assert page.locator("#id_wife_identity_document").get_attribute("aria-invalid") == "true"
        expect(page.locator("#id_wife_nationality")).to_have_value("Hàn Quốc")  # kept
        assert not Person.objects.exists()
        check("foreign-errors")

        page.fill("#id_wife_identity_document", "Hộ chiếu M12345678")
        submit(page, "#do-register")
        expect(page.locator("#event-foreign")).to_have_text("Có yếu tố nước ngoài")
        expect(page.locator("#event-parties")).to_contain_text("Hộ chiếu M12345678 (Hàn Quốc)")
        check("foreign-event")
        assert CivilEvent.objects.get().foreign_element
        bad = {k: v for k, v in check.failures.items() if v}
        assert not bad, bad
    finally:
        ctx.close()
