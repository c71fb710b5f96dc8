"""Removing the petitioner's identity from text (Luật Tố cáo 25/2018 Art.56: name, address and
handwriting are stripped from the letter before the file goes to others).

`redact(text, identity)` replaces every occurrence of the identity's strings — the full name
(also typed without diacritics, in any case), the personal ID and phone numbers (also with
spaces or dots between digits), e-mail addresses, the street address — and any other 9–12 digit
number or e-mail address in the text by REDACTED. It errs on the side of removing too much: the
officers who may see the identity read the original (`PetitionIdentity.original_content`).
"""

from __future__ import annotations

import re
import unicodedata

REDACTED = "[…]"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# A run of 9–12 digits, possibly broken by spaces, dots or dashes (phone, ID, CMND).
_NUMBER = re.compile(r"(?<!\d)(?:\+?84[\s.-]?)?\d(?:[\s.-]?\d){8,11}(?!\d)")


def fold(value: str) -> str:
    """Lower case without diacritics (đ → d), for matching names typed either way."""
    value = unicodedata.normalize("NFD", value or "").replace("đ", "d").replace("Đ", "D")
    return "".join(ch for ch in value if unicodedata.category(ch) != "Mn").lower()


def _fold_with_map(text: str) -> tuple[str, list[int]]:
    """`fold(text)` and, for each folded character, the index of the source character."""
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        for f in fold(ch):
            out.append(f)
            index.append(i)
    return "".join(out), index


def _replace_folded(text: str, needle: str) -> str:
    """Replace every occurrence of `needle` (compared folded, on word boundaries)."""
    needle = " ".join(fold(needle).split())
    if len(needle) < 2:
        return text
    pattern = re.compile(r"(?<!\w)" + r"\s+".join(re.escape(p) for p in needle.split(" "))
                         + r"(?!\w)")
    while True:
        folded, index = _fold_with_map(text)
        m = pattern.search(folded)
        if m is None:
            return text
        start = index[m.start()]
        end = index[m.end() - 1] + 1
        text = text[:start] + REDACTED + text[end:]


def identity_strings(identity) -> list[str]:
    """The strings to remove, longest first, from a PetitionIdentity / VisitorIdentity or a
    dict with the same keys (`others` lists further persons)."""
    def get(obj, key):
        return (obj.get(key) if isinstance(obj, dict) else getattr(obj, key, "")) or ""

    people = [identity] + list(get(identity, "others") or [])
    found: set[str] = set()
    for person in people:
        for key in ("full_name", "personal_id", "phone", "email", "address"):
            value = str(get(person, key)).strip()
            if value:
                found.add(value)
    return sorted(found, key=len, reverse=True)


def redact(text: str, identity) -> str:
    if not text:
        return text or ""
    for value in identity_strings(identity):
        text = _replace_folded(text, value)
    text = _EMAIL.sub(REDACTED, text)
    return _NUMBER.sub(REDACTED, text)
