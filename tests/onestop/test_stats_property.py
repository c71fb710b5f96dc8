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
        # A dossier never ends before it is received: the services stamp both with the time
        # of the action (the statistics summary files an ended dossier by its end day).
        ended = max(ended, received)
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


# --- the report through the summary equals the purely live one ---------------------------------

ENDED_STATES = ["resolved", "returned", "stopped", "withdrawn"]


@st.composite
def version_of(draw):
    """One state of a dossier's history: its clock, and the fields a correction may change."""
    f = draw(facts())
    if f["ended_at"]:
        state = draw(st.sampled_from(ENDED_STATES))
    else:
        state = "supplement" if f["paused_since"] else "processing"
    return dict(f, state=state, channel=draw(st.sampled_from(["counter", "online", "post"])),
                result_medium=draw(st.sampled_from(["", "paper", "electronic"])),
                paused_days=draw(st.integers(0, 3)), place=draw(st.integers(0, 3)))


@st.composite
def history(draw):
    """A dossier's successive states (received, ended, returned, corrected …) and, maybe, a
    rating given after one of them."""
    steps = draw(st.lists(version_of(), min_size=1, max_size=3))
    rating = draw(st.sampled_from([None, True, False]))
    return {"steps": steps, "rating": rating,
            "rated_after": draw(st.integers(0, len(steps) - 1))}


# A period and the instant it is asked at (after it, or while it runs).
periods = st.tuples(st.integers(0, 40), st.integers(0, 35),
                    st.sampled_from([None, 0, 1, 9 * 60, 14 * 60 + 30, 23 * 60 + 59]))


def _places(o):
    # (competent unit, receiving centre, procedure, version)
    return [(o["commune"], o["commune"], o["birth"], o["birth_v"]),
            (o["justice"], o["commune"], o["land"], o["land_v"]),
            (o["justice"], o["justice"], o["land"], o["land_v"]),
            (o["commune"], o["justice"], o["birth"], o["birth_v"])]


def _summary_rows():
    from egov.onestop.models import StatsDay, StatsDossier
    from egov.onestop.services.stats_summary import KEY, MEASURES

    rows = {tuple(r[k] for k in KEY): tuple(r[m] for m in MEASURES)
            for r in StatsDay.objects.values(*KEY, *MEASURES)}
    per_dossier = {pk: (tuple(r[k] for k in KEY), flags, days) for pk, r, flags, days in (
        (e.dossier_id, StatsDay.objects.filter(pk=e.row_id).values(*KEY).get(), e.flags,
         e.solved_days) for e in StatsDossier.objects.all())}
    return {k: v for k, v in rows.items() if any(v)}, per_dossier


def _as_data(report):
    return ([r.as_dict() for r in report.rows], report.totals.as_dict(), report.extra,
            report.solving)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(histories=st.lists(history(), min_size=1, max_size=8), period=periods)
def test_summary_report_equals_the_live_report(version, histories, period):
    """Random histories — dossiers that end, are returned, rated, corrected after ending (a new
    end time, unit, procedure, channel, result, state), or re-opened — kept by the summary as
    the services keep it; the report through the summary equals the purely live one for every
    grouping, and a rebuild from the dossiers gives the same summary as the increments."""
    from egov.onestop.services.stats_summary import rebuild

    from .stats_fixtures import rate, set_clock

    o = version
    places = _places(o)
    offset, length, asked = period
    start = dt.date(2026, 1, 25) + dt.timedelta(days=offset)
    end = start + dt.timedelta(days=length)
    if asked is None:
        now = at(2027, 1, 1)
    else:  # while the period runs: on one of its days, at that minute
        now = (dt.datetime.combine(start + dt.timedelta(days=length // 2), dt.time.min,
                                   tzinfo=FIRST.tzinfo) + dt.timedelta(minutes=asked))
    sid = transaction.savepoint()
    try:
        for h in histories:
            first_step = h["steps"][0]
            unit, agency, _proc, ver = places[first_step["place"]]
            d = make_dossier(ver, agency, unit, state=first_step["state"],
                             **{k: first_step[k] for k in (
                                 "received_at", "due_at", "ended_at", "paused_since",
                                 "supplement_requests", "channel", "result_medium",
                                 "paused_days")})
            for i, step in enumerate(h["steps"]):
                if i:
                    unit, agency, proc, ver = places[step["place"]]
                    set_clock(d, competent_unit=unit, agency=agency, procedure=proc,
                              version=ver, **{k: v for k, v in step.items() if k != "place"})
                if h["rating"] is not None and i == h["rated_after"]:
                    rate(d, satisfied=h["rating"])
        for group in sel.GROUPS:
            flt = sel.StatsFilter(start=start, end=end, group=group)
            through = sel.stats_report(actor=o["leader"], flt=flt, now=now)
            live = sel.stats_report(actor=o["leader"], flt=flt, now=now, live=True)
            assert _as_data(through) == _as_data(live), (group, start, end, now)
        incremental = _summary_rows()
        rebuild(audit=False)
        assert _summary_rows() == incremental
    finally:
        transaction.savepoint_rollback(sid)
