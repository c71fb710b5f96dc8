"""Background jobs that survive crashes (issue 8 §2): worker heartbeats, the reaper that takes up
the jobs of dead workers, and the hooks that let a module mend its own records when one of its
jobs ends failed.

- Every `egov worker` writes a :class:`~egov.core.models_jobs.WorkerHeartbeat` when it starts and
  every ``EGOV_JOB_HEARTBEAT_SECONDS`` from a thread with its own database connection.
- Any live worker :func:`reap` s now and then: a job that is RUNNING, started more than
  ``EGOV_JOB_STALE_SECONDS`` ago, whose worker has no fresh heartbeat (killed, host lost) goes
  back to READY and runs again; after ``EGOV_JOB_MAX_ATTEMPTS`` attempts it ends FAILED with the
  reason "worker died". Each attempt is one entry of the job's ``worker_ids`` (django-tasks-db
  appends the worker on every claim), so :func:`attempt` tells a job's body it is a re-run.
- Job bodies must therefore be idempotent (a document already signed is never signed again).
- When a job ends FAILED (an exception, or the reaper's last word) the handlers a module
  registered with :func:`on_failure` run with the job's arguments and the reason, so the
  module's own record (a batch, an export) never shows a dead job as running. Core knows no
  module: modules register from their `tasks.py`.
"""

from __future__ import annotations

import contextvars
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, InterfaceError, connection
from django.utils import timezone

log = logging.getLogger("egov.jobs")

WORKER_DIED = "worker died"
_attempt: contextvars.ContextVar[int] = contextvars.ContextVar("egov_job_attempt", default=1)
_failure_handlers: dict[str, list[Callable[..., None]]] = {}


class WorkerDied(Exception):
    """The job's worker stopped (killed, host lost) while running it, too many times."""


def heartbeat_seconds() -> float:
    return float(getattr(settings, "EGOV_JOB_HEARTBEAT_SECONDS", 10))


def stale_seconds() -> float:
    return float(getattr(settings, "EGOV_JOB_STALE_SECONDS", 60))


def max_attempts() -> int:
    return max(1, int(getattr(settings, "EGOV_JOB_MAX_ATTEMPTS", 3)))


# --- inside a job -------------------------------------------------------------------------------


def attempt() -> int:
    """The attempt of the job being run (1 the first time, 2 after its worker died once…)."""
    return _attempt.get()


def set_attempt(n: int) -> contextvars.Token:
    return _attempt.set(max(1, n))


def reset_attempt(token: contextvars.Token) -> None:
    _attempt.reset(token)


def step_pause() -> None:
    """Called between two steps of a long job. Sleeps EGOV_JOB_STEP_DELAY seconds (0 in
    production; the crash tests set it so that a worker can be killed in the middle of a job)."""
    delay = float(getattr(settings, "EGOV_JOB_STEP_DELAY", 0) or 0)
    if delay > 0:
        time.sleep(delay)


def connection_lost() -> bool:
    """After a DatabaseError: is the connection itself gone (server restarted, backend ended)?
    A job body then re-raises, so that the worker waits for the database and the job runs again;
    any other database error (a deadlock, a constraint) is the job's own failure."""
    try:
        return connection.connection is not None and not connection.is_usable()
    except Exception:  # noqa: BLE001 - a broken connection may fail to answer
        return True


# SQLSTATEs of a connection that is gone: class 08 (connection exception), 57P01
# admin_shutdown (pg_terminate_backend), 57P02 crash_shutdown, 57P03 cannot_connect_now.
_LOST_STATES = ("57P01", "57P02", "57P03")


def is_connection_loss(exc: BaseException) -> bool:
    """Was ``exc`` raised because the database connection went away (not by the statement
    itself)? Django opens a new connection on its own right after such an error (leaving an
    atomic block), so the error, not the connection, has to tell."""
    if isinstance(exc, InterfaceError):
        return True
    cause = exc.__cause__ or exc
    state = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    if state:
        return state.startswith("08") or state in _LOST_STATES
    # psycopg's own "the connection is closed / lost" errors carry no SQLSTATE
    return type(cause).__module__.split(".")[0] in ("psycopg", "psycopg2")


