"""`egov worker`: the background-job worker (django-tasks-db), processing every queue by default.

Run several on several hosts for scale: they share the database queue with row locks."""

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand


class Command(DbWorkerCommand):
    help = "Run the eGov background worker (all queues unless --queue-name is given)."

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(queue_name="*", reload=False)
