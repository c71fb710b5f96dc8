"""Matching rules for duplicate detection at registration (issue 13), pure functions (no
database): is the person about to be registered already in the registry?

A Vietnamese name is họ (family name, first word) + tên đệm (middle names, zero or more) + tên
(the given name, last word) — Bộ luật Dân sự 2015, Điều 26.2 ("Họ, chữ đệm và tên"). The rules
below model the ways one person's name is written differently at two registrations, each with
the reason it exists; `match()` combines the name with the date of birth, the sex, the place of
birth and the mother into a score in [0, 1] and the reasons shown to the registrar (English
msgids, marked with gettext_noop; the caller translates them).

OpenCRVS (the open reference) deduplicates with the same kind of rules (fuzzy name, date of
birth within a range, the mother's details); the figures of these rules are in
bench/bench_civil_duplicates.py and docs/civil.md "Duplicate detection".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache

from django.utils.translation import gettext_noop

from egov.core.search import fold

# The reasons (msgids; translated in the po files).
SAME_NAME = gettext_noop("Same name")
SAME_NAME_FOLDED = gettext_noop("Same name, diacritics aside")
MIDDLE_NAME = gettext_noop("Same name but for a common middle name (Văn, Thị…)")
TRANSPOSED = gettext_noop("Same names in another order")
TYPO = gettext_noop("Name differs by one letter")
FAMILY_VARIANT = gettext_noop("Family name variant (Hoàng/Huỳnh, Vũ/Võ)")
SIMILAR_NAME = gettext_noop("Similar name")
SAME_DATE = gettext_noop("Same date of birth")
NEAR_DATE = gettext_noop("Date of birth a few days apart")
MONTH_DATE = gettext_noop("Date of birth less than a month apart")
SWAPPED_DATE = gettext_noop("Day and month of birth swapped")
SAME_PLACE = gettext_noop("Same place of birth")
SAME_MOTHER = gettext_noop("Same mother")
MOTHER_270 = gettext_noop("Same mother, births less than 270 days apart")

# Common middle names (folded). Văn (men) and Thị (women) say only the sex and are often left
# out or added between two documents of one person; the others are so frequent as middle names
# that dropping one is a common slip. Only ignorable in the middle: as a family or given name
# ("Đức", "Ngọc" are given names too) they count.
COMMON_MIDDLE = frozenset(
    "van thi huu duc ngoc dinh cong quang xuan kim thanh minh trung quoc the".split())

# Family-name variants of one lineage: Hoàng became Huỳnh and Vũ became Võ in the South by the
# Nguyễn lords' naming taboo (kiêng húy Nguyễn Hoàng, 16th c.); one family, two spellings,
# sometimes both in one person's papers.
FAMILY_VARIANTS = {"huynh": "hoang", "vo": "vu"}

# How far apart two dates of birth of one person are still "a few days": entry slips (a day
# typed off, the date of the declaration instead of the birth) rarely move it by more than a week.
NEAR_DAYS = 7
MONTH_DAYS = 31
# Two births by one mother less than 270 days apart are one birth entered twice (a pregnancy
# lasts about 280 days from the last period, 266 from conception; WHO counts under 37 weeks as
# preterm, and a new pregnancy needs weeks after a birth) — twins aside (same day).
MOTHER_DAYS = 270

# The weights of the score: the name says most, then the date of birth; sex and place confirm.
W_NAME, W_DATE, W_SEX, W_PLACE = 0.50, 0.30, 0.10, 0.10
# A candidate at or above THRESHOLD is shown as a likely duplicate (tuned on the bench: recall
# >= 0.95 at precision >= 0.90).
THRESHOLD = 0.75
# Below this name similarity a candidate is not a likely duplicate (the mother rule aside).
NAME_MIN = 0.8


SEX_MIDDLE = frozenset({"van", "thi"})


def _dropped(a: tuple[str, ...], b: tuple[str, ...]) -> frozenset[str] | None:
    """The words to drop from the longer middle-name list to get the shorter one (keeping the
    order), or None when that is not possible."""
    long, short = (a, b) if len(a) >= len(b) else (b, a)
    out, i = [], 0
    for w in long:
        if i < len(short) and short[i] == w:
            i += 1
        else:
            out.append(w)
    return frozenset(out) if i == len(short) else None


@dataclass(frozen=True)
class Name:
    """A folded name split into its parts."""
    words: tuple[str, ...]
    family: str
    middle: tuple[str, ...]
    given: str


@lru_cache(maxsize=65536)
def _fold(text: str) -> str:
    return fold(text)


@lru_cache(maxsize=65536)
def parse(folded: str) -> Name:
    """Split a name (folded or not) into họ / đệm / tên; the family name canonical (Huỳnh →
    Hoàng, Võ → Vũ)."""
    words = tuple(_fold(folded).split())
    if not words:
        return Name((), "", (), "")
    if len(words) == 1:
        return Name(words, "", (), words[0])
    family = FAMILY_VARIANTS.get(words[0], words[0])
    return Name((family, *words[1:]), family, words[1:-1], words[-1])


def normalise(name: str | None) -> str:
    """The name as written, its white space collapsed, lower case (diacritics kept)."""
    return " ".join((name or "").split()).lower()


def edit_distance(a: str, b: str, cap: int = 2) -> int:
    """Damerau–Levenshtein (optimal string alignment) distance, at most `cap` (a keyboard slip:
    a letter missed, added, wrong, or two letters swapped, counts 1)."""
    if a == b:
        return 0
    if abs(len(a) - len(b)) >= cap:
        return cap
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = ca != cb
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) >= cap:
            return cap
        prev2, prev = prev, cur
    return min(prev[-1], cap)


def _one_typo(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """One word of the two differs by one letter, the others are equal — or the same letters
    split into words differently ("Thu Trang" / "Thutrang")."""
    if len(a) == len(b):
        diffs = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
        if len(diffs) == 1 and edit_distance(*diffs[0]) == 1:
            return True
    return "".join(a) == "".join(b) or edit_distance("".join(a), "".join(b)) == 1


def may_match(a: Name, b: Name) -> bool:
    """False when no rule of the name can reach NAME_MIN: neither the family name nor the given
    name is the same, nor the same words in another order (every rule above keeps one of the
    two). A cheap filter before `match` (the mother rule aside)."""
    return (a.family == b.family or a.given == b.given or not a.family or not b.family
            or sorted(a.words) == sorted(b.words))


def given_differs(a: str, b: str) -> bool:
    """The given names (tên) are clearly different: not equal and not one slip apart (folded).
    Siblings and twins share the family and often the middle name; the given name tells them
    apart."""
    ga, gb = parse(a).given, parse(b).given
    return ga != gb and edit_distance(ga, gb) > 1


def name_similarity(a: str, b: str) -> tuple[float, str | None]:
    """How likely two written names are one person's name, in [0, 1], and why."""
    if not normalise(a) or not normalise(b):
        return 0.0, None
    if normalise(a) == normalise(b):
        return 1.0, SAME_NAME
    na, nb = parse(a), parse(b)
    raw_a, raw_b = _fold(a).split(), _fold(b).split()
    # Typed without diacritics (or with other ones): fold() is the search key of the registry.
    if raw_a == raw_b:
        return 0.98, SAME_NAME_FOLDED
    if na.words == nb.words:
        return 0.93, FAMILY_VARIANT
    # Given names transposed ("Nguyễn Thị Thu Trang" / "Nguyễn Thị Trang Thu"; "Tuấn Nguyễn
    # Văn" in a foreign-order document): the same words in another order.
    if sorted(na.words) == sorted(nb.words):
        return 0.92, TRANSPOSED
    # A middle name added or left out (the rest equal): Văn / Thị say only the sex and come and
    # go between documents; the other common ones (Hữu, Đức, Ngọc…) are dropped less often. A
    # middle name REPLACED by another ("Nguyễn Quang Anh" / "Nguyễn Văn Anh") is no slip.
    if na.family == nb.family and na.given == nb.given:
        dropped = _dropped(na.middle, nb.middle)
        if dropped is not None and dropped <= SEX_MIDDLE:
            return 0.95, MIDDLE_NAME
        if dropped is not None and dropped <= COMMON_MIDDLE:
            return 0.9, MIDDLE_NAME
    # A keyboard slip of one letter (or the same letters split into words differently).
    if _one_typo(na.words, nb.words):
        return 0.90, TYPO
    # Otherwise the parts one by one. The given name identifies within a family: when it
    # clearly differs the two are siblings or strangers, whatever the rest.
    if na.given != nb.given and edit_distance(na.given, nb.given) > 1:
        return (0.35 if na.family == nb.family else 0.1), None
    if na.family != nb.family:
        # Another family name: a child entered once with the father's and once with the
        # mother's happens, but a shared given name alone is common — weak.
        return 0.5, None
    if na.given == nb.given and _dropped(na.middle, nb.middle) is not None:
        # A middle name that is not a common one dropped ("Nguyễn Minh Tuấn Anh" / "Nguyễn
        # Tuấn Anh").
        return 0.8, SIMILAR_NAME
    # Other middle names, or a slip in the given name and another in the middle: two people
    # more likely than one.
    return 0.6, None


