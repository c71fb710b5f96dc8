"""The other registered events through the services (issue 13 "Events"): the marital-status
certificate (the registry's status, valid 6 months), the recognition of parents and children,
guardianship and its end — each refusal with its code, the book and audit path of the births,
and commune isolation."""

from __future__ import annotations

import datetime as dt

import pytest

from egov.civil.models import (
    CivilEvent,
    EventParty,
    Guardianship,
    MaritalStatusCertificate,
    Person,
)
from egov.civil.services.events import (
    add_months,
    certify_marital_status,
    end_guardianship,
    recognize,
    register_guardianship,
)
from egov.civil.services.events_notes import note_divorce
from egov.civil.services.records import register_death, register_marriage
from egov.core.errors import PermissionDenied
from egov.core.models import AuditEvent

from .test_events_kit import rec, refused, today

pytestmark = pytest.mark.django_db


def certify(civ, who, **kw):
    return certify_marital_status(actor=civ["registrar"], person={"id": who.pk}, **kw)


def status(civ, who) -> str:
    return certify(civ, who).marital_status.status


# --- marital status ---------------------------------------------------------------------------


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert add_months(dt.date(2026, 1, 15), 6) == dt.date(2026, 7, 15)
    assert add_months(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2027, 8, 31), 6) == dt.date(2028, 2, 29)


def test_marital_status_single_married_divorced_widowed(civ):
    man, woman = rec(civ, "Trịnh Văn Nam", "male"), rec(civ, "Lý Thị Nữ", "female")
    event = certify(civ, man, purpose="Kết hôn")
    cert = MaritalStatusCertificate.objects.get(event=event)
    assert cert.status == "single" and cert.person == man and cert.purpose == "Kết hôn"
    assert cert.valid_until == add_months(today(), 6)
    assert event.details["status"] == "single" and event.kind == "marital_status"
    assert event.book.name == "Sổ cấp Giấy xác nhận tình trạng hôn nhân"
    assert event.parties.get().role == "person"
    audit = AuditEvent.objects.get(action="civil.register", object_id=str(event.pk))
    assert audit.details["persons"] == [man.pk] and "Trịnh" not in str(audit.details)

    register_marriage(actor=civ["registrar"], husband={"id": man.pk}, wife={"id": woman.pk})
    assert status(civ, man) == "married" and status(civ, woman) == "married"
    note_divorce(actor=civ["registrar"], husband={"id": man.pk}, wife={"id": woman.pk},
                 authority="Tòa án nhân dân khu vực 1", decision_number="12/2026/QĐST-HNGĐ",
                 decision_date=today())
    assert status(civ, man) == "divorced"

    other = rec(civ, "Hà Thị Vợ Sau", "female")
    register_marriage(actor=civ["registrar"], husband={"id": man.pk}, wife={"id": other.pk})
    register_death(actor=civ["registrar"], person={"id": man.pk}, death_date=today())
    other.refresh_from_db()
    assert other.spouse_id is None  # the marriage ended with the death (HNGĐ Điều 65)
    assert status(civ, other) == "widowed"
    refused("person_deceased", certify, civ=civ, who=man)


def test_marital_status_needs_a_record_of_ones_own_commune(civ):
    stranger = rec(civ, "Người Xã Khác", "male", where="other")
    refused("invalid", certify, civ=civ, who=stranger)
    refused("invalid", certify_marital_status, actor=civ["registrar"],
            person={"full_name": "Mới", "sex": "male"})
    with pytest.raises(PermissionDenied):
        certify_marital_status(actor=civ["other_registrar"], person={"id": stranger.pk},
                               commune_id=civ["commune"].pk)
    with pytest.raises(PermissionDenied):
        certify_marital_status(actor=civ["supervisor"], person={"id": stranger.pk},
                               commune_id=civ["other"].pk)
    refused("commune_required", certify_marital_status, actor=civ["supervisor"],
            person={"id": stranger.pk})
    # The other commune's registrar certifies their own resident.
    assert certify_marital_status(actor=civ["other_registrar"],
                                  person={"id": stranger.pk}).commune == civ["other"]
    assert not MaritalStatusCertificate.objects.filter(event__commune=civ["commune"]).exists()


