"""E-mail intake against a real Dovecot on loopback (i11-mail): a message becomes a draft petition
with the sender as identity and the content redacted; Vietnamese in RFC 2047 and legacy
charsets; attachments kept as identity files; the acknowledgement queued once with the code and
check, never to automatic messages; replies threaded by In-Reply-To and References."""

from __future__ import annotations

import quopri
import unicodedata

import pytest
from django.core import mail as django_mail  # noqa: F401  (locmem backend in tests)

from egov.core.models import AuditEvent
from egov.core.models_outbox import OutboundMessage
from egov.petitions.models import (
    Petition,
    PetitionEvent,
    PetitionIdentity,
    PetitionIdentityFile,
    PetitionState,
)
from egov.petitions.models_mail import MailMessage, MailOutcome
from egov.petitions.redaction import REDACTED
from egov.petitions.services.mail import mailbox_poll

from ..pdf_samples import clean_pdf
from .mail_fixtures import *  # noqa: F403 - dovecot, mailbox, make_mail

pytestmark = pytest.mark.django_db

LETTER = ("Kính gửi UBND xã An Bình. Tôi là Trần Thị Bích Ngọc, số điện thoại 0987 654 321, "
          "phản ánh việc đổ rác thải xây dựng trái phép tại bờ kênh thôn Đông.")


def _cp1258(text: str) -> bytes:
    """Encode as Vietnamese Windows does: base letters with circumflex, breve and horn
    precomposed, the tone marks as combining characters."""
    out = []
    for ch in text:
        marks = unicodedata.normalize("NFD", ch)
        shape = "".join(m for m in marks[1:] if m in "\u0302\u0306\u031b")
        tone = "".join(m for m in marks[1:] if m not in shape)
        out.append(unicodedata.normalize("NFC", marks[0] + shape).encode("cp1258")
                   + tone.encode("cp1258"))
    return b"".join(out)


def _acks():
    return list(OutboundMessage.objects.filter(template_code="petitions.mail_ack"))


def test_new_message_becomes_a_draft_petition_with_the_sender_as_identity(
        dovecot, mailbox, deliver, make_mail):
    deliver(make_mail(subject="Phản ánh đổ rác – Trần Thị Bích Ngọc", body=LETTER))

    result = mailbox_poll(mailbox.pk)

    assert result.error == "" and result.outcomes == {"petition": 1}
    p = Petition.objects.get()
    assert (p.channel, p.state, p.agency_id) == ("email", PetitionState.DRAFT,
                                                  mailbox.agency_id)
    assert p.received_by_id is None
    # The content and subject everyone reads carry no identity.
    for value in ("Trần Thị Bích Ngọc", "0987 654 321", "ngoc.tran"):
        assert value not in p.content and value not in p.subject
    assert REDACTED in p.content and "đổ rác thải xây dựng" in p.content
    ident = PetitionIdentity.objects.get(petition=p)
    assert (ident.full_name, ident.email) == ("Trần Thị Bích Ngọc", "ngoc.tran@example.vn")
    assert ident.original_content == LETTER
    assert ident.source_details["headers"]["From"].endswith("<ngoc.tran@example.vn>")
    assert ident.source_details["uid"] == 1
    # The message as received is kept as an identity file.
    files = PetitionIdentityFile.objects.filter(petition=p).select_related("file")
    assert [f.file.original_name for f in files] == ["thu-goc.eml"]
    assert list(p.events.values_list("kind", "public")) == [("submit", True)]
    row = MailMessage.objects.get()
    assert (row.outcome, row.petition_id, row.uid) == (MailOutcome.PETITION, p.pk, 1)
    mailbox.refresh_from_db()
    assert mailbox.last_uid == 1 and mailbox.uidvalidity and mailbox.last_error == ""
    assert mailbox.failures == 0 and mailbox.next_poll_at > mailbox.last_poll_at
    # Marked read on the server after the commit.
    assert "\\Seen" in dovecot.flags(mailbox.folder)[1]
    # The import is in the audit trail, with no identity in it.
    audit = AuditEvent.objects.get(action="petition.mail.import")
    assert audit.details["code"] == p.code and "ngoc" not in str(audit.details)


