"""The public verification page /verify/ in a real browser, as an anonymous user: upload signed,
tampered and non-PDF files, see the verdict; axe; no horizontal scroll at 360 px. The QR code's
target /verify/c/<code>/ of a signed and issued document, and the code form."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.browser.conftest import page_width
from tests.browser.conftest import serious_violations as _serious
from tests.documents.conftest import docs_org  # noqa: F401 (fixture)
from tests.signing._verify_fixtures import blank_pdf, make_pki, replace_page_content, sign
from tests.signing.conftest import test_pki  # noqa: F401 (fixture)
from tests.signing.test_documents_flow import signing_org  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]



@pytest.fixture(autouse=True)
def _empty_cache(transactional_db):
    """The rate-limit counters live in the database cache, which the flush between
    transactional tests does not empty."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="module")
def pki():
    return make_pki()


@pytest.fixture
def anchor(transactional_db, pki):
    from egov.signing.models import TrustAnchor

    return TrustAnchor.objects.create(name="Test Root", certificate_der=pki.root_asn1.dump(),
                                      is_active=True,
                                      fingerprint_sha256=pki.root_asn1.sha256.hex())


def _in_thread(fn, *args, **kwargs):
    """pyHanko signs through asyncio.run(), which refuses to run inside Playwright's event loop:
    make the test PDFs in a worker thread."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn, *args, **kwargs).result()


def _signed(pki, **kwargs) -> bytes:
    return _in_thread(sign, blank_pdf(), pki, **kwargs)


def _tampered(pki) -> bytes:
    return _in_thread(lambda: replace_page_content(sign(blank_pdf(), pki)))




def _upload(page, name: str, data: bytes, mime: str = "application/pdf") -> None:
    page.set_input_files("#id_file", files=[{"name": name, "mimeType": mime, "buffer": data}])
    page.click("form[action='/verify/'] button[type=submit]")
    page.wait_for_load_state()


def test_anonymous_upload_shows_the_verdict(page, live_server, anchor, pki):
    failures: dict[str, list[str]] = {}
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(live_server.url + "/verify/")
        assert page.locator("html").get_attribute("lang") == "vi"
        assert page.locator("#id_file").is_visible()
        failures[f"form@{width}"] = _serious(page)
        assert page_width(page) <= width

        _upload(page, "quyet-dinh-ky-so.pdf", _signed(pki, timestamp=True))
        verdict = page.locator("[data-verdict]")
        assert verdict.get_attribute("data-verdict") == "valid"
        assert verdict.is_visible()
        assert "Nguyễn Văn An" in page.locator(".signature-report").inner_text()
        failures[f"valid@{width}"] = _serious(page)
        assert page_width(page) <= width, f"{page_width(page)}px wide at {width}px"

        _upload(page, "bi-sua.pdf", _tampered(pki))
        assert page.locator("[data-verdict]").get_attribute("data-verdict") == "invalid"
        failures[f"invalid@{width}"] = _serious(page)
        assert page_width(page) <= width

        _upload(page, "ghi-chu.txt", b"not a pdf", mime="text/plain")
        assert page.locator("#id_file_error").is_visible()
        assert page.locator("[data-verdict]").count() == 0
        failures[f"error@{width}"] = _serious(page)
        assert page_width(page) <= width

    bad = {k: v for k, v in failures.items() if v}
    assert not bad, f"axe serious/critical violations: {bad}"


def test_english_verdict(page, live_server, anchor, pki):
    page.goto(live_server.url + "/verify/")
    page.click("button[name=language][value=en]")
    page.wait_for_load_state()
    _upload(page, "signed.pdf", _signed(pki))
    assert page.locator("#verdict-title").inner_text().strip().endswith("Valid")


# ---------------------------------------------------------------- the verification code


@pytest.fixture
def issued_doc(transactional_db, request):
    """An outgoing document signed by the leader and issued with the agency's signature
    (tests.signing.test_documents_flow.py's flow), made in a worker thread (pyHanko's asyncio)."""
    from tests.documents.test_outgoing_support import approved

    o = request.getfixturevalue("signing_org")

    def make():
        from django.db import connection

        from egov.documents import signing_flow as flow
        from egov.documents.services import outgoing as svc

        try:
            doc = approved(o)
            flow.sign_approval(actor=o["leader"], document=doc)
            doc.refresh_from_db()
            svc.outgoing_issue(actor=o["clerk"], document=doc)
            doc.refresh_from_db()
            return doc
        finally:
            connection.close()

    return _in_thread(make)


def test_qr_target_shows_the_issued_document_and_its_report(page, live_server, issued_doc):
    from egov.signing import verification_codes as vcodes
    from egov.signing.models import VerificationCode

    doc = issued_doc
    code = VerificationCode.objects.get(subject_kind="documents.outgoing", subject_id=doc.pk).code
    failures: dict[str, list[str]] = {}
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/verify/c/{code}/")  # what the QR code encodes
        assert page.locator("html").get_attribute("lang") == "vi"
        facts = page.get_by_test_id("issued-document")
        assert facts.get_attribute("data-state") == "issued"
        assert page.locator("[data-field=number]").inner_text() == "01/QĐ-UBND"
        assert page.locator("[data-field=code]").inner_text() == vcodes.display(code)
        assert page.locator("[data-field=subject]").inner_text() == doc.subject
        assert page.locator("[data-field=sha256]").inner_text() == doc.issued_file.sha256
        report = page.get_by_test_id("issued-report")
        assert report.locator("[data-verdict]").get_attribute("data-verdict") == "valid"
        signatures = report.locator(".signature-report")
        assert signatures.count() == 2
        assert "Trần Văn Lãnh" in signatures.nth(0).inner_text()
        assert "UBND tỉnh Minh Phong" in signatures.nth(1).inner_text()
        failures[f"code@{width}"] = _serious(page)
        assert page_width(page) <= width, f"{page_width(page)}px wide at {width}px"

    # compare one's copy: the issued file itself, then another file
    from egov.core.files import file_open

    with file_open(doc.issued_file) as fh:
        issued_pdf = fh.read()
    page.set_input_files("#id_file", files=[{"name": "ban-cua-toi.pdf",
                                             "mimeType": "application/pdf",
                                             "buffer": issued_pdf}])
    page.get_by_test_id("compare-form").locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("upload-result").get_attribute("data-same-file") == "true"
    assert page.get_by_test_id("same-file").is_visible()
    failures["compare"] = _serious(page)
    page.set_input_files("#id_file", files=[{"name": "khac.pdf", "mimeType": "application/pdf",
                                             "buffer": _signed_default()}])
    page.get_by_test_id("compare-form").locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("upload-result").get_attribute("data-same-file") == "false"
    assert page.get_by_test_id("other-file").is_visible()

    # the code typed into the form on /verify/ (lower case, with the dash) leads to the page
    page.goto(live_server.url + "/verify/")
    page.fill("#id_code", vcodes.display(code).lower())
    page.get_by_test_id("code-form").locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.url == f"{live_server.url}/verify/c/{code}/"
    assert page.get_by_test_id("issued-document").is_visible()

    # an unknown code: a clear 404 page
    response = page.goto(f"{live_server.url}/verify/c/ZZZZZ99999/")
    assert response.status == 404 and page.get_by_test_id("unknown-code").is_visible()
    failures["unknown"] = _serious(page)

    bad = {k: v for k, v in failures.items() if v}
    assert not bad, f"axe serious/critical violations: {bad}"


def _signed_default() -> bytes:
    return _in_thread(lambda: sign(blank_pdf(), make_pki()))