# --- failure hooks ------------------------------------------------------------------------------


def on_failure(task) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Register ``handler(*args, reason=str, **kwargs)`` to run when a job of ``task`` (a
    django-tasks Task) ends FAILED: the module puts its own record right."""

    def register(handler: Callable[..., None]) -> Callable[..., None]:
        handlers = _failure_handlers.setdefault(task.module_path, [])
        if handler not in handlers:
            handlers.append(handler)
        return handler

    return register


def failure_reason(task_result) -> str:
    """A short reason for a failed job: the exception's last traceback line."""
    for error in getattr(task_result, "errors", None) or []:
        lines = [line for line in (error.traceback or "").strip().splitlines() if line.strip()]
        if lines:
            return lines[-1][:300]
        return error.exception_class_path.rsplit(".", 1)[-1]
    return "failed"


def dispatch_finished(sender=None, task_result=None, **kwargs) -> None:
    """django-tasks' task_finished receiver (connected by CoreConfig.ready): run the module's
    failure handlers of a FAILED job. A failing handler is logged, never raised."""
    if task_result is None or str(task_result.status) != "FAILED":
        return
    handlers = _failure_handlers.get(task_result.task.module_path, [])
    reason = failure_reason(task_result)
    for handler in handlers:
        try:
            handler(*task_result.args, reason=reason, **task_result.kwargs)
        except Exception:  # noqa: BLE001 - one broken hook must not stop the worker
            log.exception("failure handler %s of %s failed", handler, task_result.id)


# --- periodic duties ----------------------------------------------------------------------------
# Modules register small duties (e.g. "enqueue the outbox's send job when retries fall due") that
# every worker's heartbeat thread runs about every `seconds`; they must be quick and idempotent
# (several workers run them), and should enqueue a job for anything slow.

_periodic: dict[str, tuple[float, Callable[[], object]]] = {}
_periodic_last: dict[str, float] = {}


def every(name: str, seconds: float, fn: Callable[[], object]) -> None:
    """Register `fn` to run about every `seconds` in each worker (a name registered again
    replaces the earlier one)."""
    _periodic[name] = (float(seconds), fn)


def run_periodic(now: float | None = None) -> list[str]:
    """Run the duties that are due; a failing one is logged, never raised. Returns their
    names."""
    now = time.monotonic() if now is None else now
    ran = []
    for name, (seconds, fn) in list(_periodic.items()):
        if now - _periodic_last.get(name, -1e18) < seconds:
            continue
        _periodic_last[name] = now
        try:
            fn()
            ran.append(name)
        except DatabaseError:
            raise
        except Exception:  # noqa: BLE001 - one broken duty must not stop the others
            log.exception("periodic duty %s failed", name)
    return ran


def enqueue_unless_pending(task) -> bool:
    """Enqueue `task` (no arguments) unless a job of it is already waiting to run."""
    backend = str(settings.TASKS.get("default", {}).get("BACKEND", ""))
    if "django_tasks_db" in backend:
        from django_tasks_db.models import DBTaskResult

        if DBTaskResult.objects.filter(task_path=task.module_path, status="READY").exists():
            return False
    task.enqueue()
    return True


# --- heartbeats ---------------------------------------------------------------------------------


def beat(worker_id: str, queues: str = "") -> None:
    """Record that the worker is alive (insert or refresh its row)."""
    from .models_jobs import WorkerHeartbeat

    now = timezone.now()
    updated = WorkerHeartbeat.objects.filter(worker_id=worker_id).update(last_seen=now)
    if not updated:
        WorkerHeartbeat.objects.update_or_create(
            worker_id=worker_id,
            defaults={"host": socket.gethostname()[:255], "pid": os.getpid(),
                      "queues": queues[:255], "started_at": now, "last_seen": now})


def forget(worker_id: str) -> None:
    """The worker stops cleanly: its row goes."""
    from .models_jobs import WorkerHeartbeat

    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def live_workers() -> int:
    """How many workers have a fresh heartbeat (for /healthz)."""
    from .models_jobs import WorkerHeartbeat

    since = timezone.now() - timedelta(seconds=stale_seconds())
    return WorkerHeartbeat.objects.filter(last_seen__gte=since).count()


