"""Nothing lost, nothing doubled (i11-mail): repeated polls, an import that fails midway, a
UIDVALIDITY change, the connection dropped at many points of a poll (a loopback proxy that
cuts after K bytes), the lease, errors with backoff shown in the admin, the periodic job."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from egov.core.models_outbox import OutboundMessage
from egov.petitions import hooks
from egov.petitions.models import Petition
from egov.petitions.models_mail import Mailbox, MailMessage
from egov.petitions.services import mail as mail_service
from egov.petitions.services.mail import mailbox_poll

from .imap_server import CuttingProxy
from .mail_fixtures import *  # noqa: F403 - dovecot, mailbox, deliver, make_mail

pytestmark = pytest.mark.django_db


def _letters(make_mail, n: int, start: int = 1) -> list[bytes]:
    return [make_mail(subject=f"Đơn số {i}", message_id=f"<don{i}@example.vn>",
                      body=f"Phản ánh số {i}: đường liên thôn bị sạt lở, đề nghị sửa chữa.")
            for i in range(start, start + n)]


def _exactly_once(ids: list[str]) -> None:
    rows = list(MailMessage.objects.values_list("message_id", flat=True))
    assert sorted(rows) == sorted(ids)  # each message once, none missing
    assert Petition.objects.count() == len(ids)
    assert OutboundMessage.objects.filter(template_code="petitions.mail_ack").count() == len(ids)


def test_repeated_polls_create_nothing_twice(mailbox, deliver, make_mail):
    deliver(*_letters(make_mail, 3))
    first = mailbox_poll(mailbox.pk)
    again = mailbox_poll(mailbox.pk)
    assert first.outcomes == {"petition": 3} and again.fetched == 0
    # Progress lost (a restored backup of the row, a bug): the folder is read again from UID 1
    # and every message is recognised by its Message-ID.
    Mailbox.objects.filter(pk=mailbox.pk).update(last_uid=0)
    replay = mailbox_poll(mailbox.pk)
    assert replay.outcomes == {"duplicate": 3}
    _exactly_once([f"<don{i}@example.vn>" for i in range(1, 4)])
    mailbox.refresh_from_db()
    assert mailbox.last_uid == 3


def test_an_import_failing_midway_keeps_what_was_committed(mailbox, deliver, make_mail):
    deliver(*_letters(make_mail, 5))
    seen = []

    def breaks_on_the_third(*, petition, event):
        seen.append(petition.pk)
        if len(seen) == 3:
            raise RuntimeError("disk full")

    hooks.subscribe("test.breaks", breaks_on_the_third)
    try:
        result = mailbox_poll(mailbox.pk)
    finally:
        hooks._subscribers.pop("test.breaks", None)
    assert result.outcomes == {"petition": 2} and "disk full" in result.error
    mailbox.refresh_from_db()
    assert mailbox.last_uid == 2 and mailbox.failures == 1 and "disk full" in mailbox.last_error
    assert Petition.objects.count() == 2  # the third rolled back with its last_uid

    Mailbox.objects.filter(pk=mailbox.pk).update(next_poll_at=None)
    assert mailbox_poll(mailbox.pk).outcomes == {"petition": 3}
    _exactly_once([f"<don{i}@example.vn>" for i in range(1, 6)])


def test_uidvalidity_change_rescans_without_doubles(dovecot, mailbox, deliver, make_mail):
    deliver(*_letters(make_mail, 3))
    mailbox_poll(mailbox.pk)
    mailbox.refresh_from_db()
    old = mailbox.uidvalidity
    # The folder is re-created (a server migration): new UIDVALIDITY, the same three messages
    # again with new UIDs, and two new ones.
    dovecot.recreate_folder(mailbox.folder)
    deliver(*_letters(make_mail, 3), *_letters(make_mail, 2, start=4))

    result = mailbox_poll(mailbox.pk)

    assert result.rescanned and result.outcomes == {"duplicate": 3, "petition": 2}
    mailbox.refresh_from_db()
    assert mailbox.uidvalidity != old and mailbox.last_uid == 5
    _exactly_once([f"<don{i}@example.vn>" for i in range(1, 6)])
    assert set(MailMessage.objects.filter(uid__gte=4).values_list("uidvalidity", flat=True)) \
        == {mailbox.uidvalidity}


class _Rollback(Exception):
    pass


def _bytes_of_a_full_poll(dovecot, mailbox) -> int:
    """How many bytes the server sends for the whole poll (the poll is rolled back)."""
    probe = CuttingProxy(dovecot.port)
    try:
        Mailbox.objects.filter(pk=mailbox.pk).update(port=probe.port)
        with transaction.atomic():
            assert mailbox_poll(mailbox.pk, batch=3).count("petition") == 12
            raise _Rollback
    except _Rollback:
        pass
    finally:
        probe.close()
    assert not Petition.objects.exists()
    return probe.passed


@pytest.mark.parametrize("fraction", [0.02, 0.15, 0.3, 0.45, 0.6, 0.75, 0.9, 0.99])
def test_connection_dropped_midway_then_the_next_poll_gets_the_rest(
        dovecot, mailbox, deliver, make_mail, fraction):
    n = 12
    deliver(*_letters(make_mail, n))
    total = _bytes_of_a_full_poll(dovecot, mailbox)
    proxy = CuttingProxy(dovecot.port, cut_after=int(total * fraction))
    try:
        Mailbox.objects.filter(pk=mailbox.pk).update(port=proxy.port)
        cut = mailbox_poll(mailbox.pk, batch=3)
    finally:
        proxy.close()
    assert proxy.cuts == 1
    mailbox.refresh_from_db()
    assert mailbox.last_uid == cut.count("petition")  # progress = what was committed
    if fraction >= 0.45:
        assert cut.count("petition") >= 3  # at least one batch got in before the cut
    if fraction < 0.99:
        assert cut.error and cut.count("petition") < n, cut
        assert mailbox.failures == 1 and mailbox.last_error.startswith(("connection lost",
                                                                        "cannot connect"))
    elif cut.count("petition") == n:
        assert cut.error == ""  # cut during LOGOUT: everything was in already

    # The server comes back: the next poll (due after the backoff) takes the rest.
    Mailbox.objects.filter(pk=mailbox.pk).update(port=dovecot.port, next_poll_at=None)
    rest = mailbox_poll(mailbox.pk, batch=3)
    assert rest.error == "" and rest.count("petition") == n - cut.count("petition")
    _exactly_once([f"<don{i}@example.vn>" for i in range(1, n + 1)])
    mailbox.refresh_from_db()
    assert mailbox.last_uid == n and mailbox.failures == 0 and mailbox.last_error == ""


def test_lease_keeps_a_second_poller_out(mailbox, deliver, make_mail):
    deliver(*_letters(make_mail, 1))
    Mailbox.objects.filter(pk=mailbox.pk).update(
        lease_until=timezone.now() + dt.timedelta(minutes=5))
    assert mailbox_poll(mailbox.pk).skipped
    assert not Petition.objects.exists()
    # A lease left by a dead worker runs out.
    Mailbox.objects.filter(pk=mailbox.pk).update(
        lease_until=timezone.now() - dt.timedelta(seconds=1))
    assert mailbox_poll(mailbox.pk).outcomes == {"petition": 1}


def test_errors_back_off_and_show_in_the_admin(mailbox, deliver, make_mail, monkeypatch,
                                               client, pet, tmp_path):
    deliver(*_letters(make_mail, 1))
    monkeypatch.setenv(PASSWORD_ENV, "sai-mat-khau")  # noqa: F405
    before = timezone.now()
    first = mailbox_poll(mailbox.pk)
    mailbox.refresh_from_db()
    assert "cannot connect or log in" in first.error and mailbox.failures == 1
    wait = (mailbox.next_poll_at - before).total_seconds()
    assert 120 <= wait < 125  # poll_seconds × 2
    assert mailbox not in mail_service.due_mailboxes()
    mailbox_poll(mailbox.pk)  # polled by hand although not due: a second failure
    mailbox.refresh_from_db()
    assert mailbox.failures == 2 and (mailbox.next_poll_at - before).total_seconds() >= 240

    client.force_login(pet["superuser"])
    page = client.get("/admin/petitions/mailbox/").content.decode()
    assert "cannot connect or log in" in page

    # The password from a secrets file instead: the next poll works and resets the backoff.
    secret = tmp_path / "imap-password"
    secret.write_text(mailbox_service_password() + "\n")
    Mailbox.objects.filter(pk=mailbox.pk).update(password_env="", password_file=str(secret))
    assert mailbox_poll(mailbox.pk).outcomes == {"petition": 1}
    mailbox.refresh_from_db()
    assert (mailbox.failures, mailbox.last_error) == (0, "")
    assert mailbox.last_success_at is not None

    Mailbox.objects.filter(pk=mailbox.pk).update(password_file="", password_env="EGOV_NOT_SET")
    assert "EGOV_NOT_SET is not set" in mailbox_poll(mailbox.pk).error


def mailbox_service_password() -> str:
    from .imap_server import PASSWORD

    return PASSWORD


def test_periodic_duty_enqueues_the_poll_job_and_the_job_polls(mailbox, deliver, make_mail):
    from django_tasks_db.models import DBTaskResult

    from egov.petitions.tasks_mail import mail_poll

    deliver(*_letters(make_mail, 2))
    assert mail_service.mail_sweep() is True
    assert mail_service.mail_sweep() is False  # one job is waiting already
    assert DBTaskResult.objects.filter(task_path=mail_poll.module_path,
                                       status="READY").count() == 1
    summary = mail_poll.call()
    assert summary[mailbox.address]["outcomes"] == {"petition": 2}
    DBTaskResult.objects.all().delete()
    assert mail_service.mail_sweep() is False  # not due again before poll_seconds
    Mailbox.objects.filter(pk=mailbox.pk).update(active=False, next_poll_at=None)
    assert mail_service.mail_sweep() is False  # inactive mailboxes are not polled


def test_admin_pages_and_poll_now(mailbox, deliver, make_mail, client, pet):
    deliver(*_letters(make_mail, 1))
    mailbox_poll(mailbox.pk)
    client.force_login(pet["superuser"])
    form = client.get(f"/admin/petitions/mailbox/{mailbox.pk}/change/")
    assert form.status_code == 200
    page = form.content.decode()
    assert PASSWORD_ENV in page and dovecot_password_absent(page)  # noqa: F405
    listing = client.get("/admin/petitions/mailmessage/")
    assert listing.status_code == 200 and "<don1@example.vn>" not in listing.content.decode()
    Mailbox.objects.filter(pk=mailbox.pk).update(next_poll_at=timezone.now()
                                                 + dt.timedelta(hours=1))
    response = client.post("/admin/petitions/mailbox/", {
        "action": "poll_now", "_selected_action": [mailbox.pk]})
    assert response.status_code == 302
    assert mailbox in mail_service.due_mailboxes()


def dovecot_password_absent(page: str) -> bool:
    from .imap_server import PASSWORD

    return PASSWORD not in page
