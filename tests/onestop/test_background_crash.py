"""The one-stop desk's background work survives a killed worker and a dropped database connection
(issue 10): real `egov worker` processes, really killed (`kill -9`) or cut off from PostgreSQL
(`pg_terminate_backend`) in the middle of a run, sending

- the applicants' receipts (core outbox) to a real SMTP server on loopback, and
- the dossier changes (national sync) to a real HTTP server on loopback standing for the
  national portal (the HttpNationalPortal adapter),

and the proof that every message and every change arrived, and how many times.

The exact bound (docs/onestop.md "Background work and crashes"): a worker that dies after the
provider took a message but before its commit leaves the message queued, so it is sent once more
— one extra copy per killed worker, with the same Message-ID (the same Idempotency-Key for the
portal, whose receiver keeps each key once). A worker that only loses its database connection
remembers what it sent and marks it when the database is back: nothing is sent twice."""

# ruff: noqa: F811 - the fixtures are imported from the support modules (no shared conftest)

from __future__ import annotations

from collections import Counter

import pytest
from django_tasks_db.models import DBTaskResult

from egov.core.models import OutboundMessage
from egov.onestop.models import NationalSync
from tests import jobs_support as js
from tests.crash_support import WORKER_ENV, smtp, terminate_other_backends  # noqa: F401
from tests.onestop.notify_support import (  # noqa: F401 - fixtures
    change,
    intake,
    portal,
    procedure,
)

N = 10  # receipts
HOLD = 5  # the message / change in flight when the worker is killed or cut off


def _receipts(intake, n: int = N) -> list[str]:
    """n dossiers received at the counter, each queuing one e-mail receipt (no phone: no SMS);
    the applicants' addresses."""
    addresses = [f"nguoi.nop.{i}@example.vn" for i in range(n)]
    for address in addresses:
        intake(email=address, phone="")
    assert OutboundMessage.objects.filter(state="queued", channel="email").count() == n
    return addresses


def _all_sent(model) -> bool:
    return not model.objects.exclude(state="sent").exists()


def _jobs_finished() -> bool:
    """No job waiting or running; none failed (a job cut off by the lost connection was run
    again, not recorded FAILED)."""
    statuses = set(DBTaskResult.objects.values_list("status", flat=True))
    assert "FAILED" not in statuses
    return statuses <= {"SUCCESSFUL"}


def _running_job(suffix: str) -> DBTaskResult:
    return DBTaskResult.objects.get(task_path__endswith=suffix, status="RUNNING")


