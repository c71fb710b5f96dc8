"""The page "My certificates" (signing:certificates) and the API /api/v1/signing/certificates:
listing with states (valid, expires in N days, expired, revoked, not yet valid), registering a
token certificate, a key file, revoking, the handwritten-signature image; errors are shown by the
field and write nothing (issue 4; Luật Giao dịch điện tử 2023: expired or revoked certificates
may not sign)."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from egov.core import tokens
from egov.core.models import AuditEvent
from egov.signing import keystore, pki, services
from egov.signing.models import AppearanceImage, KeySource, SigningCertificate

URL = "/signing/certificates/"
API = "/api/v1/signing/certificates"


# ---------------------------------------------------------------- helpers and fixtures

def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _issue(ca: pki.Issued, cn: str, *, not_before: dt.datetime, not_after: dt.datetime
           ) -> pki.Issued:
    """A signing certificate with chosen validity (also in the past or the future)."""
    key = pki.new_key("rsa")
    cert = (x509.CertificateBuilder()
            .subject_name(pki.make_name(cn)).issuer_name(ca.certificate.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(not_before).not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(
                digital_signature=True, content_commitment=True, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=False,
                crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .sign(ca.key, hashes.SHA256()))
    return pki.Issued(cert, key)


def _row(owner, issued: pki.Issued, *, revoked: bool = False) -> SigningCertificate:
    """A registry row written directly (the services refuse expired / future certificates)."""
    cert = issued.certificate
    return SigningCertificate.objects.create(
        owner_user=owner, certificate_der=issued.der,
        fingerprint_sha256=issued.fingerprint_sha256, subject=cert.subject.rfc4514_string(),
        issuer=cert.issuer.rfc4514_string(), serial=format(cert.serial_number, "X"),
        not_before=cert.not_valid_before_utc, not_after=cert.not_valid_after_utc,
        key_source=KeySource.USER_TOKEN, revoked_at=_now() if revoked else None)


def _png(*, transparent: bool = True, color=(20, 40, 200)) -> bytes:
    from PIL import Image

    if transparent:
        image = Image.new("RGBA", (200, 80), (0, 0, 0, 0))
        for x in range(20, 180):
            image.putpixel((x, 40), (*color, 255))
    else:
        image = Image.new("RGB", (200, 80), (255, 255, 255))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _file(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, "application/octet-stream")


@pytest.fixture
def people(org, make_user):
    return {"me": make_user("lanh", org["province"], "leader", full_name="Trần Văn Lãnh"),
            "other": make_user("khac", org["office"], "officer")}


@pytest.fixture
def me(client, people):
    client.force_login(people["me"])
    return client


@pytest.fixture
def fresh(test_pki):
    """A new valid certificate (with key) of the test CA, 2 years."""
    def _make(cn: str = "Trần Văn Lãnh", days: int = 730) -> pki.Issued:
        return pki.issue_certificate(test_pki.root, cn, organization="UBND tỉnh Minh Phong",
                                     days=days)
    return _make


@pytest.fixture
def api(people):
    clients = {}

    def _client(who: str) -> Client:
        if who not in clients:
            _token, raw = tokens.token_create(actor=people[who], name="test")
            clients[who] = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return clients[who]

    return _client


def _registers() -> int:
    return AuditEvent.objects.filter(action="signing.certificate.register").count()


def _post(client, op: str, **data):
    payload = {"op": op}
    payload.update({f"{op}-{k}": v for k, v in data.items()})
    return client.post(URL, payload)


def _field_errors(response, op: str, field: str) -> str:
    """The text of the error list rendered next to ``op``'s ``field``."""
    html = response.content.decode()
    marker = f'id="id_{op}-{field}_error"'
    assert marker in html, f"no error by {op}-{field}"
    start = html.index(marker)
    return html[start:html.index("</ul>", start)]


# ---------------------------------------------------------------- the page: list and states

