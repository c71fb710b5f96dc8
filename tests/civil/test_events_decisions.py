"""The other decisions noted in the books (Luật Hộ tịch 2014, Điều 3.2–3.3): annulment, the
marriage and divorce done abroad, the termination of an adoption, the court's determination of
parentage — each applied to the records in the one transaction, and refused (nothing written)
when it contradicts the registry. The person's status decisions: test_events_status.py."""

from __future__ import annotations

import datetime as dt

import pytest

from egov.civil.catalog import KIND_RULES, kind_rule
from egov.civil.models import EventKind, KindRule, Person
from egov.civil.services.events import certify_marital_status
from egov.civil.services.events_decisions import (
    adoptive_parents,
    note_abroad_divorce,
    note_abroad_marriage,
    note_adoption_end,
    note_annulment,
    note_parentage,
)
from egov.civil.services.events_notes import note_adoption, note_divorce
from egov.civil.services.records import register_marriage

from .test_events_kit import couple, rec, refused, today

pytestmark = pytest.mark.django_db

DECISION = {"authority": "Tòa án nhân dân khu vực 2", "decision_number": "88/2026/QĐ-TA"}
NEW_KINDS = ("adoption_end", "annulment", "nationality", "parentage", "gender", "missing",
             "missing_end", "capacity", "capacity_end", "death_undone", "abroad_marriage",
             "abroad_divorce")


def d(**kw):
    return {**DECISION, "decision_date": kw.pop("decision_date", today()), **kw}


def test_every_new_kind_has_its_rows_for_both_periods():
    for kind in NEW_KINDS:
        assert len(kind) <= 16 and kind in EventKind.values and kind in KIND_RULES
        rows = KindRule.objects.filter(kind=kind).order_by("effective_from")
        assert [r.effective_from for r in rows] == [dt.date(2016, 1, 1), dt.date(2025, 7, 1)]
        assert all("Điều 3." in r.legal_basis for r in rows), kind
    # NĐ 120/2025, Phụ lục mục I.1.d: 05 working days, up to 08 with verification.
    rule = kind_rule("abroad_marriage", dt.date(2026, 1, 5))
    assert (rule.limit_working_days, rule.verification_days) == (5, 3)
    assert "I.1.d" in rule.legal_basis and "NĐ 120/2025" in rule.legal_basis
    assert kind_rule("abroad_divorce", dt.date(2026, 1, 5)).limit_working_days == 5
    assert "Điều 25–28" in kind_rule("adoption_end", dt.date(2026, 1, 5)).legal_basis
    assert kind_rule("annulment", dt.date(2020, 1, 1)).limit_working_days == 0


# --- annulment --------------------------------------------------------------------------------


def test_annulment_clears_the_spouses_link(civ):
    man, woman = rec(civ, "Chồng Trái Luật", "male"), rec(civ, "Vợ Trái Luật", "female")
    marriage = register_marriage(actor=civ["registrar"], husband={"id": man.pk},
                                 wife={"id": woman.pk})
    event = note_annulment(actor=civ["registrar"], husband={"id": man.pk},
                           wife={"id": woman.pk}, **d())
    man.refresh_from_db()
    woman.refresh_from_db()
    assert man.spouse_id is None and woman.spouse_id is None
    assert event.kind == "annulment" and event.details["marriage_event"] == marriage.pk
    assert event.details["spouses_unlinked"] is True
    assert event.details["decision_number"] == "88/2026/QĐ-TA"
    assert event.book.name == KIND_RULES["annulment"][0]
    # Both may marry again.
    assert register_marriage(actor=civ["registrar"], husband={"id": man.pk},
                             wife={"id": rec(civ, "Vợ Hợp Pháp", "female").pk})


