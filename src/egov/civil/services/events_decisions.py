"""Decisions on marriages and parentage noted in the books (ghi vào Sổ hộ tịch, Luật Hộ tịch
60/2014, Điều 3.2–3.3 and 30: the court or authority notifies the registry within 05 working
days of its decision taking effect): the annulment of an unlawful marriage, the termination of
an adoption, the court's determination of parentage, and the marriage or the divorce/annulment
of a Vietnamese citizen done abroad. The person's status decisions (nationality, gender,
missing, capacity, the cancelled declaration of death) are in `events_status`.

Each checks the decision against the registry (a contradiction is a 422 citing the article),
applies it to the person records and writes it in its book through `records.write_event` — one
transaction, or nothing. The decision noted is stored as for a divorce or an adoption: the
authority, its number and the date it took effect (`events_notes._decision`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core.policy import unit_q

from .. import rules
from ..models import CivilEvent, EventKind, EventParty, PartyRole, Person, Sex
from .events import _locked, _record
from .events_notes import _decision
from .records import (
    READ,
    _alive,
    _check_errors,
    _fail,
    _party,
    _registered_on,
    _text,
    link_spouses,
    marriage_conditions,
    registrar_commune,
    write_event,
)

__all__ = ["adoptive_parents", "note_abroad_divorce", "note_abroad_marriage",
           "note_adoption_end", "note_annulment", "note_parentage"]

MARRIAGES = (EventKind.MARRIAGE, EventKind.ABROAD_MARRIAGE)


def begin(actor, commune_id, registered_on, authority, decision_number, decision_date):
    """(commune, today, registration day, errors, decision) of a noted decision."""
    commune = registrar_commune(actor, commune_id)
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    day = _registered_on(registered_on, errors, today)
    decision = _decision(authority, decision_number, decision_date, errors, day)
    return commune, today, day, errors, decision


def decided_on(decision: dict) -> dt.date:
    return dt.date.fromisoformat(decision["decision_date"])


def _id(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _marriage_between(man: Person, woman: Person) -> int | None:
    """The last marriage event of these two in the registry (its id), or None."""
    return (EventParty.objects.filter(person=man, role=PartyRole.HUSBAND,
                                      event__kind__in=MARRIAGES, event__parties__person=woman)
            .order_by("-event_id").values_list("event_id", flat=True).first())


# --- annulment of an unlawful marriage --------------------------------------------------------


def note_annulment(*, actor, husband: Mapping, wife: Mapping, authority: str,
                   decision_number: str, decision_date, marriage_event_id=None,
                   commune_id=None, registered_on=None,
                   details: Mapping | None = None) -> CivilEvent:
    """Ghi vào Sổ việc hủy việc kết hôn trái pháp luật (Luật Hộ tịch 2014, Điều 3.2; Luật Hôn
    nhân và gia đình 2014, Điều 11–12: the court annuls the marriage and the parties end their
    relation as husband and wife): both spouses' links are cleared as by a divorce. The marriage
    is the one named (`marriage_event_id`, a marriage of these two in the registry) or the two
    persons' recorded marriage."""
    commune, _today, day, errors, decision = begin(actor, commune_id, registered_on, authority,
                                                   decision_number, decision_date)
    man = _record(actor, husband, "husband", errors)
    woman = _record(actor, wife, "wife", errors)
    marriage = None
    if marriage_event_id is not None:
        pk = _id(marriage_event_id)
        marriage = pk and (CivilEvent.objects.filter(unit_q(actor, READ, field="commune"))
                           .filter(pk=pk, kind__in=MARRIAGES).first())
        if marriage and man and woman:
            persons = dict(marriage.parties.values_list("role", "person_id"))
            if persons.get(PartyRole.HUSBAND) != man.pk or persons.get(PartyRole.WIFE) != woman.pk:
                marriage = None
        if not marriage and not errors:
            _fail("marriage_not_found", _("The registry has no such marriage of these two "
                                          "persons: the annulment cannot be noted against it "
                                          "(Luật Hôn nhân và gia đình 2014, Điều 11; Luật Hộ "
                                          "tịch 2014, Điều 3.2)."), "marriage_event_id")
    _check_errors(errors)
    if man.pk == woman.pk:
        _fail("same_person", _("The husband and the wife are two persons."), "wife")
    _alive(man, "husband")
    _alive(woman, "wife")
    with transaction.atomic():
        man, woman = _locked(man), _locked(woman)
        linked = man.spouse_id == woman.pk and woman.spouse_id == man.pk
        if marriage is None and not linked:
            _fail("not_spouses", _("The registry does not record these two persons as married "
                                   "to each other: name the marriage annulled (Luật Hôn nhân và "
                                   "gia đình 2014, Điều 11)."), "wife")
        if linked:
            Person.objects.filter(pk__in=(man.pk, woman.pk)).update(spouse=None)
            man.spouse = woman.spouse = None
        return write_event(actor=actor, kind=EventKind.ANNULMENT, commune=commune,
                           registered_on=day, event_date=decided_on(decision), late=False,
                           parties=[(PartyRole.HUSBAND, man), (PartyRole.WIFE, woman)],
                           details={**dict(details or {}), **decision,
                                    "marriage_event": marriage.pk if marriage
                                    else _marriage_between(man, woman),
                                    "spouses_unlinked": linked})


