"""The holder's own signing certificates (issue 4: users register their certificates by
uploading them or reading them from their USB token; expired or revoked ones cannot sign).

    GET  /api/v1/signing/certificates                 mine (newest first), with state and days left
    GET  /api/v1/signing/certificates/{id}            one of mine
    POST /api/v1/signing/certificates                 → 201 the registered certificate:
         multipart ``file`` = .cer/.crt/.pem/.der      a key on my USB token (certificate only)
         multipart ``file`` = .p12/.pfx + ``password`` a key file the server keeps (encrypted)
         JSON {"der": "<base64 DER>"}                  as read by the local signing agent
    POST /api/v1/signing/certificates/{id}/revoke {"reason"} → 200

Somebody else's certificate answers 404. Bad input answers 422 {code, message, fields}; codes:
``wrong_file_type``, ``broken_pem``, ``not_a_certificate``, ``not_pkcs12``, ``wrong_password``,
``certificate_expired``, ``bad_key_usage``, ``duplicate``, ``invalid_base64``, ``too_large``,
``required``.
"""

from __future__ import annotations

import datetime as dt

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Path, Router, Schema, Status

from egov.core.api import BIGINT, ERRORS, ErrorOut
from egov.core.errors import AppError, InvalidInput
from egov.core.jsonlimits import loads_limited
from egov.core.schemas import InputSchema

from . import certificate_files as cf
from .models import SigningCertificate
from .selectors import certificates_of
from .services import (
    certificate_register_pkcs12,
    certificate_register_public,
    certificate_revoke,
)

router = Router(tags=["signing"])


class CertificateOut(Schema):
    id: int
    subject: str
    issuer: str
    serial: str
    fingerprint_sha256: str
    not_before: dt.datetime
    not_after: dt.datetime
    key_source: str
    key_source_label: str
    state: str = Field(..., description='"valid", "expiring" (≤ 30 days left), "expired", '
                                        '"revoked" or "not_yet_valid"')
    days_left: int | None = None
    revoked_at: dt.datetime | None = None
    created_at: dt.datetime


class RevokeIn(InputSchema):
    reason: str = Field(..., min_length=1, max_length=500)


def _out(cert: SigningCertificate) -> dict:
    state, days = cf.certificate_state(cert)
    return {"id": cert.pk, "subject": cert.subject, "issuer": cert.issuer, "serial": cert.serial,
            "fingerprint_sha256": cert.fingerprint_sha256, "not_before": cert.not_before,
            "not_after": cert.not_after, "key_source": cert.key_source,
            "key_source_label": str(cert.get_key_source_display()), "state": state,
            "days_left": days, "revoked_at": cert.revoked_at, "created_at": cert.created_at}


def _mine(request, cert_id: int) -> SigningCertificate:
    return get_object_or_404(SigningCertificate, pk=cert_id, owner_user=request.auth)


def _clean_text(value, field: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or "\x00" in value:
        msg = _("Remove control characters.")
        raise InvalidInput(msg, fields={field: [msg]})
    return value


@router.get("/signing/certificates", response={200: list[CertificateOut], **ERRORS},
            summary="My signing certificates")
def certificate_list(request):
    """The certificates I hold, newest first, revoked and expired ones included."""
    return [_out(c) for c in certificates_of(request.auth)]


@router.get("/signing/certificates/{cert_id}", response={200: CertificateOut, **ERRORS},
            summary="One of my signing certificates")
def certificate_detail(request, cert_id: int = Path(..., ge=1, le=BIGINT)):
    return _out(_mine(request, cert_id))


def _register_from_json(request) -> SigningCertificate:
    try:
        body = loads_limited(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise AppError("malformed_body", _("The request body is not valid JSON.")) from None
    if not isinstance(body, dict):
        msg = _("Send a JSON object.")
        raise InvalidInput(msg, fields={"der": [msg]})
    der = cf.certificate_der_from_base64(body.get("der"), field="der")
    try:
        return certificate_register_public(actor=request.auth, owner_user=request.auth,
                                           certificate_der=der)
    except InvalidInput as err:
        raise cf.refield(err, "der") from err


def _register_from_upload(request) -> SigningCertificate:
    upload = request.FILES.get("file")
    if upload is None:
        msg = _("Choose a file.")
        raise InvalidInput(msg, fields={"file": [msg]}, code="required")
    name = _clean_text(upload.name, "file")
    if cf.is_pkcs12_name(name):
        password = _clean_text(request.POST.get("password"), "password")
        data = cf.read_limited(upload, cf.MAX_PKCS12_BYTES, "file")
        cf.pkcs12_check_password(data, password)
        try:
            return certificate_register_pkcs12(actor=request.auth, owner_user=request.auth,
                                               pkcs12=data, password=password)
        except InvalidInput as err:
            raise cf.refield(err, "file") from err
    if not cf.is_certificate_name(name):
        raise cf.wrong_type("file", pkcs12_allowed=True)
    data = cf.read_limited(upload, cf.MAX_CERTIFICATE_BYTES, "file")
    der = cf.certificate_der_from_file(name, data, field="file")
    try:
        return certificate_register_public(actor=request.auth, owner_user=request.auth,
                                           certificate_der=der)
    except InvalidInput as err:
        raise cf.refield(err, "file") from err


@router.post("/signing/certificates", response={201: CertificateOut, **ERRORS, 415: ErrorOut},
             summary="Register one of my certificates")
def certificate_register(request):
    """Multipart ``file`` (a certificate of a key on my USB token, or a PKCS#12 key file with
    ``password`` for the server to keep, encrypted at rest), or JSON ``{"der": base64}`` (the
    certificate read from my token by the local signing agent)."""
    content_type = (request.content_type or "").lower()
    if content_type.startswith("multipart/"):
        cert = _register_from_upload(request)
    elif content_type in ("application/json", "") or content_type.endswith("+json"):
        cert = _register_from_json(request)
    else:
        raise AppError("unsupported_media_type",
                       _("Send multipart/form-data with a file, or JSON {\"der\": …}."),
                       status=415)
    return Status(201, _out(cert))


@router.post("/signing/certificates/{cert_id}/revoke",
             response={200: CertificateOut, **ERRORS},
             summary="Revoke one of my certificates")
def certificate_revoke_mine(request, payload: RevokeIn,
                            cert_id: int = Path(..., ge=1, le=BIGINT)):
    """Stop using the certificate here (its key was lost, the CA revoked it, …)."""
    cert = _mine(request, cert_id)
    return _out(certificate_revoke(actor=request.auth, certificate=cert, reason=payload.reason))
