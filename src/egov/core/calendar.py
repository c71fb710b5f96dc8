"""Working-day calendar (interface; implemented by the calendar work). All deadlines in every
module come from here."""

from __future__ import annotations

import datetime as dt


def is_working_day(day: dt.date) -> bool:
    raise NotImplementedError


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The day that is `days` working days after `start` (start itself not counted)."""
    raise NotImplementedError


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end`."""
    raise NotImplementedError


def deadline_state(due_at: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """"none", "in_time", "due_today" or "overdue"."""
    raise NotImplementedError