def test_page_lists_my_certificates_with_states(me, people, test_pki, fresh, settings):
    now = _now()
    valid = services.certificate_register_public(actor=people["me"], owner_user=people["me"],
                                                 certificate_der=fresh("Còn hạn").der)
    soon = services.certificate_register_public(actor=people["me"], owner_user=people["me"],
                                                certificate_der=fresh("Sắp hết hạn", 10).der)
    expired = _row(people["me"], _issue(test_pki.root, "Đã hết hạn",
                                        not_before=now - dt.timedelta(days=400),
                                        not_after=now - dt.timedelta(days=2)))
    future = _row(people["me"], _issue(test_pki.root, "Chưa hiệu lực",
                                       not_before=now + dt.timedelta(days=3),
                                       not_after=now + dt.timedelta(days=400)))
    revoked = services.certificate_register_pkcs12(actor=people["me"], owner_user=people["me"],
                                                   pkcs12=test_pki.leader_p12,
                                                   password=test_pki.password)
    services.certificate_revoke(actor=people["me"], certificate=revoked, reason="Mất token")
    others = _row(people["other"], fresh("Người khác"))

    me.cookies["egov_language"] = "en"
    response = me.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    states = {c.pk: s for c, s in ((valid, "valid"), (soon, "expiring"), (expired, "expired"),
                                   (future, "not_yet_valid"), (revoked, "revoked"))}
    for pk, state in states.items():
        assert f'data-certificate="{pk}" data-state="{state}"' in html
    assert f'data-certificate="{others.pk}"' not in html and "Người khác" not in html
    # 10 calendar days left: the warning badge and the warning message at the top.
    assert f'data-state="expiring" data-fingerprint="{soon.fingerprint_sha256}" data-days="10"' \
        in html
    assert "badge--warn" in html
    warning = html[html.index('data-testid="expiry-warning"'):]
    warning = warning[:warning.index("</div>")]
    assert "Sắp hết hạn" in warning and "10" in warning and "Còn hạn" not in warning
    assert "badge--danger" in html  # expired
    # Subject, issuer, serial, where the key is.
    assert "CN=Còn hạn" in html and "CN=eGov Test Root CA" in html and valid.serial in html
    with translation.override("en"):
        labels = escape(str(KeySource.USER_TOKEN.label)), escape(str(KeySource.KEY_FILE.label))
    assert labels[0] in html and labels[1] in html
    assert "Expires in 10 days" in html and "Expired" in html and "Not yet valid" in html
    # The agent URL and my fingerprints for the "read from token" button.
    assert f'data-agent-url="{settings.EGOV_SIGN_AGENT_URL}"' in html
    assert valid.fingerprint_sha256 in html


def test_agent_url_comes_from_settings(me, settings):
    settings.EGOV_SIGN_AGENT_URL = "http://127.0.0.1:45678"
    html = me.get(URL).content.decode()
    assert 'data-agent-url="http://127.0.0.1:45678"' in html
    assert "signing/certificates.js" in html
    assert 'data-testid="token-read"' in html
    assert 'data-testid="no-certificates"' in html


def test_page_needs_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert reverse("signing:certificates") == URL


def test_no_warning_for_certificates_far_from_expiry(me, people, fresh):
    services.certificate_register_public(actor=people["me"], owner_user=people["me"],
                                         certificate_der=fresh("Xa", 31 + 2).der)
    html = me.get(URL).content.decode()
    assert 'data-state="valid"' in html and "expiry-warning" not in html


# ---------------------------------------------------------------- (a) a certificate of my token

@pytest.mark.parametrize("name,encoding", [("token.cer", "der"), ("token.pem", "pem"),
                                           ("token.crt", "pem"), ("token.der", "der")])
def test_upload_token_certificate(me, people, fresh, name, encoding):
    issued = fresh()
    data = issued.der if encoding == "der" else issued.pem
    response = _post(me, "public", file=_file(name, data))
    assert response.status_code == 302 and response["Location"] == URL
    cert = SigningCertificate.objects.get(owner_user=people["me"])
    assert cert.key_source == KeySource.USER_TOKEN and cert.key_material is None
    assert bytes(cert.certificate_der) == issued.der
    assert AuditEvent.objects.filter(action="signing.certificate.register",
                                     object_id=str(cert.pk)).exists()
    page = me.get(URL).content.decode()
    assert f'data-certificate="{cert.pk}" data-state="valid"' in page


