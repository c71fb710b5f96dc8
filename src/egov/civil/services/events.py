"""The other registered events (Luật Hộ tịch 60/2014/QH13, Điều 3.1; NĐ 123/2015/NĐ-CP): the
marital-status certificate, the recognition of parents and children, guardianship and its end,
and the change, correction or supplement of civil-status data. The noted events (divorce,
adoption, a court's declaration of death) and re-registration are in `events_notes`.

Each service checks the law — every refusal a 422 with its code and the article it cites —
then applies the event to the person records and writes it in its book through
`records.write_event` (the kind's catalogue row valid on the registration date, the registrar
check of Điều 12.1.h, the book's entry number, the audit event with ids only, the hooks), all in
one transaction, or nothing. Commune isolation as in `records`: one registers in a commune one
holds `civil.register` in and names only persons one may read.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core.policy import unit_q

from .. import rules
from ..catalog import kind_rule
from ..models import (
    CivilEvent,
    EventKind,
    EventParty,
    Guardianship,
    MaritalStatus,
    MaritalStatusCertificate,
    PartyRole,
    Person,
    PersonalIdChange,
    Sex,
)
from . import foreign as foreign_parties
from .records import (
    NAME_MAX,
    READ,
    _alive,
    _check_errors,
    _date,
    _existing,
    _fail,
    _party,
    _registered_on,
    _text,
    registrar_commune,
    write_event,
)

__all__ = ["certify_marital_status", "end_guardianship", "marital_status_of", "recognize",
           "register_change", "register_guardianship"]


def _record(actor, spec, field: str, errors: dict) -> Person | None:
    """An existing record the actor may read (these events concern persons already in the
    registry: their data is what the event states or changes)."""
    if not isinstance(spec, Mapping) or "id" not in spec:
        errors.setdefault(f"{field}.id", []).append(_("Give the id of a person record."))
        return None
    return _existing(actor, spec, field, errors)


def _locked(person: Person) -> Person:
    return Person.objects.select_for_update().get(pk=person.pk)


def add_months(day: dt.date, months: int) -> dt.date:
    """Bộ luật Dân sự 2015, Điều 147–148: a period of months ends on the corresponding day of
    its last month, or on that month's last day when it has no such day."""
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return day.replace(year=year, month=month,
                       day=min(day.day, calendar.monthrange(year, month)[1]))


# --- marital status ---------------------------------------------------------------------------


def marital_status_of(person: Person) -> str:
    """What the registry says: married (a living spouse), widowed (the last marriage ended by
    the spouse's death or its declaration), divorced (a divorce noted after the last marriage),
    or single (no marriage registered)."""
    if person.spouse_id is not None:
        return MaritalStatus.WIDOWED if person.spouse.death_date else MaritalStatus.MARRIED
    # A marriage done abroad and noted counts as one; so do a divorce or annulment, here or
    # abroad (Luật Hộ tịch 2014, Điều 3.2–3.3; services/events_decisions.py).
    marriage = (EventParty.objects.filter(person=person, event__kind__in=(
        EventKind.MARRIAGE, EventKind.ABROAD_MARRIAGE))
                .select_related("event").order_by("-event__registered_on", "-event_id").first())
    if marriage is None:
        ended = EventParty.objects.filter(person=person, event__kind=EventKind.ABROAD_DIVORCE)
        return MaritalStatus.DIVORCED if ended.exists() else MaritalStatus.SINGLE
    divorced = EventParty.objects.filter(person=person, event__kind__in=(
        EventKind.DIVORCE, EventKind.ANNULMENT, EventKind.ABROAD_DIVORCE),
        event_id__gt=marriage.event_id).exists()
    if divorced:
        return MaritalStatus.DIVORCED
    other = (EventParty.objects.filter(event_id=marriage.event_id).exclude(person=person)
             .select_related("person").first())
    if other is not None and other.person.death_date is not None:
        return MaritalStatus.WIDOWED
    return MaritalStatus.DIVORCED


