"""Events decided elsewhere and noted in the books (ghi vào Sổ hộ tịch, Luật Hộ tịch 60/2014,
Điều 3.2 and 30: on the court's or authority's decision) — a divorce, an adoption, a court's
declaration of death — and the re-registration of a birth, marriage or death whose book and
original papers were lost (đăng ký lại, NĐ 123/2015/NĐ-CP, Điều 24–27).

Each applies the decision to the person records and writes it in its book through
`records.write_event`, as `events` does; refusals are 422 with their code and article."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import rules
from ..catalog import kind_rule
from ..models import CivilEvent, EventKind, EventParty, PartyRole, Person, Sex
from . import records
from .events import _locked, _record
from .records import (
    _alive,
    _check_errors,
    _date,
    _fail,
    _party,
    _registered_on,
    _text,
    end_marriage_by_death,
    registrar_commune,
    write_event,
)

__all__ = ["note_adoption", "note_death_declaration", "note_divorce", "reregister"]


def _decision(authority, decision_number, decision_date, errors: dict, day: dt.date) -> dict:
    """The decision noted: who decided, its number and the date it took effect."""
    authority = _text({"v": authority}, "v", "authority", errors, required=True)
    number = _text({"v": decision_number}, "v", "decision_number", errors, required=True,
                   max_length=50)
    when = _date(decision_date, "decision_date", errors)
    if when is not None and when > day:
        errors.setdefault("decision_date", []).append(
            _("The decision cannot be after the registration date."))
    return {"authority": authority, "decision_number": number,
            "decision_date": when.isoformat() if when else None}


# --- divorce ----------------------------------------------------------------------------------


def note_divorce(*, actor, husband: Mapping, wife: Mapping, authority: str,
                 decision_number: str, decision_date, commune_id=None, registered_on=None,
                 details: Mapping | None = None) -> CivilEvent:
    """Ghi vào Sổ việc ly hôn (Luật Hộ tịch 2014, Điều 3.2): the court's divorce ends the
    marriage from the day the judgment takes effect (Luật Hôn nhân và gia đình 2014, Điều 57.1):
    both spouses' links are cleared and the marriage event named in the details."""
    commune = registrar_commune(actor, commune_id)
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    day = _registered_on(registered_on, errors, today)
    decision = _decision(authority, decision_number, decision_date, errors, day)
    man = _record(actor, husband, "husband", errors)
    woman = _record(actor, wife, "wife", errors)
    _check_errors(errors)
    _alive(man, "husband")
    _alive(woman, "wife")
    with transaction.atomic():
        man, woman = _locked(man), _locked(woman)
        if man.spouse_id != woman.pk or woman.spouse_id != man.pk:
            _fail("not_spouses", _("The registry does not record these two persons as married "
                                   "to each other: there is no marriage to end (Luật Hôn nhân "
                                   "và gia đình 2014, Điều 57)."), "wife")
        marriage = (EventParty.objects.filter(person=man, role=PartyRole.HUSBAND,
                                              event__kind=EventKind.MARRIAGE,
                                              event__parties__person=woman)
                    .order_by("-event_id").values_list("event_id", flat=True).first())
        Person.objects.filter(pk__in=(man.pk, woman.pk)).update(spouse=None)
        man.spouse = woman.spouse = None
        return write_event(actor=actor, kind=EventKind.DIVORCE, commune=commune,
                           registered_on=day,
                           event_date=dt.date.fromisoformat(decision["decision_date"]),
                           late=False, parties=[(PartyRole.HUSBAND, man),
                                                (PartyRole.WIFE, woman)],
                           details={**dict(details or {}), **decision,
                                    "marriage_event": marriage})


# --- adoption ---------------------------------------------------------------------------------


