"""Duplicate detection at registration (civil.services.duplicates, POST
/api/v1/civil/duplicates/check): the likely duplicates of the person about to be registered,
only from the communes the user may read, best first with their reasons; each answer that names
people is audited (ids only); bad input is a 4xx."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from egov.civil.models import Person
from egov.civil.services.duplicates import likely_duplicates
from egov.core import tokens
from egov.core.errors import PermissionDenied
from egov.core.models import AuditEvent

pytestmark = pytest.mark.django_db

BORN = dt.date(2024, 6, 1)


def make(commune, name, born=BORN, sex="male", mother=None, place="Trạm y tế xã"):
    return Person.objects.create(full_name=name, sex=sex, birth_date=born, commune=commune,
                                 mother=mother, birth_place=place)


def reads():
    return AuditEvent.objects.filter(action="civil.person.read")


def test_finds_the_folded_name_with_a_shifted_date_best_first(civ):
    original = make(civ["commune"], "Nguyễn Văn Đạt")
    other = make(civ["commune"], "Nguyễn Văn Đạt", born=BORN - dt.timedelta(days=5))
    make(civ["commune"], "Nguyễn Văn Đạt", born=dt.date(1990, 6, 1))  # a namesake, years apart
    make(civ["commune"], "Trần Thị Hoa", sex="female")                  # same day, someone else
    items = likely_duplicates(actor=civ["registrar"],
                              spec={"full_name": "Nguyen Van Dat", "sex": "male",
                                    "birth_date": (BORN + dt.timedelta(days=1)).isoformat(),
                                    "birth_place": "Trạm y tế xã"})
    assert [i.person for i in items] == [original, other]
    assert items[0].score > items[1].score and 0 < items[1].score <= 1
    assert items[0].reasons[:2] == ["Cùng họ tên, bỏ qua dấu", "Ngày sinh lệch vài ngày"]


def test_name_block_without_a_date_and_limit(civ):
    for _ in range(3):
        make(civ["commune"], "Lê Thị Mai", sex="female")
    items = likely_duplicates(actor=civ["registrar"],
                              spec={"full_name": "Lê Thị Mai", "sex": "female"}, limit=2)
    assert len(items) == 2


def test_same_mother_within_270_days_and_twins(civ):
    mum = make(civ["commune"], "Phạm Thị Hạnh", born=dt.date(1995, 1, 1), sex="female")
    first = make(civ["commune"], "Võ Minh Khôi", mother=mum)
    spec = {"full_name": "Võ Gia Bảo", "sex": "male",
            "birth_date": BORN + dt.timedelta(days=120)}
    items = likely_duplicates(actor=civ["registrar"], spec=spec, mother=mum)
    assert [i.person for i in items] == [first]
    assert items[0].reasons[0] == "Cùng mẹ, hai lần sinh cách nhau dưới 270 ngày"
    assert likely_duplicates(actor=civ["registrar"], spec=spec) == []  # no mother, no match
    twin = {"full_name": "Võ Minh Khang", "sex": "male", "birth_date": BORN}
    assert likely_duplicates(actor=civ["registrar"], spec=twin, mother=mum) == []


def test_commune_isolation_and_the_supervisor(civ, make_user):
    elsewhere = make(civ["other"], "Hoàng Văn Thái")
    spec = {"full_name": "Hoang Van Thai", "sex": "male", "birth_date": BORN}
    assert likely_duplicates(actor=civ["registrar"], spec=spec) == []
    assert reads().count() == 0  # nothing named, nothing audited
    assert [i.person for i in likely_duplicates(actor=civ["other_registrar"], spec=spec)] == \
        [elsewhere]
    assert [i.person for i in likely_duplicates(actor=civ["supervisor"], spec=spec)] == \
        [elsewhere]
    with pytest.raises(PermissionDenied):
        likely_duplicates(actor=make_user("khach", civ["commune"]), spec=spec)


def test_audit_of_a_check_holds_the_ids_only(civ):
    p = make(civ["commune"], "Đỗ Thị Yến", sex="female")
    likely_duplicates(actor=civ["registrar"], spec={"full_name": "Do Thi Yen", "sex": "female",
                                                     "birth_date": BORN})
    event = reads().get()
    assert event.actor_id == civ["registrar"].pk
    assert event.details == {"purpose": "duplicate_check", "ids": [p.pk]}
    assert "Yến" not in json.dumps(event.details, ensure_ascii=False)


# --- API ----------------------------------------------------------------------------------------


def auth(user) -> dict:
    _token, raw = tokens.token_create(actor=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def check(client, user, body):
    return client.post("/api/v1/civil/duplicates/check", json.dumps(body),
                       content_type="application/json", **auth(user))


def test_api_contract(client, civ):
    mum = make(civ["commune"], "Bùi Thị Lụa", born=dt.date(1990, 2, 2), sex="female")
    p = make(civ["commune"], "Bùi Văn Tùng", mother=mum)
    r = check(client, civ["registrar"], {"full_name": "Bùi Tùng", "sex": "male",
                                         "birth_date": BORN.isoformat(), "mother_id": mum.pk})
    assert r.status_code == 200, r.content
    (item,) = r.json()["items"]
    assert item["id"] == p.pk and item["full_name"] == "Bùi Văn Tùng"
    assert item["birth_date"] == BORN.isoformat() and 0.75 <= item["score"] <= 1
    assert item["reasons"] and all(isinstance(x, str) for x in item["reasons"])
    assert reads().count() == 1

    r = check(client, civ["registrar"], {"full_name": "Không Ai Cả", "sex": "male",
                                         "birth_date": BORN.isoformat()})
    assert r.status_code == 200 and r.json() == {"items": []}


@pytest.mark.parametrize("body", [
    {}, {"full_name": ""}, {"full_name": "x" * 201}, {"full_name": "A", "sex": "other"},
    {"full_name": "A", "birth_date": "2024-13-01"}, {"full_name": "A", "mother_id": 0},
    {"full_name": "A", "mother_id": 2**63}, {"full_name": "A", "limit": 0},
    {"full_name": "A", "limit": 21}, {"full_name": 5}])
def test_api_bad_input_is_4xx(client, civ, body):
    r = check(client, civ["registrar"], body)
    assert 400 <= r.status_code < 500 and "code" in r.json(), (body, r.content)


def test_api_mother_of_another_commune_and_unauthenticated(client, civ):
    mum = make(civ["other"], "Hồ Thị Xuân", born=dt.date(1990, 1, 1), sex="female")
    r = check(client, civ["registrar"], {"full_name": "Hồ Văn Tân", "mother_id": mum.pk})
    assert r.status_code == 422 and "mother_id" in r.json()["fields"]
    r = check(client, civ["registrar"], {"full_name": "Hồ Văn Tân", "mother_id": 2**62})
    assert r.status_code == 422
    r = client.post("/api/v1/civil/duplicates/check", json.dumps({"full_name": "A"}),
                    content_type="application/json")
    assert r.status_code == 401
    r = check(client, civ["leader"], {"full_name": "Hồ Văn Tân"})
    assert r.status_code == 200  # the commune leader reads the registry
    assert reads().count() == 0
