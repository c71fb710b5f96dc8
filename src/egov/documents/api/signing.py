"""Signing of outgoing documents by API: the signer applies the personal (certifying) PAdES
signature with the key the server holds for them (egov.documents.signing_flow, stage 1).

    POST /outgoing/{id}/sign    the signer of an APPROVED document → 200 {"id", "state", …}

The organisation's signature is applied when the clerk issues (POST /outgoing/{id}/issue);
GET /outgoing/{id}/file then serves the issued PDF carrying both signatures. Errors:
422 "no_certificate" (no usable certificate), 409 "wrong_state", 403 (not the signer).
"""

from __future__ import annotations

from ninja import Path, Router

from egov.core.api import BIGINT, ERRORS, ErrorOut
from egov.documents.signing_flow import sign_approval

from ..selectors import outgoing as sel
from .outgoing import OutgoingDetailOut, _detail

router = Router(tags=["outgoing documents"])


@router.post("/outgoing/{id}/sign", response={200: OutgoingDetailOut, **ERRORS, 409: ErrorOut},
             summary="Sign the approved document (the signer's certificate)")
def outgoing_sign(request, id: int = Path(..., ge=1, le=BIGINT)):
    """The signer certifies the approved PDF (PAdES, DocMDP: form filling allowed) with a
    visible stamp; the document becomes "signed"."""
    doc = sel.outgoing_get(actor=request.auth, document_id=id)
    sign_approval(actor=request.auth, document=doc)
    return _detail(request, id)