# --- a marriage done abroad -------------------------------------------------------------------


def _country(value, errors: dict) -> str:
    return _text({"v": value}, "v", "country", errors, required=True, max_length=80)


def note_abroad_marriage(*, actor, husband: Mapping, wife: Mapping, country: str,
                         authority: str, decision_number: str, decision_date, commune_id=None,
                         registered_on=None, details: Mapping | None = None) -> CivilEvent:
    """Ghi vào Sổ hộ tịch việc kết hôn đã giải quyết ở nước ngoài (Luật Hộ tịch 2014, Điều 3.3;
    05 working days, up to 08 with verification — NĐ 120/2025, Phụ lục mục I.1.d): the foreign
    authority's marriage (`authority`, the certificate's number, `decision_date` = the day of
    the marriage) links the spouses. Refused when it broke the conditions of Luật Hôn nhân và
    gia đình 2014 on that day (ages Điều 8.1.a, a man and a woman Điều 8.2, a married person or
    relatives Điều 5.2.c–d). A party is a record or a new one (a foreign spouse)."""
    commune, today, day, errors, decision = begin(actor, commune_id, registered_on, authority,
                                                  decision_number, decision_date)
    place = _country(country, errors)
    man = _party(actor, husband, "husband", errors, commune, today=today, sex=Sex.MALE)
    woman = _party(actor, wife, "wife", errors, commune, today=today, sex=Sex.FEMALE)
    _check_errors(errors)
    married_on = decided_on(decision)
    # The conditions on the day of the marriage; the present marriages below, on locked rows.
    marriage_conditions(man, woman, True, married_on, married_checked_here=False)
    with transaction.atomic():
        for field, party, other in (("husband", man, woman), ("wife", woman, man)):
            if party.pk is None:
                continue
            fresh = _locked(party)
            if fresh.spouse_id is not None and fresh.spouse_id == other.pk:
                _fail("marriage_recorded", _("The registry already records this marriage (Luật "
                                             "Hộ tịch 2014, Điều 3.3)."), field)
            if fresh.spouse_id is not None:
                _fail("already_married", _("%(name)s is married according to the registry: "
                                           "marrying a married person is prohibited (Luật Hôn "
                                           "nhân và gia đình 2014, Điều 5.2.c).")
                      % {"name": fresh.full_name}, field)
        link_spouses(man, woman)
        return write_event(actor=actor, kind=EventKind.ABROAD_MARRIAGE, commune=commune,
                           registered_on=day, event_date=married_on, late=False,
                           parties=[(PartyRole.HUSBAND, man), (PartyRole.WIFE, woman)],
                           details={**dict(details or {}), **decision, "country": place})


# --- a divorce or an annulment done abroad ----------------------------------------------------

DISSOLUTIONS = ("divorce", "annulment")


