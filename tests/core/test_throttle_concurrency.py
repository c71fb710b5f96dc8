"""The rate-limit counter is atomic (egov.core.throttle.window_hit, one INSERT … ON CONFLICT DO
UPDATE … RETURNING): N concurrent hits of one window get the counts 1..N, none lost."""

from __future__ import annotations

import pytest

from egov.core import throttle
from egov.core.models import RateCounter
from tests.concurrency import run_threads

N = 8


@pytest.mark.django_db(transaction=True)
def test_concurrent_hits_count_every_one():
    # On SQLite the writers queue on the database lock (busy timeout): the counts must still be
    # 1..N; on PostgreSQL they really race on the same row.
    counts: list[int] = []

    def hit(i: int) -> None:
        count, _verdict = throttle.window_hit("code", "203.0.113.50", f"{N}/600")
        counts.append(count)

    assert run_threads(hit, N) == []
    assert sorted(counts) == list(range(1, N + 1))
    assert RateCounter.objects.get().count == N


@pytest.mark.django_db(transaction=True)
def test_concurrent_hits_with_a_read_count_every_one(django_user_model):
    """window_hit_and_read (the counter's upsert and a read in one statement on PostgreSQL, a
    data-modifying CTE): concurrent hits still get the counts 1..N, and each its row."""
    user = django_user_model.objects.create_user("vt_concurrent", password="x" * 12)
    counts: list[int] = []
    rows: list = []

    def hit(i: int) -> None:
        count, _verdict, row = throttle.window_hit_and_read(
            "code", "203.0.113.51", f"{N}/600",
            "SELECT id, username FROM core_user WHERE username = %s", ["vt_concurrent"])
        counts.append(count)
        rows.append(row)

    assert run_threads(hit, N) == []
    assert sorted(counts) == list(range(1, N + 1))
    assert RateCounter.objects.get().count == N
    assert rows == [(user.pk, "vt_concurrent")] * N
