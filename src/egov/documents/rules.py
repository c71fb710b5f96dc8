"""Pure rules of NĐ 30/2020 for numbers and notations (no database)."""

from __future__ import annotations

from egov.core.numbering import format_number


def make_code(number: str | int | None, notation: str) -> str:
    """"Số, ký hiệu": `<number>/<notation>` without spaces (Phụ lục I §II.3)."""
    number = "" if number is None else str(number).strip()
    notation = (notation or "").strip()
    if number and notation:
        return f"{number}/{notation}"
    return number or notation


def outgoing_notation(*, type_abbreviation: str, issuer_abbreviation: str,
                      field_abbreviation: str = "", year: int | None = None) -> str:
    """Ký hiệu of an outgoing document (NĐ 30/2020 Phụ lục I §II.3; Phụ lục III):

    - a document with a type name: `<type>-<issuer>` → `QĐ-UBND`;
    - a công văn (no type abbreviation): `<issuer>-<drafting unit or field>` → `UBND-VP`;
    - a legal normative document carries the year before the notation: `2024/QĐ-UBND`
      (numbered `15/2024/QĐ-UBND`).
    """
    issuer = issuer_abbreviation.strip()
    if type_abbreviation:
        notation = f"{type_abbreviation}-{issuer}"
    else:
        notation = f"{issuer}-{field_abbreviation.strip()}" if field_abbreviation else issuer
    if year is not None:
        notation = f"{year}/{notation}"
    return notation


def outgoing_number(n: int) -> str:
    """Số: Arabic digits, a leading zero below 10 (NĐ 30/2020 Phụ lục I §II.3.a)."""
    return format_number(n)
