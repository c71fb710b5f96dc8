"""Append-only, hash-chained audit trail.

Every event carries the hash of the previous event and its own hash over a canonical
serialisation of its fields, so any later edit, deletion or insertion breaks the chain at a
point that `audit_verify()` (and `egov audit verify`) names. The single `AuditHead` row holds the
last seq and hash; appending locks it, which serialises writers (PostgreSQL: `SELECT … FOR
UPDATE`; SQLite: the settings open every transaction with BEGIN IMMEDIATE, so writers queue).

Database triggers (migration 0004) refuse UPDATE and DELETE on `core_auditevent` (and TRUNCATE
on PostgreSQL). They protect the trail from the application itself — bugs, admin actions, ORM
`delete()`; somebody who owns the database can drop a trigger, and that is what the hash chain is
for: it detects the change afterwards.

Triggers versus the test suite
------------------------------
Django's `TransactionTestCase` (pytest-django `transactional_db`, `live_server`) empties every
table after each test with the `flush` command: DELETE on SQLite, TRUNCATE on PostgreSQL. That
would hit the triggers. The DELETE/TRUNCATE triggers therefore step aside while a maintenance
switch is on:

* PostgreSQL: the session setting `egov.audit_maintenance = 'on'`;
* SQLite: `enabled = 1` in the one-row table `egov_audit_maintenance` (created by the migration,
  not a Django model, so `flush` never touches it).

UPDATE is refused always. The switch is flipped only by `audit_maintenance()`, which refuses to
run unless Django's test environment is set up (`setup_test_environment()` has run and
settings.TESTING is true). Its one caller is eGov's `flush` command override
(core/management/commands/flush.py), i.e. the test suite's per-test flush. Application code never
calls it: outside tests it raises, and `egov flush` on a real database fails on the audit trail
instead of silently erasing it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

from .models import AuditEvent, AuditHead

GENESIS_HASH = "0" * 64
HEAD_ID = 1
SQLITE_MAINTENANCE_TABLE = "egov_audit_maintenance"
PG_MAINTENANCE_SETTING = "egov.audit_maintenance"


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
                 prev_hash: str) -> str:
    """SHA-256 (hex) over the canonical JSON of an event's fields."""
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
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


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
    if not action or len(action) > 100:
        raise ValueError("audit action must be 1–100 characters")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or ("" if obj.pk is None else str(obj.pk))
    if len(object_type) > 100 or len(object_id) > 64:
        raise ValueError("audit object_type/object_id too long")
    clean = normalise_details(details)
    actor_id, actor_name = _actor_fields(actor)

    with transaction.atomic():
        head = _lock_head()
        # The time is taken under the lock, so `at` never decreases along the chain.
        at = timezone.now()
        seq = head.last_seq + 1
        digest = compute_hash(
            seq=seq, at=at, actor_id=actor_id, actor_name=actor_name, action=action,
            object_type=object_type, object_id=object_id, details=clean,
            prev_hash=head.last_hash,
        )
        event = AuditEvent.objects.create(
            seq=seq, at=at, actor_id=actor_id, actor_name=actor_name, action=action,
            object_type=object_type, object_id=object_id, details=clean,
            prev_hash=head.last_hash, hash=digest,
        )
        AuditHead.objects.filter(pk=HEAD_ID).update(last_seq=seq, last_hash=digest)
    return event


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


def audit_verify(*, chunk_size: int = 2000) -> VerifyResult:
    """Walk the chain in seq order: seq contiguous from 1, each prev_hash equal to the previous
    event's hash, each hash recomputed; finally the head row must match the last event (this
    catches a deleted tail and rows forged beyond the head)."""
    checked = 0
    last_seq, last_id, prev_hash = 0, None, GENESIS_HASH

    def bad(seq, event_id, reason) -> VerifyResult:
        return VerifyResult(False, checked, seq, event_id, reason, last_seq, prev_hash)

    cursor_seq = -1  # seq is >= 0 by constraint; start below it so a forged seq 0 is seen
    while True:
        progressed = False
        for (event_id, seq, at, actor_id, actor_name, action, object_type, object_id, details,
             stored_prev, stored_hash) in _events_after(cursor_seq, chunk_size):
            progressed = True
            cursor_seq = seq
            expected = last_seq + 1
            if seq != expected:
                if seq > expected:
                    reason = f"missing event(s): expected seq {expected}, found seq {seq}"
                else:
                    reason = f"unexpected seq {seq}, expected {expected}"
                return bad(expected, event_id, reason)
            if stored_prev != prev_hash:
                return bad(seq, event_id,
                           f"prev_hash does not match the hash of event {last_seq}")
            actual = compute_hash(
                seq=seq, at=at, actor_id=actor_id, actor_name=actor_name, action=action,
                object_type=object_type, object_id=object_id, details=details,
                prev_hash=stored_prev,
            )
            if actual != stored_hash:
                return bad(seq, event_id, "hash does not match the event's content")
            checked += 1
            last_seq, last_id, prev_hash = seq, event_id, stored_hash

        head = AuditHead.objects.filter(pk=HEAD_ID).values_list("last_seq", "last_hash").first()
        head_seq, head_hash = head or (0, GENESIS_HASH)
        if head_seq == last_seq:
            if head_hash != prev_hash:
                return bad(last_seq, last_id, "the head's hash does not match the last event")
            return VerifyResult(True, checked, last_seq=last_seq, last_hash=prev_hash)
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


# --- Maintenance switch (test-suite flush only) --------------------------------------------------


def _test_environment_active() -> bool:
    from django.test.utils import _TestState

    return bool(getattr(settings, "TESTING", False)) and hasattr(_TestState, "saved_data")


@contextlib.contextmanager
def audit_maintenance(using: str = DEFAULT_DB_ALIAS):
    """Let DELETE/TRUNCATE through the audit triggers while the block runs.

    Only for the test suite's flush between transactional tests; raises RuntimeError anywhere
    else. UPDATE stays refused.
    """
    if not _test_environment_active():
        raise RuntimeError("audit_maintenance() is only available to the test suite's flush")
    connection = connections[using]
    vendor = connection.vendor
    with connection.cursor() as cursor:
        if vendor == "sqlite":
            cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = %s",
                           [SQLITE_MAINTENANCE_TABLE])
            if cursor.fetchone() is None:  # migrations not applied (--nomigrations): no triggers
                vendor = ""
        if vendor == "postgresql":
            cursor.execute("SELECT set_config(%s, 'on', false)", [PG_MAINTENANCE_SETTING])
        elif vendor == "sqlite":
            cursor.execute(f"UPDATE {SQLITE_MAINTENANCE_TABLE} SET enabled = 1 WHERE id = 1")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if vendor == "postgresql":
                cursor.execute("SELECT set_config(%s, 'off', false)", [PG_MAINTENANCE_SETTING])
            elif vendor == "sqlite":
                cursor.execute(f"UPDATE {SQLITE_MAINTENANCE_TABLE} SET enabled = 0 WHERE id = 1")