def note_abroad_divorce(*, actor, husband: Mapping, wife: Mapping, country: str,
                        authority: str, decision_number: str, decision_date,
                        dissolution: str = "divorce", commune_id=None, registered_on=None,
                        details: Mapping | None = None) -> CivilEvent:
    """Ghi vào Sổ hộ tịch việc ly hôn, hủy việc kết hôn đã giải quyết ở nước ngoài (Luật Hộ
    tịch 2014, Điều 3.3; NĐ 120/2025, Phụ lục mục I.1.d): as a divorce noted, the spouses'
    links are cleared when the registry links them. Refused when the registry records either
    as married to a third person (no marriage of these two to end, Luật Hôn nhân và gia đình
    2014, Điều 57). A party is a record or a new one (a foreign spouse)."""
    commune, today, day, errors, decision = begin(actor, commune_id, registered_on, authority,
                                                  decision_number, decision_date)
    place = _country(country, errors)
    if dissolution not in DISSOLUTIONS:
        errors.setdefault("dissolution", []).append(
            _("Choose one of: %(values)s.") % {"values": ", ".join(DISSOLUTIONS)})
    man = _party(actor, husband, "husband", errors, commune, today=today, sex=Sex.MALE)
    woman = _party(actor, wife, "wife", errors, commune, today=today, sex=Sex.FEMALE)
    _check_errors(errors)
    if man.pk is not None and man.pk == woman.pk:
        _fail("same_person", _("The husband and the wife are two persons."), "wife")
    _alive(man, "husband")
    _alive(woman, "wife")
    with transaction.atomic():
        linked = False
        for field, party, other in (("husband", man, woman), ("wife", woman, man)):
            if party.pk is None:
                continue
            fresh = _locked(party)
            if fresh.spouse_id is not None and fresh.spouse_id != other.pk:
                _fail("not_spouses", _("The registry records %(name)s as married to another "
                                       "person: there is no marriage of these two to end (Luật "
                                       "Hôn nhân và gia đình 2014, Điều 57).")
                      % {"name": fresh.full_name}, field)
            linked = linked or fresh.spouse_id is not None
        for party in (man, woman):
            if party.pk is None:
                party.save()
        if linked:
            Person.objects.filter(pk__in=(man.pk, woman.pk)).update(spouse=None)
            man.spouse = woman.spouse = None
        return write_event(actor=actor, kind=EventKind.ABROAD_DIVORCE, commune=commune,
                           registered_on=day, event_date=decided_on(decision), late=False,
                           parties=[(PartyRole.HUSBAND, man), (PartyRole.WIFE, woman)],
                           details={**dict(details or {}), **decision, "country": place,
                                    "dissolution": dissolution,
                                    "marriage_event": _marriage_between(man, woman),
                                    "spouses_unlinked": linked})


# --- termination of an adoption ---------------------------------------------------------------


def _open_adoptions(child: Person):
    """The adoptions of the child noted and not ended, newest first."""
    ended = [pk for pk in CivilEvent.objects.filter(kind=EventKind.ADOPTION_END,
                                                    parties__person=child)
             .values_list("details__adoption_event", flat=True) if pk is not None]
    return (CivilEvent.objects.filter(kind=EventKind.ADOPTION, parties__person=child,
                                      parties__role=PartyRole.CHILD)
            .exclude(pk__in=ended).order_by("-pk"))


def adoptive_parents(child: Person) -> list[tuple[str, Person]]:
    """(role, person) of the child's adoptive parents in force: those of the adoptions noted
    and not ended (Luật Nuôi con nuôi 2010, Điều 27: the termination ends the relation; the
    marriage between former adoptive parent and child stays prohibited, Luật Hôn nhân và gia
    đình 2014, Điều 5.2.d — `rules.relation_refusal` reads every adoption noted)."""
    adopters = (EventParty.objects.filter(event__in=_open_adoptions(child))
                .exclude(role=PartyRole.CHILD).select_related("person").order_by("pk"))
    return [(p.role, p.person) for p in adopters]


def note_adoption_end(*, actor, child: Mapping, authority: str, decision_number: str,
                      decision_date, adoption_event_id=None, ground: str = "",
                      commune_id=None, registered_on=None,
                      details: Mapping | None = None) -> CivilEvent:
    """Ghi vào Sổ việc chấm dứt nuôi con nuôi (Luật Hộ tịch 2014, Điều 3.2; Luật Nuôi con nuôi
    2010, Điều 25–27: the court's decision on the grounds of Điều 25): the adoption named (or
    the child's one adoption in force) ends — its adoptive parents are no longer the child's
    (`adoptive_parents`); the event names the adoption and its parties."""
    commune, _today, day, errors, decision = begin(actor, commune_id, registered_on, authority,
                                                   decision_number, decision_date)
    kid = _record(actor, child, "child", errors)
    ground = _text({"g": ground}, "g", "ground", errors)
    if adoption_event_id is not None and _id(adoption_event_id) is None:
        errors.setdefault("adoption_event_id", []).append(_("Give the id of an event."))
    _check_errors(errors)
    _alive(kid, "child")
    with transaction.atomic():
        kid = _locked(kid)  # one termination of the child's adoptions at a time
        adoptions = _open_adoptions(kid)
        if adoption_event_id is not None:
            adoptions = adoptions.filter(pk=adoption_event_id)
        adoption = adoptions.first()
        if adoption is None:
            _fail("no_adoption", _("The registry has no adoption of this child in force to end "
                                   "(Luật Nuôi con nuôi 2010, Điều 25, 26; Luật Hộ tịch 2014, "
                                   "Điều 3.2)."),
                  "adoption_event_id" if adoption_event_id is not None else "child")
        if adoption.event_date and decided_on(decision) < adoption.event_date:
            _fail("end_before_start", _("The termination cannot take effect before the "
                                        "adoption (Luật Nuôi con nuôi 2010, Điều 26)."),
                  "decision_date")
        adopters = [(p.role, p.person) for p in adoption.parties.select_related("person")
                    .exclude(role=PartyRole.CHILD).order_by("pk")]
        return write_event(actor=actor, kind=EventKind.ADOPTION_END, commune=commune,
                           registered_on=day, event_date=decided_on(decision), late=False,
                           parties=[(PartyRole.CHILD, kid), *adopters],
                           details={**dict(details or {}), **decision,
                                    "adoption_event": adoption.pk, "ground": ground})


