"""The national databases' sync (issue 13: "an export/sync plugin interface … a test double here,
same interface as a real adapter; retries, no duplicates"; services.md §3.6): one queued row per
registered event, written and rolled back with the registration; retries with backoff; the same
key never recorded twice; the birth's personal ID from the answer; a killed worker and a dropped
database connection lose and duplicate nothing (real `egov worker` processes against a real
HTTP server, as tests/onestop/test_background_crash.py does)."""

# ruff: noqa: F811 - the portal fixture is imported from the one-stop support module

from __future__ import annotations

import datetime as dt
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from egov.civil import sync
from egov.civil.models import CivilSync, Person
from egov.civil.services.records import register_birth, register_death
from egov.core.errors import AppError
from tests import jobs_support as js
from tests.crash_support import WORKER_ENV, terminate_other_backends
from tests.onestop.notify_support import portal  # noqa: F401 - a national server on loopback


@pytest.fixture
def double(settings):
    settings.EGOV_CIVIL_NATIONAL_DB = sync.DEFAULT_ADAPTER
    sync.reset_adapter()
    adapter = sync.get_adapter()
    yield adapter
    sync.reset_adapter()


def birth(civ, name="Nguyễn Văn An", days_old=10, **kw):
    born = timezone.localdate() - dt.timedelta(days=days_old)
    return register_birth(actor=civ["registrar"], child={
        "full_name": name, "sex": "male", "birth_date": born.isoformat(),
        "birth_place": "Trạm y tế xã", "residence": "Thôn 3"}, **kw)


def child_of(event) -> Person:
    return event.parties.get(role="child").person


# --- queued with the registration ---------------------------------------------------------------


@pytest.mark.django_db
def test_each_event_is_queued_once_with_the_facts_the_national_database_needs(civ, double):
    event = birth(civ, mother={"full_name": "Trần Thị Bình", "sex": "female",
                               "personal_id": "001190001234", "residence": "Thôn 3"})
    row = CivilSync.objects.get()
    assert row.event == event and row.key == f"civil-event:{event.pk}"
    assert row.state == "queued" and row.attempts == 0
    payload = row.payload
    assert payload["kind"] == "birth" and payload["entry_number"] == event.entry_number
    assert payload["commune"] == civ["commune"].electronic_id
    child, mother = payload["persons"]
    assert child["role"] == "child" and child["full_name"] == "Nguyễn Văn An"
    assert child["birth_place"] == "Trạm y tế xã" and child["personal_id"] is None
    assert mother == {"role": "mother", "full_name": "Trần Thị Bình", "sex": "female",
                      "birth_date": None, "personal_id": "001190001234"}
    assert "Thôn 3" not in str(payload) and "residence" not in str(payload)  # no address
    assert "Lê Thị Hộ Tịch" not in str(payload)  # no officer's name


@pytest.mark.django_db
def test_a_registration_rolled_back_or_refused_queues_nothing(civ, double):
    with pytest.raises(RuntimeError), transaction.atomic():
        birth(civ)
        assert CivilSync.objects.count() == 1
        raise RuntimeError("the registration's transaction fails after the hook")
    assert not CivilSync.objects.exists()
    with pytest.raises(AppError):
        birth(civ, days_old=-3)  # born after the registration date: refused
    assert not CivilSync.objects.exists()
    assert sync.push_due() == {"sent": 0, "retry": 0, "failed": 0}
    assert double.calls == []


# --- sending ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_failures_are_retried_with_backoff_until_success_and_the_birth_gets_its_id(
        civ, double, settings):
    settings.EGOV_CIVIL_SYNC_BACKOFF_SECONDS = 30
    event = birth(civ)
    double.fail_next = 2
    t0 = timezone.now()
    assert sync.push_due(now=t0) == {"sent": 0, "retry": 1, "failed": 0}
    row = CivilSync.objects.get()
    assert row.attempts == 1 and "unavailable" in row.last_error
    assert row.next_attempt_at == t0 + dt.timedelta(seconds=30)
    assert sync.push_due(now=t0 + dt.timedelta(seconds=29))["retry"] == 0  # not due yet
    t1 = t0 + dt.timedelta(seconds=30)
    assert sync.push_due(now=t1)["retry"] == 1
    row.refresh_from_db()
    assert row.next_attempt_at == t1 + dt.timedelta(seconds=60)  # doubled
    assert child_of(event).personal_id is None
    assert sync.push_due(now=t1 + dt.timedelta(seconds=60))["sent"] == 1
    row.refresh_from_db()
    assert (row.state, row.attempts, row.last_error) == ("sent", 3, "")
    pid = double.answers[row.key].personal_id
    assert len(pid) == 12 and pid.isdigit()
    assert row.personal_id == pid and child_of(event).personal_id == pid
    assert double.calls == [row.key] * 3 and list(double.received) == [row.key]
    assert sync.push_due(now=t1 + dt.timedelta(days=1))["sent"] == 0  # never taken again


@pytest.mark.django_db
def test_an_answer_lost_to_a_timeout_is_pushed_again_and_recorded_once(civ, double):
    event = birth(civ)
    double.timeout_next = 1  # the database takes the push; its answer never arrives
    now = timezone.now()
    assert sync.push_due(now=now)["retry"] == 1
    assert len(double.received) == 1
    assert sync.push_due(now=now + dt.timedelta(hours=1))["sent"] == 1
    row = CivilSync.objects.get()
    assert double.calls == [row.key, row.key] and len(double.received) == 1
    # the second push got the first answer: one record, one personal ID
    assert child_of(event).personal_id == double.answers[row.key].personal_id
    assert double.push(key=row.key, payload={"kind": "birth"}) == double.answers[row.key]
    assert len(double.received) == 1 and double.received[row.key]["persons"]