def test_acknowledgement_queued_once_with_code_and_check(dovecot, mailbox, deliver, make_mail):
    deliver(make_mail(body=LETTER))
    mailbox_poll(mailbox.pk)
    mailbox_poll(mailbox.pk)
    p = Petition.objects.get()
    (ack,) = _acks()
    assert ack.recipient == "ngoc.tran@example.vn" and ack.channel == "email"
    assert p.code in ack.body and p.lookup_check in ack.body and p.code in ack.subject
    # The link opens the look-up page on this petition (code and check in the query).
    assert f"/public/petitions/lookup/?code={p.code}&check={p.lookup_check}" in ack.body
    # Never the content of the letter.
    assert "đổ rác" not in ack.body and "Ngọc" not in ack.body
    row = MailMessage.objects.get()
    assert row.ack_message_id.startswith("<") and row.ack_message_id.endswith(">")
    # The address was in hand at intake: no stored identity was read to send it.
    assert not AuditEvent.objects.filter(action="petition.identity.read").exists()


def test_vietnamese_subject_in_rfc2047_and_legacy_charsets(dovecot, mailbox, deliver, make_mail):
    # Subject as UTF-8 base64 encoded words, body in windows-1258 (tone marks as combining
    # characters) quoted-printable.
    raw = (b"From: =?utf-8?b?Tmd1eeG7hW4gVsSDbiBBbg==?= <an.nguyen@example.vn>\r\n"
           b"To: tiepdan@anbinh.gov.vn\r\n"
           b"Subject: =?utf-8?b?xJDGoW4ga2hp4bq/dSBu4bqhaSB24buBIHF1eeG6v3QgxJHhu4tuaCB0aHUgaOG7k2kgxJHhuqV0?=\r\n"
           b"Message-ID: <cp1258.1@example.vn>\r\n"
           b"Date: Sat, 05 Dec 2026 09:00:00 +0700\r\n"
           b"MIME-Version: 1.0\r\n"
           b"Content-Type: text/plain; charset=windows-1258\r\n"
           b"Content-Transfer-Encoding: quoted-printable\r\n\r\n")
    body = "Tôi khiếu nại quyết định thu hồi đất số 12/QĐ-UBND."
    raw += quopri.encodestring(_cp1258(body)) + b"\r\n"
    # A second message: Q-encoded subject in ISO-8859-1 name, HTML-only body in UTF-8.
    html = ("<html><head><style>p{color:red}</style></head><body><p>Kiến nghị sửa "
            "<b>đường</b> liên thôn</p><p>Xin cảm ơn&nbsp;ạ</p><script>x()</script></body>"
            "</html>")
    raw2 = (b"From: Le Thi Hoa <hoa@example.vn>\r\nTo: tiepdan@anbinh.gov.vn\r\n"
            b"Subject: =?utf-8?q?Ki=E1=BA=BFn_ngh=E1=BB=8B_s=E1=BB=ADa_=C4=91=C6=B0=E1=BB=9Dng?=\r\n"
            b"Message-ID: <html.1@example.vn>\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
            + html.encode())
    deliver(raw, raw2)

    assert mailbox_poll(mailbox.pk).outcomes == {"petition": 2}
    first, second = Petition.objects.order_by("id")
    assert first.subject == "Đơn khiếu nại về quyết định thu hồi đất"
    assert first.content == body  # NFC: the same string as typed with precomposed letters
    assert PetitionIdentity.objects.get(petition=first).full_name == "Nguyễn Văn An"
    assert second.subject == "Kiến nghị sửa đường"
    assert second.content == "Kiến nghị sửa đường liên thôn\n\nXin cảm ơn ạ"


