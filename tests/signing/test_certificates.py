"""The certificate registry: registration paths and refusals, signer_for, trust anchors,
expiry warnings (Luật Giao dịch điện tử 2023: expired or revoked certificates may not sign)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from django.core.management import call_command

from egov.core.errors import InvalidInput, PermissionDenied
from egov.core.models import AuditEvent, Notification
from egov.signing import keystore, pki, services
from egov.signing.models import KeySource, SigningCertificate, TrustAnchor
from egov.signing.pades import sign_pdf
from egov.signing.selectors import certificates_expiring, certificates_of, usable_certificate
from egov.signing.verify import verify_pdf


def _issue(ca: pki.Issued, cn: str, *, not_before: dt.datetime, not_after: dt.datetime,
           usage: dict | None = None) -> pki.Issued:
    """A certificate with chosen validity (pki.issue_certificate cannot back-date)."""
    key = pki.new_key("rsa")
    flags = dict(digital_signature=True, content_commitment=True, key_encipherment=False,
                 data_encipherment=False, key_agreement=False, key_cert_sign=False,
                 crl_sign=False, encipher_only=False, decipher_only=False)
    flags.update(usage or {})
    cert = (x509.CertificateBuilder()
            .subject_name(pki.make_name(cn)).issuer_name(ca.certificate.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(not_before).not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(**flags), critical=True)
            .sign(ca.key, hashes.SHA256()))
    return pki.Issued(cert, key)


@pytest.fixture
def people(org, make_user):
    return {
        "leader": make_user("lanh", org["province"], "leader"),
        "other": make_user("khac", org["office"], "officer"),
        "admin": make_user("quantri", org["office"], "admin"),
    }


@pytest.fixture
def anchor(db, test_pki):
    return TrustAnchor.objects.create(name="Test root", certificate_der=test_pki.root.der,
                                      fingerprint_sha256=test_pki.root.fingerprint_sha256)


def _now():
    return dt.datetime.now(dt.UTC)


# ---------------------------------------------------------------- key files (PKCS#12)

def test_user_registers_own_key_file_and_signs(people, test_pki, anchor, sample_pdf):
    cert = services.certificate_register_pkcs12(
        actor=people["leader"], owner_user=people["leader"], pkcs12=test_pki.leader_p12,
        password=test_pki.password)
    cert.refresh_from_db()
    assert cert.key_source == KeySource.KEY_FILE
    assert cert.fingerprint_sha256 == test_pki.leader.fingerprint_sha256
    assert bytes(cert.certificate_der) == test_pki.leader.der
    assert "CN=Trần Văn Lãnh" in cert.subject and "CN=eGov Test Root CA" in cert.issuer
    assert cert.serial == format(test_pki.leader.certificate.serial_number, "X")
    assert cert.not_after == test_pki.leader.certificate.not_valid_after_utc
    # The blob is encrypted, bound to the fingerprint, and holds neither the user's password
    # nor the original PKCS#12.
    blob = bytes(cert.key_material)
    assert test_pki.password.encode() not in blob and test_pki.leader_p12 not in blob
    with pytest.raises(keystore.KeystoreError):
        keystore.decrypt(blob, context=b"another-certificate")
    payload = json.loads(keystore.decrypt(blob, context=cert.fingerprint_sha256.encode()))
    assert payload["password"] != test_pki.password
    assert AuditEvent.objects.filter(action="signing.certificate.register",
                                     object_id=str(cert.pk)).exists()

    signer = services.signer_for(cert)
    signed = sign_pdf(sample_pdf, signer, field_name="LanhDao", reason="Ký ban hành")
    report = verify_pdf(signed)
    assert report.valid and report.signatures[0].trusted


def test_wrong_password_and_garbage_are_refused(people, test_pki):
    for blob, password in ((test_pki.leader_p12, "sai-mat-khau"), (b"not a pkcs12", "x")):
        with pytest.raises(InvalidInput) as exc:
            services.certificate_register_pkcs12(actor=people["leader"],
                                                 owner_user=people["leader"], pkcs12=blob,
                                                 password=password)
        assert "pkcs12" in exc.value.fields
    assert not SigningCertificate.objects.exists()


def test_expired_and_not_yet_valid_are_refused(people, test_pki):
    now = _now()
    for nb, na in ((now - dt.timedelta(days=400), now - dt.timedelta(days=1)),
                   (now + dt.timedelta(days=1), now + dt.timedelta(days=400))):
        issued = _issue(test_pki.root, "Hết hạn", not_before=nb, not_after=na)
        with pytest.raises(InvalidInput) as exc:
            services.certificate_register_pkcs12(
                actor=people["leader"], owner_user=people["leader"],
                pkcs12=pki.export_pkcs12(issued, "pw"), password="pw")
        assert exc.value.code == "certificate_expired"
        with pytest.raises(InvalidInput) as exc:
            services.certificate_register_public(actor=people["leader"],
                                                 owner_user=people["leader"],
                                                 certificate_der=issued.der)
        assert exc.value.code == "certificate_expired"


def test_duplicate_is_refused(people, test_pki):
    services.certificate_register_pkcs12(actor=people["leader"], owner_user=people["leader"],
                                         pkcs12=test_pki.leader_p12, password=test_pki.password)
    with pytest.raises(InvalidInput) as exc:
        services.certificate_register_pkcs12(actor=people["admin"], owner_user=people["other"],
                                             pkcs12=test_pki.leader_p12,
                                             password=test_pki.password)
    assert exc.value.code == "duplicate"
    assert SigningCertificate.objects.count() == 1


def test_key_without_signature_usage_is_refused(people, test_pki):
    now = _now()
    issued = _issue(test_pki.root, "Mã hóa", not_before=now - dt.timedelta(hours=1),
                    not_after=now + dt.timedelta(days=30),
                    usage={"digital_signature": False, "content_commitment": False,
                           "key_encipherment": True})
    with pytest.raises(InvalidInput) as exc:
        services.certificate_register_pkcs12(actor=people["leader"], owner_user=people["leader"],
                                             pkcs12=pki.export_pkcs12(issued, "pw"),
                                             password="pw")
    assert exc.value.code == "bad_key_usage"


def test_registering_for_someone_else_needs_manage_users(people, org, test_pki):
    with pytest.raises(PermissionDenied):
        services.certificate_register_pkcs12(actor=people["other"], owner_user=people["leader"],
                                             pkcs12=test_pki.leader_p12,
                                             password=test_pki.password)
    with pytest.raises(PermissionDenied):
        services.certificate_register_pkcs12(actor=people["leader"], owner_unit=org["province"],
                                             pkcs12=test_pki.org_p12,
                                             password=test_pki.password)
    assert not SigningCertificate.objects.exists()
    by_admin = services.certificate_register_pkcs12(
        actor=people["admin"], owner_unit=org["province"], pkcs12=test_pki.org_p12,
        password=test_pki.password)
    assert by_admin.owner_unit == org["province"]
    assert usable_certificate(unit=org["province"]) == by_admin


# ---------------------------------------------------------------- signer_for refusals

def test_signer_for_refuses_expired_and_revoked(people, test_pki):
    now = _now()
    old = _issue(test_pki.root, "Đã hết hạn", not_before=now - dt.timedelta(days=400),
                 not_after=now - dt.timedelta(days=1))
    # Registered while valid (a row written as the service would have), expired since.
    expired = SigningCertificate.objects.create(
        owner_user=people["leader"], certificate_der=old.der,
        fingerprint_sha256=old.fingerprint_sha256, subject="CN=Đã hết hạn", issuer="CN=x",
        serial="1", not_before=old.certificate.not_valid_before_utc,
        not_after=old.certificate.not_valid_after_utc, key_source=KeySource.KEY_FILE,
        key_material=keystore.encrypt(b"{}", context=old.fingerprint_sha256.encode()))
    with pytest.raises(InvalidInput) as exc:
        services.signer_for(expired)
    assert exc.value.code == "certificate_expired"

    cert = services.certificate_register_pkcs12(
        actor=people["leader"], owner_user=people["leader"], pkcs12=test_pki.leader_p12,
        password=test_pki.password)
    assert services.signer_for(cert) is not None
    with pytest.raises(InvalidInput) as exc:  # validity is checked at the time of signing
        services.signer_for(cert, now=cert.not_after + dt.timedelta(seconds=1))
    assert exc.value.code == "certificate_expired"
    with pytest.raises(PermissionDenied):
        services.certificate_revoke(actor=people["other"], certificate=cert, reason="x")
    services.certificate_revoke(actor=people["leader"], certificate=cert, reason="Mất khóa")
    with pytest.raises(InvalidInput) as exc:
        services.signer_for(cert)
    assert exc.value.code == "certificate_revoked"
    cert.refresh_from_db()
    assert cert.revoked_at is not None
    assert usable_certificate(user=people["leader"]) is None
    assert list(certificates_of(people["leader"])) == [cert, expired]
    assert AuditEvent.objects.get(action="signing.certificate.revoke").details["reason"] == \
        "Mất khóa"


def test_user_token_certificate_has_no_server_signer(people, test_pki):
    cert = services.certificate_register_public(actor=people["leader"],
                                                owner_user=people["leader"],
                                                certificate_der=test_pki.leader.der)
    assert cert.key_source == KeySource.USER_TOKEN and cert.key_material is None
    with pytest.raises(InvalidInput) as exc:
        services.signer_for(cert)
    assert exc.value.code == "key_not_on_server"
    assert usable_certificate(user=people["leader"]) is None


# ---------------------------------------------------------------- PKCS#11 (SoftHSM2)

def test_pkcs11_certificate_signs_with_pin_from_environment(people, org, softhsm_token, anchor,
                                                            sample_pdf, monkeypatch):
    cert = services.certificate_register_pkcs11(
        actor=people["admin"], owner_unit=org["province"], certificate_der=softhsm_token.ec.der,
        module=softhsm_token.module, token_label=softhsm_token.label,
        key_label=softhsm_token.ec_label, pin_env="EGOV_TEST_TOKEN_PIN",
        other_certs_to_pull=["root-ca"])
    cert.refresh_from_db()
    assert softhsm_token.pin not in json.dumps(cert.key_config)
    assert cert.key_material is None
    monkeypatch.delenv("EGOV_TEST_TOKEN_PIN", raising=False)
    with pytest.raises(InvalidInput) as exc:
        services.signer_for(cert)
    assert exc.value.code == "pin_missing"
    monkeypatch.setenv("EGOV_TEST_TOKEN_PIN", softhsm_token.pin)
    signed = sign_pdf(sample_pdf, services.signer_for(cert), field_name="CoQuan")
    report = verify_pdf(signed)
    assert report.valid and report.signatures[0].trusted


# ---------------------------------------------------------------- trust anchors

def test_trust_anchor_add_pem_and_deactivate(people, test_pki):
    with pytest.raises(PermissionDenied):
        services.trust_anchor_add(actor=people["other"], certificate_der_or_pem=test_pki.root.pem,
                                  name="Gốc")
    anchor = services.trust_anchor_add(actor=people["admin"],
                                       certificate_der_or_pem=test_pki.root.pem.decode(),
                                       name="Gốc thử nghiệm")
    assert bytes(anchor.certificate_der) == test_pki.root.der and anchor.is_active
    with pytest.raises(InvalidInput) as exc:
        services.trust_anchor_add(actor=people["admin"], certificate_der_or_pem=test_pki.root.der,
                                  name="Lại")
    assert exc.value.code == "duplicate"
    with pytest.raises(InvalidInput) as exc:  # an end-entity certificate is not a root
        services.trust_anchor_add(actor=people["admin"], certificate_der_or_pem=test_pki.leader.der,
                                  name="Lá")
    assert exc.value.code == "not_a_ca"
    with pytest.raises(InvalidInput):
        services.trust_anchor_add(actor=people["admin"], certificate_der_or_pem=b"rubbish",
                                  name="x")
    services.trust_anchor_deactivate(actor=people["admin"], anchor=anchor)
    anchor.refresh_from_db()
    assert not anchor.is_active


def test_admin_trust_anchor_add_form_accepts_pem(client, people, test_pki):
    admin_user = people["admin"]
    admin_user.is_staff = True
    admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    resp = client.post("/admin/signing/trustanchor/add/",
                       {"name": "Gốc dán PEM", "pem_text": test_pki.root.pem.decode()})
    assert resp.status_code == 302, resp.content.decode()[:2000]
    anchor = TrustAnchor.objects.get()
    assert anchor.name == "Gốc dán PEM"
    assert anchor.fingerprint_sha256 == test_pki.root.fingerprint_sha256
    resp = client.post("/admin/signing/trustanchor/add/", {"name": "x", "pem_text": "rubbish"})
    assert resp.status_code == 200 and TrustAnchor.objects.count() == 1
    # The certificate list never shows key material.
    services.certificate_register_pkcs12(actor=admin_user, owner_user=people["leader"],
                                         pkcs12=test_pki.leader_p12, password=test_pki.password)
    cert = SigningCertificate.objects.get()
    page = client.get(f"/admin/signing/signingcertificate/{cert.pk}/change/")
    assert page.status_code == 200
    assert "key_material" not in page.content.decode()


# ---------------------------------------------------------------- expiry warnings

def test_expiry_warning_sent_once(people, org, make_user, test_pki):
    now = _now()
    soon = _issue(test_pki.root, "Sắp hết hạn", not_before=now - dt.timedelta(days=300),
                  not_after=now + dt.timedelta(days=20))
    later = _issue(test_pki.root, "Còn lâu", not_before=now - dt.timedelta(days=1),
                   not_after=now + dt.timedelta(days=200))
    unit_soon = _issue(test_pki.root, "Cơ quan", not_before=now - dt.timedelta(days=1),
                       not_after=now + dt.timedelta(days=10))
    services.certificate_register_public(actor=people["leader"], owner_user=people["leader"],
                                         certificate_der=soon.der)
    services.certificate_register_public(actor=people["leader"], owner_user=people["leader"],
                                         certificate_der=later.der)
    services.certificate_register_pkcs12(actor=people["admin"], owner_unit=org["province"],
                                         pkcs12=pki.export_pkcs12(unit_soon, "pw"),
                                         password="pw")
    assert [c.subject for c in certificates_expiring(30)] == ["CN=Cơ quan,C=VN",
                                                               "CN=Sắp hết hạn,C=VN"]
    call_command("signing_daily")
    leader_notes = Notification.objects.filter(user=people["leader"])
    assert leader_notes.count() == 1 and "Sắp hết hạn" in leader_notes.get().subject
    # The unit's certificate goes to those who manage users, not to the officer.
    assert Notification.objects.filter(user=people["admin"]).count() == 1
    assert not Notification.objects.filter(user=people["other"]).exists()
    assert AuditEvent.objects.filter(action=services.WARNING_ACTION).count() == 2
    call_command("signing_daily")
    assert Notification.objects.count() == 2
