"""The commune's registry books (Luật Hộ tịch 60/2014/QH13, Điều 58; TT 04/2020/TT-BTP): one book
per commune, kind of event and year, read only in the communes the user may read; entries in
order (keyset pages of the kernel); closed at year end with the number of entries and pages.

Closing (`close_book`, Luật Hộ tịch Điều 58 — "khóa sổ" on the last day of the year, with the
total of entries and pages, signed by the head): refused before 31 December of the book's year
(`book_not_due`) and when already closed (`book_closed`); audited (`civil.book.close`, ids
and totals only). A closed book takes no new entry: records._book picks only open books and
refuses ("book_closed") when the year's book is closed.
"""

from __future__ import annotations

import datetime as dt
import math

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core import policy
from egov.core.audit import audit_log
from egov.core.errors import InvalidInput, NotFound, PermissionDenied
from egov.core.pagination import Page, keyset_page

from ..models import CivilEvent, RegistryBook

READ = "civil.read"
REGISTER = "civil.register"
# Entries printed on one A4 page of the printable book (templates/civil/book_print.html).
ENTRIES_PER_PAGE = 10
ARTICLE = "Luật Hộ tịch 2014, Điều 58"


def books_visible(actor):
    return RegistryBook.objects.filter(policy.unit_q(actor, READ, field="commune"))


def book_list(*, actor, kind: str = "", year: int | None = None, cursor: str | None = None,
              limit: int = 50) -> Page:
    """The books the actor may read, newest year first, then kind and quyển số."""
    qs = books_visible(actor).select_related("commune")
    if kind:
        qs = qs.filter(kind=kind)
    if year is not None:
        qs = qs.filter(year=year)
    return keyset_page(qs, order=("-year", "kind", "number", "id"), cursor=cursor, limit=limit)


def book_get(*, actor, book_id: int) -> RegistryBook:
    book = (RegistryBook.objects.select_related("commune", "closed_by")
            .filter(pk=book_id).first()) if 0 < book_id < 2**63 else None
    if book is None or not policy.can(actor, READ, book.commune):
        raise NotFound(_("No such registry book."))
    return book


def book_entries(*, actor, book_id: int, cursor: str | None = None, limit: int = 50) -> Page:
    """The book's entries in order (số 1, 2, …), each with its parties; the page names people,
    so it is an audit event (`civil.person.read`, purpose "book", ids only)."""
    book = book_get(actor=actor, book_id=book_id)
    qs = (CivilEvent.objects.filter(book=book).select_related("book")
          .prefetch_related("parties__person"))
    page = keyset_page(qs, order=("entry_number", "id"), cursor=cursor, limit=limit)
    _audit_read(actor, book, page.items)
    return page


def all_entries(*, actor, book: RegistryBook) -> list[CivilEvent]:
    """Every entry of a book the actor may read (the printable book), audited."""
    items = list(CivilEvent.objects.filter(book=book).order_by("entry_number")
                 .prefetch_related("parties__person"))
    _audit_read(actor, book, items)
    return items


def _audit_read(actor, book: RegistryBook, events) -> None:
    ids = sorted({p.person_id for e in events for p in e.parties.all()})
    if ids:
        audit_log(actor=actor, action="civil.person.read", object_type="civil.person",
                  details={"purpose": "book", "book": book.pk, "ids": ids})


def pages_for(entries: int) -> int:
    return max(1, math.ceil(entries / ENTRIES_PER_PAGE))


def may_close(actor, book: RegistryBook) -> bool:
    return policy.can(actor, REGISTER, book.commune)


def close_due(book: RegistryBook, today: dt.date | None = None) -> bool:
    """Luật Hộ tịch 2014, Điều 58: a book is closed on the last day of its year (or later)."""
    return (today or timezone.localdate()) >= dt.date(book.year, 12, 31)


def close_book(*, actor, book_id: int) -> RegistryBook:
    """Khóa sổ (Luật Hộ tịch 2014, Điều 58): sets closed_at, closed_by and total_entries."""
    book = book_get(actor=actor, book_id=book_id)
    if not may_close(actor, book):
        raise PermissionDenied(_("You may not close this commune's registry books."))
    with transaction.atomic():
        book = RegistryBook.objects.select_for_update().get(pk=book.pk)
        if book.closed_at is not None:
            raise InvalidInput(_("This book is already closed (%(article)s).")
                               % {"article": ARTICLE}, code="book_closed")
        if not close_due(book):
            raise InvalidInput(
                _("A registry book is closed on the last day of its year, 31/12/%(year)d, or "
                  "later (%(article)s).") % {"year": book.year, "article": ARTICLE},
                code="book_not_due")
        total = CivilEvent.objects.filter(book=book).count()
        book.closed_at, book.closed_by, book.total_entries = timezone.now(), actor, total
        book.save(update_fields=["closed_at", "closed_by", "total_entries"])
        audit_log(actor=actor, action="civil.book.close", obj=book,
                  details={"book": book.pk, "entries": total, "pages": pages_for(total)})
    return book
