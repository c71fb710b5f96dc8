"""The outbox: messages to citizens (e-mail, SMS) that survive outages and are never sent twice.

- :func:`outbox_enqueue` renders a :class:`~egov.core.models_outbox.MessageTemplate` and writes an
  :class:`~egov.core.models_outbox.OutboundMessage` inside the caller's transaction, so a change
  that rolls back sends nothing and a change that commits loses nothing. The idempotency `key` is
  unique: a retried request or a repeated event enqueues nothing more.
- After the commit a job (``egov.core.tasks_outbox.outbox_send``, queue "mail") sends the due
  messages: e-mail through Django's mail backend (SMTP in production), SMS through the gateway
  plugin (egov.core.sms). A failure is retried with exponential backoff; after
  EGOV_OUTBOX_MAX_ATTEMPTS attempts the message ends failed.
- Never twice: on PostgreSQL each message is taken with ``SELECT … FOR NO KEY UPDATE SKIP
  LOCKED`` and marked sent in the same transaction as the send's result, so several workers
  never take one message; a worker killed during a send rolls back and the message is sent
  again later (at-least-once towards the provider: one extra copy at most per killed worker,
  and the e-mail's Message-ID is derived from the key so a receiver can de-duplicate). A worker
  that only loses its database connection after a send remembers it and writes the mark when
  the database is back (:func:`mark_taken`, :func:`flush_unmarked`): nothing twice. SQLite (one writer at a time) takes a message with a
  compare-and-set lease instead, so that a slow operator never holds the database's write lock.
- The workers' periodic pass (egov.core.jobs.every) enqueues a send job when retries fall due;
  ``egov outbox_send`` does the same from cron.
- Delivery receipts: gateways that report delivery call :func:`outbox_delivered`.

States only move forward (queued → sent → delivered, queued/sent → failed): every move here is a
compare-and-set UPDATE, and the database refuses any other (migration core 0014).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import random
import smtplib
from collections.abc import Iterator
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import DatabaseError, connections, transaction
from django.db.models import Model, QuerySet
from django.template import Context, Engine, TemplateSyntaxError
from django.utils import timezone

from .errors import InvalidInput
from .models_outbox import MessageChannel, MessageState, MessageTemplate, OutboundMessage

log = logging.getLogger("egov.outbox")

# A standalone template engine for plain-text messages: nothing is HTML-escaped, unknown
# variables render empty, no template loaders (a template cannot include files).
_ENGINE = Engine(autoescape=False, string_if_invalid="", loaders=[], libraries={})


class PermanentFailure(Exception):
    """The provider refused the message for good (bad address): no retry."""


# --- settings -----------------------------------------------------------------------------------


def max_attempts() -> int:
    return max(1, int(getattr(settings, "EGOV_OUTBOX_MAX_ATTEMPTS", 8)))


def exponential_backoff(attempts: int, *, base: float, cap: float,
                        jitter: bool = False, rand: random.Random | None = None) -> float:
    """The wait after the `attempts`-th failed attempt: d = base × 2^(attempts-1), capped; with
    `jitter`, "equal jitter" — d/2 + a random part up to d/2 — so that destinations coming back
    are not hit by every worker at once."""
    delay = min(cap, base * (2 ** max(0, attempts - 1)))
    if jitter:
        return delay / 2 + (rand or random).uniform(0, delay / 2)
    return delay


def backoff_seconds(attempts: int) -> float:
    """The wait after the `attempts`-th failed attempt: base × 2^(attempts-1), capped."""
    return exponential_backoff(
        attempts, base=float(getattr(settings, "EGOV_OUTBOX_BACKOFF_SECONDS", 60)),
        cap=float(getattr(settings, "EGOV_OUTBOX_BACKOFF_MAX_SECONDS", 6 * 3600)))


def lease_seconds() -> float:
    """How long a message taken by a worker (SQLite) is hidden from the others; longer than any
    send may take (SMTP and gateway timeouts)."""
    return float(getattr(settings, "EGOV_OUTBOX_LEASE_SECONDS", 300))


# --- confidential recipients ---------------------------------------------------------------------

# Modules whose recipients are confidential (egov.petitions: the denouncer's address, Luật Tố
# cáo 25/2018 Art.47.2): the outbox admin shows their recipients masked and does not search
# them. The sender still reads the row as it is.
CONFIDENTIAL_MODULES: set[str] = set()


def register_confidential_module(module: str) -> None:
    CONFIDENTIAL_MODULES.add(module)


def masked_recipient(message) -> str:
    if message.module in CONFIDENTIAL_MODULES:
        return "[…]"
    return message.recipient


# --- templates ----------------------------------------------------------------------------------

# Built-in texts a module registers (its seeded defaults), used when no MessageTemplate row
# exists (deleted by mistake, or a flushed test database): a message is never lost for want of
# a row. {(code, channel, language): (subject, body)}
_defaults: dict[tuple[str, str, str], tuple[str, str]] = {}


def register_templates(rows) -> None:
    """Register default texts: dicts with code, channel, language, subject, body."""
    for row in rows:
        _defaults[(row["code"], row["channel"], row["language"])] = (row["subject"],
                                                                      row["body"])


def template_check(text: str) -> None:
    """Raise TemplateSyntaxError when `text` is not a valid template or cannot be rendered
    (e.g. an {% include %}: there is nothing to include) — the admin form uses it."""
    template = _ENGINE.from_string(text)
    try:
        template.render(Context({}, autoescape=False))
    except Exception as exc:  # noqa: BLE001 - whatever fails here would fail at sending
        raise TemplateSyntaxError(str(exc)) from exc


def render_template(*, code: str, channel: str, language: str,
                    context: dict) -> tuple[str, str, str]:
    """(subject, body, language used) from the template `code` in `channel` and `language`,
    falling back to Vietnamese. Raises LookupError when there is none, TemplateSyntaxError when
    it is broken."""
    rows = {t.language: t for t in MessageTemplate.objects.filter(
        code=code, channel=channel, language__in={language, settings.LANGUAGE_CODE, "vi"})}
    for lang in (language, settings.LANGUAGE_CODE, "vi"):
        if lang in rows:
            subject_text, body_text = rows[lang].subject, rows[lang].body
            break
        if (code, channel, lang) in _defaults:
            subject_text, body_text = _defaults[(code, channel, lang)]
            break
    else:
        raise LookupError(f"no message template {code} ({channel}, {language})")
    ctx = Context(context, autoescape=False)
    subject = " ".join(_ENGINE.from_string(subject_text).render(ctx).split())[:255]
    body = _ENGINE.from_string(body_text).render(ctx).strip()
    return subject, body, lang


# --- writing ------------------------------------------------------------------------------------


def _recipient(channel: str, to: str) -> str:
    if channel == MessageChannel.SMS:
        from .sms import normalise_phone

        return normalise_phone(to)
    if channel == MessageChannel.EMAIL:
        to = (to or "").strip()
        try:
            validate_email(to)
        except ValidationError as exc:
            raise InvalidInput("Not an e-mail address.", fields={"email": list(exc.messages)},
                               code="bad_email") from exc
        return to
    raise ValueError(f"unknown channel {channel!r}")


def _object_ref(subject) -> tuple[str, str]:
    if subject is None:
        return "", ""
    if isinstance(subject, Model):
        return subject._meta.label_lower, str(subject.pk)
    kind, pk = subject
    return str(kind), str(pk)


def outbox_enqueue(*, key: str, channel: str, to: str, template: str, context: dict,
                   language: str = "vi", module: str, subject=None) -> OutboundMessage:
    """Queue one message, inside the caller's transaction; returns it (the existing one when
    `key` was queued before: nothing more is sent).

    `to` is an e-mail address or a Vietnamese mobile number (InvalidInput otherwise: callers
    check first). `subject` is the object the message is about (a model instance or a
    (type, id) pair). A missing or broken template never breaks the caller: the message is
    recorded failed with the reason, for an administrator to see."""
    recipient = _recipient(channel, to)
    object_type, object_id = _object_ref(subject)
    now = timezone.now()
    row = OutboundMessage(key=key[:200], channel=channel, recipient=recipient,
                          template_code=template, language=language, module=module,
                          object_type=object_type, object_id=object_id, created_at=now,
                          next_attempt_at=now)
    try:
        row.subject, row.body, row.language = render_template(
            code=template, channel=channel, language=language, context=context)
    except Exception as exc:  # noqa: BLE001 - a bad template must never break the caller
        log.error("outbox %s: cannot render %s: %s", key, template, exc)
        row.state, row.failed_at, row.last_error = MessageState.FAILED, now, str(exc)[:2000]
        row.body = row.body or "-"
    # INSERT … ON CONFLICT DO NOTHING: a concurrent transaction that queued the same key first
    # wins, without breaking this transaction.
    OutboundMessage.objects.bulk_create([row], ignore_conflicts=True)
    if row.state == MessageState.QUEUED:
        _kick_after_commit()
    return OutboundMessage.objects.get(key=row.key)


def _kick() -> None:
    from .tasks_outbox import outbox_send

    try:
        outbox_send.enqueue()
    except Exception:  # noqa: BLE001 - the periodic pass sends it later
        log.exception("outbox: cannot enqueue the send job")


def _kick_after_commit() -> None:
    """One send job per transaction, after it commits."""
    conn = transaction.get_connection()
    if any(entry[1] is _kick for entry in conn.run_on_commit):
        return
    transaction.on_commit(_kick)


# --- taking due rows (shared with the modules' sync queues) -------------------------------------


@contextlib.contextmanager
def claim_next(queryset: QuerySet, *, now=None, lease: float | None = None) -> Iterator:
    """Take the first row of `queryset` (rows with `state` "queued" and `next_attempt_at`, due
    and in the order wanted) so that no other worker takes it; yields it (or None when there is
    none). The body sends and marks the row.

    PostgreSQL: the row is locked (FOR NO KEY UPDATE SKIP LOCKED) for the whole body, which runs in
    one transaction: what the body marks commits with it, and a worker killed in the body leaves
    the row as it was. Elsewhere (SQLite): a compare-and-set UPDATE moves the row's
    `next_attempt_at` a lease ahead and commits at once; the body runs in autocommit."""
    model = queryset.model
    now = now or timezone.now()
    conn = connections[queryset.db]
    if conn.features.has_select_for_update_skip_locked:
        with transaction.atomic(using=queryset.db):
            yield queryset.select_for_update(skip_locked=True, no_key=True,
                                              of=("self",)).first()
        return
    lease = lease_seconds() if lease is None else lease
    for _try in range(5):
        row = queryset.first()
        if row is None:
            break
        took = model._default_manager.filter(
            pk=row.pk, state="queued", next_attempt_at=row.next_attempt_at,
        ).update(next_attempt_at=now + timedelta(seconds=lease))
        if took:
            yield row
            return
    yield None


# Marks lost with the database connection, {(model label, pk): (model, fields)}: a worker whose
# connection is ended (server restart, pg_terminate_backend, failover) after the provider took a
# message knows that it did; it writes the mark first thing once the database is back instead of
# sending the message again. Only a worker that dies in that window (kill -9, host lost) sends
# one more copy (see the module docstring).
_unmarked: dict[tuple[str, object], tuple[type[Model], dict]] = {}


def mark_taken(model: type[Model], pk, **fields) -> int:
    """Record the outcome of a row taken by :func:`claim_next` (a compare-and-set from
    "queued"). When the connection is lost under it, the outcome is remembered for
    :func:`flush_unmarked` and the error raised (the job goes back to the queue)."""
    try:
        return model._default_manager.filter(pk=pk, state="queued").update(**fields)
    except DatabaseError as exc:
        from . import jobs

        if jobs.is_connection_loss(exc) or jobs.connection_lost():
            _unmarked[(model._meta.label_lower, pk)] = (model, fields)
        raise


def flush_unmarked(model: type[Model]) -> int:
    """Write the outcomes of `model` rows remembered by :func:`mark_taken` (still "queued":
    nobody else marked them meanwhile); called before taking any new row. Returns how many."""
    written = 0
    for ref, (kind, fields) in list(_unmarked.items()):
        if kind is model:
            written += model._default_manager.filter(pk=ref[1], state="queued").update(**fields)
            _unmarked.pop(ref, None)
    if written:
        log.warning("%s: %d outcome(s) written after the database came back",
                    model._meta.label_lower, written)
    return written


# --- sending ------------------------------------------------------------------------------------


def _message_id(key: str) -> str:
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    domain = (getattr(settings, "EGOV_SITE_URL", "") or "egov.localhost").split("//")[-1]
    return f"<{digest}@{domain.split('/')[0].split(':')[0] or 'egov.localhost'}>"


def _send(message: OutboundMessage) -> str:
    """Hand one message to its provider; the provider's message id."""
    if message.channel == MessageChannel.EMAIL:
        msg_id = _message_id(message.key)
        email = EmailMessage(subject=message.subject, body=message.body,
                             to=[message.recipient], headers={"Message-ID": msg_id})
        try:
            email.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentFailure(f"recipient refused: {exc}") from exc
        return msg_id
    if message.channel == MessageChannel.SMS:
        from .sms import get_gateway

        return str(get_gateway().send(to=message.recipient, text=message.body) or "")[:200]
    raise PermanentFailure(f"unknown channel {message.channel}")


