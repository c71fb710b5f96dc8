"""API: return an electronic incoming document to its sender (NĐ 30/2020 Điều 21.2).

`POST /api/v1/documents/incoming/{id}/return` with `{"reason": "…"}` → 200 and the document
(state "returned", returned_at, return_reason). An empty reason → 422 on `reason`; a paper
document → 409 `not_electronic`; already returned → 409 `already_returned`; instructions
already given or done → 409 `already_handled`; recalled → 409 `wrong_state`; not the văn thư
of the receiving agency → 403; a document the caller cannot see → 404.
"""

from __future__ import annotations

from ninja import Field, Path, Router

from egov.core.api import BIGINT
from egov.core.schemas import InputSchema

from ..selectors import incoming as sel
from ..services import returning as svc
from .incoming import ERRORS_409, IncomingOut, doc_out

router = Router(tags=["incoming documents"])


class ReturnToSenderIn(InputSchema):
    reason: str = Field(..., max_length=2000,
                        description="Why the document is returned (required, at most 500 "
                                    "characters after trimming)")


@router.post("/incoming/{id}/return", response={200: IncomingOut, **ERRORS_409},
             summary="Return an electronic incoming document to its sender")
def return_to_sender(request, payload: ReturnToSenderIn, id: int = Path(..., ge=1, le=BIGINT)):
    doc = sel.incoming_get(actor=request.auth, id=id)
    svc.incoming_return(actor=request.auth, document=doc, reason=payload.reason)
    return doc_out(sel.incoming_get(actor=request.auth, id=id))
