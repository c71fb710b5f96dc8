"""Civil-status API: the other events and the catalogue (issue 13), mounted under
/api/v1/civil by civil/api.py:

    POST /marital-status            {"person": {"id"}, "purpose"?}              → 201 the event
    POST /recognitions              {"child": {"id"}, "parent": {…}, "role", "foreign_element"?}
    POST /guardianships             {"guardian": {…}, "ward": {"id"}, "mode"?, "ward_ground"?,
                                     "guardian_capable"?, "foreign_element"?}
    POST /guardianships/{id}/end    {"ground"}
    POST /changes                   {"person": {"id"}, "change_type", "field", "new_value",
                                     "ground", "parents_consent"?, "person_consent"?}
    POST /notes                     {"kind": divorce | adoption | death_declared | adoption_end |
                                     annulment | nationality | parentage | gender | missing |
                                     missing_end | capacity | capacity_end | death_undone |
                                     abroad_marriage | abroad_divorce, the parties, "authority",
                                     "decision_number", "decision_date", the kind's fields
                                     (api_notes.py)}
    POST /reregistrations           {"kind": birth | marriage | death, "original_registered_on",
                                     "original_place", "book_lost", the parties}
    GET  /kind-rules?on=&foreign=   the catalogue's rules in force (law as data; the
                                     foreign-element variants with foreign=true)

Every POST also takes "registered_on", "commune_id" and "fee_exemption" (Luật Hộ tịch 2014,
Điều 11.1.a; the fee recorded is in "fee"). The event answers as the births do
(api.event_out) with its details (the status and valid_until of a certificate, the old and new
values of a change, the decision noted). The law's refusals: 422 with the code and the article
in the message; 403 outside one's commune; nothing written on an error.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Path, Query, Router, Schema, Status

from egov.core import policy
from egov.core.api import ERRORS

from . import api_notes
from .api_common import (
    BIGINT,
    FEE_EXEMPTION,
    CivilEventOut,
    CivilPersonIn,
    FeeExemption,
    event_out,
    fee_details,
)
from .catalog import kind_rules_in_force
from .services import events, events_notes

router = Router(tags=["civil"])

TEXT = 300


class CivilPersonRefIn(Schema):
    id: int = Field(..., ge=1, le=BIGINT, description="A person record of the registry")


class CivilEventCommonIn(Schema):
    registered_on: dt.date | None = None
    commune_id: int | None = Field(None, ge=1, le=BIGINT)
    fee_exemption: FeeExemption | None = Field(None, description=FEE_EXEMPTION)


FOREIGN_ELEMENT = Field(False, description="Có yếu tố nước ngoài (e.g. a citizen settled "
                                           "abroad); a party of another nationality makes it so "
                                           "anyway")


class CivilMaritalStatusIn(CivilEventCommonIn):
    person: CivilPersonRefIn
    purpose: str = Field("", max_length=TEXT)


class CivilRecognitionIn(CivilEventCommonIn):
    child: CivilPersonRefIn
    parent: CivilPersonIn
    role: Literal["father", "mother"]
    foreign_element: bool = FOREIGN_ELEMENT


class CivilGuardianshipIn(CivilEventCommonIn):
    guardian: CivilPersonIn
    ward: CivilPersonRefIn
    mode: Literal["appointed", "statutory"] = "appointed"
    ward_ground: str = Field("", max_length=TEXT, description="The court decision for an adult")
    guardian_capable: bool = True
    foreign_element: bool = FOREIGN_ELEMENT


class CivilGuardianshipEndIn(CivilEventCommonIn):
    ground: str = Field(..., max_length=TEXT)


class CivilChangeIn(CivilEventCommonIn):
    person: CivilPersonRefIn
    change_type: Literal["change", "correction", "supplement"]
    field: Literal["full_name", "birth_date", "birth_place", "hometown", "ethnicity",
                   "nationality", "personal_id"]
    new_value: str = Field(..., max_length=TEXT, description="A date as YYYY-MM-DD")
    ground: str = Field(..., max_length=TEXT)
    parents_consent: bool = False
    person_consent: bool = False


class CivilNoteIn(CivilEventCommonIn):
    kind: Literal["divorce", "adoption", "death_declared", "adoption_end", "annulment",
                  "nationality", "parentage", "gender", "missing", "missing_end", "capacity",
                  "capacity_end", "death_undone", "abroad_marriage", "abroad_divorce"]
    authority: str = Field(..., max_length=TEXT, description="The court or authority")
    decision_number: str = Field(..., max_length=50)
    decision_date: dt.date = Field(..., description="The day the decision took effect (a "
                                   "marriage abroad: the day of the marriage)")
    husband: CivilPersonIn | None = Field(None, description="A record ({id}); a new one only "
                                          "for a marriage or divorce done abroad")
    wife: CivilPersonIn | None = None
    child: CivilPersonRefIn | None = None
    adoptive_father: CivilPersonIn | None = None
    adoptive_mother: CivilPersonIn | None = None
    relative_adoption: bool = False
    person: CivilPersonRefIn | None = None
    death_date: dt.date | None = None
    # The other decisions (api_notes.py).
    marriage_event_id: int | None = Field(None, ge=1, le=BIGINT,
                                          description="annulment: the marriage annulled")
    adoption_event_id: int | None = Field(None, ge=1, le=BIGINT,
                                          description="adoption_end: the adoption ended")
    ground: str = Field("", max_length=TEXT)
    parent: CivilPersonIn | None = None
    role: Literal["father", "mother"] | None = None
    finding: Literal["parent", "not_parent"] = "parent"
    country: str = Field("", max_length=80, description="abroad_*: the country")
    dissolution: Literal["divorce", "annulment"] = "divorce"
    change_type: Literal["acquired", "restored", "renounced", "deprived", "revoked"] | None = None
    nationality: str = Field("", max_length=80)
    sex: Literal["male", "female"] | None = None
    new_personal_id: str = Field("", max_length=12)
    capacity: Literal["lost", "limited"] | None = None


class CivilReregistrationIn(CivilEventCommonIn):
    kind: Literal["birth", "marriage", "death"]
    original_registered_on: dt.date
    original_place: str = Field(..., max_length=TEXT)
    book_lost: bool = False
    child: CivilPersonIn | None = None
    mother: CivilPersonIn | None = None
    father: CivilPersonIn | None = None
    husband: CivilPersonIn | None = None
    wife: CivilPersonIn | None = None
    both_present: bool = True
    person: CivilPersonIn | None = None
    death_date: dt.date | None = None


class CivilOtherEventOut(CivilEventOut):
    details: dict[str, Any]


class CivilKindRuleOut(Schema):
    kind: str
    variant: str = Field("", description='"" or "foreign" (có yếu tố nước ngoài)')
    book_name: str
    duty_days: int | None
    limit_working_days: int = Field(description="0 = the same day (15:00 rule); in calendar "
                                                "days when limit_unit is \"days\"")
    limit_unit: Literal["working_days", "days"] = "working_days"
    verification_days: int | None
    validity_months: int | None
    legal_basis: str
    effective_from: dt.date
    effective_to: dt.date | None


class CivilKindRuleParams(Schema):
    on: dt.date | None = Field(None, description="The day (today by default)")
    foreign: bool = Field(False, description="The foreign-element variants instead")


def _ref(value) -> dict | None:
    return None if value is None else value.model_dump(exclude_none=True)


def _common(body: CivilEventCommonIn) -> dict:
    """The registration date, the commune and the ground of exemption from the fee (Luật Hộ
    tịch 2014, Điều 11.1.a), which every registration takes."""
    return {"registered_on": body.registered_on, "commune_id": body.commune_id,
            "details": fee_details(body)}


def _created(event) -> Status:
    return Status(201, {**event_out(event), "details": event.details})


@router.post("/marital-status", response={201: CivilOtherEventOut, **ERRORS},
             summary="Certify a person's marital status")
def marital_status_create(request, body: CivilMaritalStatusIn):
    return _created(events.certify_marital_status(actor=request.auth, person=_ref(body.person),
                                                  purpose=body.purpose, **_common(body)))


@router.post("/recognitions", response={201: CivilOtherEventOut, **ERRORS},
             summary="Register the recognition of a parent and child")
def recognition_create(request, body: CivilRecognitionIn):
    return _created(events.recognize(actor=request.auth, child=_ref(body.child),
                                     parent=_ref(body.parent), role=body.role,
                                     foreign_element=body.foreign_element, **_common(body)))


@router.post("/guardianships", response={201: CivilOtherEventOut, **ERRORS},
             summary="Register a guardianship")
def guardianship_create(request, body: CivilGuardianshipIn):
    return _created(events.register_guardianship(
        actor=request.auth, guardian=_ref(body.guardian), ward=_ref(body.ward), mode=body.mode,
        ward_ground=body.ward_ground, guardian_capable=body.guardian_capable,
        foreign_element=body.foreign_element, **_common(body)))


@router.post("/guardianships/{guardianship_id}/end",
             response={201: CivilOtherEventOut, **ERRORS}, summary="End a guardianship")
def guardianship_end(request, body: CivilGuardianshipEndIn,
                     guardianship_id: int = Path(..., ge=1, le=BIGINT)):
    return _created(events.end_guardianship(actor=request.auth, guardianship_id=guardianship_id,
                                            ground=body.ground, **_common(body)))


@router.post("/changes", response={201: CivilOtherEventOut, **ERRORS},
             summary="Register a change, correction or supplement of civil-status data")
def change_create(request, body: CivilChangeIn):
    return _created(events.register_change(
        actor=request.auth, person=_ref(body.person), change_type=body.change_type,
        field=body.field, new_value=body.new_value, ground=body.ground,
        parents_consent=body.parents_consent, person_consent=body.person_consent,
        **_common(body)))


@router.post("/notes", response={201: CivilOtherEventOut, **ERRORS},
             summary="Note a decision made elsewhere (divorce, adoption, declarations, …)")
def note_create(request, body: CivilNoteIn):
    decision = {"authority": body.authority, "decision_number": body.decision_number,
                "decision_date": body.decision_date, **_common(body)}
    if body.kind == "divorce":
        event = events_notes.note_divorce(actor=request.auth, husband=_ref(body.husband),
                                          wife=_ref(body.wife), **decision)
    elif body.kind == "adoption":
        event = events_notes.note_adoption(
            actor=request.auth, child=_ref(body.child),
            adoptive_father=_ref(body.adoptive_father),
            adoptive_mother=_ref(body.adoptive_mother),
            relative_adoption=body.relative_adoption, **decision)
    elif body.kind == "death_declared":
        event = events_notes.note_death_declaration(actor=request.auth,
                                                    person=_ref(body.person),
                                                    death_date=body.death_date, **decision)
    else:
        event = api_notes.note(request.auth, body, decision)
    return _created(event)


@router.post("/reregistrations", response={201: CivilOtherEventOut, **ERRORS},
             summary="Re-register a birth, marriage or death whose book was lost")
def reregistration_create(request, body: CivilReregistrationIn):
    data = {"child": _ref(body.child), "mother": _ref(body.mother), "father": _ref(body.father),
            "husband": _ref(body.husband), "wife": _ref(body.wife),
            "both_present": body.both_present, "person": _ref(body.person),
            "death_date": body.death_date}
    return _created(events_notes.reregister(
        actor=request.auth, kind=body.kind, original_registered_on=body.original_registered_on,
        original_place=body.original_place, book_lost=body.book_lost, data=data,
        **_common(body)))


@router.get("/kind-rules", response={200: list[CivilKindRuleOut], **ERRORS},
            summary="The rules of the kinds of events in force (law as data)")
def kind_rule_list(request, params: Query[CivilKindRuleParams]):
    policy.require(request.auth, "civil.read")
    return [{"kind": r.kind, "variant": r.variant, "book_name": r.book_name,
             "duty_days": r.duty_days, "limit_working_days": r.limit_working_days,
             "limit_unit": r.limit_unit,
             "verification_days": r.verification_days, "validity_months": r.validity_months,
             "legal_basis": r.legal_basis, "effective_from": r.effective_from,
             "effective_to": r.effective_to}
            for r in kind_rules_in_force(params.on, foreign=params.foreign)]