# --- the receipts (outbox → SMTP) ---------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_receipts_survive_a_killed_worker_one_extra_copy_at_most(intake, smtp, tmp_path):
    addresses = _receipts(intake)
    smtp.hold_at = HOLD
    log = tmp_path / "worker.log"
    env = {**smtp.env(), **WORKER_ENV}
    first = js.start_worker(log, **env)
    try:
        js.wait_for(smtp.holding.is_set, 90, f"the worker to send receipt {HOLD}", log)
        killed_job = _running_job("outbox_send")
        js.kill9(first.pid)
        first.wait(timeout=10)
    finally:
        js.stop(first)
    # the server has the held message; its "250" never reached the killed worker
    assert len(smtp.messages) == HOLD
    assert OutboundMessage.objects.filter(state="sent").count() == HOLD - 1
    smtp.release.set()
    held = smtp.messages[-1]
    assert OutboundMessage.objects.get(recipient=held["To"]).state == "queued"  # never marked

    second = js.start_worker(log, **env)
    try:
        js.wait_for(lambda: _all_sent(OutboundMessage), 180, "every receipt sent", log)
        js.wait_for(lambda: DBTaskResult.objects.get(pk=killed_job.pk).status == "SUCCESSFUL",
                    180, "the killed worker's job taken up", log)
    finally:
        js.stop(second)

    ids = smtp.by_message_id()
    sent = OutboundMessage.objects.filter(channel="email")
    assert set(ids) == set(sent.values_list("provider_id", flat=True)) and len(ids) == N
    # the bound: the one message in flight when the worker died arrived twice, the same
    # Message-ID both times (a receiver can drop the copy); every other one exactly once
    assert {mid: n for mid, n in ids.items() if n > 1} == {held["Message-ID"]: 2}
    assert smtp.by_recipient() == Counter({a: 2 if a == held["To"] else 1 for a in addresses})
    assert set(sent.values_list("state", "attempts")) == {("sent", 1)}
    assert len(DBTaskResult.objects.get(pk=killed_job.pk).worker_ids) == 2


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_receipts_survive_a_dropped_database_connection_exactly_once(intake, smtp, tmp_path):
    addresses = _receipts(intake)
    smtp.hold_at = HOLD
    log = tmp_path / "worker.log"
    worker = js.start_worker(log, **smtp.env(), **WORKER_ENV)
    try:
        js.wait_for(smtp.holding.is_set, 90, f"the worker to send receipt {HOLD}", log)
        assert terminate_other_backends() >= 1, "the worker had no connection to end"
        smtp.release.set()  # the send goes through; marking it meets the ended connection
        js.wait_for(lambda: _all_sent(OutboundMessage), 180, "every receipt sent", log)
        js.wait_for(_jobs_finished, 240, "every job finished", log)
        assert worker.poll() is None, log.read_text()
    finally:
        js.stop(worker)
    assert "database unavailable" in log.read_text()
    ids = smtp.by_message_id()
    assert len(smtp.messages) == N and set(ids.values()) == {1}  # exactly once each
    assert smtp.by_recipient() == Counter(addresses)
    assert set(ids) == set(OutboundMessage.objects.values_list("provider_id", flat=True))
    assert set(OutboundMessage.objects.values_list("state", "attempts")) == {("sent", 1)}


# --- the national portal sync (HttpNationalPortal → HTTP) ---------------------------------------