def test_upload_token_certificate_errors_write_nothing(me, people, fresh, test_pki):
    now = _now()
    expired = _issue(test_pki.root, "Hết hạn", not_before=now - dt.timedelta(days=30),
                     not_after=now - dt.timedelta(days=1))
    taken = fresh("Đã đăng ký")
    services.certificate_register_public(actor=people["other"], owner_user=people["other"],
                                         certificate_der=taken.der)
    pem = fresh().pem
    broken = pem.replace(pem[100:140], b"!" * 40)
    before = (SigningCertificate.objects.count(), _registers())
    cases = [
        ("notes.txt", b"hello"),                          # wrong file type
        ("token.pem", broken),                            # broken PEM
        ("token.cer", b"\x30\x82garbage"),                 # not a certificate
        ("token.cer", expired.der),                       # expired
        ("token.cer", taken.der),                         # duplicate
        ("token.cer", b""),                               # empty
        ("token.pem", test_pki.leader.key.private_bytes(   # a key, not a certificate
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption())),
    ]
    for name, data in cases:
        response = _post(me, "public", file=_file(name, data))
        assert response.status_code == 422, name
        assert _field_errors(response, "public", "file")
    assert (SigningCertificate.objects.count(), _registers()) == before
    response = _post(me, "public")
    assert response.status_code == 422 and _field_errors(response, "public", "file")


# ---------------------------------------------------------------- (b) a key file for the server

def test_upload_key_file(me, people, test_pki):
    response = _post(me, "pkcs12", file=_file("lanh.p12", test_pki.leader_p12),
                     password=test_pki.password)
    assert response.status_code == 302
    cert = SigningCertificate.objects.get(owner_user=people["me"])
    assert cert.key_source == KeySource.KEY_FILE
    blob = bytes(cert.key_material)
    assert test_pki.password.encode() not in blob and test_pki.leader_p12 not in blob
    assert json.loads(keystore.decrypt(blob, context=cert.fingerprint_sha256.encode()))
    assert services.signer_for(cert) is not None
    page = me.get(URL).content.decode()
    assert f'data-certificate="{cert.pk}" data-state="valid"' in page


def test_key_file_errors_write_nothing(me, people, test_pki):
    now = _now()
    expired = _issue(test_pki.root, "Hết hạn", not_before=now - dt.timedelta(days=30),
                     not_after=now - dt.timedelta(days=1))
    expired_p12 = pki.export_pkcs12(expired, "pw")
    response = _post(me, "pkcs12", file=_file("lanh.p12", test_pki.leader_p12),
                     password="sai-mat-khau")
    assert response.status_code == 422
    assert _field_errors(response, "pkcs12", "password")
    for name, data, password, field in (
            ("lanh.cer", test_pki.leader.der, "x", "file"),       # wrong type
            ("lanh.pfx", b"not a key file", "x", "file"),          # not PKCS#12
            ("lanh.p12", expired_p12, "pw", "file"),               # expired certificate
            ("lanh.p12", test_pki.leader_p12, "", "password")):    # no password
        response = _post(me, "pkcs12", file=_file(name, data), password=password)
        assert response.status_code == 422, name
        assert _field_errors(response, "pkcs12", field)
    assert not SigningCertificate.objects.exists() and _registers() == 0


# ---------------------------------------------------------------- (d) revoke

def test_revoke_my_certificate(me, people, fresh):
    cert = services.certificate_register_public(actor=people["me"], owner_user=people["me"],
                                                certificate_der=fresh().der)
    response = _post(me, "revoke", certificate=cert.pk, reason="Mất USB token")
    assert response.status_code == 302
    cert.refresh_from_db()
    assert cert.revoked_at is not None
    event = AuditEvent.objects.get(action="signing.certificate.revoke", object_id=str(cert.pk))
    assert event.details["reason"] == "Mất USB token"
    page = me.get(URL).content.decode()
    assert f'data-certificate="{cert.pk}" data-state="revoked"' in page
    # A revoked certificate cannot sign.
    from egov.core.errors import InvalidInput
    with pytest.raises(InvalidInput):
        services.signer_for(cert)


