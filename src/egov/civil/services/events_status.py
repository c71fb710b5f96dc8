"""Decisions on a person's status noted in the books (ghi vào Sổ hộ tịch, Luật Hộ tịch 60/2014,
Điều 3.2 and 30): a change of nationality, a gender re-determination, the declaration of missing
status or of lost or limited civil capacity and their cancellation, and the cancellation of a
court's declaration of death. As `events_decisions`: checked against the registry (422 citing
the article), applied to the record and written in its book in one transaction.

A declaration of missing status or on capacity is noted on the person (their events) and locks
nothing; whether one is in force is read from the person's events: the last of the declarations
and cancellations of that kind."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.utils.translation import gettext as _

from egov.core.search import fold

from .. import rules
from ..models import CivilEvent, EventKind, PartyRole, Person, PersonalIdChange, Sex
from .events import _locked, _record
from .events_decisions import begin, decided_on
from .records import _alive, _check_errors, _fail, _text, write_event

__all__ = ["declaration_in_force", "note_capacity", "note_capacity_end",
           "note_death_undone", "note_gender", "note_missing", "note_missing_end",
           "note_nationality"]


def _person(actor, person, errors) -> Person | None:
    return _record(actor, person, "person", errors)


def _write(actor, kind, commune, day, decision, who, details, extra) -> CivilEvent:
    return write_event(actor=actor, kind=kind, commune=commune, registered_on=day,
                       event_date=decided_on(decision), late=False,
                       parties=[(PartyRole.PERSON, who)],
                       details={**dict(details or {}), **decision, **extra})


# --- change of nationality --------------------------------------------------------------------

# Luật Quốc tịch Việt Nam 2008: nhập (Điều 19), trở lại (Điều 23), thôi (Điều 27), tước (Điều
# 31) quốc tịch Việt Nam, hủy quyết định cho nhập (Điều 33).
NATIONALITY_CHANGES = ("acquired", "restored", "renounced", "deprived", "revoked")
VIETNAMESE = "viet nam"


def note_nationality(*, actor, person: Mapping, change_type: str, nationality: str,
                     authority: str, decision_number: str, decision_date, commune_id=None,
                     registered_on=None, details: Mapping | None = None) -> CivilEvent:
    """Ghi vào Sổ việc thay đổi quốc tịch (Luật Hộ tịch 2014, Điều 3.2; Luật Quốc tịch Việt
    Nam 2008): the person's nationality becomes `nationality`; the old one is kept in the
    details. A person who renounces, is deprived of or loses a granted Vietnamese nationality
    does not keep it (`nationality_mismatch`)."""
    commune, _today, day, errors, decision = begin(actor, commune_id, registered_on, authority,
                                                   decision_number, decision_date)
    if change_type not in NATIONALITY_CHANGES:
        errors.setdefault("change_type", []).append(
            _("Choose one of: %(values)s.") % {"values": ", ".join(NATIONALITY_CHANGES)})
    new = _text({"v": nationality}, "v", "nationality", errors, required=True, max_length=80)
    who = _person(actor, person, errors)
    _check_errors(errors)
    _alive(who, "person")
    if change_type in ("renounced", "deprived", "revoked") and fold(new) == VIETNAMESE:
        _fail("nationality_mismatch", _("A person who renounces, is deprived of or loses a "
                                        "granted Vietnamese nationality is no longer Vietnamese: "
                                        "give the nationality they keep (Luật Quốc tịch Việt Nam "
                                        "2008, Điều 27, 31, 33)."), "nationality")
    with transaction.atomic():
        who = _locked(who)
        old = who.nationality
        if fold(old or "") == fold(new):
            _fail("no_change", _("The new value is the recorded one."), "nationality")
        who.nationality = new
        who.save(update_fields=["nationality", "updated_at"])
        return _write(actor, EventKind.NATIONALITY, commune, day, decision, who, details,
                      {"change_type": change_type, "old": old, "new": new})


# --- gender re-determination ------------------------------------------------------------------


def note_gender(*, actor, person: Mapping, sex: str, authority: str, decision_number: str,
                decision_date, new_personal_id: str = "", commune_id=None, registered_on=None,
                details: Mapping | None = None) -> CivilEvent:
    """Ghi vào Sổ việc xác định lại giới tính (Luật Hộ tịch 2014, Điều 3.2; Bộ luật Dân sự 2015,
    Điều 36): the record's sex changes (old and new in the details). When the citizen has
    obtained a new personal ID for it (NĐ 70/2024, Điều 11.7.a, 11.8: only at their request),
    it is set and the old one kept in the ID history; otherwise the ID stays as it is."""
    commune, _today, day, errors, decision = begin(actor, commune_id, registered_on, authority,
                                                   decision_number, decision_date)
    if sex not in Sex.values:
        errors.setdefault("sex", []).append(
            _("Choose one of: %(values)s.") % {"values": ", ".join(Sex.values)})
    pid = _text({"v": new_personal_id}, "v", "new_personal_id", errors, max_length=12)
    if pid:
        refusal = rules.personal_id_refusal(pid)
        if refusal is not None:
            errors.setdefault("new_personal_id", []).append(refusal.message)
        elif Person.objects.filter(personal_id=pid).exists():
            errors.setdefault("new_personal_id", []).append(
                _("Another person record has this personal ID."))
    who = _person(actor, person, errors)
    _check_errors(errors)
    _alive(who, "person")
    with transaction.atomic():
        who = _locked(who)
        old, old_id = who.sex, who.personal_id
        if old == sex:
            _fail("no_change", _("The registry already records this sex."), "sex")
        who.sex = sex
        if pid:
            who.personal_id = pid
        who.save(update_fields=["sex", "personal_id", "updated_at"])
        event = _write(actor, EventKind.GENDER, commune, day, decision, who, details,
                       {"old": old, "new": sex, "old_personal_id": old_id if pid else None,
                        "new_personal_id": pid or None})
        if pid:
            PersonalIdChange.objects.create(
                person=who, old_id=old_id or "", new_id=pid, changed_on=day, event=event,
                ground="Xác định lại giới tính (NĐ 70/2024/NĐ-CP, Điều 11.7.a)")
        return event


# --- declarations of missing status and on civil capacity -------------------------------------


def declaration_in_force(person: Person, kind: str) -> CivilEvent | None:
    """The declaration of `kind` (missing, capacity, death_declared) in force on the person:
    the last of its declarations and cancellations when it is a declaration (one query)."""
    end = {EventKind.MISSING: EventKind.MISSING_END, EventKind.CAPACITY: EventKind.CAPACITY_END,
           EventKind.DEATH_DECLARED: EventKind.DEATH_UNDONE}[kind]
    last = (CivilEvent.objects.filter(kind__in=(kind, end), parties__person=person)
            .order_by("-pk").first())
    return last if last is not None and last.kind == kind else None


def note_missing(*, actor, person: Mapping, authority: str, decision_number: str,
                 decision_date, commune_id=None, registered_on=None,
                 details: Mapping | None = None) -> CivilEvent:
    """Ghi vào Sổ việc tuyên bố mất tích (Luật Hộ tịch 2014, Điều 3.2; Bộ luật Dân sự 2015,
    Điều 68: two years without news). Noted on the person; nothing is locked (the spouse may ask
    the court for a divorce, Điều 68.2 — a divorce noted then)."""
    commune, _today, day, errors, decision = begin(actor, commune_id, registered_on, authority,
                                                   decision_number, decision_date)
    who = _person(actor, person, errors)
    _check_errors(errors)
    _alive(who, "person")
    with transaction.atomic():
        who = _locked(who)
        if declaration_in_force(who, EventKind.MISSING) is not None:
            _fail("missing_declared", _("A declaration of missing status is already in force "
                                        "for this person (Bộ luật Dân sự 2015, Điều 68, 70)."),
                  "person")
        return _write(actor, EventKind.MISSING, commune, day, decision, who, details, {})


def note_missing_end(*, actor, person: Mapping, authority: str, decision_number: str,
                     decision_date, commune_id=None, registered_on=None,
                     details: Mapping | None = None) -> CivilEvent:
    """Ghi vào Sổ việc hủy tuyên bố mất tích (Bộ luật Dân sự 2015, Điều 70: the person returns
    or there is sure news of them): the declaration in force is named in the details."""
    return _cancel_declaration(
        actor, person, commune_id, registered_on, authority, decision_number, decision_date,
        details, EventKind.MISSING, EventKind.MISSING_END, "missing_not_declared",
        _("No declaration of missing status is in force for this person: there is none to "
          "cancel (Bộ luật Dân sự 2015, Điều 70)."), lambda declared: {})


def _cancel_declaration(actor, person, commune_id, registered_on, authority, decision_number,
                        decision_date, details, kind, end_kind, code, message,
                        extra) -> CivilEvent:
    """Note the cancellation of the declaration of `kind` in force (named in the details with
    `extra(declared)`); refused with `code` when none is."""
    commune, _today, day, errors, decision = begin(actor, commune_id, registered_on, authority,
                                                   decision_number, decision_date)
    who = _person(actor, person, errors)
    _check_errors(errors)
    _alive(who, "person")
    with transaction.atomic():
        who = _locked(who)
        declared = declaration_in_force(who, kind)
        if declared is None:
            _fail(code, message, "person")
        _not_before(declared, decision)
        return _write(actor, end_kind, commune, day, decision, who, details,
                      {"declaration_event": declared.pk, **extra(declared)})


def _not_before(declared: CivilEvent, decision: dict) -> None:
    if declared.event_date and decided_on(decision) < declared.event_date:
        _fail("end_before_start", _("The cancellation cannot take effect before the "
                                    "declaration it cancels."), "decision_date")


# Bộ luật Dân sự 2015: mất năng lực hành vi dân sự (Điều 22), hạn chế năng lực hành vi dân sự
# (Điều 24) — the two Luật Hộ tịch 2014, Điều 3.2.g names.
CAPACITIES = ("lost", "limited")


def note_capacity(*, actor, person: Mapping, capacity: str, authority: str,
                  decision_number: str, decision_date, commune_id=None, registered_on=None,
                  details: Mapping | None = None) -> CivilEvent:
    """Ghi vào Sổ việc tuyên bố mất hoặc hạn chế năng lực hành vi dân sự (Luật Hộ tịch 2014,
    Điều 3.2; Bộ luật Dân sự 2015, Điều 22, 24): noted on the person, nothing locked. A second
    declaration while one is in force is refused: the court first cancels or changes the one
    in force (Điều 22.1, 24.1)."""
    commune, _today, day, errors, decision = begin(actor, commune_id, registered_on, authority,
                                                   decision_number, decision_date)
    if capacity not in CAPACITIES:
        errors.setdefault("capacity", []).append(
            _("Choose one of: %(values)s.") % {"values": ", ".join(CAPACITIES)})
    who = _person(actor, person, errors)
    _check_errors(errors)
    _alive(who, "person")
    with transaction.atomic():
        who = _locked(who)
        if declaration_in_force(who, EventKind.CAPACITY) is not None:
            _fail("capacity_declared", _("A declaration on this person's civil capacity is "
                                         "already in force: it is cancelled first (Bộ luật Dân "
                                         "sự 2015, Điều 22.1, 24.1)."), "person")
        return _write(actor, EventKind.CAPACITY, commune, day, decision, who, details,
                      {"capacity": capacity})


def note_capacity_end(*, actor, person: Mapping, authority: str, decision_number: str,
                      decision_date, commune_id=None, registered_on=None,
                      details: Mapping | None = None) -> CivilEvent:
    """Ghi vào Sổ việc hủy tuyên bố mất hoặc hạn chế năng lực hành vi dân sự (Bộ luật Dân sự
    2015, Điều 22.1, 24.1: the ground no longer exists): the declaration in force is named."""
    return _cancel_declaration(
        actor, person, commune_id, registered_on, authority, decision_number, decision_date,
        details, EventKind.CAPACITY, EventKind.CAPACITY_END, "capacity_not_declared",
        _("No declaration on this person's civil capacity is in force: there is none to cancel "
          "(Bộ luật Dân sự 2015, Điều 22.1, 24.1)."),
        lambda declared: {"capacity": declared.details.get("capacity")})


# --- cancellation of a court's declaration of death -------------------------------------------

MARRIAGE_KINDS = (EventKind.MARRIAGE, EventKind.ABROAD_MARRIAGE, EventKind.DIVORCE,
                  EventKind.ANNULMENT, EventKind.ABROAD_DIVORCE)


def note_death_undone(*, actor, person: Mapping, authority: str, decision_number: str,
                      decision_date, commune_id=None, registered_on=None,
                      details: Mapping | None = None) -> CivilEvent:
    """Ghi vào Sổ việc hủy tuyên bố chết (Luật Hộ tịch 2014, Điều 3.2; Bộ luật Dân sự 2015,
    Điều 73): the lock set by the noted declaration of death is removed (death date cleared).
    Only that lock: a registered death (khai tử, Luật Hộ tịch 2014, Điều 34.2, 60) stays.
    The marriage comes back unless the spouse has since married, divorced or died (Luật Hôn
    nhân và gia đình 2014, Điều 67.1; Bộ luật Dân sự 2015, Điều 73.2); otherwise the person's
    link to that spouse is cleared."""
    commune, _today, day, errors, decision = begin(actor, commune_id, registered_on, authority,
                                                   decision_number, decision_date)
    who = _person(actor, person, errors)
    _check_errors(errors)
    with transaction.atomic():
        who = _locked(who)
        if CivilEvent.objects.filter(kind=EventKind.DEATH, parties__person=who,
                                     parties__role=PartyRole.DECEASED).exists():
            _fail("death_registered", _("The person's death is registered (khai tử): the record "
                                        "stays locked; a cancelled declaration of death does "
                                        "not unlock it (Luật Hộ tịch 2014, Điều 34.2, 60)."),
                  "person")
        declared = declaration_in_force(who, EventKind.DEATH_DECLARED)
        if declared is None or who.death_date is None:
            _fail("death_not_declared", _("No court declaration of this person's death is in "
                                          "force in the registry: there is none to cancel (Bộ "
                                          "luật Dân sự 2015, Điều 73)."), "person")
        if decision["decision_date"] < (declared.details.get("decision_date") or ""):
            _fail("end_before_start", _("The cancellation cannot take effect before the "
                                        "declaration it cancels."), "decision_date")
        restored = _restore_marriage(who, declared)
        old_death = who.death_date
        who.death_date = None
        who.save(update_fields=["death_date", "spouse", "updated_at"])
        return _write(actor, EventKind.DEATH_UNDONE, commune, day, decision, who, details,
                      {"declaration_event": declared.pk, "death_date": old_death.isoformat(),
                       "marriage_restored": restored})


def _restore_marriage(who: Person, declared: CivilEvent) -> bool:
    """Luật Hôn nhân và gia đình 2014, Điều 67.1: the spouse who has not married again is
    married to the person again (from the declaration's effect); a divorce granted meanwhile or
    a new marriage stands. `who` is locked; the spouse's link is set here, `who`'s saved by the
    caller."""
    if who.spouse_id is None:
        return False
    spouse = Person.objects.select_for_update().filter(pk=who.spouse_id).first()
    since = spouse is not None and spouse.events.filter(event__kind__in=MARRIAGE_KINDS,
                                                        event_id__gt=declared.pk).exists()
    if spouse is None or spouse.death_date is not None or since \
            or spouse.spouse_id not in (None, who.pk):
        who.spouse = None
        return False
    if spouse.spouse_id is None:
        Person.objects.filter(pk=spouse.pk).update(spouse=who)
    return True
