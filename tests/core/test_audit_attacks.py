"""The audit trail against its own database administrator: each attack is done as the table's
owner or a superuser would (triggers disabled or dropped, rows changed, the chain recomputed, the
head reset), and `egov audit verify` reports it with the first bad seq and exit 1."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

from egov.core.audit import GENESIS_HASH, audit_log, audit_verify, compute_hash
from egov.core.audit_keys import chain_key, scheme_mac
from egov.core.models import AuditEvent, AuditHead
from tests.core.audit_tools import (
    append,
    as_attacker,
    jsonb,
    recompute_chain,
    reset_head,
    verify_fails,
    verify_passes,
)


@pytest.fixture(autouse=True)
def _checkpoint_dir(settings, tmp_path):
    settings.EGOV_AUDIT_CHECKPOINT_DIR = str(tmp_path / "checkpoints")


@pytest.fixture
def trail(db):
    """Ten events, checkpointed after the fifth and after the tenth."""
    events = append(5)
    call_command("audit", "checkpoint", verbosity=0)
    events += append(5)
    call_command("audit", "checkpoint", verbosity=0)
    assert "2 checkpoints intact" in verify_passes()
    return events


def _hash(seq: int) -> str:
    return AuditEvent.objects.get(seq=seq).hash


def test_tail_deleted_and_head_reset(trail):
    """Triggers off, the newest three events deleted, the head reset to the last one left: a
    valid shorter chain — only the checkpoint shows what is missing."""
    as_attacker("DELETE FROM core_auditevent WHERE seq >= 8")
    reset_head(7, _hash(7))

    assert audit_verify(checkpoints=False).ok  # what the chain alone can show
    result = audit_verify()
    assert not result.ok and result.first_bad_seq == 8
    assert "checkpoint 2" in result.reason and "8–10 were removed" in result.reason
    assert "first bad seq 8" in verify_fails()


def test_table_emptied_and_head_reset(trail):
    """TRUNCATE (PostgreSQL) or DELETE of every row (SQLite) with the triggers off, then the head
    reset to the genesis or deleted."""
    if connection.vendor == "postgresql":
        as_attacker("TRUNCATE core_auditevent")
    else:
        as_attacker("DELETE FROM core_auditevent")
    reset_head(0, GENESIS_HASH)

    result = audit_verify()
    assert not result.ok and result.first_bad_seq == 1 and result.checked == 0
    assert "first bad seq 1" in verify_fails()

    AuditHead.objects.all().delete()
    assert audit_verify().first_bad_seq == 1
    assert "first bad seq 1" in verify_fails()


def test_head_event_deleted_head_left(trail):
    as_attacker("DELETE FROM core_auditevent WHERE seq = 10")
    result = audit_verify()
    assert not result.ok and result.first_bad_seq == 10
    assert "first bad seq 10" in verify_fails()


@pytest.mark.parametrize("key", ["plain", "wrong"])
def test_event_rewritten_and_chain_recomputed(trail, key):
    """A superuser rewrites event 3 and recomputes the chain from there on — with plain SHA-256
    (the old scheme) or a guessed key — and resets the head."""
    as_attacker((f"UPDATE core_auditevent SET details = {jsonb()} WHERE seq = 3",
                 ['{"i": 3, "note": "đã sửa"}']))
    recompute_chain(3, None if key == "plain" else b"not-the-audit-key-" * 2)

    result = audit_verify(checkpoints=False)
    assert not result.ok and result.first_bad_seq == 3 and "hash does not match" in result.reason
    assert audit_verify().first_bad_seq == 3
    assert "first bad seq 3" in verify_fails()


def test_event_rewritten_with_a_leaked_key(trail):
    """Even with the key, the rewritten chain differs from the checkpoints: the first
    checkpointed event after the edit is reported."""
    as_attacker((f"UPDATE core_auditevent SET details = {jsonb()} WHERE seq = 3",
                 ['{"i": 3, "note": "đã sửa"}']))
    recompute_chain(3, chain_key())

    assert audit_verify(checkpoints=False).ok
    result = audit_verify()
    assert not result.ok and result.first_bad_seq == 5 and "checkpoint 1" in result.reason
    assert "first bad seq 5" in verify_fails()


def test_whole_chain_recomputed_plain_and_scheme_record_moved(trail):
    """To pass a chain recomputed with plain SHA-256 the attacker must declare every event
    "written before the key": the scheme record's MAC gives that away (and without the record
    every event must be keyed)."""
    recompute_chain(1, None)
    as_attacker("DELETE FROM egov_audit_scheme",
                ("INSERT INTO egov_audit_scheme (id, keyed_from, mac) VALUES (1, 11, %s)",
                 ["0" * 64]))
    result = audit_verify(checkpoints=False)
    assert not result.ok and result.first_bad_seq == 1 and "scheme record" in result.reason
    assert "first bad seq 1" in verify_fails()

    as_attacker("DELETE FROM egov_audit_scheme")
    result = audit_verify(checkpoints=False)
    assert not result.ok and result.first_bad_seq == 1


def _shift_seqs(from_seq: int, delta: int) -> list:
    """Statements renumbering the events from `from_seq` on by `delta` (in two steps, so the
    unique seq is never violated)."""
    return [
        ("UPDATE core_auditevent SET seq = seq + 1000 WHERE seq >= %s", [from_seq]),
        ("UPDATE core_auditevent SET seq = seq - 1000 + %s WHERE seq >= %s",
         [delta, from_seq + 1000]),
    ]


def test_event_inserted_in_the_middle(trail):
    """A forged event slipped in as seq 6, the later ones renumbered, the chain recomputed with
    plain SHA-256 and the head moved."""
    fifth = AuditEvent.objects.get(seq=5)
    forged = compute_hash(seq=6, at=fifth.at, actor_id=None, actor_name="", action="forged",
                          object_type="", object_id="", details={}, prev_hash=fifth.hash)
    as_attacker(*_shift_seqs(6, 1), (
        "INSERT INTO core_auditevent (seq, at, actor_id, actor_name, action, object_type, "
        "object_id, details, prev_hash, hash) VALUES (6, %s, NULL, '', 'forged', '', '', "
        f"{jsonb()}, %s, %s)", [fifth.at, "{}", fifth.hash, forged]))
    recompute_chain(6, None)

    result = audit_verify()
    assert not result.ok and result.first_bad_seq == 6
    assert "first bad seq 6" in verify_fails()


def test_middle_event_deleted_and_chain_closed(trail):
    """Event 5 deleted, the later ones renumbered down, the chain recomputed without the key."""
    as_attacker("DELETE FROM core_auditevent WHERE seq = 5", *_shift_seqs(6, -1))
    recompute_chain(5, None)

    result = audit_verify()
    assert not result.ok and result.first_bad_seq == 5
    assert "first bad seq 5" in verify_fails()


def test_middle_event_deleted_only(trail):
    as_attacker("DELETE FROM core_auditevent WHERE seq = 4")
    result = audit_verify()
    assert not result.ok and result.first_bad_seq == 4 and "missing" in result.reason
    assert "first bad seq 4" in verify_fails()


# --- Chains written before the key ---------------------------------------------------------------


def _legacy_chain(n: int) -> None:
    """A chain of `n` plain SHA-256 events as eGov wrote them before the key, and the scheme
    record migration 0006 leaves on such a database (keyed from seq n + 1)."""
    prev, statements, at = GENESIS_HASH, [], None
    from django.utils import timezone

    for seq in range(1, n + 1):
        at = timezone.now()
        digest = compute_hash(seq=seq, at=at, actor_id=None, actor_name="", action="legacy",
                              object_type="", object_id=str(seq), details={"i": seq},
                              prev_hash=prev)
        statements.append((
            "INSERT INTO core_auditevent (seq, at, actor_id, actor_name, action, object_type, "
            f"object_id, details, prev_hash, hash) VALUES (%s, %s, NULL, '', 'legacy', '', %s, "
            f"{jsonb()}, %s, %s)", [seq, at, str(seq), f'{{"i": {seq}}}', prev, digest]))
        prev = digest
    statements += ["DELETE FROM egov_audit_scheme",
                   ("INSERT INTO egov_audit_scheme (id, keyed_from, mac) VALUES (1, %s, %s)",
                    [n + 1, scheme_mac(n + 1)])]
    as_attacker(*statements)
    reset_head(n, prev)


def test_chain_written_before_the_key_still_verifies(db):
    _legacy_chain(4)
    assert audit_verify().ok
    event = audit_log(actor=None, action="after.upgrade")
    assert event.seq == 5
    assert event.hash == compute_hash(
        seq=5, at=event.at, actor_id=None, actor_name="", action="after.upgrade",
        object_type="", object_id="", details={}, prev_hash=event.prev_hash, key=chain_key())
    call_command("audit", "checkpoint", verbosity=0)
    assert "5 events checked" in verify_passes()


def test_pre_key_part_rewritten_is_detected(db):
    """The plain part can be recomputed without the key, but the first keyed event binds it."""
    _legacy_chain(4)
    audit_log(actor=None, action="after.upgrade")
    as_attacker((f"UPDATE core_auditevent SET details = {jsonb()} WHERE seq = 2",
                 ['{"i": 99}']))
    recompute_chain(2, None)

    result = audit_verify(checkpoints=False)
    assert not result.ok and result.first_bad_seq == 5
    assert "first bad seq 5" in verify_fails()


def test_migration_keeps_a_chain_written_before_the_key(transactional_db):
    """Migration 0006 on a database whose chain was written with plain SHA-256: the old events
    still verify, new ones are keyed, and the old maintenance switch is gone."""
    from django.db.migrations.executor import MigrationExecutor

    from egov.core.audit_keys import read_scheme

    def migrate(target: str | None) -> None:
        """Migrate core to ``target``; None = every app to its latest migration (the state the
        rest of the suite expects: core's later migrations are unapplied on the way down)."""
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate([("core", target)] if target else executor.loader.graph.leaf_nodes())

    migrate("0005_orgunit_agency")
    try:
        _plain_events(3)
    finally:
        migrate("0006_audit_keyed_chain")
    try:
        assert read_scheme() == (4, "")
        audit_log(actor=None, action="after.upgrade")
        result = audit_verify()
        assert result.ok and result.checked == 4
    finally:
        # The scheme record outlives the flush: leave the one of an empty database behind.
        call_command("flush", interactive=False, verbosity=0)
        migrate("0005_orgunit_agency")
        migrate(None)
        assert read_scheme() == (1, "")


def _plain_events(n: int) -> None:
    """Events appended as eGov did before the key (plain SHA-256), with the triggers of 0004."""
    from django.utils import timezone

    prev = GENESIS_HASH
    for seq in range(1, n + 1):
        at = timezone.now()
        digest = compute_hash(seq=seq, at=at, actor_id=None, actor_name="", action="old",
                              object_type="", object_id="", details={}, prev_hash=prev)
        AuditEvent.objects.create(seq=seq, at=at, action="old", details={}, prev_hash=prev,
                                  hash=digest)
        prev = digest
    reset_head(n, prev)
