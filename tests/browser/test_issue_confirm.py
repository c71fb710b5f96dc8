"""Issue 9 §1 in a real browser: the leader approves and signs in one step ("Ký duyệt") on the
confirmation page with the preview and a TOTP code; the public page of a paper original says
that the original is on paper and the electronic copy carries no digital signature. Axe at 1280
and 360 px, no horizontal scroll."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pyotp
import pytest

from tests.browser.conftest import serious_violations as _serious
from tests.documents.conftest import docs_org  # noqa: F401 (fixture)
from tests.signing.conftest import test_pki  # noqa: F401 (fixture)
from tests.signing.test_documents_flow import signing_org  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _empty_cache(transactional_db):
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def _in_thread(fn, *args, **kwargs):
    """pyHanko and the services that sign run asyncio.run(): not inside Playwright's loop."""
    def run():
        from django.db import connection

        try:
            return fn(*args, **kwargs)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def _check(page, name: str) -> None:
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        assert _serious(page) == [], f"{name} at {width}px"
        if width == 360:
            scroll = page.evaluate("document.documentElement.scrollWidth")
            assert scroll <= 360, f"{name}: {scroll}px wide at 360px"
    page.set_viewport_size({"width": 1280, "height": 900})


def test_leader_approves_and_signs_with_totp(page, live_server, transactional_db, request, login):
    from tests.documents.test_outgoing_support import make_draft

    o = request.getfixturevalue("signing_org")

    def prepare():
        from egov.documents.services import outgoing as svc
        from egov.signing import second_factor as sf
        from egov.signing.models import SecondFactorPolicy

        SecondFactorPolicy.objects.create(unit=o["province"], required=True, method="totp")
        secret, _uri = sf.enrol_start(user=o["leader"])
        totp = pyotp.TOTP(secret)
        sf.enrol_confirm(user=o["leader"], code=totp.now())
        from django.utils import timezone

        from egov.signing.models import SecondFactor

        SecondFactor.objects.filter(user=o["leader"]).update(
            last_step=totp.timecode(timezone.now()) - 1)
        doc = make_draft(o)
        svc.outgoing_submit(actor=doc.drafter, document=doc)
        svc.outgoing_review(actor=o["unit_head"], document=doc, step="content",
                            decision="approved")
        svc.outgoing_review(actor=o["clerk"], document=doc, step="format", decision="approved")
        return doc, secret

    doc, secret = _in_thread(prepare)
    login(page, "chutich")
    detail = f"{live_server.url}/documents/outgoing/{doc.pk}/"
    page.goto(detail)
    page.click("[data-testid=approve-sign-button]")
    page.wait_for_load_state()
    assert page.url == f"{detail}sign/"
    assert page.locator("h1").inner_text() == "Ký duyệt"
    assert page.locator("[data-testid=preview-link]").is_visible()
    assert page.locator("#id_otp").is_visible()
    _check(page, "sign-confirm")
    page.fill("#id_otp", "000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    with page.expect_navigation():
        page.click("[data-testid=confirm-sign-button]")
    assert page.locator("#id_otp_error").is_visible()
    _check(page, "sign-confirm-error")
    page.fill("#id_otp", pyotp.TOTP(secret).now())
    with page.expect_navigation():
        page.click("[data-testid=confirm-sign-button]")
    assert page.url == detail
    doc.refresh_from_db()
    assert doc.state == "signed" and doc.signed_file_id


def test_public_page_of_a_paper_original(page, live_server, transactional_db, request):
    from tests.documents.test_outgoing_support import approved

    o = request.getfixturevalue("docs_org")

    def issue():
        from egov.documents.services import outgoing as svc
        from egov.documents.verification_codes import codes_of

        doc = approved(o)
        svc.outgoing_issue(actor=o["clerk"], document=doc, medium="paper")
        return codes_of(doc).get().code

    code = _in_thread(issue)
    page.goto(f"{live_server.url}/verify/c/{code}/")
    text = page.locator("main").inner_text()
    assert "bản giấy" in text and "không có chữ ký số" in text
    assert "✘" not in text
    assert page.get_by_test_id("paper-original").is_visible()
    _check(page, "verify-paper")
