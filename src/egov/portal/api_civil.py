"""The portal's public verification of civil-status certificates (no login), added at
/api/v1/portal/ by egov/urls.py:

    GET /api/v1/portal/certificates/{code}
        → 200 {"valid", "type", "number", "date", "issuer"} — whether the certificate is in
          force (not revoked), its type, its Số / Quyển số, its issue date and the issuing
          commune; nothing else (no personal data). 404 {"code": "not_found"} for an unknown
          code; more than EGOV_CIVIL_VERIFY_RATE look-ups per client → 429 + Retry-After.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from ninja import Path, Router, Schema

from egov.civil.services.certificates import verify_certificate
from egov.core.api import ErrorOut, error_response

from . import limits_civil

router = Router(tags=["portal"])


class CivilCertificateFacts(Schema):
    valid: bool
    type: str
    number: str
    date: dt.date
    issuer: str


@router.get("/certificates/{code}", auth=None,
            response={200: CivilCertificateFacts, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut},
            summary="Verify a civil-status certificate by its code (no login)")
def certificate_verify(request, code: str = Path(..., min_length=1, max_length=40)):
    """The code printed under the QR code of a birth or marriage certificate, an extract or a
    certified copy (10 letters and digits; dashes, spaces and lower case are accepted)."""
    verdict = limits_civil.hit(request)
    if not verdict.allowed:
        response = error_response(request, 429, "rate_limited",
                                  _("Too many look-ups. Try again later."))
        response["Retry-After"] = str(verdict.retry_after)
        return response
    return verify_certificate(code)
