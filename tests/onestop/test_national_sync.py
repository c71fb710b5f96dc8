"""The national portal sync (egov.onestop.national): a NationalSync row per dossier change in the
writing transaction, pushed in order per dossier, with retries and backoff, never twice — against
a real HTTP server on loopback that records requests, de-duplicates by key and can be switched to
fail (500, connection refused) mid-run. The counter keeps working while the portal and the SMS
operator are down, and everything catches up afterwards exactly once."""

# ruff: noqa: F811 - the fixtures are imported from the support modules (no shared conftest)

from __future__ import annotations

import json
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from egov.core import outbox
from egov.core.models import OutboundMessage
from egov.onestop import national
from egov.onestop.models import NationalSync
from tests.concurrency import run_threads
from tests.core.test_outbox import FlakySms, Killed, sms  # noqa: F401 - the SMS fixture
from tests.onestop.notify_support import (  # noqa: F401 - fixtures
    change,
    intake,
    portal,
    procedure,
)

pytestmark = pytest.mark.django_db


def _lifecycle(intake):
    """A dossier through receipt, forwarding, a supplement and the result: 6 changes."""
    dossier = intake()
    dossier, _ = change(dossier, "forwarded", "processing", current_step=1)
    dossier, _ = change(dossier, "supplement_requested", "supplement", supplement_requests=1)
    dossier, _ = change(dossier, "supplement_received", "processing")
    dossier, _ = change(dossier, "resolved", "resolved", ended_at=timezone.now(),
                        result_number="123/GKS")
    dossier, _ = change(dossier, "returned", "returned", returned_at=timezone.now())
    return dossier


STATUSES = [2, 4, 5, 4, 9, 10]


def _drain(until_empty=True, rounds=50):
    """Run the push job until nothing is queued, the clock moved past every backoff."""
    now = timezone.now()
    for _ in range(rounds):
        national.national_push_due(now=now)
        if not NationalSync.objects.filter(state="queued").exists():
            return
        now += timedelta(hours=2)
    if until_empty:
        raise AssertionError("the queue did not drain")


def test_every_change_is_queued_with_the_dvcqg_fields(intake):
    dossier = _lifecycle(intake)
    rows = list(NationalSync.objects.filter(dossier=dossier).order_by("revision"))
    assert [r.revision for r in rows] == [1, 2, 3, 4, 5, 6]
    assert [r.key for r in rows] == [f"{dossier.code}:{n}" for n in range(1, 7)]
    assert [r.payload["TrangThaiHoSo"] for r in rows] == STATUSES
    assert {r.state for r in rows} == {"queued"}
    first, last = rows[0].payload, rows[-1].payload
    assert first["MaHoSo"] == dossier.code and first["MaTTHC"] == "9.001193"
    assert first["KenhThucHien"] == 1 and first["MaDonViTiepNhan"] == "000.01.00.T99"
    assert first["ThoiGianGiaiQuyet"] == 3 and first["DonViTinh"] == "Ngày làm việc"
    assert first["NgayTiepNhan"] == dossier.received_at.astimezone(
        timezone.get_fixed_timezone(7 * 60)).strftime("%Y%m%d%H%M%S")
    assert len(first["NgayHenTra"]) == 14 and first["NgayKetThucXuLy"] is None
    assert first["TienDoXuLy"][0]["NoiDungXuLy"] == "Tiếp nhận hồ sơ"
    assert first["ChuHoSo"] == "Nguyễn Văn An" and first["SoDinhDanh"] == "001203004567"
    assert last["NgayKetThucXuLy"] and last["MaKetQua"] == "123/GKS"
    assert last["SoLanBoSung"] == 1 and last["PhienBan"] == 6
    text = json.dumps([r.payload for r in rows], ensure_ascii=False)
    for personal in ("0912", "345 678", "example.vn", "Hoa Sữa"):
        assert personal not in text