def test_attachments_are_stored_as_identity_files(dovecot, mailbox, deliver, make_mail):
    png = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
           b"\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01"
           b"\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
    broken = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n%%EOF\n"  # no xref: "damaged"
    deliver(make_mail(body=LETTER, attachments=[
        ("Đơn viết tay.png", png, "image", "png"),
        ("bien-ban.pdf", clean_pdf(), "application", "pdf"),
        ("hong.pdf", broken, "application", "pdf"),
        ("rong.txt", b"", "text", "plain"),
    ]))
    mailbox_poll(mailbox.pk)
    p = Petition.objects.get()
    files = list(PetitionIdentityFile.objects.filter(petition=p).select_related("file"))
    # A PDF the upload check calls damaged is kept too (derived from the .eml); an empty part
    # is no file (the .eml still holds it). Attachments are stored under neutral names (their
    # own may name the sender); the names stay in the identity's source details.
    names = sorted(f.file.original_name for f in files)
    assert len(names) == 4 and "thu-goc.eml" in names
    assert sorted(n.rsplit(".", 1)[1] for n in names if n != "thu-goc.eml") == \
        ["pdf", "pdf", "png"]
    assert all(n.startswith("giay-to-") for n in names if n != "thu-goc.eml")
    assert not p.files.exists()  # nothing of the letter among the non-identifying files
    assert {f.file.content_type for f in files if f.file.original_name.endswith(".png")} == \
        {"image/png"}
    from egov.core.models import AuditEvent
    logged = " ".join(str(e.details) for e in AuditEvent.objects.filter(action="file.store"))
    assert "viết tay" not in logged and "bien-ban" not in logged
    ident = PetitionIdentity.objects.get(petition=p)
    assert ident.source_details["attachments"] == ["Đơn viết tay.png", "bien-ban.pdf",
                                                   "hong.pdf"]
    assert ident.source_details["refused_files"] == []


def test_replies_attach_by_in_reply_to_and_by_references(dovecot, mailbox, deliver, make_mail):
    deliver(make_mail(body=LETTER, message_id="<goc@example.vn>"))
    mailbox_poll(mailbox.pk)
    p = Petition.objects.get()

    deliver(
        make_mail(subject="Re: Đơn phản ánh", message_id="<rep1@example.vn>",
                  body="Bổ sung: tôi là Trần Thị Bích Ngọc, gửi thêm ảnh hiện trường.",
                  In_Reply_To="<goc@example.vn>",
                  attachments=[("anh.jpg", b"\xff\xd8\xff\xe0" + b"0" * 64, "image", "jpeg")]),
        # Threaded only by References (the nearest known id wins over unknown ones).
        make_mail(subject="Re: Re: Đơn phản ánh", message_id="<rep2@example.vn>",
                  body="Thêm một ý nữa.",
                  References="<goc@example.vn> <khong-ro@elsewhere.vn> <rep1@example.vn>"),
    )
    result = mailbox_poll(mailbox.pk)

    assert result.outcomes == {"reply": 2}
    assert Petition.objects.count() == 1
    replies = list(PetitionEvent.objects.filter(petition=p, kind="reply").order_by("id"))
    assert len(replies) == 2 and not any(e.public for e in replies)
    assert "ảnh hiện trường" in replies[0].note and "Ngọc" not in replies[0].note
    assert replies[1].note == "Thêm một ý nữa."
    rows = dict(MailMessage.objects.values_list("message_id", "petition_id"))
    assert rows == {"<goc@example.vn>": p.pk, "<rep1@example.vn>": p.pk,
                    "<rep2@example.vn>": p.pk}
    files = PetitionIdentityFile.objects.filter(petition=p).select_related("file")
    names = sorted(f.file.original_name for f in files)
    assert names[1:] == ["thu-goc.eml", "thu-goc.eml", "thu-goc.eml"]
    assert names[0].startswith("giay-to-") and names[0].endswith(".jpg")  # anh.jpg, renamed
    ident = PetitionIdentity.objects.get(petition=p)
    assert [r["headers"]["Message-ID"] for r in ident.source_details["replies"]] == [
        "<rep1@example.vn>", "<rep2@example.vn>"]
    assert len(_acks()) == 1  # only the new petition was acknowledged


