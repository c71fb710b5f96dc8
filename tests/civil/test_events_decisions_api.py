"""The other noted decisions through `POST /api/v1/civil/notes`: 201 with the event and its
details for each kind; the registry's contradictions 422 with their code and article; bad
bodies 4xx with nothing written; another commune's person not found."""

from __future__ import annotations

import json

import pytest

from egov.civil.models import CivilEvent, Person

from .test_events_api import post
from .test_events_kit import couple, rec, today

pytestmark = pytest.mark.django_db

DECISION = {"authority": "Tòa án nhân dân khu vực 4", "decision_number": "9/2026/QĐ-TA",
            "decision_date": today().isoformat()}


def note(client, civ, kind, **body):
    return post(client, civ["registrar"], "notes", {"kind": kind, **DECISION, **body})


def created(r, kind):
    assert r.status_code == 201, r.content
    assert r.json()["kind"] == kind and r.json()["details"]["decision_number"] == "9/2026/QĐ-TA"
    return r.json()


def test_each_decision_through_the_api(client, civ):
    man, woman = rec(civ, "Lý Văn Chồng", "male"), rec(civ, "Lý Thị Vợ", "female")
    couple(civ, man, woman)
    body = created(note(client, civ, "annulment", husband={"id": man.pk}, wife={"id": woman.pk}),
                   "annulment")
    assert body["details"]["spouses_unlinked"] is True
    body = created(note(client, civ, "abroad_marriage", husband={"id": man.pk},
                        wife={"full_name": "Anna Schmidt", "birth_date": "1995-05-05",
                              "nationality": "Đức"}, country="Đức"), "abroad_marriage")
    assert body["details"]["country"] == "Đức" and len(body["persons"]) == 2
    body = created(note(client, civ, "abroad_divorce", husband={"id": man.pk},
                        wife={"id": body["persons"][1]["id"]}, country="Đức",
                        dissolution="divorce"), "abroad_divorce")
    man.refresh_from_db()
    assert man.spouse_id is None

    kid = rec(civ, "Lý Bé Nuôi", "female", 4)
    r = note(client, civ, "adoption", child={"id": kid.pk},
             adoptive_mother={"full_name": "Mẹ Nuôi Lý", "sex": "female",
                              "birth_date": "1980-01-01"})
    adoption = r.json()["id"]
    body = created(note(client, civ, "adoption_end", child={"id": kid.pk},
                        adoption_event_id=adoption, ground="Điều 25.a"), "adoption_end")
    assert body["details"]["adoption_event"] == adoption
    r = note(client, civ, "adoption_end", child={"id": kid.pk})
    assert r.status_code == 422 and r.json()["code"] == "no_adoption"
    assert "Điều 25" in r.json()["message"]

    body = created(note(client, civ, "parentage", child={"id": kid.pk}, parent={"id": man.pk},
                        role="father"), "parentage")
    assert body["details"]["finding"] == "parent"
    body = created(note(client, civ, "nationality", person={"id": woman.pk},
                        change_type="renounced", nationality="Singapore"), "nationality")
    assert body["details"]["old"] == "Việt Nam" and body["details"]["new"] == "Singapore"
    body = created(note(client, civ, "gender", person={"id": woman.pk}, sex="male"), "gender")
    assert body["details"]["new"] == "male"
    for kind, extra in (("missing", {}), ("missing_end", {}), ("capacity", {"capacity": "limited"}),
                        ("capacity_end", {})):
        created(note(client, civ, kind, person={"id": man.pk}, **extra), kind)
    r = note(client, civ, "death_declared", person={"id": man.pk}, death_date="2025-01-01")
    assert r.status_code == 201
    body = created(note(client, civ, "death_undone", person={"id": man.pk}), "death_undone")
    assert body["details"]["death_date"] == "2025-01-01"
    man.refresh_from_db()
    assert man.death_date is None
    r = note(client, civ, "death_undone", person={"id": man.pk})
    assert r.status_code == 422 and r.json()["code"] == "death_not_declared"
    assert CivilEvent.objects.count() == 14


