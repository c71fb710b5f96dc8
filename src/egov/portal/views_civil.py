"""The public page a civil-status certificate's QR code opens: /verify/civil/<code>/ (no login).
It shows what GET /api/v1/portal/certificates/{code} answers — valid or not, the type, the
number, the issue date and the issuing commune — and nothing else. Unknown code → 404 page;
over the look-up limit (EGOV_CIVIL_VERIFY_RATE) → 429 with Retry-After."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from egov.civil.models import CertificateType
from egov.civil.services.certificates import verify_certificate
from egov.core.errors import NotFound

from . import limits_civil


@require_http_methods(["GET", "HEAD"])
def civil_certificate(request, code: str):
    verdict = limits_civil.hit(request)
    if not verdict.allowed:
        response = render(request, "portal/rate_limited.html",
                          {"retry_minutes": max(1, (verdict.retry_after + 59) // 60)},
                          status=429)
        response["Retry-After"] = str(verdict.retry_after)
        return response
    try:
        facts = verify_certificate(code[:40])
    except NotFound:
        return render(request, "portal/civil/unknown.html", {"code": code[:40]}, status=404)
    facts["type_label"] = CertificateType(facts["type"]).label
    response = render(request, "portal/civil/certificate.html", {"facts": facts})
    response["Cache-Control"] = "no-store"
    return response