def test_pushed_in_order_with_the_token_and_key_and_never_again(intake, portal):
    dossier = _lifecycle(intake)
    assert national.national_push_due() == {"sent": 6, "retry": 0, "failed": 0}
    assert portal.keys_of(dossier.code) == [f"{dossier.code}:{n}" for n in range(1, 7)]
    request = portal.requests[0]
    assert request["headers"]["Authorization"] == "Bearer test-token-123"
    assert request["headers"]["Content-Type"].startswith("application/json")
    assert national.national_push_due(now=timezone.now() + timedelta(days=9))["sent"] == 0
    assert len(portal.requests) == 6
    row = NationalSync.objects.get(key=f"{dossier.code}:1")
    assert (row.state, row.attempts, row.last_error) == ("sent", 1, "")
    assert row.sent_at is not None


def test_failures_mid_run_then_recovery_every_change_once_and_in_order(intake, portal):
    dossiers = [_lifecycle(intake) for _ in range(3)]
    now = timezone.now()
    # four changes go through, then the portal starts answering 500 in the middle of the run
    portal.fail_after = 4
    assert national.national_push_due(now=now) == {"sent": 4, "retry": 1, "failed": 0}
    failed = NationalSync.objects.get(state="queued", attempts=1)
    assert "HTTP 500" in failed.last_error
    assert failed.next_attempt_at == now + timedelta(seconds=30)
    # later the portal is gone altogether: connection refused
    portal.stop()
    now += timedelta(minutes=5)
    assert national.national_push_due(now=now)["retry"] == 1  # a fresh row first
    refused = NationalSync.objects.get(state="queued", last_error__contains="refused")
    assert refused.attempts == 1 and refused.pk != failed.pk
    for _ in range(20):  # one try per run while it is down; each row's backoff doubles
        now += timedelta(minutes=5)
        national.national_push_due(now=now)
        failed.refresh_from_db()
        if failed.attempts == 2:
            break
    assert "Connection refused" in failed.last_error
    assert failed.next_attempt_at == now + timedelta(seconds=60)
    # back again, but the first answer is lost on the way (the change did arrive)
    portal.mode = "drop"
    portal.start()
    now += timedelta(hours=2)
    assert national.national_push_due(now=now)["retry"] == 1
    dropped = NationalSync.objects.get(state="queued", last_error__contains="Remote")
    assert dropped.key in portal.received
    portal.mode = "ok"
    _drain()
    for dossier in dossiers:
        assert portal.keys_of(dossier.code) == [f"{dossier.code}:{n}" for n in range(1, 7)]
        assert [portal.received[k]["TrangThaiHoSo"] for k in portal.keys_of(dossier.code)] \
            == STATUSES
    assert len(portal.received) == 18
    assert [r["key"] for r in portal.requests].count(dropped.key) == 2  # sent again, kept once
    assert NationalSync.objects.filter(state="sent").count() == 18


def test_a_later_change_waits_for_an_earlier_one(intake, portal):
    dossier = _lifecycle(intake)
    other = intake()
    portal.fail_keys = {f"{dossier.code}:2"}
    national.national_push_due()
    assert portal.keys_of(dossier.code) == [f"{dossier.code}:1"]
    assert portal.keys_of(other.code) == []  # the run stopped at the failure: portal "down"
    national.national_push_due(now=timezone.now() + timedelta(minutes=1))
    assert portal.keys_of(dossier.code) == [f"{dossier.code}:1"]
    # other dossiers are not held up by this one
    assert portal.keys_of(other.code) == [f"{other.code}:1"]
    portal.fail_keys = set()
    _drain()
    assert portal.keys_of(dossier.code) == [f"{dossier.code}:{n}" for n in range(1, 7)]


def test_a_rejected_change_fails_and_the_later_ones_go_on(intake, portal):
    dossier = _lifecycle(intake)
    portal.reject_keys = {f"{dossier.code}:3"}
    assert national.national_push_due() == {"sent": 5, "retry": 0, "failed": 1}
    row = NationalSync.objects.get(key=f"{dossier.code}:3")
    assert row.state == "failed" and "HTTP 400" in row.last_error
    assert len(portal.keys_of(dossier.code)) == 5