def date_similarity(a: dt.date | None, b: dt.date | None) -> tuple[float, str | None]:
    """Dates of birth: the same scores 1, a few days apart high, far apart 0; unknown 0.5."""
    if a is None or b is None:
        return 0.5, None
    days = abs((a - b).days)
    if days == 0:
        return 1.0, SAME_DATE
    if days <= 2:
        return 0.9, NEAR_DATE
    if days <= NEAR_DAYS:
        return 0.8, NEAR_DATE
    # Day and month swapped (03/05 ↔ 05/03): the two orders of writing a date.
    if a.year == b.year and a.day == b.month and a.month == b.day:
        return 0.7, SWAPPED_DATE
    if days <= MONTH_DAYS:
        return 0.3, MONTH_DATE
    return 0.0, None


def place_similarity(a: str | None, b: str | None) -> tuple[float, str | None]:
    """Places of birth (folded words): equal 1, unknown 0.5, else the share of common words."""
    wa, wb = set(_fold(a or "").split()), set(_fold(b or "").split())
    if not wa or not wb:
        return 0.5, None
    if wa == wb:
        return 1.0, SAME_PLACE
    return len(wa & wb) / len(wa | wb) * 0.8, None


@dataclass
class Match:
    score: float
    reasons: list[str] = field(default_factory=list)

    @property
    def likely(self) -> bool:
        return self.score >= THRESHOLD