def _due(now) -> QuerySet:
    return (OutboundMessage.objects.filter(state=MessageState.QUEUED, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "id"))


def outbox_send_due(*, limit: int = 200, now=None) -> dict[str, int]:
    """Send up to `limit` due messages, one at a time; returns counts by outcome. Safe to run in
    several workers at once."""
    flush_unmarked(OutboundMessage)
    counts = {"sent": 0, "retry": 0, "failed": 0}
    down: set[str] = set()  # channels whose provider failed in this run: not tried again now
    for _n in range(limit):
        at = now or timezone.now()
        with claim_next(_due(at).exclude(channel__in=down), now=at) as message:
            if message is None:
                break
            outcome = _attempt(message, at)
        counts[outcome] += 1
        if outcome == "retry":
            down.add(message.channel)
    if any(counts.values()):
        log.info("outbox: %s", counts)
    return counts


def _attempt(message: OutboundMessage, now) -> str:
    def mark(**fields) -> None:
        mark_taken(OutboundMessage, message.pk, **fields)

    attempts = message.attempts + 1
    try:
        provider_id = _send(message)
    except Exception as exc:  # noqa: BLE001 - any provider error is recorded and retried
        error = f"{type(exc).__name__}: {exc}"[:2000]
        if isinstance(exc, PermanentFailure | InvalidInput) or attempts >= max_attempts():
            mark(state=MessageState.FAILED, failed_at=now, attempts=attempts, last_error=error)
            log.error("outbox %s failed for good after %d attempt(s): %s", message.key,
                      attempts, error)
            return "failed"
        mark(attempts=attempts, last_error=error,
             next_attempt_at=now + timedelta(seconds=backoff_seconds(attempts)))
        log.warning("outbox %s: attempt %d failed (%s); retry in %.0f s", message.key,
                    attempts, error, backoff_seconds(attempts))
        return "retry"
    mark(state=MessageState.SENT, sent_at=timezone.now(), attempts=attempts,
         provider_id=provider_id, last_error="")
    return "sent"


def outbox_delivered(provider_id: str, *, ok: bool = True, error: str = "",
                     channel: str = MessageChannel.SMS) -> bool:
    """A gateway's delivery receipt: the sent message of `channel` with this provider id
    becomes delivered (or failed when `ok` is false). Returns False when no sent message has
    that id (unknown, already final, or not yet marked sent: the gateway may report again)."""
    if not provider_id:
        return False
    sent = OutboundMessage.objects.filter(provider_id=provider_id, channel=channel,
                                          state=MessageState.SENT)
    now = timezone.now()
    if ok:
        return bool(sent.update(state=MessageState.DELIVERED, delivered_at=now))
    return bool(sent.update(state=MessageState.FAILED, failed_at=now,
                            last_error=(error or "undeliverable")[:2000]))


def outbox_sweep() -> bool:
    """The periodic pass: enqueue a send job when messages are due and none is waiting."""
    if not _due(timezone.now()).exists():
        return False
    from . import jobs
    from .tasks_outbox import outbox_send

    return jobs.enqueue_unless_pending(outbox_send)
