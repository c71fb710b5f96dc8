"""The public verification page /verify/ (egov.portal): anonymous users upload a PDF and get the
report of egov.signing.verify.verify_pdf, with real signatures made by pyHanko over a test PKI."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from egov.signing.models import TrustAnchor
from tests.signing._verify_fixtures import blank_pdf, make_pki, replace_page_content, sign

URL = "/verify/"


@pytest.fixture(scope="module")
def pki():
    return make_pki()


@pytest.fixture
def anchor(db, pki):
    return TrustAnchor.objects.create(name="Test Root", certificate_der=pki.root_asn1.dump(),
                                      is_active=True,
                                      fingerprint_sha256=pki.root_asn1.sha256.hex())


@pytest.fixture
def english(client):
    client.cookies["egov_language"] = "en"
    return client


def _post(client, data: bytes, name: str = "van-ban.pdf"):
    return client.post(URL, {"file": SimpleUploadedFile(name, data, "application/pdf")})


@pytest.mark.django_db
def test_anonymous_get(client):
    r = client.get(URL)
    assert r.status_code == 200
    html = r.content.decode()
    assert 'enctype="multipart/form-data"' in html and 'name="csrfmiddlewaretoken"' in html
    assert "data-verdict" not in html


@pytest.mark.django_db
def test_csrf_is_enforced(pki):
    client = Client(enforce_csrf_checks=True)
    r = _post(client, sign(blank_pdf(), pki))
    assert r.status_code == 403


def test_valid_signed_pdf(english, anchor, pki):
    r = _post(english, sign(blank_pdf(), pki, timestamp=True))
    assert r.status_code == 200
    html = r.content.decode()
    assert 'data-verdict="valid"' in html
    assert "✔</span> Valid" in html
    assert "Nguyễn Văn An" in html and "UBND tỉnh Thử nghiệm" in html
    assert "CN=Test Root CA eGov" in html  # the issuer
    assert 'data-check="trusted">yes' in html and 'data-check="intact">yes' in html
    assert 'data-check="whole_file">yes' in html
    assert r.context["report"].valid is True
    signed_at = r.context["signatures"][0]["signed_at"]
    from egov.core.templatetags.egov import vn_datetime

    assert vn_datetime(signed_at) in html  # dd/mm/yyyy HH:MM, Asia/Ho_Chi_Minh


def test_default_language_is_vietnamese(client, anchor, pki):
    r = _post(client, sign(blank_pdf(), pki))
    assert r.status_code == 200
    assert 'data-verdict="valid"' in r.content.decode()
    assert '<html lang="vi">' in r.content.decode()


def test_untrusted_signature_is_not_valid(english, db, pki):
    r = _post(english, sign(blank_pdf(), pki))
    html = r.content.decode()
    assert 'data-verdict="indeterminate"' in html and "Not valid" in html
    assert 'data-check="trusted">no' in html and 'data-check="intact">yes' in html


def test_tampered_pdf_is_invalid(english, anchor, pki):
    r = _post(english, replace_page_content(sign(blank_pdf(), pki)))
    assert r.status_code == 200
    html = r.content.decode()
    assert 'data-verdict="invalid"' in html and "✘</span> Not valid" in html
    assert 'data-check="whole_file">no' in html


def test_unsigned_pdf(english, db):
    html = _post(english, blank_pdf()).content.decode()
    assert 'data-verdict="unsigned"' in html and "The document has no digital signature." in html


def test_not_a_pdf_is_an_error_by_the_field(english, db):
    r = _post(english, b"hello, not a pdf", name="thu.txt")
    assert r.status_code == 200
    html = r.content.decode()
    assert 'id="id_file_error"' in html and "The file is not a PDF document." in html
    assert 'aria-invalid="true"' in html and "data-verdict" not in html


def test_damaged_pdf_is_an_error_by_the_field(english, db):
    r = _post(english, b"%PDF-1.7\nbroken")
    assert r.status_code == 200
    assert 'id="id_file_error"' in r.content.decode()
    assert "damaged" in r.content.decode()


def test_oversized_file_is_an_error(english, db, pki, settings):
    settings.EGOV_MAX_UPLOAD_BYTES = 1024
    r = _post(english, sign(blank_pdf(), pki))
    assert r.status_code == 200
    html = r.content.decode()
    assert 'id="id_file_error"' in html and "The file is larger than the limit of 1.0\xa0KB." in html
    assert "data-verdict" not in html


def test_missing_file(english, db):
    r = english.post(URL, {})
    assert r.status_code == 200 and 'id="id_file_error"' in r.content.decode()
