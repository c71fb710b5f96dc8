"""The statistics summary of ended dossiers (services/stats_summary.py): kept by the dossier
services' hook and the rating service in the writing transaction, moved when a dossier changes
after ending, rebuilt idempotently by `egov onestop_stats_rebuild`, and correct when two
dossiers end on the same day in parallel transactions (PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import io
import threading

import pytest
from django.core.management import call_command
from django.db import transaction

from egov.core.models import AuditEvent
from egov.onestop.models import Dossier, StatsDay, StatsDossier
from egov.onestop.selectors import stats as sel
from egov.onestop.services import intake, rating
from egov.onestop.services import processing as p

from . import services_support as support
from .services_support import ALL, APPLICANT, at, make_procedure
from .stats_fixtures import set_clock, stats_org  # noqa: F401

desk, clock = support.desk, support.clock  # fixtures


def _received(desk, clock, when):
    clock(when)
    return intake.dossier_intake(actor=desk["officer"], agency=desk["commune"],
                                 procedure_code="1.001234", applicant=APPLICANT,
                                 components=ALL).dossier


def _rows():
    return {(r.day, r.kind): (r.n, r.resolved, r.dissatisfied, r.stopped, r.solved_days)
            for r in StatsDay.objects.all() if r.n}


def _same_as_live(actor, start, end):
    flt = sel.StatsFilter(start=start, end=end)
    now = at(2027, 1, 1)
    a = sel.stats_report(actor=actor, flt=flt, now=now)
    b = sel.stats_report(actor=actor, flt=flt, now=now, live=True)
    assert [r.as_dict() for r in a.rows] == [r.as_dict() for r in b.rows]
    assert (a.extra, a.solving) == (b.extra, b.solving)
    return a


@pytest.mark.django_db
def test_the_services_keep_the_summary(desk, clock):
    make_procedure(days=5)
    d = _received(desk, clock, at(2026, 12, 1, 9))
    assert not StatsDay.objects.exists()  # open: judged live, not in the summary
    clock(at(2026, 12, 1, 10))
    p.dossier_forward(actor=desk["officer"], code=d.code)
    clock(at(2026, 12, 4, 10))
    p.dossier_resolve(actor=desk["leader"], code=d.code, medium="paper", number="1/GKS")
    # Ended Friday 4/12 before its due day (8/12): early, with a result; 3 working days.
    assert _rows() == {(dt.date(2026, 12, 4), "early"): (1, 1, 0, 0, 3)}
    clock(at(2026, 12, 7, 9))
    p.dossier_return(actor=desk["officer"], code=d.code)  # same row, same counts
    assert _rows() == {(dt.date(2026, 12, 4), "early"): (1, 1, 0, 0, 3)}
    rating.dossier_rate(token=d.public_token, satisfied=False)
    assert _rows() == {(dt.date(2026, 12, 4), "early"): (1, 1, 1, 0, 3)}
    e = _received(desk, clock, at(2026, 12, 7, 10))
    clock(at(2026, 12, 8, 10))
    p.dossier_stop(actor=desk["leader"], code=e.code, reason="Người nộp đề nghị dừng")
    assert _rows()[(dt.date(2026, 12, 8), "early")] == (1, 0, 0, 1, 0)
    report = _same_as_live(desk["leader"], dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    assert (report.totals["early"], report.totals["stopped"], report.extra["dissatisfied"]) == (
        2, 1, 1)
    assert StatsDossier.objects.count() == 2


@pytest.mark.django_db
def test_a_rolled_back_change_leaves_the_summary(desk, clock):
    make_procedure(days=5)
    d = _received(desk, clock, at(2026, 12, 1, 9))
    clock(at(2026, 12, 1, 10))
    p.dossier_forward(actor=desk["officer"], code=d.code)
    with pytest.raises(RuntimeError), transaction.atomic():
        p.dossier_resolve(actor=desk["leader"], code=d.code, medium="paper", number="1")
        assert StatsDay.objects.filter(n=1).exists()
        raise RuntimeError("rolled back")
    assert not StatsDay.objects.exists() and not StatsDossier.objects.exists()


@pytest.mark.django_db
def test_a_correction_after_ending_moves_the_row(stats_org):  # noqa: F811
    o = stats_org
    from .stats_fixtures import make_dossier

    d = make_dossier(o["birth_v"], o["commune"], received_at=at(2026, 2, 2),
                     due_at=at(2026, 2, 5), ended_at=at(2026, 2, 4), state="resolved")
    assert _rows() == {(dt.date(2026, 2, 4), "early"): (1, 1, 0, 0, 2)}
    # The end time was wrong: it ended on 6/2, after the due time.
    set_clock(d, ended_at=at(2026, 2, 6, 10))
    assert _rows() == {(dt.date(2026, 2, 6), "late"): (1, 1, 0, 0, 4)}
    assert StatsDay.objects.get(day=dt.date(2026, 2, 4)).n == 0  # decremented, kept
    # A unit and channel correction on the same day: the row with the new key.
    set_clock(d, competent_unit=o["justice"], channel="online")
    row = StatsDossier.objects.get(pk=d.pk).row
    assert (row.competent_unit, row.channel, row.n) == (o["justice"], "online", 1)
    # Re-opened (the end was recorded by mistake): out of the summary, judged live again.
    set_clock(d, ended_at=None, state="processing")
    assert _rows() == {} and not StatsDossier.objects.exists()
    _same_as_live(o["leader"], dt.date(2026, 2, 1), dt.date(2026, 2, 28))


@pytest.mark.django_db
def test_rebuild_is_idempotent_and_equals_the_increments(stats_org):  # noqa: F811
    o = stats_org
    from .stats_fixtures import make_dossier, rate

    for day in (2, 3, 3, 9):
        d = make_dossier(o["birth_v"], o["commune"], received_at=at(2026, 2, day - 1),
                         due_at=at(2026, 2, 5), ended_at=at(2026, 2, day), state="returned",
                         channel="online", result_medium="electronic")
    rate(d, satisfied=False)
    make_dossier(o["land_v"], o["commune"], o["justice"], received_at=at(2026, 2, 2),
                 due_at=at(2026, 2, 20))  # open: no share
    before = _rows()
    Dossier.objects.filter(pk=d.pk).update(ended_at=at(2026, 2, 10))  # past the hook
    out = io.StringIO()
    call_command("onestop_stats_rebuild", stdout=out)
    assert "4 ended dossiers in 3 rows" in out.getvalue()
    after = _rows()
    assert after == {**{k: v for k, v in before.items() if k[0] != dt.date(2026, 2, 9)},
                     (dt.date(2026, 2, 10), "late"): (1, 1, 1, 0, 2)}
    call_command("onestop_stats_rebuild", stdout=io.StringIO())
    assert _rows() == after and StatsDossier.objects.count() == 4
    assert AuditEvent.objects.filter(action="onestop.stats.rebuild").count() == 2
    _same_as_live(o["leader"], dt.date(2026, 2, 1), dt.date(2026, 2, 28))


@pytest.mark.postgres
def test_two_dossiers_ending_the_same_day_in_parallel_both_count(transactional_db, org, make_user):
    """Both transactions add to the same (new) row while the other is open: the upsert's
    increment waits for the first to commit and adds to it, so nothing is lost. (SQLite runs
    one writing transaction at a time: there the threads only start together.)"""
    from django.db import connection

    from egov.onestop.models import ProcedureVersion
    from egov.onestop.services.stats_summary import dossier_refresh
    from tests.concurrency import run_threads

    from .stats_fixtures import make_dossier

    version = ProcedureVersion.objects.get(procedure=make_procedure())
    made = [make_dossier(version, org["commune"], received_at=at(2026, 2, 2),
                         due_at=at(2026, 2, 9)) for _ in range(4)]
    both_in = threading.Barrier(len(made))

    pg = connection.vendor == "postgresql"

    def end(i: int) -> None:
        with transaction.atomic():
            d = Dossier.objects.select_for_update(no_key=True).get(pk=made[i].pk)
            d.state, d.ended_at = "resolved", at(2026, 2, 4, 9 + i)
            d.save(update_fields=["state", "ended_at"])
            if pg:
                both_in.wait(timeout=30)  # every transaction open before any writes the row
            dossier_refresh(d)
            if pg:
                with connection.cursor() as cur:
                    cur.execute("SELECT pg_sleep(0.2)")  # hold the row lock a moment

    errors = run_threads(end, len(made))
    assert not errors, errors
    assert _rows() == {(dt.date(2026, 2, 4), "early"): (4, 4, 0, 0, 8)}
    assert StatsDay.objects.count() == 1 and StatsDossier.objects.count() == 4
