"""The civil-status API (issue 13 contract), mounted at /api/v1/civil:

    POST /api/v1/civil/births      {"child": {…}, "mother"?: {…}, "father"?: {…},
                                    "registered_on"?, "commune_id"?}     → 201 the event
    POST /api/v1/civil/marriages   {"husband": {…}, "wife": {…}, "registered_on"?,
                                    "both_present"?, "commune_id"?,
                                    "foreign_element"?}                  → 201 the event
    POST /api/v1/civil/deaths      {"person": {…}, "death_date", "registered_on"?,
                                    "commune_id"?}                       → 201 the event
    GET  /api/v1/civil/persons?q=&born=&father=&mother=&cursor=&limit=  → {"items", "next"}
    GET  /api/v1/civil/books?kind=&year=&cursor=&limit=                  → {"items", "next"}
    GET  /api/v1/civil/books/{id}/entries?cursor=&limit=                 → {"items", "next"}
    POST /api/v1/civil/books/{id}/close       → 200 the book (422 book_not_due / book_closed)

A person is ``{"id": …}`` (a record the registrar may read) or the fields of a new record.
The event answers {"id", "kind", "book", "book_number", "entry_number", "registered_on",
"late", "personal_id", "persons": [...], "foreign_element"}. A foreign party gives its
"nationality" and "identity_document" (services/foreign.py). Refusals of the law: 422 with the code (under_age,
already_married, prohibited_relation, same_sex, parties_absent, person_deceased, …) and the
article cited in the message; 403 outside one's commune; nothing written on an error.
The persons list shows only the communes the user may read, and each answer that names people
is an audit event (`civil.person.read`, the ids only).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Path, Query, Router, Schema, Status

from egov.core.api import ERRORS
from egov.core.api_openapi import CURSOR_PATTERN

from . import (
    api_certificates,
    api_duplicates,
    api_events,
    api_intake,
    api_stats,
    api_sync,
)
from .api_common import (
    BIGINT,
    FEE_EXEMPTION,
    CivilEventOut,
    CivilPartyOut,
    CivilPersonIn,
    FeeExemption,
    event_out,
    fee_details,
    person_spec,
)
from .services import books, persons, records

router = Router(tags=["civil"])


class CivilBirthIn(Schema):
    child: CivilPersonIn
    mother: CivilPersonIn | None = None
    father: CivilPersonIn | None = None
    registered_on: dt.date | None = None
    commune_id: int | None = Field(None, ge=1, le=BIGINT)
    fee_exemption: FeeExemption | None = Field(None, description=FEE_EXEMPTION)


class CivilMarriageIn(Schema):
    husband: CivilPersonIn
    wife: CivilPersonIn
    registered_on: dt.date | None = None
    both_present: bool = True
    commune_id: int | None = Field(None, ge=1, le=BIGINT)
    foreign_element: bool = Field(
        False, description="Có yếu tố nước ngoài (e.g. a citizen settled abroad); a party of "
                           "another nationality makes it so anyway")
    fee_exemption: FeeExemption | None = Field(None, description=FEE_EXEMPTION)


class CivilDeathIn(Schema):
    person: CivilPersonIn
    death_date: dt.date
    registered_on: dt.date | None = None
    commune_id: int | None = Field(None, ge=1, le=BIGINT)
    fee_exemption: FeeExemption | None = Field(None, description=FEE_EXEMPTION)


class CivilPersonOut(Schema):
    id: int
    full_name: str
    sex: str
    birth_date: dt.date | None
    personal_id: str | None
    commune_id: int
    deceased: bool


class CivilPersonPageOut(Schema):
    items: list[CivilPersonOut]
    next: str | None


class CivilPersonParams(Schema):
    q: str = Field("", max_length=200, description="Name (with or without diacritics) or ID")
    born: str | None = Field(None, max_length=10, pattern=r"^[0-9/-]*$",
                             description="Date of birth (YYYY-MM-DD or DD/MM/YYYY) or year "
                                         "(YYYY)")
    father: str = Field("", max_length=200, description="Father's name, with or without "
                                                        "diacritics")
    mother: str = Field("", max_length=200, description="Mother's name, with or without "
                                                        "diacritics")
    cursor: str | None = Field(None, max_length=1000, pattern=CURSOR_PATTERN)
    limit: int = Field(50, ge=1, le=100)


@router.post("/births", response={201: CivilEventOut, **ERRORS}, summary="Register a birth")
def birth_create(request, body: CivilBirthIn):
    event = records.register_birth(actor=request.auth, child=person_spec(body.child),
                                   mother=person_spec(body.mother), father=person_spec(body.father),
                                   registered_on=body.registered_on,
                                   commune_id=body.commune_id, details=fee_details(body))
    return Status(201, event_out(event))


@router.post("/marriages", response={201: CivilEventOut, **ERRORS},
             summary="Register a marriage")
def marriage_create(request, body: CivilMarriageIn):
    event = records.register_marriage(actor=request.auth, husband=person_spec(body.husband),
                                      wife=person_spec(body.wife), registered_on=body.registered_on,
                                      both_present=body.both_present,
                                      commune_id=body.commune_id, details=fee_details(body),
                                      foreign_element=body.foreign_element)
    return Status(201, event_out(event))


@router.post("/deaths", response={201: CivilEventOut, **ERRORS}, summary="Register a death")
def death_create(request, body: CivilDeathIn):
    event = records.register_death(actor=request.auth, person=person_spec(body.person),
                                   death_date=body.death_date,
                                   registered_on=body.registered_on, commune_id=body.commune_id,
                                   details=fee_details(body))
    return Status(201, event_out(event))


@router.get("/persons", response={200: CivilPersonPageOut, **ERRORS},
            summary="Persons (search by name or personal ID, date or year of birth, parents' "
                    "names)")
def person_list(request, params: Query[CivilPersonParams]):
    page = persons.person_search(actor=request.auth, q=params.q, born=params.born or None,
                                 father=params.father, mother=params.mother,
                                 cursor=params.cursor,
                                 limit=params.limit)
    return {"items": [{"id": p.pk, "full_name": p.full_name, "sex": p.sex,
                       "birth_date": p.birth_date, "personal_id": p.personal_id,
                       "commune_id": p.commune_id, "deceased": p.death_date is not None}
                      for p in page.items], "next": page.next}


# --- books (issue 13: pages, books) -------------------------------------------------------------


class CivilBookOut(Schema):
    id: int
    commune_id: int
    kind: str
    year: int
    number: int = Field(description="Quyển số")
    name: str
    closed_at: dt.datetime | None
    total_entries: int | None = Field(description="Entries counted when the book was closed")


class CivilBookPageOut(Schema):
    items: list[CivilBookOut]
    next: str | None


class CivilBookParams(Schema):
    kind: Literal["birth", "death", "marriage"] | None = None
    year: int | None = Field(None, ge=1900, le=9999)
    cursor: str | None = Field(None, max_length=1000, pattern=CURSOR_PATTERN)
    limit: int = Field(50, ge=1, le=100)


class CivilEntryOut(Schema):
    id: int
    entry_number: int
    kind: str
    registered_on: dt.date
    event_date: dt.date | None
    late: bool
    persons: list[CivilPartyOut]


class CivilEntryPageOut(Schema):
    items: list[CivilEntryOut]
    next: str | None


class CivilPageParams(Schema):
    cursor: str | None = Field(None, max_length=1000, pattern=CURSOR_PATTERN)
    limit: int = Field(50, ge=1, le=100)


def book_out(book) -> dict:
    return {"id": book.pk, "commune_id": book.commune_id, "kind": book.kind, "year": book.year,
            "number": book.number, "name": book.name, "closed_at": book.closed_at,
            "total_entries": book.total_entries}


@router.get("/books", response={200: CivilBookPageOut, **ERRORS},
            summary="Registry books of the communes one may read")
def book_list(request, params: Query[CivilBookParams]):
    page = books.book_list(actor=request.auth, kind=params.kind or "", year=params.year,
                           cursor=params.cursor, limit=params.limit)
    return {"items": [book_out(b) for b in page.items], "next": page.next}


@router.get("/books/{id}/entries", response={200: CivilEntryPageOut, **ERRORS},
            summary="A registry book's entries in order")
def book_entries(request, params: Query[CivilPageParams],
                 id: int = Path(..., ge=1, le=BIGINT)):
    page = books.book_entries(actor=request.auth, book_id=id, cursor=params.cursor,
                              limit=params.limit)
    return {"items": [{"id": e.pk, "entry_number": e.entry_number, "kind": e.kind,
                       "registered_on": e.registered_on, "event_date": e.event_date,
                       "late": e.late,
                       "persons": [{"id": p.person_id, "role": p.role,
                                    "full_name": p.person.full_name,
                                    "personal_id": p.person.personal_id}
                                   for p in sorted(e.parties.all(), key=lambda p: p.pk)]}
                      for e in page.items], "next": page.next}


@router.post("/books/{id}/close", response={200: CivilBookOut, **ERRORS},
             summary="Close a registry book at year end (Luật Hộ tịch 2014, Điều 58)")
def book_close(request, id: int = Path(..., ge=1, le=BIGINT)):
    return book_out(books.close_book(actor=request.auth, book_id=id))


# The areas' routers (issue 13), each in its own file.
for _area in (api_events, api_certificates, api_duplicates, api_stats, api_sync, api_intake):
    router.add_router("", _area.router)
