"""Audit trail: the hash chain, `egov audit verify` against tampering done directly in the
database, the append-only triggers, and concurrent appends."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from egov.core.audit import (
    GENESIS_HASH,
    audit_log,
    audit_maintenance,
    audit_verify,
    compute_hash,
)
from egov.core.models import AuditEvent, AuditHead, OrgUnit, OrgUnitKind
from tests.concurrency import run_threads


def _append(n: int, actor=None) -> list[AuditEvent]:
    return [
        audit_log(actor=actor, action="test.event", object_type="test.thing", object_id=str(i),
                  details={"i": i, "note": f"sự kiện {i}"})
        for i in range(1, n + 1)
    ]


def _as_attacker(sql: str, params=()) -> None:
    """Run raw SQL the way someone with database access would: switch the triggers off, change
    the rows, switch them back on."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER USER")
            cursor.execute(sql, params)
            cursor.execute("ALTER TABLE core_auditevent ENABLE TRIGGER USER")
        else:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                           "AND tbl_name = 'core_auditevent'")
            triggers = cursor.fetchall()
            assert triggers, "the audit triggers are missing"
            for name, _sql in triggers:
                cursor.execute(f'DROP TRIGGER "{name}"')
            cursor.execute(sql, params)
            for _name, trigger_sql in triggers:
                cursor.execute(trigger_sql)


def _verify_fails() -> str:
    out, err = StringIO(), StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("audit", "verify", stdout=out, stderr=err)
    assert exc.value.code == 1
    return err.getvalue()


# --- Appending and verifying ---------------------------------------------------------------------


def test_events_chain_and_verify(make_user):
    user = make_user("vanthu", full_name="Nguyễn Văn Thư")
    unit = OrgUnit.objects.create(kind=OrgUnitKind.AGENCY, name="Sở Nội vụ")

    first = audit_log(actor=user, action="orgunit.create", obj=unit, details={"name": unit.name})
    second = audit_log(actor=None, action="system.tick")

    assert (first.seq, second.seq) == (1, 2)
    assert first.object_type == "core.orgunit" and first.object_id == str(unit.pk)
    assert first.actor_id == user.pk and first.actor_name == "Nguyễn Văn Thư"
    assert first.prev_hash == GENESIS_HASH and second.prev_hash == first.hash
    assert second.details == {} and second.object_type == ""
    head = AuditHead.objects.get()
    assert (head.last_seq, head.last_hash) == (2, second.hash)

    result = audit_verify()
    assert result.ok and result.checked == 2 and result.last_hash == second.hash


def test_details_round_trip_hash_as_read_back(make_user):
    """Dates, Decimals, floats, int keys and Vietnamese text: the stored value is what was
    hashed, so verify reproduces it after the JSONField round trip."""
    details = {
        "date": dt.date(2026, 1, 1),
        "when": dt.datetime(2026, 3, 4, 5, 6, 7, 890, tzinfo=dt.UTC),
        "fee": Decimal("150000.50"),
        "whole": 1.0,
        "big": 1e20,
        "ratio": 0.1,
        7: ["Quyết định", {"đ": None, "ok": True}],
    }
    event = audit_log(actor=make_user("a"), action="test.types", details=details)
    event.refresh_from_db()
    assert event.details == {
        "date": "2026-01-01",
        "when": "2026-03-04T05:06:07.000Z",
        "fee": "150000.50",
        "whole": 1,
        "big": 100000000000000000000,
        "ratio": 0.1,
        "7": ["Quyết định", {"đ": None, "ok": True}],
    }
    assert compute_hash(
        seq=event.seq, at=event.at, actor_id=event.actor_id, actor_name=event.actor_name,
        action=event.action, object_type=event.object_type, object_id=event.object_id,
        details=event.details, prev_hash=event.prev_hash,
    ) == event.hash
    assert audit_verify().ok


def test_details_must_be_json(db):
    with pytest.raises(TypeError):
        audit_log(actor=None, action="x", details={"bad": object()})
    with pytest.raises(ValueError):
        audit_log(actor=None, action="x", details={"bad": float("nan")})
    assert not AuditEvent.objects.exists()


def test_audit_log_joins_the_callers_transaction(db):
    _append(2)
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_log(actor=None, action="rolled.back")
        raise RuntimeError
    assert AuditEvent.objects.count() == 2
    assert audit_log(actor=None, action="next").seq == 3
    assert audit_verify().ok