def test_a_crash_between_push_and_mark_resends_the_same_key_once(intake, portal, monkeypatch):
    dossier = intake()
    real_push = national.HttpNationalPortal.push
    calls = []

    def push_then_die(self, *, key, payload):
        result = real_push(self, key=key, payload=payload)
        calls.append(key)
        if len(calls) == 1:
            raise Killed()  # the worker dies after the portal answered, before the mark
        return result

    monkeypatch.setattr(national.HttpNationalPortal, "push", push_then_die)
    with pytest.raises(Killed):
        national.national_push_due()
    row = NationalSync.objects.get(dossier=dossier)
    assert row.state == "queued" and row.sent_at is None
    _drain()
    row.refresh_from_db()
    assert row.state == "sent"
    assert [r["key"] for r in portal.requests] == [row.key, row.key]  # pushed twice …
    assert list(portal.received) == [row.key]  # … arrived once


def test_intake_works_while_the_portal_and_the_sms_operator_are_down(intake, portal, sms,
                                                                     smtp_server):
    portal.stop()
    sms.mode = "down"
    dossiers = [intake() for _ in range(4)]  # every receipt commits
    assert all(d.pk for d in dossiers)
    assert NationalSync.objects.filter(state="queued").count() == 4
    assert OutboundMessage.objects.filter(state="queued").count() == 8
    now = timezone.now()
    assert national.national_push_due(now=now)["retry"] == 1
    counts = outbox.outbox_send_due(now=now)
    assert counts == {"sent": 4, "retry": 1, "failed": 0}  # e-mail goes, SMS waits
    # more work at the counter during the outage
    dossiers.append(intake())
    change(dossiers[0], "forwarded", "processing")
    # recovery
    portal.start()
    sms.mode = "ok"
    later = now
    for _ in range(10):
        later += timedelta(hours=2)
        national.national_push_due(now=later)
        outbox.outbox_send_due(now=later)
    assert NationalSync.objects.exclude(state="sent").count() == 0
    assert OutboundMessage.objects.exclude(state="sent").count() == 0
    assert len(portal.received) == 6 and len(portal.requests) == 6
    assert sorted(text for _to, text in FlakySms.sent) == sorted(
        OutboundMessage.objects.filter(channel="sms").values_list("body", flat=True))
    assert len(FlakySms.sent) == 5 and len(smtp_server.messages) == 5
    assert portal.keys_of(dossiers[0].code) == [f"{dossiers[0].code}:1",
                                                f"{dossiers[0].code}:2"]


@pytest.mark.django_db(transaction=True)
def test_two_workers_push_every_change_once_and_in_order(intake, portal):
    dossiers = [_lifecycle(intake) for _ in range(4)]

    def work(i):
        for _ in range(40):
            national.national_push_due()
            if not NationalSync.objects.filter(state="queued").exists():
                return
            time.sleep(0.01)

    assert run_threads(work, 2) == []
    assert len(portal.requests) == 24  # no request twice: no de-duplication was needed
    for dossier in dossiers:
        assert portal.keys_of(dossier.code) == [f"{dossier.code}:{n}" for n in range(1, 7)]


# --- the adapter and the double -----------------------------------------------------------------