def test_the_registry_s_contradictions_are_422(client, civ):
    man, woman = rec(civ, "Hà Văn Độc", "male"), rec(civ, "Hà Thị Thân", "female")
    cases = [
        ("annulment", {"husband": {"id": man.pk}, "wife": {"id": woman.pk}}, "not_spouses"),
        ("annulment", {"husband": {"id": man.pk}, "wife": {"id": woman.pk},
                       "marriage_event_id": 987654}, "marriage_not_found"),
        ("adoption_end", {"child": {"id": man.pk}}, "no_adoption"),
        ("missing_end", {"person": {"id": man.pk}}, "missing_not_declared"),
        ("capacity_end", {"person": {"id": man.pk}}, "capacity_not_declared"),
        ("death_undone", {"person": {"id": man.pk}}, "death_not_declared"),
        ("parentage", {"child": {"id": man.pk}, "parent": {"id": woman.pk}, "role": "mother",
                       "finding": "not_parent"}, "not_recorded_parent"),
        ("nationality", {"person": {"id": man.pk}, "change_type": "acquired",
                         "nationality": "Việt Nam"}, "no_change"),
    ]
    for kind, body, code in cases:
        r = note(client, civ, kind, **body)
        assert r.status_code == 422 and r.json()["code"] == code, (kind, r.content)
        assert "Điều" in r.json()["message"] or code == "no_change"
    assert not CivilEvent.objects.exists()


BAD = [
    {"kind": "annulment"},
    {"kind": "annulment", "husband": {"id": 1}, "wife": {"id": 1}, "marriage_event_id": 0},
    {"kind": "adoption_end", "child": {"id": 1}, "ground": "x" * 301},
    {"kind": "nationality", "person": {"id": 1}, "change_type": "sold", "nationality": "Lào"},
    {"kind": "nationality", "person": {"id": 1}, "change_type": "acquired", "nationality": ""},
    {"kind": "parentage", "child": {"id": 1}, "parent": {"id": 1}, "role": "aunt"},
    {"kind": "parentage", "child": {"id": 1}, "parent": None, "role": "father"},
    {"kind": "gender", "person": {"id": 1}, "sex": "other"},
    {"kind": "gender", "person": {"id": 1}, "sex": "male", "new_personal_id": "1234567890123"},
    {"kind": "gender", "person": {"id": 1}, "sex": "male", "new_personal_id": "12345"},
    {"kind": "missing"},
    {"kind": "capacity", "person": {"id": 1}},
    {"kind": "capacity", "person": {"id": 1}, "capacity": "partial"},
    {"kind": "death_undone", "person": {"id": 1}, "decision_date": "x"},
    {"kind": "abroad_marriage", "husband": {"full_name": "X"}, "wife": {"id": 1}},
    {"kind": "abroad_divorce", "husband": {"id": 1}, "wife": {"id": 1}, "country": "Úc",
     "dissolution": "separation"},
    {"kind": "missing_end", "person": {"id": 1}, "authority": ""},
]


@pytest.mark.parametrize("body", BAD)
def test_bad_bodies_are_4xx_and_change_nothing(client, civ, body):
    person = rec(civ, "Người Có Sẵn", "female", 30)
    before = (Person.objects.count(), CivilEvent.objects.count())
    body = json.loads(json.dumps({**DECISION, **body}).replace('"id": 1}',
                                                                f'"id": {person.pk}}}'))
    r = post(client, civ["registrar"], "notes", body)
    assert 400 <= r.status_code < 500 and r.json()["code"], r.content
    assert (Person.objects.count(), CivilEvent.objects.count()) == before
    person.refresh_from_db()
    assert (person.sex, person.nationality, person.death_date) == ("female", "Việt Nam", None)


def test_another_commune_s_person_is_not_found(client, civ):
    theirs = rec(civ, "Người Xã Bên", "male", where="other")
    r = note(client, civ, "missing", person={"id": theirs.pk})
    assert r.status_code == 422 and "person.id" in r.json()["fields"]
    r = post(client, civ["other_registrar"], "notes",
             {"kind": "missing", "person": {"id": theirs.pk}, "commune_id": civ["commune"].pk,
              **DECISION})
    assert r.status_code == 403
    assert post(client, None, "notes", {"kind": "missing", "person": {"id": theirs.pk},
                                        **DECISION}).status_code == 401
    assert not CivilEvent.objects.exists()
