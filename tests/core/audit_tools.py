"""What an attacker with the database's owner or superuser rights does to the audit trail, for
the audit tests: step around the triggers, change rows, recompute the chain, reset the head."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from egov.core.audit import GENESIS_HASH, audit_log, compute_hash
from egov.core.models import AuditEvent, AuditHead


def append(n: int, actor=None) -> list[AuditEvent]:
    return [
        audit_log(actor=actor, action="test.event", object_type="test.thing", object_id=str(i),
                  details={"i": i, "note": f"sự kiện {i}"})
        for i in range(1, n + 1)
    ]


def jsonb(placeholder: str = "%s") -> str:
    return f"CAST({placeholder} AS jsonb)" if connection.vendor == "postgresql" else placeholder


def as_attacker(*statements) -> None:
    """Run raw SQL (strings, or (sql, params) pairs) as the table owner would: switch the
    append-only triggers off (PostgreSQL: ALTER TABLE … DISABLE TRIGGER; SQLite: drop them),
    change the rows, switch them back on."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgrelid::regclass::text, tgname FROM pg_trigger "
                           "WHERE tgrelid IN ('core_auditevent'::regclass, "
                           "'egov_audit_scheme'::regclass) AND NOT tgisinternal")
            triggers = cursor.fetchall()
            assert triggers, "the audit triggers are missing"
            for table, name in triggers:
                cursor.execute(f'ALTER TABLE {table} DISABLE TRIGGER "{name}"')
        else:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                           "AND tbl_name IN ('core_auditevent', 'egov_audit_scheme')")
            triggers = cursor.fetchall()
            assert triggers, "the audit triggers are missing"
            for name, _sql in triggers:
                cursor.execute(f'DROP TRIGGER "{name}"')
        for statement in statements:
            sql, params = (statement, ()) if isinstance(statement, str) else statement
            cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            for table, name in triggers:
                cursor.execute(f'ALTER TABLE {table} ENABLE ALWAYS TRIGGER "{name}"')
        else:
            for _name, trigger_sql in triggers:
                cursor.execute(trigger_sql)


def recompute_chain(from_seq: int, key: bytes | None) -> None:
    """Recompute prev_hash/hash of every event from `from_seq` on (with `key`, or plain SHA-256
    when None) and set the head to the last event, as an attacker covering an edit would."""
    events = list(AuditEvent.objects.order_by("seq"))
    prev = GENESIS_HASH
    statements = []
    for e in events:
        if e.seq >= from_seq:
            digest = compute_hash(seq=e.seq, at=e.at, actor_id=e.actor_id,
                                  actor_name=e.actor_name, action=e.action,
                                  object_type=e.object_type, object_id=e.object_id,
                                  details=e.details, prev_hash=prev, key=key)
            statements.append(("UPDATE core_auditevent SET prev_hash = %s, hash = %s "
                               "WHERE seq = %s", [prev, digest, e.seq]))
            prev = digest
        else:
            prev = e.hash
    as_attacker(*statements)
    reset_head(events[-1].seq if events else 0, prev)


def reset_head(seq: int, digest: str) -> None:
    AuditHead.objects.update_or_create(pk=1, defaults={"last_seq": seq, "last_hash": digest})


def verify_fails() -> str:
    """`egov audit verify` exits 1; its error output."""
    out, err = StringIO(), StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("audit", "verify", stdout=out, stderr=err)
    assert exc.value.code == 1
    return err.getvalue()


def verify_passes() -> str:
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue()
