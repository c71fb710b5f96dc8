"""Dispatch of issued documents: to agencies inside eGov (their incoming queue), by e-mail to
external addresses through a real SMTP server, replies completing incoming documents, recall
notices. Every dispatch is idempotent."""

from __future__ import annotations

import email
import email.header
import socket

import pytest
from django.core.management import call_command

from egov.core.files import file_open
from egov.documents.models import (
    DocumentEvent,
    IncomingDocument,
    IncomingState,
    OutgoingState,
)
from egov.documents.selectors.incoming import incoming_list
from egov.documents.services import outgoing as svc
from egov.documents.tasks import dispatch_outgoing
from tests.documents.test_outgoing_support import (
    approve,
    approved,
    issued,
    make_draft,
)


@pytest.mark.django_db
def test_internal_recipient_receives_it_in_its_incoming_queue(
        docs_org, django_capture_on_commit_callbacks):
    o = docs_org
    with django_capture_on_commit_callbacks(execute=True):
        doc = issued(o, recipients=[{"unit_id": o["justice"].pk}, {"unit_id": o["finance"].pk}],
                     urgency="urgent")
    arrived = [d for d in incoming_list(actor=o["justice_clerk"]).items if d.source_id == doc.pk]
    assert len(arrived) == 1
    incoming = arrived[0]
    assert incoming.agency == o["justice"] and incoming.channel == "electronic"
    assert incoming.code == "01/QĐ-UBND" and incoming.issuer_name == o["province"].name
    assert incoming.issuer_unit == o["province"] and incoming.subject == doc.subject
    assert incoming.urgency == "urgent" and incoming.issued_date == doc.issued_date
    assert incoming.file_id == doc.issued_file_id
    recipients = {r.unit_id: r for r in doc.recipients.all()}
    assert recipients[o["justice"].pk].delivered_incoming == incoming
    assert recipients[o["finance"].pk].delivered_at is not None
    assert IncomingDocument.objects.filter(source=doc).count() == 2

    # A retried dispatch (the job, or the clerk's button) delivers nothing twice.
    dispatch_outgoing.call(doc.pk)
    svc.outgoing_retry_dispatch(actor=o["clerk"], document=doc)
    assert IncomingDocument.objects.filter(source=doc).count() == 2
    assert DocumentEvent.objects.filter(outgoing=doc, action="delivered").count() == 2


@pytest.mark.django_db
def test_a_failed_delivery_is_recorded_and_retried(docs_org, monkeypatch,
                                                   django_capture_on_commit_callbacks):
    from egov.documents.services import incoming as incoming_services

    o = docs_org
    real = incoming_services.incoming_receive_electronic

    def broken(**kwargs):
        raise RuntimeError("trục liên thông không phản hồi")

    monkeypatch.setattr(incoming_services, "incoming_receive_electronic", broken)
    with django_capture_on_commit_callbacks(execute=True):
        doc = issued(o, recipients=[{"unit_id": o["justice"].pk}])
    recipient = doc.recipients.get()
    assert recipient.delivered_at is None
    assert "không phản hồi" in recipient.delivery_error
    assert DocumentEvent.objects.filter(outgoing=doc, action="delivery_failed").exists()
    assert doc.state == OutgoingState.ISSUED  # the issue itself stands

    monkeypatch.setattr(incoming_services, "incoming_receive_electronic", real)
    with pytest.raises(svc.PermissionDenied):
        svc.outgoing_retry_dispatch(actor=o["officer"], document=doc)
    svc.outgoing_retry_dispatch(actor=o["clerk"], document=doc)
    recipient.refresh_from_db()
    assert recipient.delivered_at is not None and recipient.delivery_error == ""
    assert recipient.delivered_incoming.agency == o["justice"]


@pytest.mark.django_db
def test_issued_reply_completes_the_incoming_document(docs_org, register_incoming,
                                                      django_capture_on_commit_callbacks):
    from egov.documents.services.incoming import incoming_assign

    o = docs_org
    incoming = register_incoming(subject="V/v báo cáo tình hình kinh tế quý I")
    incoming_assign(actor=o["leader"], document=incoming, instruction="Phòng Kinh tế trả lời.",
                    assignments=[{"unit_id": o["economy"].pk, "role": "lead"}])
    doc = make_draft(o, type_code="CV", subject="V/v báo cáo tình hình kinh tế quý I",
                     in_reply_to=[incoming.pk])
    assert list(doc.in_reply_to.all()) == [incoming]
    approve(o, doc)
    with django_capture_on_commit_callbacks(execute=True):
        svc.outgoing_issue(actor=o["clerk"], document=doc, medium="paper")
    incoming.refresh_from_db()
    assert incoming.state == IncomingState.DONE
    assert incoming.completed_by_reply_id == doc.pk


