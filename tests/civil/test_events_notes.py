"""Events decided elsewhere and noted in the books (divorce, adoption, a court's declaration of
death) and the re-registration of events whose book was lost."""

from __future__ import annotations

import datetime as dt

import pytest

from egov.civil.models import CivilEvent, Person
from egov.civil.services.events_notes import (
    note_adoption,
    note_death_declaration,
    note_divorce,
    reregister,
)
from egov.civil.services.records import register_birth, register_marriage
from egov.core.errors import PermissionDenied

from .test_events_kit import couple, rec, refused, today

pytestmark = pytest.mark.django_db

DECISION = {"authority": "Tòa án nhân dân khu vực 2", "decision_number": "45/2026/QĐ-TA"}


def divorce(civ, man, woman, **kw):
    return note_divorce(actor=civ["registrar"], husband={"id": man.pk}, wife={"id": woman.pk},
                        decision_date=kw.pop("decision_date", today()), **DECISION, **kw)


def test_divorce_ends_the_marriage(civ):
    man, woman = rec(civ, "Chồng Cũ", "male"), rec(civ, "Vợ Cũ", "female")
    marriage = register_marriage(actor=civ["registrar"], husband={"id": man.pk},
                                 wife={"id": woman.pk})
    event = divorce(civ, man, woman, decision_date=today() - dt.timedelta(days=2))
    man.refresh_from_db()
    woman.refresh_from_db()
    assert man.spouse_id is None and woman.spouse_id is None
    assert event.kind == "divorce" and event.details["marriage_event"] == marriage.pk
    assert event.event_date == today() - dt.timedelta(days=2)
    assert event.details["decision_number"] == "45/2026/QĐ-TA"
    assert {p.role for p in event.parties.all()} == {"husband", "wife"}
    # Both may marry again.
    assert register_marriage(actor=civ["registrar"], husband={"id": man.pk},
                             wife={"id": rec(civ, "Vợ Mới", "female").pk}).kind == "marriage"


def test_divorce_refusals(civ):
    man, woman = rec(civ, "Anh Độc Thân", "male"), rec(civ, "Chị Độc Thân", "female")
    err = refused("not_spouses", divorce, civ=civ, man=man, woman=woman)
    assert "Điều 57" in err.message
    couple(civ, man, woman)
    err = refused("invalid", divorce, civ=civ, man=man, woman=woman,
                  decision_date=today() + dt.timedelta(days=1))
    assert "decision_date" in err.fields
    err = refused("invalid", note_divorce, actor=civ["registrar"], husband={"id": man.pk},
                  wife={"id": woman.pk}, authority="", decision_number="x" * 51,
                  decision_date=None)
    assert {"authority", "decision_number", "decision_date"} <= set(err.fields)
    Person.objects.filter(pk=man.pk).update(death_date=today())
    refused("person_deceased", divorce, civ=civ, man=man, woman=woman)
    far = rec(civ, "Chồng Xã Khác", "male", where="other")
    refused("invalid", divorce, civ=civ, man=far, woman=woman)
    woman.refresh_from_db()
    assert woman.spouse_id == man.pk


def adopt(civ, kid, **kw):
    return note_adoption(actor=civ["registrar"], child={"id": kid.pk},
                         decision_date=kw.pop("decision_date", today()), **DECISION, **kw)


def test_adoption_is_noted_and_forbids_the_marriage(civ):
    kid = rec(civ, "Con Nuôi", "female", 5)
    dad = rec(civ, "Cha Nuôi", "male", 40)
    event = adopt(civ, kid, adoptive_father={"id": dad.pk},
                  adoptive_mother={"full_name": "Mẹ Nuôi", "sex": "female",
                                   "birth_date": "1985-03-03"})
    roles = {p.role: p.person for p in event.parties.all()}
    assert set(roles) == {"child", "adoptive_father", "adoptive_mother"}
    assert roles["adoptive_mother"].full_name == "Mẹ Nuôi"
    kid.refresh_from_db()
    assert kid.father_id is None  # the blood links are not rewritten
    # Years later: the adoptive father and the child may not marry (HNGĐ Điều 5.2.d).
    Person.objects.filter(pk=kid.pk).update(birth_date=dt.date(1990, 1, 1))
    err = refused("prohibited_relation", register_marriage, actor=civ["registrar"],
                  husband={"id": dad.pk}, wife={"id": kid.pk})
    assert "adoptive" in err.message or "nuôi" in err.message


def test_adoption_refusals(civ):
    kid = rec(civ, "Trẻ Được Nhận", "male", 10)
    refused("invalid", adopt, civ=civ, kid=kid)
    err = refused("age_gap", adopt, civ=civ, kid=kid,
                  adoptive_father={"id": rec(civ, "Cha Trẻ", "male", 29).pk})
    assert "Điều 14.1.c" in err.message
    # A relative (Điều 14.3) has no 20-year gap, but is still older than the child.
    uncle = rec(civ, "Chú Ruột", "male", 25)
    assert adopt(civ, kid, adoptive_father={"id": uncle.pk}, relative_adoption=True)
    refused("age_gap", adopt, civ=civ, kid=rec(civ, "Trẻ Khác", "male", 10),
            adoptive_father={"id": rec(civ, "Anh Nhỏ", "male", 9).pk}, relative_adoption=True)
    teen = rec(civ, "Thiếu Niên", "male", 16)
    refused("child_age", adopt, civ=civ, kid=teen,
            adoptive_father={"id": rec(civ, "Ông Bốn Lăm", "male", 45).pk})
    assert adopt(civ, teen, adoptive_father={"id": uncle.pk}, relative_adoption=True)
    refused("parent_sex", adopt, civ=civ, kid=rec(civ, "Bé", "female", 2),
            adoptive_father={"id": rec(civ, "Bà Bốn Mươi", "female", 40).pk})
    refused("person_deceased", adopt, civ=civ,
            kid=rec(civ, "Bé Mất", "female", 2, death_date=today()),
            adoptive_mother={"id": rec(civ, "Mẹ", "female", 40).pk})