def match(new: dict, old: dict) -> Match:
    """Score a registered person `old` against the person `new` about to be registered. Both are
    dicts with full_name, sex, birth_date (date or None), birth_place and mother_id (None when
    unknown)."""
    name, name_reason = name_similarity(new.get("full_name") or "", old.get("full_name") or "")
    day, day_reason = date_similarity(new.get("birth_date"), old.get("birth_date"))
    sex_a, sex_b = new.get("sex"), old.get("sex")
    sex = 0.5 if not sex_a or not sex_b else 1.0 if sex_a == sex_b else 0.0
    place, place_reason = place_similarity(new.get("birth_place"), old.get("birth_place"))
    score = W_NAME * name + W_DATE * day + W_SEX * sex + W_PLACE * place
    reasons = [r for r in (name_reason, day_reason) if r]
    if place_reason and score >= THRESHOLD:
        reasons.append(place_reason)

    mother_a, mother_b = new.get("mother_id"), old.get("mother_id")
    if mother_a and mother_a == mother_b:
        born_a, born_b = new.get("birth_date"), old.get("birth_date")
        days = abs((born_a - born_b).days) if born_a and born_b else None
        if days is not None and days <= NEAR_DAYS and name < NAME_MIN and given_differs(
                new.get("full_name") or "", old.get("full_name") or ""):
            # Twins: same mother, same day (give or take a slip of the date), clearly
            # different given names (no rule of the name explains the difference) — two
            # children.
            return Match(min(score, 0.5), [])
        if days is not None and days <= MOTHER_DAYS:
            # One mother cannot give birth twice within 270 days (see MOTHER_DAYS): the same
            # birth registered again, whatever the name given the second time.
            return Match(max(score, 0.9), [MOTHER_270, *[r for r in reasons if r != day_reason]])
        score += 0.05
        reasons.append(SAME_MOTHER)
    elif mother_a and mother_b:
        # Two different mothers on record: two children — unless a mother was entered twice.
        score -= 0.15
    if name < NAME_MIN:
        # No rule of the name explains the difference: date, sex and place alone are shared
        # by many people of a commune (a common given name born the same week).
        score = min(score, THRESHOLD - 0.05)
    return Match(round(min(score, 1.0), 3), reasons)
