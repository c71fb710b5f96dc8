"""The commune's registry books: the list (by kind and year), a book's entries in order, its
printable form (A4, each page headed with the book's name, year and quyển số) and closing it at
year end (Luật Hộ tịch 2014, Điều 58; services/books.py)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from egov.core.errors import AppError, InvalidInput, NotFound, PermissionDenied

from ..forms import BookFilterForm
from ..models import PartyRole
from ..services import books as service
from . import common


@login_required
@require_http_methods(["GET", "HEAD"])
def book_list(request):
    common.require_read(request.user)
    form = BookFilterForm(request.GET or None)
    kind, year, status = "", None, 200
    if form.is_bound and form.is_valid():
        kind, year = form.cleaned_data["kind"], form.cleaned_data["year"]
    elif form.is_bound:
        status = 422
    cursor = (request.GET.get("cursor") or "")[:1000] or None
    try:
        page = service.book_list(actor=request.user, kind=kind, year=year, cursor=cursor)
    except InvalidInput:
        page = service.book_list(actor=request.user, kind=kind, year=year)
    return render(request, "civil/books.html", {"form": form, "page": page}, status=status)


def _book(request, pk: int):
    common.require_read(request.user)
    try:
        return service.book_get(actor=request.user, book_id=pk)
    except NotFound:
        raise Http404 from None


def _rows(events):
    order = list(PartyRole.values)
    for e in events:
        e.party_list = sorted(e.parties.all(), key=lambda p: order.index(p.role))
    return events


@login_required
@require_http_methods(["GET", "HEAD"])
def book_detail(request, pk: int):
    book = _book(request, pk)
    cursor = (request.GET.get("cursor") or "")[:1000] or None
    try:
        page = service.book_entries(actor=request.user, book_id=book.pk, cursor=cursor)
    except InvalidInput:
        page = service.book_entries(actor=request.user, book_id=book.pk)
    return render(request, "civil/book.html", {
        "book": book, "entries": _rows(page.items), "next": page.next,
        "may_close": service.may_close(request.user, book) and book.closed_at is None,
        "close_due": service.close_due(book),
        "pages": service.pages_for(book.total_entries or 0)})


@login_required
@require_http_methods(["GET", "HEAD"])
def book_print(request, pk: int):
    book = _book(request, pk)
    entries = _rows(service.all_entries(actor=request.user, book=book))
    size = service.ENTRIES_PER_PAGE
    sheets = [entries[i:i + size] for i in range(0, len(entries), size)] or [[]]
    return render(request, "civil/book_print.html", {
        "book": book, "sheets": sheets, "total": len(entries),
        "pages": service.pages_for(len(entries))})


@login_required
@require_POST
def book_close(request, pk: int):
    book = _book(request, pk)
    try:
        book = service.close_book(actor=request.user, book_id=book.pk)
    except PermissionDenied as err:
        raise DjangoPermissionDenied(err.message) from err
    except AppError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, _("The book is closed with %(n)d entries.")
                         % {"n": book.total_entries})
    return redirect("civil:book", pk=book.pk)
