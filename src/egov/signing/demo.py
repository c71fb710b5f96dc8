"""Demo PKI (DỮ LIỆU MẪU): a demo CA, trusted as a TrustAnchor (is_demo), with a key-file
certificate for the demo leader ``lanhdao`` and an organisation certificate for the demo province
committee. Idempotent.

The demo CA's private key is never stored in the database: it is kept encrypted with the keystore
(bound to the CA fingerprint as associated data) in ``settings.VAR_DIR / "demo-ca" / "ca-key.enc"``
(mode 0600) so that a later run can re-issue a missing certificate under the same CA. If the file
is lost or belongs to another CA (another demo database sharing VAR_DIR overwrote it) while a
certificate is missing, a new demo CA replaces the old one: the old anchor is deactivated and both
certificates are issued again.
"""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.db import transaction

from . import keystore, pki
from .models import SigningCertificate, TrustAnchor

CA_NAME = "eGov Demo CA (mẫu)"
LEADER_USERNAME = "lanhdao"
LEADER_CN = "Trần Văn Lãnh (mẫu)"
PROVINCE_EID = "000.00.00.Z01"
PROVINCE_CN = "Ủy ban nhân dân tỉnh Minh Phong (mẫu)"
ORGANIZATION = "Ủy ban nhân dân tỉnh Minh Phong (mẫu)"


def _key_path() -> Path:
    return Path(settings.VAR_DIR) / "demo-ca" / "ca-key.enc"


def _save_ca_key(ca: pki.Issued) -> None:
    path = _key_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    der = ca.key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                               serialization.NoEncryption())
    path.write_bytes(keystore.encrypt(der, context=ca.fingerprint_sha256.encode()))
    path.chmod(0o600)


def _load_ca(anchor: TrustAnchor) -> pki.Issued | None:
    from cryptography import x509

    path = _key_path()
    if not path.is_file():
        return None
    try:
        der = keystore.decrypt(path.read_bytes(), context=anchor.fingerprint_sha256.encode())
    except keystore.KeystoreError:
        return None
    cert = x509.load_der_x509_certificate(bytes(anchor.certificate_der))
    return pki.Issued(cert, serialization.load_der_private_key(der, password=None))


def _has_cert(anchor: TrustAnchor, **owner) -> bool:
    from cryptography import x509

    subject = x509.load_der_x509_certificate(bytes(anchor.certificate_der)).subject
    return SigningCertificate.objects.filter(**owner, revoked_at__isnull=True,
                                             issuer=subject.rfc4514_string()).exists()


def load_demo() -> dict[str, int]:
    from egov.core.models import OrgUnit, User

    from .services import certificate_register_pkcs12, trust_anchor_add, trust_anchor_deactivate

    leader = User.objects.filter(username=LEADER_USERNAME).first()
    province = OrgUnit.objects.filter(electronic_id=PROVINCE_EID).first()
    # The demo administrator (a superuser created by egov.core.demo) acts for the installer.
    admin = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    created = {"trust_anchors": 0, "certificates": 0}
    if admin is None:
        return created
    owners = [(kind, owner) for kind, owner in (("user", leader), ("unit", province))
              if owner is not None]
    with transaction.atomic():
        anchor = TrustAnchor.objects.filter(is_demo=True, is_active=True, name=CA_NAME).first()
        wanted = [(kind, owner) for kind, owner in owners if anchor is None or not _has_cert(
            anchor, **{"owner_user" if kind == "user" else "owner_unit": owner})]
        if not wanted:
            return created
        ca = _load_ca(anchor) if anchor is not None else None
        new_ca = ca is None
        if new_ca:
            ca = pki.create_root_ca(CA_NAME, "eGov (mẫu)")
            _save_ca_key(ca)
            wanted = owners  # a new CA: issue both certificates under it
        # Keys are made before anything is audited, so the audit trail's head row is not held
        # locked during key generation.
        password = "demo"
        issued = [(kind, owner, pki.export_pkcs12(
            pki.issue_certificate(ca, LEADER_CN if kind == "user" else PROVINCE_CN,
                                  organization=ORGANIZATION, locality="Minh Phong",
                                  algorithm="rsa"),
            password, chain=[ca.certificate])) for kind, owner in wanted]
        if new_ca:
            if anchor is not None:
                trust_anchor_deactivate(actor=admin, anchor=anchor)
            trust_anchor_add(actor=admin, certificate_der_or_pem=ca.der, name=CA_NAME,
                             is_demo=True)
            created["trust_anchors"] += 1
        for kind, owner, blob in issued:
            certificate_register_pkcs12(
                actor=admin, owner_user=owner if kind == "user" else None,
                owner_unit=owner if kind == "unit" else None, pkcs12=blob, password=password)
            created["certificates"] += 1
    return created
