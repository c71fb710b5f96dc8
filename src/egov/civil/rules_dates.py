"""The registration date's bounds — one check every register and note path goes through
(`services.records._registered_on`).

The rule chosen: a registration is dated the day the registrar writes it in the book, or at most
`BACKDATE_DAYS` calendar days back (a paper entry typed in late, e.g. after a network outage),
never in the future, and never in a year before the current one. Why: the registrar enters the
event in the book at the time it is registered and the entry carries that date (Luật Hộ tịch
60/2014/QH13, Điều 58; NĐ 123/2015/NĐ-CP: the book is written as the registration is made); the
book is closed on the last day of its year (Điều 58), so a past year's book takes no new entry.
A registration dated years back would open a book of that year — what the API fuzzer did.

The digitisation of old paper books and the demo data write history "as of" a past day
(`registering_as_of`); no page nor API call can reach it.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt

from django.utils.translation import gettext as _

from .rules import Refusal

# A few days for a paper entry transcribed late; not a time limit of the law.
BACKDATE_DAYS = 5

_AS_OF: contextvars.ContextVar[dt.date | None] = contextvars.ContextVar("civil_as_of",
                                                                        default=None)


@contextlib.contextmanager
def registering_as_of(day: dt.date):
    """Register as if today were `day` (history transcribed from paper books, demo data)."""
    token = _AS_OF.set(day)
    try:
        yield
    finally:
        _AS_OF.reset(token)


def registry_today(today: dt.date) -> dt.date:
    return _AS_OF.get() or today


def registration_date_refusal(day: dt.date, today: dt.date) -> Refusal | None:
    """None when `day` may be the registration date on `today`, else the refusal
    `registered_on_out_of_range` (Luật Hộ tịch 2014, Điều 58; NĐ 123/2015)."""
    today = registry_today(today)
    earliest = max(today - dt.timedelta(days=BACKDATE_DAYS), dt.date(today.year, 1, 1))
    if earliest <= day <= today:
        return None
    message = _("The registration date is the day the event is written in the book: from "
                "%(earliest)s to %(today)s (at most %(days)d days back, within the year of the "
                "open book; Luật Hộ tịch 2014, Điều 58; NĐ 123/2015/NĐ-CP).") % {
        "earliest": earliest.strftime("%d/%m/%Y"), "today": today.strftime("%d/%m/%Y"),
        "days": BACKDATE_DAYS}
    return Refusal("registered_on_out_of_range", message, "registered_on")
