"""Audit trail: the keyed hash chain, `egov audit verify` against tampering done directly in the
database, the append-only triggers (which no setting of the application's role switches off),
the test suite's flush, and concurrent appends. Attacks by an administrator who also resets the
head or recomputes the chain: test_audit_attacks.py; checkpoints: test_audit_checkpoints.py."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, connection, transaction

from egov.core.audit import (
    GENESIS_HASH,
    audit_log,
    audit_maintenance,
    audit_verify,
    compute_hash,
)
from egov.core.audit_keys import chain_key
from egov.core.models import AuditEvent, AuditHead, OrgUnit, OrgUnitKind
from tests.concurrency import run_threads
from tests.core.audit_tools import append as _append
from tests.core.audit_tools import as_attacker as _as_attacker
from tests.core.audit_tools import jsonb
from tests.core.audit_tools import verify_fails as _verify_fails


@pytest.fixture(autouse=True)
def _checkpoint_dir(settings, tmp_path):
    settings.EGOV_AUDIT_CHECKPOINT_DIR = str(tmp_path / "checkpoints")


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
        details=event.details, prev_hash=event.prev_hash, key=chain_key(),
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
    _as_attacker((f"UPDATE core_auditevent SET details = {jsonb()} WHERE seq = 3",
                  ['{"i": 3, "note": "đã sửa"}']))

    result = audit_verify()
    assert not result.ok and result.first_bad_seq == 3 and result.checked == 2
    assert result.first_bad_id == AuditEvent.objects.get(seq=3).pk
    assert "hash" in result.reason
    assert "first bad seq 3" in _verify_fails()


@pytest.mark.parametrize("key", ["plain", "wrong", "right"])
def test_rehashed_edit_is_detected(db, key):
    """Event 3 edited and its hash recomputed: with plain SHA-256 (the scheme before the key) or
    a wrong key the hash itself fails; even with the right key, event 4's prev_hash breaks."""
    events = _append(5)
    e = events[2]
    keys = {"plain": None, "wrong": b"w" * 32, "right": chain_key()}
    forged = compute_hash(seq=3, at=e.at, actor_id=None, actor_name="", action="test.event",
                          object_type="test.thing", object_id="3", details={"i": 999},
                          prev_hash=e.prev_hash, key=keys[key])
    _as_attacker((f"UPDATE core_auditevent SET details = {jsonb()}, hash = %s WHERE seq = 3",
                  ['{"i": 999}', forged]))

    result = audit_verify()
    bad = 4 if key == "right" else 3
    assert not result.ok and result.first_bad_seq == bad
    assert ("prev_hash" if key == "right" else "hash does not match") in result.reason
    assert f"first bad seq {bad}" in _verify_fails()


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
    _as_attacker((FORGED_INSERT, ["f" * 64]))

    result = audit_verify()
    assert not result.ok and result.first_bad_seq == 6 and "hash" in result.reason
    assert result.first_bad_id == AuditEvent.objects.get(seq=6).pk
    assert "first bad seq 6" in _verify_fails()


def test_well_forged_event_beyond_the_head_is_detected(db):
    """Even with a correctly computed hash, a row appended without moving the head shows."""
    last = _append(5)[-1]
    forged = compute_hash(seq=6, at=last.at, actor_id=None, actor_name="", action="forged",
                          object_type=last.object_type, object_id=last.object_id,
                          details=last.details, prev_hash=last.hash, key=chain_key())
    _as_attacker((FORGED_INSERT, [forged]))

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


def _refused(sql: str, params=(), error=IntegrityError, match: str | None = "append-only"):
    with pytest.raises(error, match=match), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def test_no_session_setting_switches_the_triggers_off(db):
    """The switches of migration 0004 no longer open the triggers: PostgreSQL's session setting
    egov.audit_maintenance (any role may set a custom setting), session_replication_role =
    replica (the triggers fire ALWAYS), SQLite's maintenance table (re-created by hand)."""
    _append(3)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config('egov.audit_maintenance', 'on', false)")
        else:
            cursor.execute("SELECT count(*) FROM sqlite_master "
                           "WHERE name = 'egov_audit_maintenance'")
            assert cursor.fetchone()[0] == 0
            cursor.execute("CREATE TABLE egov_audit_maintenance (id INTEGER PRIMARY KEY, "
                           "enabled INTEGER NOT NULL)")
            cursor.execute("INSERT INTO egov_audit_maintenance VALUES (1, 1)")
    try:
        _refused("DELETE FROM core_auditevent WHERE seq = 3")
        _refused("DELETE FROM core_auditevent")
        if connection.vendor == "postgresql":
            _refused("TRUNCATE core_auditevent")
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
                with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
                    cursor.execute("DELETE FROM core_auditevent WHERE seq = 3")
    finally:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('egov.audit_maintenance', 'off', false)")
    assert AuditEvent.objects.count() == 3
    assert audit_verify().ok