# --- the reaper ---------------------------------------------------------------------------------


def reap(*, limit: int = 100) -> dict[str, list[str]]:
    """Take up the running jobs of dead workers: back to READY (run again), or FAILED with the
    reason "worker died" after EGOV_JOB_MAX_ATTEMPTS attempts. Safe to run in several workers
    at once (each job is moved by one compare-and-set UPDATE). Returns the ids moved."""
    from django_tasks_db.models import DBTaskResult

    from .models_jobs import WorkerHeartbeat

    now = timezone.now()
    stale_before = now - timedelta(seconds=stale_seconds())
    live = set(WorkerHeartbeat.objects.filter(last_seen__gte=stale_before)
               .values_list("worker_id", flat=True))
    moved: dict[str, list[str]] = {"requeued": [], "failed": []}
    candidates = (DBTaskResult.objects.filter(status="RUNNING", started_at__lt=stale_before)
                  .only("id", "worker_ids", "started_at").order_by("started_at")[:limit])
    for result in candidates:
        workers = list(result.worker_ids or [])
        if workers and workers[-1] in live:
            continue  # its worker is alive: a long job, not a dead one
        same = DBTaskResult.objects.filter(pk=result.pk, status="RUNNING",
                                           started_at=result.started_at)
        if len(workers) < max_attempts():
            if same.update(status="READY"):
                moved["requeued"].append(str(result.pk))
                log.warning("job %s: worker %s died; run again (attempt %d of %d)",
                            result.pk, workers[-1:] or "?", len(workers) + 1, max_attempts())
            continue
        message = (f"{WORKER_DIED}: the worker stopped while running this job "
                   f"{len(workers)} times")
        if same.update(status="FAILED", finished_at=now, return_value=None,
                       exception_class_path=f"{__name__}.WorkerDied",
                       traceback=f"{__name__}.WorkerDied: {message}\n"):
            moved["failed"].append(str(result.pk))
            log.error("job %s failed: %s", result.pk, message)
            _send_finished(DBTaskResult.objects.get(pk=result.pk))
    WorkerHeartbeat.objects.filter(last_seen__lt=now - timedelta(days=1)).delete()
    # Rate-limit counters of windows that have ended (egov.core.throttle): purged here, on the
    # workers' periodic pass, never on the request path.
    from .throttle import purge_expired

    purge_expired(now=now)
    return moved


def _send_finished(db_result) -> None:
    from django_tasks.signals import task_finished

    try:
        task_result = db_result.task_result
        sender = type(db_result.task.get_backend())
    except Exception:  # noqa: BLE001 - a job whose task no longer exists
        log.exception("job %s: cannot load its task", db_result.pk)
        return
    task_finished.send(sender=sender, task_result=task_result)


class HeartbeatThread(threading.Thread):
    """Beats every EGOV_JOB_HEARTBEAT_SECONDS and reaps dead workers' jobs every few beats, on
    its own database connection; a lost database is logged and retried, never fatal."""

    def __init__(self, worker_id: str, queues: str) -> None:
        super().__init__(name="egov-heartbeat", daemon=True)
        self.worker_id, self.queues = worker_id, queues
        self.stopping = threading.Event()

    def run(self) -> None:
        interval = heartbeat_seconds()
        reap_every = max(1, int(stale_seconds() / interval / 2) or 1)
        beats = 0
        while not self.stopping.is_set():
            try:
                beat(self.worker_id, self.queues)
                if beats % reap_every == 0:
                    reap()
                run_periodic()
            except DatabaseError as exc:
                log.warning("heartbeat: database unavailable (%s); retrying", exc)
                _drop_connection()
            except Exception:  # noqa: BLE001 - the heartbeat must go on
                log.exception("heartbeat failed")
                _drop_connection()
            beats += 1
            self.stopping.wait(interval)
        try:
            forget(self.worker_id)
        except Exception:  # noqa: BLE001 - best effort on the way out
            pass
        finally:
            _drop_connection()

    def stop(self) -> None:
        self.stopping.set()


def _drop_connection() -> None:
    try:
        connection.close()
    except Exception:  # noqa: BLE001 - a broken connection may fail to close
        pass
