"""Calendar endpoints (public reference data, no authentication): add working days, count working
days, list a year's exceptions. Registered in egov.core.api as ``api.add_router("", router)``.

Query parameters are taken as text and checked here, so every bad input — a missing or malformed
date, a non-integer or out-of-range number — is an `InvalidInput` (422, ``{"code", "message",
"fields"}``), never a 500.
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext as _
from ninja import Router, Schema

from . import calendar
from .errors import InvalidInput
from .models import CalendarDay

router = Router(tags=["calendar"])

#: Dates accepted by the endpoints (and years by /calendar/days).
MIN_YEAR, MAX_YEAR = 1901, 2100
#: Largest `days` accepted by /calendar/add-working-days (about 14 years of working days).
MAX_DAYS = 3650

_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_INTEGER = re.compile(r"^[+-]?[0-9]{1,12}$")


class DateOut(Schema):
    date: dt.date


class CountOut(Schema):
    count: int


class CalendarDayOut(Schema):
    date: dt.date
    kind: str
    name: str
    legal_basis: str


def _date(name: str, value: str | None, errors: dict[str, list[str]]) -> dt.date | None:
    if value is None or not value.strip():
        errors[name] = [_("This field is required.")]
        return None
    try:
        if not _ISO_DATE.match(value.strip()):
            raise ValueError(value)
        day = dt.date.fromisoformat(value.strip())
    except ValueError:
        errors[name] = [_("Enter a valid date in the form YYYY-MM-DD.")]
        return None
    if not (MIN_YEAR <= day.year <= MAX_YEAR):
        errors[name] = [_("The year must be between %(min)d and %(max)d.")
                        % {"min": MIN_YEAR, "max": MAX_YEAR}]
        return None
    return day


def _int(name: str, value: str | None, lo: int, hi: int,
         errors: dict[str, list[str]]) -> int | None:
    if value is None or not value.strip():
        errors[name] = [_("This field is required.")]
        return None
    text = value.strip()
    if not _INTEGER.match(text):
        errors[name] = [_("Enter a whole number.")]
        return None
    number = int(text)
    if not (lo <= number <= hi):
        errors[name] = [_("Enter a number between %(min)d and %(max)d.") % {"min": lo, "max": hi}]
        return None
    return number


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise InvalidInput(_("Check the highlighted fields."), fields=errors)


@router.get("/calendar/add-working-days", response=DateOut, auth=None,
            summary="Add working days to a date")
def add_working_days(request, start: str | None = None, days: str | None = None):
    """The date `days` working days after `start` (start not counted; 0 ≤ days ≤ 3650)."""
    errors: dict[str, list[str]] = {}
    day = _date("start", start, errors)
    count = _int("days", days, 0, MAX_DAYS, errors)
    _raise(errors)
    return {"date": calendar.add_working_days(day, count)}


@router.get("/calendar/working-days", response=CountOut, auth=None,
            summary="Count working days between two dates")
def working_days(request, start: str | None = None, end: str | None = None):
    """Working days after `start` up to and including `end`; `end` must not be before `start`."""
    errors: dict[str, list[str]] = {}
    first = _date("start", start, errors)
    last = _date("end", end, errors)
    if first and last and last < first:
        errors["end"] = [_("The end date must not be before the start date.")]
    _raise(errors)
    return {"count": calendar.working_days_between(first, last)}


@router.get("/calendar/days", response=list[CalendarDayOut], auth=None,
            summary="Days off and make-up working days of a year")
def calendar_days(request, year: str | None = None):
    """The year's exceptions to the Monday–Friday week, as the administrator keeps them."""
    errors: dict[str, list[str]] = {}
    number = _int("year", year, MIN_YEAR, MAX_YEAR, errors)
    _raise(errors)
    return list(CalendarDay.objects.filter(date__year=number).order_by("date")
                .values("date", "kind", "name", "legal_basis"))
