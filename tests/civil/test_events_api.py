"""The API of the other events: 201 with the event and its details; the law's refusals 422 with
their code; bad bodies 4xx with nothing written; another commune 403; no login 401."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from egov.civil.models import CivilEvent, Guardianship, OfficerIdentity, Person
from egov.core import tokens

from .test_events_kit import couple, rec, today

pytestmark = pytest.mark.django_db


def post(client, user, path, body):
    headers = {}
    if user is not None:
        _t, raw = tokens.token_create(actor=user, name="t")
        headers["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    return client.post(f"/api/v1/civil/{path}", json.dumps(body, default=str),
                       content_type="application/json", **headers)


DECISION = {"authority": "Tòa án nhân dân khu vực 3", "decision_number": "7/2026/QĐ",
            "decision_date": dt.date(2026, 1, 5).isoformat()}


def test_each_event_through_the_api(client, civ):
    reg = civ["registrar"]
    man, woman = rec(civ, "Hồ Văn Một", "male"), rec(civ, "Hồ Thị Hai", "female")
    r = post(client, reg, "marital-status", {"person": {"id": man.pk}, "purpose": "Kết hôn"})
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["kind"] == "marital_status" and body["details"]["status"] == "single"
    assert body["details"]["valid_until"] and body["entry_number"] == 1
    assert body["persons"] == [{"id": man.pk, "role": "person", "full_name": "Hồ Văn Một",
                                "personal_id": None}]

    kid = rec(civ, "Hồ Văn Con", "male", 3)
    r = post(client, reg, "recognitions", {"child": {"id": kid.pk}, "parent": {"id": man.pk},
                                           "role": "father"})
    assert r.status_code == 201 and r.json()["personal_id"] is None
    r = post(client, reg, "recognitions", {"child": {"id": kid.pk}, "parent": {"id": man.pk},
                                           "role": "father"})
    assert r.status_code == 422 and r.json()["code"] == "parent_recorded"

    r = post(client, reg, "guardianships", {"guardian": {"id": woman.pk}, "ward": {"id": kid.pk},
                                            "mode": "appointed"})
    assert r.status_code == 201
    g = Guardianship.objects.get()
    r = post(client, reg, f"guardianships/{g.pk}/end", {"ground": "Cha đã nhận con"})
    assert r.status_code == 201 and r.json()["kind"] == "guardianship_end"

    r = post(client, reg, "changes", {"person": {"id": woman.pk}, "change_type": "correction",
                                      "field": "birth_date", "new_value": "1996-02-03",
                                      "ground": "Ghi sai"})
    assert r.status_code == 201 and r.json()["details"]["new"] == "1996-02-03"

    couple(civ, man, woman)
    r = post(client, reg, "notes", {"kind": "divorce", "husband": {"id": man.pk},
                                    "wife": {"id": woman.pk}, **DECISION})
    assert r.status_code == 201 and r.json()["details"]["decision_number"] == "7/2026/QĐ"
    r = post(client, reg, "notes", {"kind": "adoption", "child": {"id": kid.pk},
                                    "adoptive_mother": {"full_name": "Mẹ Nuôi", "sex": "female",
                                                        "birth_date": "1980-01-01"},
                                    **DECISION})
    assert r.status_code == 201, r.content
    r = post(client, reg, "notes", {"kind": "death_declared", "person": {"id": woman.pk},
                                    "death_date": "2025-12-01", **DECISION})
    assert r.status_code == 201 and r.json()["personal_id"] is None
    r = post(client, reg, "marital-status", {"person": {"id": woman.pk}})
    assert r.status_code == 422 and r.json()["code"] == "person_deceased"

    r = post(client, reg, "reregistrations", {
        "kind": "birth", "original_registered_on": "2008-09-10", "original_place": "UBND xã",
        "book_lost": True, "child": {"full_name": "Đăng Ký Lại", "sex": "female",
                                     "birth_date": "2008-09-01", "personal_id": "001308001234"}})
    assert r.status_code == 201 and r.json()["personal_id"] == "001308001234"
    assert r.json()["details"]["reregistration"]["original_date"] == "2008-09-10"
    r = post(client, reg, "reregistrations", {
        "kind": "death", "original_registered_on": "2018-01-01", "original_place": "UBND xã",
        "book_lost": True, "person": {"id": man.pk}, "death_date": "2017-12-30"})
    assert r.status_code == 422 and r.json()["code"] == "reregistration_not_allowed"
    assert CivilEvent.objects.count() == 9


BAD = [
    ("marital-status", {}),
    ("marital-status", {"person": {"id": 0}}),
    ("marital-status", {"person": {"id": 2**63}}),
    ("marital-status", {"person": {"id": 1}, "purpose": "x" * 301}),
    ("marital-status", {"person": {"id": 1}, "commune_id": -1}),
    ("recognitions", {"child": {"id": 1}, "parent": {"id": 1}, "role": "uncle"}),
    ("recognitions", {"child": {"id": 1}, "parent": {"full_name": "A" * 201}, "role": "father"}),
    ("guardianships", {"guardian": {"id": 1}, "ward": {"id": 1}, "mode": "x"}),
    ("guardianships/0/end", {"ground": "x"}),
    ("guardianships/99999/end", {"ground": "x"}),
    ("guardianships/1/end", {}),
    ("changes", {"person": {"id": 1}, "change_type": "change", "field": "sex",
                 "new_value": "female", "ground": "x"}),
    ("changes", {"person": {"id": 1}, "change_type": "correction", "field": "birth_date",
                 "new_value": "not a date", "ground": "x"}),
    ("notes", {"kind": "divorce", **DECISION}),
    ("notes", {"kind": "annulment", **DECISION}),
    ("notes", {"kind": "death_declared", "person": {"id": 1}, **DECISION}),
    ("notes", {"kind": "adoption", "child": {"id": 1}, **DECISION, "decision_date": "x"}),
    ("reregistrations", {"kind": "birth", "original_registered_on": "2010-01-01",
                         "original_place": "x", "book_lost": True}),
    ("reregistrations", {"kind": "guardianship", "original_registered_on": "2010-01-01",
                         "original_place": "x"}),
    ("reregistrations", {"kind": "birth", "original_registered_on": "2010-01-01",
                         "original_place": "", "book_lost": True,
                         "child": {"full_name": "Trẻ", "sex": "male"}}),
]


@pytest.mark.parametrize("path,body", BAD)
def test_bad_bodies_are_4xx_and_change_nothing(client, civ, path, body):
    person = rec(civ, "Người Có Sẵn", "female", 30)
    before = (Person.objects.count(), CivilEvent.objects.count())
    body = json.loads(json.dumps(body).replace('"id": 1}', f'"id": {person.pk}}}'))
    r = post(client, civ["registrar"], path, body)
    assert 400 <= r.status_code < 500 and r.json()["code"], r.content
    assert (Person.objects.count(), CivilEvent.objects.count()) == before
    person.refresh_from_db()
    assert person.full_name == "Người Có Sẵn" and person.death_date is None


def test_commune_isolation_and_login(client, civ):
    theirs = rec(civ, "Người Xã Bên", "male", where="other")
    r = post(client, civ["registrar"], "marital-status", {"person": {"id": theirs.pk}})
    assert r.status_code == 422 and "person.id" in r.json()["fields"]
    r = post(client, civ["other_registrar"], "marital-status",
             {"person": {"id": theirs.pk}, "commune_id": civ["commune"].pk})
    assert r.status_code == 403
    r = post(client, civ["supervisor"], "changes", {
        "person": {"id": theirs.pk}, "change_type": "change", "field": "full_name",
        "new_value": "Tên", "ground": "x", "commune_id": civ["other"].pk})
    assert r.status_code == 403
    assert post(client, None, "marital-status", {"person": {"id": theirs.pk}}).status_code == 401
    assert not CivilEvent.objects.exists()


def test_the_registrar_related_refusal_through_the_api(client, civ):
    me = rec(civ, "Lê Thị Hộ Tịch", "female", 30)
    mum = rec(civ, "Mẹ Của Tôi", "female", 55)
    Person.objects.filter(pk=me.pk).update(mother=mum)
    OfficerIdentity.objects.create(user=civ["registrar"], person=me)
    r = post(client, civ["registrar"], "marital-status", {"person": {"id": mum.pk}})
    assert r.status_code == 422 and r.json()["code"] == "registrar_related"
    r = post(client, civ["registrar"], "deaths", {"person": {"id": mum.pk},
                                                  "death_date": today().isoformat()})
    assert r.status_code == 422 and r.json()["code"] == "registrar_related"
    assert not CivilEvent.objects.exists()
