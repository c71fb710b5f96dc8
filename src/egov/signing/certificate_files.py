"""Reading the files a person uploads to register a certificate (shared by the page
``signing:certificates`` and the API ``/api/v1/signing/certificates``).

- A certificate of a key on the person's own USB token: ``.cer``, ``.crt``, ``.pem`` or ``.der``,
  PEM or DER encoded → :func:`certificate_der_from_file` → ``certificate_register_public``.
- A key file (PKCS#12, ``.p12`` / ``.pfx``) with its password → ``certificate_register_pkcs12``
  (the key is kept encrypted at rest, see :mod:`egov.signing.services`).
- The base64 DER sent by the browser after reading the token through the local signing agent
  → :func:`certificate_der_from_base64`.

Errors are :class:`InvalidInput` with the message under ``field`` (the caller's input name), so
the page shows it by the field and the API answers ``{code, message, fields}``.
"""

from __future__ import annotations

import base64
import binascii
import os

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.utils.translation import gettext as _

from egov.core.errors import AppError, InvalidInput

CERTIFICATE_EXTENSIONS = (".cer", ".crt", ".pem", ".der")
PKCS12_EXTENSIONS = (".p12", ".pfx")
MAX_CERTIFICATE_BYTES = 64 * 1024
MAX_PKCS12_BYTES = 256 * 1024
PEM_BEGIN = b"-----BEGIN CERTIFICATE-----"


def extension(name: str | None) -> str:
    return os.path.splitext((name or "").strip().lower())[1]


def is_pkcs12_name(name: str | None) -> bool:
    return extension(name) in PKCS12_EXTENSIONS


def is_certificate_name(name: str | None) -> bool:
    return extension(name) in CERTIFICATE_EXTENSIONS


def wrong_type(field: str, *, pkcs12_allowed: bool = False) -> InvalidInput:
    if pkcs12_allowed:
        msg = _("Choose a certificate file (.cer, .crt, .pem, .der) or a key file (.p12, .pfx).")
    else:
        msg = _("Choose a certificate file (.cer, .crt, .pem or .der).")
    return InvalidInput(msg, fields={field: [msg]}, code="wrong_file_type")


def _not_a_certificate(field: str, code: str = "not_a_certificate") -> InvalidInput:
    msg = _("This file is not a certificate (PEM or DER).")
    return InvalidInput(msg, fields={field: [msg]}, code=code)


def read_limited(upload, limit: int, field: str) -> bytes:
    """The bytes of an uploaded file, refusing empty and oversized ones."""
    if upload is None:
        msg = _("Choose a file.")
        raise InvalidInput(msg, fields={field: [msg]}, code="required")
    if upload.size is not None and upload.size > limit:
        raise _too_large(field, limit)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise _too_large(field, limit)
    if not data:
        msg = _("The file is empty.")
        raise InvalidInput(msg, fields={field: [msg]}, code="empty_file")
    return data