def test_annulment_of_a_named_marriage_and_its_refusals(civ):
    man, woman = rec(civ, "Anh Đã Ly Hôn", "male"), rec(civ, "Chị Đã Ly Hôn", "female")
    marriage = register_marriage(actor=civ["registrar"], husband={"id": man.pk},
                                 wife={"id": woman.pk})
    note_divorce(actor=civ["registrar"], husband={"id": man.pk}, wife={"id": woman.pk}, **d())
    # Not spouses any more and no marriage named: nothing to annul.
    err = refused("not_spouses", note_annulment, actor=civ["registrar"],
                  husband={"id": man.pk}, wife={"id": woman.pk}, **d())
    assert "Điều 11" in err.message
    # A marriage id that is not in the registry, not a marriage, or not of these two.
    other = rec(civ, "Người Thứ Ba", "female")
    for bad in (10**9, marriage.pk + 1000):
        err = refused("marriage_not_found", note_annulment, actor=civ["registrar"],
                      husband={"id": man.pk}, wife={"id": woman.pk}, marriage_event_id=bad,
                      **d())
        assert "Điều 11" in err.message and "marriage_event_id" in err.fields
    refused("marriage_not_found", note_annulment, actor=civ["registrar"],
            husband={"id": man.pk}, wife={"id": other.pk}, marriage_event_id=marriage.pk, **d())
    # The named marriage of these two: noted, nothing to unlink.
    event = note_annulment(actor=civ["registrar"], husband={"id": man.pk},
                           wife={"id": woman.pk}, marriage_event_id=marriage.pk, **d())
    assert event.details["marriage_event"] == marriage.pk
    assert event.details["spouses_unlinked"] is False
    # Another commune's marriage is not found (commune isolation).
    far_m, far_w = rec(civ, "Chồng Xa", "male", where="other"), \
        rec(civ, "Vợ Xa", "female", where="other")
    theirs = register_marriage(actor=civ["other_registrar"], husband={"id": far_m.pk},
                               wife={"id": far_w.pk})
    refused("marriage_not_found", note_annulment, actor=civ["registrar"],
            husband={"id": man.pk}, wife={"id": woman.pk}, marriage_event_id=theirs.pk, **d())
    refused("invalid", note_annulment, actor=civ["registrar"], husband={"id": far_m.pk},
            wife={"id": far_w.pk}, **d())


# --- marriage and divorce abroad --------------------------------------------------------------


def test_a_marriage_abroad_links_the_spouses_with_a_new_foreign_spouse(civ):
    woman = rec(civ, "Nguyễn Thị Lấy Chồng Xa", "female", 28)
    event = note_abroad_marriage(
        actor=civ["registrar"], wife={"id": woman.pk}, country="Hàn Quốc",
        husband={"full_name": "Kim Min Su", "birth_date": "1990-04-04",
                 "nationality": "Hàn Quốc"},
        authority="Văn phòng quận Gangnam, Seoul", decision_number="KR-2026-77",
        decision_date=today() - dt.timedelta(days=30))
    woman.refresh_from_db()
    husband = Person.objects.get(full_name="Kim Min Su")
    assert woman.spouse_id == husband.pk and husband.spouse_id == woman.pk
    assert husband.nationality == "Hàn Quốc" and husband.commune == civ["commune"]
    assert event.kind == "abroad_marriage" and event.details["country"] == "Hàn Quốc"
    assert event.event_date == today() - dt.timedelta(days=30)
    cert = certify_marital_status(actor=civ["registrar"], person={"id": woman.pk})
    assert cert.details["status"] == "married"


def test_a_marriage_abroad_refusals(civ):
    woman = rec(civ, "Cô Đã Có Chồng", "female", 30)
    man = rec(civ, "Anh Đã Có Vợ", "male", 32)
    couple(civ, man, woman)
    err = refused("marriage_recorded", note_abroad_marriage, actor=civ["registrar"],
                  husband={"id": man.pk}, wife={"id": woman.pk}, country="Nhật Bản", **d())
    assert "Điều 3.3" in err.message
    err = refused("already_married", note_abroad_marriage, actor=civ["registrar"],
                  husband={"full_name": "Tanaka", "birth_date": "1990-01-01"},
                  wife={"id": woman.pk}, country="Nhật Bản", **d())
    assert "Điều 5.2.c" in err.message
    young = rec(civ, "Em Mười Bảy", "female", 17)
    refused("under_age", note_abroad_marriage, actor=civ["registrar"],
            husband={"full_name": "Lee", "birth_date": "1990-01-01"}, wife={"id": young.pk},
            country="Hàn Quốc", **d())
    refused("same_sex", note_abroad_marriage, actor=civ["registrar"],
            husband={"id": rec(civ, "Chị Hai", "female").pk},
            wife={"id": rec(civ, "Chị Ba", "female").pk}, country="Pháp", **d())
    refused("invalid", note_abroad_marriage, actor=civ["registrar"],
            husband={"full_name": "Jean", "birth_date": "1990-01-01"},
            wife={"id": rec(civ, "Chị Tư", "female").pk}, country="", **d())
    assert not Person.objects.filter(full_name__in=("Tanaka", "Lee", "Jean")).exists()


