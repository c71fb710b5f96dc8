"""The law's conditions: ages and the personal ID's form (pure functions), the family relations
that forbid a marriage or bar a registrar (a bounded number of queries on the links). Each failure carries a code and a message citing the
article (services.md §3.5, §3.7)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

# Luật Hôn nhân và gia đình 52/2014/QH13, Điều 8.1.a: nam từ đủ 20 tuổi, nữ từ đủ 18 tuổi.
MARRIAGE_AGE = {"male": 20, "female": 18}

_TWELVE_DIGITS = re.compile(r"^[0-9]{12}$")
# TT 59/2021/TT-BCA: the 63 pre-2025 provinces' codes (services.md §3.7), for a soft warning.
PROVINCE_CODES = frozenset(
    "001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033 034 "
    "035 036 037 038 040 042 044 045 046 048 049 051 052 054 056 058 060 062 064 066 067 068 "
    "070 072 074 075 077 079 080 082 083 084 086 087 089 091 092 093 094 095 096".split())


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str
    field: str = ""


def full_years(born: dt.date, on: dt.date) -> int:
    """Age in full years on `on` (a birthday on 29 February counts from 1 March)."""
    years = on.year - born.year
    if (on.month, on.day) < (born.month, born.day):
        years -= 1
    return years


def personal_id_refusal(value: str) -> Refusal | None:
    """Strictly 12 digits (Luật Căn cước 26/2023/QH15, Điều 12.1); nothing else is checked
    hard: the structure is only a warning (`personal_id_warnings`)."""
    if not _TWELVE_DIGITS.match(value or ""):
        return Refusal("personal_id", _("The personal ID has exactly 12 digits (Luật Căn cước "
                                        "2023, Điều 12)."), "personal_id")
    return None


def personal_id_warnings(value: str, *, sex: str = "", birth_date: dt.date | None = None
                         ) -> list[str]:
    """What looks wrong in a well-formed ID, as warnings only: its encoding rules are not
    guaranteed by the law any more, and a citizen keeps a number with wrong digits unless they
    ask for a new one (NĐ 70/2024, Điều 11.7–11.8)."""
    if personal_id_refusal(value) is not None:
        return []
    warnings = []
    if value[:3] not in PROVINCE_CODES:
        warnings.append(_("The first three digits are not a known province code."))
    digit = int(value[3])
    if birth_date is not None:
        century = 1900 + 100 * (digit // 2)
        if not century <= birth_date.year < century + 100 \
                or value[4:6] != f"{birth_date.year % 100:02d}":
            warnings.append(_("Digits 4–6 do not match the year of birth."))
    if sex and ("male" if digit % 2 == 0 else "female") != sex:
        warnings.append(_("The fourth digit does not match the sex."))
    return warnings


def marriage_age_refusal(sex: str, born: dt.date | None, on: dt.date) -> Refusal | None:
    if born is None:
        return Refusal("birth_date_missing", _("The date of birth of each party is needed to "
                                               "check the marriage age."), "birth_date")
    if full_years(born, on) < MARRIAGE_AGE[sex]:
        if sex == "male":
            message = _("A man may marry from full 20 years of age on the registration date "
                        "(Luật Hôn nhân và gia đình 2014, Điều 8.1.a).")
        else:
            message = _("A woman may marry from full 18 years of age on the registration date "
                        "(Luật Hôn nhân và gia đình 2014, Điều 8.1.a).")
        return Refusal("under_age", message, "birth_date")
    return None


# The links one query reads: three generations above each person (1 = parents).
_GENERATIONS = [(1, "father"), (1, "mother")]
_GENERATIONS += [(2, f"{a}__{b}") for a in ("father", "mother") for b in ("father", "mother")]
_GENERATIONS += [(3, f"{path}__{c}") for g, path in _GENERATIONS if g == 2
                 for c in ("father", "mother")]


def ancestors_many(ids, depth: int) -> dict[int, dict[int, int]]:
    """{start id: {ancestor id: generations up}} of the known ancestors of several persons up to
    `depth` generations, through the father and mother links: one query reads three
    generations of every person asked (joins by id), so `depth` 30 costs at most 10 queries and
    usually one or two (it stops when no ancestor is known further up)."""
    from .models import Person

    found: dict[int, dict[int, int]] = {pk: {} for pk in ids}
    frontier: dict[int, list[tuple[int, int]]] = {pk: [(pk, 0)] for pk in found}
    paths = [path for _g, path in _GENERATIONS]
    while frontier:
        nxt: dict[int, list[tuple[int, int]]] = {}
        for row in Person.objects.filter(pk__in=list(frontier)).values("pk", *paths):
            for start, base in frontier[row["pk"]]:
                for gen, path in _GENERATIONS:
                    pk, up = row[path], base + gen
                    if pk is None or pk == start or up > depth:
                        continue
                    if found[start].get(pk, depth + 1) > up:
                        found[start][pk] = up
                        if gen == 3 and up < depth:
                            nxt.setdefault(pk, []).append((start, up))
        frontier = nxt
    return found


def ancestors(person, depth: int) -> dict[int, int]:
    """{person id: generations up} of the person's known ancestors up to `depth` generations
    (1 = parents)."""
    if person.pk is None:
        return {}
    return ancestors_many([person.pk], depth)[person.pk]


def _adoptive_pairs(ids) -> set[frozenset]:
    """The pairs {adoptive parent, child} among `ids` the registry has noted (one query)."""
    from .models import EventKind, EventParty, PartyRole

    rows = (EventParty.objects.filter(event__kind=EventKind.ADOPTION, person_id__in=list(ids))
            .values_list("event_id", "person_id", "role"))
    by_event: dict[int, list[tuple[int, str]]] = {}
    for event_id, pk, role in rows:
        by_event.setdefault(event_id, []).append((pk, role))
    pairs = set()
    for parties in by_event.values():
        children = [pk for pk, role in parties if role == PartyRole.CHILD]
        for pk, role in parties:
            if role != PartyRole.CHILD:
                pairs.update(frozenset((pk, child)) for child in children)
    return pairs


def relation_refusal(a, b) -> Refusal | None:
    """Luật Hôn nhân và gia đình 2014, Điều 5.2.d: no marriage in the direct blood line or
    between relatives within three generations (a common ancestor at most two generations
    above either: siblings share parents, first cousins grandparents — Điều 3.18, 3.19), nor
    between an adoptive parent and the adopted child."""
    if a.pk is None or b.pk is None:
        return None
    up = ancestors_many([a.pk, b.pk], 30)
    up_a, up_b = up[a.pk], up[b.pk]
    if b.pk in up_a or a.pk in up_b:
        return Refusal("prohibited_relation", _(
            "The parties are relatives in the direct line: marriage is prohibited (Luật Hôn "
            "nhân và gia đình 2014, Điều 5.2.d)."))
    near_a = {pk for pk, g in up_a.items() if g <= 2}
    near_b = {pk for pk, g in up_b.items() if g <= 2}
    if near_a & near_b:
        return Refusal("prohibited_relation", _(
            "The parties are relatives within three generations: marriage is prohibited (Luật "
            "Hôn nhân và gia đình 2014, Điều 5.2.d)."))
    if frozenset((a.pk, b.pk)) in _adoptive_pairs([a.pk, b.pk]):
        return Refusal("prohibited_relation", _(
            "The parties are adoptive parent and child: marriage is prohibited (Luật Hôn nhân "
            "và gia đình 2014, Điều 5.2.d)."))
    return None


def relatives_among(person_id: int, ids) -> set[int]:
    """Which of `ids` are `person_id` or a relative of theirs ("người thân thích", Luật Hôn
    nhân và gia đình 2014, Điều 3.19, the sense of Luật Hộ tịch 2014, Điều 12.1.h): the spouse;
    an adoptive parent or child (nuôi dưỡng); the direct blood line (parents, grandparents,
    great-grandparents, children, grandchildren, great-grandchildren — the three generations
    one query reads); and relatives within three generations (a common ancestor at most two
    generations above both: siblings, uncles and aunts, nephews and nieces, first cousins).
    In-laws are not counted (the law does not). A bounded number of queries (four)."""
    from .models import Person

    ids = {pk for pk in ids if pk is not None}
    if not ids:
        return set()
    related = {pk for pk in ids if pk == person_id}
    spouses = dict(Person.objects.filter(pk__in=ids | {person_id}).values_list("pk", "spouse_id"))
    related |= {pk for pk in ids if spouses.get(pk) == person_id
                or spouses.get(person_id) == pk}
    up = ancestors_many(ids | {person_id}, 3)
    mine = up[person_id]
    near_mine = {pk for pk, g in mine.items() if g <= 2}
    for pk in ids - {person_id}:
        theirs = up[pk]
        if pk in mine or person_id in theirs \
                or near_mine & {a for a, g in theirs.items() if g <= 2}:
            related.add(pk)
    pairs = _adoptive_pairs(ids | {person_id})
    related |= {pk for pk in ids if frozenset((pk, person_id)) in pairs}
    return related
