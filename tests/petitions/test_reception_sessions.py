"""Reception sessions — the sổ tiếp công dân (Mẫu 03/TCD): opening a session (regular or the
leader's periodic day), recording visits with gapless numbers per agency and year, a visit that
creates a petition or attaches to one, a refused visit with its ground and the visitor's
identity kept apart; the pages."""

from __future__ import annotations

import datetime as dt

import pytest

from egov.core.errors import AppError, InvalidInput, PermissionDenied
from egov.petitions.models import (
    Petition,
    PetitionIdentity,
    ReceptionSession,
    ReceptionVisit,
    VisitorIdentity,
)
from egov.petitions.services import reception as svc

from .conftest import IDENTITY

pytestmark = pytest.mark.django_db
SUMMARY = ("Bà Trần Thị Bích Ngọc trình bày: ông Lê Văn Hùng, cán bộ địa chính, nhận tiền "
           "để hợp thức hóa đất lấn chiếm.")


@pytest.fixture
def session(pet):
    return svc.session_open(actor=pet["reception"], agency=pet["commune"], kind="leader",
                            day=dt.date(2026, 12, 15), place="Phòng tiếp công dân xã",
                            leader_id=pet["head"].pk)


def test_open_sessions(pet, session):
    assert session.kind == "leader" and session.leader == pet["head"]
    assert session.officer == pet["reception"] and session.place == "Phòng tiếp công dân xã"
    regular = svc.session_open(actor=pet["reception"], agency=pet["commune"])
    assert regular.kind == "regular" and regular.leader is None


@pytest.mark.parametrize("kwargs,field", [
    ({"kind": "leader"}, "leader"), ({"kind": "party"}, "kind"),
    ({"leader_id": 999999}, "leader"), ({"place": "x" * 300}, "place"),
])
def test_session_validation(pet, kwargs, field):
    with pytest.raises(InvalidInput) as err:
        svc.session_open(actor=pet["reception"], agency=pet["commune"], **kwargs)
    assert field in err.value.fields
    assert not ReceptionSession.objects.exists()


def test_session_needs_receive(pet):
    with pytest.raises(PermissionDenied):
        svc.session_open(actor=pet["handler"], agency=pet["commune"])


def test_visit_creates_a_petition_identity_apart(pet, session):
    v = svc.visit_record(actor=pet["reception"], session=session, visitor=IDENTITY,
                         summary=SUMMARY, kind="denunciation", oral=True, competent=True,
                         others=[{"full_name": "Phạm Văn Đức", "role": "cùng nội dung"}],
                         create_petition=True)
    assert v.number == 1 and v.people == 2 and v.oral and v.competent is True
    assert v.petition is not None and v.petition.channel == "reception"
    assert v.petition.received_by == pet["reception"] and v.petition.signers == 2
    assert "Ngọc" not in v.summary and "Lê Văn Hùng" in v.summary
    assert "Ngọc" not in v.petition.content
    assert PetitionIdentity.objects.get(petition=v.petition).full_name == IDENTITY["full_name"]
    assert not VisitorIdentity.objects.filter(visit=v).exists()
    assert v.petition.events.get().details["visit"] == v.pk


def test_numbers_gapless_per_agency_and_year(pet, session):
    other = svc.session_open(actor=pet["reception"], agency=pet["commune"])
    a = svc.visit_record(actor=pet["reception"], session=session, visitor=IDENTITY,
                         summary="Một", create_petition=True)
    with pytest.raises(InvalidInput):
        svc.visit_record(actor=pet["reception"], session=session, visitor=IDENTITY,
                         summary="")
    b = svc.visit_record(actor=pet["reception"], session=other, visitor=IDENTITY,
                         summary="Hai")
    assert (a.number, b.number) == (1, 2)


def test_refused_visit_keeps_identity_apart(pet, session):
    v = svc.visit_record(actor=pet["reception"], session=session, visitor=IDENTITY,
                         summary=SUMMARY, refused=True, refusal_ground="threat")
    assert v.refused and "Luật TCD Điều 9.2" in v.refusal_ground and v.petition is None
    vi = VisitorIdentity.objects.get(visit=v)
    assert vi.full_name == IDENTITY["full_name"] and vi.personal_id == IDENTITY["personal_id"]
    row = " ".join(str(x) for x in ReceptionVisit.objects.values().get(pk=v.pk).values())
    assert "Ngọc" not in row and "001199012345" not in row
    assert not Petition.objects.exists()