# --- recognition ------------------------------------------------------------------------------


def recog(civ, kid, parent, role="father", **kw):
    spec = parent if isinstance(parent, dict) else {"id": parent.pk}
    return recognize(actor=civ["registrar"], child={"id": kid.pk}, parent=spec, role=role, **kw)


def test_recognition_links_the_parent(civ):
    kid = rec(civ, "Đinh Văn Con", "male", 5)
    dad = rec(civ, "Đinh Văn Cha", "male", 35)
    event = recog(civ, kid, dad)
    kid.refresh_from_db()
    assert kid.father == dad and event.kind == "recognition" and event.details["role"] == "father"
    assert {p.role: p.person for p in event.parties.all()} == {"child": kid, "father": dad}
    assert event.book.name == "Sổ đăng ký nhận cha, mẹ, con"
    # A mother who is not yet in the registry: her record is made.
    event = recog(civ, kid, {"full_name": "Mai Thị Mẹ", "sex": "female",
                             "birth_date": "1990-01-01"}, role="mother")
    kid.refresh_from_db()
    assert kid.mother.full_name == "Mai Thị Mẹ" and kid.mother.commune == civ["commune"]


def test_recognition_refusals(civ):
    kid = rec(civ, "Con Đã Có Cha", "female", 5)
    dad, other = rec(civ, "Cha Có Rồi", "male", 30), rec(civ, "Cha Khác", "male", 40)
    recog(civ, kid, dad)
    err = refused("parent_recorded", recog, civ=civ, kid=kid, parent=other)
    assert "Điều 89" in err.message
    young = rec(civ, "Cha Trẻ Hơn", "male", 3)
    kid2 = rec(civ, "Con Lớn Hơn", "male", 5)
    refused("parent_younger", recog, civ=civ, kid=kid2, parent=young)
    refused("parent_sex", recog, civ=civ, kid=kid2, parent=rec(civ, "Bà", "female", 40))
    refused("same_person", recog, civ=civ, kid=kid2, parent=kid2)
    # A descendant of the child cannot be its parent, whatever the dates say.
    grandkid = rec(civ, "Cháu", "male", 1, father=kid2)
    Person.objects.filter(pk=grandkid.pk).update(birth_date=None)
    grandkid.refresh_from_db()
    refused("parent_younger", recog, civ=civ, kid=kid2, parent=grandkid)
    kid2.refresh_from_db()
    assert kid2.father_id is None


def test_recognition_of_a_dead_parent_is_possible_not_of_two_dead(civ):
    kid = rec(civ, "Con Nhận Cha", "male", 20)
    dad = rec(civ, "Cha Đã Mất", "male", 60, death_date=today() - dt.timedelta(days=3))
    recog(civ, kid, dad)  # Luật Hôn nhân và gia đình 2014, Điều 91
    kid2 = rec(civ, "Con Đã Mất", "male", 20, death_date=today())
    dad2 = rec(civ, "Cha Cũng Mất", "male", 60, death_date=today())
    refused("person_deceased", recog, civ=civ, kid=kid2, parent=dad2)


def test_recognition_isolation(civ):
    kid = rec(civ, "Con Xã Khác", "male", 5, where="other")
    dad = rec(civ, "Cha Xã Này", "male", 30)
    refused("invalid", recog, civ=civ, kid=kid, parent=dad)
    with pytest.raises(PermissionDenied):
        recognize(actor=civ["leader"], child={"id": kid.pk}, parent={"id": dad.pk},
                  role="father", commune_id=civ["commune"].pk)
    refused("invalid", recog, civ=civ, kid=dad, parent=dad, role="uncle")


# --- guardianship -----------------------------------------------------------------------------


def guard(civ, keeper, ward, **kw):
    spec = keeper if isinstance(keeper, dict) else {"id": keeper.pk}
    return register_guardianship(actor=civ["registrar"], guardian=spec, ward={"id": ward.pk},
                                 **kw)