def note_adoption(*, actor, child: Mapping, adoptive_father: Mapping | None = None,
                  adoptive_mother: Mapping | None = None, authority: str,
                  decision_number: str, decision_date, relative_adoption: bool = False,
                  commune_id=None, registered_on=None,
                  details: Mapping | None = None) -> CivilEvent:
    """Ghi vào Sổ việc nuôi con nuôi (Luật Hộ tịch 2014, Điều 3.2; Luật Nuôi con nuôi 2010):
    the adoptive parents and the child as parties of the event. The blood links (father,
    mother) stay as they are — they still forbid a marriage — and the adoption forbids one
    between the adoptive parent and the child (Luật Hôn nhân và gia đình 2014, Điều 5.2.d)."""
    commune = registrar_commune(actor, commune_id)
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    day = _registered_on(registered_on, errors, today)
    decision = _decision(authority, decision_number, decision_date, errors, day)
    kid = _record(actor, child, "child", errors)
    adopters = []
    for role, spec, sex in ((PartyRole.ADOPTIVE_FATHER, adoptive_father, Sex.MALE),
                            (PartyRole.ADOPTIVE_MOTHER, adoptive_mother, Sex.FEMALE)):
        if spec is not None:
            who = _party(actor, spec, role, errors, commune, today=today, sex=sex)
            if who is not None:
                adopters.append((role, who, sex))
    if adoptive_father is None and adoptive_mother is None:
        errors.setdefault("adoptive_father", []).append(
            _("Name the adoptive father, the adoptive mother or both."))
    _check_errors(errors)
    _alive(kid, "child")
    # Luật Nuôi con nuôi 2010, Điều 8: a child under 16; from 16 to under 18 only by a step-
    # parent or an aunt or uncle (relative_adoption).
    limit = 18 if relative_adoption is True else 16
    if kid.birth_date is None or rules.full_years(kid.birth_date, day) >= limit:
        _fail("child_age", _("A child under 16 may be adopted, or under 18 by a step-parent, "
                             "aunt or uncle (Luật Nuôi con nuôi 2010, Điều 8)."),
              "child.birth_date")
    for role, who, sex in adopters:
        if who.pk is not None and who.pk == kid.pk:
            _fail("same_person", _("The adoptive parent and the child are two persons."), role)
        if who.sex != sex:
            _fail("parent_sex", _("An adoptive father is a man and an adoptive mother a woman."),
                  f"{role}.sex")
        _alive(who, role)
        # Luật Nuôi con nuôi 2010, Điều 14.1.c: at least 20 years older than the child, except
        # a step-parent, aunt or uncle (Điều 14.3).
        if who.birth_date is None or (relative_adoption is not True and (
                rules.full_years(who.birth_date, kid.birth_date) < 20)) \
                or who.birth_date >= kid.birth_date:
            _fail("age_gap", _("The adoptive parent is at least 20 years older than the child "
                               "(Luật Nuôi con nuôi 2010, Điều 14.1.c)."), f"{role}.birth_date")
    with transaction.atomic():
        for _role, who, _sex in adopters:
            if who.pk is None:
                who.save()
        return write_event(actor=actor, kind=EventKind.ADOPTION, commune=commune,
                           registered_on=day,
                           event_date=dt.date.fromisoformat(decision["decision_date"]),
                           late=False, parties=[(PartyRole.CHILD, kid)]
                           + [(role, who) for role, who, _sex in adopters],
                           details={**dict(details or {}), **decision})


# --- a court's declaration of death ----------------------------------------------------------


