"""Append-only, keyed hash chain with checkpoints outside the database.

Every event carries the hash of the previous event and its own hash: an HMAC-SHA256, under a key
kept outside the database (egov.core.audit_keys), of a canonical serialisation of its fields. Any
later edit, deletion or insertion breaks the chain at a point that `audit_verify()` (and
`egov audit verify`) names, and nobody without the key can recompute a chain that passes. Events
written before the keyed scheme (earlier versions' demo databases) keep plain SHA-256 hashes up
to the seq recorded, with the key's MAC, in the table egov_audit_scheme.

The single `AuditHead` row holds the last seq and hash; appending locks it, which serialises
writers (PostgreSQL: `SELECT … FOR UPDATE`; SQLite: the settings open every transaction with
BEGIN IMMEDIATE, so writers queue). What the chain alone cannot show — its tail cut off and the
head reset, or the whole table emptied — the checkpoints show: the head (seq, hash, time) is
appended every few minutes to a log outside the database (egov.core.audit_checkpoints), and
verification requires every checkpointed event to be present with the checkpointed hash.

Database triggers (migrations 0004, 0006) refuse UPDATE, DELETE and TRUNCATE on
`core_auditevent`, whatever the session's settings. They protect the trail from the application
and from anybody using its database role; only the table's owner or a superuser can disable or
drop them, and that is what the key and the checkpoints are for.

Triggers versus the test suite
------------------------------
Django's `TransactionTestCase` (pytest-django `transactional_db`, `live_server`) empties every
table after each test with the `flush` command. eGov's `flush` override wraps it in
`audit_maintenance()`, which — only under the test environment (`setup_test_environment()` has
run and settings.TESTING is true) — steps around the triggers inside the flush's own transaction,
as the table owner the suite connects as: PostgreSQL `ALTER TABLE … DISABLE TRIGGER` (re-enabled
before commit, so no other session ever sees them off); SQLite drops the triggers and re-creates
them. Outside tests it raises, and `egov flush` on a real database fails on the audit trail
instead of silently erasing it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

from . import audit_checkpoints
from .audit_keys import KeyMissing, chain_key, read_scheme
from .models import AuditEvent, AuditHead

GENESIS_HASH = "0" * 64
HEAD_ID = 1
# The triggers of migrations 0004/0006 that the test suite's flush steps around.
PG_TRIGGERS = ("core_auditevent_append_only", "core_auditevent_no_truncate")


# --- Canonical form -----------------------------------------------------------------------------


def _normalise_json(value: Any) -> Any:
    """Integral floats become ints: PostgreSQL's jsonb reads 1.0 back as 1.0 but 1e20 as an
    integer, so only a form without integral floats survives the round trip unchanged."""
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("audit details must not contain NaN or infinity")
        return int(value) if value.is_integer() else value
    if isinstance(value, dict):
        return {k: _normalise_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise_json(v) for v in value]
    if isinstance(value, str) and "\x00" in value:
        # PostgreSQL text and jsonb cannot hold NUL.
        return value.replace("\x00", "\ufffd")
    return value


def normalise_details(details: dict | None) -> dict:
    """The details exactly as the JSONField will read them back: dates, Decimals, UUIDs… as
    DjangoJSONEncoder writes them, keys as strings, no integral floats."""
    if details is None:
        return {}
    if not isinstance(details, dict):
        raise TypeError("audit details must be a dict")
    text = json.dumps(details, cls=DjangoJSONEncoder, ensure_ascii=False, allow_nan=False)
    return _normalise_json(json.loads(text))


def _format_at(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds")


def compute_hash(*, seq: int, at: dt.datetime, actor_id: int | None, actor_name: str,
                 action: str, object_type: str, object_id: str, details: dict,
                 prev_hash: str, key: bytes | None = None) -> str:
    """HMAC-SHA256 under `key` (hex) over the canonical JSON of an event's fields; plain SHA-256
    when `key` is None (the scheme of chains written before the key, kept for verifying them)."""
    payload = {
        "seq": seq,
        "at": _format_at(at),
        "actor_id": actor_id,
        "actor_name": actor_name,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "details": _normalise_json(details),
        "prev_hash": prev_hash,
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False)
    if key is None:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


# --- Appending ----------------------------------------------------------------------------------


def _actor_fields(actor) -> tuple[int | None, str]:
    """(actor id, actor name). A string actor names a system process ("system:worker")."""
    if actor is None:
        return None, ""
    if isinstance(actor, str):
        return None, actor[:150]
    if not getattr(actor, "is_authenticated", False) or actor.pk is None:
        return None, ""
    return actor.pk, str(actor)[:150]


def _lock_head() -> AuditHead:
    """The head row, locked until the end of the transaction; created if missing (race-safe:
    INSERT … ON CONFLICT DO NOTHING / INSERT OR IGNORE, then lock)."""
    head = AuditHead.objects.select_for_update().filter(pk=HEAD_ID).first()
    if head is None:
        AuditHead.objects.bulk_create(
            [AuditHead(id=HEAD_ID, last_seq=0, last_hash=GENESIS_HASH)], ignore_conflicts=True
        )
        head = AuditHead.objects.select_for_update().get(pk=HEAD_ID)
    return head


def audit_log(*, actor, action: str, obj=None, details: dict | None = None,
              object_type: str = "", object_id: str = "") -> AuditEvent:
    """Append one event in the caller's transaction (or its own, when called outside one).

    `object_type`/`object_id` default to `obj._meta.label_lower` and `str(obj.pk)`. `details`
    must be JSON-serialisable with DjangoJSONEncoder (dates, Decimals and UUIDs become strings).
    Reads of protected personal data are logged the same way (action "petition.identity.read").

    The head row stays locked until the caller's transaction ends, so audited transactions queue
    from this call on: make it the transaction's last write, and keep the transaction short
    (locking other rows after it invites deadlocks with callers that lock them first).
    """
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or ("" if obj.pk is None else str(obj.pk))
    return _append(actor, [Entry(action, object_type, object_id, details)])[0]


@dataclass(frozen=True)
class Entry:
    """One event of :func:`audit_log_many`."""
    action: str
    object_type: str = ""
    object_id: str = ""
    details: dict | None = None


def audit_log_many(*, actor, entries: list[Entry], batch_size: int = 2000) -> int:
    """Append one event per entry, in order, under ONE lock of the head and with bulk inserts
    (a bulk write — an import's thousands of inbox items — keeps an event per record without a
    round trip per event). The chain is the same as from as many `audit_log` calls: each
    event's hash covers the previous one's. Returns how many were appended."""
    return len(_append(actor, entries, batch_size)) if entries else 0


def _append(actor, entries: list[Entry], batch_size: int = 2000) -> list[AuditEvent]:
    """The one place events join the chain (audit_log, audit_log_many): checked, hashed in
    order after the locked head, inserted, the head moved, a checkpoint scheduled."""
    prepared = []
    for entry in entries:
        if not entry.action or len(entry.action) > 100:
            raise ValueError("audit action must be 1–100 characters")
        if len(entry.object_type) > 100 or len(entry.object_id) > 64:
            raise ValueError("audit object_type/object_id too long")
        prepared.append((entry, normalise_details(entry.details)))
    actor_id, actor_name = _actor_fields(actor)
    key = chain_key()  # before the lock: the first call in a process may read the key file
    with transaction.atomic():
        head = _lock_head()
        # The time is taken under the lock, so `at` never decreases along the chain.
        at = timezone.now()
        seq, prev = head.last_seq, head.last_hash
        events = []
        for entry, clean in prepared:
            seq += 1
            digest = compute_hash(
                seq=seq, at=at, actor_id=actor_id, actor_name=actor_name, action=entry.action,
                object_type=entry.object_type, object_id=entry.object_id, details=clean,
                prev_hash=prev, key=key,
            )
            events.append(AuditEvent(
                seq=seq, at=at, actor_id=actor_id, actor_name=actor_name, action=entry.action,
                object_type=entry.object_type, object_id=entry.object_id, details=clean,
                prev_hash=prev, hash=digest))
            prev = digest
        AuditEvent.objects.bulk_create(events, batch_size=batch_size)
        AuditHead.objects.filter(pk=HEAD_ID).update(last_seq=seq, last_hash=prev)
        audit_checkpoints.schedule_after_commit()
    return events


# --- Verification -------------------------------------------------------------------------------


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    first_bad_id: int | None = None
    reason: str = ""
    last_seq: int = 0
    last_hash: str = GENESIS_HASH
    checkpoints: int = 0
    timestamped: int = 0
    newest_checkpoint: audit_checkpoints.Checkpoint | None = None


_FIELDS = ("id", "seq", "at", "actor_id", "actor_name", "action", "object_type", "object_id",
           "details", "prev_hash", "hash")


def _events_after(seq: int, chunk_size: int) -> Iterator[tuple]:
    """Events with seq > `seq` in seq order, fetched in keyset-paginated chunks (constant memory,
    no long-lived cursor, and appends made meanwhile are picked up)."""
    while True:
        rows = list(
            AuditEvent.objects.filter(seq__gt=seq).order_by("seq")
            .values_list(*_FIELDS)[:chunk_size]
        )
        yield from rows
        if len(rows) < chunk_size:
            return
        seq = rows[-1][1]


def _checkpointed_hashes(checkpoints) -> tuple[dict[int, tuple[int, str]], str, int | None]:
    """seq → (checkpoint n, hash) of the first checkpoint of each seq, and the first seq two
    checkpoints disagree on (with the reason)."""
    expected: dict[int, tuple[int, str]] = {}
    conflict, conflict_seq = "", None
    for cp in checkpoints:
        if cp.seq == 0:
            continue
        known = expected.setdefault(cp.seq, (cp.n, cp.hash))
        if known[1] != cp.hash and conflict_seq is None:
            conflict_seq = cp.seq
            conflict = (f"checkpoints {known[0]} and {cp.n} record different hashes for seq "
                        f"{cp.seq}: the chain was rewritten between them")
    return expected, conflict, conflict_seq


def audit_verify(*, chunk_size: int = 2000, checkpoints: bool = True,
                 check_tokens: bool = True) -> VerifyResult:
    """Walk the chain in seq order: seq contiguous from 1, each prev_hash equal to the previous
    event's hash, each hash recomputed (with the key from the scheme record's seq on); the head
    row must match the last event (this catches a deleted tail and rows forged beyond the head).
    With `checkpoints`, the checkpoint log must be intact (`check_tokens`: its RFC 3161 tokens
    too), every checkpointed event present with the checkpointed hash, and the chain at least as
    long as the newest checkpoint (this catches a tail cut off with the head reset, and an
    emptied table)."""
    try:
        key = chain_key(create=False)
    except KeyMissing:
        if not AuditEvent.objects.exists():
            return VerifyResult(True, 0)  # nothing written yet, nothing to check
        raise
    keyed_from, scheme_error = read_scheme()
    log_check = (audit_checkpoints.check_log(check_tokens=check_tokens) if checkpoints
                 else audit_checkpoints.LogCheck([]))
    expected, conflict, conflict_seq = _checkpointed_hashes(log_check.checkpoints)
    longest = max(log_check.checkpoints, key=lambda cp: cp.seq, default=None)
    newest = log_check.checkpoints[-1] if log_check.checkpoints else None
    notes = "; ".join(x for x in (scheme_error, log_check.error) if x)
    checked = 0
    last_seq, last_id, prev_hash = 0, None, GENESIS_HASH

    def result(ok: bool, seq=None, event_id=None, reason="") -> VerifyResult:
        if notes and not ok:
            reason = f"{reason}; {notes}" if reason else notes
        return VerifyResult(ok, checked, seq, event_id, reason, last_seq, prev_hash,
                            len(log_check.checkpoints), log_check.timestamped, newest)

    def bad(seq, event_id, reason) -> VerifyResult:
        return result(False, seq, event_id, reason)

    def end_of_chain() -> VerifyResult:
        if longest is not None and longest.seq > last_seq:
            return bad(last_seq + 1, None,
                       f"the chain ends at seq {last_seq} but checkpoint {longest.n} "
                       f"({longest.at}) recorded seq {longest.seq}: events "
                       f"{last_seq + 1}–{longest.seq} were removed")
        if conflict_seq is not None:
            return bad(conflict_seq, None, conflict)
        if notes:
            return bad(None, None, "")
        return result(True)

    cursor_seq = -1  # seq is >= 0 by constraint; start below it so a forged seq 0 is seen
    while True:
        progressed = False
        for (event_id, seq, at, actor_id, actor_name, action, object_type, object_id, details,
             stored_prev, stored_hash) in _events_after(cursor_seq, chunk_size):
            progressed = True
            cursor_seq = seq
            expected_seq = last_seq + 1
            if seq != expected_seq:
                if seq > expected_seq:
                    reason = f"missing event(s): expected seq {expected_seq}, found seq {seq}"
                else:
                    reason = f"unexpected seq {seq}, expected {expected_seq}"
                return bad(expected_seq, event_id, reason)
            if stored_prev != prev_hash:
                return bad(seq, event_id,
                           f"prev_hash does not match the hash of event {last_seq}")
            actual = compute_hash(
                seq=seq, at=at, actor_id=actor_id, actor_name=actor_name, action=action,
                object_type=object_type, object_id=object_id, details=details,
                prev_hash=stored_prev, key=key if seq >= keyed_from else None,
            )
            if not hmac.compare_digest(actual, stored_hash):
                return bad(seq, event_id, "hash does not match the event's content")
            checkpointed = expected.get(seq)
            if checkpointed is not None and checkpointed[1] != stored_hash:
                return bad(seq, event_id, f"the event differs from checkpoint {checkpointed[0]}")
            checked += 1
            last_seq, last_id, prev_hash = seq, event_id, stored_hash

        head = AuditHead.objects.filter(pk=HEAD_ID).values_list("last_seq", "last_hash").first()
        head_seq, head_hash = head or (0, GENESIS_HASH)
        if head_seq == last_seq:
            if head_hash != prev_hash:
                return bad(last_seq, last_id, "the head's hash does not match the last event")
            return end_of_chain()
        if head_seq < last_seq:
            beyond = AuditEvent.objects.filter(seq=head_seq + 1).values_list("id", flat=True)
            return bad(head_seq + 1, beyond.first(),
                       f"events beyond the head (head at seq {head_seq}, last event {last_seq})")
        # The head is ahead of the last event read: either events were appended while we read
        # (read on), or the tail was deleted (nothing more to read).
        if not progressed:
            return bad(last_seq + 1, None,
                       f"missing event(s) {last_seq + 1}–{head_seq}: the head is at seq "
                       f"{head_seq} but the last event is {last_seq}")


# --- Maintenance (test-suite flush only) ---------------------------------------------------------


def _test_environment_active() -> bool:
    from django.test.utils import _TestState

    return bool(getattr(settings, "TESTING", False)) and hasattr(_TestState, "saved_data")


@contextlib.contextmanager
def audit_maintenance(using: str = DEFAULT_DB_ALIAS):
    """Run the block in a transaction in which the audit triggers are out of the way: disabled
    (PostgreSQL, needs the table's owner) or dropped (SQLite), restored before commit.

    Only for the test suite's flush between transactional tests; raises RuntimeError anywhere
    else.
    """
    if not _test_environment_active():
        raise RuntimeError("audit_maintenance() is only available to the test suite's flush")
    connection = connections[using]
    vendor = connection.vendor
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            if vendor == "postgresql":
                cursor.execute(
                    "SELECT tgname FROM pg_trigger WHERE tgrelid = to_regclass(%s) "
                    "AND tgname = ANY(%s)", ["core_auditevent", list(PG_TRIGGERS)])
                triggers = [row[0] for row in cursor.fetchall()]
                for name in triggers:
                    cursor.execute(f'ALTER TABLE core_auditevent DISABLE TRIGGER "{name}"')
            elif vendor == "sqlite":
                cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                               "AND tbl_name = 'core_auditevent'")
                triggers = cursor.fetchall()
                for name, _sql in triggers:
                    cursor.execute(f'DROP TRIGGER "{name}"')
            else:
                triggers = []
        yield
        with connection.cursor() as cursor:
            for trigger in triggers:
                if vendor == "postgresql":
                    cursor.execute(
                        f'ALTER TABLE core_auditevent ENABLE ALWAYS TRIGGER "{trigger}"')
                else:
                    cursor.execute(trigger[1])
