"""A certified copy of an extract entered in the commune's copies book of the year (Sổ cấp bản
sao trích lục hộ tịch, services.md §3.4; Luật Hộ tịch 2014, Điều 58: the registry's books,
Điều 63–64: copies of extracts) and its fee recorded (Điều 11.2, services/fees.py)."""

from __future__ import annotations

from egov.core import numbering

from ..models import CopyEntry
from . import fees


def copies_scope(commune_id: int) -> str:
    return f"civil.copies:{commune_id}"


def next_copy_number(commune_id: int, year: int) -> int:
    """Inside the issue's transaction, before the copy is rendered (it prints its number): the
    next number of (commune, year), gapless (numbering kernel: the row stays locked until the
    transaction ends, and a rollback — a failed signature — gives the number back)."""
    return numbering.sequence_next(scope=copies_scope(commune_id), series="copy", year=year)


def enter_copy(certificate, number: int) -> CopyEntry:
    """In the same transaction: the copy's entry in the book under `number`, then its fee."""
    entry = CopyEntry.objects.create(certificate=certificate, commune_id=certificate.commune_id,
                                     year=certificate.issued_on.year, number=number)
    fees.record_copy_fee(certificate)
    return entry
