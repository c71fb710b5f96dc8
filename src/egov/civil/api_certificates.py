"""Civil-status API: certificates (issue 13). Mounted under /api/v1/civil by civil/api.py.

    POST /api/v1/civil/events/{id}/certificates  {"type"}
        → 201 {"id", "code", "type", "number", "verify_url"}: the event's original
          (birth_certificate, marriage_certificate, extract — as its kind requires) or a
          certified_copy, signed with the commune's organisation signature; 403 outside one's
          commune; 404 unknown event; 409 original_issued (Luật Hộ tịch Điều 62–64: one
          original per registration); 422 wrong type / no organisation certificate.
    GET  /api/v1/civil/certificates/{id}/pdf → the signed PDF (civil.read; audited).
"""

from __future__ import annotations

from typing import Literal

from ninja import Field, Path, Router, Schema, Status

from egov.core.api import ERRORS, ErrorOut
from egov.core.api_openapi import file_response
from egov.core.files import file_response as stored_file_response

from .api_common import CivilFeeOut
from .certificate_pdf import verify_url
from .models import CopyEntry, RecordedFee
from .services import certificates, fees

router = Router(tags=["civil"])
BIGINT = 2**63 - 1


class CivilCertificateIn(Schema):
    type: Literal["birth_certificate", "marriage_certificate", "extract", "certified_copy"]


class CivilCertificateOut(Schema):
    id: int
    code: str
    type: str
    number: str
    verify_url: str
    copy_number: str | None = Field(None, description="A certified copy's number in the "
                                                      "commune's copies book: N/YYYY")
    fee: CivilFeeOut | None = Field(None, description="A certified copy's fee (Luật Hộ tịch "
                                                      "2014, Điều 11.2)")


@router.post("/events/{event_id}/certificates",
             response={201: CivilCertificateOut, 409: ErrorOut, **ERRORS},
             summary="Issue a certificate, extract or certified copy of an event")
def certificate_create(request, body: CivilCertificateIn,
                       event_id: int = Path(..., ge=1, le=BIGINT)):
    cert = certificates.issue_certificate(request.auth, event_id, body.type)
    entry = CopyEntry.objects.filter(certificate=cert).first()
    return Status(201, {"id": cert.pk, "code": cert.code, "type": cert.type,
                        "number": cert.number, "verify_url": verify_url(cert.code),
                        "copy_number": f"{entry.number}/{entry.year}" if entry else None,
                        "fee": fees.fee_out(RecordedFee.objects.filter(certificate=cert)
                                            .first())})


@router.get("/certificates/{certificate_id}/pdf", response={200: None, **ERRORS},
            openapi_extra=file_response("application/pdf"),
            summary="The signed PDF of a certificate")
def certificate_pdf(request, certificate_id: int = Path(..., ge=1, le=BIGINT)):
    cert = certificates.certificate_get(request.auth, certificate_id)
    response = stored_file_response(cert.file)
    response["Cache-Control"] = "private, no-store"
    return response
