"""The directives' background work survives a killed worker and a dropped database connection
(issue 12): real `egov worker` processes, really killed (`kill -9`) or cut off from PostgreSQL
(`pg_terminate_backend`) in the middle of a run, for

- the upward sync (https_json adapter → a real HTTP receiver on loopback that keeps each
  Idempotency-Key once), and
- the day's reminders and digests (→ a real SMTP server on loopback),

and the proof of what arrived, and how many times. The bound (docs/directives.md): a change in
flight when its worker is killed is pushed once more with the same Idempotency-Key (the receiver
answers 409, counted as received); a lost connection alone pushes nothing twice; reminders,
their notifications and the digests are never recorded or sent twice."""

# ruff: noqa: F811 - the fixtures are imported from the support modules (no shared conftest)

from __future__ import annotations

from collections import Counter

import pytest
from django_tasks_db.models import DBTaskResult

from egov.core.models import Notification, OutboundMessage
from egov.directives.models import DirectiveReminder, SyncChange
from egov.directives.tasks_remind import directives_remind
from tests import jobs_support as js
from tests.crash_support import WORKER_ENV, HoldingSmtp, terminate_other_backends
from tests.directives.remind_support import (
    D,
    event,
    give,
    with_calendar_and_mail,
)
from tests.directives.sync_support import TOKEN, TOKEN_ENV, make_target, receiver  # noqa: F401

N = 5  # directives, two changes each to push
HOLD = 5  # the change in flight when the worker is killed or cut off
OFFICERS = 8
# no reminders of the real day from the workers' periodic pass
ENV = {**WORKER_ENV, "EGOV_DIRECTIVES_DAILY_SECONDS": "0"}


def _all_sent(model) -> bool:
    return not model.objects.exclude(state="sent").exists()


def _jobs_finished() -> bool:
    statuses = set(DBTaskResult.objects.values_list("status", flat=True))
    assert "FAILED" not in statuses
    return statuses <= {"SUCCESSFUL"}


def _running_job(suffix: str) -> DBTaskResult:
    return DBTaskResult.objects.get(task_path__endswith=suffix, status="RUNNING")


# --- the upward sync ------------------------------------------------------------------------------


def _changes(drc, make_directive, receiver) -> dict[int, list[str]]:
    """An endpoint of the province, N directives given and reported on (two changes each,
    queued in order); their keys by directive."""
    make_target(drc["province"], receiver)
    keys = {}
    for _ in range(N):
        d = make_directive()
        event(d, "progress", progress=50)
        keys[d.pk] = list(SyncChange.objects.filter(directive=d).order_by("id")
                          .values_list("idempotency_key", flat=True))
    assert SyncChange.objects.filter(state="queued").count() == 2 * N
    return keys


def _arrived_in_order(receiver, keys: dict[int, list[str]]) -> None:
    assert sorted(receiver.received) == sorted(k for ks in keys.values() for k in ks)
    for pk, expected in keys.items():
        assert receiver.keys_of(pk) == expected


@pytest.mark.django_db(transaction=True)
def test_sync_survives_a_killed_worker_every_change_once(
        transactional_db, drc, make_directive, receiver, tmp_path):
    keys = _changes(drc, make_directive, receiver)
    receiver.hold_at = HOLD
    log = tmp_path / "worker.log"
    first = js.start_worker(log, **ENV)
    try:
        js.wait_for(receiver.holding.is_set, 90, f"the worker to push change {HOLD}", log)
        killed_job = _running_job("directives_sync_push")
        js.kill9(first.pid)
        first.wait(timeout=10)
    finally:
        js.stop(first)
    receiver.release.set()  # the change arrives; the answer goes to a dead client
    js.wait_for(lambda: len(receiver.requests) == HOLD, 30, "the held change")
    held = receiver.requests[-1]["key"]
    assert SyncChange.objects.get(idempotency_key=held).state == "queued"  # never marked

    second = js.start_worker(log, **ENV)
    try:
        js.wait_for(lambda: _all_sent(SyncChange), 180, "every change pushed", log)
        js.wait_for(lambda: DBTaskResult.objects.get(pk=killed_job.pk).status == "SUCCESSFUL",
                    180, "the killed worker's job taken up", log)
    finally:
        js.stop(second)

    _arrived_in_order(receiver, keys)
    pushes = Counter(r["key"] for r in receiver.requests)
    # the bound: the change in flight was pushed twice with one Idempotency-Key (the receiver
    # kept it once and answered 409 the second time); every other change was pushed once
    assert {k: n for k, n in pushes.items() if n > 1} == {held: 2}
    assert len(receiver.requests) == 2 * N + 1
    assert {r["headers"]["Authorization"] for r in receiver.requests} == {f"Bearer {TOKEN}"}
    assert set(SyncChange.objects.values_list("state", "attempts")) == {("sent", 1)}


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_sync_survives_a_dropped_database_connection_exactly_once(
        transactional_db, drc, make_directive, receiver, tmp_path):
    keys = _changes(drc, make_directive, receiver)
    receiver.hold_at = HOLD
    log = tmp_path / "worker.log"
    worker = js.start_worker(log, **ENV)
    try:
        js.wait_for(receiver.holding.is_set, 90, f"the worker to push change {HOLD}", log)
        assert terminate_other_backends() >= 1, "the worker had no connection to end"
        receiver.release.set()  # the push goes through; marking it meets the ended connection
        js.wait_for(lambda: _all_sent(SyncChange), 180, "every change pushed", log)
        js.wait_for(_jobs_finished, 240, "every job finished", log)
        assert worker.poll() is None, log.read_text()
    finally:
        js.stop(worker)
    assert "database unavailable" in log.read_text()
    _arrived_in_order(receiver, keys)
    assert sorted(r["key"] for r in receiver.requests) == sorted(receiver.received)  # once each
    assert set(SyncChange.objects.values_list("state", "attempts")) == {("sent", 1)}


