"""The dossier's clock and the national index's judgement, as pure functions (no database).

Sources (services.md §1.3, §1.6, §4.4):
- the period runs from the time of complete receipt on the Giấy tiếp nhận (NĐ 118/2025/NĐ-CP
  Điều 17.3 as amended by NĐ 309/2026/NĐ-CP); a receipt after 15:00 defers only the forwarding
  to the start of the next working day (Điều 18.2), unless the procedure's text moves the start
  (NĐ 63/2024/NĐ-CP Điều 7.2) or the result (Luật Hộ tịch Điều 5.3) — the per-procedure flag
  `next_day_after_cutoff`;
- the applicant's supplement time is not counted (QĐ 766/QĐ-TTg formula sheet);
- đúng hạn when NgayKetThucXuLy <= NgayHenTra; a dossier still waiting on a supplement is
  measured at the request date and is late when a supplement was requested more than once; an
  unfinished dossier is measured at the end of the reporting period (QĐ 766 formula sheet).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from egov.core import calendar

Interval = tuple[dt.datetime, dt.datetime | None]

EARLY, ON_TIME, LATE = "early", "on_time", "late"
IN_TIME, OVERDUE = "in_time", "overdue"


def forward_deadline(received_at: dt.datetime) -> dt.datetime:
    """When the desk must have forwarded a dossier received at `received_at`: the same working
    day (office closing time); received after 15:00 — or on a day off — the start of the next
    working day (NĐ 118/2025/NĐ-CP Điều 18.2 as amended by NĐ 309/2026/NĐ-CP)."""
    local = calendar.localtime(received_at)
    if calendar.is_working_day(local.date()) and local.time() <= calendar.workday_cutoff():
        return max(local, dt.datetime.combine(local.date(), calendar.office_closes(),
                                              tzinfo=calendar.LOCAL_TZ))
    return dt.datetime.combine(calendar.add_working_days(local.date(), 1),
                               calendar.office_opens(), tzinfo=calendar.LOCAL_TZ)


def due_at(received_at: dt.datetime, processing_days: int, *, next_day_after_cutoff: bool,
           pauses: Iterable[Interval] = ()) -> dt.datetime:
    """NgayHenTra: `processing_days` working days from the receipt time (0 = the same day, by
    the office closing time), moved by the working days the applicant's supplements took.

    For a same-day procedure whose text gives the result the next working day after 15:00
    (Luật Hộ tịch Điều 5.3), `next_day_after_cutoff` moves the start — and so the result — to
    the next working day's opening; its closing time is then the due time."""
    return calendar.working_deadline(received_at, processing_days, list(pauses),
                                     cutoff_moves_start=next_day_after_cutoff)


def step_deadlines(start: dt.datetime, days: Sequence[Decimal | float | int],
                   final_due: dt.datetime) -> list[dt.datetime]:
    """The due time of each step, given each step's share in working days, counted one after
    the other from `start`; whole days move by working days keeping the time of day, a
    fractional remainder adds that share of the office day. The last step is never due after
    `final_due` (the dossier's promised time), nor any step after the one before it."""
    opens, closes = calendar.office_opens(), calendar.office_closes()
    day_seconds = (dt.datetime.combine(dt.date.min, closes)
                   - dt.datetime.combine(dt.date.min, opens)).total_seconds()
    out: list[dt.datetime] = []
    current = calendar.localtime(start)
    for share in days:
        share = Decimal(str(share))
        whole = int(share)
        frac = share - whole
        if whole:
            day = calendar.add_working_days(current.date(), whole)
            current = dt.datetime.combine(day, current.timetz())
        if frac:
            current = current + dt.timedelta(seconds=float(frac) * day_seconds)
            closing = dt.datetime.combine(current.date(), closes, tzinfo=calendar.LOCAL_TZ)
            if current > closing:  # spill into the next working day's morning
                spill = current - closing
                day = calendar.add_working_days(current.date(), 1)
                current = dt.datetime.combine(day, opens, tzinfo=calendar.LOCAL_TZ) + spill
        out.append(min(current, final_due))
    if out:
        out[-1] = final_due
    return out


def judge_end(end: dt.datetime, due: dt.datetime) -> str:
    """Trước hạn / đúng hạn / quá hạn of a step or a dossier that ended at `end` (TT 03/2025
    Mẫu 06; services.md §1.6 operational definitions): late after `due`; early when it ended on
    a local date before the due date; on time otherwise."""
    end_l, due_l = calendar.localtime(end), calendar.localtime(due)
    if end_l > due_l:
        return LATE
    if end_l.date() < due_l.date():
        return EARLY
    return ON_TIME


@dataclass(frozen=True)
class ClockFacts:
    """What the national index reads of a dossier."""

    received_at: dt.datetime | None
    due_at: dt.datetime | None           # NgayHenTra with the pauses added
    ended_at: dt.datetime | None         # NgayKetThucXuLy
    paused_since: dt.datetime | None     # the open supplement request, if any
    supplement_requests: int


def index_judgement(facts: ClockFacts, at: dt.datetime) -> str | None:
    """The QĐ 766 judgement of a dossier at the instant `at` (the end of the reporting period):

    - not received (no NgayTiepNhan): None, it does not count;
    - ended by `at`: early / on time / late against NgayHenTra (supplement time excluded: the
      stored due time already has the pauses added);
    - waiting on a supplement at `at`: measured at the request date; late if a supplement was
      requested more than once;
    - otherwise unfinished: in time / overdue, measured at `at`.
    """
    if facts.received_at is None or facts.received_at > at or facts.due_at is None:
        return None
    if facts.ended_at is not None and facts.ended_at <= at:
        return judge_end(facts.ended_at, facts.due_at)
    if facts.paused_since is not None and facts.paused_since <= at:
        if facts.supplement_requests > 1:
            return OVERDUE
        return IN_TIME if facts.paused_since <= facts.due_at else OVERDUE
    return IN_TIME if at <= facts.due_at else OVERDUE


def dossier_code(agency_electronic_id: str, day: dt.date, sequence: int) -> str:
    """Mã số hồ sơ: `<agency electronic id>-<YYMMDD>-<daily sequence, at least 4 digits>`
    (TT 03/2025/TT-VPCP Điều 13 as amended by TT 04/2025/TT-VPCP: "tối thiểu gồm 04 ký tự";
    the former TT 01/2018 Điều 19 had the same pattern; services.md §1.5)."""
    return f"{agency_electronic_id}-{day:%y%m%d}-{sequence:04d}"
