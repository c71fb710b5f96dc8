"""The dossier clock and the national index's judgement over the real calendar (services.md §1.6,
§4.3): the 15:00 rule, announced swaps, Tết, pauses and a second supplement request."""

import datetime as dt
from decimal import Decimal

import pytest

from egov.core.calendar import LOCAL_TZ
from egov.onestop import rules

pytestmark = pytest.mark.django_db


def at(y, m, d, hh=9, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=LOCAL_TZ)


def test_receipt_after_1500_defers_forwarding_only():
    # Wednesday 2 December 2026, 16:10: forwarded by the start of Thursday, the clock runs from
    # 16:10 (NĐ 118/2025 Điều 17.3, 18.2).
    received = at(2026, 12, 2, 16, 10)
    assert rules.forward_deadline(received) == at(2026, 12, 3, 7, 30)
    assert rules.due_at(received, 3, next_day_after_cutoff=False) == at(2026, 12, 7, 16, 10)
    # Before 15:00: forwarded the same day, by closing time.
    assert rules.forward_deadline(at(2026, 12, 2, 14, 59)) == at(2026, 12, 2, 17, 0)


def test_procedure_flag_moves_the_start_after_1500():
    # NĐ 63/2024 Điều 7.2: after 15:00 the period starts the next working day.
    received = at(2026, 12, 2, 15, 1)
    assert rules.due_at(received, 3, next_day_after_cutoff=True) == at(2026, 12, 8, 7, 30)
    # Same-day civil-status matter received after 15:00: the result the next working day.
    assert rules.due_at(received, 0, next_day_after_cutoff=True) == at(2026, 12, 3, 17, 0)
    assert rules.due_at(received, 0, next_day_after_cutoff=False) == at(2026, 12, 2, 17, 0)


def test_announced_swap_and_tet_are_skipped():
    # 31/12/2025 + 1 working day: 1–4/1/2026 off (2/1 swapped with Saturday 10/1, VPCP
    # 12729/VPCP-KGVX) → Monday 5/1.
    assert rules.due_at(at(2025, 12, 31, 10), 1, next_day_after_cutoff=False) \
        == at(2026, 1, 5, 10)
    # Saturday 10/1/2026 is worked: Friday 9/1 + 1 working day = Saturday 10/1.
    assert rules.due_at(at(2026, 1, 9, 10), 1, next_day_after_cutoff=False) == at(2026, 1, 10, 10)
    # Tết Bính Ngọ: 16–20/2/2026 off; Friday 13/2 + 1 = Monday 23/2.
    assert rules.due_at(at(2026, 2, 13, 10), 1, next_day_after_cutoff=False) == at(2026, 2, 23, 10)


def test_pause_moves_the_promised_time():
    received = at(2026, 12, 1, 9)  # Tuesday, 5 working days → Tuesday 8/12
    assert rules.due_at(received, 5, next_day_after_cutoff=False) == at(2026, 12, 8, 9)
    # Supplement asked Wednesday 2/12, brought Friday 4/12: two working days are not counted.
    pauses = [(at(2026, 12, 2, 10), at(2026, 12, 4, 11))]
    assert rules.due_at(received, 5, next_day_after_cutoff=False, pauses=pauses) \
        == at(2026, 12, 10, 9)


def test_judge_end():
    due = at(2026, 12, 8, 9)
    assert rules.judge_end(at(2026, 12, 7, 16), due) == rules.EARLY
    assert rules.judge_end(at(2026, 12, 8, 8), due) == rules.ON_TIME
    assert rules.judge_end(at(2026, 12, 8, 9), due) == rules.ON_TIME
    assert rules.judge_end(at(2026, 12, 8, 9, 1), due) == rules.LATE


def facts(**kw):
    base = dict(received_at=at(2026, 12, 1), due_at=at(2026, 12, 8), ended_at=None,
                paused_since=None, supplement_requests=0)
    base.update(kw)
    return rules.ClockFacts(**base)


def test_index_judgement_of_unfinished_and_waiting_dossiers():
    period_end = at(2026, 12, 31, 23, 59)
    # Unfinished, measured at the period's end.
    assert rules.index_judgement(facts(), at(2026, 12, 5)) == rules.IN_TIME
    assert rules.index_judgement(facts(), period_end) == rules.OVERDUE
    # Waiting on the first supplement requested in time: measured at the request date.
    waiting = facts(paused_since=at(2026, 12, 3), supplement_requests=1)
    assert rules.index_judgement(waiting, period_end) == rules.IN_TIME
    # A second request: late, whatever the dates (QĐ 766 formula sheet).
    assert rules.index_judgement(facts(paused_since=at(2026, 12, 3), supplement_requests=2),
                                 period_end) == rules.OVERDUE
    # A finished dossier is judged at its end only, a second request does not make it late.
    done = facts(ended_at=at(2026, 12, 7), supplement_requests=2)
    assert rules.index_judgement(done, period_end) == rules.EARLY
    # Received after the period: not counted.
    assert rules.index_judgement(facts(), at(2026, 11, 30)) is None


def test_step_deadlines_share_the_time_and_end_at_the_promise():
    start = at(2026, 12, 1, 9)
    final = at(2026, 12, 8, 9)
    steps = rules.step_deadlines(start, [Decimal("0.5"), Decimal("3"), Decimal("1.5")], final)
    assert steps[0] == at(2026, 12, 1, 13, 45)   # half of a 9.5-hour office day
    assert steps[1] == at(2026, 12, 4, 13, 45)
    assert steps[2] == final


def test_dossier_code_keeps_at_least_four_digits():
    assert rules.dossier_code("000.01.00.T99", dt.date(2026, 12, 5), 7) \
        == "000.01.00.T99-261205-0007"
    assert rules.dossier_code("000.01.00.T99", dt.date(2026, 12, 5), 12345) \
        == "000.01.00.T99-261205-12345"