def test_revoke_errors_write_nothing(me, people, fresh):
    mine = services.certificate_register_public(actor=people["me"], owner_user=people["me"],
                                                certificate_der=fresh().der)
    theirs = services.certificate_register_public(actor=people["other"],
                                                  owner_user=people["other"],
                                                  certificate_der=fresh("Khác").der)
    response = _post(me, "revoke", certificate=mine.pk, reason="   ")
    assert response.status_code == 422 and _field_errors(response, "revoke", "reason")
    response = _post(me, "revoke", certificate=theirs.pk, reason="Không phải của tôi")
    assert response.status_code == 422 and _field_errors(response, "revoke", "certificate")
    assert not SigningCertificate.objects.filter(revoked_at__isnull=False).exists()
    assert not AuditEvent.objects.filter(action="signing.certificate.revoke").exists()


# ---------------------------------------------------------------- (e) my signature image

def test_signature_image_upload_and_show(me, people, client):
    html = me.get(URL).content.decode()
    assert 'data-testid="no-signature-image"' in html
    assert me.get(reverse("signing:certificates_signature_image")).status_code == 404
    png = _png()
    response = _post(me, "signature", image=SimpleUploadedFile("chu-ky.png", png, "image/png"))
    assert response.status_code == 302
    row = AppearanceImage.objects.get(owner_user=people["me"], kind="signature", is_active=True)
    assert bytes(row.image_png) == png
    html = me.get(URL).content.decode()
    assert 'data-testid="signature-image"' in html
    image = me.get(reverse("signing:certificates_signature_image"))
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert image.content == png
    # A new image replaces it.
    png2 = _png(color=(0, 0, 150))
    _post(me, "signature", image=SimpleUploadedFile("moi.png", png2, "image/png"))
    assert me.get(reverse("signing:certificates_signature_image")).content == png2
    assert AppearanceImage.objects.filter(owner_user=people["me"], is_active=True).count() == 1


def test_signature_image_errors_write_nothing(me, people):
    for name, data in (("chu-ky.png", _png(transparent=False)),   # no transparency
                       ("chu-ky.png", b"not an image"),
                       ("chu-ky.jpg", b"\xff\xd8\xff\xe0 jpeg")):
        response = _post(me, "signature", image=SimpleUploadedFile(name, data, "image/png"))
        assert response.status_code == 422, name
        assert _field_errors(response, "signature", "image")
    assert not AppearanceImage.objects.exists()
    assert not AuditEvent.objects.filter(action="signing.appearance_image.set").exists()


def test_unknown_operation(me):
    response = me.post(URL, {"op": "delete-everything"})
    assert response.status_code == 302


# ---------------------------------------------------------------- the API

def test_api_lists_only_mine(api, people, fresh):
    mine = services.certificate_register_public(actor=people["me"], owner_user=people["me"],
                                                certificate_der=fresh("Sắp hết", 5).der)
    services.certificate_register_public(actor=people["other"], owner_user=people["other"],
                                         certificate_der=fresh("Khác").der)
    response = api("me").get(API)
    assert response.status_code == 200
    body = response.json()
    assert [c["id"] for c in body] == [mine.pk]
    assert body[0]["state"] == "expiring" and body[0]["days_left"] == 5
    assert body[0]["key_source"] == "user_token" and body[0]["subject"] == mine.subject
    assert Client().get(API).status_code == 401


