"""The law's conditions as pure functions (no database): ages, the personal ID's form, the
family relations that forbid a marriage. Each failure carries a code and a message citing the
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


def ancestors(person, depth: int) -> dict[int, int]:
    """{person id: generations up} of the person's known ancestors up to `depth` generations
    (1 = parents), through the father and mother links (loaded lazily)."""
    found: dict[int, int] = {}
    layer = [person]
    for generation in range(1, depth + 1):
        nxt = []
        for p in layer:
            for parent in (p.father, p.mother):
                if parent is not None and parent.pk not in found:
                    found[parent.pk] = generation
                    nxt.append(parent)
        layer = nxt
    return found


def relation_refusal(a, b) -> Refusal | None:
    """Luật Hôn nhân và gia đình 2014, Điều 5.2.d: no marriage in the direct blood line or
    between relatives within three generations (a common ancestor at most two generations
    above either: siblings share parents, first cousins grandparents — Điều 3.18, 3.19)."""
    if a.pk is None or b.pk is None:
        return None
    up_a, up_b = ancestors(a, 30), ancestors(b, 30)
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
    return None
