"""`POST /api/v1/petitions/{id}/{action}` (issue 11 contract): classify, assign, accept,
transfer, extend, resolve, close, and register, split, not_accept, suspend, resume, withdraw,
file, reopen. JSON bodies (schemas.ACTION_INPUTS); the answer is the petition (for `split`, the
original with its `parts`; for `reopen`, the NEW second-instance petition). Wrong state → 409
`invalid_state`; other legal refusals → 409 with their code; missing grant → 403; bad input →
422 with the fields; a petition the user may not see → 404."""

from __future__ import annotations

from ninja import Router

from egov.core.api import ERRORS, ErrorOut
from egov.core.schemas import optional_body

from ..selectors import access
from ..services import workflow as wf
from .schemas import ACTION_INPUTS, PetitionOut, petition_out

router = Router(tags=["petitions"])


def _act(request, petition_id: int, action: str):
    schema = ACTION_INPUTS[action]
    if action != "reopen":
        # 404 for a petition the user may not see (the same answer as for an unknown id);
        # a second-instance complaint is received by the next level, which may not see it.
        access.petition_get(actor=request.auth, pk=petition_id)
    body = optional_body(request, schema, form_keys=tuple(schema.model_fields),
                         default_field="body")
    data = body.model_dump(exclude_unset=True)
    result = wf.run(action, actor=request.auth, petition_id=petition_id, data=data)
    if action == "split":
        from ..models import Petition

        original = Petition.objects.get(pk=petition_id)
        return petition_out(original, parts=result)
    return petition_out(result)


def _endpoint(action: str):
    def endpoint(request, petition_id: int):
        return _act(request, petition_id, action)

    endpoint.__name__ = f"petition_{action}"
    endpoint.__doc__ = f"`{action}`: JSON body {ACTION_INPUTS[action].__name__}."
    return endpoint


# One route per action (so that other parts' GET /{id}/<word> routes stay theirs).
for _action in ACTION_INPUTS:
    router.add_api_operation(f"/{{int:petition_id}}/{_action}", ["POST"], _endpoint(_action),
                             response={200: PetitionOut, **ERRORS, 409: ErrorOut},
                             summary=f"Petition action: {_action}")