def test_command_verify_ok_and_tail(db):
    _append(5)
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert "5 events checked" in out.getvalue()

    out = StringIO()
    call_command("audit", "tail", "-n", "2", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 2 and lines[0].split()[0] == "4" and lines[1].split()[0] == "5"


def test_empty_chain_verifies(db):
    result = audit_verify()
    assert result.ok and result.checked == 0


# --- Tampering in the database -------------------------------------------------------------------


def test_edited_details_are_detected(db):
    _append(5)
    cast = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    _as_attacker(f"UPDATE core_auditevent SET details = {cast} WHERE seq = 3",
                 ['{"i": 3, "note": "đã sửa"}'])

    result = audit_verify()
    assert not result.ok and result.first_bad_seq == 3 and result.checked == 2
    assert result.first_bad_id == AuditEvent.objects.get(seq=3).pk
    assert "hash" in result.reason
    assert "first bad seq 3" in _verify_fails()


def test_rehashed_edit_breaks_the_next_link(db):
    """An attacker who edits event 3 and recomputes its hash still breaks event 4's prev_hash."""
    events = _append(5)
    e = events[2]
    forged = compute_hash(seq=3, at=e.at, actor_id=None, actor_name="", action="test.event",
                          object_type="test.thing", object_id="3", details={"i": 999},
                          prev_hash=e.prev_hash)
    cast = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    _as_attacker(f"UPDATE core_auditevent SET details = {cast}, hash = %s WHERE seq = 3",
                 ['{"i": 999}', forged])

    result = audit_verify()
    assert not result.ok and result.first_bad_seq == 4 and "prev_hash" in result.reason
    assert "first bad seq 4" in _verify_fails()


def test_deleted_middle_event_is_detected(db):
    _append(5)
    _as_attacker("DELETE FROM core_auditevent WHERE seq = 3")

    result = audit_verify()
    assert not result.ok and result.first_bad_seq == 3 and "missing" in result.reason
    assert "first bad seq 3" in _verify_fails()


def test_deleted_last_event_is_detected(db):
    _append(5)
    _as_attacker("DELETE FROM core_auditevent WHERE seq = 5")

    result = audit_verify()
    assert not result.ok and result.first_bad_seq == 5 and result.checked == 4
    assert "head" in result.reason
    assert "first bad seq 5" in _verify_fails()


FORGED_INSERT = (
    "INSERT INTO core_auditevent (seq, at, actor_id, actor_name, action, object_type, "
    "object_id, details, prev_hash, hash) SELECT 6, at, actor_id, actor_name, 'forged', "
    "object_type, object_id, details, hash, %s FROM core_auditevent WHERE seq = 5"
)


def test_forged_event_is_detected(db):
    _append(5)
    _as_attacker(FORGED_INSERT, ["f" * 64])

    result = audit_verify()
    assert not result.ok and result.first_bad_seq == 6 and "hash" in result.reason
    assert result.first_bad_id == AuditEvent.objects.get(seq=6).pk
    assert "first bad seq 6" in _verify_fails()


def test_well_forged_event_beyond_the_head_is_detected(db):
    """Even with a correctly computed hash, a row appended without moving the head shows."""
    last = _append(5)[-1]
    forged = compute_hash(seq=6, at=last.at, actor_id=None, actor_name="", action="forged",
                          object_type=last.object_type, object_id=last.object_id,
                          details=last.details, prev_hash=last.hash)
    _as_attacker(FORGED_INSERT, [forged])

    result = audit_verify()
    assert not result.ok and result.first_bad_seq == 6 and "beyond the head" in result.reason
    assert result.first_bad_id == AuditEvent.objects.get(seq=6).pk
    assert "first bad seq 6" in _verify_fails()


def test_verify_reads_in_chunks(db):
    _append(7)
    assert audit_verify(chunk_size=2).checked == 7
    _as_attacker("DELETE FROM core_auditevent WHERE seq = 6")
    result = audit_verify(chunk_size=2)
    assert not result.ok and result.first_bad_seq == 6


# --- Triggers ------------------------------------------------------------------------------------


def test_triggers_refuse_orm_update_and_delete(db):
    event = _append(2)[0]

    event.action = "changed"
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        event.save()
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(details={"x": 1})
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        event.delete()
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditEvent.objects.all().delete()

    assert AuditEvent.objects.count() == 2
    assert audit_verify().ok


def test_triggers_refuse_raw_sql(db):
    _append(2)
    statements = [
        "UPDATE core_auditevent SET action = 'changed' WHERE seq = 1",
        "DELETE FROM core_auditevent WHERE seq = 2",
        "DELETE FROM core_auditevent",
    ]
    if connection.vendor == "postgresql":
        statements.append("TRUNCATE core_auditevent")
    for sql in statements:
        with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql)
    assert AuditEvent.objects.count() == 2
    assert audit_verify().ok


def test_maintenance_switch_is_not_for_the_application(db, settings):
    settings.TESTING = False
    with pytest.raises(RuntimeError), audit_maintenance():
        pass


# --- Transactional tests: flush between tests, concurrency ----------------------------------------


def test_flush_empties_the_trail_and_triggers_stay_on(transactional_db):
    _append(3)
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists() and not AuditHead.objects.exists()

    event = audit_log(actor=None, action="after.flush")
    assert event.seq == 1 and event.prev_hash == GENESIS_HASH
    with pytest.raises(IntegrityError, match="append-only"):
        AuditEvent.objects.filter(pk=event.pk).delete()
    # The teardown flush of this test must succeed with an event in the table.


def test_live_server_tests_can_flush(live_server):
    audit_log(actor=None, action="live.server")
    assert AuditEvent.objects.count() == 1


def test_concurrent_appends_keep_one_chain(transactional_db):
    threads_n, per_thread = 10, 20

    def worker(k: int) -> None:
        for i in range(per_thread):
            with transaction.atomic():
                audit_log(actor=f"system:thread-{k}", action="test.concurrent",
                          details={"thread": k, "i": i})

    errors = run_threads(worker, threads_n)
    assert not errors, errors
    total = threads_n * per_thread
    assert list(AuditEvent.objects.values_list("seq", flat=True)) == list(range(1, total + 1))
    result = audit_verify()
    assert result.ok and result.checked == total
