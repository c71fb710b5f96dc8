"""`egov worker`: the background-job worker (django-tasks-db), processing every queue by default.

Run several on several hosts for scale: they share the database queue with row locks.

Beyond django-tasks-db's worker (issue 8 §2, egov.core.jobs):
- a heartbeat thread records that the worker is alive and takes up the jobs of dead workers;
- a lost database connection (restarted server, `pg_terminate_backend`, network) never ends the
  worker: it drops the connection, waits with backoff (1 s, 2 s, … 30 s) and goes on; a job
  interrupted that way goes back to the queue (or ends failed after EGOV_JOB_MAX_ATTEMPTS).
"""

from __future__ import annotations

import logging
import time

from django.db import DatabaseError, InterfaceError, OperationalError, connection, connections
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from egov.core import jobs

log = logging.getLogger("egov.jobs")

CONNECTION_ERRORS = (OperationalError, InterfaceError)
MAX_BACKOFF = 30.0


def _connection_gone() -> bool:
    """Is the default connection closed or dead? (A usable one and an error that does not
    name a lost connection: the error was the job's own, e.g. a statement timeout or a locked
    SQLite database.)"""
    try:
        return connection.connection is None or not connection.is_usable()
    except Exception:  # noqa: BLE001 - a broken connection may fail to answer
        return True


def _drop_connections() -> None:
    for conn in connections.all(initialized_only=True):
        try:
            conn.close()
        except Exception:  # noqa: BLE001 - a broken connection may fail to close
            pass


class EgovWorker(Worker):
    """django-tasks-db's worker with heartbeats, reaping and database-loss recovery."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.orphan: DBTaskResult | None = None  # a job whose outcome could not be written
        self.queues_label = ",".join(self.queue_names)

    def run(self) -> None:
        heartbeat = None
        self._retrying(lambda: jobs.beat(self.worker_id, self.queues_label))
        if self.batch:
            self._retrying(jobs.reap)  # one pass: a batch worker is short-lived
        else:
            heartbeat = jobs.HeartbeatThread(self.worker_id, self.queues_label)
            heartbeat.start()
        try:
            self._retrying(super().run)
        finally:
            if heartbeat is not None:
                heartbeat.stop()
                heartbeat.join(timeout=5)
            else:
                try:
                    jobs.forget(self.worker_id)
                except DatabaseError:
                    pass

    def _retrying(self, body) -> None:
        """Run ``body`` until it returns; a lost database connection is waited out with
        backoff instead of ending the worker."""
        delay = 1.0
        last_error = 0.0
        while True:
            try:
                if self.orphan is not None:
                    self._requeue_orphan()
                body()
                return
            except CONNECTION_ERRORS as exc:
                if not self.running:
                    return
                now = time.monotonic()
                if now - last_error > 2 * MAX_BACKOFF:
                    delay = 1.0  # a new outage, not the same one
                last_error = now
                log.warning("worker %s: database unavailable (%s); retrying in %.0f s",
                            self.worker_id, str(exc).strip()[:200], delay)
                _drop_connections()
                time.sleep(delay)
                delay = min(MAX_BACKOFF, delay * 2)
                self.startup_delay = False

    def _requeue_orphan(self) -> None:
        """The job whose end could not be written (the connection was lost under it): back to
        the queue, or failed once it has used up its attempts. Raises while still offline."""
        orphan = self.orphan
        running = DBTaskResult.objects.filter(pk=orphan.pk, status="RUNNING")
        if len(orphan.worker_ids or []) < jobs.max_attempts():
            running.update(status="READY")
        elif running.update(status="FAILED", finished_at=timezone.now(),
                            exception_class_path="django.db.utils.OperationalError",
                            traceback="OperationalError: the database connection was lost "
                                      "while running this job\n"):
            # the module's failure hooks put its own record right (an export, a batch)
            jobs._send_finished(DBTaskResult.objects.get(pk=orphan.pk))
        self.orphan = None

    def run_task(self, db_task_result: DBTaskResult) -> None:
        token = jobs.set_attempt(len(db_task_result.worker_ids or []))
        record_failure = db_task_result.set_failed

        def set_failed(exc: BaseException) -> None:
            # A job body interrupted by the lost connection is not a failed job: Django would
            # quietly open a new connection to record it FAILED (and run the module's failure
            # hooks). Re-raise instead, so that it goes back to the queue as an orphan below.
            if isinstance(exc, CONNECTION_ERRORS) and (jobs.is_connection_loss(exc)
                                                       or _connection_gone()):
                raise exc
            record_failure(exc)

        db_task_result.set_failed = set_failed
        try:
            super().run_task(db_task_result)
        except CONNECTION_ERRORS:
            self.orphan = db_task_result
            raise
        finally:
            jobs.reset_attempt(token)


class Command(DbWorkerCommand):
    help = "Run the eGov background worker (all queues unless --queue-name is given)."

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(queue_name="*", reload=False)

    def handle(self, *, verbosity, queue_name, interval, batch, backend_name, startup_delay,
               reload, max_tasks, worker_id, exclude_queues, **options) -> None:
        from django.core.management.base import CommandError

        self.configure_logging(verbosity)
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = EgovWorker(queue_names=queue_names, interval=interval, batch=batch,
                            backend_name=backend_name, startup_delay=startup_delay,
                            max_tasks=max_tasks, worker_id=worker_id,
                            excluded_queue_names=excluded)
        worker.configure_signals()
        worker.run()
