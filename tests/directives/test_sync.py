"""The upward sync (egov.directives.services.sync, plugins https_json): one SyncChange per active
endpoint of the agency and status-changing event, in the changing transaction; pushed in order
per directive with the bearer token and the Idempotency-Key; retried with backoff and jitter
while the endpoint is down; refused changes recorded — against a real HTTP server on loopback
that keeps each key once and is cut off mid-run."""

# ruff: noqa: F811 - the fixtures are imported from the support module

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from egov.directives.models import SyncChange
from egov.directives.plugins.base import (
    PermanentSyncError,
    RetryableSyncError,
    SyncAdapter,
    get_adapter,
    register,
)
from egov.directives.services import sync
from egov.directives.services.records import directive_create
from tests.directives.remind_support import event
from tests.directives.sync_support import TOKEN, make_target, receiver  # noqa: F401

pytestmark = pytest.mark.django_db

KINDS = ["given", "progress", "extension_requested", "extension_approved", "completed",
         "accepted"]


def _life(d):
    """Given, then five status changes (6 changes to push)."""
    event(d, "progress", progress=40)
    event(d, "extension_requested")
    event(d, "extension_approved")
    event(d, "completed", state="submitted", progress=100, submitted_on=timezone.localdate())
    event(d, "accepted", state="done", done_on=timezone.localdate())
    return d


def _drain(rounds=60):
    now = timezone.now()
    for _ in range(rounds):
        sync.push_due(now=now)
        if not SyncChange.objects.filter(state="queued").exists():
            return
        now += timedelta(hours=2)
    raise AssertionError("the queue did not drain")


def _keys(d) -> list[str]:
    return list(SyncChange.objects.filter(directive=d).order_by("id")
                .values_list("idempotency_key", flat=True))


def test_one_change_per_active_target_and_status_event_in_the_same_transaction(
        drc, make_directive, receiver):
    target = make_target(drc["province"], receiver)
    make_target(drc["province"], receiver, name="tắt", active=False)
    make_target(drc["commune"], receiver, name="xã")  # another agency's endpoint
    d = _life(make_directive(support=[drc["finance"]]))
    rows = list(SyncChange.objects.filter(directive=d).select_related("event").order_by("id"))
    assert [r.event.kind for r in rows] == KINDS
    assert {r.target_id for r in rows} == {target.pk}
    assert [r.idempotency_key for r in rows] == [f"{target.pk}:{r.event_id}" for r in rows]
    first, last = rows[0].payload, rows[-1].payload
    assert first["idempotency_key"] == rows[0].idempotency_key
    assert first["directive"]["code"] == d.code and first["directive"]["status"] == \
        "open_on_time"
    assert first["directive"]["agency"]["code"] == "000.00.00.T99"
    assert first["directive"]["lead_unit"]["name"] == "Sở Tư pháp"
    assert last["event"]["kind"] == "accepted" and last["directive"]["status"] == \
        "done_on_time" and last["directive"]["progress"] == 100
    assert [r.payload["sequence"] for r in rows] == sorted(r.event_id for r in rows)
    # events that change nothing the province sees, sub-directives, a rolled-back change
    event(d, "support_progress")
    part = directive_create(actor=drc["justice_head"], title="Phần việc của phòng",
                            lead={"unit_id": drc["justice_div"].pk},
                            due_date=d.due_date, parent=make_directive())
    with pytest.raises(RuntimeError), transaction.atomic():
        event(d, "returned", state="open")
        raise RuntimeError("rolled back")
    assert SyncChange.objects.filter(directive=d).count() == 6
    assert not SyncChange.objects.filter(directive=part).exists()


def test_pushed_in_order_with_the_token_and_the_key_then_never_again(drc, make_directive,
                                                                     receiver):
    make_target(drc["province"], receiver)
    d = _life(make_directive())
    assert sync.push_due() == {"sent": 6, "retry": 0, "failed": 0}
    assert receiver.keys_of(d.pk) == _keys(d)
    request = receiver.requests[0]
    assert request["headers"]["Authorization"] == f"Bearer {TOKEN}"
    assert request["headers"]["Idempotency-Key"] == _keys(d)[0]
    assert request["headers"]["Content-Type"].startswith("application/json")
    assert sync.push_due(now=timezone.now() + timedelta(days=9))["sent"] == 0
    assert len(receiver.requests) == 6
    assert set(SyncChange.objects.values_list("state", "attempts", "last_error")) == {
        ("sent", 1, "")}


def test_cut_off_mid_run_then_back_every_change_once_in_order(drc, make_directive, receiver,
                                                              settings):
    settings.EGOV_DIRECTIVES_SYNC_TIMEOUT = 2
    make_target(drc["province"], receiver)
    directives = [_life(make_directive()) for _ in range(3)]
    now = timezone.now()
    receiver.fail_after = 4  # four changes kept, then 503 in the middle of the run
    assert sync.push_due(now=now) == {"sent": 4, "retry": 1, "failed": 0}
    failed = SyncChange.objects.get(state="queued", attempts=1)
    assert "HTTP 503" in failed.last_error
    receiver.stop()  # then gone altogether: connection refused
    for _ in range(6):
        now += timedelta(hours=2)
        sync.push_due(now=now)
    assert SyncChange.objects.filter(last_error__contains="refused").exists()
    assert SyncChange.objects.filter(state="sent").count() == 4
    receiver.start()
    receiver.mode = "drop"  # back, but the first answer is lost: the change arrived
    now += timedelta(hours=2)
    sync.push_due(now=now)
    receiver.mode = "ok"
    _drain()
    assert len(receiver.received) == 18
    for d in directives:
        assert receiver.keys_of(d.pk) == _keys(d)  # in order per directive
    # resent after the lost answer: the receiver had the key and said 409, counted as sent
    pushes = Counter(r["key"] for r in receiver.requests)
    assert set(receiver.received) == set(pushes)
    assert set(SyncChange.objects.values_list("state", flat=True)) == {"sent"}


