"""The outbox push: a module's queue of changes pushed to an outside system, never twice.

The modules' sync queues (egov.civil.sync to the national civil-registry databases,
egov.onestop.national to the national public-service portal, egov.directives.services.sync to
the provincial endpoints) work alike, and this is the one place that says how:

- A change is queued as a row inside the transaction that made it (so a change that rolls back
  queues nothing and one that commits loses nothing) and the push job is enqueued once per
  transaction, after its commit (:meth:`OutboxPush.kick_after_commit`); the workers' periodic
  pass enqueues it too when retries fall due (:meth:`OutboxPush.sweep`).
- The job (:meth:`OutboxPush.push_due`) takes the due rows one at a time with
  egov.core.outbox.claim_next (PostgreSQL: FOR NO KEY UPDATE SKIP LOCKED, held until the
  outcome is written; SQLite: a lease) and hands each to the module's adapter call; the
  outcome is written with mark_taken (a lost connection remembers it: flush_unmarked, first
  thing in the next run).
- Outcomes: the adapter's call returned → sent; it raised one of the module's "refused"
  errors → failed (the same payload cannot succeed); anything else (down, timed out, a broken
  plugin) → attempts + 1 and the next attempt after an exponential backoff, never given up.
  After a retry the run stops (the outside system is down), or, for a queue with several
  destinations (`group`), skips only that destination's rows.

The row model has the fields `state` ("queued", "sent", "failed"), `attempts`, `last_error`,
`next_attempt_at`, `sent_at` and the idempotency key (`key_field`) the adapter sends along, so
that a worker killed after the outside system took a push but before the commit pushes the same
key again and the receiver de-duplicates.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string

from .outbox import claim_next, exponential_backoff, flush_unmarked, mark_taken

__all__ = ["OutboxPush", "exponential_backoff"]


class OutboxPush:
    """One module's push queue.

    - `model`: the row model (see the module docstring for its fields).
    - `task`: the dotted path of the push job (a django-tasks task taking no argument but an
      optional limit), imported when it is enqueued (the job's module imports the caller).
    - `due(now)`: the queued rows that are due, in the order to push them.
    - `refused`: the exception class(es) of the adapter meaning "refused for good".
    - `backoff(attempts)`: seconds to wait after the `attempts`-th failure.
    - `name`: how log lines call the queue ("civil sync"); `log`: the module's logger.
    - `key_field`: the row's idempotency key field, for the log lines.
    """

    def __init__(self, *, model: type[Model], task: str, due: Callable[..., QuerySet],
                 refused: type[BaseException] | tuple[type[BaseException], ...],
                 backoff: Callable[[int], float], name: str, log: logging.Logger,
                 key_field: str = "key") -> None:
        self.model, self.task_path, self.due = model, task, due
        self.refused, self.backoff, self.name, self.log = refused, backoff, name, log
        self.key_field = key_field

        def kick() -> None:
            try:
                import_string(self.task_path).enqueue()
            except Exception:  # noqa: BLE001 - the periodic pass pushes it later
                self.log.exception("%s: cannot enqueue the push job", self.name)

        # One function per queue, kept: kick_after_commit recognises it among the callbacks.
        self.kick = kick

    # --- queuing (inside the changing transaction) -----------------------------------------------

    def kick_after_commit(self) -> None:
        """Enqueue the push job after the current transaction commits, once per transaction."""
        conn = transaction.get_connection()
        if not any(entry[1] is self.kick for entry in conn.run_on_commit):
            transaction.on_commit(self.kick)

    def sweep(self) -> bool:
        """The periodic pass: enqueue a push job when rows are due and none is waiting."""
        if not self.due(timezone.now()).exists():
            return False
        from . import jobs

        return jobs.enqueue_unless_pending(import_string(self.task_path))

    # --- pushing (the background job) ------------------------------------------------------------

    def push_due(self, push: Callable[[Model], dict | None], *, limit: int = 500, now=None,
                 group: str | None = None,
                 on_flushed: Callable[[int], object] | None = None,
                 on_sent: Callable[[Model, dict], object] | None = None) -> dict[str, int]:
        """Push up to `limit` due rows, one at a time, each marked in the transaction that
        took it; returns counts by outcome ("sent", "retry", "failed").

        `push(row)` is the adapter's call: it returns the row's extra fields to write when sent
        (or None) and raises on failure. `group`: a field naming the row's destination — a
        destination that failed is skipped for the rest of the run (without it the run stops
        at the first retry). `on_flushed(n)` runs after outcomes lost with a connection were
        written; `on_sent(row, fields)` runs in the transaction that marks a row sent."""
        flushed = flush_unmarked(self.model)  # pushed before the connection was lost
        if flushed and on_flushed is not None:
            on_flushed(flushed)
        counts = {"sent": 0, "retry": 0, "failed": 0}
        down: set = set()
        for _n in range(limit):
            at = now or timezone.now()
            rows = self.due(at)
            if group is not None and down:
                rows = rows.exclude(**{f"{group}__in": down})
            with claim_next(rows, now=at) as row:
                if row is None:
                    break
                outcome = self._push(push, row, at, on_sent)
            counts[outcome] += 1
            if outcome == "retry":
                if group is None:
                    break  # the outside system is down: the next run tries again
                down.add(getattr(row, group))
        if any(counts.values()):
            self.log.info("%s: %s", self.name, counts)
        return counts

    def _push(self, push, row, now, on_sent) -> str:
        def mark(**fields) -> None:
            mark_taken(self.model, row.pk, **fields)

        key = getattr(row, self.key_field)
        attempts = row.attempts + 1
        try:
            fields = push(row) or {}
        except self.refused as exc:
            mark(state="failed", attempts=attempts, last_error=str(exc)[:2000])
            self.log.error("%s %s refused: %s", self.name, key, exc)
            return "failed"
        except Exception as exc:  # noqa: BLE001 - down, timed out, a broken plugin: retry later
            delay = self.backoff(attempts)
            mark(attempts=attempts, last_error=f"{type(exc).__name__}: {exc}"[:2000],
                 next_attempt_at=now + timedelta(seconds=delay))
            self.log.warning("%s %s: attempt %d failed (%s); retry in %.0f s", self.name, key,
                             attempts, exc, delay)
            return "retry"
        # The mark is the first statement after the push (no savepoint before it): a
        # connection lost here is remembered by mark_taken and written when the database is
        # back. What `on_sent` writes goes in the same transaction (PostgreSQL: claim_next's;
        # SQLite: one opened here).
        in_claim = on_sent is None or transaction.get_connection().in_atomic_block
        with contextlib.nullcontext() if in_claim else transaction.atomic():
            mark(state="sent", sent_at=timezone.now(), attempts=attempts, last_error="",
                 **fields)
            if on_sent is not None:
                on_sent(row, fields)
        return "sent"
