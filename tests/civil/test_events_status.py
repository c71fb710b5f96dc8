"""Decisions on a person's status noted in the books (Luật Hộ tịch 2014, Điều 3.2): nationality,
gender, missing status and civil capacity declared or cancelled, a cancelled declaration of
death — the record changed in the one transaction, the contradictions refused."""

from __future__ import annotations

import datetime as dt

import pytest

from egov.civil.models import CivilEvent, PersonalIdChange
from egov.civil.services.events import certify_marital_status
from egov.civil.services.events_notes import note_death_declaration
from egov.civil.services.events_status import (
    declaration_in_force,
    note_capacity,
    note_capacity_end,
    note_death_undone,
    note_gender,
    note_missing,
    note_missing_end,
    note_nationality,
)
from egov.civil.services.records import register_death, register_marriage

from .test_events_kit import couple, rec, refused, today

pytestmark = pytest.mark.django_db

DECISION = {"authority": "Tòa án nhân dân khu vực 1", "decision_number": "12/2026/QĐ-TA"}


def d(**kw):
    return {**DECISION, "decision_date": kw.pop("decision_date", today()), **kw}


def test_nationality_is_changed_and_the_old_kept(civ):
    who = rec(civ, "Người Nhập Quốc Tịch", "male", 40, nationality="Lào")
    event = note_nationality(actor=civ["registrar"], person={"id": who.pk},
                             change_type="acquired", nationality="Việt Nam",
                             authority="Chủ tịch nước", decision_number="123/QĐ-CTN",
                             decision_date=today())
    who.refresh_from_db()
    assert who.nationality == "Việt Nam"
    assert event.kind == "nationality" and event.details["old"] == "Lào"
    assert event.details["new"] == "Việt Nam" and event.details["change_type"] == "acquired"
    refused("no_change", note_nationality, actor=civ["registrar"], person={"id": who.pk},
            change_type="restored", nationality="viet nam", **d())
    err = refused("nationality_mismatch", note_nationality, actor=civ["registrar"],
                  person={"id": who.pk}, change_type="renounced", nationality="Việt Nam", **d())
    assert "Điều 27" in err.message
    refused("invalid", note_nationality, actor=civ["registrar"], person={"id": who.pk},
            change_type="bought", nationality="", **d())
    assert note_nationality(actor=civ["registrar"], person={"id": who.pk},
                            change_type="renounced", nationality="Lào", **d())


def test_gender_is_redetermined_with_or_without_a_new_id(civ):
    who = rec(civ, "Người Xác Định Lại", "female", 25, personal_id="001201000001")
    event = note_gender(actor=civ["registrar"], person={"id": who.pk}, sex="male", **d())
    who.refresh_from_db()
    assert who.sex == "male" and who.personal_id == "001201000001"
    assert event.details["old"] == "female" and event.details["new"] == "male"
    assert not PersonalIdChange.objects.exists()  # the ID stays without the citizen's request
    refused("no_change", note_gender, actor=civ["registrar"], person={"id": who.pk},
            sex="male", **d())
    other = rec(civ, "Người Thứ Hai", "male", 30, personal_id="001096000002")
    event = note_gender(actor=civ["registrar"], person={"id": other.pk}, sex="female",
                        new_personal_id="001196000003", **d())
    other.refresh_from_db()
    assert other.sex == "female" and other.personal_id == "001196000003"
    change = PersonalIdChange.objects.get()
    assert (change.old_id, change.new_id, change.event_id) == ("001096000002", "001196000003",
                                                               event.pk)
    assert "11.7" in change.ground
    err = refused("invalid", note_gender, actor=civ["registrar"], person={"id": who.pk},
                  sex="female", new_personal_id="001196000003", **d())
    assert "new_personal_id" in err.fields
    refused("invalid", note_gender, actor=civ["registrar"], person={"id": who.pk},
            sex="other", new_personal_id="12ab", **d())
    who.refresh_from_db()
    assert who.sex == "male"


def test_missing_status_is_noted_and_cancelled_without_a_lock(civ):
    who = rec(civ, "Người Biệt Tích", "male", 50)
    wife = rec(civ, "Vợ Chờ Đợi", "female", 48)
    couple(civ, who, wife)
    event = note_missing(actor=civ["registrar"], person={"id": who.pk},
                         **d(decision_date=today() - dt.timedelta(days=5)))
    assert declaration_in_force(who, "missing") == event
    who.refresh_from_db()
    assert who.death_date is None and who.spouse_id == wife.pk  # nothing locked or ended
    assert certify_marital_status(actor=civ["registrar"], person={"id": who.pk})
    err = refused("missing_declared", note_missing, actor=civ["registrar"],
                  person={"id": who.pk}, **d())
    assert "Điều 68" in err.message
    refused("end_before_start", note_missing_end, actor=civ["registrar"],
            person={"id": who.pk}, **d(decision_date=today() - dt.timedelta(days=6)))
    end = note_missing_end(actor=civ["registrar"], person={"id": who.pk}, **d())
    assert end.details["declaration_event"] == event.pk
    assert declaration_in_force(who, "missing") is None
    err = refused("missing_not_declared", note_missing_end, actor=civ["registrar"],
                  person={"id": who.pk}, **d())
    assert "Điều 70" in err.message
    # The person's events show both.
    assert set(who.events.values_list("event__kind", flat=True)) >= {"missing", "missing_end"}


