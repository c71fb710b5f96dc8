"""Django's `flush`, stepping around the audit triggers while the test suite runs it.

Django's TransactionTestCase (pytest-django `transactional_db`, `live_server`) empties the
database after each test with `flush`; the append-only triggers on core_auditevent refuse that.
Under the test environment this command runs the flush inside `audit_maintenance()` (one
transaction in which the triggers are disabled — PostgreSQL, as the table's owner — or dropped —
SQLite — and restored before commit); anywhere else it is Django's flush unchanged, and the
triggers refuse to erase a real audit trail.
"""

from django.core.management.commands.flush import Command as DjangoFlushCommand

from egov.core.audit import _test_environment_active, audit_maintenance


class Command(DjangoFlushCommand):
    def handle(self, **options):
        if _test_environment_active():
            with audit_maintenance(using=options["database"]):
                return super().handle(**options)
        return super().handle(**options)
