"""Polling a petition mailbox over IMAP (i11-mail; issue 11 "E-mail").

`mailbox_poll(mailbox_id)`:

1. takes the mailbox's lease (a compare-and-set UPDATE: one poller at a time, whichever worker);
2. connects with timeouts (IMAPS, STARTTLS, or plain on loopback), logs in with the password
   from the environment variable or secrets file the row names, SELECTs the folder;
3. compares the folder's UIDVALIDITY with the one stored: when it changed (the folder was
   re-created, the server migrated) the UIDs mean nothing any more, so `last_uid` goes back to
   0 and the whole folder is read again — the messages already imported are recognised by
   their Message-ID (unique per mailbox) and only move `last_uid`;
4. asks for the UIDs above `last_uid` and fetches them in batches (BODY.PEEK[]: nothing is
   marked read by fetching), oldest first;
5. imports each message in its own transaction that also advances `last_uid`
   (services.mail_import): a message is either imported and marked done, or neither;
6. only after the batch's transactions committed, marks the batch \\Seen on the server when the
   row asks for it (cosmetic: the state that matters is `last_uid`).

A dropped connection, a timeout or a server error stops the poll: what was committed stays,
the rest is fetched by the next poll from `last_uid`. A crash between a commit and the \\Seen
flag leaves a message unread on the server but imported once. Errors are stored on the row
(`last_error`, shown in the admin) and the next poll waits longer after each failure in a row
(exponential backoff, capped).
"""

from __future__ import annotations

import datetime as dt
import imaplib
import logging
import os
import re
import ssl
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError
from django.db.models import F, Q
from django.utils import timezone

from egov.core import jobs

from ..models_mail import Mailbox, MailSecurity
from .mail_import import MailboxChanged, message_import

log = logging.getLogger("egov.petitions.mail")

_UID = re.compile(rb"UID (\d+)")
_INTERNALDATE = re.compile(rb'INTERNALDATE "([^"]+)"')


class MailboxError(Exception):
    """The poll could not go on (configuration, login, folder, server or network)."""


@dataclass
class PollResult:
    mailbox: str
    fetched: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    error: str = ""
    rescanned: bool = False
    skipped: bool = False  # another poller holds the lease

    def count(self, outcome: str) -> int:
        return self.outcomes.get(outcome, 0)


# --- settings -----------------------------------------------------------------------------------


def _setting(name: str, default: float) -> float:
    """A Django setting, else the environment variable of the same name, else the default."""
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name) or default
    return float(value)


def timeout_seconds() -> float:
    return _setting("EGOV_MAIL_TIMEOUT_SECONDS", 30)


def batch_size() -> int:
    return max(1, int(_setting("EGOV_MAIL_BATCH", 50)))


def lease_seconds() -> float:
    """Longer than any poll may take (a poll stops taking new batches after half of it)."""
    return _setting("EGOV_MAIL_LEASE_SECONDS", 900)


def backoff_seconds(mailbox: Mailbox, failures: int) -> float:
    cap = _setting("EGOV_MAIL_BACKOFF_MAX_SECONDS", 6 * 3600)
    return min(cap, mailbox.poll_seconds * (2 ** max(0, min(failures, 16))))


# --- connecting ---------------------------------------------------------------------------------


def mailbox_password(mailbox: Mailbox) -> str:
    """From the environment variable the row names, else from its secrets file."""
    if mailbox.password_env:
        value = os.environ.get(mailbox.password_env)
        if value is None:
            raise MailboxError(f"environment variable {mailbox.password_env} is not set")
        return value
    if mailbox.password_file:
        try:
            return Path(mailbox.password_file).read_text(encoding="utf-8").strip("\r\n")
        except OSError as exc:
            raise MailboxError(f"cannot read the password file: {exc.strerror}") from exc
    raise MailboxError("no password source: set the environment variable or the secrets file")


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def mailbox_connect(mailbox: Mailbox, *, timeout: float | None = None) -> imaplib.IMAP4:
    """A logged-in connection (not yet SELECTed); MailboxError on any failure."""
    timeout = timeout_seconds() if timeout is None else timeout
    password = mailbox_password(mailbox)
    try:
        if mailbox.security == MailSecurity.SSL:
            conn = imaplib.IMAP4_SSL(mailbox.host, mailbox.port, timeout=timeout,
                                     ssl_context=ssl.create_default_context())
        else:
            conn = imaplib.IMAP4(mailbox.host, mailbox.port, timeout=timeout)
            if mailbox.security == MailSecurity.STARTTLS:
                conn.starttls(ssl.create_default_context())
        conn.login(mailbox.username, password)
    except (imaplib.IMAP4.error, OSError, EOFError) as exc:
        raise MailboxError(f"cannot connect or log in to {mailbox.host}:{mailbox.port}: "
                           f"{exc}") from exc
    return conn


