"""Key sources: PKCS#12 key files (cached) and PKCS#11 tokens (SoftHSM2)."""

from __future__ import annotations

import asyncio

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding
from pyhanko.sign.pkcs11 import PKCS11Signer

from egov.signing import signers
from egov.signing.signers import KeyFileSource, Pkcs11Source, SignerConfigError, get_signer


def test_key_file_signer_is_cached_per_key(test_pki):
    KeyFileSource.clear_cache()
    before = KeyFileSource.loads
    first = get_signer("key_file", pkcs12=test_pki.leader_p12, password=test_pki.password)
    again = get_signer("key_file", pkcs12=test_pki.leader_p12, password=test_pki.password)
    assert again is first
    assert KeyFileSource.loads == before + 1
    assert first.signing_cert.subject.native["common_name"] == "Trần Văn Lãnh"
    other = get_signer("key_file", pkcs12=test_pki.org_p12, password=test_pki.password)
    assert other is not first
    assert KeyFileSource.loads == before + 2


def test_cached_key_signer_signs_without_reparsing_the_key(test_pki, monkeypatch):
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, padding

    KeyFileSource.clear_cache()
    signer = get_signer("key_file", pkcs12=test_pki.leader_p12, password=test_pki.password)
    calls = []
    real = serialization.load_der_private_key
    monkeypatch.setattr(serialization, "load_der_private_key",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    sig = signer.sign_raw(b"du lieu", "sha256")
    test_pki.leader.certificate.public_key().verify(sig, b"du lieu", padding.PKCS1v15(),
                                                     hashes.SHA256())
    ec_signer = get_signer("key_file", pkcs12=test_pki.org_p12, password=test_pki.password)
    sig = ec_signer.sign_raw(b"du lieu", "sha256")
    test_pki.org.certificate.public_key().verify(sig, b"du lieu", ec.ECDSA(hashes.SHA256()))
    assert calls == []


def test_key_file_with_wrong_password_is_refused(test_pki):
    with pytest.raises(SignerConfigError):
        get_signer("key_file", pkcs12=test_pki.leader_p12, password="sai-mat-khau")


def test_unknown_source_is_refused():
    with pytest.raises(SignerConfigError):
        get_signer("carrier_pigeon")


def test_sources_plug_in_through_the_registry(test_pki, monkeypatch):
    monkeypatch.setitem(signers.SOURCES, "user_token", signers.SOURCES["key_file"])
    signer = get_signer("user_token", pkcs12=test_pki.org_p12, password=test_pki.password)
    assert signer.signing_cert.subject.native["common_name"] == "UBND tỉnh Minh Phong"
    signers.register_source("user_token_2", signers.SOURCES["key_file"])
    try:
        assert "user_token_2" in signers.SOURCES
    finally:
        del signers.SOURCES["user_token_2"]


@pytest.mark.parametrize(("label_attr", "raw"), [("rsa_label", False), ("ec_label", True)])
def test_pkcs11_signer_from_softhsm(softhsm_token, label_attr, raw):
    label = getattr(softhsm_token, label_attr)
    signer = get_signer("pkcs11", **softhsm_token.config(label))
    assert isinstance(signer, PKCS11Signer)
    assert signer.use_raw_mechanism is raw  # EC on SoftHSM2 needs raw CKM_ECDSA
    opened = Pkcs11Source.sessions_opened
    assert get_signer("pkcs11", **softhsm_token.config(label)) is signer
    assert Pkcs11Source.sessions_opened == opened
    sig = asyncio.run(signer.async_sign_raw(b"du lieu", "sha256"))
    public_key = getattr(softhsm_token, "ec" if raw else "rsa").certificate.public_key()
    if raw:
        # pyHanko returns the DER-encoded ECDSA signature from the raw mechanism.
        public_key.verify(sig, b"du lieu", ec.ECDSA(hashes.SHA256()))
    else:
        public_key.verify(sig, b"du lieu", padding.PKCS1v15(), hashes.SHA256())


def test_pkcs11_wrong_pin_or_label_is_refused(softhsm_token):
    config = softhsm_token.config(softhsm_token.rsa_label)
    with pytest.raises(SignerConfigError):
        get_signer("pkcs11", **{**config, "pin": "000000"})
    with pytest.raises(SignerConfigError):
        get_signer("pkcs11", **{**config, "token_label": "no-such-token"})
    with pytest.raises(SignerConfigError):
        get_signer("pkcs11", **{**config, "key_label": "no-such-key"})
