"""The civil-status API's shared parts: the person given in a request, the event and its fee
in an answer — used by civil/api.py and the areas' routers (api_events, api_intake,
api_certificates), which civil/api.py mounts. Kept apart so that no area imports api.py."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from .models import RecordedFee
from .services import fees

BIGINT = 2**63 - 1


class CivilPersonIn(Schema):
    id: int | None = Field(None, ge=1, le=BIGINT, description="An existing record")
    full_name: str | None = Field(None, max_length=200)
    sex: Literal["male", "female"] | None = None
    birth_date: dt.date | None = None
    personal_id: str | None = Field(None, max_length=12, description="Exactly 12 digits")
    birth_place: str | None = Field(None, max_length=300)
    hometown: str | None = Field(None, max_length=300)
    residence: str | None = Field(None, max_length=300)
    ethnicity: str | None = Field(None, max_length=80)
    nationality: str | None = Field(None, max_length=80)
    identity_document: str | None = Field(
        None, max_length=100, description="A foreign party's passport or travel document and "
                                          "its number (Luật Hộ tịch 2014, Điều 17.2)")
    identity_document_country: str | None = Field(
        None, max_length=80, description="The country that issued it (the nationality if left "
                                         "out)")
    foreign: bool | None = Field(
        None, description="A foreign party: then a nationality other than Việt Nam and an "
                          "identity document are required (marriages, recognitions, "
                          "guardianships)")


FeeExemption = Literal["meritorious_family", "poor_household", "disability"]
FEE_EXEMPTION = "A ground of exemption from the fee shown by the papers (Luật Hộ tịch 2014, " \
    "Điều 11.1.a)"


class CivilPartyOut(Schema):
    id: int
    role: str
    full_name: str
    personal_id: str | None


class CivilFeeOut(Schema):
    status: Literal["charged", "exempt", "no_rate"]
    amount: int = Field(description="VND; 0 when exempt or without a rate")
    currency: str
    ground: str | None = Field(description="The ground of exemption (Luật Hộ tịch 2014, "
                                           "Điều 11.1)")
    legal_basis: str


class CivilEventOut(Schema):
    id: int
    kind: str
    book: str
    book_id: int
    book_number: int
    entry_number: int
    registered_on: dt.date
    event_date: dt.date | None
    late: bool
    commune_id: int
    personal_id: str | None = Field(description="The child's (birth) or the deceased's (death)")
    persons: list[CivilPartyOut]
    foreign_element: bool = Field(False, description="Có yếu tố nước ngoài: the kind's foreign "
                                                     "rule applied (GET /kind-rules?foreign=true)")
    fee: CivilFeeOut | None = Field(None, description="The fee recorded with the registration "
                                                      "(Luật Hộ tịch 2014, Điều 11)")


def fee_details(body) -> dict | None:
    """The ground of exemption given (Điều 11.1.a), as the registration's details."""
    return {"fee_exemption": body.fee_exemption} if body.fee_exemption else None


def person_spec(person: CivilPersonIn | None) -> dict | None:
    return None if person is None else person.model_dump(exclude_none=True)


def event_out(event) -> dict:
    parties = list(event.parties.select_related("person").order_by("pk"))
    main = next((p.person for p in parties if p.role in ("child", "deceased")), None)
    return {"id": event.pk, "kind": event.kind, "book": str(event.book),
            "book_id": event.book_id, "book_number": event.book.number,
            "entry_number": event.entry_number, "registered_on": event.registered_on,
            "event_date": event.event_date, "late": event.late, "commune_id": event.commune_id,
            "personal_id": main.personal_id if main else None,
            "persons": [{"id": p.person_id, "role": p.role, "full_name": p.person.full_name,
                         "personal_id": p.person.personal_id} for p in parties],
            "foreign_element": event.foreign_element,
            "fee": fees.fee_out(RecordedFee.objects.filter(event=event).first())}