def _select(conn: imaplib.IMAP4, mailbox: Mailbox) -> int:
    """SELECT the folder; its UIDVALIDITY."""
    typ, data = conn.select(_quote(mailbox.folder), readonly=not mailbox.mark_seen)
    if typ != "OK":
        raise MailboxError(f"cannot open the folder {mailbox.folder}: {data!r}")
    typ, data = conn.response("UIDVALIDITY")
    if not data or data[0] is None:
        raise MailboxError("the server gave no UIDVALIDITY")
    return int(data[0])


def _uids_after(conn: imaplib.IMAP4, last_uid: int) -> list[int]:
    typ, data = conn.uid("SEARCH", f"UID {last_uid + 1}:*")
    if typ != "OK":
        raise MailboxError(f"UID SEARCH failed: {data!r}")
    # "n:*" always matches the highest UID, even when it is ≤ n: keep only the new ones.
    return sorted(u for u in (int(x) for x in (data[0] or b"").split()) if u > last_uid)


def _fetch(conn: imaplib.IMAP4, uids: list[int]) -> dict[int, tuple[bytes, dt.datetime | None]]:
    """{uid: (raw message, INTERNALDATE)} for the UIDs still in the folder."""
    typ, data = conn.uid("FETCH", ",".join(map(str, uids)), "(UID INTERNALDATE BODY.PEEK[])")
    if typ != "OK":
        raise MailboxError(f"UID FETCH failed: {data!r}")
    records: list[list] = []  # [header bytes, literal]
    for item in data or []:
        if isinstance(item, tuple):
            records.append([item[0], item[1]])
        elif isinstance(item, bytes) and records:
            records[-1][0] += item  # the items after the literal (") " or " INTERNALDATE …)")
    out = {}
    for head, raw in records:
        m = _UID.search(head)
        if m is None or raw is None:
            continue  # an unsolicited FETCH (flags changed by another client)
        when = None
        d = _INTERNALDATE.search(head)
        if d is not None:
            parts = imaplib.Internaldate2tuple(b'INTERNALDATE "' + d.group(1) + b'"')
            if parts is not None:
                when = dt.datetime.fromtimestamp(time.mktime(parts), tz=dt.UTC)
        out[int(m.group(1))] = (raw, when)
    return out


# --- the lease and the row's state --------------------------------------------------------------


def _take_lease(mailbox_id: int, now: dt.datetime) -> bool:
    return bool(Mailbox.objects.filter(pk=mailbox_id, active=True)
                .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
                .update(lease_until=now + timedelta(seconds=lease_seconds()), last_poll_at=now))


def _finish(mailbox: Mailbox, error: str) -> None:
    now = timezone.now()
    if error:
        failures = mailbox.failures + 1
        Mailbox.objects.filter(pk=mailbox.pk).update(
            lease_until=None, last_error=error[:2000], failures=F("failures") + 1,
            next_poll_at=now + timedelta(seconds=backoff_seconds(mailbox, failures)))
        log.warning("mailbox %s: %s (failure %d in a row)", mailbox.address, error, failures)
    else:
        Mailbox.objects.filter(pk=mailbox.pk).update(
            lease_until=None, last_error="", failures=0, last_success_at=now,
            next_poll_at=now + timedelta(seconds=mailbox.poll_seconds))


def _set_uidvalidity(mailbox: Mailbox, uidvalidity: int) -> bool:
    """Store the folder's UIDVALIDITY; when it differs from the stored one, start again from
    UID 0 (RFC 3501 §2.3.1.1: the old UIDs mean nothing now). True when it changed (not on the
    first poll). The caller holds the lease: no other poller writes the row."""
    if mailbox.uidvalidity == uidvalidity:
        return False
    first = mailbox.uidvalidity is None
    if not first:
        log.warning("mailbox %s: UIDVALIDITY %s → %s, the folder is read again",
                    mailbox.address, mailbox.uidvalidity, uidvalidity)
    Mailbox.objects.filter(pk=mailbox.pk).update(uidvalidity=uidvalidity, last_uid=0)
    mailbox.uidvalidity, mailbox.last_uid = uidvalidity, 0
    return not first


# --- the poll -----------------------------------------------------------------------------------