def _changes(intake, dossiers: int = N // 2) -> dict[str, list[str]]:
    """Dossiers received and forwarded (two changes each, queued in order); their keys."""
    keys = {}
    for _ in range(dossiers):
        dossier = intake(email="", phone="")
        change(dossier, "forwarded", "processing", current_step=1)
        keys[dossier.code] = [f"{dossier.code}:1", f"{dossier.code}:2"]
    assert NationalSync.objects.filter(state="queued").count() == 2 * dossiers
    return keys


def _portal_env(portal) -> dict[str, str]:
    return {"EGOV_NATIONAL_PORTAL": "egov.onestop.national.HttpNationalPortal",
            "EGOV_NATIONAL_PORTAL_URL": portal.url, "EGOV_NATIONAL_PORTAL_TOKEN": "t-123",
            "EGOV_NATIONAL_PORTAL_TIMEOUT": "60", **WORKER_ENV}


def _arrived_in_order(portal, keys: dict[str, list[str]]) -> None:
    assert sorted(portal.received) == sorted(k for ks in keys.values() for k in ks)
    for code, expected in keys.items():
        assert portal.keys_of(code) == expected  # revision 1 before revision 2


@pytest.mark.django_db(transaction=True)
def test_national_sync_survives_a_killed_worker_every_change_once(intake, portal, tmp_path):
    keys = _changes(intake)
    portal.hold_at = HOLD
    log = tmp_path / "worker.log"
    first = js.start_worker(log, **_portal_env(portal))
    try:
        js.wait_for(portal.holding.is_set, 90, f"the worker to push change {HOLD}", log)
        killed_job = _running_job("national_push")
        js.kill9(first.pid)
        first.wait(timeout=10)
    finally:
        js.stop(first)
    portal.release.set()  # the change arrives; the answer goes to a dead client
    js.wait_for(lambda: len(portal.requests) == HOLD, 30, "the held change")
    held = portal.requests[-1]["key"]
    assert NationalSync.objects.get(key=held).state == "queued"  # never marked

    second = js.start_worker(log, **_portal_env(portal))
    try:
        js.wait_for(lambda: _all_sent(NationalSync), 180, "every change pushed", log)
        js.wait_for(lambda: DBTaskResult.objects.get(pk=killed_job.pk).status == "SUCCESSFUL",
                    180, "the killed worker's job taken up", log)
    finally:
        js.stop(second)

    _arrived_in_order(portal, keys)
    pushes = Counter(r["key"] for r in portal.requests)
    # the bound: the change in flight was pushed twice with one Idempotency-Key (the receiver
    # kept it once); every other change was pushed once
    assert {k: n for k, n in pushes.items() if n > 1} == {held: 2}
    assert len(portal.requests) == 2 * len(keys) + 1
    assert {r["headers"]["Authorization"] for r in portal.requests} == {"Bearer t-123"}
    assert set(NationalSync.objects.values_list("state", "attempts")) == {("sent", 1)}


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_national_sync_survives_a_dropped_database_connection_exactly_once(intake, portal,
                                                                           tmp_path):
    keys = _changes(intake)
    portal.hold_at = HOLD
    log = tmp_path / "worker.log"
    worker = js.start_worker(log, **_portal_env(portal))
    try:
        js.wait_for(portal.holding.is_set, 90, f"the worker to push change {HOLD}", log)
        assert terminate_other_backends() >= 1, "the worker had no connection to end"
        portal.release.set()
        js.wait_for(lambda: _all_sent(NationalSync), 180, "every change pushed", log)
        js.wait_for(_jobs_finished, 240, "every job finished", log)
        assert worker.poll() is None, log.read_text()
    finally:
        js.stop(worker)
    assert "database unavailable" in log.read_text()
    _arrived_in_order(portal, keys)
    assert sorted(r["key"] for r in portal.requests) == sorted(portal.received)  # once each
    assert set(NationalSync.objects.values_list("state", "attempts")) == {("sent", 1)}


# --- the worker's side of a lost connection -----------------------------------------------------


@pytest.mark.django_db
def test_a_job_cut_off_too_often_ends_failed_and_runs_the_modules_hook(settings):
    """A job whose connection was lost goes back to the queue; after its last attempt it ends
    FAILED with the reason, and the module's failure hook runs (as for a dead worker)."""
    import datetime as dt

    from django.utils import timezone

    from egov.core import jobs
    from egov.core.management.commands.worker import EgovWorker
    from tests import jobs_tasks

    settings.EGOV_JOB_MAX_ATTEMPTS = 2
    seen: list[tuple] = []

    @jobs.on_failure(jobs_tasks.unlucky)
    def hook(n, *, reason):
        seen.append((n, reason))

    worker = EgovWorker(queue_names=["*"], interval=0, batch=True, backend_name="default",
                        startup_delay=False, max_tasks=None, worker_id="w2",
                        excluded_queue_names=[])
    try:
        results = []
        for n, workers in ((1, ["w1"]), (2, ["w1", "w2"])):
            result = jobs_tasks.unlucky.enqueue(n)
            DBTaskResult.objects.filter(pk=result.id).update(
                status="RUNNING", worker_ids=workers,
                started_at=timezone.now() - dt.timedelta(seconds=5))
            worker.orphan = DBTaskResult.objects.get(pk=result.id)
            worker._requeue_orphan()
            results.append(DBTaskResult.objects.get(pk=result.id))
    finally:
        jobs._failure_handlers[jobs_tasks.unlucky.module_path].remove(hook)
    assert [r.status for r in results] == ["READY", "FAILED"]  # again; then out of attempts
    assert "connection was lost" in results[1].traceback
    assert seen == [(2, "OperationalError: the database connection was lost while running "
                        "this job")]


@pytest.mark.django_db
def test_only_a_lost_connection_counts_as_one():
    """A statement's own error (here a missing table) is the job's failure; only a connection
    that went away sends the job back to the queue (the PostgreSQL cases are above)."""
    from django.db import DatabaseError, InterfaceError, connection

    from egov.core import jobs

    with pytest.raises(DatabaseError) as err:
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM no_such_table_here")
    assert not jobs.is_connection_loss(err.value)
    assert jobs.is_connection_loss(InterfaceError("connection already closed"))
