"""The outbox (egov.core.outbox): idempotent enqueueing in the caller's transaction, templates in
Vietnamese and English, sending by e-mail (real SMTP on loopback) and SMS (gateway plugin),
retries with exponential backoff, forward-only states (code and database), a killed send, and
two workers that never send one message twice."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from egov.core import jobs, outbox
from egov.core.errors import InvalidInput
from egov.core.models import MessageTemplate, OutboundMessage
from egov.core.sms import SmsGateway
from tests.concurrency import run_threads

GATEWAY = "tests.core.test_outbox.FlakySms"


class Killed(BaseException):
    """Stands for the worker being killed in the middle of a send."""


class FlakySms(SmsGateway):
    """A test gateway that can be switched down (raises), to kill the worker, or to be slow."""

    sent: list[tuple[str, str]] = []
    mode = "ok"
    delay = 0.0
    lock = threading.Lock()

    def send(self, *, to: str, text: str) -> str:
        if self.mode == "down":
            raise ConnectionError("operator unreachable")
        if self.mode == "kill":
            raise Killed()
        if self.delay:
            time.sleep(self.delay)
        with self.lock:
            FlakySms.sent.append((to, text))
            return f"op-{len(FlakySms.sent)}"


@pytest.fixture
def sms(settings):
    settings.EGOV_SMS_GATEWAY = GATEWAY
    FlakySms.sent, FlakySms.mode, FlakySms.delay = [], "ok", 0.0
    yield FlakySms
    FlakySms.sent, FlakySms.mode, FlakySms.delay = [], "ok", 0.0


@pytest.fixture
def templates(db):
    rows = [
        ("email", "vi", "Xin chào {{ name }}", "Hồ sơ {{ code }} đã được tiếp nhận.\n"
                                               "{% for i in items %}- {{ i }}\n{% endfor %}"),
        ("email", "en", "Hello {{ name }}", "Dossier {{ code }} received."),
        ("sms", "vi", "", "Ho so {{ code }} da tiep nhan <{{ name }}>"),
    ]
    for channel, language, subject, body in rows:
        MessageTemplate.objects.create(code="test.hello", channel=channel, language=language,
                                       subject=subject, body=body)


def _enqueue(key="k1", channel="email", to="dan@example.vn", language="vi", **ctx):
    context = {"name": "Nguyễn Văn An", "code": "000.01.00.T99-261206-0001",
               "items": ["Tờ khai", "Bản sao CCCD"], **ctx}
    with transaction.atomic():
        return outbox.outbox_enqueue(key=key, channel=channel, to=to, template="test.hello",
                                     context=context, language=language, module="test",
                                     subject=("test.thing", 7))


# --- enqueueing ---------------------------------------------------------------------------------


def test_templates_render_in_vietnamese_and_english(templates):
    vi = _enqueue("vi")
    en = _enqueue("en", language="en")
    assert (vi.subject, vi.language) == ("Xin chào Nguyễn Văn An", "vi")
    assert vi.body == ("Hồ sơ 000.01.00.T99-261206-0001 đã được tiếp nhận.\n- Tờ khai\n"
                       "- Bản sao CCCD")
    assert (en.subject, en.body, en.language) == (
        "Hello Nguyễn Văn An", "Dossier 000.01.00.T99-261206-0001 received.", "en")
    assert (vi.state, vi.attempts, vi.module, vi.object_type, vi.object_id) == (
        "queued", 0, "test", "test.thing", "7")


def test_missing_language_falls_back_to_vietnamese_and_nothing_is_escaped(templates):
    msg = _enqueue("sms-en", channel="sms", to="0912 345 678", language="en",
                   name="<An & Bình>")
    assert msg.language == "vi" and msg.recipient == "+84912345678"
    assert msg.body == "Ho so 000.01.00.T99-261206-0001 da tiep nhan <<An & Bình>>"


def test_a_repeated_key_is_a_no_op(templates):
    first = _enqueue("same")
    again = _enqueue("same", name="Someone else")
    assert again.pk == first.pk and again.subject == "Xin chào Nguyễn Văn An"
    assert OutboundMessage.objects.filter(key="same").count() == 1


def test_a_rolled_back_transaction_queues_nothing(templates):
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox.outbox_enqueue(key="gone", channel="email", to="dan@example.vn",
                              template="test.hello", context={}, module="test")
        raise RuntimeError("the caller's change failed")
    assert not OutboundMessage.objects.filter(key="gone").exists()


def test_bad_recipients_are_refused_and_change_nothing(templates):
    with pytest.raises(InvalidInput):
        _enqueue("bad-mail", to="not an address")
    with pytest.raises(InvalidInput):
        _enqueue("bad-phone", channel="sms", to="12345")
    assert not OutboundMessage.objects.exists()


def test_a_missing_or_broken_template_never_breaks_the_caller(templates):
    with transaction.atomic():
        msg = outbox.outbox_enqueue(key="nope", channel="email", to="dan@example.vn",
                                    template="test.unknown", context={}, module="test")
    assert msg.state == "failed" and "no message template" in msg.last_error
    MessageTemplate.objects.filter(code="test.hello", language="vi", channel="email").update(
        body="{% for %}")
    broken = _enqueue("broken")
    assert broken.state == "failed" and broken.failed_at is not None
    MessageTemplate.objects.filter(code="test.hello", language="vi", channel="email").update(
        body='{% include "/etc/passwd" %}')
    included = _enqueue("include")
    assert included.state == "failed" and "passwd" in included.last_error


def test_enqueue_schedules_one_send_job_after_commit(templates, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        with transaction.atomic():
            for n in range(3):
                outbox.outbox_enqueue(key=f"j{n}", channel="email", to="dan@example.vn",
                                      template="test.hello", context={}, module="test")
    assert len(callbacks) == 1


# --- sending ------------------------------------------------------------------------------------


def test_email_goes_through_real_smtp_once(templates, smtp_server):
    msg = _enqueue("mail-1")
    assert outbox.outbox_send_due() == {"sent": 1, "retry": 0, "failed": 0}
    assert outbox.outbox_send_due() == {"sent": 0, "retry": 0, "failed": 0}
    assert len(smtp_server.messages) == 1
    received = smtp_server.messages[0]
    assert received["To"] == "dan@example.vn"
    assert "Nguyễn Văn An" in str(received["Subject"]) or "=?utf-8?" in received["Subject"]
    msg.refresh_from_db()
    assert (msg.state, msg.attempts) == ("sent", 1)
    assert msg.provider_id == received["Message-ID"] and msg.sent_at is not None


def test_sms_retries_with_exponential_backoff_then_sends(templates, sms, settings):
    settings.EGOV_OUTBOX_BACKOFF_SECONDS = 60
    msg = _enqueue("sms-1", channel="sms", to="0912345678")
    now = timezone.now()
    sms.mode = "down"
    waits = []
    for attempt in range(1, 4):
        assert outbox.outbox_send_due(now=now) == {"sent": 0, "retry": 1, "failed": 0}
        msg.refresh_from_db()
        assert (msg.state, msg.attempts) == ("queued", attempt)
        assert "operator unreachable" in msg.last_error
        waits.append((msg.next_attempt_at - now).total_seconds())
        # not due yet: nothing is tried
        assert outbox.outbox_send_due(now=now) == {"sent": 0, "retry": 0, "failed": 0}
        now = msg.next_attempt_at
    assert waits == [60, 120, 240]
    sms.mode = "ok"
    assert outbox.outbox_send_due(now=now)["sent"] == 1
    msg.refresh_from_db()
    assert (msg.state, msg.attempts, msg.provider_id, msg.last_error) == ("sent", 4, "op-1", "")
    assert sms.sent == [("+84912345678", "Ho so 000.01.00.T99-261206-0001 da tiep nhan "
                                         "<Nguyễn Văn An>")]


def test_after_the_last_attempt_the_message_fails_for_good(templates, sms, settings):
    settings.EGOV_OUTBOX_MAX_ATTEMPTS = 2
    msg = _enqueue("sms-2", channel="sms", to="0912345678")
    sms.mode = "down"
    later = timezone.now() + timedelta(days=1)
    assert outbox.outbox_send_due()["retry"] == 1
    assert outbox.outbox_send_due(now=later)["failed"] == 1
    msg.refresh_from_db()
    assert (msg.state, msg.attempts) == ("failed", 2) and msg.failed_at is not None
    sms.mode = "ok"
    assert outbox.outbox_send_due(now=later + timedelta(days=30))["sent"] == 0
    assert sms.sent == []


def test_a_provider_that_is_down_is_not_hammered_within_one_run(templates, sms):
    for n in range(5):
        _enqueue(f"many-{n}", channel="sms", to="0912345678")
    _enqueue("mail-ok")
    sms.mode = "down"
    counts = outbox.outbox_send_due()
    assert counts["retry"] == 1  # one SMS tried, the others wait for the next run
    assert counts["sent"] == 1  # e-mail goes on regardless
    assert OutboundMessage.objects.filter(channel="sms", attempts=0).count() == 4


def test_a_worker_killed_during_the_send_sends_it_again_later_once(templates, sms):
    msg = _enqueue("killed", channel="sms", to="0912345678")
    sms.mode = "kill"
    with pytest.raises(Killed):
        outbox.outbox_send_due()
    msg.refresh_from_db()
    assert msg.state == "queued" and msg.sent_at is None
    sms.mode = "ok"
    if connection.features.has_select_for_update_skip_locked:
        # PostgreSQL: the transaction rolled back; the message is due at once
        assert msg.attempts == 0
        assert outbox.outbox_send_due()["sent"] == 1
    else:
        # SQLite: the lease hides it until the lease ends
        assert outbox.outbox_send_due()["sent"] == 0
        assert outbox.outbox_send_due(now=msg.next_attempt_at)["sent"] == 1
    assert len(sms.sent) == 1
    assert outbox.outbox_send_due(now=timezone.now() + timedelta(days=1))["sent"] == 0
    assert len(sms.sent) == 1


# --- forward-only states ------------------------------------------------------------------------


def test_delivery_receipts_move_forward_only(templates, sms):
    msg = _enqueue("dlr", channel="sms", to="0912345678")
    assert outbox.outbox_delivered("op-1") is False  # not sent yet
    outbox.outbox_send_due()
    assert outbox.outbox_delivered("op-1") is True
    msg.refresh_from_db()
    assert msg.state == "delivered" and msg.delivered_at is not None
    assert outbox.outbox_delivered("op-1") is False
    assert outbox.outbox_delivered("op-1", ok=False) is False  # delivered stays delivered
    assert outbox.outbox_delivered("") is False


def test_a_failed_delivery_receipt(templates, sms):
    msg = _enqueue("dlr-bad", channel="sms", to="0912345678")
    outbox.outbox_send_due()
    assert outbox.outbox_delivered("op-1", ok=False, error="absent subscriber") is True
    msg.refresh_from_db()
    assert (msg.state, msg.last_error) == ("failed", "absent subscriber")


@pytest.mark.parametrize("start,back", [("sent", "queued"), ("delivered", "sent"),
                                        ("failed", "queued"), ("delivered", "failed")])
def test_the_database_refuses_a_backward_move(templates, start, back):
    msg = _enqueue("db-guard")
    row = OutboundMessage.objects.filter(pk=msg.pk)
    now = timezone.now()
    forward = {"sent": [("sent", {"sent_at": now})],
               "delivered": [("sent", {"sent_at": now}), ("delivered", {"delivered_at": now})],
               "failed": [("failed", {"failed_at": now})]}[start]
    for state, times in forward:
        assert row.update(state=state, **times) == 1
    # timestamps consistent with the target state, so that only the trigger stands in the way
    target = {"queued": {"sent_at": None, "delivered_at": None, "failed_at": None},
              "sent": {"sent_at": now, "delivered_at": None, "failed_at": None},
              "failed": {"delivered_at": None, "failed_at": now}}[back]
    with pytest.raises(DatabaseError), transaction.atomic():
        row.update(state=back, **target)
    msg.refresh_from_db()
    assert msg.state == start


def test_the_database_ties_each_state_to_its_times(templates):
    msg = _enqueue("db-times")
    with pytest.raises(DatabaseError), transaction.atomic():
        OutboundMessage.objects.filter(pk=msg.pk).update(state="sent")  # no sent_at
    with pytest.raises(DatabaseError), transaction.atomic():
        OutboundMessage.objects.filter(pk=msg.pk).update(state="bogus")


# --- several workers ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_send_one_message_twice(sms):
    MessageTemplate.objects.create(code="test.hello", channel="sms", language="vi",
                                   body="Tin {{ n }}")
    n = 24
    with transaction.atomic():
        for i in range(n):
            outbox.outbox_enqueue(key=f"w{i}", channel="sms", to="0912345678",
                                  template="test.hello", context={"n": i}, module="test")
    sms.delay = 0.02
    assert run_threads(lambda i: outbox.outbox_send_due(), 2) == []
    texts = sorted(text for _to, text in sms.sent)
    assert texts == sorted(f"Tin {i}" for i in range(n))  # every one, exactly once
    assert OutboundMessage.objects.filter(state="sent", attempts=1).count() == n


# --- the periodic pass and the admin ------------------------------------------------------------


def test_the_sweeper_enqueues_a_send_job_only_when_messages_are_due(templates):
    from django_tasks_db.models import DBTaskResult

    def jobs_waiting():
        return DBTaskResult.objects.filter(task_path="egov.core.tasks_outbox.outbox_send",
                                           status="READY").count()

    assert outbox.outbox_sweep() is False
    msg = _enqueue("sweep")
    OutboundMessage.objects.filter(pk=msg.pk).update(
        next_attempt_at=timezone.now() + timedelta(hours=1))
    assert outbox.outbox_sweep() is False
    OutboundMessage.objects.filter(pk=msg.pk).update(next_attempt_at=timezone.now())
    assert outbox.outbox_sweep() is True and jobs_waiting() == 1
    assert outbox.outbox_sweep() is False and jobs_waiting() == 1  # one is waiting already


def test_periodic_duties_run_at_their_interval_and_a_failing_one_is_contained():
    ran = []
    jobs.every("test.a", 10, lambda: ran.append("a"))
    jobs.every("test.b", 10, lambda: 1 / 0)
    try:
        assert "test.a" in jobs.run_periodic(now=1_000_000.0)
        assert "test.a" not in jobs.run_periodic(now=1_000_005.0)
        assert "test.a" in jobs.run_periodic(now=1_000_011.0)
        assert ran == ["a", "a"]
    finally:
        jobs._periodic.pop("test.a", None)
        jobs._periodic.pop("test.b", None)


def test_the_send_job_and_the_command(templates, smtp_server):
    from django.core.management import call_command

    from egov.core.tasks_outbox import outbox_send

    _enqueue("job-1")
    assert outbox_send.call() == {"sent": 1, "retry": 0, "failed": 0}
    _enqueue("job-2")
    call_command("outbox_send")
    assert len(smtp_server.messages) == 2


@pytest.fixture
def admin_client(client, make_user, org):
    user = make_user("quantri", org["office"], "admin", is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def test_admin_messages_are_read_only_and_templates_are_checked(admin_client, templates):
    msg = _enqueue("admin-1")
    assert admin_client.get("/admin/core/outboundmessage/").status_code == 200
    assert admin_client.get(f"/admin/core/outboundmessage/{msg.pk}/change/").status_code == 200
    assert admin_client.get("/admin/core/outboundmessage/add/").status_code == 403
    response = admin_client.post(
        f"/admin/core/outboundmessage/{msg.pk}/change/", {"state": "delivered"})
    assert response.status_code == 403
    msg.refresh_from_db()
    assert msg.state == "queued"

    tpl = MessageTemplate.objects.get(code="test.hello", channel="email", language="vi")
    url = f"/admin/core/messagetemplate/{tpl.pk}/change/"
    data = {"code": tpl.code, "channel": tpl.channel, "language": tpl.language,
            "subject": "Chào {{ name }", "body": "{% if %}", "legal_basis": "", "notes": ""}
    response = admin_client.post(url, data)
    assert response.status_code == 200  # the form again, with errors
    tpl.refresh_from_db()
    assert tpl.body.startswith("Hồ sơ")
    response = admin_client.post(url, {**data, "subject": "x",
                                       "body": '{% include "/etc/passwd" %}'})
    assert response.status_code == 200 and b"/etc/passwd" in response.content
    response = admin_client.post(url, {**data, "subject": "x", "body": "x", "language": "fr"})
    assert response.status_code == 200
    tpl.refresh_from_db()
    assert tpl.body.startswith("Hồ sơ")
    data.update(subject="Chào {{ name }}", body="Mới: {{ code }}")
    assert admin_client.post(url, data).status_code == 302
    assert _enqueue("admin-2").body == "Mới: 000.01.00.T99-261206-0001"


class SlowFileSms(SmsGateway):
    """The gateway of the worker process killed mid-send: it writes "start" to the file named
    by EGOV_TEST_SMS_FILE, then takes a long time."""

    def send(self, *, to: str, text: str) -> str:
        import os

        path = os.environ["EGOV_TEST_SMS_FILE"]
        with open(path, "a", encoding="utf-8") as out:
            out.write(f"start {text}\n")
        time.sleep(60)
        with open(path, "a", encoding="utf-8") as out:
            out.write(f"sent {text}\n")
        return "slow"


@pytest.mark.django_db(transaction=True)
def test_a_worker_process_killed_during_a_send(tmp_path, sms):
    from tests import jobs_support

    MessageTemplate.objects.create(code="test.hello", channel="sms", language="vi",
                                   body="Tin {{ n }}")
    with transaction.atomic():  # commits: the send job is enqueued after it
        msg = outbox.outbox_enqueue(key="kill-9", channel="sms", to="0912345678",
                                    template="test.hello", context={"n": 1}, module="test")
    trace, log = tmp_path / "sms.txt", tmp_path / "worker.log"
    worker = jobs_support.start_worker(log, "--queue-name", "mail",
                                       EGOV_SMS_GATEWAY="tests.core.test_outbox.SlowFileSms",
                                       EGOV_TEST_SMS_FILE=str(trace))
    try:
        jobs_support.wait_for(lambda: trace.exists() and "start" in trace.read_text(), 60,
                              "the worker to start sending", log)
        jobs_support.kill9(worker.pid)
        worker.wait(10)
    finally:
        jobs_support.stop(worker)
    msg.refresh_from_db()
    assert (msg.state, msg.sent_at) == ("queued", None)  # nothing was marked
    # another worker sends it (after the lease on SQLite), once
    counts = outbox.outbox_send_due(now=timezone.now() + timedelta(hours=1))
    assert counts["sent"] == 1 and len(sms.sent) == 1
    msg.refresh_from_db()
    assert msg.state == "sent" and trace.read_text() == "start Tin 1\n"  # never finished
    assert outbox.outbox_send_due(now=timezone.now() + timedelta(days=1))["sent"] == 0
