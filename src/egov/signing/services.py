"""The certificate registry and trust anchors: registration, revocation, and the glue from a
registered certificate to a pyHanko signer (:func:`signer_for`).

Key files at rest (decision): the uploaded PKCS#12 is opened with the holder's password, then
re-exported under a fresh random password; the JSON ``{"p12": base64, "password": random}`` is
encrypted with :mod:`egov.signing.keystore` bound to the certificate fingerprint (so a blob cannot
be moved to another row). The holder's own password is never stored, and the random one never
leaves the encrypted blob. Private keys must be kept under the holder's control (NĐ 130/2018
Điều 79; Luật Giao dịch điện tử 2023 Điều 27).

PKCS#11 keys: ``key_config`` holds module, token label and key label plus ``pin_env``, the name of
the environment variable with the PIN (default ``EGOV_PKCS11_PIN``); the PIN is never stored.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import secrets

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs12 as p12
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from egov.core.audit import audit_log
from egov.core.errors import InvalidInput
from egov.core.msgtext import Msg
from egov.core.policy import require

from . import keystore
from .models import KeySource, SigningCertificate, TrustAnchor
from .signers import SignerConfigError, get_signer

DEFAULT_PIN_ENV = "EGOV_PKCS11_PIN"
WARNING_ACTION = "signing.certificate.expiry_warning"


# ---------------------------------------------------------------- helpers

def _fingerprint(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex()


def _load_der(certificate_der: bytes) -> x509.Certificate:
    try:
        return x509.load_der_x509_certificate(bytes(certificate_der))
    except ValueError:
        raise InvalidInput(_("This is not an X.509 certificate (DER)."),
                           fields={"certificate_der": [_("Not a certificate.")]}) from None


def _check_validity(cert: x509.Certificate, now: dt.datetime | None = None) -> None:
    # Luật Giao dịch điện tử 2023: an expired or not-yet-valid certificate may not be used.
    now = now or timezone.now()
    if not (cert.not_valid_before_utc <= now <= cert.not_valid_after_utc):
        raise InvalidInput(_("The certificate is expired or not yet valid."),
                           fields={"certificate": [_("Expired or not yet valid.")]},
                           code="certificate_expired")


def _check_usage(cert: x509.Certificate) -> None:
    """A signing certificate must allow digitalSignature or nonRepudiation (contentCommitment)."""
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return  # no restriction (RFC 5280 §4.2.1.3)
    if not (usage.digital_signature or usage.content_commitment):
        raise InvalidInput(_("This certificate may not be used for signatures."),
                           fields={"certificate": [_("No digital signature key usage.")]},
                           code="bad_key_usage")


def _owner_check(actor, owner_user, owner_unit) -> None:
    if owner_user is None and owner_unit is None:
        raise InvalidInput(_("A certificate needs an owner."),
                           fields={"owner": [_("Choose a person or a unit.")]})
    if owner_unit is not None:
        require(actor, "core.manage_users", owner_unit)
    elif getattr(owner_user, "pk", None) != getattr(actor, "pk", None):
        require(actor, "core.manage_users")
    elif not getattr(actor, "is_authenticated", False) or not actor.is_active:
        require(actor, "core.manage_users")  # raises PermissionDenied


def _create(*, actor, owner_user, owner_unit, cert: x509.Certificate, key_source: str,
            key_material: bytes | None = None, key_config: dict | None = None,
            fingerprint: str | None = None) -> SigningCertificate:
    fingerprint = fingerprint or _fingerprint(cert)
    if SigningCertificate.objects.filter(fingerprint_sha256=fingerprint).exists():
        raise _duplicate()
    try:
        with transaction.atomic():
            row = SigningCertificate.objects.create(
                owner_user=owner_user, owner_unit=owner_unit,
                certificate_der=cert.public_bytes(serialization.Encoding.DER),
                fingerprint_sha256=fingerprint,
                subject=cert.subject.rfc4514_string()[:500],
                issuer=cert.issuer.rfc4514_string()[:500],
                serial=format(cert.serial_number, "X")[:100],
                not_before=cert.not_valid_before_utc, not_after=cert.not_valid_after_utc,
                key_source=key_source, key_material=key_material, key_config=key_config or {},
            )
            audit_log(actor=actor, action="signing.certificate.register", obj=row,
                      details={"fingerprint": fingerprint, "key_source": key_source,
                               "subject": row.subject, "owner_user": getattr(owner_user, "pk", None),
                               "owner_unit": getattr(owner_unit, "pk", None)})
    except IntegrityError:
        raise _duplicate() from None
    return row


def _duplicate() -> InvalidInput:
    return InvalidInput(_("This certificate is already registered."),
                        fields={"certificate": [_("Already registered.")]}, code="duplicate")


# ---------------------------------------------------------------- registration

def certificate_register_pkcs12(*, actor, owner_user=None, owner_unit=None, pkcs12: bytes,
                                password: str) -> SigningCertificate:
    """Register a key file (PKCS#12) held by the server; the password is not stored."""
    _owner_check(actor, owner_user, owner_unit)
    try:
        key, cert, extra = p12.load_key_and_certificates(
            bytes(pkcs12), password.encode() if password else None)
    except (ValueError, TypeError):
        raise InvalidInput(_("The key file cannot be opened: wrong password or not a PKCS#12 "
                             "file."), fields={"pkcs12": [_("Wrong password or not a PKCS#12 "
                                                            "file.")]}) from None
    if key is None or cert is None:
        raise InvalidInput(_("The key file holds no key or no certificate."),
                           fields={"pkcs12": [_("No key or certificate.")]})
    _check_validity(cert)
    _check_usage(cert)
    fingerprint = _fingerprint(cert)
    inner_password = secrets.token_urlsafe(24)
    reexported = p12.serialize_key_and_certificates(
        None, key, cert, list(extra or []) or None,
        serialization.BestAvailableEncryption(inner_password.encode()))
    payload = json.dumps({"p12": base64.b64encode(reexported).decode(),
                          "password": inner_password}).encode()
    blob = keystore.encrypt(payload, context=fingerprint.encode())
    return _create(actor=actor, owner_user=owner_user, owner_unit=owner_unit, cert=cert,
                   key_source=KeySource.KEY_FILE, key_material=blob, fingerprint=fingerprint)


def certificate_register_pkcs11(*, actor, owner_user=None, owner_unit=None, certificate_der: bytes,
                                module: str, token_label: str, key_label: str,
                                cert_label: str = "", pin_env: str = DEFAULT_PIN_ENV,
                                other_certs_to_pull: list | tuple = ()) -> SigningCertificate:
    """Register a key on a server PKCS#11 token; the PIN is read from ``pin_env`` when signing."""
    _owner_check(actor, owner_user, owner_unit)
    cert = _load_der(certificate_der)
    _check_validity(cert)
    _check_usage(cert)
    if not (module and token_label and key_label and pin_env):
        raise InvalidInput(_("Module, token label and key label are required."),
                           fields={"key_config": [_("Incomplete token configuration.")]})
    config = {"module": module, "token_label": token_label, "key_label": key_label,
              "cert_label": cert_label or key_label, "pin_env": pin_env,
              "other_certs_to_pull": list(other_certs_to_pull)}
    return _create(actor=actor, owner_user=owner_user, owner_unit=owner_unit, cert=cert,
                   key_source=KeySource.PKCS11, key_config=config)


def certificate_register_public(*, actor, owner_user, certificate_der: bytes) -> SigningCertificate:
    """Register the certificate of a key on the user's own USB token (verification of uploads)."""
    _owner_check(actor, owner_user, None)
    cert = _load_der(certificate_der)
    _check_validity(cert)
    _check_usage(cert)
    return _create(actor=actor, owner_user=owner_user, owner_unit=None, cert=cert,
                   key_source=KeySource.USER_TOKEN)


def certificate_revoke(*, actor, certificate: SigningCertificate, reason: str) -> SigningCertificate:
    """Stop using a certificate here (its key was lost, the holder left, the CA revoked it)."""
    if certificate.owner_unit_id is not None:
        require(actor, "core.manage_users", certificate.owner_unit)
    elif certificate.owner_user_id != getattr(actor, "pk", None):
        require(actor, "core.manage_users")
    if not (reason or "").strip():
        raise InvalidInput(_("Give a reason."), fields={"reason": [_("Required.")]})
    with transaction.atomic():
        row = SigningCertificate.objects.select_for_update().get(pk=certificate.pk)
        if row.revoked_at is None:
            row.revoked_at = timezone.now()
            row.save(update_fields=["revoked_at"])
            audit_log(actor=actor, action="signing.certificate.revoke", obj=row,
                      details={"reason": reason.strip()[:500],
                               "fingerprint": row.fingerprint_sha256})
    certificate.revoked_at = row.revoked_at
    return row


# ---------------------------------------------------------------- signing glue

def signer_for(certificate: SigningCertificate, *, now: dt.datetime | None = None):
    """The pyHanko signer of a registered certificate, refusing unusable ones.

    Luật Giao dịch điện tử 2023: a certificate that has expired, is not yet valid, or has been
    revoked may not be used to sign.
    """
    now = now or timezone.now()
    if certificate.revoked_at is not None:
        raise InvalidInput(_("The certificate has been revoked and may not be used to sign."),
                           fields={"certificate": [_("Revoked.")]}, code="certificate_revoked")
    if not (certificate.not_before <= now <= certificate.not_after):
        raise InvalidInput(_("The certificate is expired or not yet valid and may not be used "
                             "to sign."), fields={"certificate": [_("Expired or not yet valid.")]},
                           code="certificate_expired")
    try:
        if certificate.key_source == KeySource.KEY_FILE:
            payload = json.loads(keystore.decrypt(
                bytes(certificate.key_material),
                context=certificate.fingerprint_sha256.encode()))
            return get_signer("key_file", pkcs12=base64.b64decode(payload["p12"]),
                              password=payload["password"])
        if certificate.key_source == KeySource.PKCS11:
            cfg = certificate.key_config
            pin = os.environ.get(cfg.get("pin_env") or DEFAULT_PIN_ENV)
            if not pin:
                raise InvalidInput(_("The PIN of the signing token is not configured on the "
                                     "server."), code="pin_missing")
            return get_signer("pkcs11", module=cfg["module"], token_label=cfg["token_label"],
                              pin=pin, key_label=cfg["key_label"],
                              cert_label=cfg.get("cert_label") or cfg["key_label"],
                              other_certs_to_pull=cfg.get("other_certs_to_pull") or ())
    except (keystore.KeystoreError, SignerConfigError, KeyError, ValueError) as exc:
        if isinstance(exc, InvalidInput):
            raise
        raise InvalidInput(_("The key of this certificate cannot be used: %(error)s")
                           % {"error": exc}, code="key_unavailable") from exc
    raise InvalidInput(_("This certificate's key is not held by the server."),
                       code="key_not_on_server")


# ---------------------------------------------------------------- trust anchors

def _parse_any(data: bytes | str) -> x509.Certificate:
    raw = data.encode() if isinstance(data, str) else bytes(data)
    try:
        if b"-----BEGIN" in raw:
            return x509.load_pem_x509_certificate(raw)
        return x509.load_der_x509_certificate(raw)
    except ValueError:
        raise InvalidInput(_("This is not a certificate (PEM or DER)."),
                           fields={"certificate": [_("Not a certificate.")]}) from None


def trust_anchor_add(*, actor, certificate_der_or_pem: bytes | str, name: str,
                     is_demo: bool = False) -> TrustAnchor:
    """Trust a root CA (e.g. the national root of the Ban Cơ yếu Chính phủ / NEAC; Luật Giao dịch
    điện tử 2023 Điều 23–24)."""
    require(actor, "core.manage_users")
    cert = _parse_any(certificate_der_or_pem)
    try:
        ca = cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        ca = False
    if not ca:
        raise InvalidInput(_("This certificate is not a certification authority."),
                           fields={"certificate": [_("Not a CA certificate.")]}, code="not_a_ca")
    name = (name or "").strip() or cert.subject.rfc4514_string()[:200]
    fingerprint = _fingerprint(cert)
    if TrustAnchor.objects.filter(fingerprint_sha256=fingerprint).exists():
        raise _duplicate()
    try:
        with transaction.atomic():
            anchor = TrustAnchor.objects.create(
                name=name[:200], certificate_der=cert.public_bytes(serialization.Encoding.DER),
                fingerprint_sha256=fingerprint, is_demo=is_demo)
            audit_log(actor=actor, action="signing.trust_anchor.add", obj=anchor,
                      details={"fingerprint": fingerprint, "name": anchor.name})
    except IntegrityError:
        raise _duplicate() from None
    return anchor


def trust_anchor_deactivate(*, actor, anchor: TrustAnchor) -> TrustAnchor:
    require(actor, "core.manage_users")
    with transaction.atomic():
        if anchor.is_active:
            anchor.is_active = False
            anchor.save(update_fields=["is_active"])
            audit_log(actor=actor, action="signing.trust_anchor.deactivate", obj=anchor,
                      details={"fingerprint": anchor.fingerprint_sha256})
    return anchor


# ---------------------------------------------------------------- expiry warnings

def _recipients(cert: SigningCertificate) -> list:
    from django.contrib.auth import get_user_model

    from egov.core.policy import ACTIONS, can

    if cert.owner_user_id is not None:
        return [cert.owner_user] if cert.owner_user.is_active else []
    from .subjects import unit_certificate_actions

    actions = [a for a in ("core.manage_users", *unit_certificate_actions()) if a in ACTIONS]
    candidates = get_user_model().objects.filter(
        is_active=True, positions__roles__grants__action__in=actions).distinct()
    unit = cert.owner_unit
    return [u for u in candidates if any(can(u, a, unit) for a in actions)]


def certificates_warn_expiring(*, within_days: int = 30, now: dt.datetime | None = None) -> int:
    """Warn owners once per certificate expiring within ``within_days`` (recorded in the audit
    trail as action ``signing.certificate.expiry_warning``). Returns the warnings sent."""
    from egov.core.models import AuditEvent
    from egov.core.notifications import notify

    from .selectors import certificates_expiring

    due = list(certificates_expiring(within_days=within_days, now=now)
               .select_related("owner_user", "owner_unit"))
    label = SigningCertificate._meta.label_lower
    sent = 0
    for cert in due:
        with transaction.atomic():
            SigningCertificate.objects.select_for_update().filter(pk=cert.pk).first()
            if AuditEvent.objects.filter(action=WARNING_ACTION, object_type=label,
                                         object_id=str(cert.pk)).exists():
                continue
            date = timezone.localtime(cert.not_after).strftime("%d/%m/%Y")
            users = _recipients(cert)
            notify(users=users,
                   subject=Msg(N_("Signing certificate “%(subject)s” expires on %(date)s"),
                               subject=cert.subject[:120], date=date),
                   body=Msg(N_("After %(date)s it may no longer be used to sign (Law on "
                               "Electronic Transactions 2023). Ask the certification authority "
                               "to renew it and register the new certificate."), date=date))
            audit_log(actor="system:signing_daily", action=WARNING_ACTION, obj=cert,
                      details={"not_after": cert.not_after, "recipients": [u.pk for u in users]})
        sent += 1
    return sent