@pytest.mark.parametrize("kwargs,field", [
    ({"refused": True}, "refusal_ground"),
    ({"refused": True, "refusal_ground": "rain"}, "refusal_ground"),
    ({"refused": True, "refusal_ground": "threat", "create_petition": True}, "create_petition"),
    ({"petition_code": "NONE"}, "petition_code"),
    ({"summary": ""}, "summary"),
    ({"people": 0}, "people"),
    ({"competent": "yes"}, "competent"),
    ({"visitor": {"personal_id": "123"}}, "visitor.personal_id"),
    ({"kind": "x"}, "kind"),
])
def test_visit_validation(pet, session, kwargs, field):
    args = {"visitor": IDENTITY, "summary": SUMMARY, **kwargs}
    with pytest.raises(InvalidInput) as err:
        svc.visit_record(actor=pet["reception"], session=session, **args)
    assert field in err.value.fields, err.value.fields
    assert not ReceptionVisit.objects.exists()


def test_visit_attaches_to_an_existing_petition(pet, session, make_petition):
    p = make_petition()
    v = svc.visit_record(actor=pet["reception"], session=session, visitor=IDENTITY,
                         summary="Hỏi tiến độ giải quyết", petition_code=p.code,
                         guided_to="", follow_up="Hẹn trả lời trong 10 ngày")
    assert v.petition == p and Petition.objects.count() == 1


def test_closed_session_refuses_visits(pet, session):
    svc.session_close(actor=pet["reception"], session=session)
    with pytest.raises(AppError) as err:
        svc.visit_record(actor=pet["reception"], session=session, visitor=IDENTITY,
                         summary="x")
    assert err.value.status == 409


def test_pages(client, pet, session, django_assert_max_num_queries):
    client.force_login(pet["reception"])
    r = client.get("/petitions/reception/")
    assert r.status_code == 200 and "15/12/2026" in r.content.decode()
    r = client.post(f"/petitions/reception/{session.pk}/", {
        "full_name": IDENTITY["full_name"], "personal_id": IDENTITY["personal_id"],
        "summary": SUMMARY, "kind": "denunciation", "oral": "on", "competent": "true",
        "people": "1", "outcome": "petition"})
    assert r.status_code == 302, r.content.decode()[:3000]
    v = ReceptionVisit.objects.get()
    assert v.petition is not None and v.oral
    for _ in range(5):
        svc.visit_record(actor=pet["reception"], session=session, visitor=IDENTITY,
                         summary="Phản ánh", create_petition=True)
    with django_assert_max_num_queries(30):
        r = client.get(f"/petitions/reception/{session.pk}/")
    html = r.content.decode()
    assert r.status_code == 200 and v.petition.code in html
    assert IDENTITY["full_name"] not in html and IDENTITY["personal_id"] not in html
    r = client.post(f"/petitions/reception/{session.pk}/", {"summary": "", "outcome": "refused",
                                                            "personal_id": "12"})
    assert r.status_code == 422
    html = r.content.decode()
    assert "form-field--invalid" in html and ReceptionVisit.objects.count() == 6


def test_pages_open_a_session_and_hidden_for_others(client, pet):
    client.force_login(pet["reception"])
    r = client.post("/petitions/reception/", {"kind": "leader", "day": "2026-12-20"})
    assert r.status_code == 422 and "form-field--invalid" in r.content.decode()
    r = client.post("/petitions/reception/", {"kind": "regular", "day": "2026-12-20",
                                              "place": "Hội trường"})
    assert r.status_code == 302
    s = ReceptionSession.objects.get()
    client.force_login(pet["other_reception"])
    assert client.get(f"/petitions/reception/{s.pk}/").status_code == 404
    client.force_login(pet["handler"])
    assert client.get("/petitions/reception/").status_code == 403
