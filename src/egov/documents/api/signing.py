"""Signing of outgoing documents by API: the signer applies the personal (certifying) PAdES
signature with the key the server holds for them (egov.documents.signing_flow, stage 1).

    POST /outgoing/{id}/sign          the signer of an APPROVED document → 200 {"id", "state", …}
                                      body {} or {"otp": "123456"} (the one-time code when the
                                      agency requires a second factor)
    POST /outgoing/{id}/approve-sign  "Ký duyệt": the signer's approval (the next review step)
                                      and signature in one transaction; {"comment", "otp"}

The organisation's signature is applied when the clerk issues (POST /outgoing/{id}/issue);
GET /outgoing/{id}/file then serves the issued PDF carrying both signatures. Errors:
422 "no_certificate" (no usable certificate), 409 "wrong_state", 403 (not the signer),
422 "second_factor_required" / "second_factor_invalid" (field "otp"), 429
"second_factor_locked" (egov.signing.second_factor).
"""

from __future__ import annotations

from ninja import Field, Path, Router

from egov.core.api import BIGINT, ERRORS, ErrorOut
from egov.core.schemas import InputSchema, optional_body

from ..selectors import outgoing as sel
from ..services.signing_confirm import outgoing_approve_and_sign, outgoing_sign_confirmed
from .outgoing import OutgoingDetailOut, _detail

router = Router(tags=["outgoing documents"])


class SignIn(InputSchema):
    otp: str | None = Field(None, max_length=12, description=(
        "the one-time code (TOTP or SMS) when the agency requires a second factor"))
    comment: str = Field("", max_length=5000, description="approve-sign only")


def _body(request) -> SignIn:
    """The optional JSON body (an empty body stays accepted, as before)."""
    return optional_body(request, SignIn, form_keys=("otp", "comment"), default_field="otp")


_BODY = {"requestBody": {"required": False, "content": {"application/json": {"schema": {
    "type": "object", "properties": {
        "otp": {"type": ["string", "null"], "maxLength": 12},
        "comment": {"type": "string", "maxLength": 5000}}}}}}}


@router.post("/outgoing/{id}/sign",
             response={200: OutgoingDetailOut, **ERRORS, 409: ErrorOut, 429: ErrorOut},
             summary="Sign the approved document (the signer's certificate)",
             openapi_extra=_BODY)
def outgoing_sign(request, id: int = Path(..., ge=1, le=BIGINT)):
    """The signer certifies the approved PDF (PAdES, DocMDP: form filling allowed) with a
    visible stamp; the document becomes "signed". With the agency's second factor on, the body
    carries `{"otp": "123456"}`."""
    doc = sel.outgoing_get(actor=request.auth, document_id=id)
    outgoing_sign_confirmed(actor=request.auth, document=doc, otp=_body(request).otp)
    return _detail(request, id)


@router.post("/outgoing/{id}/approve-sign",
             response={200: OutgoingDetailOut, **ERRORS, 409: ErrorOut, 429: ErrorOut},
             summary="Approve and sign in one step (Ký duyệt)", openapi_extra=_BODY)
def outgoing_approve_sign(request, id: int = Path(..., ge=1, le=BIGINT)):
    """The signer's review decision "approved" and the signature in one transaction: if the
    signing fails, the approval is not recorded either."""
    doc = sel.outgoing_get(actor=request.auth, document_id=id)
    body = _body(request)
    outgoing_approve_and_sign(actor=request.auth, document=doc, comment=body.comment,
                              otp=body.otp)
    return _detail(request, id)