# --- the court's determination of parentage ---------------------------------------------------

FINDINGS = ("parent", "not_parent")


def note_parentage(*, actor, child: Mapping, parent: Mapping, role: str, authority: str,
                   decision_number: str, decision_date, finding: str = "parent",
                   commune_id=None, registered_on=None,
                   details: Mapping | None = None) -> CivilEvent:
    """Ghi vào Sổ việc xác định cha, mẹ, con (Luật Hộ tịch 2014, Điều 3.2; Luật Hôn nhân và gia
    đình 2014, Điều 88–89, 101–102: the court decides a dispute over parentage). `finding`
    "parent": the person is the child's father or mother — set, replacing whom the registry
    named (kept in the details); "not_parent": the person the registry names is not — cleared.
    Possible when the child or the parent has died, not when both have (Điều 90–91)."""
    commune, today, day, errors, decision = begin(actor, commune_id, registered_on, authority,
                                                  decision_number, decision_date)
    if role not in (PartyRole.FATHER, PartyRole.MOTHER):
        errors.setdefault("role", []).append(_("Choose one of: %(values)s.")
                                             % {"values": "father, mother"})
    if finding not in FINDINGS:
        errors.setdefault("finding", []).append(
            _("Choose one of: %(values)s.") % {"values": ", ".join(FINDINGS)})
    kid = _record(actor, child, "child", errors)
    sex = Sex.MALE if role == PartyRole.FATHER else Sex.FEMALE
    if finding == "not_parent":
        who = _record(actor, parent, "parent", errors)
    else:
        who = _party(actor, parent, "parent", errors, commune, today=today, sex=sex)
    _check_errors(errors)
    if who.pk is not None and who.pk == kid.pk:
        _fail("same_person", _("The parent and the child are two persons."), "parent")
    if kid.death_date is not None and who.death_date is not None:
        _fail("person_deceased", _("The child and the parent are both recorded as deceased: "
                                   "the decision cannot be noted (Luật Hôn nhân và gia đình "
                                   "2014, Điều 90, 91)."), "child")
    if finding == "parent":
        if who.sex != sex:
            _fail("parent_sex", _("A father is a man and a mother a woman (Luật Hôn nhân và gia "
                                  "đình 2014, Điều 88)."), "parent.sex")
        if who.birth_date and kid.birth_date and who.birth_date >= kid.birth_date:
            _fail("parent_younger", _("A parent is born before the child."), "parent.birth_date")
        if who.pk is not None and kid.pk in rules.ancestors(who, 30):
            _fail("parent_younger", _("The person named as parent descends from the child in "
                                      "the registry."), "parent")
    with transaction.atomic():
        kid = _locked(kid)
        recorded = getattr(kid, f"{role}_id")
        if finding == "parent" and who.pk is not None and recorded == who.pk:
            _fail("no_change", _("The registry already names this person as the child's "
                                 "%(role)s.") % {"role": PartyRole(role).label.lower()}, "parent")
        if finding == "not_parent" and recorded != who.pk:
            _fail("not_recorded_parent", _("The registry does not name this person as the "
                                           "child's %(role)s: there is nothing to clear (Luật Hôn "
                                           "nhân và gia đình 2014, Điều 89, 101).")
                  % {"role": PartyRole(role).label.lower()}, "parent")
        if who.pk is None:
            who.save()
        setattr(kid, f"{role}_id", who.pk if finding == "parent" else None)
        kid.save(update_fields=[role, "updated_at"])
        return write_event(actor=actor, kind=EventKind.PARENTAGE, commune=commune,
                           registered_on=day, event_date=decided_on(decision), late=False,
                           parties=[(PartyRole.CHILD, kid), (role, who)],
                           details={**dict(details or {}), **decision, "role": role,
                                    "finding": finding, "replaced": recorded
                                    if finding == "parent" else None})
