"""What a walk through the civil-status pages as their users found wrong, kept from coming back:

- the English pages printed the register's Vietnamese labels ("Số: 1, Quyển số: 01", the books'
  "quyển số", the book's "Số" column) — they are translated now, the Vietnamese pages unchanged;
- the statistics page was wider than a 1280 px screen in English (the per-month table has a
  column per kind of event): the table scrolls inside its panel; the civil home links to it and
  to the registrar's one-stop dossiers (no menu reached them);
- the marriage certificate's QR code fell alone onto a second page; the death extract left
  "Nơi chết" empty (the form stores the place as details["place"]).

Every page axe-clean and no wider than 360 px / 1280 px, screenshots in /tmp/egov-shots/."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.civil_support import make_registrar_with_seal
from tests.browser.conftest import PageChecks, submit, switch_language, vi_context
from tests.signing.conftest import test_pki  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _empty_cache(transactional_db):
    """The signing certificate lookups are cached: the flush between tests empties the table,
    not the cache."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def people(transactional_db, org, make_user, test_pki):  # noqa: F811
    """A registrar of a commune whose organisation
    certificate is registered; a marriage and a death (as the death form stores it) registered."""
    import datetime as dt

    from django.utils import timezone

    from egov.civil.services import records
    from tests.civil.conftest import years_ago

    # A long commune name (as real ones are): the header and the signature block take two lines.
    org["commune"].name = "Ủy ban nhân dân xã Quảng Phú Cầu Đông"
    org["commune"].save(update_fields=["name"])
    people = make_registrar_with_seal(org, make_user, test_pki)
    people["marriage"] = records.register_marriage(
        actor=people["registrar"],
        husband={"full_name": "Nguyễn Văn Hùng", "sex": "male", "ethnicity": "Kinh",
                 "nationality": "Việt Nam", "birth_date": years_ago(30).isoformat(),
                 "personal_id": "001094000201", "residence": "Thôn Đông Hòa, xã Quảng Phú Cầu Đông"},
        wife={"full_name": "Trần Thị Mai", "sex": "female", "ethnicity": "Kinh",
              "nationality": "Việt Nam", "birth_date": years_ago(27).isoformat(),
              "personal_id": "001197000202", "residence": "Thôn Đông Hòa, xã Quảng Phú Cầu Đông"})
    people["death"] = records.register_death(
        actor=people["registrar"],
        death_date=(timezone.localdate() - dt.timedelta(days=2)).isoformat(),
        person={"full_name": "Phạm Văn Thọ", "sex": "male",
                "birth_date": years_ago(86).isoformat(), "residence": "Thôn Nam, xã An Bình"},
        details={"place": "Tại nhà, thôn Nam", "cause": "Già yếu"})
    return people


def _pdf_pages(pdf: bytes, tmp_path: Path, name: str) -> list[str]:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    return [p for p in text.split("\f") if p.strip()]


def test_register_labels_are_translated_and_statistics_fit(browser, live_server, login,
                                                            people):
    url = live_server.url
    event, book = people["marriage"], people["marriage"].book
    ctx = vi_context(browser, timeout=30_000)
    page = ctx.new_page()
    check = PageChecks(page, "civil-walk", axe_each_width=True)
    try:
        login(page, "tuphapxa")
        switch_language(page, "vi")
        page.goto(f"{url}/civil/events/{event.pk}/")
        expect(page.locator("#event-entry")).to_contain_text("Số: 1, Quyển số: 01")
        expect(page.locator("main")).to_contain_text("Nơi đăng ký")
        page.goto(f"{url}/civil/books/{book.pk}/print/")
        expect(page.locator(".sheet__head")).to_contain_text("Quyển số: 01")
        expect(page.locator(".sheet__table thead")).to_contain_text("Số")

        page.goto(f"{url}/civil/")  # the printable page has no language switch
        switch_language(page, "en")
        expect(page.locator("#home-books")).to_contain_text("book no. 01")
        expect(page.locator("main")).to_contain_text("Entry no. 1, book no. 01")
        expect(page.locator("main")).not_to_contain_text("Quyển số")
        check("home")
        page.goto(f"{url}/civil/events/{event.pk}/")
        expect(page.locator("#event-entry")).to_contain_text("Entry no.: 1, Book no.: 01")
        expect(page.locator("main")).to_contain_text("Registry office")
        check("event")
        for path in (f"/civil/books/{book.pk}/", f"/civil/books/{book.pk}/print/",
                     "/civil/books/"):
            page.goto(url + path)
            body = page.locator("body").inner_text()
            assert "Quyển số" not in body and "quyển số" not in body, path
        expect(page.locator("table")).to_contain_text("book no. 01")

        # The home reaches the statistics and the one-stop dossiers; the statistics fit.
        page.goto(f"{url}/civil/")
        submit(page, "#link-intake")
        assert page.url == f"{url}/civil/intake/"
        page.goto(f"{url}/civil/")
        submit(page, "#link-statistics")
        assert page.url.startswith(f"{url}/civil/statistics/")
        expect(page.locator("#civil-stats-months")).to_be_visible()
        check("statistics")
        switch_language(page, "vi")
        check("statistics")
    finally:
        ctx.close()
    assert all(not v for v in check.failures.values()), check.failures


def test_marriage_certificate_on_one_page_and_death_extract_place(browser, live_server, login,
                                                                  people, tmp_path):
    url = live_server.url
    ctx = vi_context(browser, timeout=30_000)
    page = ctx.new_page()
    try:
        login(page, "tuphapxa")
        switch_language(page, "vi")
        pdfs = {}
        for name, value in (("marriage", "marriage_certificate"), ("death", "extract")):
            page.goto(f"{url}/civil/events/{people[name].pk}/")
            submit(page, f"#event-certificates button[name=type][value={value}]")
            pdf = page.request.get(url + page.locator("#cert-download").get_attribute("href"))
            assert pdf.status == 200 and pdf.body()[:5] == b"%PDF-"
            pdfs[name] = _pdf_pages(pdf.body(), tmp_path, name)
    finally:
        ctx.close()
    # One page: the QR code and the verification text stay together below the signatures.
    assert len(pdfs["marriage"]) == 1, [p[-300:] for p in pdfs["marriage"]]
    assert "GIẤY CHỨNG NHẬN KẾT HÔN" in pdfs["marriage"][0]
    assert "Mã xác thực" in pdfs["marriage"][0]
    assert "Nơi chết: Tại nhà, thôn Nam" in pdfs["death"][0]
    assert "Nguyên nhân chết: Già yếu" in pdfs["death"][0]
