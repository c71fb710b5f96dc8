"""Civil-status API: the registrar's intake of one-stop dossiers (issue 13). Mounted under
/api/v1/civil by civil/api.py.

    GET  /api/v1/civil/intake?cursor=&limit=       → {"items": [...], "next"} the dossiers waiting in
                                                     the registrar's communes, nearest deadline
                                                     first
    POST /api/v1/civil/intake/{id}/register        {"child"…|"person", "death_date"…|"husband",
                                                     "wife"…} → 201 the event; the dossier is
                                                     completed with it as the result
"""

from __future__ import annotations

import datetime as dt

from ninja import Field, Path, Query, Router, Schema, Status

from egov.core.api import ERRORS, ErrorOut
from egov.core.api_openapi import CURSOR_PATTERN

from .api_common import BIGINT, CivilEventOut, CivilPersonIn, event_out
from .services import intake

router = Router(tags=["civil"])


class CivilIntakeOut(Schema):
    id: int
    code: str = Field(description="The one-stop dossier's code")
    kind: str
    dossier_state: str
    received_at: dt.datetime | None
    due_at: dt.datetime | None = Field(description="The promised time (one-stop's clock)")
    commune_id: int


class CivilIntakeListOut(Schema):
    items: list[CivilIntakeOut]
    next: str | None = Field(None, description="The cursor of the next page, if any")


class CivilIntakeRegisterIn(Schema):
    child: CivilPersonIn | None = None
    mother: CivilPersonIn | None = None
    father: CivilPersonIn | None = None
    person: CivilPersonIn | None = None
    death_date: dt.date | None = None
    husband: CivilPersonIn | None = None
    wife: CivilPersonIn | None = None
    both_present: bool = True
    registered_on: dt.date | None = None


def _out(row) -> dict:
    return {"id": row.pk, "code": row.code, "kind": row.kind,
            "dossier_state": row.dossier_state, "received_at": row.received_at,
            "due_at": row.due_at, "commune_id": row.commune_id}


@router.get("/intake", response={200: CivilIntakeListOut, **ERRORS},
            summary="One-stop dossiers waiting for the registrar")
def intake_list(request, cursor: str | None = Query(None, max_length=1000,
                                                    pattern=CURSOR_PATTERN),
                limit: int | None = Query(None, ge=1, le=200)):
    page = intake.intake_page(actor=request.auth, cursor=cursor, limit=limit)
    return {"items": [_out(r) for r in page.items], "next": page.next}


@router.post("/intake/{intake_id}/register",
             response={201: CivilEventOut, **ERRORS, 409: ErrorOut},
             summary="Register a one-stop dossier's event and complete the dossier")
def intake_register(request, body: CivilIntakeRegisterIn,
                    intake_id: int = Path(..., ge=1, le=BIGINT)):
    data = body.model_dump(exclude_none=True)
    event = intake.intake_register(actor=request.auth, pk=intake_id, data=data)
    return Status(201, event_out(event))