def test_a_divorce_abroad_clears_the_link_and_refuses_a_third_person(civ):
    man, woman = rec(civ, "Chồng Ở Úc", "male"), rec(civ, "Vợ Ở Úc", "female")
    couple(civ, man, woman)
    event = note_abroad_divorce(actor=civ["registrar"], husband={"id": man.pk},
                                wife={"id": woman.pk}, country="Úc",
                                authority="Federal Circuit Court of Australia",
                                decision_number="SYC1234/2025", decision_date=today())
    man.refresh_from_db()
    woman.refresh_from_db()
    assert man.spouse_id is None and woman.spouse_id is None
    assert event.details["dissolution"] == "divorce" and event.details["spouses_unlinked"]
    # An annulment abroad of a marriage never noted here (a new foreign spouse): noted.
    single = rec(civ, "Chị Chưa Ghi Chú", "female")
    event = note_abroad_divorce(actor=civ["registrar"], husband={"full_name": "John Smith"},
                                wife={"id": single.pk}, country="Hoa Kỳ",
                                dissolution="annulment", **d())
    assert event.details["dissolution"] == "annulment"
    assert event.details["spouses_unlinked"] is False
    # The registry's marital status counts the divorces noted from abroad.
    for person in (man, single):
        assert certify_marital_status(actor=civ["registrar"],
                                      person={"id": person.pk}).details["status"] == "divorced"
    # The registry records the wife married to someone else: contradiction.
    third = rec(civ, "Chồng Hiện Tại", "male")
    couple(civ, third, woman)
    err = refused("not_spouses", note_abroad_divorce, actor=civ["registrar"],
                  husband={"id": man.pk}, wife={"id": woman.pk}, country="Úc", **d())
    assert "Điều 57" in err.message
    refused("invalid", note_abroad_divorce, actor=civ["registrar"], husband={"id": third.pk},
            wife={"id": woman.pk}, country="Úc", dissolution="separation", **d())
    woman.refresh_from_db()
    assert woman.spouse_id == third.pk


# --- termination of an adoption ---------------------------------------------------------------


def test_the_end_of_an_adoption_removes_the_adoptive_parents(civ):
    kid = rec(civ, "Con Nuôi Cũ", "female", 8)
    dad = rec(civ, "Cha Nuôi Cũ", "male", 45)
    mum = rec(civ, "Mẹ Nuôi Cũ", "female", 43)
    adoption = note_adoption(actor=civ["registrar"], child={"id": kid.pk},
                             adoptive_father={"id": dad.pk}, adoptive_mother={"id": mum.pk},
                             **d(decision_date=today() - dt.timedelta(days=200)))
    assert {p.pk for _r, p in adoptive_parents(kid)} == {dad.pk, mum.pk}
    event = note_adoption_end(actor=civ["registrar"], child={"id": kid.pk},
                              ground="Cha mẹ nuôi ngược đãi con nuôi (Điều 25.c)", **d())
    assert event.kind == "adoption_end" and event.details["adoption_event"] == adoption.pk
    assert {p.role for p in event.parties.all()} == {"child", "adoptive_father",
                                                     "adoptive_mother"}
    assert adoptive_parents(kid) == []
    # Ended once: no adoption in force to end again.
    err = refused("no_adoption", note_adoption_end, actor=civ["registrar"],
                  child={"id": kid.pk}, **d())
    assert "Điều 25" in err.message
    # A former adoptive parent and child still may not marry (HNGĐ Điều 5.2.d).
    Person.objects.filter(pk=kid.pk).update(birth_date=dt.date(1990, 1, 1))
    refused("prohibited_relation", register_marriage, actor=civ["registrar"],
            husband={"id": dad.pk}, wife={"id": kid.pk})