@pytest.mark.django_db
def test_a_death_waits_for_the_persons_birth_and_carries_the_issued_id(civ, double):
    event = birth(civ, "Phạm Văn Bé", days_old=5)
    kid = child_of(event)
    double.fail_next = 1
    now = timezone.now()
    assert sync.push_due(now=now)["retry"] == 1
    register_death(actor=civ["registrar"], person={"id": kid.pk},
                   death_date=timezone.localdate().isoformat())
    death_row = CivilSync.objects.get(event__kind="death")
    # the birth is due later (its backoff): the death does not overtake it
    assert sync.push_due(now=now)["sent"] == 0
    assert sync.push_due(now=now + dt.timedelta(hours=2))["sent"] == 2
    assert list(double.received) == [f"civil-event:{event.pk}", death_row.key]
    pid = Person.objects.get(pk=kid.pk).personal_id
    deceased = double.received[death_row.key]["persons"][0]
    assert deceased["role"] == "deceased" and deceased["personal_id"] == pid
    assert deceased["death_date"] == timezone.localdate().isoformat()


@pytest.mark.django_db
def test_a_refused_payload_ends_failed_and_is_listed(civ, double):
    first, second = birth(civ), birth(civ, "Lê Văn Hai")
    double.reject_keys = {f"civil-event:{first.pk}"}
    assert sync.push_due() == {"sent": 1, "retry": 0, "failed": 1}
    assert [r.event_id for r in sync.failures()] == [first.pk]
    out = StringIO()
    call_command("civil_sync", "--failures", stdout=out)
    assert f"civil-event:{first.pk}\tbirth\tfailed" in out.getvalue()
    assert f"civil-event:{second.pk}" not in out.getvalue()


@pytest.mark.django_db
def test_an_issued_id_never_overwrites_or_duplicates_one(civ, double):
    has_one = birth(civ, mother=None)
    Person.objects.filter(pk=child_of(has_one).pk).update(personal_id="001200000001")
    taken = birth(civ, "Lê Văn Hai")
    double.next_id = 5
    Person.objects.filter(pk=child_of(birth(civ, "Mẹ Có Số", days_old=9000)).pk).update(
        personal_id="099000000006")  # the ID the double will give the second birth
    assert sync.push_due()["sent"] == 3
    assert child_of(has_one).personal_id == "001200000001"  # kept
    assert child_of(taken).personal_id is None  # the issued one is held by another record
    assert Person.objects.filter(personal_id="099000000006").count() == 1


# --- a killed worker, a dropped connection (real workers, a real HTTP server) ------------------

N = 6
HOLD = 3


def _births(civ) -> list[str]:
    events = [birth(civ, f"Trẻ Số {i}") for i in range(N)]
    return [f"civil-event:{e.pk}" for e in events]


def _env(portal) -> dict[str, str]:
    return {"EGOV_CIVIL_NATIONAL_DB": "egov.civil.sync.HttpNationalDatabase",
            "EGOV_CIVIL_NATIONAL_DB_URL": portal.url, "EGOV_CIVIL_NATIONAL_DB_TOKEN": "t-9",
            "EGOV_CIVIL_NATIONAL_DB_TIMEOUT": "60", **WORKER_ENV}


def _all_sent() -> bool:
    return not CivilSync.objects.exclude(state="sent").exists()


@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_loses_nothing_and_the_receiver_keeps_each_event_once(
        transactional_db, civ, portal, tmp_path):
    keys = _births(civ)
    portal.hold_at = HOLD
    log = tmp_path / "worker.log"
    first = js.start_worker(log, **_env(portal))
    try:
        js.wait_for(portal.holding.is_set, 90, f"the worker to push event {HOLD}", log)
        js.kill9(first.pid)
        first.wait(timeout=10)
    finally:
        js.stop(first)
    portal.release.set()  # the push arrives; its answer goes to a dead worker
    js.wait_for(lambda: len(portal.requests) == HOLD, 30, "the held push")
    held = portal.requests[-1]["key"]
    assert CivilSync.objects.get(key=held).state == "queued"  # never marked
    second = js.start_worker(log, **_env(portal))
    try:
        js.wait_for(_all_sent, 180, "every event pushed", log)
    finally:
        js.stop(second)
    assert sorted(portal.received) == sorted(keys)  # each event kept once by its key
    pushes = Counter(r["key"] for r in portal.requests)
    assert {k: n for k, n in pushes.items() if n > 1} == {held: 2}  # one key, pushed again
    assert {r["headers"]["Authorization"] for r in portal.requests} == {"Bearer t-9"}
    assert set(CivilSync.objects.values_list("state", "attempts")) == {("sent", 1)}
    assert set(CivilSync.objects.values_list("remote_ref", flat=True)) == {
        f"dvc-{k}" for k in keys}


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_dropped_database_connection_pushes_each_event_exactly_once(
        transactional_db, civ, portal, tmp_path):
    keys = _births(civ)
    portal.hold_at = HOLD
    log = tmp_path / "worker.log"
    worker = js.start_worker(log, **_env(portal))
    try:
        js.wait_for(portal.holding.is_set, 90, f"the worker to push event {HOLD}", log)
        assert terminate_other_backends() >= 1, "the worker had no connection to end"
        portal.release.set()  # the push goes through; marking it meets the ended connection
        js.wait_for(_all_sent, 180, "every event pushed", log)
        assert worker.poll() is None, log.read_text()
    finally:
        js.stop(worker)
    assert "database unavailable" in log.read_text()
    assert sorted(r["key"] for r in portal.requests) == sorted(keys)  # exactly once each
    assert set(CivilSync.objects.values_list("state", "attempts")) == {("sent", 1)}
