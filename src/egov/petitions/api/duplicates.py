"""GET /api/v1/petitions/{id}/duplicates (i11-slips): the possible duplicates of a petition for
those who classify it — code, date, kind, a snippet of the redacted content and a score; never
identity (selectors.duplicates)."""

from __future__ import annotations

import datetime as dt

from ninja import Router, Schema

from egov.core.api import ERRORS

from ..selectors import duplicates as sel

router = Router(tags=["petitions"])


class DuplicateOut(Schema):
    id: int
    code: str
    received_at: dt.datetime
    kind: str
    snippet: str
    score: float


class DuplicatesOut(Schema):
    items: list[DuplicateOut]


@router.get("/{petition_id}/duplicates", response={200: DuplicatesOut, **ERRORS},
            summary="Possible duplicates of a petition")
def duplicates(request, petition_id: int):
    """Up to 5 earlier petitions of the same agency likely to be the same matter, best first
    (similarity of person and content). 404 for a petition the user may not see; 403 for one the
    user sees but does not classify."""
    from egov.core.calendar import localtime

    items = sel.duplicates_get(actor=request.auth, pk=petition_id)
    return {"items": [{**i, "received_at": localtime(i["received_at"])} for i in items]}
