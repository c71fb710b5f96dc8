"""Issue 9 §1: the public report names signatures by role ("the signature of the competent
signer" / "the agency's signature"), never by internal field name, and reports integrity (content
unchanged since signing) and trust (certificate chain, validity at signing time) separately."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from egov.signing.models import TrustAnchor
from tests.signing._verify_fixtures import blank_pdf, make_pki, sign

URL = "/verify/"


@pytest.fixture(scope="module")
def pki():
    return make_pki()


@pytest.fixture
def anchor(db, pki):
    return TrustAnchor.objects.create(name="Test Root", certificate_der=pki.root_asn1.dump(),
                                      is_active=True,
                                      fingerprint_sha256=pki.root_asn1.sha256.hex())


def _html(client, data: bytes, lang: str = "en") -> str:
    client.cookies["egov_language"] = lang
    response = client.post(URL, {"file": SimpleUploadedFile("v.pdf", data, "application/pdf")})
    assert response.status_code == 200
    return response.content.decode()


def _two_signatures(pki) -> bytes:
    return sign(sign(blank_pdf(), pki, field="leader_signature"), pki, field="org_signature",
                org=True)


def _flip_signed_byte(data: bytes) -> bytes:
    """Change one character of the page text inside the signed byte range."""
    at = data.index(b"Quyet dinh")
    return data[:at] + b"X" + data[at + 1:]


@pytest.mark.django_db
def test_roles_not_field_names(client, pki):
    data = _flip_signed_byte(_two_signatures(pki))  # invalid: the old page listed the fields
    html = _html(client, data)
    assert "leader_signature" not in html and "org_signature" not in html
    assert "The signature of the competent signer" in html
    assert "The agency&#x27;s signature" in html or "The agency's signature" in html
    html_vi = _html(client, data, "vi")
    assert "leader_signature" not in html_vi and "org_signature" not in html_vi
    assert "Chữ ký của người có thẩm quyền" in html_vi and "Chữ ký của cơ quan" in html_vi


def test_changed_content_says_changed_not_untrusted(client, anchor, pki):
    html = _html(client, _flip_signed_byte(sign(blank_pdf(), pki, field="leader_signature")))
    assert 'data-verdict="invalid"' in html
    assert 'data-integrity="changed"' in html and 'data-trust="trusted"' not in html
    assert "The content covered by the signature of the competent signer was changed" in html
    assert "does not lead to a trusted root" not in html
    assert 'data-check="trusted">not checked' in html


def test_untrusted_certificate_with_intact_content_says_so(client, db, pki):
    html = _html(client, sign(blank_pdf(), pki, field="leader_signature"))  # no trust anchor
    assert 'data-integrity="intact"' in html and 'data-trust="untrusted"' in html
    assert "yes: the content is unchanged since signing" in html
    assert "does not lead to a trusted root certificate" in html
    assert "The content covered by" not in html