def test_the_end_of_an_adoption_refusals(civ):
    kid = rec(civ, "Trẻ Chưa Nhận Nuôi", "male", 6)
    refused("no_adoption", note_adoption_end, actor=civ["registrar"], child={"id": kid.pk},
            **d())
    mum = rec(civ, "Mẹ Nuôi Mới", "female", 40)
    adoption = note_adoption(actor=civ["registrar"], child={"id": kid.pk},
                             adoptive_mother={"id": mum.pk},
                             **d(decision_date=today() - dt.timedelta(days=10)))
    other = rec(civ, "Trẻ Khác", "male", 6)
    note_adoption(actor=civ["registrar"], child={"id": other.pk}, adoptive_mother={"id": mum.pk},
                  **d())
    # The adoption named is another child's: not this child's adoption in force.
    refused("no_adoption", note_adoption_end, actor=civ["registrar"], child={"id": kid.pk},
            adoption_event_id=adoption.pk + 1, **d())
    refused("end_before_start", note_adoption_end, actor=civ["registrar"],
            child={"id": kid.pk}, **d(decision_date=today() - dt.timedelta(days=11)))
    assert note_adoption_end(actor=civ["registrar"], child={"id": kid.pk},
                             adoption_event_id=adoption.pk, **d())
    assert [p.pk for _r, p in adoptive_parents(other)] == [mum.pk]


# --- the court's determination of parentage ---------------------------------------------------


def test_parentage_sets_or_replaces_the_parent(civ):
    kid = rec(civ, "Con Tranh Chấp", "male", 5)
    recorded = rec(civ, "Người Được Ghi Là Cha", "male", 35)
    Person.objects.filter(pk=kid.pk).update(father=recorded)
    real = rec(civ, "Cha Đẻ Theo Tòa", "male", 36)
    event = note_parentage(actor=civ["registrar"], child={"id": kid.pk},
                           parent={"id": real.pk}, role="father", **d())
    kid.refresh_from_db()
    assert kid.father_id == real.pk and event.details["replaced"] == recorded.pk
    assert event.kind == "parentage" and event.details["finding"] == "parent"
    # A mother not recorded, as a new record.
    note_parentage(actor=civ["registrar"], child={"id": kid.pk}, role="mother",
                   parent={"full_name": "Mẹ Đẻ Theo Tòa", "birth_date": "1992-02-02"}, **d())
    kid.refresh_from_db()
    assert kid.mother.full_name == "Mẹ Đẻ Theo Tòa" and kid.mother.sex == "female"
    # The court finds the recorded father is not the father: cleared.
    event = note_parentage(actor=civ["registrar"], child={"id": kid.pk},
                           parent={"id": real.pk}, role="father", finding="not_parent", **d())
    kid.refresh_from_db()
    assert kid.father_id is None and event.details["finding"] == "not_parent"


def test_parentage_refusals(civ):
    kid = rec(civ, "Bé Xác Định", "female", 4)
    dad = rec(civ, "Ông Bố", "male", 30)
    Person.objects.filter(pk=kid.pk).update(father=dad)
    refused("no_change", note_parentage, actor=civ["registrar"], child={"id": kid.pk},
            parent={"id": dad.pk}, role="father", **d())
    err = refused("not_recorded_parent", note_parentage, actor=civ["registrar"],
                  child={"id": kid.pk}, parent={"id": rec(civ, "Người Lạ", "male").pk},
                  role="father", finding="not_parent", **d())
    assert "Điều 89" in err.message
    refused("parent_sex", note_parentage, actor=civ["registrar"], child={"id": kid.pk},
            parent={"id": rec(civ, "Bà Mẹ", "female").pk}, role="father", **d())
    refused("parent_younger", note_parentage, actor=civ["registrar"], child={"id": kid.pk},
            parent={"id": rec(civ, "Cậu Bé", "male", 3).pk}, role="father", **d())
    refused("same_person", note_parentage, actor=civ["registrar"], child={"id": kid.pk},
            parent={"id": kid.pk}, role="mother", **d())
    refused("invalid", note_parentage, actor=civ["registrar"], child={"id": kid.pk},
            parent={"id": dad.pk}, role="uncle", **d())
    kid.refresh_from_db()
    assert kid.father_id == dad.pk