# --- the reminders and the digests ----------------------------------------------------------------


@pytest.fixture
def smtp():
    server = HoldingSmtp()
    server.start()
    try:
        yield server
    finally:
        server.release.set()
        server.stop()


def _reminded(drc, make_user) -> list[str]:
    """OFFICERS directives, each led by its own officer (with an address), all due on Friday
    19 March 2027: Thursday 18's run reminds each officer once ("before:1"). Their addresses."""
    people = with_calendar_and_mail(drc)
    addresses = []
    for i in range(OFFICERS):
        user = make_user(f"chuyenvien{i}", drc["justice_div"],
                         email=f"chuyenvien{i}@tinh.gov.vn")
        give(people, due=D(2027, 3, 19), lead=user, title=f"Nhiệm vụ số {i}")
        addresses.append(user.email)
    return addresses


def _reminders_done(addresses) -> bool:
    return (DirectiveReminder.objects.count() == len(addresses)
            and OutboundMessage.objects.filter(template_code="directives.digest").count()
            == len(addresses) and _all_sent(OutboundMessage))


def _exactly_once(smtp, addresses) -> None:
    rows = DirectiveReminder.objects.all()
    assert Counter(rows.values_list("recipient__email", flat=True)) == Counter(addresses)
    assert set(rows.values_list("key", "level")) == {("before:1", 0)}
    assert Counter(Notification.objects.values_list("user__email", flat=True)) == \
        Counter(addresses)  # one in-app notification each
    assert smtp.by_recipient() == Counter(addresses)  # one digest e-mail each
    assert set(smtp.by_message_id().values()) == {1}


@pytest.mark.django_db(transaction=True)
def test_reminders_survive_a_killed_worker_nothing_twice(
        transactional_db, drc, make_user, smtp, tmp_path):
    addresses = _reminded(drc, make_user)
    job = directives_remind.enqueue("2027-03-18")
    log = tmp_path / "worker.log"
    env = {**smtp.env(), **ENV, "EGOV_JOB_STEP_DELAY": "0.4"}
    first = js.start_worker(log, **env)
    try:
        js.wait_for(lambda: DirectiveReminder.objects.count() >= 3, 90,
                    "the worker half-way through the reminders", log, interval=0.05)
        js.kill9(first.pid)
        first.wait(timeout=10)
    finally:
        js.stop(first)
    recorded = DirectiveReminder.objects.count()
    assert 3 <= recorded < OFFICERS  # killed mid-run
    assert not OutboundMessage.objects.exists()  # no digest before every reminder is recorded

    second = js.start_worker(log, **env)
    try:
        js.wait_for(lambda: _reminders_done(addresses), 180, "every reminder and digest", log)
        js.wait_for(lambda: DBTaskResult.objects.get(pk=job.id).status == "SUCCESSFUL", 180,
                    "the killed worker's job taken up", log)
    finally:
        js.stop(second)
    _exactly_once(smtp, addresses)
    assert len(DBTaskResult.objects.get(pk=job.id).worker_ids) == 2


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_reminders_survive_a_dropped_database_connection_nothing_twice(
        transactional_db, drc, make_user, smtp, tmp_path):
    addresses = _reminded(drc, make_user)
    directives_remind.enqueue("2027-03-18")
    log = tmp_path / "worker.log"
    worker = js.start_worker(log, **smtp.env(), **ENV, EGOV_JOB_STEP_DELAY="0.4")
    try:
        js.wait_for(lambda: DirectiveReminder.objects.count() >= 3, 90,
                    "the worker half-way through the reminders", log, interval=0.05)
        assert terminate_other_backends() >= 1, "the worker had no connection to end"
        js.wait_for(lambda: _reminders_done(addresses), 180, "every reminder and digest", log)
        js.wait_for(_jobs_finished, 240, "every job finished", log)
        assert worker.poll() is None, log.read_text()
    finally:
        js.stop(worker)
    assert "database unavailable" in log.read_text()
    _exactly_once(smtp, addresses)