@pytest.mark.django_db
def test_a_reply_needs_an_incoming_document_the_drafter_can_see(docs_org, register_incoming):
    o = docs_org
    incoming = register_incoming()
    with pytest.raises(svc.InvalidInput) as exc:  # not assigned to the officer's unit
        make_draft(o, in_reply_to=[incoming.pk])
    assert "in_reply_to" in exc.value.fields


# --- e-mail through a real SMTP server ----------------------------------------------------------


def _subject(msg) -> str:
    return str(email.header.make_header(email.header.decode_header(msg["Subject"])))


def _mail_for(handler, address: str) -> list:
    return [m for m in handler.messages if m["To"] == address]


def _worker() -> None:
    call_command("worker", batch=True, startup_delay=False, verbosity=0, queue_name="mail")


def test_external_recipient_gets_the_pdf_by_email_then_the_recall_notice(
        transactional_db, docs_org, smtp_server):
    o = docs_org
    address = "vanthu@congty-anhduong.example"
    doc = approved(o, recipients=[{"name": "Công ty TNHH Ánh Dương", "email": address},
                                  {"name": "Báo Thử Nghiệm"},  # no address: sent on paper
                                  {"unit_id": o["justice"].pk}])
    svc.outgoing_issue(actor=o["clerk"], document=doc, medium="paper")
    doc.refresh_from_db()
    assert _mail_for(smtp_server, address) == []  # sent by the job, not in the request
    _worker()

    [msg] = _mail_for(smtp_server, address)
    assert "01/QĐ-UBND" in _subject(msg) and doc.subject in _subject(msg)
    parts = [p for p in msg.walk() if p.get_content_type() == "application/pdf"]
    assert len(parts) == 1 and parts[0].get_filename() == "01-QD-UBND.pdf"
    with file_open(doc.issued_file) as fh:
        assert parts[0].get_payload(decode=True) == fh.read()
    body = next(p for p in msg.walk() if p.get_content_type() == "text/plain")
    assert doc.subject in body.get_payload(decode=True).decode(body.get_content_charset())
    external = doc.recipients.get(email=address)
    assert external.delivered_at is not None and external.delivery_error == ""
    assert doc.recipients.get(name="Báo Thử Nghiệm").delivered_at is None
    internal = doc.recipients.get(unit=o["justice"])
    assert internal.delivered_incoming is not None

    # A second run of the job (e.g. a retry) sends nothing again.
    from egov.documents.tasks import send_outgoing_mail

    send_outgoing_mail.enqueue(doc.pk, "issue")
    _worker()
    assert len(_mail_for(smtp_server, address)) == 1

    svc.outgoing_recall(actor=o["clerk"], document=doc, reason="Ban hành sai thẩm quyền")
    _worker()
    mails = _mail_for(smtp_server, address)
    assert len(mails) == 2
    notice = mails[1]
    assert "01/QĐ-UBND" in _subject(notice)
    text = notice.get_payload(decode=True).decode(notice.get_content_charset())
    assert "Ban hành sai thẩm quyền" in text
    external.refresh_from_db()
    assert external.cancelled_at is not None
    internal.refresh_from_db()
    assert internal.cancelled_at is not None
    assert internal.delivered_incoming.state == IncomingState.CANCELLED
    send_outgoing_mail.enqueue(doc.pk, "recall", "lần nữa")
    _worker()
    assert len(_mail_for(smtp_server, address)) == 2  # the notice is sent once


def test_an_smtp_failure_is_recorded(transactional_db, docs_org, settings):
    o = docs_org
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_TIMEOUT = 2
    doc = approved(o, recipients=[{"name": "A", "email": "a@example.com"}])
    svc.outgoing_issue(actor=o["clerk"], document=doc, medium="paper")
    from egov.documents.services.outgoing import outgoing_send_mail

    assert outgoing_send_mail(document_id=doc.pk) == 0
    recipient = doc.recipients.get()
    assert recipient.delivered_at is None and recipient.delivery_error
    assert DocumentEvent.objects.filter(outgoing=doc, action="delivery_failed").exists()


@pytest.mark.django_db
def test_a_long_recipient_list_is_delivered_by_a_job(docs_org, monkeypatch,
                                                     django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    o = docs_org
    monkeypatch.setattr(svc, "INLINE_DELIVERIES", 1)
    with django_capture_on_commit_callbacks(execute=True):
        doc = issued(o, recipients=[{"unit_id": o["justice"].pk}, {"unit_id": o["finance"].pk}])
    assert not IncomingDocument.objects.filter(source=doc).exists()
    task = DBTaskResult.objects.get(task_path="egov.documents.tasks.dispatch_outgoing")
    assert task.args_kwargs["args"] == [doc.pk]
    dispatch_outgoing.call(doc.pk)
    assert IncomingDocument.objects.filter(source=doc).count() == 2
