"""Fixtures of the e-mail intake tests (i11-mail): one real Dovecot for the session, a fresh IMAP
folder and a `Mailbox` row pointing at it per test, and a builder of RFC 5322 messages.

Imported by the test modules (`from .mail_fixtures import *`); tests/petitions/conftest.py
belongs to the module base.
"""

from __future__ import annotations

import itertools
import uuid
from email.message import EmailMessage
from email.utils import format_datetime

import pytest
from django.utils import timezone

from egov.petitions.models_mail import Mailbox, MailSecurity

from .imap_server import Dovecot

PASSWORD_ENV = "EGOV_TEST_IMAP_PASSWORD"
_counter = itertools.count(1)

__all__ = ["dovecot", "mailbox", "deliver", "make_mail", "PASSWORD_ENV"]


@pytest.fixture(scope="session")
def dovecot():
    server = Dovecot().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def mailbox(dovecot, pet, monkeypatch):
    """A Mailbox of the commune on a fresh folder of the test Dovecot (no TLS: loopback), the
    password in an environment variable."""
    folder = f"T{uuid.uuid4().hex[:12]}"
    conn = dovecot.connect()
    try:
        conn.create(folder)
    finally:
        conn.logout()
    monkeypatch.setenv(PASSWORD_ENV, dovecot.password)
    return Mailbox.objects.create(
        agency=pet["commune"], address="tiepdan@anbinh.gov.vn", host="127.0.0.1",
        port=dovecot.port, security=MailSecurity.NONE, username=dovecot.user,
        password_env=PASSWORD_ENV, folder=folder, poll_seconds=60)


@pytest.fixture
def deliver(dovecot, mailbox):
    """deliver(raw, raw, …): IMAP APPEND into the test mailbox's folder."""

    def _deliver(*raws: bytes) -> None:
        dovecot.append(*raws, folder=mailbox.folder)

    return _deliver


@pytest.fixture
def make_mail():
    """make_mail(subject=..., body=..., sender=("Name", "addr"), **headers, html=None,
    attachments=[(name, bytes, maintype, subtype)], charset="utf-8") → bytes."""

    def _make(*, subject: str = "Đơn phản ánh", body: str = "Nội dung đơn.",
              sender=("Trần Thị Bích Ngọc", "ngoc.tran@example.vn"), html: str | None = None,
              attachments=(), charset: str = "utf-8", message_id: str | None = "auto",
              **headers) -> bytes:
        msg = EmailMessage()
        msg["From"] = f"{sender[0]} <{sender[1]}>" if sender[0] else sender[1]
        msg["To"] = "tiepdan@anbinh.gov.vn"
        msg["Subject"] = subject
        msg["Date"] = format_datetime(timezone.now())
        if message_id == "auto":
            message_id = f"<m{next(_counter)}.{uuid.uuid4().hex[:8]}@example.vn>"
        if message_id:
            msg["Message-ID"] = message_id
        for name, value in headers.items():
            msg[name.replace("_", "-")] = value
        msg.set_content(body, charset=charset)
        if html is not None:
            msg.add_alternative(html, subtype="html")
        for name, data, maintype, subtype in attachments:
            msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
        return bytes(msg)

    return _make
