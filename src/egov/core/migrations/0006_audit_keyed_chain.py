# The audit trail against its own database administrator (see egov/core/audit.py).
#
# 1. No session setting switches the append-only triggers off any more: migration 0004 let
#    DELETE/TRUNCATE through when `egov.audit_maintenance` was 'on' (PostgreSQL) or
#    egov_audit_maintenance.enabled = 1 (SQLite), which any session, the application's included,
#    could set. The triggers now refuse UPDATE, DELETE and TRUNCATE always; on PostgreSQL they
#    fire even under session_replication_role = replica (ENABLE ALWAYS). Only the table's owner
#    (ALTER TABLE … DISABLE TRIGGER) or a superuser can step around them — the test suite's flush
#    does, inside its own transaction; the application runs as a role that is neither
#    (docs/operations.md).
# 2. The one-row table egov_audit_scheme records the first seq hashed with the audit key
#    (HMAC-SHA256): events before it (chains of earlier versions) keep their plain SHA-256 hashes.
#    The record carries an HMAC of itself under the key (egov.core.audit_keys); it is write-once.
from django.db import migrations

MESSAGE = "audit events are append-only"
SCHEME_MESSAGE = "the audit scheme record is write-once"

PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION egov_audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{MESSAGE} (% refused)', TG_OP USING ERRCODE = 'restrict_violation';
END;
$$;
"""
PG_SCHEME_FUNCTION = f"""
CREATE OR REPLACE FUNCTION egov_audit_scheme_write_once() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{SCHEME_MESSAGE} (% refused)', TG_OP USING ERRCODE = 'restrict_violation';
END;
$$;
"""
PG_FORWARD = [
    PG_FUNCTION,
    "ALTER TABLE core_auditevent ENABLE ALWAYS TRIGGER core_auditevent_append_only;",
    "ALTER TABLE core_auditevent ENABLE ALWAYS TRIGGER core_auditevent_no_truncate;",
    """
    CREATE TABLE egov_audit_scheme (
        id smallint PRIMARY KEY CHECK (id = 1),
        keyed_from bigint NOT NULL CHECK (keyed_from >= 1),
        mac varchar(64) NOT NULL
    );
    """,
    PG_SCHEME_FUNCTION,
    """
    CREATE TRIGGER egov_audit_scheme_write_once BEFORE UPDATE OR DELETE ON egov_audit_scheme
    FOR EACH ROW EXECUTE FUNCTION egov_audit_scheme_write_once();
    """,
    """
    CREATE TRIGGER egov_audit_scheme_no_truncate BEFORE TRUNCATE ON egov_audit_scheme
    FOR EACH STATEMENT EXECUTE FUNCTION egov_audit_scheme_write_once();
    """,
    "ALTER TABLE egov_audit_scheme ENABLE ALWAYS TRIGGER egov_audit_scheme_write_once;",
    "ALTER TABLE egov_audit_scheme ENABLE ALWAYS TRIGGER egov_audit_scheme_no_truncate;",
]
PG_REVERSE = [
    "DROP TABLE IF EXISTS egov_audit_scheme;",
    "DROP FUNCTION IF EXISTS egov_audit_scheme_write_once();",
    "ALTER TABLE core_auditevent ENABLE TRIGGER core_auditevent_append_only;",
    "ALTER TABLE core_auditevent ENABLE TRIGGER core_auditevent_no_truncate;",
    """
    CREATE OR REPLACE FUNCTION egov_audit_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('DELETE', 'TRUNCATE')
           AND coalesce(current_setting('egov.audit_maintenance', true), '') = 'on' THEN
            IF TG_LEVEL = 'ROW' THEN
                RETURN OLD;
            END IF;
            RETURN NULL;
        END IF;
        RAISE EXCEPTION 'audit events are append-only (% refused)', TG_OP
            USING ERRCODE = 'restrict_violation';
    END;
    $$;
    """,
]

SQLITE_FORWARD = [
    "DROP TRIGGER IF EXISTS core_auditevent_no_delete;",
    f"""
    CREATE TRIGGER core_auditevent_no_delete
    BEFORE DELETE ON core_auditevent
    BEGIN
        SELECT RAISE(ABORT, '{MESSAGE}');
    END;
    """,
    "DROP TABLE IF EXISTS egov_audit_maintenance;",
    """
    CREATE TABLE egov_audit_scheme (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        keyed_from INTEGER NOT NULL CHECK (keyed_from >= 1),
        mac VARCHAR(64) NOT NULL
    );
    """,
    f"""
    CREATE TRIGGER egov_audit_scheme_no_update BEFORE UPDATE ON egov_audit_scheme
    BEGIN
        SELECT RAISE(ABORT, '{SCHEME_MESSAGE}');
    END;
    """,
    f"""
    CREATE TRIGGER egov_audit_scheme_no_delete BEFORE DELETE ON egov_audit_scheme
    BEGIN
        SELECT RAISE(ABORT, '{SCHEME_MESSAGE}');
    END;
    """,
]
SQLITE_REVERSE = [
    "DROP TABLE IF EXISTS egov_audit_scheme;",
    """
    CREATE TABLE IF NOT EXISTS egov_audit_maintenance (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        enabled INTEGER NOT NULL DEFAULT 0
    );
    """,
    "INSERT OR IGNORE INTO egov_audit_maintenance (id, enabled) VALUES (1, 0);",
    "DROP TRIGGER IF EXISTS core_auditevent_no_delete;",
    """
    CREATE TRIGGER core_auditevent_no_delete
    BEFORE DELETE ON core_auditevent
    WHEN coalesce((SELECT enabled FROM egov_audit_maintenance WHERE id = 1), 0) != 1
    BEGIN
        SELECT RAISE(ABORT, 'audit events are append-only');
    END;
    """,
]


def _statements(schema_editor, by_vendor):
    statements = by_vendor.get(schema_editor.connection.vendor)
    if statements is None:
        raise NotImplementedError(
            f"audit triggers are not written for {schema_editor.connection.vendor}")
    return statements


def forward(apps, schema_editor):
    from egov.core.audit_keys import scheme_mac

    for sql in _statements(schema_editor, {"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}):
        schema_editor.execute(sql, params=None)
    AuditEvent = apps.get_model("core", "AuditEvent")
    last = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    keyed_from = last + 1
    schema_editor.execute(
        "INSERT INTO egov_audit_scheme (id, keyed_from, mac) VALUES (1, %s, %s)",
        params=[keyed_from, scheme_mac(keyed_from)],
    )


def reverse(apps, schema_editor):
    for sql in _statements(schema_editor, {"postgresql": PG_REVERSE, "sqlite": SQLITE_REVERSE}):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0005_orgunit_agency")]
    operations = [migrations.RunPython(forward, reverse, elidable=False)]