def test_api_register_certificate_file_and_der_and_key_file(api, people, fresh, test_pki):
    client = api("me")
    issued = fresh("Tệp PEM")
    response = client.post(API, {"file": _file("token.pem", issued.pem)})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["key_source"] == "user_token" and body["state"] == "valid"
    assert body["fingerprint_sha256"] == issued.fingerprint_sha256

    from_token = fresh("Đọc từ token")
    response = client.post(API, json.dumps({"der": base64.b64encode(from_token.der).decode()}),
                           content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["fingerprint_sha256"] == from_token.fingerprint_sha256

    response = client.post(API, {"file": _file("lanh.pfx", test_pki.leader_p12),
                                 "password": test_pki.password})
    assert response.status_code == 201, response.content
    assert response.json()["key_source"] == "key_file"
    assert SigningCertificate.objects.filter(owner_user=people["me"]).count() == 3
    assert _registers() == 3


def test_api_register_errors(api, people, fresh, test_pki):
    client = api("me")
    now = _now()
    expired = _issue(test_pki.root, "Hết hạn", not_before=now - dt.timedelta(days=30),
                     not_after=now - dt.timedelta(days=1))
    taken = fresh("Của người khác")
    services.certificate_register_public(actor=people["other"], owner_user=people["other"],
                                         certificate_der=taken.der)
    pem = fresh().pem
    broken = pem.replace(pem[100:140], b"!" * 40)
    before = (SigningCertificate.objects.count(), _registers())
    cases = [
        ({"file": _file("notes.txt", b"hello")}, "wrong_file_type", "file"),
        ({"file": _file("token.pem", broken)}, "broken_pem", "file"),
        ({"file": _file("token.cer", expired.der)}, "certificate_expired", "file"),
        ({"file": _file("token.cer", taken.der)}, "duplicate", "file"),
        ({"file": _file("lanh.p12", test_pki.leader_p12), "password": "sai"},
         "wrong_password", "password"),
        ({"file": _file("lanh.p12", b"garbage")}, "not_pkcs12", "file"),
        ({"password": "x"}, "required", "file"),
        ({"file": _file("big.cer", b"0" * (64 * 1024 + 1))}, "too_large", "file"),
        ({"file": _file("big.p12", b"0" * (256 * 1024 + 1)), "password": "x"}, "too_large",
         "file"),
    ]
    for data, code, field in cases:
        response = client.post(API, data)
        assert response.status_code == 422, (code, response.content)
        body = response.json()
        assert body["code"] == code and field in body["fields"] and body["message"], body
    for payload, code in (({"der": "@@not base64@@"}, "invalid_base64"),
                          ({"der": base64.b64encode(b"hello").decode()}, "not_a_certificate"),
                          ({"der": base64.b64encode(expired.der).decode()},
                           "certificate_expired"),
                          ({}, "required")):
        response = client.post(API, json.dumps(payload), content_type="application/json")
        assert response.status_code == 422, (code, response.content)
        assert response.json()["code"] == code and "der" in response.json()["fields"]
    response = client.post(API, "{broken", content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "malformed_body"
    response = client.post(API, "x", content_type="text/plain")
    assert response.status_code == 415
    assert (SigningCertificate.objects.count(), _registers()) == before


def test_api_revoke_and_others_are_hidden(api, people, fresh):
    mine = services.certificate_register_public(actor=people["me"], owner_user=people["me"],
                                                certificate_der=fresh().der)
    theirs = services.certificate_register_public(actor=people["other"],
                                                  owner_user=people["other"],
                                                  certificate_der=fresh("Khác").der)
    client = api("me")
    assert client.get(f"{API}/{theirs.pk}").status_code == 404
    response = client.post(f"{API}/{theirs.pk}/revoke", json.dumps({"reason": "x"}),
                           content_type="application/json")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    response = client.post(f"{API}/{mine.pk}/revoke", json.dumps({"reason": ""}),
                           content_type="application/json")
    assert response.status_code == 422 and "reason" in response.json()["fields"]
    assert not SigningCertificate.objects.filter(revoked_at__isnull=False).exists()

    response = client.post(f"{API}/{mine.pk}/revoke", json.dumps({"reason": "Mất token"}),
                           content_type="application/json")
    assert response.status_code == 200
    assert response.json()["state"] == "revoked" and response.json()["revoked_at"]
    assert client.get(f"{API}/{mine.pk}").json()["state"] == "revoked"
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_api_session_needs_csrf(people, fresh):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["me"])
    response = client.post(API, json.dumps({"der": base64.b64encode(fresh().der).decode()}),
                           content_type="application/json")
    assert response.status_code == 403
    assert not SigningCertificate.objects.exists()
