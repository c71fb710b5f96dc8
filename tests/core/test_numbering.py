"""Gapless yearly numbering: allocation, rollback, 1 January restart, independence of series,
the leading zero, and concurrent allocation."""

from __future__ import annotations

import datetime as dt
import threading
import time
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from egov.core.errors import InvalidInput
from egov.core.models import Sequence
from egov.core.numbering import format_number, sequence_next
from tests.concurrency import run_threads

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def _next(**key) -> int:
    with transaction.atomic():
        return sequence_next(**key)


def test_sequential_allocation(db):
    assert [_next(scope="ubnd", series="incoming", year=2026) for _ in range(5)] == [1, 2, 3, 4, 5]
    assert Sequence.objects.get(scope="ubnd", series="incoming", year=2026).last_value == 5


def test_rollback_leaves_no_gap(db):
    assert _next(scope="ubnd", series="outgoing", year=2026) == 1
    with pytest.raises(RuntimeError), transaction.atomic():
        assert sequence_next(scope="ubnd", series="outgoing", year=2026) == 2
        raise RuntimeError("the document was not saved")
    assert _next(scope="ubnd", series="outgoing", year=2026) == 2


def test_rolled_back_first_number_of_the_year(db):
    with pytest.raises(RuntimeError), transaction.atomic():
        assert sequence_next(scope="ubnd", series="new", year=2026) == 1
        raise RuntimeError
    assert not Sequence.objects.filter(series="new").exists()
    assert _next(scope="ubnd", series="new", year=2026) == 1


def test_requires_a_transaction(transactional_db):
    with pytest.raises(RuntimeError, match="transaction"):
        sequence_next(scope="ubnd", series="incoming", year=2026)
    assert not Sequence.objects.exists()


def test_bad_keys_refused(db):
    for key in ({"scope": "", "series": "x"}, {"scope": "x", "series": "y" * 101},
                {"scope": "x", "series": "y", "year": 0}):
        with pytest.raises(InvalidInput) as exc, transaction.atomic():
            sequence_next(**key)
        assert exc.value.code == "sequence_key"


def test_new_year_restarts_at_one(db):
    for _ in range(3):
        _next(scope="ubnd", series="outgoing", year=2026)
    assert _next(scope="ubnd", series="outgoing", year=2027) == 1
    assert _next(scope="ubnd", series="outgoing", year=2026) == 4


def test_default_year_is_the_local_year_at_midnight(db):
    # 2026-12-31 23:59 and 2027-01-01 00:01 in Hà Nội; the second is still 2026 in UTC.
    late = dt.datetime(2026, 12, 31, 23, 59, tzinfo=HCM).astimezone(dt.UTC)
    early = dt.datetime(2027, 1, 1, 0, 1, tzinfo=HCM).astimezone(dt.UTC)
    assert early.year == 2026

    with mock.patch("django.utils.timezone.now", return_value=late):
        assert _next(scope="ubnd", series="outgoing") == 1
        assert _next(scope="ubnd", series="outgoing") == 2
    with mock.patch("django.utils.timezone.now", return_value=early):
        assert _next(scope="ubnd", series="outgoing") == 1
    assert set(Sequence.objects.values_list("year", "last_value")) == {(2026, 2), (2027, 1)}


def test_scopes_and_series_are_independent(db):
    assert _next(scope="ubnd", series="incoming", year=2026) == 1
    assert _next(scope="ubnd", series="incoming", year=2026) == 2
    assert _next(scope="ubnd", series="outgoing", year=2026) == 1
    assert _next(scope="stp", series="incoming", year=2026) == 1
    assert _next(scope="ubnd", series="incoming", year=2026) == 3


def test_format_number():
    assert format_number(1) == "01"
    assert format_number(5) == "05"
    assert format_number(10) == "10"
    assert format_number(123) == "123"
    assert format_number(7, width=3) == "007"
    with pytest.raises(ValueError):
        format_number(-1)


class _Rollback(Exception):
    pass


def test_concurrent_allocation_is_gapless_and_unique(transactional_db):
    """24 threads, each allocating in its own transactions, every third transaction rolled back
    on purpose: the committed numbers are exactly 1..N."""
    threads_n, per_thread = 24, 6
    committed: list[int] = []
    rolled_back: list[int] = []
    lock = threading.Lock()

    def allocate(k: int, i: int) -> None:
        roll_back = (k + i) % 3 == 0
        try:
            with transaction.atomic():
                number = sequence_next(scope="ubnd", series="outgoing", year=2026)
                time.sleep(0.001)  # hold the lock a little, as a real request would
                if roll_back:
                    raise _Rollback
        except _Rollback:
            with lock:
                rolled_back.append(number)
            return
        with lock:
            committed.append(number)

    def worker(k: int) -> None:
        for i in range(per_thread):
            allocate(k, i)

    errors = run_threads(worker, threads_n)
    assert not errors, errors
    n = len(committed)
    assert rolled_back and n == threads_n * per_thread - len(rolled_back)
    assert sorted(committed) == list(range(1, n + 1))  # no gap, no duplicate
    assert Sequence.objects.get(scope="ubnd", series="outgoing", year=2026).last_value == n
