"""egov.core.throttle.window_hit_and_read: the rate counter's hit and a read together — ONE
statement on PostgreSQL (issue 9 §4: a public verification hit is one round trip), the hit then
the read elsewhere; the counter keeps its meaning (the over-limit hit counts, Retry-After)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from egov.core import throttle
from egov.core.models import RateCounter

pytestmark = pytest.mark.django_db

READ = "SELECT id, username FROM core_user WHERE username = %s"


def _hit(username: str, rate: str = "2/600"):
    with CaptureQueriesContext(connection) as ctx:
        result = throttle.window_hit_and_read("code", "198.51.100.20", rate, READ, [username])
    return result, [q["sql"] for q in ctx.captured_queries]


def test_counts_reads_and_refuses_over_the_limit(django_user_model):
    user = django_user_model.objects.create_user("vt_read", password="x" * 12)
    expected = 1 if connection.vendor == "postgresql" else 2
    (count, verdict, row), sql = _hit("vt_read")
    assert (count, verdict.allowed, row) == (1, True, (user.pk, "vt_read"))
    assert len(sql) == expected, sql
    if connection.vendor == "postgresql":
        assert "INSERT INTO core_ratecounter" in sql[0] and "core_user" in sql[0]
    (count, verdict, row), _sql = _hit("nobody")  # no row: None, and the hit counts
    assert (count, verdict.allowed, row) == (2, True, None)
    (count, verdict, row), _sql = _hit("vt_read")  # over the limit: counted, refused
    assert count == 3 and not verdict.allowed and 0 < verdict.retry_after <= 600
    assert RateCounter.objects.get().count == 3
    # the same counter as window_hit: one budget
    count, verdict = throttle.window_hit("code", "198.51.100.20", "2/600")
    assert count == 4 and not verdict.allowed