def certify_marital_status(*, actor, person: Mapping, purpose: str = "", commune_id=None,
                           registered_on=None, details: Mapping | None = None) -> CivilEvent:
    """Xác nhận tình trạng hôn nhân (NĐ 123/2015, Điều 21–23, as amended by NĐ 07/2025): the
    registry's statement of the person's marital status, valid for the months of the kind's
    catalogue row (6) from the day it is issued; not for a deceased person."""
    commune = registrar_commune(actor, commune_id)
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    day = _registered_on(registered_on, errors, today)
    who = _record(actor, person, "person", errors)
    purpose = _text({"purpose": purpose}, "purpose", "purpose", errors)
    _check_errors(errors)
    _alive(who, "person")
    rule = kind_rule(EventKind.MARITAL_STATUS, day)
    with transaction.atomic():
        who = _locked(who)
        _alive(who, "person")
        status = marital_status_of(who)
        valid_until = add_months(day, rule.validity_months or 6)
        event = write_event(actor=actor, kind=EventKind.MARITAL_STATUS, commune=commune,
                            registered_on=day, event_date=day, late=False,
                            parties=[(PartyRole.PERSON, who)],
                            details={**dict(details or {}), "status": status,
                                     "valid_until": valid_until.isoformat(),
                                     "purpose": purpose}, rule=rule)
        MaritalStatusCertificate.objects.create(event=event, person=who, status=status,
                                                purpose=purpose, valid_until=valid_until)
        return event


# --- recognition of parents and children ------------------------------------------------------


def recognize(*, actor, child: Mapping, parent: Mapping, role: str, commune_id=None,
              registered_on=None, details: Mapping | None = None,
              foreign_element: bool = False) -> CivilEvent:
    """Nhận cha, mẹ, con (Luật Hộ tịch 2014, Điều 24–25; Luật Hôn nhân và gia đình 2014, Điều
    88–91): links the child to the father or mother it lacked. The child is a record of the
    registry; the parent a record or the fields of a new one. Recognition is possible even if
    the child or the parent has died (Luật Hôn nhân và gia đình 2014, Điều 90.1, 91), not when
    both have. With a foreign element (`foreign_element`, or a party's nationality: Luật Hộ
    tịch 2014, Điều 43–44; NĐ 120/2025 Phụ lục mục I.1.c) the foreign party gives an identity
    document (services/foreign.py) and the kind's foreign row applies."""
    commune = registrar_commune(actor, commune_id)
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    day = _registered_on(registered_on, errors, today)
    if role not in (PartyRole.FATHER, PartyRole.MOTHER):
        errors.setdefault("role", []).append(_("Choose one of: %(values)s.")
                                             % {"values": "father, mother"})
    kid = _record(actor, child, "child", errors)
    sex = Sex.MALE if role == PartyRole.FATHER else Sex.FEMALE
    who = _party(actor, parent, "parent", errors, commune, today=today, sex=sex)
    _check_errors(errors)
    foreign = foreign_parties.check_parties([("child", kid, child), ("parent", who, parent)],
                                            foreign_element)
    if who.pk is not None and who.pk == kid.pk:
        _fail("same_person", _("The parent and the child are two persons."), "parent")
    if who.sex != sex:
        _fail("parent_sex", _("A father is a man and a mother a woman (Luật Hôn nhân và gia "
                              "đình 2014, Điều 88)."), "parent.sex")
    if kid.death_date is not None and who.death_date is not None:
        _fail("person_deceased", _("The child and the parent are both recorded as deceased: "
                                   "the recognition cannot be registered (Luật Hôn nhân và "
                                   "gia đình 2014, Điều 90, 91)."), "child")
    if who.birth_date and kid.birth_date and who.birth_date >= kid.birth_date:
        _fail("parent_younger", _("A parent is born before the child (Luật Hộ tịch 2014, "
                                  "Điều 24)."), "parent.birth_date")
    if who.pk is not None and kid.pk in rules.ancestors(who, 30):
        _fail("parent_younger", _("The person named as parent descends from the child in the "
                                  "registry (Luật Hộ tịch 2014, Điều 24)."), "parent")
    with transaction.atomic():
        kid = _locked(kid)
        if (kid.father_id if role == PartyRole.FATHER else kid.mother_id) is not None:
            # Luật Hộ tịch 2014, Điều 24–25: the registry already names this parent; a dispute
            # over parentage is for the court (Luật Hôn nhân và gia đình 2014, Điều 89, 101).
            _fail("parent_recorded", _("The registry already names the child's %(role)s: a "
                                       "dispute over parentage is decided by the court (Luật "
                                       "Hôn nhân và gia đình 2014, Điều 89, 101).")
                  % {"role": PartyRole(role).label.lower()}, "role")
        if who.pk is None:
            who.save()
        setattr(kid, f"{role}_id", who.pk)
        kid.save(update_fields=[role, "updated_at"])
        return write_event(actor=actor, kind=EventKind.RECOGNITION, commune=commune,
                           registered_on=day, event_date=day, late=False,
                           parties=[(PartyRole.CHILD, kid), (role, who)],
                           details={**dict(details or {}), "role": role},
                           foreign_element=foreign)