def test_capacity_is_declared_and_cancelled(civ):
    who = rec(civ, "Người Mất Năng Lực", "female", 60)
    refused("capacity_not_declared", note_capacity_end, actor=civ["registrar"],
            person={"id": who.pk}, **d())
    refused("invalid", note_capacity, actor=civ["registrar"], person={"id": who.pk},
            capacity="partial", **d())
    event = note_capacity(actor=civ["registrar"], person={"id": who.pk}, capacity="lost", **d())
    assert event.details["capacity"] == "lost" and event.kind == "capacity"
    err = refused("capacity_declared", note_capacity, actor=civ["registrar"],
                  person={"id": who.pk}, capacity="limited", **d())
    assert "Điều 22.1" in err.message
    end = note_capacity_end(actor=civ["registrar"], person={"id": who.pk}, **d())
    assert end.details == {**end.details, "declaration_event": event.pk, "capacity": "lost"}
    assert note_capacity(actor=civ["registrar"], person={"id": who.pk}, capacity="limited",
                         **d()).details["capacity"] == "limited"
    dead = rec(civ, "Người Đã Mất", "male", 70, death_date=today())
    refused("person_deceased", note_capacity, actor=civ["registrar"], person={"id": dead.pk},
            capacity="lost", **d())


def test_a_cancelled_declaration_of_death_unlocks_and_restores_the_marriage(civ):
    man, woman = rec(civ, "Người Trở Về", "male", 50), rec(civ, "Vợ Người Trở Về", "female", 48)
    couple(civ, man, woman)
    declared = note_death_declaration(actor=civ["registrar"], person={"id": man.pk},
                                      death_date=today() - dt.timedelta(days=400),
                                      **d(decision_date=today() - dt.timedelta(days=30)))
    woman.refresh_from_db()
    assert woman.spouse_id is None
    refused("end_before_start", note_death_undone, actor=civ["registrar"],
            person={"id": man.pk}, **d(decision_date=today() - dt.timedelta(days=31)))
    event = note_death_undone(actor=civ["registrar"], person={"id": man.pk}, **d())
    man.refresh_from_db()
    woman.refresh_from_db()
    assert man.death_date is None and event.kind == "death_undone"
    assert event.details["declaration_event"] == declared.pk
    assert event.details["marriage_restored"] is True  # HNGĐ Điều 67.1
    assert man.spouse_id == woman.pk and woman.spouse_id == man.pk
    # Unlocked: events can be registered for him again.
    assert certify_marital_status(actor=civ["registrar"], person={"id": man.pk})
    err = refused("death_not_declared", note_death_undone, actor=civ["registrar"],
                  person={"id": man.pk}, **d())
    assert "Điều 73" in err.message


def test_the_marriage_stays_ended_when_the_spouse_married_again(civ):
    man, woman = rec(civ, "Chồng Mất Tích", "male", 50), rec(civ, "Vợ Tái Hôn", "female", 45)
    couple(civ, man, woman)
    note_death_declaration(actor=civ["registrar"], person={"id": man.pk},
                           death_date=today() - dt.timedelta(days=900),
                           **d(decision_date=today() - dt.timedelta(days=300)))
    new = rec(civ, "Chồng Mới", "male", 47)
    register_marriage(actor=civ["registrar"], husband={"id": new.pk}, wife={"id": woman.pk})
    event = note_death_undone(actor=civ["registrar"], person={"id": man.pk}, **d())
    man.refresh_from_db()
    woman.refresh_from_db()
    assert event.details["marriage_restored"] is False
    assert man.spouse_id is None and woman.spouse_id == new.pk


def test_a_registered_death_stays_locked(civ):
    who = rec(civ, "Người Đã Khai Tử", "male", 80)
    register_death(actor=civ["registrar"], person={"id": who.pk}, death_date=today())
    err = refused("death_registered", note_death_undone, actor=civ["registrar"],
                  person={"id": who.pk}, **d())
    assert "Điều 34.2" in err.message
    alive = rec(civ, "Người Còn Sống", "female", 40)
    refused("death_not_declared", note_death_undone, actor=civ["registrar"],
            person={"id": alive.pk}, **d())
    who.refresh_from_db()
    assert who.death_date == today()
    assert not CivilEvent.objects.filter(kind="death_undone").exists()