class _Answer(BaseHTTPRequestHandler):
    status = 200
    delay = 0.0

    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        time.sleep(self.delay)
        try:
            self.send_response(self.status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")
        except OSError:
            pass


@pytest.mark.parametrize("status,outcome", [(200, "ok"), (201, "ok"), (409, "ok"),
                                            (400, "rejected"), (422, "rejected"),
                                            (429, "unavailable"), (503, "unavailable")])
def test_the_http_adapter_classifies_answers(status, outcome):
    import threading

    handler = type("H", (_Answer,), {"status": status})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        adapter = national.HttpNationalPortal(
            url=f"http://127.0.0.1:{server.server_address[1]}/", token="t", timeout=2)
        if outcome == "ok":
            assert adapter.push(key="K:1", payload={"MaHoSo": "X"}) == "K:1"
        else:
            error = {"rejected": national.NationalPortalRejected,
                     "unavailable": national.NationalPortalUnavailable}[outcome]
            with pytest.raises(error):
                adapter.push(key="K:1", payload={"MaHoSo": "X"})
    finally:
        server.shutdown()
        server.server_close()


def test_the_http_adapter_times_out():
    import threading

    handler = type("H", (_Answer,), {"delay": 1.5})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        adapter = national.HttpNationalPortal(
            url=f"http://127.0.0.1:{server.server_address[1]}/", timeout=0.3)
        started = time.monotonic()
        with pytest.raises(national.NationalPortalUnavailable):
            adapter.push(key="K:1", payload={})
        assert time.monotonic() - started < 1.4
        with pytest.raises(national.NationalPortalUnavailable):
            national.HttpNationalPortal(url="").push(key="K:1", payload={})
    finally:
        server.shutdown()
        server.server_close()


def test_the_demo_double_behind_the_same_interface(intake, settings):
    settings.EGOV_NATIONAL_PORTAL = "egov.onestop.national.LoggingNationalPortal"
    national.reset_portal()
    national.LoggingNationalPortal.received = {}
    dossier = _lifecycle(intake)
    from egov.onestop.tasks import national_push

    assert isinstance(national.get_portal(), national.NationalPortal)
    assert national_push.call() == {"sent": 6, "retry": 0, "failed": 0}
    assert list(national.LoggingNationalPortal.received) == [
        f"{dossier.code}:{n}" for n in range(1, 7)]


def test_the_sweeper_enqueues_a_push_job_only_when_changes_are_due(intake):
    from django_tasks_db.models import DBTaskResult

    assert national.national_sweep() is False
    intake()
    assert national.national_sweep() is True
    assert national.national_sweep() is False  # one is waiting already
    assert DBTaskResult.objects.filter(task_path="egov.onestop.tasks.national_push",
                                       status="READY").count() == 1


def test_the_push_command(intake, portal):
    from django.core.management import CommandError, call_command

    dossier = intake()
    portal.stop()
    with pytest.raises(CommandError):
        call_command("national_push")
    portal.start()
    row = NationalSync.objects.get(dossier=dossier)
    assert row.attempts == 1 and row.state == "queued"
    call_command("national_push", "--limit", "10")  # not due yet: nothing tried
    assert portal.keys_of(dossier.code) == []
    NationalSync.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    call_command("national_push", "--limit", "10")
    assert portal.keys_of(dossier.code) == [f"{dossier.code}:1"]
    with pytest.raises(CommandError):
        call_command("national_push", "--limit", "0")


@pytest.mark.django_db(transaction=True)
def test_the_counter_never_waits_for_a_hanging_portal_or_operator(intake, portal, sms):
    import threading

    portal.mode, portal.delay = "slow", 1.5  # (the adapter's timeout is 2 s)
    sms.delay = 1.5
    first = intake()  # queues one change and one SMS (and an e-mail, to the locmem backend)
    started = threading.Event()
    results = {}

    def push():
        results["push"] = national.national_push_due()

    def send():
        started.set()
        results["send"] = outbox.outbox_send_due()

    threads = [threading.Thread(target=push), threading.Thread(target=send)]
    for t in threads:
        t.start()
    assert portal.in_flight.wait(10) and started.wait(10)
    time.sleep(0.3)  # the SMS gateway is busy too
    t0 = time.monotonic()
    second = intake()  # the counter's next receipt: its own transaction, no waiting
    change(first, "forwarded", "processing")
    elapsed = time.monotonic() - t0
    for t in threads:
        t.join(30)
    assert elapsed < 1.0, elapsed  # well under the 1.5 s the portal and operator take
    assert results["push"]["sent"] >= 1 and results["send"]["sent"] >= 1
    portal.mode = "ok"
    sms.delay = 0
    _drain()
    outbox.outbox_send_due(now=timezone.now() + timedelta(hours=1))
    assert portal.keys_of(first.code) == [f"{first.code}:1", f"{first.code}:2"]
    assert portal.keys_of(second.code) == [f"{second.code}:1"]
    assert len(portal.requests) == 3
    assert sorted(FlakySms.sent) == sorted(
        OutboundMessage.objects.filter(channel="sms").values_list("recipient", "body"))
    assert OutboundMessage.objects.exclude(state="sent").count() == 0