def test_a_court_declared_death_locks_the_record(civ):
    man, woman = rec(civ, "Người Mất Tích", "male", 50), rec(civ, "Vợ Ở Nhà", "female", 48)
    couple(civ, man, woman)
    declared = today() - dt.timedelta(days=400)
    event = note_death_declaration(actor=civ["registrar"], person={"id": man.pk},
                                   death_date=declared, decision_date=today(), **DECISION)
    man.refresh_from_db()
    woman.refresh_from_db()
    assert man.death_date == declared and event.kind == "death_declared"
    assert not event.late and event.event_date == declared
    assert woman.spouse_id is None  # HNGĐ Điều 65
    refused("person_deceased", register_marriage, actor=civ["registrar"],
            husband={"id": man.pk}, wife={"full_name": "Ai", "sex": "female",
                                          "birth_date": "1990-01-01"})
    refused("person_deceased", note_death_declaration, actor=civ["registrar"],
            person={"id": man.pk}, death_date=declared, decision_date=today(), **DECISION)


def test_court_declared_death_refusals(civ):
    who = rec(civ, "Người Được Tuyên", "male", 40)
    refused("death_after_decision", note_death_declaration, actor=civ["registrar"],
            person={"id": who.pk}, death_date=today(),
            decision_date=today() - dt.timedelta(days=1), **DECISION)
    refused("death_before_birth", note_death_declaration, actor=civ["registrar"],
            person={"id": who.pk}, death_date=dt.date(1950, 1, 1), decision_date=today(),
            **DECISION)
    refused("invalid", note_death_declaration, actor=civ["registrar"], person={"id": who.pk},
            death_date="hôm qua", decision_date=today(), **DECISION)
    who.refresh_from_db()
    assert who.death_date is None


def rereg(civ, kind, data, original=dt.date(2010, 4, 5), **kw):
    return reregister(actor=civ["registrar"], kind=kind, original_registered_on=original,
                      original_place=kw.pop("original_place", "UBND xã An Bình"),
                      book_lost=kw.pop("book_lost", True), data=data, **kw)


def test_reregistration_of_a_birth_a_marriage_and_a_death(civ):
    birth = rereg(civ, "birth", {"child": {"full_name": "Lương Văn Cũ", "sex": "male",
                                           "birth_date": "2009-12-01"}})
    assert birth.kind == "birth" and not birth.late
    assert birth.details["reregistration"] == {"original_date": "2010-04-05",
                                               "original_place": "UBND xã An Bình"}
    assert birth.book.name == "Sổ đăng ký khai sinh"
    # The ages are checked on the original marriage date.
    man = rec(civ, "Chồng Đăng Ký Lại", "male", 36)
    woman = rec(civ, "Vợ Đăng Ký Lại", "female", 34)
    marriage = rereg(civ, "marriage", {"husband": {"id": man.pk}, "wife": {"id": woman.pk}},
                     original=years_ago_date(14))
    assert marriage.event_date == years_ago_date(14)
    refused("under_age", rereg, civ=civ, kind="marriage",
            data={"husband": {"id": rec(civ, "Trẻ Quá", "male", 30).pk},
                  "wife": {"id": rec(civ, "Vợ Trẻ", "female", 30).pk}},
            original=years_ago_date(12))
    death = rereg(civ, "death", {"person": {"full_name": "Cụ Đã Mất", "sex": "female",
                                            "birth_date": "1920-01-01"},
                                 "death_date": dt.date(2005, 3, 3)})
    assert death.kind == "death" and not death.late
    assert death.parties.get().person.death_date == dt.date(2005, 3, 3)


def years_ago_date(years: int) -> dt.date:
    return today().replace(year=today().year - years, day=min(today().day, 28))


def test_reregistration_refusals(civ):
    data = {"child": {"full_name": "Trẻ", "sex": "male", "birth_date": "2012-01-01"}}
    err = refused("reregistration_not_allowed", rereg, civ=civ, kind="birth", data=data,
                  original=dt.date(2016, 1, 1))
    assert "Điều 24" in err.message
    refused("book_not_lost", rereg, civ=civ, kind="birth", data=data, book_lost=False)
    err = refused("invalid", rereg, civ=civ, kind="adoption", data=None, original_place="")
    assert {"kind", "original_place", "data"} <= set(err.fields)
    with pytest.raises(PermissionDenied):
        rereg(civ, "birth", data, commune_id=civ["other"].pk)
    assert not CivilEvent.objects.exists()


def test_existing_births_are_not_marked(civ):
    event = register_birth(actor=civ["registrar"], child={
        "full_name": "Bình Thường", "sex": "male", "birth_date": today().isoformat()})
    assert "reregistration" not in event.details
