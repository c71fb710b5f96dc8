"""The other decisions noted through `POST /api/v1/civil/notes` (api_events.note_create parses
the body; this picks the service of the kind): termination of an adoption, annulment, change of
nationality, determination of parentage, gender re-determination, missing status and civil
capacity declared or cancelled, a cancelled declaration of death, a marriage or a divorce /
annulment done abroad (Luật Hộ tịch 2014, Điều 3.2–3.3). Each kind reads its own fields:

    adoption_end     child {id}, adoption_event_id?, ground?
    annulment        husband {id}, wife {id}, marriage_event_id?
    nationality      person {id}, change_type, nationality
    parentage        child {id}, parent {…}, role, finding? (parent | not_parent)
    gender           person {id}, sex, new_personal_id?
    missing, missing_end, capacity_end, death_undone      person {id}
    capacity         person {id}, capacity (lost | limited)
    abroad_marriage  husband {…}, wife {…}, country
    abroad_divorce   husband {…}, wife {…}, country, dissolution? (divorce | annulment)
"""

from __future__ import annotations

from .services import events_decisions as ed
from .services import events_status as es


def _ref(value) -> dict | None:
    return None if value is None else value.model_dump(exclude_none=True)


def note(actor, body, decision: dict):
    """The event noted for `body.kind` (one of the kinds above); `decision` holds the
    authority, number, date, registered_on and commune_id."""
    kind, person = body.kind, _ref(body.person)
    common = {"actor": actor, **decision}
    if kind == "adoption_end":
        return ed.note_adoption_end(child=_ref(body.child),
                                    adoption_event_id=body.adoption_event_id,
                                    ground=body.ground, **common)
    if kind == "annulment":
        return ed.note_annulment(husband=_ref(body.husband), wife=_ref(body.wife),
                                 marriage_event_id=body.marriage_event_id, **common)
    if kind == "abroad_marriage":
        return ed.note_abroad_marriage(husband=_ref(body.husband), wife=_ref(body.wife),
                                       country=body.country, **common)
    if kind == "abroad_divorce":
        return ed.note_abroad_divorce(husband=_ref(body.husband), wife=_ref(body.wife),
                                      country=body.country, dissolution=body.dissolution,
                                      **common)
    if kind == "parentage":
        return ed.note_parentage(child=_ref(body.child), parent=_ref(body.parent),
                                 role=body.role, finding=body.finding, **common)
    if kind == "nationality":
        return es.note_nationality(person=person, change_type=body.change_type,
                                   nationality=body.nationality, **common)
    if kind == "gender":
        return es.note_gender(person=person, sex=body.sex,
                              new_personal_id=body.new_personal_id, **common)
    if kind == "capacity":
        return es.note_capacity(person=person, capacity=body.capacity, **common)
    simple = {"missing": es.note_missing, "missing_end": es.note_missing_end,
              "capacity_end": es.note_capacity_end, "death_undone": es.note_death_undone}
    return simple[kind](person=person, **common)
