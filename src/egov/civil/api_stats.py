"""Civil-status API: statistics (issue 13). Mounted under /api/v1/civil by civil/api.py.

    GET /api/v1/civil/statistics?date_from=&date_to=&commune_id=&kind=   → the figures

The same figures as the page /civil/statistics/ and its XLSX (selectors/stats.py): per commune
× kind, by kind, the total and per month. Only the communes the user may read (civil.read);
a commune they may not read → 403; bad dates, a reversed or too long period → 422 by the field.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Query, Router, Schema

from egov.core.api import ERRORS

from .models import EventKind
from .selectors import stats as sel

router = Router(tags=["civil"])
BIGINT = 2**63 - 1
KINDS = tuple(EventKind.values)


class CivilStatsParams(Schema):
    date_from: dt.date | None = Field(None, description="First registration day (default: "
                                                        "the 1st of January)")
    date_to: dt.date | None = Field(None, description="Last registration day (default: today)")
    commune_id: int | None = Field(None, ge=1, le=BIGINT)
    kind: Literal[KINDS] | None = None  # type: ignore[valid-type]


class CivilStatsCounts(Schema):
    events: int
    male: int
    female: int
    on_time: int
    late: int
    within_legal_time: int | None = Field(description="Births registered within 60 days "
                                                      "(Luật Hộ tịch 2014, Điều 15)")
    within_one_year: int | None
    later: int | None


class CivilStatsRow(CivilStatsCounts):
    commune_id: int
    commune: str
    kind: str


class CivilStatsKind(CivilStatsCounts):
    kind: str


class CivilStatsKindLabel(Schema):
    code: str
    label: str


class CivilStatsMonth(Schema):
    month: str = Field(description="YYYY-MM")
    events: int
    by_kind: dict[str, int]


class CivilStatsOut(Schema):
    date_from: dt.date
    date_to: dt.date
    commune_id: int | None
    kind: str | None
    kinds: list[CivilStatsKindLabel]
    rows: list[CivilStatsRow]
    by_kind: list[CivilStatsKind]
    total: CivilStatsCounts
    months: list[CivilStatsMonth]


@router.get("/statistics", response={200: CivilStatsOut, **ERRORS},
            summary="Civil-status statistics")
def statistics(request, params: Query[CivilStatsParams]):
    """Events registered in the period per commune and kind: by sex (the child, the deceased,
    both spouses), on time or late, and the births' completeness (within 60 days, within one
    year, later); the communes the user may read only."""
    flt = sel.parse_filter(params.model_dump())
    return sel.as_json(sel.civil_stats(actor=request.auth, flt=flt))