# --- guardianship -----------------------------------------------------------------------------

GUARDIANSHIP_MODES = ("appointed", "statutory")


def register_guardianship(*, actor, guardian: Mapping, ward: Mapping, mode: str = "appointed",
                          ward_ground: str = "", guardian_capable: bool = True,
                          commune_id=None, registered_on=None,
                          details: Mapping | None = None,
                          foreign_element: bool = False) -> CivilEvent:
    """Giám hộ (Luật Hộ tịch 2014, Điều 19–21: cử — appointed, or đương nhiên — statutory;
    Bộ luật Dân sự 2015, Điều 46–54). The ward is a minor, or an adult whom a court decision
    puts under guardianship (`ward_ground`, Điều 47.1.c–d); the guardian an adult with full
    capacity (Điều 49.1); one guardian at a time (Điều 48.2). With a foreign element
    (`foreign_element`, or a party's nationality: Luật Hộ tịch 2014, Điều 39–40) the foreign
    party gives an identity document (services/foreign.py) and the kind's foreign row applies."""
    commune = registrar_commune(actor, commune_id)
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    day = _registered_on(registered_on, errors, today)
    if mode not in GUARDIANSHIP_MODES:
        errors.setdefault("mode", []).append(_("Choose one of: %(values)s.")
                                             % {"values": ", ".join(GUARDIANSHIP_MODES)})
    ground = _text({"g": ward_ground}, "g", "ward_ground", errors)
    keeper = _party(actor, guardian, "guardian", errors, commune, today=today)
    kept = _record(actor, ward, "ward", errors)
    _check_errors(errors)
    foreign = foreign_parties.check_parties([("guardian", keeper, guardian), ("ward", kept, ward)],
                                            foreign_element)
    if keeper.pk is not None and keeper.pk == kept.pk:
        _fail("same_person", _("The guardian and the ward are two persons."), "guardian")
    _alive(keeper, "guardian")
    _alive(kept, "ward")
    if keeper.birth_date is None or rules.full_years(keeper.birth_date, day) < 18:
        _fail("guardian_minor", _("A guardian is a person from full 18 years of age (Bộ luật "
                                  "Dân sự 2015, Điều 49.1)."), "guardian.birth_date")
    if guardian_capable is not True:
        _fail("guardian_capacity", _("A guardian has full civil capacity (Bộ luật Dân sự "
                                     "2015, Điều 49.1)."), "guardian_capable")
    minor = kept.birth_date is not None and rules.full_years(kept.birth_date, day) < 18
    if not minor and not ground:
        _fail("ward_not_minor", _("An adult is under guardianship only by a court decision on "
                                  "lost capacity or difficulties in cognition; give it (Bộ luật "
                                  "Dân sự 2015, Điều 47.1)."), "ward_ground")
    with transaction.atomic():
        kept = _locked(kept)
        if Guardianship.objects.filter(ward=kept, ended_on__isnull=True).exists():
            _fail("ward_has_guardian", _("The ward already has a guardian in the registry: one "
                                         "person has one guardian (Bộ luật Dân sự 2015, Điều "
                                         "48.2)."), "ward")
        if keeper.pk is None:
            keeper.save()
        event = write_event(actor=actor, kind=EventKind.GUARDIANSHIP, commune=commune,
                            registered_on=day, event_date=day, late=False,
                            parties=[(PartyRole.GUARDIAN, keeper), (PartyRole.WARD, kept)],
                            details={**dict(details or {}), "mode": mode,
                                     "ward_ground": ground},
                            foreign_element=foreign)
        Guardianship.objects.create(event=event, guardian=keeper, ward=kept)
        return event


