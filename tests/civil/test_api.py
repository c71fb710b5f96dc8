"""The issue-13 API contract: births, marriages and deaths → 201 with the book and entry;
the law's refusals → 422 with their code and the article in the message, nothing written;
another commune → 403; the persons search by a name typed without diacritics, only in one's
own communes, each answer that names people in the audit trail."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from egov.civil.models import CivilEvent, Person
from egov.core import tokens
from egov.core.models import AuditEvent

from .conftest import years_ago

pytestmark = pytest.mark.django_db


def auth(user) -> dict:
    _token, raw = tokens.token_create(actor=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def post(client, user, path, body):
    return client.post(f"/api/v1/civil/{path}", json.dumps(body),
                       content_type="application/json", **auth(user))


def person(name, sex, years=30, **extra):
    return {"full_name": name, "sex": sex, "birth_date": years_ago(years).isoformat(), **extra}


def test_birth_marriage_death_and_the_locked_record(client, civ):
    today = timezone.localdate().isoformat()
    r = post(client, civ["registrar"], "births", {
        "child": {"full_name": "Nguyễn Thị Ánh", "sex": "female", "birth_date": today,
                  "personal_id": "036326004321"},
        "mother": person("Trần Thị Bích", "female", 27)})
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["entry_number"] == 1 and body["personal_id"] == "036326004321"
    assert body["book"].startswith("Sổ đăng ký khai sinh") and body["kind"] == "birth"
    assert {p["role"] for p in body["persons"]} == {"child", "mother"}

    r = post(client, civ["registrar"], "marriages", {
        "husband": person("Lê Văn Mười Chín", "male", 19), "wife": person("Vũ Thị Hà", "female")})
    assert r.status_code == 422 and r.json()["code"] == "under_age"
    assert "Điều 8.1.a" in r.json()["message"]
    r = post(client, civ["registrar"], "marriages", {
        "husband": person("Lê Văn Hai Lăm", "male", 25), "wife": person("Vũ Thị Hà", "female")})
    assert r.status_code == 201
    husband_id = next(p["id"] for p in r.json()["persons"] if p["role"] == "husband")
    r = post(client, civ["registrar"], "marriages", {
        "husband": {"id": husband_id}, "wife": person("Đào Thị Khác", "female")})
    assert r.status_code == 422 and r.json()["code"] == "already_married"

    r = post(client, civ["registrar"], "deaths", {"person": {"id": husband_id},
                                                   "death_date": today})
    assert r.status_code == 201 and r.json()["kind"] == "death"
    for path, body in (("deaths", {"person": {"id": husband_id}, "death_date": today}),
                       ("marriages", {"husband": {"id": husband_id},
                                      "wife": person("Ai Khác", "female")})):
        r = post(client, civ["registrar"], path, body)
        assert r.status_code == 422 and r.json()["code"] == "person_deceased", r.content
    assert CivilEvent.objects.count() == 3


@pytest.mark.parametrize("body", [
    {}, {"child": None}, {"child": {"full_name": "X", "sex": "other", "birth_date": "2026"}},
    {"child": {"full_name": "Y", "sex": "male", "birth_date": "2020-01-01",
               "personal_id": "12ab"}},
    {"child": {"id": 1}}, {"child": {"full_name": "Z"}, "commune_id": -1},
    {"child": {"full_name": "W", "sex": "male", "birth_date": "2020-01-01"},
     "mother": {"id": 2**63}},
])
def test_bad_bodies_are_4xx_with_a_code_and_change_nothing(client, civ, body):
    r = post(client, civ["registrar"], "births", body)
    assert 400 <= r.status_code < 500 and r.json()["code"], r.content
    assert not Person.objects.exists() and not CivilEvent.objects.exists()


def test_other_commune_and_no_login(client, civ):
    body = {"child": {"full_name": "Trẻ", "sex": "male",
                      "birth_date": timezone.localdate().isoformat()},
            "commune_id": civ["commune"].pk}
    assert post(client, civ["other_registrar"], "births", body).status_code == 403
    assert post(client, civ["supervisor"], "births", body).status_code == 403
    r = client.post("/api/v1/civil/births", json.dumps(body), content_type="application/json")
    assert r.status_code == 401
    assert not CivilEvent.objects.exists()


def test_persons_search_without_diacritics_in_ones_own_communes(client, civ):
    for who, name in (("registrar", "Đặng Thị Thu Hường"), ("registrar", "Phan Văn Đức"),
                      ("other_registrar", "Đặng Thị Thu Hà")):
        assert post(client, civ[who], "births", {"child": {
            "full_name": name, "sex": "female",
            "birth_date": timezone.localdate().isoformat()}}).status_code == 201

    def names(user, **params):
        r = client.get("/api/v1/civil/persons", params, **auth(user))
        assert r.status_code == 200, r.content
        return [p["full_name"] for p in r.json()["items"]], r.json()["next"]

    assert names(civ["registrar"], q="dang thi thu")[0] == ["Đặng Thị Thu Hường"]
    assert names(civ["other_registrar"], q="DANG THI")[0] == ["Đặng Thị Thu Hà"]
    found, _next = names(civ["supervisor"], q="dang thi thu")
    assert sorted(found) == ["Đặng Thị Thu Hà", "Đặng Thị Thu Hường"]
    assert names(civ["registrar"], q="duc")[0] == ["Phan Văn Đức"]
    first, cursor = names(civ["registrar"], limit=1)
    assert len(first) == 1 and cursor
    rest, end = names(civ["registrar"], limit=5, cursor=cursor)
    assert len(rest) == 1 and end is None and rest != first
    reads = AuditEvent.objects.filter(action="civil.person.read")
    assert reads.exists() and all("Đặng" not in json.dumps(e.details) for e in reads)
    assert client.get("/api/v1/civil/persons", {"cursor": "x"},
                      **auth(civ["registrar"])).status_code == 422
