"""Registry books (Luật Hộ tịch 2014, Điều 58; issue 13 "Persons and books"): closing at year end
with its totals — refused before 31 December of the book's year and when already closed, audited,
no new entry in a closed book — the books' pages (list, entries in order, the printable A4 book
with each page's header) and the API (list, entries in keyset pages, close)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from egov.civil.models import CivilEvent, RegistryBook
from egov.civil.rules_dates import registering_as_of
from egov.civil.services import books
from egov.civil.services.records import register_birth
from egov.core.errors import AppError, NotFound, PermissionDenied
from egov.core.models import AuditEvent

from .test_api import auth

pytestmark = pytest.mark.django_db

LAST_YEAR = timezone.localdate().year - 1


def births(civ, n: int, *, year: int = LAST_YEAR, who: str = "registrar"):
    """n births registered on 1 March … of `year` (the book of that year)."""
    out = []
    for i in range(n):
        day = dt.date(year, 3, 1) + dt.timedelta(days=i)
        with registering_as_of(day):  # history as of that day (rules_dates)
            out.append(register_birth(actor=civ[who], registered_on=day, child={
                "full_name": f"Trẻ Thứ {i + 1}", "sex": "male",
                "birth_date": day.isoformat()}))
    return out


def test_close_rules_totals_and_audit(civ):
    book = births(civ, 3)[0].book
    closed = books.close_book(actor=civ["registrar"], book_id=book.pk)
    assert closed.total_entries == 3 and closed.closed_by == civ["registrar"]
    assert closed.closed_at is not None
    audit = AuditEvent.objects.get(action="civil.book.close")
    assert audit.details == {"book": book.pk, "entries": 3, "pages": 1}
    with pytest.raises(AppError) as err:
        books.close_book(actor=civ["registrar"], book_id=book.pk)
    assert err.value.code == "book_closed" and err.value.status == 422
    assert "Điều 58" in err.value.message
    # The same total stays: a second attempt writes nothing.
    assert RegistryBook.objects.get(pk=book.pk).total_entries == 3
    assert AuditEvent.objects.filter(action="civil.book.close").count() == 1


def test_no_closing_before_the_last_day_of_the_year(civ):
    year = timezone.localdate().year
    book = RegistryBook.objects.create(commune=civ["commune"], kind="birth", year=year + 1,
                                       name="Sổ đăng ký khai sinh")
    with pytest.raises(AppError) as err:
        books.close_book(actor=civ["registrar"], book_id=book.pk)
    assert err.value.code == "book_not_due" and "Điều 58" in err.value.message
    book.refresh_from_db()
    assert book.closed_at is None and book.total_entries is None
    # The boundary: 30/12 no, 31/12 yes.
    assert not books.close_due(book, dt.date(year + 1, 12, 30))
    assert books.close_due(book, dt.date(year + 1, 12, 31))


def test_closed_book_takes_no_new_entry(civ):
    book = births(civ, 1)[0].book
    books.close_book(actor=civ["registrar"], book_id=book.pk)
    with pytest.raises(AppError) as err:
        births(civ, 1)
    assert err.value.code == "book_closed"
    assert CivilEvent.objects.filter(book=book).count() == 1


def test_who_may_close_and_read(civ):
    book = births(civ, 1)[0].book
    with pytest.raises(NotFound):
        books.close_book(actor=civ["other_registrar"], book_id=book.pk)
    with pytest.raises(PermissionDenied):  # the supervisor reads but does not keep the books
        books.close_book(actor=civ["supervisor"], book_id=book.pk)
    assert [b.pk for b in books.book_list(actor=civ["supervisor"]).items] == [book.pk]
    assert books.book_list(actor=civ["other_registrar"]).items == []


def test_book_pages_and_the_printable_book(client, civ):
    events = births(civ, books.ENTRIES_PER_PAGE + 1)
    book = events[0].book
    client.force_login(civ["registrar"])
    listing = client.get(reverse("civil:books"), {"kind": "birth", "year": LAST_YEAR})
    assert listing.status_code == 200
    assert reverse("civil:book", args=[book.pk]) in listing.content.decode()
    assert client.get(reverse("civil:books"), {"year": "0"}).status_code == 422
    page = client.get(reverse("civil:book", args=[book.pk])).content.decode()
    positions = [page.index(f"Trẻ Thứ {i}<") for i in (1, 2, 10, 11)]
    assert positions == sorted(positions)  # in the book's order
    assert 'id="do-close"' in page  # last year's book may be closed
    printed = client.get(reverse("civil:book_print", args=[book.pk])).content.decode()
    assert printed.count('class="sheet__head"') == 2  # 11 entries, 10 per A4 page
    assert printed.count("Quyển số: 01") == 2 and "SỔ ĐĂNG KÝ KHAI SINH" in printed
    assert "civil-print.css" in printed
    answer = client.post(reverse("civil:book_close", args=[book.pk]))
    assert answer.status_code == 302
    book.refresh_from_db()
    assert book.total_entries == books.ENTRIES_PER_PAGE + 1
    printed = client.get(reverse("civil:book_print", args=[book.pk])).content.decode()
    assert 'id="closing"' in printed and f"{book.total_entries}" in printed
    # A second close is refused with its message, nothing changes.
    client.post(reverse("civil:book_close", args=[book.pk]))
    assert AuditEvent.objects.filter(action="civil.book.close").count() == 1


def test_books_api(client, civ):
    events = births(civ, 3)
    book = events[0].book
    headers = auth(civ["registrar"])
    r = client.get("/api/v1/civil/books?kind=birth", **headers)
    assert r.status_code == 200
    assert [b["id"] for b in r.json()["items"]] == [book.pk]
    assert r.json()["items"][0]["number"] == 1
    r = client.get(f"/api/v1/civil/books/{book.pk}/entries?limit=2", **headers)
    body = r.json()
    assert [e["entry_number"] for e in body["items"]] == [1, 2] and body["next"]
    r = client.get(f"/api/v1/civil/books/{book.pk}/entries?limit=2&cursor={body['next']}",
                   **headers)
    assert [e["entry_number"] for e in r.json()["items"]] == [3] and r.json()["next"] is None
    assert r.json()["items"][0]["persons"][0]["role"] == "child"
    other = auth(civ["other_registrar"])
    assert client.get(f"/api/v1/civil/books/{book.pk}/entries", **other).status_code == 404
    assert client.post(f"/api/v1/civil/books/{book.pk}/close", **other).status_code == 404
    r = client.post(f"/api/v1/civil/books/{book.pk}/close", **headers)
    assert r.status_code == 200 and r.json()["total_entries"] == 3
    r = client.post(f"/api/v1/civil/books/{book.pk}/close", **headers)
    assert r.status_code == 422 and r.json()["code"] == "book_closed"
    assert client.post(f"/api/v1/civil/books/{2**63}/close", **headers).status_code == 422
    assert client.get("/api/v1/civil/books").status_code == 401
