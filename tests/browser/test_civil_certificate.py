"""A civil-status certificate in a real browser (issue 13): the registrar opens the issue page of
a birth registered with records.register_birth, issues the birth certificate (signed with the
commune's organisation signature), sees its page with the verification address and downloads
the PDF; the public page the QR code opens shows the five facts only — in Vietnamese, then in
English (the registrar also issues a certified copy in English). Every page axe-clean (no
serious or critical violation) and no wider than a 360 px screen; screenshots in
/tmp/egov-shots/."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.civil_support import make_registrar_with_seal
from tests.browser.conftest import PageChecks, submit, switch_language, vi_context
from tests.signing.conftest import test_pki  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PRIVATE = ("Ánh Tuyết", "ÁNH TUYẾT", "036326004321", "Bích Ngọc", "Văn Đức")


@pytest.fixture(autouse=True)
def _empty_cache(transactional_db):
    """The look-up counters may live in the cache, which the flush does not empty."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def people(transactional_db, org, make_user, test_pki):  # noqa: F811
    """A registrar of the commune whose
    organisation certificate is registered, and a birth registered in its books."""

    from tests.civil.certificates_support import birth

    people = make_registrar_with_seal(org, make_user, test_pki)
    people["event"] = birth(people)
    return people


def test_registrar_issues_the_birth_certificate_and_the_public_verifies_it(
        browser, live_server, login, people):
    from egov.civil.models import Certificate

    url = live_server.url
    event = people["event"]
    ctx = vi_context(browser, timeout=30_000)
    page = ctx.new_page()
    check = PageChecks(page, "civil-cert")
    public = browser.new_context(locale="vi-VN", viewport={"width": 360, "height": 800})
    visitor = public.new_page()
    check_public = PageChecks(visitor, "civil-cert")
    try:
        login(page, "tuphapxa")
        switch_language(page, "vi")
        page.goto(f"{url}/civil/certificates/new/?event={event.pk}")
        expect(page.locator("h1")).to_have_text("Giấy tờ của việc đăng ký hộ tịch")
        expect(page.locator("[data-role=child]")).to_have_text("Nguyễn Thị Ánh Tuyết")
        assert page.locator("#event-no-certificates").is_visible()
        check("issue")
        submit(page, "button[name=type][value=birth_certificate]")
        cert = Certificate.objects.get()
        assert page.url == f"{url}/civil/certificates/{cert.pk}/"
        expect(page.locator("[data-field=type]")).to_have_text("Giấy khai sinh")
        expect(page.locator("[data-field=number]")).to_have_text(cert.number)
        verify_path = f"/verify/civil/{cert.code}/"
        assert page.locator("#cert-verify-url").inner_text().endswith(verify_path)
        check("detail")
        # The download link (opened inline, for printing): the signed PDF, with the session.
        pdf = page.request.get(url + page.locator("#cert-download").get_attribute("href"))
        assert pdf.status == 200 and pdf.body()[:5] == b"%PDF-"
        # Back on the issue page: the original is issued, the copy is offered.
        page.goto(f"{url}/civil/certificates/new/?event={event.pk}")
        assert page.locator("button[name=type][value=birth_certificate]").count() == 0
        expect(page.locator(f"[data-certificate='{cert.pk}']")).to_contain_text(cert.number)

        # The public page the QR code opens (no login), at 360 px.
        visitor.goto(url + verify_path)
        switch_language(visitor, "vi")
        box = visitor.locator("[data-testid=civil-certificate]")
        assert box.get_attribute("data-valid") == "true"
        expect(visitor.locator("[data-testid=civil-valid]")).to_contain_text("Còn hiệu lực")
        expect(visitor.locator("[data-field=type]")).to_have_text("Giấy khai sinh")
        expect(visitor.locator("[data-field=number]")).to_have_text(cert.number)
        expect(visitor.locator("[data-field=date]")).to_have_text(
            cert.issued_on.strftime("%d/%m/%Y"))
        expect(visitor.locator("[data-field=issuer]")).to_have_text(
            "Ủy ban nhân dân xã An Bình")
        text = visitor.locator("main").inner_text()
        for private in PRIVATE:
            assert private not in text
        check_public("verify")

        # English: the public page, then a certified copy issued by the registrar.
        switch_language(visitor, "en")
        expect(visitor.locator("[data-field=type]")).to_have_text("Birth certificate")
        expect(visitor.locator("[data-testid=civil-valid]")).to_contain_text("Valid")
        check_public("verify")
        switch_language(page, "en")
        expect(page.locator("h1")).to_have_text("Certificates of a registration")
        check("issue")
        submit(page, "button[name=type][value=certified_copy]")
        copy = Certificate.objects.get(type="certified_copy")
        expect(page.locator("[data-field=type]")).to_have_text("Certified copy of an extract")
        assert page.url == f"{url}/civil/certificates/{copy.pk}/"
        check("detail")
    finally:
        ctx.close()
        public.close()
    failures = {**check.failures, **check_public.failures}
    assert not any(failures.values()), failures