def mailbox_poll(mailbox_id: int, *, batch: int | None = None,
                 limit: int | None = None) -> PollResult:
    """Poll one mailbox (see the module doc). `limit` stops after that many messages (the rest
    waits for the next poll)."""
    now = timezone.now()
    mailbox = Mailbox.objects.select_related("agency").get(pk=mailbox_id)
    result = PollResult(mailbox=mailbox.address)
    if not _take_lease(mailbox_id, now):
        result.skipped = True
        return result
    batch = batch or batch_size()
    started = timezone.now()
    conn = None
    error = ""
    lost = False  # the database connection went away: the job runs again
    try:
        conn = mailbox_connect(mailbox)
        uidvalidity = _select(conn, mailbox)
        result.rescanned = _set_uidvalidity(mailbox, uidvalidity)
        uids = _uids_after(conn, mailbox.last_uid)
        if limit is not None:
            uids = uids[:limit]
        for start in range(0, len(uids), batch):
            if (timezone.now() - started).total_seconds() > lease_seconds() / 2:
                break  # the rest next time, before the lease could run out
            chunk = uids[start:start + batch]
            fetched = _fetch(conn, chunk)
            done = []
            for uid in chunk:
                if uid not in fetched:
                    continue  # expunged meanwhile
                raw, when = fetched[uid]
                outcome = message_import(mailbox_id=mailbox.pk, uidvalidity=uidvalidity,
                                         uid=uid, raw=raw, received_at=when, mailbox=mailbox)
                result.fetched += 1
                result.outcomes[outcome] = result.outcomes.get(outcome, 0) + 1
                done.append(uid)
            if mailbox.mark_seen and done:
                # After the commits: a crash before this line leaves them unread, imported.
                conn.uid("STORE", ",".join(map(str, done)), "+FLAGS.SILENT", r"(\Seen)")
    except MailboxChanged:
        error = "the folder's UIDVALIDITY changed during the poll; the next poll reads it again"
    except MailboxError as exc:
        error = str(exc)
    except (TimeoutError, imaplib.IMAP4.error, OSError, EOFError) as exc:
        error = f"connection lost: {exc.__class__.__name__}: {exc}"
    except DatabaseError as exc:
        # After a failed transaction Django may have closed the connection already: the
        # error itself tells then (jobs.is_connection_loss).
        if jobs.is_connection_loss(exc) or jobs.connection_lost():
            lost = True
            raise  # the worker waits for the database; the job runs again
        log.exception("mailbox %s: import failed", mailbox.address)
        error = f"import failed: {exc.__class__.__name__}: {exc}"
    except Exception as exc:  # noqa: BLE001 - one bad message must not stop the other mailboxes
        log.exception("mailbox %s: import failed", mailbox.address)
        error = f"import failed: {exc.__class__.__name__}: {exc}"
    finally:
        if conn is not None:
            try:
                conn.logout()
            except Exception:  # noqa: BLE001 - the connection may already be gone
                pass
        result.error = error
        try:
            if lost:
                _release(mailbox)
            else:
                _finish(mailbox, error)
        except DatabaseError:
            log.exception("mailbox %s: cannot record the poll", mailbox.address)
    return result


def _release(mailbox: Mailbox) -> None:
    """The poll lost its database connection: give the lease back (on a new connection, if the
    database is there) and leave the mailbox due, so that the job's next run polls it at once;
    not a success, not a failure of the mailbox. When the database is still away the lease runs
    out by itself (EGOV_MAIL_LEASE_SECONDS)."""
    from django.db import connection

    connection.close()  # the broken one; the next query opens a new one
    Mailbox.objects.filter(pk=mailbox.pk).update(lease_until=None)


def due_mailboxes(now: dt.datetime | None = None):
    now = now or timezone.now()
    return (Mailbox.objects.filter(active=True)
            .filter(Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now))
            .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now)))


def mail_poll_due(*, limit: int | None = None) -> list[PollResult]:
    """Poll every active mailbox that is due (the background job)."""
    return [mailbox_poll(pk, limit=limit)
            for pk in due_mailboxes().order_by("next_poll_at", "pk").values_list("pk", flat=True)]


def mailbox_poll_soon(mailbox: Mailbox) -> None:
    """An administrator asks for a poll now (admin action): due at once, backoff forgotten."""
    Mailbox.objects.filter(pk=mailbox.pk).update(next_poll_at=timezone.now())


def mail_sweep() -> bool:
    """The workers' periodic duty (egov.core.jobs.every): enqueue the poll job when a mailbox
    is due and no such job is waiting."""
    if not due_mailboxes().exists():
        return False
    from ..tasks_mail import mail_poll

    return jobs.enqueue_unless_pending(mail_poll)
