"""The SQL buckets of the statistics equal the pure rule (rules.index_judgement) dossier by
dossier: generated clock facts around a period's boundaries, counted by the selector's CASE and
judged by the rule, must agree for every dossier (and the counted set must be the rule's)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from egov.onestop import rules
from egov.onestop.models import Dossier
from egov.onestop.selectors import stats as sel

from .stats_fixtures import at, make_dossier, stats_org  # noqa: F401

pytestmark = pytest.mark.django_db

START, END = dt.date(2026, 2, 1), dt.date(2026, 2, 28)  # Tết Bính Ngọ 16–20/2 inside
FIRST, AS_OF = sel.period_bounds(START, END, now=at(2027, 1, 1))
BASE = at(2026, 1, 10, 0, 0)

# Offsets in minutes from BASE over ~70 days, biased to the boundaries and to whole local days.
_edges = [int((x - BASE).total_seconds() // 60) for x in (FIRST, AS_OF)]
minutes = st.one_of(
    st.integers(0, 70 * 24 * 60),
    st.sampled_from(_edges),
    st.builds(lambda e, d: e + d, st.sampled_from(_edges), st.integers(-2, 2)),
    st.builds(lambda day, hh: day * 1440 + hh * 60, st.integers(0, 70),
              st.sampled_from([0, 7, 9, 17, 23])),
)


@st.composite
def facts(draw):
    received = BASE + dt.timedelta(minutes=draw(minutes))
    due = received + dt.timedelta(minutes=draw(st.integers(0, 20 * 1440)))
    if draw(st.booleans()):  # same local day as the due time, or the instant itself
        due = draw(st.sampled_from([due, received]))
    ended = None
    if draw(st.booleans()):
        ended = received + dt.timedelta(minutes=draw(st.integers(0, 30 * 1440)))
        if draw(st.booleans()):
            ended = draw(st.sampled_from([due, due + dt.timedelta(minutes=1),
                                          due - dt.timedelta(minutes=1),
                                          due.replace(hour=23, minute=59)]))
    paused = None
    requests = draw(st.integers(0, 3))
    if requests and draw(st.booleans()):
        paused = received + dt.timedelta(minutes=draw(st.integers(0, 25 * 1440)))
    return dict(received_at=received, due_at=due, ended_at=ended, paused_since=paused,
                supplement_requests=requests)


@pytest.fixture
def version(stats_org):  # noqa: F811
    return stats_org


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(batch=st.lists(facts(), min_size=1, max_size=12))
def test_sql_buckets_equal_the_rule(version, batch):
    o = version
    sid = transaction.savepoint()
    try:
        made = {}
        for f in batch:
            state = "resolved" if f["ended_at"] else (
                "supplement" if f["paused_since"] else "processing")
            d = make_dossier(o["birth_v"], o["commune"], state=state, **f)
            made[d.pk] = f
        qs = sel.judged(Dossier.objects.filter(sel.counted_q(FIRST, AS_OF)), AS_OF)
        got = dict(qs.values_list("pk", "judgement"))
        for pk, f in made.items():
            expected = rules.index_judgement(rules.ClockFacts(**f), AS_OF)
            counted = f["ended_at"] is None or f["ended_at"] >= FIRST
            if expected is None or not counted:
                assert pk not in got, (f, got.get(pk))
            else:
                assert got.get(pk) == expected, f
        # The report's totals are the same judgements, counted.
        flt = sel.StatsFilter(start=START, end=END)
        report = sel.stats_report(actor=o["leader"], flt=flt, now=at(2027, 1, 1))
        for j in sel.JUDGED:
            assert report.totals[j] == sum(1 for v in got.values() if v == j)
        assert report.totals["received"] == len(got)
    finally:
        transaction.savepoint_rollback(sid)
