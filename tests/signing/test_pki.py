"""Test PKI and keystore (encryption of key material at rest)."""

from __future__ import annotations

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID

from egov.signing import keystore, pki


def test_leader_certificate_has_vietnamese_subject_and_signing_key_usage(test_pki):
    cert = test_pki.leader.certificate
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "Trần Văn Lãnh"
    assert cert.subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value == "VN"
    assert cert.subject.get_attributes_for_oid(NameOID.LOCALITY_NAME)[0].value == "Minh Phong"
    assert cert.issuer == test_pki.root.certificate.subject
    ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert ku.digital_signature and ku.content_commitment and not ku.key_cert_sign
    assert cert.public_key().key_size == 2048
    cert.verify_directly_issued_by(test_pki.root.certificate)


def test_org_certificate_is_ecdsa_p256(test_pki):
    from cryptography.hazmat.primitives.asymmetric import ec

    key = test_pki.org.certificate.public_key()
    assert isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name == "secp256r1"
    org = test_pki.org.certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    assert org[0].value == "UBND tỉnh Minh Phong"


def test_pkcs12_round_trip_needs_the_password(test_pki):
    key, cert, extra = pki.load_pkcs12(test_pki.leader_p12, test_pki.password)
    assert cert == test_pki.leader.certificate
    assert extra == [test_pki.root.certificate]
    with pytest.raises(ValueError):
        pki.load_pkcs12(test_pki.leader_p12, "sai-mat-khau")


def test_certificate_for_an_external_public_key_has_no_private_key(test_pki):
    key = pki.new_key("ecdsa")
    issued = pki.issue_certificate(test_pki.root, "Nguyễn Thị Hà", public_key=key.public_key())
    assert issued.key is None
    with pytest.raises(ValueError):
        pki.export_pkcs12(issued, "x")


def test_keystore_round_trip(settings, monkeypatch):
    monkeypatch.delenv(keystore.ENV_VAR, raising=False)
    blob = keystore.encrypt(b"pkcs12 bytes", context=b"cert:1")
    assert blob.startswith(keystore.MAGIC) and b"pkcs12 bytes" not in blob
    assert keystore.decrypt(blob, context=b"cert:1") == b"pkcs12 bytes"
    # A fresh nonce every time.
    assert keystore.encrypt(b"pkcs12 bytes") != keystore.encrypt(b"pkcs12 bytes")


def test_keystore_detects_wrong_key_context_and_tampering(settings, monkeypatch):
    monkeypatch.delenv(keystore.ENV_VAR, raising=False)
    blob = keystore.encrypt(b"secret key", context=b"cert:1")
    with pytest.raises(keystore.KeystoreError):
        keystore.decrypt(blob, context=b"cert:1", secret="another-secret-key")
    with pytest.raises(keystore.KeystoreError):
        keystore.decrypt(blob, context=b"cert:2")
    tampered = bytearray(blob)
    tampered[-1] ^= 1
    with pytest.raises(keystore.KeystoreError):
        keystore.decrypt(bytes(tampered), context=b"cert:1")
    with pytest.raises(keystore.KeystoreError):
        keystore.decrypt(b"not a blob")
    settings.SECRET_KEY = "a-rotated-secret-key-0123456789-0123456789-0123456789"
    with pytest.raises(keystore.KeystoreError):
        keystore.decrypt(blob, context=b"cert:1")


def test_keystore_prefers_the_dedicated_environment_key(settings, monkeypatch):
    monkeypatch.setenv(keystore.ENV_VAR, "dedicated-keystore-key")
    blob = keystore.encrypt(b"material")
    settings.SECRET_KEY = "a-rotated-secret-key-0123456789-0123456789-0123456789"
    assert keystore.decrypt(blob) == b"material"  # unaffected by SECRET_KEY rotation
    assert keystore.decrypt(blob, secret="dedicated-keystore-key") == b"material"
    monkeypatch.delenv(keystore.ENV_VAR)
    with pytest.raises(keystore.KeystoreError):
        keystore.decrypt(blob)
