"""POST /api/v1/signing/verify: public (no login), the report contract, clean 4xx errors."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from egov.signing.models import TrustAnchor

from ._verify_fixtures import blank_pdf, make_pki, replace_page_content, sign

URL = "/api/v1/signing/verify"
CONTRACT = {"field", "signer", "valid", "trusted", "intact", "modification", "signed_at",
            "timestamp"}

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def pki():
    return make_pki()


@pytest.fixture(scope="module")
def signed(pki):
    return sign(blank_pdf(), pki, timestamp=True)


@pytest.fixture
def anchor(pki):
    root = pki.root_asn1
    return TrustAnchor.objects.create(name="Test Root", certificate_der=root.dump(),
                                      fingerprint_sha256=root.sha256.hex())


def _post(client, data: bytes, name: str = "vanban.pdf", **extra):
    return client.post(URL, {"file": SimpleUploadedFile(name, data, "application/pdf")}, **extra)


def test_valid_pdf_without_login(client, anchor, signed):
    response = _post(client, signed)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["valid"] is True
    [sig] = body["signatures"]
    assert set(sig) >= CONTRACT
    assert (sig["field"], sig["signer"], sig["trusted"], sig["intact"], sig["modification"]) == (
        "ChuKy1", "Nguyễn Văn An", True, True, "NONE")
    assert sig["timestamp"]["tsa"].startswith("CN=Test TSA eGov")
    assert sig["signed_at"]


def test_untrusted_without_anchor(client, signed):
    body = _post(client, signed).json()
    assert body["valid"] is False
    assert body["signatures"][0]["trusted"] is False


def test_tampered_pdf(client, anchor, signed):
    response = _post(client, replace_page_content(signed))
    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is False
    assert body["signatures"][0]["modification"] == "OTHER"
    assert body["reasons"]


def test_unsigned_pdf(client, anchor):
    body = _post(client, blank_pdf()).json()
    assert body == {"valid": False, "signatures": [], "reasons": body["reasons"],
                    "revisions": 1, "warnings": []}
    assert body["reasons"]


@pytest.mark.parametrize("data", [b"just text", b"", b"%PDF-1.4\ngarbage"])
def test_not_a_pdf(client, data):
    response = _post(client, data, "note.txt")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "not_pdf"
    assert body["message"]


def test_missing_file(client):
    response = client.post(URL, {})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"


def test_too_large(client, settings, signed):
    settings.EGOV_MAX_UPLOAD_BYTES = 1000
    response = _post(client, signed)
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_get_not_allowed(client):
    response = client.get(URL)
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_uploads_are_rate_limited_per_client(client, anchor, signed, settings):
    """Public and costly: the portal's upload budget per client address applies here too."""
    settings.EGOV_VERIFY_RATE_UPLOAD = "2/600"
    assert _post(client, signed).status_code == 200
    assert _post(client, signed).status_code == 200
    response = _post(client, signed)
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited" and int(response["Retry-After"]) > 0
    other = _post(client, signed, REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 200  # another client has its own budget