def test_a_later_change_waits_while_an_earlier_one_of_its_directive_is_retried(
        drc, make_directive, receiver):
    make_target(drc["province"], receiver)
    a = make_directive()
    b = make_directive()
    first = SyncChange.objects.get(directive=a)
    SyncChange.objects.filter(pk=first.pk).update(
        next_attempt_at=timezone.now() + timedelta(hours=1))  # being retried
    event(a, "progress", progress=10)
    event(b, "progress", progress=10)
    assert sync.push_due() == {"sent": 2, "retry": 0, "failed": 0}  # b's two only
    assert receiver.keys_of(a.pk) == []
    assert sync.push_due(now=timezone.now() + timedelta(hours=2))["sent"] == 2
    assert receiver.keys_of(a.pk) == _keys(a)


def test_backoff_doubles_with_jitter_and_is_capped(settings):
    settings.EGOV_DIRECTIVES_SYNC_BACKOFF_SECONDS = 30
    settings.EGOV_DIRECTIVES_SYNC_BACKOFF_MAX_SECONDS = 3600
    rand = random.Random(7)
    for attempts, full in ((1, 30), (2, 60), (3, 120), (8, 3600), (30, 3600)):
        waits = {sync.backoff_seconds(attempts, rand=rand) for _ in range(50)}
        assert all(full / 2 <= w <= full for w in waits)
        assert len(waits) > 40  # jittered, not one fixed value


def test_a_retry_sets_next_attempt_within_the_jittered_window(drc, make_directive, receiver):
    make_target(drc["province"], receiver)
    make_directive()
    receiver.mode = "503"
    now = timezone.now()
    assert sync.push_due(now=now)["retry"] == 1
    row = SyncChange.objects.get()
    assert (row.state, row.attempts) == ("queued", 1)
    assert now + timedelta(seconds=15) <= row.next_attempt_at <= now + timedelta(seconds=30)
    assert sync.push_due(now=now)["retry"] == 0  # not due yet


def test_a_refused_change_is_recorded_failed_and_the_next_ones_go_on(drc, make_directive,
                                                                     receiver):
    make_target(drc["province"], receiver)
    d = make_directive()
    receiver.mode = "400"
    assert sync.push_due() == {"sent": 0, "retry": 0, "failed": 1}
    row = SyncChange.objects.get(directive=d)
    assert row.state == "failed" and "HTTP 400" in row.last_error
    assert "Mã đơn vị không hợp lệ" in row.last_error
    receiver.mode = "302"  # a redirect is not followed (a POST would become a GET)
    event(d, "progress", progress=20)
    assert sync.push_due() == {"sent": 0, "retry": 0, "failed": 1}
    assert "HTTP 302" in SyncChange.objects.get(directive=d, state="failed",
                                                event__kind="progress").last_error
    receiver.mode = "ok"
    event(d, "progress", progress=30)
    assert sync.push_due()["sent"] == 1
    assert len(receiver.received) == 1


def test_a_409_naming_another_key_is_a_conflict_and_missing_token_waits(drc, make_directive,
                                                                       receiver, monkeypatch):
    target = make_target(drc["province"], receiver)
    d = make_directive()
    change = SyncChange.objects.get(directive=d)
    receiver.received["9:9"] = {"directive": {"id": 0}}
    original = change.idempotency_key
    change.idempotency_key = "9:9"  # the receiver has it: 409 naming the same key → sent
    get_adapter("https_json").push(target, change)
    change.idempotency_key = original
    monkeypatch.delenv("EGOV_TEST_DIRECTIVES_SYNC_TOKEN")
    with pytest.raises(RetryableSyncError, match="not set"):
        get_adapter("https_json").push(target, change)
    target.url = "http://tinh.example.vn/api"
    with pytest.raises(PermanentSyncError, match="https"):
        get_adapter("https_json").push(target, change)
    assert receiver.requests[0]["key"] == "9:9" and len(receiver.requests) == 1


def test_an_adapter_behind_the_same_interface_and_an_unknown_one_waits(drc, make_directive,
                                                                      receiver):
    seen = []

    class Recording(SyncAdapter):
        name = "recording"

        def push(self, target, change) -> None:
            seen.append(change.idempotency_key)

    register("recording", Recording)
    make_target(drc["province"], receiver, adapter="recording")
    missing = make_target(drc["province"], receiver, adapter="no-such-adapter", name="x")
    make_directive()
    counts = sync.push_due()
    assert counts == {"sent": 1, "retry": 1, "failed": 0}
    assert len(seen) == 1
    assert "no sync adapter" in SyncChange.objects.get(target=missing).last_error


def test_admin_lists_targets_and_changes_read_only(drc, make_directive, receiver, client):
    make_target(drc["province"], receiver)
    make_directive()
    client.force_login(drc["superuser"])
    for url in ("/admin/directives/synctarget/", "/admin/directives/syncchange/",
                "/admin/directives/synctarget/add/"):
        response = client.get(url)
        assert response.status_code == 200, url
    change = SyncChange.objects.get()
    response = client.get(f"/admin/directives/syncchange/{change.pk}/change/")
    assert response.status_code == 200 and b'name="_save"' not in response.content
