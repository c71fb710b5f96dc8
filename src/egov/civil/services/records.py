"""Registering births, deaths and marriages (Luật Hộ tịch 60/2014/QH13; Luật Hôn nhân và gia
đình 52/2014/QH13): the checks of the law, each refusal with its code and the article it cites
(422), then the person records, the book's next entry number (numbering kernel, gapless per
book under concurrency) and an audit event — all in one transaction, or nothing.

A party is given either as an existing record the registrar may read (``{"id": …}``) or as the
fields of a new record (``{"full_name", "sex", "birth_date", "personal_id", …}``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core import fieldcheck, numbering, policy
from egov.core.audit import audit_log
from egov.core.errors import InvalidInput, PermissionDenied
from egov.core.models import OrgUnit

from .. import hooks, rules
from ..catalog import kind_rule
from ..models import (
    SUBJECT_ROLES,
    CivilEvent,
    EventKind,
    EventParty,
    OfficerIdentity,
    PartyRole,
    Person,
    RegistryBook,
    Sex,
)
from ..rules_dates import registration_date_refusal, registry_today
from . import fees
from . import foreign as foreign_parties

REGISTER = "civil.register"
READ = "civil.read"
NAME_MAX = 200
TEXT_MAX = 300


def _fail(code: str, message: str, field: str = "") -> None:
    raise InvalidInput(message, code=code, fields={field: [message]} if field else None)


def _date(value, field: str, errors: dict, *, required: bool = True) -> dt.date | None:
    if value in (None, ""):
        if required:
            errors.setdefault(field, []).append(_("Enter a date."))
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value)
    try:
        if len(text) != 10:
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        errors.setdefault(field, []).append(_("Enter a valid date (YYYY-MM-DD)."))
        return None


def _text(data: Mapping, name: str, field: str, errors: dict, *, required: bool = False,
          max_length: int = TEXT_MAX) -> str:
    """The kernel's text check (core.fieldcheck: text only, no bidi controls, the length), the
    inner spaces collapsed as the books write names."""
    return " ".join(fieldcheck.text(data.get(name), field, errors, required=required,
                                    max_length=max_length).split())


def registrar_commune(actor, commune_id) -> OrgUnit:
    """The commune in whose books the actor registers (`civil.register` there)."""
    commune = None
    if isinstance(commune_id, int) and not isinstance(commune_id, bool):
        commune = OrgUnit.objects.filter(pk=commune_id).first()
    elif commune_id is None:
        ids = policy.agencies_for(actor, REGISTER)
        commune = OrgUnit.objects.filter(pk=ids[0]).first() if len(ids) == 1 else None
        if commune is None:
            _fail("commune_required", _("Choose the commune whose books you register in."),
                  "commune_id")
    if commune is None or not policy.can(actor, REGISTER, commune):
        raise PermissionDenied(_("You may not register civil-status events in this commune."))
    return commune


def may_read(actor, person: Person) -> bool:
    return policy.can(actor, READ, person.commune)


def _existing(actor, spec: Mapping, field: str, errors: dict) -> Person | None:
    pk = spec.get("id")
    if isinstance(pk, bool) or not isinstance(pk, int):
        errors.setdefault(f"{field}.id", []).append(_("Give the id of a person record."))
        return None
    person = Person.objects.select_related("commune", "father", "mother").filter(pk=pk).first()
    if person is None or not may_read(actor, person):
        errors.setdefault(f"{field}.id", []).append(_("No such person in your registry."))
        return None
    return person


def _new(spec: Mapping, field: str, errors: dict, commune: OrgUnit, *,
         sex: str | None = None, today: dt.date) -> Person | None:
    before = sum(len(v) for v in errors.values())
    name = _text(spec, "full_name", f"{field}.full_name", errors, required=True,
                 max_length=NAME_MAX)
    given_sex = spec.get("sex", sex)
    if given_sex not in Sex.values:
        errors.setdefault(f"{field}.sex", []).append(
            _("Choose one of: %(values)s.") % {"values": ", ".join(Sex.values)})
    born = _date(spec.get("birth_date"), f"{field}.birth_date", errors, required=False)
    if born is not None and born > today:
        errors.setdefault(f"{field}.birth_date", []).append(
            _("The date of birth cannot be in the future."))
    pid = spec.get("personal_id")
    if pid in ("", None):
        pid = None
    elif not isinstance(pid, str) or rules.personal_id_refusal(pid) is not None:
        errors.setdefault(f"{field}.personal_id", []).append(
            rules.personal_id_refusal("").message)
        pid = None
    elif Person.objects.filter(personal_id=pid).exists():
        errors.setdefault(f"{field}.personal_id", []).append(
            _("Another person record has this personal ID."))
    extra = {key: _text(spec, key, f"{field}.{key}", errors)
             for key in ("birth_place", "hometown", "residence")}
    extra.update({key: _text(spec, key, f"{field}.{key}", errors, max_length=80)
                  for key in ("ethnicity", "nationality", "identity_document_country")})
    # A foreigner's passport or travel document (Luật Hộ tịch 2014, Điều 17.2); its issuing
    # country is the nationality unless given.
    extra["identity_document"] = _text(spec, "identity_document",
                                       f"{field}.identity_document", errors, max_length=100)
    if extra["identity_document"] and not extra["identity_document_country"] \
            and not foreign_parties.is_vietnamese(extra["nationality"]):
        extra["identity_document_country"] = extra["nationality"]
    if sum(len(v) for v in errors.values()) > before:
        return None
    extra = {k: v for k, v in extra.items() if v}
    return Person(full_name=name, sex=given_sex, birth_date=born, personal_id=pid,
                  commune=commune, **extra)


def _party(actor, spec, field: str, errors: dict, commune: OrgUnit, *, today: dt.date,
           sex: str | None = None, required: bool = True) -> Person | None:
    if spec is None:
        if required:
            errors.setdefault(field, []).append(_("This field is required."))
        return None
    if not isinstance(spec, Mapping):
        errors.setdefault(field, []).append(_("Give the person's record id or fields."))
        return None
    if "id" in spec:
        return _existing(actor, spec, field, errors)
    return _new(spec, field, errors, commune, sex=sex, today=today)


_check_errors = fieldcheck.fail


def _alive(person: Person, field: str, on: dt.date | None = None) -> None:
    """Luật Hộ tịch 60/2014, Điều 34.2 and 60: a registered death locks the record."""
    if person.pk is not None and person.death_date is not None \
            and (on is None or person.death_date < on):
        _fail("person_deceased", _("%(name)s is recorded as deceased: no new event can be "
                                   "registered for this person (Luật Hộ tịch 2014, Điều 34.2, "
                                   "60).") % {"name": person.full_name}, field)


def _book(commune: OrgUnit, kind: str, year: int, name: str) -> RegistryBook:
    """The open book of (commune, kind, year), made on first use (race-safe); `name` is the
    book's name in the kind's catalogue row."""
    open_books = (RegistryBook.objects.select_for_update()
                  .filter(commune=commune, kind=kind, year=year, closed_at__isnull=True)
                  .order_by("-number"))
    book = open_books.first()
    if book is not None:
        return book
    try:
        with transaction.atomic():
            return RegistryBook.objects.create(commune=commune, kind=kind, year=year, number=1,
                                               name=name)
    except IntegrityError:
        # Another registration made it meanwhile (it is committed now: the insert waited for
        # it), or the year's book exists and is closed. Ask again only now: asking "does a
        # book exist" before the insert could see another's new book as committed while
        # missing it as open, and call it closed.
        book = open_books.first()
    if book is None:
        # Luật Hộ tịch 2014, Điều 58: a book is closed at the end of its year.
        _fail("book_closed", _("The %(book)s of %(year)d is closed (Luật Hộ tịch 2014, "
                               "Điều 58).") % {"book": name, "year": year})
    return book


def check_registrar(actor, persons) -> None:
    """Luật Hộ tịch 2014, Điều 12.1.h: a registrar does not register their own event nor one of
    a relative ("người thân thích", Luật Hôn nhân và gia đình 2014, Điều 3.19 — see
    rules.relatives_among for whom it counts). The registrar's own record is the user's
    OfficerIdentity; without one nothing is known to refuse."""
    own = OfficerIdentity.objects.filter(user_id=actor.pk).values_list("person_id", flat=True)
    own = own.first()
    if own is None:
        return
    if rules.relatives_among(own, {p.pk for p in persons}):
        _fail("registrar_related", _("A registrar may not register their own event or a "
                                     "relative's: another registrar of the commune registers "
                                     "it (Luật Hộ tịch 2014, Điều 12.1.h)."))


def write_event(*, actor, kind: str, commune: OrgUnit, registered_on: dt.date, event_date,
                late: bool, parties: list[tuple[str, Person]], details: dict,
                rule=None, foreign_element: bool = False) -> CivilEvent:
    """Write the event in its book (inside the caller's transaction, the parties saved): the
    registrar check, the book's next entry number, the parties, an audit event (ids only) and
    the subscribers (hooks). `rule` is the kind's catalogue row (read here when not given: its
    foreign-element variant for an event with a foreign element — the same book, Điều 58)."""
    check_registrar(actor, [p for _role, p in parties])
    rule = rule or kind_rule(kind, registered_on, foreign=foreign_element)
    book = _book(commune, kind, registered_on.year, rule.book_name)
    # Luật Hộ tịch 2014, Điều 58: one book per kind of event; Số / Quyển số on the certificate.
    number = numbering.sequence_next(scope=book.sequence_scope, series="entry",
                                     year=book.year)
    subjects = [p.sex for role, p in parties if role in SUBJECT_ROLES]
    event = CivilEvent.objects.create(kind=kind, commune=commune, book=book,
                                      entry_number=number, registered_on=registered_on,
                                      event_date=event_date, late=late, registrar=actor,
                                      details=details, foreign_element=foreign_element,
                                      subjects_male=subjects.count(Sex.MALE),
                                      subjects_female=subjects.count(Sex.FEMALE))
    EventParty.objects.bulk_create([EventParty(event=event, person=p, role=role)
                                    for role, p in parties])
    facts = {"kind": kind, "book": book.pk, "entry": number,
             "persons": [p.pk for _role, p in parties]}
    if foreign_element:
        facts["foreign_element"] = True
    fees.record_event_fee(event)  # Luật Hộ tịch 2014, Điều 11 (services/fees.py)
    audit_log(actor=actor, action="civil.register", obj=event, details=facts)
    hooks.event_registered(event=event)
    return event


def _late(event_date: dt.date, rule, day: dt.date) -> bool:
    return rule.duty_days is not None and event_date + dt.timedelta(days=rule.duty_days) < day


def _details(details: Mapping | None, reregistration: Mapping | None) -> dict:
    out = dict(details or {})
    if reregistration:
        out["reregistration"] = {k: v.isoformat() if isinstance(v, dt.date) else v
                                 for k, v in reregistration.items()}
    return out


def _registered_on(value, errors: dict, today: dt.date) -> dt.date:
    """The registration date, today by default; bounded by rules_dates (Luật Hộ tịch 2014,
    Điều 58): 422 `registered_on_out_of_range` by the field."""
    day = _date(value, "registered_on", errors, required=False) or registry_today(today)
    refusal = registration_date_refusal(day, today)
    if refusal is not None:
        _fail(refusal.code, refusal.message, refusal.field)
    return day


# --- births -----------------------------------------------------------------------------------


def register_birth(*, actor, child: Mapping, mother=None, father=None, commune_id=None,
                   registered_on=None, details: Mapping | None = None,
                   reregistration: Mapping | None = None) -> CivilEvent:
    """Khai sinh (Luật Hộ tịch 2014, Điều 13–16): a new record for the child, linked to its
    parents (existing records or new ones); late when registered more than 60 days after the
    birth (Điều 15.1)."""
    commune = registrar_commune(actor, commune_id)
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    day = _registered_on(registered_on, errors, today)
    if not isinstance(child, Mapping) or "id" in child:
        _fail("child_new", _("A birth registration makes the child's record: give its fields, "
                             "not an id."), "child")
    kid = _new(child, "child", errors, commune, today=today)
    if kid is not None and kid.birth_date is None:
        errors.setdefault("child.birth_date", []).append(_("Enter a date."))
    mum = _party(actor, mother, "mother", errors, commune, today=today, sex=Sex.FEMALE,
                 required=False)
    dad = _party(actor, father, "father", errors, commune, today=today, sex=Sex.MALE,
                 required=False)
    _check_errors(errors)
    if kid.birth_date > day:
        _fail("birth_after_registration", _("The birth cannot be after the registration "
                                            "date."), "child.birth_date")
    for role, parent in (("mother", mum), ("father", dad)):
        if parent is not None and parent.sex != (Sex.FEMALE if role == "mother" else Sex.MALE):
            _fail("parent_sex", _("The mother is a woman and the father a man in the birth "
                                  "register (Luật Hộ tịch 2014, Điều 14)."), role)
        if parent is not None and parent.birth_date and parent.birth_date >= kid.birth_date:
            _fail("parent_younger", _("A parent is born before the child."),
                  f"{role}.birth_date")
    rule = kind_rule(EventKind.BIRTH, day)
    # Luật Hộ tịch 2014, Điều 15.1: within 60 days (the catalogue's duty period); a
    # re-registration (NĐ 123/2015, Điều 24) is never late.
    late = not reregistration and _late(kid.birth_date, rule, day)
    with transaction.atomic():
        for p in (mum, dad):
            if p is not None and p.pk is None:
                p.save()
        kid.mother, kid.father = mum, dad
        kid.save()
        parties = [(PartyRole.CHILD, kid)] + [(r, p) for r, p in ((PartyRole.MOTHER, mum),
                                                                   (PartyRole.FATHER, dad)) if p]
        return write_event(actor=actor, kind=EventKind.BIRTH, commune=commune,
                           registered_on=day,
                           event_date=kid.birth_date, late=late, parties=parties,
                           details=_details(details, reregistration), rule=rule)


# --- deaths -----------------------------------------------------------------------------------


def register_death(*, actor, person: Mapping, death_date, commune_id=None, registered_on=None,
                   details: Mapping | None = None,
                   reregistration: Mapping | None = None) -> CivilEvent:
    """Khai tử (Luật Hộ tịch 2014, Điều 32–34): the record is locked against new events
    (Điều 34.2, 60); late when registered more than 15 days after the death (Điều 33.1)."""
    commune = registrar_commune(actor, commune_id)
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    day = _registered_on(registered_on, errors, today)
    died = _date(death_date, "death_date", errors)
    who = _party(actor, person, "person", errors, commune, today=today)
    _check_errors(errors)
    _alive(who, "person")
    if died > day:
        _fail("death_after_registration", _("The death cannot be after the registration "
                                            "date."), "death_date")
    if who.birth_date and died < who.birth_date:
        _fail("death_before_birth", _("The death cannot be before the birth."), "death_date")
    rule = kind_rule(EventKind.DEATH, day)
    # Luật Hộ tịch 2014, Điều 33.1: within 15 days (the catalogue's duty period).
    late = not reregistration and _late(died, rule, day)
    with transaction.atomic():
        if who.pk is not None:
            who = Person.objects.select_for_update().get(pk=who.pk)
            _alive(who, "person")  # a death registered meanwhile
        who.death_date = died
        who.save()
        end_marriage_by_death(who)
        return write_event(actor=actor, kind=EventKind.DEATH, commune=commune,
                           registered_on=day, event_date=died, late=late,
                           parties=[(PartyRole.DECEASED, who)],
                           details=_details(details, reregistration), rule=rule)


def end_marriage_by_death(person: Person) -> None:
    """Luật Hôn nhân và gia đình 2014, Điều 65: a marriage ends when a spouse dies (or from the
    day a court's declaration of death takes effect): the survivor is no longer married and may
    marry again; the deceased's record keeps the link as it was at death."""
    if person.spouse_id is not None:
        Person.objects.filter(pk=person.spouse_id, spouse_id=person.pk).update(spouse=None)


# --- marriages --------------------------------------------------------------------------------


def register_marriage(*, actor, husband: Mapping, wife: Mapping, commune_id=None,
                      registered_on=None, both_present: bool = True,
                      details: Mapping | None = None,
                      reregistration: Mapping | None = None,
                      foreign_element: bool = False) -> CivilEvent:
    """Kết hôn (Luật Hộ tịch 2014, Điều 17–18; Luật Hôn nhân và gia đình 2014, Điều 5, 8), with
    a foreign party too (`foreign_element`, or a party's nationality: services/foreign.py —
    Luật Hôn nhân và gia đình 2014, Điều 126; Luật Hộ tịch 2014, Điều 37–38)."""
    commune = registrar_commune(actor, commune_id)
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    day = _registered_on(registered_on, errors, today)
    man = _party(actor, husband, "husband", errors, commune, today=today, sex=Sex.MALE)
    woman = _party(actor, wife, "wife", errors, commune, today=today, sex=Sex.FEMALE)
    _check_errors(errors)
    foreign = foreign_parties.check_parties(
        [("husband", man, husband), ("wife", woman, wife)], foreign_element)
    # A re-registered marriage (NĐ 123/2015, Điều 24, 27) is checked on its original date.
    married_on = day
    if reregistration and isinstance(reregistration.get("original_date"), dt.date):
        married_on = reregistration["original_date"]
    try:
        marriage_conditions(man, woman, both_present, married_on)
    except InvalidInput as err:
        # Luật Hôn nhân và gia đình 2014, Điều 126.1: registered in Việt Nam, the foreign party
        # also meets the conditions of Vietnamese law — the same checks, the article cited.
        if not foreign:
            raise
        raise foreign_parties.cite_article_126(err) from None
    with transaction.atomic():
        for field, party in (("husband", man), ("wife", woman)):
            if party.pk is not None:
                fresh = Person.objects.select_for_update().get(pk=party.pk)
                if fresh.spouse_id is not None:  # married meanwhile
                    _fail("already_married", _("%(name)s is married according to the "
                                               "registry.") % {"name": fresh.full_name}, field)
        link_spouses(man, woman)
        return write_event(actor=actor, kind=EventKind.MARRIAGE, commune=commune,
                           registered_on=day, event_date=married_on, late=False,
                           parties=[(PartyRole.HUSBAND, man), (PartyRole.WIFE, woman)],
                           details=_details(details, reregistration),
                           foreign_element=foreign)


def link_spouses(man: Person, woman: Person) -> None:
    """Save the new records of a marriage's parties and link each to the other as spouse (in the
    caller's transaction, after its checks)."""
    for party in (man, woman):
        if party.pk is None:
            party.save()
    Person.objects.filter(pk=man.pk).update(spouse=woman)
    Person.objects.filter(pk=woman.pk).update(spouse=man)
    man.spouse, woman.spouse = woman, man


def marriage_conditions(man: Person, woman: Person, both_present, married_on: dt.date, *,
                        married_checked_here: bool = True) -> None:
    """The conditions of a marriage (Luật Hôn nhân và gia đình 2014, Điều 5, 8; Luật Hộ tịch
    2014, Điều 18.2), each refusal a 422 citing its article. A caller that checks the parties'
    present marriages itself, on their locked rows, passes `married_checked_here=False`."""
    if both_present is not True:
        # Luật Hộ tịch 2014, Điều 18.2: both parties present at the registration.
        _fail("parties_absent", _("Both parties must be present to register a marriage (Luật "
                                  "Hộ tịch 2014, Điều 18.2)."), "both_present")
    if man.pk is not None and man.pk == woman.pk:
        _fail("same_person", _("The husband and the wife are two persons."), "wife")
    for field, party, sex in (("husband", man, Sex.MALE), ("wife", woman, Sex.FEMALE)):
        if party.sex != sex:
            _fail("same_sex", _("The law recognises the marriage of a man and a woman (Luật Hôn "
                                "nhân và gia đình 2014, Điều 8.2)."), f"{field}.sex")
        _alive(party, field)
        refusal = rules.marriage_age_refusal(sex, party.birth_date, married_on)
        if refusal is not None:
            _fail(refusal.code, refusal.message, f"{field}.birth_date")
        if married_checked_here and party.pk is not None and party.spouse_id is not None:
            _fail("already_married", _("%(name)s is married according to the registry: marrying "
                                       "a married person is prohibited (Luật Hôn nhân và gia "
                                       "đình 2014, Điều 5.2.c).") % {"name": party.full_name},
                  field)
    refusal = rules.relation_refusal(man, woman)
    if refusal is not None:
        _fail(refusal.code, refusal.message, "wife")