APP_ROLE_GRANTS = [  # as docs/operations.md tells the owner to grant them
    "GRANT USAGE ON SCHEMA public TO {role}",
    "GRANT SELECT, INSERT ON core_auditevent TO {role}",
    "GRANT SELECT, INSERT, UPDATE ON core_audithead TO {role}",
    "GRANT SELECT ON egov_audit_scheme TO {role}",
]


def test_app_role_can_append_but_not_erase(db):
    """PostgreSQL: the application's role (not the owner, not a superuser) appends events but
    can neither delete, truncate nor update them, nor switch the triggers off by any means it
    has — even when DELETE was granted to it by mistake. SQLite has no roles: any connection
    may drop the triggers, and the key and the checkpoints are the defence there."""
    _append(2)
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                           "AND tbl_name IN ('core_auditevent', 'egov_audit_scheme')")
            assert cursor.fetchone()[0] == 4
        _refused("UPDATE egov_audit_scheme SET keyed_from = 99", match="write-once")
        _refused("DELETE FROM egov_audit_scheme", match="write-once")
        return
    role = f"egov_app_audit_test_{os.getpid()}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{role}" NOLOGIN NOSUPERUSER')
        for grant in APP_ROLE_GRANTS:
            cursor.execute(grant.format(role=f'"{role}"'))
        cursor.execute(f'SET ROLE "{role}"')
    try:
        assert audit_log(actor="system:app-role", action="test.as.app.role").seq == 3
        denied = "permission denied|must be owner"
        for sql in [
            "DELETE FROM core_auditevent WHERE seq = 3",
            "UPDATE core_auditevent SET action = 'changed' WHERE seq = 1",
            "TRUNCATE core_auditevent",
            "ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only",
            "ALTER TABLE core_auditevent DISABLE TRIGGER USER",
            "DROP TRIGGER core_auditevent_append_only ON core_auditevent",
            "UPDATE egov_audit_scheme SET keyed_from = 99",
            "SET session_replication_role = replica",
            "CREATE OR REPLACE FUNCTION egov_audit_append_only() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN RETURN OLD; END; $$",
        ]:
            _refused(sql, error=DatabaseError, match=denied)
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
            cursor.execute(f'GRANT DELETE ON core_auditevent TO "{role}"')
            cursor.execute(f'SET ROLE "{role}"')
            cursor.execute("SELECT set_config('egov.audit_maintenance', 'on', false)")
        _refused("DELETE FROM core_auditevent WHERE seq = 3")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
            cursor.execute("SELECT set_config('egov.audit_maintenance', 'off', false)")
    assert AuditEvent.objects.count() == 3
    assert audit_verify().ok


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


def test_test_flush_empties_every_table_and_leaves_the_checks_on(transactional_db, org):
    """The suite's flush between tests (PostgreSQL: DELETE with triggers off for the
    transaction, core/management/commands/flush.py): every table empty, the content types
    made again (and the catalogue rows the apps seed again on post_migrate, egov.core.seeds:
    roles and grants, civil's kinds of events, the petitions' deadline rules, the document
    types), and afterwards foreign keys and triggers check as before."""
    from django.apps import apps as django_apps
    from django.contrib.contenttypes.models import ContentType

    from egov.core.models import WorkItem

    _append(2)
    call_command("flush", interactive=False, verbosity=0, reset_sequences=False,
                 inhibit_post_migrate=False)
    reseeded = {"auth.Permission", "civil.KindRule",  # post_migrate puts them back
                "core.Role", "core.RoleGrant", "petitions.DeadlineRule",
                "documents.DocumentType", "documents.UrgencyDeadline"}
    left = [m._meta.label for m in django_apps.get_models()
            if m._meta.managed and not m._meta.proxy and m is not ContentType
            and m._meta.label not in reseeded and m._default_manager.exists()]
    assert left == []
    assert django_apps.get_model("civil", "KindRule").objects.filter(kind="birth").exists()
    grants = django_apps.get_model("core", "RoleGrant").objects
    assert grants.filter(role__code="clerk", action="documents.register").exists()
    assert grants.filter(role__code="civil_registrar", action__startswith="civil.").exists()
    assert django_apps.get_model("petitions", "DeadlineRule").objects.exists()
    assert ContentType.objects.filter(app_label="core", model="orgunit").exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkItem.objects.create(module="core", kind="x", title="Mồ côi", role="lead",
                                assignee_user_id=987654)
    event = audit_log(actor=None, action="after.flush")
    with pytest.raises(IntegrityError, match="append-only"):
        AuditEvent.objects.filter(pk=event.pk).delete()


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
