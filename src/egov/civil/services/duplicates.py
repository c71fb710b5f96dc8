"""Likely duplicates of a person about to be registered (issue 13, duplicate detection): the
registrar sees them before saving.

Candidates come from three blocks, each on an index, only in the communes the actor may read
(`civil.read`: commune isolation), so that a check stays a few small index scans however large
the registry (bench/bench_civil_duplicates.py: 1,000,000 persons):

1. born within ±NEAR_DAYS of the new person's date of birth (index on birth_date, migration
   0003_duplicates), or on the date with day and month swapped;
2. the same folded name, any date (index on name_folded) — the only block when no date is given;
3. the mother's other children (index on mother_id) — a second birth of one mother within 270
   days is the same birth entered twice.

Each candidate is scored by the pure rules of `civil.rules_names` (name parts with common
middle names ignorable, transposed names, one-letter slips, date window, sex, place, mother);
those at or above the threshold are returned best first. A check that names people is an audit
event (`civil.person.read`, purpose "duplicate_check", the ids only).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from egov.core import policy
from egov.core.audit import audit_log
from egov.core.errors import InvalidInput, PermissionDenied
from egov.core.search import fold

from .. import rules_names
from ..models import Person

READ = "civil.read"
# Rows read per block at most (a day of births in the busiest commune is far fewer; the cap
# bounds a supervisor's check over every commune).
BLOCK_MAX = 3000
NAME_BLOCK_MAX = 300
_FIELDS = ("id", "full_name", "name_folded", "sex", "birth_date", "birth_place", "mother_id")


@dataclass
class Duplicate:
    person: Person
    score: float
    reasons: list[str] = field(default_factory=list)


def _date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and len(value) == 10:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _text(value) -> str:
    return " ".join(value.split())[:300] if isinstance(value, str) else ""


def _swapped(day: dt.date) -> dt.date | None:
    if day.day > 12 or day.day == day.month:
        return None
    try:
        return day.replace(month=day.day, day=day.month)
    except ValueError:
        return None


def likely_duplicates(*, actor, spec: dict, mother=None, limit: int = 5) -> list:
    """The existing records (readable by `actor`) most likely to be the person `spec` (the
    fields of a new record, as register_birth takes them; `mother` the mother's Person if
    known), best first. Each item has .person, .score (0–1) and .reasons (list of str)."""
    spec = spec if isinstance(spec, dict) else {}
    new = {"full_name": _text(spec.get("full_name"))[:200], "sex": spec.get("sex") or None,
           "birth_date": _date(spec.get("birth_date")),
           "birth_place": _text(spec.get("birth_place")),
           "mother_id": getattr(mother, "pk", None)}
    folded = fold(new["full_name"])
    if not folded and new["mother_id"] is None:
        return []
    where = policy.unit_q(actor, READ, field="commune")
    if where is policy.NOTHING:
        raise PermissionDenied(_("You may not read civil-status records."))
    readable = Person.objects.filter(where)
    rows: dict[int, tuple] = {}

    def take(qs, cap: int) -> None:
        for row in qs.values_list(*_FIELDS)[:cap]:
            rows[row[0]] = row

    born = new["birth_date"]
    if born is not None:
        near = dt.timedelta(days=rules_names.NEAR_DAYS)
        take(readable.filter(birth_date__range=(born - near, born + near)), BLOCK_MAX)
        swapped = _swapped(born)
        if swapped is not None:
            take(readable.filter(birth_date=swapped), BLOCK_MAX)
    if folded:
        take(readable.filter(name_folded=folded).order_by("-id"), NAME_BLOCK_MAX)
    if new["mother_id"] is not None:
        take(readable.filter(mother_id=new["mother_id"]), NAME_BLOCK_MAX)

    found: list[tuple[float, int, list[str]]] = []
    name = rules_names.parse(folded)
    for pk, full_name, name_folded, sex, birth_date, birth_place, mother_id in rows.values():
        if (mother_id is None or mother_id != new["mother_id"]) \
                and not rules_names.may_match(name, rules_names.parse(name_folded)):
            continue
        m = rules_names.match(new, {"full_name": full_name, "sex": sex,
                                    "birth_date": birth_date, "birth_place": birth_place,
                                    "mother_id": mother_id})
        if m.likely:
            found.append((m.score, pk, m.reasons))
    found.sort(key=lambda f: (-f[0], -f[1]))
    found = found[:max(0, limit)]
    if not found:
        return []
    people = Person.objects.in_bulk([pk for _score, pk, _r in found])
    items = [Duplicate(people[pk], score, [_(r) for r in reasons])
             for score, pk, reasons in found if pk in people]
    audit_log(actor=actor, action="civil.person.read", object_type="civil.person",
              details={"purpose": "duplicate_check", "ids": [i.person.pk for i in items]})
    return items


def readable_mother(*, actor, mother_id: int) -> Person:
    """The mother's record for a check, if the actor may read it (else 422 on mother_id)."""
    mum = Person.objects.select_related("commune").filter(pk=mother_id).first()
    if mum is None or not policy.can(actor, READ, mum.commune):
        message = _("No such person in your registry.")
        raise InvalidInput(message, code="mother_unknown", fields={"mother_id": [message]})
    return mum