def note_death_declaration(*, actor, person: Mapping, death_date, authority: str,
                           decision_number: str, decision_date, commune_id=None,
                           registered_on=None, details: Mapping | None = None) -> CivilEvent:
    """Ghi vào Sổ việc tuyên bố chết (Luật Hộ tịch 2014, Điều 3.2; Bộ luật Dân sự 2015, Điều
    71: the court fixes the date of death): the record is locked as by a registered death
    (Luật Hộ tịch 2014, Điều 34.2, 60) and the marriage ends from the day the decision takes
    effect (Luật Hôn nhân và gia đình 2014, Điều 65)."""
    commune = registrar_commune(actor, commune_id)
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    day = _registered_on(registered_on, errors, today)
    decision = _decision(authority, decision_number, decision_date, errors, day)
    died = _date(death_date, "death_date", errors)
    who = _record(actor, person, "person", errors)
    _check_errors(errors)
    _alive(who, "person")
    if died > day or (decision["decision_date"] and died.isoformat() > decision["decision_date"]):
        _fail("death_after_decision", _("The date of death the court fixed is not after its "
                                        "decision."), "death_date")
    if who.birth_date and died < who.birth_date:
        _fail("death_before_birth", _("The death cannot be before the birth."), "death_date")
    with transaction.atomic():
        who = _locked(who)
        _alive(who, "person")
        who.death_date = died
        who.save()
        end_marriage_by_death(who)
        return write_event(actor=actor, kind=EventKind.DEATH_DECLARED, commune=commune,
                           registered_on=day, event_date=died, late=False,
                           parties=[(PartyRole.DECEASED, who)],
                           details={**dict(details or {}), **decision})


# --- re-registration --------------------------------------------------------------------------

REREGISTRABLE = (EventKind.BIRTH, EventKind.MARRIAGE, EventKind.DEATH)
# NĐ 123/2015/NĐ-CP, Điều 24.1: only events registered before the law took effect.
REREGISTRATION_BEFORE = dt.date(2016, 1, 1)


def reregister(*, actor, kind: str, original_registered_on, original_place: str = "",
               book_lost: bool = False, data: Mapping | None = None, commune_id=None,
               registered_on=None, details: Mapping | None = None) -> CivilEvent:
    """Đăng ký lại khai sinh, kết hôn, khai tử (NĐ 123/2015, Điều 24–27): an event registered
    before 1/1/2016 whose book and original papers are both lost is registered again, in the
    book of its kind, marked as a re-registration (the original date and place in the details;
    never late). `data` is what `records.register_<kind>` takes (child/mother/father,
    husband/wife/both_present, person/death_date); `details` (e.g. the ground of exemption from
    the fee, Luật Hộ tịch 2014, Điều 11.1.a) go with the event."""
    registrar_commune(actor, commune_id)  # 403 outside one's communes, before anything else
    errors: dict[str, list[str]] = {}
    if kind not in REREGISTRABLE:
        errors.setdefault("kind", []).append(
            _("Choose one of: %(values)s.") % {"values": ", ".join(REREGISTRABLE)})
    original = _date(original_registered_on, "original_registered_on", errors)
    place = _text({"v": original_place}, "v", "original_place", errors, required=True)
    if not isinstance(data, Mapping):
        errors.setdefault("data", []).append(_("This field is required."))
    _check_errors(errors)
    if original >= REREGISTRATION_BEFORE:
        _fail("reregistration_not_allowed", _("Only an event registered before 1/1/2016 is "
                                              "registered again (NĐ 123/2015/NĐ-CP, Điều "
                                              "24.1)."), "original_registered_on")
    if book_lost is not True:
        _fail("book_not_lost", _("Re-registration is for an event whose book and original "
                                 "papers are both lost (NĐ 123/2015/NĐ-CP, Điều 24.1)."),
              "book_lost")
    day = _registered_on(registered_on, errors, timezone.localdate())
    _check_errors(errors)
    kind_rule("reregistration", day)  # the limit of đăng ký lại is in force (422 otherwise)
    mark = {"original_date": original, "original_place": place}
    common = {"actor": actor, "commune_id": commune_id, "registered_on": day,
              "reregistration": mark, "details": details}
    if kind == EventKind.BIRTH:
        return records.register_birth(child=data.get("child"), mother=data.get("mother"),
                                      father=data.get("father"), **common)
    if kind == EventKind.MARRIAGE:
        return records.register_marriage(husband=data.get("husband"), wife=data.get("wife"),
                                         both_present=data.get("both_present", True), **common)
    return records.register_death(person=data.get("person"), death_date=data.get("death_date"),
                                  **common)

