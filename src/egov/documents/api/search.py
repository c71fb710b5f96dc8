"""Search API under /api/v1/documents/: GET search, GET/POST/DELETE saved-searches."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Path, Query, Router, Schema, Status

from egov.core.api import BIGINT, ERRORS
from egov.core.api_openapi import CURSOR_PATTERN
from egov.core.schemas import InputSchema

from ..selectors.search import document_search, saved_search_list
from ..services.search import saved_search_create, saved_search_delete

router = Router(tags=["documents: search"])


class SearchHitOut(Schema):
    kind: str = Field(..., description='"incoming" or "outgoing"')
    id: int
    code: str = Field(..., description="Number and notation, e.g. 123/QĐ-UBND (empty for drafts)")
    subject: str
    issuer: str = Field(..., description="Issuing agency (for outgoing documents: ours)")
    agency: str = Field(..., description="Receiving (incoming) or issuing (outgoing) agency")
    date: dt.date | None = Field(None, description="Arrival date / issue date (drafts: created)")
    type_code: str
    type_name: str
    state: str
    urgency: str
    snippet: str = Field("", description="Words around the first match in the PDF text")
    url: str


class SearchPage(Schema):
    items: list[SearchHitOut]
    next: str | None = None


class SavedSearchOut(Schema):
    id: int
    name: str
    params: dict[str, str]
    created_at: dt.datetime


class SavedSearchPage(Schema):
    items: list[SavedSearchOut]
    next: str | None = None


class SavedSearchIn(InputSchema):
    name: str = Field(..., max_length=200)
    params: dict[str, str | int | None] = Field(
        ..., description="q, kind, type, issuer, unit, from, to, state, urgency")


@router.get("/search", response={200: SearchPage, **ERRORS}, summary="Search documents")
def search(
    request,
    q: str = Query("", max_length=1000, description="Words (diacritics optional) or a code "
                                                    "such as 123/QD-UBND"),
    kind: str = Query("", max_length=100, description='"incoming" or "outgoing"'),
    type: str = Query("", max_length=100, description="Document type code, e.g. QD, CV"),
    issuer: str = Query("", max_length=1000),
    unit: str = Query("", max_length=30, description="Organisation unit id"),
    date_from: str = Query("", alias="from", max_length=30, description="YYYY-MM-DD"),
    date_to: str = Query("", alias="to", max_length=30, description="YYYY-MM-DD"),
    state: str = Query("", max_length=100),
    urgency: str = Query("", max_length=100),
    cursor: str | None = Query(None, max_length=1000, pattern=CURSOR_PATTERN, description="`next` of the previous page"),
    limit: int = Query(20, ge=1, le=50),
):
    """Full text over the metadata and the PDF text of the incoming and outgoing documents the
    caller may see, insensitive to diacritics (đ too); a code (`123/qd-ubnd`, `15/2024`) is
    searched as a substring of the number and notation. Ranked by relevance (newest first
    without `q`); keyset-paginated with `next`. Bad parameters: 422."""
    page = document_search(
        actor=request.auth, q=q, cursor=cursor, limit=limit,
        filters={"kind": kind, "type": type, "issuer": issuer, "unit": unit, "from": date_from,
                 "to": date_to, "state": state, "urgency": urgency},
    )
    return {"items": page.items, "next": page.next}


@router.get("/saved-searches", response={200: SavedSearchPage, **ERRORS},
            summary="My saved searches")
def saved_searches(request):
    return {"items": saved_search_list(actor=request.auth), "next": None}


@router.post("/saved-searches", response={201: SavedSearchOut, **ERRORS},
             summary="Save a search")
def saved_search_post(request, payload: SavedSearchIn):
    saved = saved_search_create(actor=request.auth, name=payload.name, params=payload.params)
    return Status(201, saved)


@router.delete("/saved-searches/{saved_search_id}", response={204: None, **ERRORS},
               summary="Delete a saved search")
def saved_search_remove(request, saved_search_id: int = Path(..., ge=1, le=BIGINT)):
    saved_search_delete(actor=request.auth, saved_search_id=saved_search_id)
    return Status(204, None)
