"""Births, deaths and marriages through the services (issue 13 "Events", "Persons and books"):
the book's entry numbers, late registration, the personal ID, the law's refusals with their
codes and articles, the death that locks a record, and commune isolation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from egov.civil import rules
from egov.civil.models import CivilEvent, EventParty, Person, RegistryBook
from egov.civil.services.records import register_birth, register_death, register_marriage
from egov.core.errors import AppError, PermissionDenied
from egov.core.models import AuditEvent

from .conftest import years_ago

pytestmark = pytest.mark.django_db


def adult(name: str, sex: str, years: int = 30, **extra) -> dict:
    return {"full_name": name, "sex": sex, "birth_date": years_ago(years).isoformat(), **extra}


def birth(civ, name="Nguyễn Văn An", *, days_old=10, who="registrar", **kw):
    born = timezone.localdate() - dt.timedelta(days=days_old)
    return register_birth(actor=civ[who], child={"full_name": name, "sex": "male",
                                                 "birth_date": born.isoformat()}, **kw)


def test_birth_makes_the_records_the_book_and_gapless_entries(civ):
    first = birth(civ, mother=adult("Trần Thị Bình", "female", 28),
                  father=adult("Nguyễn Văn Cường", "male", 31))
    second = birth(civ, "Nguyễn Thị Dung")
    assert (first.entry_number, second.entry_number) == (1, 2)
    assert first.book == second.book and first.book.commune == civ["commune"]
    assert first.book.name == "Sổ đăng ký khai sinh"
    assert first.book.year == timezone.localdate().year and first.book.number == 1
    child = first.parties.get(role="child").person
    assert child.mother.full_name == "Trần Thị Bình" and child.father.sex == "male"
    assert child.name_folded == "nguyen van an" and child.commune == civ["commune"]
    assert not first.late
    audit = AuditEvent.objects.get(action="civil.register", object_id=str(first.pk))
    assert audit.details["entry"] == 1 and "Nguyễn" not in str(audit.details)


def test_birth_after_sixty_days_is_late(civ):
    # Luật Hộ tịch 2014, Điều 15.1: within 60 days of the birth.
    assert not birth(civ, days_old=60).late
    assert birth(civ, days_old=61).late


def test_existing_parents_are_linked_not_copied(civ):
    mum = birth(civ, "Trần Thị Mẹ", days_old=365 * 25).parties.get(role="child").person
    Person.objects.filter(pk=mum.pk).update(sex="female")
    event = birth(civ, "Con Thứ Hai", mother={"id": mum.pk})
    assert event.parties.get(role="mother").person == mum
    assert Person.objects.filter(full_name="Trần Thị Mẹ").count() == 1


@pytest.mark.parametrize("bad", ["12345678901", "1234567890123", "03618700432a", 36187004321,
                                 "036 187 004 321"])
def test_personal_id_is_strictly_twelve_digits(civ, bad):
    with pytest.raises(AppError) as err:
        register_birth(actor=civ["registrar"], child={
            "full_name": "Lê Văn Em", "sex": "male", "personal_id": bad,
            "birth_date": timezone.localdate().isoformat()})
    assert err.value.status == 422 and "child.personal_id" in err.value.fields
    assert "12" in err.value.fields["child.personal_id"][0]
    assert not Person.objects.exists() and not CivilEvent.objects.exists()


def test_personal_id_structure_is_only_a_warning():
    assert rules.personal_id_refusal("036187004321") is None
    assert rules.personal_id_warnings("036187004321", sex="female",
                                      birth_date=dt.date(1987, 3, 4)) == []
    warnings = rules.personal_id_warnings("999287004321", sex="female",
                                          birth_date=dt.date(1987, 3, 4))
    assert len(warnings) == 3  # province, century/year, sex


def test_bad_input_is_422_with_fields_and_writes_nothing(civ):
    for child in ({}, {"full_name": "", "sex": "x", "birth_date": "2026-13-40"},
                  {"full_name": "A" * 201, "sex": "male", "birth_date": "31/12/2025"},
                  {"full_name": ["x"], "sex": None, "birth_date": 5}):
        with pytest.raises(AppError) as err:
            register_birth(actor=civ["registrar"], child=child, mother="x")
        assert err.value.status == 422 and err.value.fields
    assert not Person.objects.exists() and not RegistryBook.objects.exists()


def test_marriage_ages_on_the_registration_date(civ):
    # Luật Hôn nhân và gia đình 2014, Điều 8.1.a: male from full 20, female from full 18.
    with pytest.raises(AppError) as err:
        register_marriage(actor=civ["registrar"], husband=adult("Phạm Văn Trẻ", "male", 19),
                          wife=adult("Đỗ Thị Hoa", "female", 25))
    assert err.value.code == "under_age" and "Điều 8.1.a" in err.value.message
    with pytest.raises(AppError) as err:
        register_marriage(actor=civ["registrar"], husband=adult("Phạm Văn Lớn", "male", 25),
                          wife={"full_name": "Đỗ Thị Nhỏ", "sex": "female",
                                "birth_date": years_ago(18, days=-1).isoformat()})
    assert err.value.code == "under_age"
    assert not Person.objects.exists()
    event = register_marriage(actor=civ["registrar"], husband=adult("Phạm Văn Lớn", "male", 20),
                              wife={"full_name": "Đỗ Thị Vừa", "sex": "female",
                                    "birth_date": years_ago(18).isoformat()})
    husband = event.parties.get(role="husband").person
    assert husband.spouse.full_name == "Đỗ Thị Vừa" and husband.spouse.spouse == husband


def test_a_married_party_cannot_marry_again(civ):
    event = register_marriage(actor=civ["registrar"], husband=adult("Vũ Văn Chồng", "male"),
                              wife=adult("Lý Thị Vợ", "female"))
    husband = event.parties.get(role="husband").person
    with pytest.raises(AppError) as err:
        register_marriage(actor=civ["registrar"], husband={"id": husband.pk},
                          wife=adult("Mai Thị Khác", "female"))
    assert err.value.code == "already_married" and "Điều 5.2.c" in err.value.message
    assert CivilEvent.objects.filter(kind="marriage").count() == 1


def test_relatives_may_not_marry(civ):
    grandpa = Person.objects.create(full_name="Ông Nội", sex="male", commune=civ["commune"],
                                    birth_date=years_ago(80))
    dad = Person.objects.create(full_name="Cha Anh", sex="male", father=grandpa,
                                commune=civ["commune"], birth_date=years_ago(55))
    aunt = Person.objects.create(full_name="Cô Ruột", sex="female", father=grandpa,
                                 commune=civ["commune"], birth_date=years_ago(50))
    son = Person.objects.create(full_name="Con Trai", sex="male", father=dad,
                                commune=civ["commune"], birth_date=years_ago(25))
    niece = Person.objects.create(full_name="Cháu Gái", sex="female", father=aunt,
                                  commune=civ["commune"], birth_date=years_ago(23))
    stranger = Person.objects.create(full_name="Người Lạ", sex="female",
                                     commune=civ["commune"], birth_date=years_ago(24))
    for husband, wife in ((son, niece), (son, aunt), (grandpa, aunt)):
        with pytest.raises(AppError) as err:
            register_marriage(actor=civ["registrar"], husband={"id": husband.pk},
                              wife={"id": wife.pk})
        assert err.value.code == "prohibited_relation" and "Điều 5.2.d" in err.value.message
    assert register_marriage(actor=civ["registrar"], husband={"id": son.pk},
                             wife={"id": stranger.pk}).kind == "marriage"


def test_same_sex_absent_parties_and_one_person_twice_are_refused(civ):
    codes = []
    for kwargs in ({"husband": adult("Hai", "female"), "wife": adult("Ba", "female")},
                   {"husband": adult("Bốn", "male"), "wife": adult("Năm", "female"),
                    "both_present": False}):
        with pytest.raises(AppError) as err:
            register_marriage(actor=civ["registrar"], **kwargs)
        codes.append(err.value.code)
    assert codes == ["same_sex", "parties_absent"]


def test_death_locks_the_record(civ):
    event = register_marriage(actor=civ["registrar"], husband=adult("Hoàng Văn Mất", "male", 70),
                              wife=adult("Hoàng Thị Còn", "female", 68))
    husband = event.parties.get(role="husband").person
    died = timezone.localdate() - dt.timedelta(days=20)
    death = register_death(actor=civ["registrar"], person={"id": husband.pk},
                           death_date=died.isoformat())
    assert death.late  # Luật Hộ tịch 2014, Điều 33.1: within 15 days
    husband.refresh_from_db()
    assert husband.death_date == died and husband.is_deceased
    for call in (lambda: register_death(actor=civ["registrar"], person={"id": husband.pk},
                                        death_date=died.isoformat()),
                 lambda: register_marriage(actor=civ["registrar"], husband={"id": husband.pk},
                                           wife=adult("Ai Đó", "female")),
                 lambda: register_birth(actor=civ["registrar"], father={"id": husband.pk},
                                        child={"full_name": "Con Sau", "sex": "male",
                                               "birth_date": timezone.localdate().isoformat()})):
        before = CivilEvent.objects.count()
        try:
            call()
        except AppError as err:
            assert err.code == "person_deceased" and "Điều 34.2" in err.message
        else:  # a child may be born after the father's death
            assert CivilEvent.objects.count() == before + 1
    assert EventParty.objects.filter(person=husband, role="deceased").count() == 1


def test_each_commune_registers_and_reads_its_own(civ):
    event = birth(civ, "Người Xã An Bình")
    person = event.parties.get(role="child").person
    # another commune's registrar: not in this commune's books, not this commune's people
    with pytest.raises(PermissionDenied):
        birth(civ, who="other_registrar", commune_id=civ["commune"].pk)
    with pytest.raises(AppError) as err:
        register_death(actor=civ["other_registrar"], person={"id": person.pk},
                       death_date=timezone.localdate().isoformat())
    assert err.value.fields == {"person.id": ["No such person in your registry."]} or \
        "person.id" in err.value.fields
    own = birth(civ, "Người Xã Hòa Bình", who="other_registrar")
    assert own.commune == civ["other"] and own.book != event.book and own.entry_number == 1
    # the province supervisor reads every commune but registers in none
    for who in ("supervisor", "leader"):
        with pytest.raises(PermissionDenied):
            birth(civ, who=who, commune_id=civ["commune"].pk)
    from egov.civil.services.records import may_read

    assert may_read(civ["supervisor"], person) and may_read(civ["supervisor"], own.parties
                                                            .get(role="child").person)
    assert may_read(civ["leader"], person) and not may_read(civ["leader"], own.parties
                                                            .get(role="child").person)