def end_guardianship(*, actor, guardianship_id: int, ground: str, commune_id=None,
                     registered_on=None, details: Mapping | None = None) -> CivilEvent:
    """Chấm dứt giám hộ (Luật Hộ tịch 2014, Điều 22; Bộ luật Dân sự 2015, Điều 62: the ward
    reaches capacity or age, dies, is adopted, …). Registered even when the ward or the guardian
    has died — that is one of its grounds."""
    commune = registrar_commune(actor, commune_id)
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    day = _registered_on(registered_on, errors, today)
    ground = _text({"g": ground}, "g", "ground", errors, required=True)
    found = None
    if isinstance(guardianship_id, int) and not isinstance(guardianship_id, bool):
        found = (Guardianship.objects.filter(unit_q(actor, READ, field="ward__commune"))
                 .filter(pk=guardianship_id).first())
    if found is None:
        errors.setdefault("guardianship_id", []).append(_("No such guardianship in your "
                                                          "registry."))
    _check_errors(errors)
    with transaction.atomic():
        found = Guardianship.objects.select_for_update().get(pk=found.pk)
        if found.ended_on is not None:
            _fail("guardianship_ended", _("This guardianship has already ended (Luật Hộ tịch "
                                          "2014, Điều 22)."), "guardianship_id")
        if found.event.registered_on > day:
            _fail("end_before_start", _("A guardianship ends after it was registered."),
                  "registered_on")
        event = write_event(actor=actor, kind=EventKind.GUARDIANSHIP_END, commune=commune,
                            registered_on=day, event_date=day, late=False,
                            parties=[(PartyRole.GUARDIAN, found.guardian),
                                     (PartyRole.WARD, found.ward)],
                            details={**dict(details or {}), "guardianship": found.pk,
                                     "ground": ground})
        found.ended_on, found.end_event = day, event
        found.save(update_fields=["ended_on", "end_event"])
        return event


# --- change, correction, supplement -----------------------------------------------------------

CHANGE_TYPES = ("change", "correction", "supplement")
# Luật Hộ tịch 2014, Điều 26.1: a. thay đổi họ, chữ đệm, tên (Bộ luật Dân sự 2015, Điều 27–28);
# c. xác định lại dân tộc (Điều 29); b. cải chính — data written wrong by the registrar or the
# applicant; d. bổ sung — data missing from the registration. The sex is not changed here (xác
# định lại giới tính: Bộ luật Dân sự Điều 36 and its own law).
CHANGE_FIELDS = {
    "change": ("full_name", "ethnicity"),
    "correction": ("full_name", "birth_date", "birth_place", "hometown", "ethnicity",
                   "nationality", "personal_id"),
    "supplement": ("birth_date", "birth_place", "hometown", "ethnicity", "nationality",
                   "personal_id"),
}


def _new_value(field: str, value, errors: dict, today: dt.date):
    if field == "birth_date":
        day = _date(value, "new_value", errors)
        if day is not None and day > today:
            errors.setdefault("new_value", []).append(
                _("The date of birth cannot be in the future."))
        return day
    limit = {"full_name": NAME_MAX, "ethnicity": 80, "nationality": 80, "personal_id": 12}
    text = _text({"v": value}, "v", "new_value", errors, required=True,
                 max_length=limit.get(field, 300))
    if field == "personal_id" and text:
        refusal = rules.personal_id_refusal(text)
        if refusal is not None:
            errors.setdefault("new_value", []).append(refusal.message)
        elif Person.objects.filter(personal_id=text).exists():
            errors.setdefault("new_value", []).append(
                _("Another person record has this personal ID."))
    return text