def _too_large(field: str, limit: int) -> InvalidInput:
    msg = _("The file is larger than %(size)d KB.") % {"size": limit // 1024}
    return InvalidInput(msg, fields={field: [msg]}, code="too_large")


def certificate_der_from_file(name: str | None, data: bytes, *, field: str = "file") -> bytes:
    """The DER of the single certificate in ``data`` (PEM or DER), checked by its name first."""
    if not is_certificate_name(name):
        raise wrong_type(field)
    if PEM_BEGIN in data:
        try:
            cert = x509.load_pem_x509_certificate(data)
        except ValueError:
            msg = _("The PEM certificate is damaged: it cannot be read.")
            raise InvalidInput(msg, fields={field: [msg]}, code="broken_pem") from None
    elif data.lstrip().startswith(b"-----BEGIN"):
        # e.g. a private key or a certificate request saved as .pem: never a certificate.
        raise _not_a_certificate(field)
    else:
        try:
            cert = x509.load_der_x509_certificate(data)
        except ValueError:
            raise _not_a_certificate(field) from None
    return cert.public_bytes(serialization.Encoding.DER)


def certificate_der_from_base64(value, *, field: str = "der") -> bytes:
    """The DER of a certificate sent as base64 (the signing agent's ``der``)."""
    if not isinstance(value, str) or not value.strip():
        msg = _("Send the certificate as base64 DER.")
        raise InvalidInput(msg, fields={field: [msg]}, code="required")
    if len(value) > MAX_CERTIFICATE_BYTES * 2:
        raise _too_large(field, MAX_CERTIFICATE_BYTES)
    try:
        der = base64.b64decode("".join(value.split()), validate=True)
    except (binascii.Error, ValueError):
        msg = _("This is not valid base64.")
        raise InvalidInput(msg, fields={field: [msg]}, code="invalid_base64") from None
    try:
        x509.load_der_x509_certificate(der)
    except ValueError:
        raise _not_a_certificate(field) from None
    return der


def pkcs12_check_password(data: bytes, password: str, *, file_field: str = "file",
                          password_field: str = "password") -> None:
    """Open the key file once before registering it, so that a wrong password is reported by
    the password field (the registry service cannot tell it from a damaged file)."""
    from cryptography.hazmat.primitives.serialization import pkcs12

    if not looks_like_pkcs12(data):
        msg = _("This file is not a PKCS#12 key file.")
        raise InvalidInput(msg, fields={file_field: [msg]}, code="not_pkcs12")
    try:
        pkcs12.load_key_and_certificates(data, password.encode() if password else None)
    except (ValueError, TypeError):
        msg = _("Wrong password for this key file.")
        raise InvalidInput(msg, fields={password_field: [msg]}, code="wrong_password") from None


def looks_like_pkcs12(data: bytes) -> bool:
    """A PKCS#12 file is a DER SEQUENCE whose first element is the INTEGER 3 (the version)."""
    from asn1crypto import pkcs12 as asn1_pkcs12

    try:
        pfx = asn1_pkcs12.Pfx.load(data, strict=True)
        return pfx["version"].native == "v3"
    except (ValueError, TypeError, KeyError):
        return False


def common_name(certificate_der) -> str:
    """The CN of a stored certificate ("Trần Văn Lãnh"), or "" when there is none."""
    from cryptography.x509.oid import NameOID

    try:
        cert = x509.load_der_x509_certificate(bytes(certificate_der))
        names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    except ValueError:
        return ""
    return str(names[0].value) if names else ""


def refield(err: AppError, field: str) -> AppError:
    """The service's error with its messages moved to the caller's input name: the services
    speak of "certificate" / "certificate_der" / "pkcs12"; a form or request has "file" or
    "der"."""
    if not isinstance(err, InvalidInput) or not err.fields:
        return err
    fields: dict[str, list[str]] = {}
    code = err.code
    for name, msgs in err.fields.items():
        target = name
        if name in ("certificate", "certificate_der"):
            target = field
        elif name == "pkcs12":
            target = field
        fields.setdefault(target, []).extend(msgs)
    return InvalidInput(err.message, fields=fields, code=code)


# ---------------------------------------------------------------- the state shown to the holder

WARN_DAYS = 30  # issue 4: warn 30 days before a certificate expires


def certificate_state(cert, now=None) -> tuple[str, int | None]:
    """("revoked" | "expired" | "not_yet_valid" | "expiring" | "valid", days left).

    Days are counted in calendar days of Vietnam time (the certificate "expires in 10 days" when
    its last valid day is ten days after today). Luật Giao dịch điện tử 2023: an expired or
    revoked certificate may not be used to sign.
    """
    from django.utils import timezone

    now = now or timezone.now()
    days = (timezone.localtime(cert.not_after).date() - timezone.localtime(now).date()).days
    if cert.revoked_at is not None:
        return "revoked", None
    if cert.not_after < now:
        return "expired", None
    if cert.not_before > now:
        return "not_yet_valid", days
    if days <= WARN_DAYS:
        return "expiring", days
    return "valid", days
