"""The working-day calendar. All deadlines in every module come from here.

Working days
    Monday to Friday is the working week of state bodies (QĐ 188/1999/QĐ-TTg, 40 hours a week).
    On top of it the `CalendarDay` table lists the exceptions: kind "off" (statutory holidays,
    BLLĐ 2019 Art.112; compensatory days when a holiday falls on the weekly rest day, Art.111.3;
    weekdays swapped by a government notice; Ngày Văn hóa Việt Nam 24/11 from 2026, Nghị quyết
    28/2026/QH16) and kind "workday" (make-up Saturdays of a swap). At run time only this table
    is read — never the `holidays` package — so what an administrator edits in the admin decides.
    The package only seeds the table (migration 0003, `egov calendar_seed`,
    :func:`seed_from_holidays`).

Counting (Bộ luật Dân sự 2015)
    Art.147: the first day of a period is not counted; the period starts on the following day.
    Art.148: a period in days ends at the end of its last day; Art.148.5: if the last day is a
    weekend day or holiday, the period ends at the end of the next working day.
    "N ngày làm việc" counts working days only (weekends, holidays and swapped weekdays are
    skipped, make-up Saturdays count). Receipt after the 15:00 cut-off counts as receipt on the
    next working day (NĐ 61/2018/NĐ-CP on the one-stop shop, as replaced by NĐ 118/2025/NĐ-CP;
    `settings.EGOV_WORKDAY_CUTOFF`). Time the dossier spends waiting for the applicant's
    supplement is not counted. Instants are interpreted in Vietnamese time (Asia/Ho_Chi_Minh).

Cache (per process)
    The working days of a wide range of years (2015–2040, widened on demand when a date falls
    outside) are kept as a sorted list of ordinals, so :func:`add_working_days` and
    :func:`working_days_between` are two `bisect` calls (a few microseconds; the budget is 50 µs,
    see bench/bench_calendar.py). The cache is dropped
      * at once in this process when a `CalendarDay` is saved or deleted (post_save/post_delete
        signals, connected below; also again when the transaction commits);
      * in every other worker process within 60 seconds: at most once a minute the service
        compares `CalendarDay.objects.aggregate(Max("updated_at"), Count("id"))` with the value
        seen when the cache was built and rebuilds it when they differ.
    `QuerySet.update()` and `bulk_create()` send no signals and `update()` does not touch
    `updated_at`: code that edits the table in bulk must call :func:`invalidate` (other processes
    then see the change only if the row count or the newest `updated_at` changed).
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

#: Legal times are Vietnamese times whatever the server's zone (UTC+7, no daylight saving).
LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

#: Years precomputed when the cache is first built.
DEFAULT_FIRST_YEAR = 2015
DEFAULT_LAST_YEAR = 2040
#: Seconds between checks of the table for edits made by other processes.
RECHECK_SECONDS = 60.0

_MIN_ORDINAL = dt.date(1, 1, 1).toordinal()
_MAX_ORDINAL = dt.date(9999, 12, 31).toordinal()

# --- Deadline states (used by the inbox) --------------------------------------------------------

STATE_NONE = "none"
STATE_IN_TIME = "in_time"
STATE_DUE_TODAY = "due_today"
STATE_OVERDUE = "overdue"


# --- Cache --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _State:
    """An immutable snapshot; replaced as a whole so readers in other threads never see a
    half-built one."""

    first: int  # ordinal of 1 January of the first year covered
    last: int  # ordinal of 31 December of the last year covered
    working: list[int]  # sorted ordinals of the working days in [first, last]
    off: frozenset[int]  # ordinals of CalendarDay rows of kind "off"
    extra: frozenset[int]  # ordinals of CalendarDay rows of kind "workday"
    stamp: tuple  # (max updated_at, row count) when loaded


_state: _State | None = None
_checked_at = 0.0
_lock = threading.Lock()


def invalidate() -> None:
    """Forget the cached calendar; the next call reloads it from the table."""
    global _state
    _state = None


def _stamp() -> tuple:
    from django.db.models import Count, Max

    from .models import CalendarDay

    agg = CalendarDay.objects.aggregate(m=Max("updated_at"), n=Count("id"))
    return (agg["m"], agg["n"])


def _build(off: frozenset[int], extra: frozenset[int], first_year: int, last_year: int,
           stamp: tuple) -> _State:
    first = dt.date(first_year, 1, 1).toordinal()
    last = dt.date(last_year, 12, 31).toordinal()
    working = []
    append = working.append
    for o in range(first, last + 1):
        # date.fromordinal(o).weekday() == (o + 6) % 7: 0 = Monday … 6 = Sunday.
        if o in extra or ((o + 6) % 7 < 5 and o not in off):
            append(o)
    return _State(first, last, working, off, extra, stamp)


def _load(first_year: int = DEFAULT_FIRST_YEAR, last_year: int = DEFAULT_LAST_YEAR) -> _State:
    from .models import CalendarDay, CalendarDayKind

    stamp = _stamp()  # before the rows: a concurrent edit then only causes one extra reload
    off: set[int] = set()
    extra: set[int] = set()
    for day, kind in CalendarDay.objects.values_list("date", "kind"):
        (extra if kind == CalendarDayKind.WORKDAY else off).add(day.toordinal())
    return _build(frozenset(off), frozenset(extra), first_year, last_year, stamp)


def _current() -> _State:
    """The cached state, reloaded when invalidated or when the table changed elsewhere."""
    global _state, _checked_at
    state = _state
    now = time.monotonic()
    if state is not None and now - _checked_at < RECHECK_SECONDS:
        return state
    with _lock:
        state = _state
        if state is not None and now - _checked_at >= RECHECK_SECONDS:
            if _stamp() != state.stamp:
                state = None
        if state is None:
            state = _load()
            _state = state
        _checked_at = now
        return state


def _covering(state: _State, lo: int, hi: int) -> _State:
    """`state`, widened (with a margin) so it covers ordinals lo..hi."""
    global _state
    if state.first <= lo and hi <= state.last:
        return state
    lo = max(lo, _MIN_ORDINAL)
    hi = min(hi, _MAX_ORDINAL)
    first_year = min(dt.date.fromordinal(state.first).year, dt.date.fromordinal(lo).year - 5)
    last_year = max(dt.date.fromordinal(state.last).year, dt.date.fromordinal(hi).year + 5)
    first_year, last_year = max(first_year, 1), min(last_year, 9999)
    with _lock:
        wider = _build(state.off, state.extra, first_year, last_year, state.stamp)
        if _state is state:
            _state = wider
    return wider


def _on_calendar_change(sender, **kwargs) -> None:
    invalidate()
    # Drop it again after commit: a reload between the save and the commit would have cached
    # the uncommitted row in this process only (harmless), or missed rows another transaction
    # commits meanwhile. A rollback is caught by the 60-second check.
    transaction.on_commit(invalidate, using=kwargs.get("using"))


post_save.connect(_on_calendar_change, sender="core.CalendarDay",
                  dispatch_uid="egov.core.calendar.saved")
post_delete.connect(_on_calendar_change, sender="core.CalendarDay",
                    dispatch_uid="egov.core.calendar.deleted")


# --- Working days -------------------------------------------------------------------------------


def is_working_day(day: dt.date) -> bool:
    """Whether `day` is a working day: Monday–Friday (QĐ 188/1999/QĐ-TTg) unless the table marks
    it "off" (BLLĐ 2019 Art.111–112, government swaps), or any day the table marks "workday"
    (make-up Saturday)."""
    state = _current()
    o = day.toordinal()
    return o in state.extra or (day.weekday() < 5 and o not in state.off)


def next_working_day(day: dt.date, *, include: bool = False) -> dt.date:
    """The first working day after `day` (or `day` itself if `include` and it is one)."""
    if include and is_working_day(day):
        return day
    return add_working_days(day, 1)


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The day that is `days` working days after `start`, `start` itself not counted (BLDS 2015
    Art.147: the period starts on the following day). `start` need not be a working day.

    * ``days == 0`` returns `start` unchanged (an empty period ends where it starts), so that
      ``working_days_between(s, add_working_days(s, n)) == n`` holds for every n ≥ 0.
    * ``days < 0`` moves backwards: the |days|-th working day *before* `start` (e.g. "at least
      5 working days before the meeting").

    The result for ``days != 0`` is always a working day. Raises ValueError past year 1 / 9999.
    """
    o = start.toordinal()
    state = _current()
    if days > 0:
        if not (state.first <= o <= state.last):
            state = _covering(state, o, o)
        i = bisect_right(state.working, o) + days - 1
        while i >= len(state.working):
            if state.last >= _MAX_ORDINAL:
                raise ValueError("add_working_days: result after year 9999")
            # About 250 working days a year; widen by enough years for the remaining ones.
            need = i - len(state.working) + 1
            state = _covering(state, o, state.last + (need // 200 + 1) * 366)
            i = bisect_right(state.working, o) + days - 1
        return dt.date.fromordinal(state.working[i])
    if days == 0:
        return start
    if not (state.first <= o <= state.last):
        state = _covering(state, o, o)
    i = bisect_left(state.working, o) + days  # days < 0
    while i < 0:
        if state.first <= _MIN_ORDINAL:
            raise ValueError("add_working_days: result before year 1")
        state = _covering(state, state.first - (-i // 200 + 1) * 366, o)
        i = bisect_left(state.working, o) + days
    return dt.date.fromordinal(state.working[i])


def working_days_between(start: dt.date, end: dt.date) -> int:
    """The number of working days after `start` up to and including `end` (BLDS Art.147: the
    first day is not counted); 0 when ``end <= start``."""
    lo, hi = start.toordinal(), end.toordinal()
    if hi <= lo:
        return 0
    state = _current()
    if not (state.first <= lo and hi <= state.last):
        state = _covering(state, lo, hi)
    w = state.working
    return bisect_right(w, hi) - bisect_right(w, lo)


def calendar_deadline(start: dt.date, days: int, roll_forward: bool = False) -> dt.date:
    """The last day of a period of `days` calendar days starting after `start` (BLDS 2015
    Art.147: the first day is not counted; Art.148.1: the period ends at 24:00 of that day).

    With `roll_forward`, a last day that is not a working day moves to the next working day
    (BLDS 2015 Art.148.5). Used for complaints, denunciations, the 60-day birth registration duty
    and limitation periods — whether to roll forward is part of each rule. `days` must be ≥ 0.
    """
    if days < 0:
        raise ValueError("calendar_deadline: days must not be negative")
    end = start + dt.timedelta(days=days)
    if roll_forward:
        end = next_working_day(end, include=True)
    return end


# --- Instants: cut-off, office hours, deadlines -------------------------------------------------

_HHMM = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*$")


def _setting_time(name: str, default: str) -> dt.time:
    value = getattr(settings, name, default) or default
    m = _HHMM.match(str(value))
    if not m:
        raise ValueError(f"settings.{name} must look like HH:MM, not {value!r}")
    return dt.time(int(m[1]), int(m[2]), int(m[3] or 0))


def workday_cutoff() -> dt.time:
    """The daily cut-off (settings.EGOV_WORKDAY_CUTOFF, default 15:00 — NĐ 61/2018/NĐ-CP as
    replaced by NĐ 118/2025/NĐ-CP)."""
    return _setting_time("EGOV_WORKDAY_CUTOFF", "15:00")


def office_opens() -> dt.time:
    return _setting_time("EGOV_OFFICE_OPENS", "07:30")


def office_closes() -> dt.time:
    return _setting_time("EGOV_OFFICE_CLOSES", "17:00")


def localtime(value: dt.datetime) -> dt.datetime:
    """`value` in Vietnamese time; a naive value is taken to be Vietnamese time already."""
    if timezone.is_naive(value):
        return value.replace(tzinfo=LOCAL_TZ)
    return value.astimezone(LOCAL_TZ)


def effective_start(received_at: dt.datetime, *, cutoff_moves_start: bool = True) -> dt.datetime:
    """The instant from which a period starts to run for something received at `received_at`.

    * Received on a working day before the office opens (settings.EGOV_OFFICE_OPENS, 07:30):
      the opening time of that day (e.g. an online submission at night).
    * Received on a working day up to and including the cut-off (15:00): `received_at` itself.
    * Received after the cut-off, or on a non-working day: the opening time of the next working
      day — receipt after 15:00 counts as receipt on the next working day where a text says so
      (NĐ 63/2024/NĐ-CP Điều 7.2; Luật Hộ tịch Điều 5.3; services.md §1.6, §4.4).
    * With ``cutoff_moves_start=False`` (ordinary one-stop procedures: after 15:00 only the
      forwarding is deferred, NĐ 118/2025/NĐ-CP Điều 18.2 as amended, while the period runs
      from the receipt time, Điều 17.3): received after the cut-off but before the office
      closes (settings.EGOV_OFFICE_CLOSES, 17:00) is `received_at` itself; after closing, the
      next working day's opening time.

    Returns an aware datetime in Asia/Ho_Chi_Minh. A naive `received_at` is read as local time.
    """
    local = localtime(received_at)
    day, opens = local.date(), office_opens()
    if is_working_day(day):
        if local.time() < opens:
            return dt.datetime.combine(day, opens, tzinfo=LOCAL_TZ)
        limit = workday_cutoff() if cutoff_moves_start else office_closes()
        if local.time() <= limit:
            return local
    return dt.datetime.combine(add_working_days(day, 1), opens, tzinfo=LOCAL_TZ)


def _merged(intervals: Iterable[tuple[dt.datetime, dt.datetime | None]],
            not_before: dt.datetime) -> list[tuple[dt.datetime, dt.datetime]]:
    now = None
    spans = []
    for begin, end in intervals:
        if end is None:
            now = now or timezone.now()
            end = now
        begin, end = localtime(begin), localtime(end)
        begin = max(begin, not_before)
        if end > begin:
            spans.append((begin, end))
    spans.sort()
    merged: list[tuple[dt.datetime, dt.datetime]] = []
    for begin, end in spans:
        if merged and begin <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((begin, end))
    return merged


def pause_working_days(pauses: Iterable[tuple[dt.datetime, dt.datetime | None]],
                       not_before: dt.datetime | None = None) -> int:
    """The working days consumed by pause intervals (see :func:`working_deadline`)."""
    floor = localtime(not_before) if not_before else dt.datetime.min.replace(tzinfo=LOCAL_TZ)
    return sum(working_days_between(b.date(), e.date()) for b, e in _merged(pauses, floor))


def working_deadline(received_at: dt.datetime, days: int,
                     pauses: Iterable[tuple[dt.datetime, dt.datetime | None]] = (), *,
                     cutoff_moves_start: bool = True) -> dt.datetime:
    """The due instant of a "`days` ngày làm việc" period for something received at
    `received_at` (aware; naive is read as Vietnamese time). The rule:

    1. ``s = effective_start(received_at, cutoff_moves_start=...)`` — the 15:00 cut-off (when
       it moves the start) and the office opening time.
    2. ``days >= 1``: the due instant is on ``add_working_days(s.date(), days)`` at the time of
       day of `s` (the receipt slip states the return time to the minute; BLDS Art.147: the
       first day is not counted). ``days == 0`` ("trả kết quả trong ngày"): the office closing
       time (settings.EGOV_OFFICE_CLOSES) of ``s.date()``, or `s` if that is later.
    3. Pauses (the dossier waits for the applicant's supplement, QĐ 766/QĐ-TTg; the time is not
       counted): each `(begin, end)` is clipped to start no earlier than `s`; overlapping
       intervals are merged; an `end` of None means "still paused" (until now). A pause consumes
       ``working_days_between(begin.date(), end.date())`` working days — the working days after
       the day it began up to and including the day it ended, in local dates; so a pause that
       begins and ends on the same day consumes none. The due date from step 2 is moved by the
       sum of them, keeping the time of day.

    Returns an aware datetime in Asia/Ho_Chi_Minh. `days` must be ≥ 0.
    """
    if days < 0:
        raise ValueError("working_deadline: days must not be negative")
    start = effective_start(received_at, cutoff_moves_start=cutoff_moves_start)
    paused = pause_working_days(pauses, not_before=start)
    if days == 0:
        due = max(start, dt.datetime.combine(start.date(), office_closes(), tzinfo=LOCAL_TZ))
        if not paused:
            return due
        return dt.datetime.combine(add_working_days(due.date(), paused), due.time(),
                                   tzinfo=LOCAL_TZ)
    due_day = add_working_days(start.date(), days + paused)
    return dt.datetime.combine(due_day, start.time(), tzinfo=LOCAL_TZ)


def deadline_state(due_at: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """The inbox state of a deadline: "none" (no deadline), "overdue" (``due_at < now``),
    "due_today" (due later on today's local date, Asia/Ho_Chi_Minh) or "in_time"."""
    if due_at is None:
        return STATE_NONE
    now = localtime(now if now is not None else timezone.now())
    due = localtime(due_at)
    if due < now:
        return STATE_OVERDUE
    if due.date() == now.date():
        return STATE_DUE_TODAY
    return STATE_IN_TIME


# --- Seeding from the `holidays` package --------------------------------------------------------

BASIS_HOLIDAY = "Bộ luật Lao động 2019, Điều 112"
BASIS_OBSERVED = "Bộ luật Lao động 2019, Điều 111 khoản 3 và Điều 112"
BASIS_TET = "Bộ luật Lao động 2019, Điều 112 khoản 1 và khoản 3 (Thủ tướng quyết định ngày nghỉ Tết)"
BASIS_CULTURE_DAY = "Nghị quyết 28/2026/QH16"
BASIS_SWAP = ("Hoán đổi ngày làm việc theo thông báo hằng năm của cơ quan có thẩm quyền "
              "(dữ liệu gói holidays; đối chiếu văn bản chính thức)")
SEEDED_BY = "holidays"

_SWAP_RE = re.compile(r"thay cho ngày (\d{2})/(\d{2})/(\d{4})")


def _legal_basis(name: str) -> str:
    if "thay cho ngày" in name:
        return BASIS_SWAP
    if "Văn hóa Việt Nam" in name:
        return BASIS_CULTURE_DAY if "nghỉ bù" not in name else (
            f"{BASIS_CULTURE_DAY}; Bộ luật Lao động 2019, Điều 111 khoản 3")
    if "nghỉ bù" in name:
        return BASIS_OBSERVED
    if "Tết" in name and "Dương lịch" not in name:
        return BASIS_TET
    return BASIS_HOLIDAY


def holiday_rows(years: Iterable[int]) -> list[tuple[dt.date, str, str, str]]:
    """(date, kind, name, legal_basis) for the given years from `holidays` (Vietnam, Vietnamese
    names): every holiday as "off" (weekend ones too, for display — they change no count), and
    every Saturday/Sunday the package reports as a working day as "workday" (make-up Saturday
    of a swap). The package knows the swaps announced up to its release only."""
    import holidays

    years = sorted(set(years))
    if not years:
        return []
    vn = holidays.country_holidays("VN", years=years, language="vi")
    rows: list[tuple[dt.date, str, str, str]] = []
    swapped_for: dict[dt.date, dt.date] = {}
    for day, name in sorted(vn.items()):
        rows.append((day, "off", name, _legal_basis(name)))
        m = _SWAP_RE.search(name)
        if m:
            swapped_for[dt.date(int(m[3]), int(m[2]), int(m[1]))] = day
    wanted = set(years)
    for year in years:
        day = dt.date(year, 1, 1)
        while day.year == year:
            if day.weekday() >= 5 and day not in vn and vn.is_working_day(day):
                instead = swapped_for.get(day)
                name = (f"Ngày làm việc bù (thay cho ngày nghỉ {instead:%d/%m/%Y})"
                        if instead else "Ngày làm việc bù")
                rows.append((day, "workday", name, BASIS_SWAP))
            day += dt.timedelta(days=1)
    return sorted(r for r in rows if r[0].year in wanted)


def seed_from_holidays(model, years: Iterable[int]) -> int:
    """Create the missing `CalendarDay` rows for `years` from :func:`holiday_rows`; existing rows
    (an administrator's edits included) are left alone. Returns the number created. `model` is
    the CalendarDay class (the historical one inside a migration)."""
    created = 0
    for day, kind, name, basis in holiday_rows(years):
        _, new = model.objects.get_or_create(
            date=day, defaults={"kind": kind, "name": name[:200], "legal_basis": basis[:255]})
        created += new
    if created:
        invalidate()
    return created