def test_guardianship_and_its_end(civ):
    ward = rec(civ, "Trẻ Mồ Côi", "female", 8)
    keeper = rec(civ, "Bác Giám Hộ", "male", 45)
    event = guard(civ, keeper, ward, mode="statutory")
    g = Guardianship.objects.get(event=event)
    assert (g.guardian, g.ward, g.ended_on) == (keeper, ward, None)
    assert event.details["mode"] == "statutory" and event.book.name == "Sổ đăng ký giám hộ"
    refused("ward_has_guardian", guard, civ=civ, keeper=rec(civ, "Cô", "female", 40), ward=ward)
    end = end_guardianship(actor=civ["registrar"], guardianship_id=g.pk,
                           ground="Người được giám hộ đã được nhận làm con nuôi")
    g.refresh_from_db()
    assert g.ended_on == today() and g.end_event == end and end.kind == "guardianship_end"
    assert end.details["guardianship"] == g.pk
    refused("guardianship_ended", end_guardianship, actor=civ["registrar"],
            guardianship_id=g.pk, ground="Lần nữa")
    # Ended: a new guardian may be registered.
    assert guard(civ, {"full_name": "Dì Mới", "sex": "female", "birth_date": "1980-02-02"},
                 ward).kind == "guardianship"


def test_guardianship_refusals(civ):
    ward = rec(civ, "Trẻ Cần Giám Hộ", "male", 10)
    refused("guardian_minor", guard, civ=civ, keeper=rec(civ, "Anh Mười Bảy", "male", 17, days=-1),
            ward=ward)
    refused("guardian_minor", guard, civ=civ,
            keeper={"full_name": "Không Rõ Tuổi", "sex": "male"}, ward=ward)
    refused("guardian_capacity", guard, civ=civ, keeper=rec(civ, "Ông", "male", 60), ward=ward,
            guardian_capable=False)
    adult = rec(civ, "Người Lớn", "male", 30)
    err = refused("ward_not_minor", guard, civ=civ, keeper=rec(civ, "Mẹ", "female", 55),
                  ward=adult)
    assert "Điều 47" in err.message
    assert guard(civ, rec(civ, "Chị", "female", 35), adult,
                 ward_ground="Quyết định 05/2026/QĐST-DS tuyên bố mất năng lực hành vi dân sự"
                 ).details["ward_ground"].startswith("Quyết định")
    refused("same_person", guard, civ=civ, keeper=adult, ward=adult)
    dead = rec(civ, "Người Đã Mất", "male", 50, death_date=today())
    refused("person_deceased", guard, civ=civ, keeper=dead, ward=ward)
    refused("invalid", guard, civ=civ, keeper=rec(civ, "Bố Nuôi", "male", 40), ward=ward,
            mode="forever")
    # Exactly 18 today: an adult guardian.
    assert guard(civ, rec(civ, "Vừa Đủ Mười Tám", "female", 18), ward).kind == "guardianship"


def test_guardianship_isolation(civ):
    ward = rec(civ, "Trẻ Xã Khác", "male", 6, where="other")
    refused("invalid", guard, civ=civ, keeper=rec(civ, "Người Giám Hộ", "male", 40), ward=ward)
    g_event = register_guardianship(actor=civ["other_registrar"],
                                    guardian={"full_name": "Giám Hộ Khác", "sex": "male",
                                              "birth_date": "1980-01-01"},
                                    ward={"id": ward.pk})
    g = Guardianship.objects.get(event=g_event)
    refused("invalid", end_guardianship, actor=civ["registrar"], guardianship_id=g.pk,
            ground="Không phải xã mình")
    refused("invalid", end_guardianship, actor=civ["registrar"], guardianship_id=True,
            ground="x")
    g.refresh_from_db()
    assert g.ended_on is None
    assert CivilEvent.objects.filter(commune=civ["commune"]).count() == 0
    assert EventParty.objects.filter(person=ward).count() == 1
