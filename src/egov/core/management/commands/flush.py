"""Django's `flush`, stepping around the audit triggers while the test suite runs it.

Django's TransactionTestCase (pytest-django `transactional_db`, `live_server`) empties the
database after each test with `flush`; the append-only triggers on core_auditevent refuse that.
Under the test environment this command runs the flush inside `audit_maintenance()` (one
transaction in which the triggers are disabled — PostgreSQL, as the table's owner — or dropped —
SQLite — and restored before commit); anywhere else it is Django's flush unchanged, and the
triggers refuse to erase a real audit trail.

On PostgreSQL, under the test environment and as a superuser (CI's `postgres`), the tables are
emptied with DELETE in one statement batch, with `session_replication_role = replica` for the
transaction (no trigger and no foreign-key check fires while every table is emptied anyway)
instead of Django's TRUNCATE: TRUNCATE gives each of the ~250 tables and their indexes new
files, about a second per flush, paid after every transactional test; the nearly empty tables
of a test are deleted in milliseconds. Sequences are not reset, as with Django's flush between
tests (``reset_sequences=False``); when they must be, or without the superuser, Django's TRUNCATE
runs.
"""

from importlib import import_module

from django.apps import apps
from django.core.management.commands.flush import Command as DjangoFlushCommand
from django.core.management.sql import emit_post_migrate_signal
from django.db import connections

from egov.core.audit import _test_environment_active, audit_maintenance


class Command(DjangoFlushCommand):
    def handle(self, **options):
        if _test_environment_active():
            with audit_maintenance(using=options["database"]):
                if _delete_all_postgresql(options):
                    return None
                return super().handle(**options)
        return super().handle(**options)


def _delete_all_postgresql(options) -> bool:
    """The test suite's fast flush on PostgreSQL (see the module doc); False when it does not
    apply and Django's flush must run."""
    database = options["database"]
    connection = connections[database]
    if (connection.vendor != "postgresql" or options.get("interactive")
            or options.get("reset_sequences", True)):
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
        if not row or not row[0]:
            return False
        tables = connection.introspection.django_table_names(only_existing=True,
                                                             include_views=False)
        if not tables:
            return True
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("; ".join(f"DELETE FROM {connection.ops.quote_name(t)}"
                                 for t in sorted(tables)))
        cursor.execute("SET LOCAL session_replication_role = origin")
    if not options.get("inhibit_post_migrate"):
        for app_config in apps.get_app_configs():  # as Django's flush: register the handlers
            try:
                import_module(".management", app_config.name)
            except ImportError:
                pass
        emit_post_migrate_signal(options.get("verbosity", 1), False, database)
    return True
