"""The public verification API: anyone may check a signed PDF, without an account
(NĐ 30/2020 Điều 13: a recipient must be able to check the digital signature of a document).

    POST /api/v1/signing/verify   multipart "file"   →   the VerificationReport (as_dict)
    GET  /api/v1/signing/verify/{code}               →   the issued document behind a
         verification code (egov.signing.verification_codes), its state, the SHA-256 and the
         report of its issued PDF (never the PDF); unknown code → 404 {"code": "not_found"};
         more than settings.EGOV_VERIFY_RATE_CODE lookups per client → 429 {"code":
         "rate_limited"} with Retry-After (egov.signing.ratelimit)

A file that is not a PDF answers 422 {"code": "not_pdf"}; one larger than
settings.EGOV_MAX_UPLOAD_BYTES answers 413 {"code": "too_large"}. Never a 500.
"""

from __future__ import annotations

import json
import logging
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Router, Schema
from ninja.files import UploadedFile

from egov.core.api import ErrorOut, error_response
from egov.core.errors import AppError, InvalidInput

from . import ratelimit
from . import verification_codes as vcodes
from .verify import NotAPdf, verify_pdf

logger = logging.getLogger(__name__)
router = Router(tags=["signing"])


class TimestampOut(Schema):
    time: str
    tsa: str
    intact: bool
    trusted: bool


class SignatureOut(Schema):
    field: str
    signer: str
    organisation: str
    subject: str
    issuer: str
    serial: str
    signed_at: str | None
    timestamp: TimestampOut | None
    intact: bool
    trusted: bool
    modification: str
    coverage: str
    whole_file: bool
    docmdp_ok: bool
    valid: bool
    kind: str
    certifying: bool
    # The certificate is no longer valid today; validated at its trusted timestamp's time.
    validated_at_timestamp: bool = False
    reasons: list[str]
    # Not reasons to reject: e.g. a weak legacy algorithm (adbe.pkcs7.sha1).
    warnings: list[str] = []


class VerificationOut(Schema):
    valid: bool
    signatures: list[SignatureOut]
    reasons: list[str]
    revisions: int
    # The file's structure was unusual and was read tolerantly (hybrid references, …).
    warnings: list[str] = []


def _rate_limited(request, scope: str):
    """None, or the 429 answer when this client has used up its budget for ``scope``."""
    verdict = ratelimit.hit(request, scope)
    return None if verdict.allowed else _refused(request, verdict)


def _refused(request, verdict):
    """The 429 answer, with Retry-After."""
    response = error_response(request, 429, "rate_limited",
                              _("Too many verification requests. Try again later."))
    response["Retry-After"] = str(verdict.retry_after)
    return response


@router.post("/signing/verify", auth=None, response={200: VerificationOut, 400: ErrorOut,
                                                     413: ErrorOut, 422: ErrorOut,
                                                     429: ErrorOut},
             summary="Verify the digital signatures of a PDF (public)")
def verify(request, file: File[UploadedFile]) -> dict[str, Any]:
    # Public and costly: the same per-client budget as the portal's upload form.
    limited = _rate_limited(request, "upload")
    if limited is not None:
        return limited
    limit = settings.EGOV_MAX_UPLOAD_BYTES
    if file.size is not None and file.size > limit:
        raise AppError("too_large", _("The file is larger than %(size)d MB.")
                       % {"size": limit // (1024 * 1024)}, status=413)
    data = file.read(limit + 1)
    if len(data) > limit:
        raise AppError("too_large", _("The file is larger than %(size)d MB.")
                       % {"size": limit // (1024 * 1024)}, status=413)
    try:
        return verify_pdf(data).as_dict()
    except NotAPdf as exc:
        raise InvalidInput(str(exc), code="not_pdf", fields={"file": [str(exc)]}) from exc
    except Exception as exc:  # noqa: BLE001 - a file nobody foresaw: logged, answered 422
        logger.exception("verification of an uploaded PDF failed")
        message = _("The PDF document is damaged and cannot be read: %(error)s") % {
            "error": type(exc).__name__}
        raise InvalidInput(message, code="not_pdf", fields={"file": [message]}) from exc


class CodeDocumentOut(Schema):
    number: str
    issued_date: str | None
    agency: str
    type: str
    subject: str
    medium: str = Field("", description=(
        "electronic or paper: the medium of the original; a paper original's electronic copy "
        "carries no digital signature"))


class ReplacedByOut(Schema):
    number: str
    code: str | None


class CodeVerificationOut(Schema):
    code: str
    document: CodeDocumentOut
    state: str
    recalled_at: str | None
    recall_reason: str
    replaced_by: ReplacedByOut | None
    sha256: str
    report: VerificationOut


@router.get("/signing/verify/{code}", auth=None,
            response={200: CodeVerificationOut, 404: ErrorOut, 429: ErrorOut},
            summary="The issued document behind a verification code (public)")
def verify_code(request, code: str):
    # The client's rate counter and the code row: one statement on PostgreSQL.
    verdict, vc = vcodes.find_counted(request, code, "code")
    if not verdict.allowed:
        return _refused(request, verdict)
    data = vcodes.public_page_bytes(vc) if vc is not None else None
    if data is None:
        raise AppError("not_found", _("No issued document has this verification code."),
                       status=404)
    # At most one cache read (egov.signing.verification_codes.public_page_bytes; none once this
    # process memoised it): plain facts, no pyHanko; the body validated by the schema once per
    # distinct cached entry and process.
    return HttpResponse(_code_body(data), content_type="application/json")


@lru_cache(maxsize=256)
def _code_body(data: bytes) -> bytes:
    """The JSON answer (CodeVerificationOut) of a cached public page (its bytes are the key: a
    new state or report is a new entry)."""
    page = json.loads(data)
    out = CodeVerificationOut.model_validate({**page["record"], "report": page["report"]})
    return out.model_dump_json().encode()