def _consent(person: Person, field: str, day: dt.date, parents: bool, own: bool) -> None:
    """NĐ 123/2015, Điều 7.1: changing the name of a person under 18 needs the consent of the
    parents, and from full 9 years of age that of the person too (Bộ luật Dân sự 2015, Điều
    28.2); re-determining the ethnicity of a minor, the parents' request and from full 15 years
    the person's consent (Điều 29.2–29.3)."""
    if person.birth_date is None:
        return
    age = rules.full_years(person.birth_date, day)
    if age >= 18:
        return
    if not parents:
        _fail("parents_consent_required", _("For a person under 18 the parents' consent is "
                                            "needed (NĐ 123/2015/NĐ-CP, Điều 7.1; Bộ luật Dân "
                                            "sự 2015, Điều 28, 29)."), "parents_consent")
    if not own and age >= (9 if field == "full_name" else 15):
        _fail("person_consent_required", _("The person's own consent is needed from full 9 "
                                           "years of age for a name, 15 for the ethnicity (Bộ "
                                           "luật Dân sự 2015, Điều 28.2, 29.3)."),
              "person_consent")


def _shown(value) -> str:
    return value.isoformat() if isinstance(value, dt.date) else (value or "")


def register_change(*, actor, person: Mapping, change_type: str, field: str, new_value,
                    ground: str, parents_consent: bool = False, person_consent: bool = False,
                    commune_id=None, registered_on=None,
                    details: Mapping | None = None) -> CivilEvent:
    """Thay đổi, cải chính, bổ sung thông tin hộ tịch (Luật Hộ tịch 2014, Điều 26–29): one
    field of the person's record, its old and new values and the ground kept in the event's
    details; a new personal ID keeps the old one in the ID history (NĐ 70/2024, Điều 11.7)."""
    commune = registrar_commune(actor, commune_id)
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    day = _registered_on(registered_on, errors, today)
    if change_type not in CHANGE_TYPES:
        errors.setdefault("change_type", []).append(
            _("Choose one of: %(values)s.") % {"values": ", ".join(CHANGE_TYPES)})
    elif field not in CHANGE_FIELDS[change_type]:
        errors.setdefault("field", []).append(
            _("Choose one of: %(values)s.") % {"values": ", ".join(CHANGE_FIELDS[change_type])})
    ground = _text({"g": ground}, "g", "ground", errors, required=True)
    who = _record(actor, person, "person", errors)
    _check_errors(errors)
    value = _new_value(field, new_value, errors, today)
    _check_errors(errors)
    _alive(who, "person")
    if change_type == "change":
        _consent(who, field, day, parents_consent is True, person_consent is True)
    with transaction.atomic():
        who = _locked(who)
        _alive(who, "person")
        old = getattr(who, field)
        if change_type == "supplement" and old not in (None, ""):
            _fail("not_missing", _("A supplement adds data missing from the registration; this "
                                   "data is recorded — ask for a correction (Luật Hộ tịch 2014, "
                                   "Điều 26.1)."), "field")
        if change_type != "supplement" and old in (None, ""):
            _fail("not_recorded", _("This data is not recorded: ask for a supplement (Luật Hộ "
                                    "tịch 2014, Điều 26.1)."), "field")
        if old == value:
            _fail("no_change", _("The new value is the recorded one."), "new_value")
        setattr(who, field, value)
        who.save()
        event = write_event(actor=actor, kind=EventKind.CHANGE, commune=commune,
                            registered_on=day, event_date=day, late=False,
                            parties=[(PartyRole.PERSON, who)],
                            details={**dict(details or {}), "type": change_type,
                                     "field": field, "old": _shown(old), "new": _shown(value),
                                     "ground": ground})
        if field == "personal_id":
            PersonalIdChange.objects.create(person=who, old_id=old or "", new_id=value,
                                            changed_on=day, event=event, ground=ground)
        return event
