"""The public procedure catalogue (no login) under /api/v1/onestop/.

    GET /procedures?q=&field=&level=&cursor=&limit=   search without diacritics (code, name)
    GET /procedures/{code}                           the version in force today; an earlier
                                                     code resolves to the procedure
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.urls import reverse
from ninja import Field, Path, Query, Router, Schema

from egov.core.api import ERRORS
from egov.core.api_openapi import CURSOR_PATTERN

from ..selectors import procedures as sel

router = Router(tags=["onestop: catalogue"])


class ComponentOut(Schema):
    code: str
    name: str
    count: int
    copy_kind: str = Field(..., description="original | copy | certified_copy | presented")
    required: bool
    form_name: str
    form_url: str | None = Field(None, description="download of the blank form, if any")


class StepOut(Schema):
    order: int
    name: str
    role: str
    days: float = Field(..., description="share of the processing time, in working days")


class FeeOut(Schema):
    name: str
    amount: int | None = Field(None, description="VND; null when set by the province")
    note: str = ""


class ProcedureSummaryOut(Schema):
    code: str
    name: str
    field: str
    level: str
    processing_days: int
    same_day: bool
    online_level: str


class ProcedurePage(Schema):
    items: list[ProcedureSummaryOut]
    next: str | None = None


class ProcedureOut(ProcedureSummaryOut):
    next_day_after_cutoff: bool
    components: list[ComponentOut]
    fees: list[FeeOut]
    legal_basis: str
    result_type: str
    competent_body: str
    effective_from: dt.date
    effective_to: dt.date | None = None
    version: int
    former_codes: list[str]
    steps: list[StepOut]


class SearchQuery(Schema):
    q: str = Field("", max_length=200, description="words of the code or name; diacritics "
                   "optional")
    field: str = Field("", max_length=200)
    level: str = Field("", pattern=r"^(|commune|province)$")
    cursor: str | None = Field(None, max_length=1000, pattern=CURSOR_PATTERN)
    limit: int = Field(20, ge=1, le=100)


def summary(item: sel.CatalogueItem) -> dict[str, Any]:
    p, v = item.procedure, item.version
    return {"code": p.code, "name": v.name or p.name, "field": v.field_name, "level": v.level,
            "processing_days": v.processing_days, "same_day": v.same_day,
            "online_level": v.online_level}


def form_url(procedure_code: str, component) -> str | None:
    if not component.form_file_id:
        return None
    return reverse("public:procedure_form", args=[procedure_code, component.code])


def _amount(value) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(Decimal(str(value)))
    except (ArithmeticError, ValueError):
        return None


def detail(item: sel.CatalogueItem) -> dict[str, Any]:
    p, v = item.procedure, item.version
    return {
        **summary(item),
        "next_day_after_cutoff": v.next_day_after_cutoff,
        "components": [{"code": c.code, "name": c.name, "count": c.count,
                        "copy_kind": c.copy_kind, "required": c.required,
                        "form_name": c.form_name, "form_url": form_url(p.code, c)}
                       for c in v.components.all()],
        "fees": [{"name": str(f.get("name", "")), "amount": _amount(f.get("amount")),
                  "note": str(f.get("note", "") or "")}
                 for f in (v.fees or []) if isinstance(f, dict)],
        "legal_basis": v.legal_basis, "result_type": v.result_type,
        "competent_body": (v.competent_unit.name if v.competent_unit_id else v.competent_body),
        "effective_from": v.effective_from, "effective_to": v.effective_to,
        "version": v.number,
        "former_codes": item.former_codes,
        "steps": [{"order": s.ordering, "name": s.name, "role": s.role_code,
                   "days": float(s.days)} for s in v.steps.all()],
    }


@router.get("/procedures", auth=None, response={200: ProcedurePage, **ERRORS},
            summary="Search the procedure catalogue (no login)")
def procedure_list(request, params: Query[SearchQuery]):
    page = sel.procedure_search(q=params.q, field=params.field, level=params.level,
                                cursor=params.cursor, limit=params.limit)
    return {"items": [summary(i) for i in page.items], "next": page.next}


@router.get("/procedures/{code}", auth=None, response={200: ProcedureOut, **ERRORS},
            summary="One procedure, the version in force today (no login)")
def procedure_get(request, code: Path[str]):
    return detail(sel.procedure_detail(code))
