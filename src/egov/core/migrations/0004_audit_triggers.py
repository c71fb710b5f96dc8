# Database triggers that make core_auditevent append-only (see egov/core/audit.py).
#
# UPDATE is always refused. DELETE (and TRUNCATE on PostgreSQL) is refused unless the test
# suite's flush has switched maintenance on: the PostgreSQL session setting
# egov.audit_maintenance = 'on', or enabled = 1 in SQLite's one-row egov_audit_maintenance table.
from django.db import migrations

MESSAGE = "audit events are append-only"

PG_FORWARD = [
    f"""
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
        RAISE EXCEPTION '{MESSAGE} (% refused)', TG_OP
            USING ERRCODE = 'restrict_violation';
    END;
    $$;
    """,
    """
    CREATE TRIGGER core_auditevent_append_only
    BEFORE UPDATE OR DELETE ON core_auditevent
    FOR EACH ROW EXECUTE FUNCTION egov_audit_append_only();
    """,
    """
    CREATE TRIGGER core_auditevent_no_truncate
    BEFORE TRUNCATE ON core_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION egov_audit_append_only();
    """,
]
PG_REVERSE = [
    "DROP TRIGGER IF EXISTS core_auditevent_no_truncate ON core_auditevent;",
    "DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent;",
    "DROP FUNCTION IF EXISTS egov_audit_append_only();",
]

SQLITE_FORWARD = [
    """
    CREATE TABLE IF NOT EXISTS egov_audit_maintenance (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        enabled INTEGER NOT NULL DEFAULT 0
    );
    """,
    "INSERT OR IGNORE INTO egov_audit_maintenance (id, enabled) VALUES (1, 0);",
    f"""
    CREATE TRIGGER core_auditevent_no_update
    BEFORE UPDATE ON core_auditevent
    BEGIN
        SELECT RAISE(ABORT, '{MESSAGE}');
    END;
    """,
    f"""
    CREATE TRIGGER core_auditevent_no_delete
    BEFORE DELETE ON core_auditevent
    WHEN coalesce((SELECT enabled FROM egov_audit_maintenance WHERE id = 1), 0) != 1
    BEGIN
        SELECT RAISE(ABORT, '{MESSAGE}');
    END;
    """,
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS core_auditevent_no_delete;",
    "DROP TRIGGER IF EXISTS core_auditevent_no_update;",
    "DROP TABLE IF EXISTS egov_audit_maintenance;",
]


def _run(schema_editor, statements_by_vendor):
    statements = statements_by_vendor.get(schema_editor.connection.vendor)
    if statements is None:
        raise NotImplementedError(
            f"audit triggers are not written for {schema_editor.connection.vendor}"
        )
    for sql in statements:
        schema_editor.execute(sql, params=None)


def forward(apps, schema_editor):
    _run(schema_editor, {"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD})


def reverse(apps, schema_editor):
    _run(schema_editor, {"postgresql": PG_REVERSE, "sqlite": SQLITE_REVERSE})


class Migration(migrations.Migration):
    dependencies = [("core", "0003_seed_calendar")]
    operations = [migrations.RunPython(forward, reverse, elidable=False)]