def test_a_reply_to_the_acknowledgement_threads_onto_the_petition(dovecot, mailbox, deliver,
                                                                   make_mail):
    deliver(make_mail(body=LETTER))
    mailbox_poll(mailbox.pk)
    ack_id = MailMessage.objects.get().ack_message_id
    deliver(make_mail(subject="Re: Đã nhận đơn", body="Cảm ơn, tôi gửi bổ sung.",
                             In_Reply_To=ack_id, References=ack_id))
    assert mailbox_poll(mailbox.pk).outcomes == {"reply": 1}
    assert Petition.objects.count() == 1


def test_replies_do_not_cross_agencies(dovecot, mailbox, deliver, make_mail, pet):
    from egov.petitions.models_mail import Mailbox

    deliver(make_mail(body=LETTER, message_id="<goc-x@example.vn>"))
    mailbox_poll(mailbox.pk)
    other = Mailbox.objects.create(
        agency=pet["other"], address="tiepdan@binhminh.gov.vn", host=mailbox.host,
        port=mailbox.port, security=mailbox.security, username=mailbox.username,
        password_env=mailbox.password_env, folder=mailbox.folder + "b")
    conn = dovecot.connect()
    conn.create(other.folder)
    conn.logout()
    dovecot.append(make_mail(body="Trả lời.", In_Reply_To="<goc-x@example.vn>"),
                   folder=other.folder)
    assert mailbox_poll(other.pk).outcomes == {"petition": 1}
    assert Petition.objects.filter(agency=pet["other"]).count() == 1


@pytest.mark.parametrize("headers, sender", [
    ({"Auto_Submitted": "auto-replied"}, ("Nguyễn Văn An", "an@example.vn")),
    ({"Precedence": "bulk"}, ("Bản tin", "bantin@example.vn")),
    ({"List_Id": "<tin.example.vn>"}, ("Danh sách", "ds@example.vn")),
    ({}, ("", "no-reply@example.vn")),
    ({}, ("", "tiepdan@anbinh.gov.vn")),  # our own address: a loop
])
def test_no_acknowledgement_to_automatic_messages(dovecot, mailbox, deliver, make_mail, headers,
                                                  sender):
    deliver(make_mail(body="Tôi đang đi vắng đến hết tuần.", sender=sender,
                             **headers))
    assert mailbox_poll(mailbox.pk).outcomes == {"petition": 1}
    assert _acks() == []
    row = MailMessage.objects.get()
    assert row.ack_message_id == ""


def test_delivery_reports_are_not_petitions(dovecot, mailbox, deliver):
    bounce = (b"From: Mail Delivery System <MAILER-DAEMON@mx.example.vn>\r\n"
              b"To: tiepdan@anbinh.gov.vn\r\nSubject: Undelivered Mail Returned to Sender\r\n"
              b"Message-ID: <bounce.1@mx.example.vn>\r\nAuto-Submitted: auto-replied\r\n"
              b"MIME-Version: 1.0\r\n"
              b"Content-Type: multipart/report; report-type=delivery-status; boundary=\"b1\"\r\n"
              b"\r\n--b1\r\nContent-Type: text/plain\r\n\r\nThe mail system: host not found\r\n"
              b"--b1\r\nContent-Type: message/delivery-status\r\n\r\n"
              b"Reporting-MTA: dns; mx.example.vn\r\n\r\nFinal-Recipient: rfc822; x@y.vn\r\n"
              b"Action: failed\r\nStatus: 5.1.2\r\n--b1--\r\n")
    deliver(bounce)
    assert mailbox_poll(mailbox.pk).outcomes == {"skipped": 1}
    assert not Petition.objects.exists() and _acks() == []
    row = MailMessage.objects.get()
    assert (row.outcome, row.auto_reason, row.petition_id) == ("skipped", "bounce", None)
    mailbox.refresh_from_db()
    assert mailbox.last_uid == 1


def test_message_without_message_id_gets_a_stable_one(dovecot, mailbox, deliver, make_mail):
    raw = make_mail(body=LETTER, message_id=None)
    deliver(raw)
    mailbox_poll(mailbox.pk)
    row = MailMessage.objects.get()
    assert row.message_id.endswith("@egov.invalid>")
    from egov.petitions.mailparse import parse

    assert parse(raw).message_id == row.message_id
