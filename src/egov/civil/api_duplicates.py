"""Civil-status API: duplicates (issue 13). Mounted under /api/v1/civil by civil/api.py.

    POST /api/v1/civil/duplicates/check  {"full_name", "sex"?, "birth_date"?, "birth_place"?,
                                          "mother_id"?, "limit"?}
        → {"items": [{"id", "full_name", "birth_date", "score", "reasons"}]}

The person records of the communes the user may read most likely to be the person about to be
registered, best first (civil.services.duplicates); an answer that names people is audited.
A mother the user may not read → 422 on mother_id.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Router, Schema

from egov.core.api import ERRORS

from .services import duplicates

router = Router(tags=["civil"])
BIGINT = 2**63 - 1


class CivilDuplicateCheckIn(Schema):
    full_name: str = Field(min_length=1, max_length=200)
    sex: Literal["male", "female"] | None = None
    birth_date: dt.date | None = None
    birth_place: str | None = Field(None, max_length=300)
    hometown: str | None = Field(None, max_length=300)
    residence: str | None = Field(None, max_length=300)
    ethnicity: str | None = Field(None, max_length=80)
    nationality: str | None = Field(None, max_length=80)
    personal_id: str | None = Field(None, max_length=12)
    mother_id: int | None = Field(None, ge=1, le=BIGINT, description="The mother's record")
    limit: int = Field(5, ge=1, le=20)


class CivilDuplicateOut(Schema):
    id: int
    full_name: str
    birth_date: dt.date | None
    score: float = Field(ge=0, le=1)
    reasons: list[str]


class CivilDuplicateListOut(Schema):
    items: list[CivilDuplicateOut]


@router.post("/duplicates/check", response={200: CivilDuplicateListOut, **ERRORS},
             summary="Likely duplicates of a person about to be registered")
def duplicate_check(request, body: CivilDuplicateCheckIn):
    mother = None
    if body.mother_id is not None:
        mother = duplicates.readable_mother(actor=request.auth, mother_id=body.mother_id)
    spec = body.model_dump(exclude_none=True, exclude={"mother_id", "limit"})
    items = duplicates.likely_duplicates(actor=request.auth, spec=spec, mother=mother,
                                         limit=body.limit)
    return {"items": [{"id": i.person.pk, "full_name": i.person.full_name,
                       "birth_date": i.person.birth_date, "score": i.score,
                       "reasons": i.reasons} for i in items]}
