"""Helpers of the crash tests (tests/onestop and tests/petitions test_background_crash, with
tests/jobs_support for the worker subprocesses): a real SMTP server on loopback that can hold one
message until the test has killed the worker (or ended its database connection), the
environment of an `egov worker` subprocess that sends through it, and the PostgreSQL backend
terminator."""

from __future__ import annotations

import asyncio
import email
import socket
import threading
from collections import Counter

import pytest
from django.db import connection


class HoldingSmtp:
    """aiosmtpd on loopback. Every message received is kept in `messages`; with `hold_at = n`
    the n-th message is taken (kept) and its "250" held back (``holding`` set) until ``release``
    is set — the worst case for the client: a server that has the message while the client,
    killed or cut off meanwhile, never learns it (RFC 1047)."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[email.message.Message] = []
        self.hold_at: int | None = None
        self.holding = threading.Event()
        self.release = threading.Event()
        self.datas = 0
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.datas += 1
        self.messages.append(email.message_from_bytes(envelope.original_content))
        if self.datas == self.hold_at:
            self.holding.set()
            for _ in range(2400):  # never block the server's event loop
                if self.release.is_set():
                    break
                await asyncio.sleep(0.05)
        return "250 OK"

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()

    def env(self) -> dict[str, str]:
        """The environment that points an `egov worker` subprocess at this server."""
        return {"EGOV_TEST_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "EGOV_EMAIL_HOST": "127.0.0.1", "EGOV_EMAIL_PORT": str(self.port)}

    def by_message_id(self) -> Counter:
        return Counter(m["Message-ID"] for m in self.messages)

    def by_recipient(self) -> Counter:
        return Counter(m["To"] for m in self.messages)


@pytest.fixture
def smtp():
    """A HoldingSmtp for the test (released and stopped at the end)."""
    server = HoldingSmtp()
    server.start()
    try:
        yield server
    finally:
        server.release.set()
        server.stop()


# Short periods so that a test's second worker takes up at once what the first one left.
WORKER_ENV = {"EGOV_OUTBOX_LEASE_SECONDS": "2", "EGOV_SWEEP_SECONDS": "1"}


def terminate_other_backends() -> int:
    """PostgreSQL: end every connection to the test database but the test's own (the worker's
    main and heartbeat connections); returns how many were ended."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        return sum(1 for (ok,) in cursor.fetchall() if ok)
