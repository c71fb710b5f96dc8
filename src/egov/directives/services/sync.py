"""The upward sync: status changes of directives pushed to the provincial endpoints.

- Queued in the changing transaction: a hooks subscriber (:func:`on_directive_changed`) writes
  one :class:`~egov.directives.models.SyncChange` per active
  :class:`~egov.directives.models.SyncTarget` of the directive's agency for every
  status-changing event (:data:`SYNC_KINDS`), with the idempotency key
  ``<target id>:<event id>`` — deterministic, so the same event is never queued twice — and the
  payload as of that moment. A change that rolls back queues nothing.
- Sent after the commit by a background job (egov.directives.tasks_sync; the workers' periodic
  pass enqueues it when changes are due), through the target's adapter
  (egov.directives.plugins), one change at a time, in order per directive and target: a change
  waits while an earlier one of its directive is still queued (being retried).
- Taking a change: egov.core.outbox.claim_next — on PostgreSQL ``SELECT … FOR NO KEY UPDATE
  SKIP LOCKED`` held until the outcome is written in the same transaction (two workers never
  push one change; a worker killed mid-push leaves it queued); on SQLite a compare-and-set lease
  on `next_attempt_at` (EGOV_OUTBOX_LEASE_SECONDS).
- Outcomes: received → sent; retryable (down, 5xx, timeout) → attempts + 1, `next_attempt_at`
  = now + base × 2^(attempts-1) capped, with jitter (half fixed, half random), never given up;
  refused (4xx) → failed, with the answer in `last_error` (the later changes of the directive
  go on: each payload carries the directive's whole state).
- Bound (docs/directives.md "Upward sync"): a worker killed after the endpoint received a change
  but before the commit leaves it queued, so it is pushed once more with the same
  Idempotency-Key (the receiver de-duplicates). A worker that only loses its database
  connection remembers what it pushed and marks it when the database is back
  (egov.core.outbox.mark_taken / flush_unmarked): nothing pushed twice.
"""

from __future__ import annotations

import logging
import random

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone

from egov.core import calendar
from egov.core.outbox_push import OutboxPush, exponential_backoff

from ..buckets import directive_bucket
from ..models import Directive, DirectiveEvent, Recurrence, SyncChange, SyncState, SyncTarget
from ..plugins.base import PermanentSyncError, get_adapter

log = logging.getLogger("egov.directives.sync")

# Events that change what the province sees (issue 12): given, progress, extensions,
# completion reported / accepted / returned, cancelled.
SYNC_KINDS = frozenset({
    "given", "progress", "extension_requested", "extension_approved", "extension_refused",
    "completed", "accepted", "returned", "cancelled"})
SCHEMA = "egov.directives.change/1"


# --- queuing (inside the changing transaction) ---------------------------------------------------


def sync_key(target: SyncTarget, event: DirectiveEvent) -> str:
    return f"{target.pk}:{event.pk}"


def _unit(unit) -> dict:
    return {"id": unit.pk, "code": unit.electronic_id or "", "name": unit.name}


def change_payload(directive: Directive, event: DirectiveEvent, key: str) -> dict:
    """What the endpoint receives: the event and the directive's state after it (dates ISO,
    status one of the four buckets or "cancelled", judged on the event's day)."""
    day = calendar.localtime(event.at).date()
    status = directive_bucket(directive, day) or "cancelled"
    return {
        "schema": SCHEMA,
        "idempotency_key": key,
        "sequence": event.pk,
        "event": {"id": event.pk, "kind": event.kind, "at": event.at.isoformat(),
                  "note": (event.note or "")[:2000]},
        "directive": {
            "id": directive.pk, "code": directive.code, "title": directive.title,
            "agency": _unit(directive.agency), "lead_unit": _unit(directive.lead_unit),
            "priority": directive.priority, "source_kind": directive.source_kind,
            "source_text": directive.source_text,
            "given_on": _iso(directive.given_on), "due_date": _iso(directive.due_date),
            "original_due_date": _iso(directive.original_due_date),
            "judged_due_date": _iso(directive.judged_due_date),
            "state": directive.state, "status": status, "progress": directive.progress,
            "submitted_on": _iso(directive.submitted_on), "done_on": _iso(directive.done_on),
            "period_start": _iso(directive.period_start),
        },
    }


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def on_directive_changed(*, directive: Directive, event: DirectiveEvent) -> list[SyncChange]:
    """The hooks subscriber: queue the change for every active endpoint of the agency. Not for
    sub-directives (the lead's own split of the work) nor recurring templates (their periods
    are directives of their own)."""
    if event.kind not in SYNC_KINDS or directive.parent_id is not None \
            or directive.recurrence != Recurrence.NONE:
        return []
    targets = list(SyncTarget.objects.filter(agency_id=directive.agency_id, active=True)
                   .order_by("id"))
    if not targets:
        return []
    directive = Directive.objects.select_related("agency", "lead_unit").get(pk=directive.pk)
    rows = []
    for target in targets:
        key = sync_key(target, event)
        rows.append(SyncChange(target=target, directive=directive, event=event,
                               idempotency_key=key, payload=change_payload(directive, event, key),
                               created_at=event.at, next_attempt_at=timezone.now()))
    SyncChange.objects.bulk_create(rows, ignore_conflicts=True)
    QUEUE.kick_after_commit()
    return rows


# --- pushing (the background job) ----------------------------------------------------------------


def backoff_seconds(attempts: int, *, rand: random.Random | None = None) -> float:
    """The wait after the `attempts`-th failed push: d = base × 2^(attempts-1) capped, then
    "equal jitter" — d/2 + a random part up to d/2 — so endpoints coming back are not hit by
    every worker at once."""
    return exponential_backoff(
        attempts, base=float(getattr(settings, "EGOV_DIRECTIVES_SYNC_BACKOFF_SECONDS", 30)),
        cap=float(getattr(settings, "EGOV_DIRECTIVES_SYNC_BACKOFF_MAX_SECONDS", 3600)),
        jitter=True, rand=rand)


def _due(now):
    """Queued changes that are due, of active targets, with no earlier queued change of their
    directive and target; fresh ones before those retried (their next attempt is later)."""
    earlier = SyncChange.objects.filter(
        target_id=OuterRef("target_id"), directive_id=OuterRef("directive_id"),
        state=SyncState.QUEUED, id__lt=OuterRef("id"))
    return (SyncChange.objects.filter(state=SyncState.QUEUED, next_attempt_at__lte=now,
                                      target__active=True)
            .exclude(Exists(earlier)).order_by("next_attempt_at", "id"))


QUEUE = OutboxPush(model=SyncChange, task="egov.directives.tasks_sync.directives_sync_push",
                   due=_due, refused=PermanentSyncError,
                   backoff=lambda n: backoff_seconds(n), name="directive sync", log=log,
                   key_field="idempotency_key")


def push_due(*, limit: int = 500, now=None) -> dict[str, int]:
    """Push up to `limit` due changes, each marked in the transaction in which it was taken
    (egov.core.outbox_push). A target that fails is not tried again in this run (its later
    changes wait). Returns counts by outcome."""
    targets: dict[int, SyncTarget] = {}

    def push(row: SyncChange) -> None:
        if row.target_id not in targets:
            targets[row.target_id] = SyncTarget.objects.get(pk=row.target_id)
        target = targets[row.target_id]
        get_adapter(target.adapter).push(target, row)

    return QUEUE.push_due(push, limit=limit, now=now, group="target_id")


def sync_sweep() -> bool:
    """The periodic pass: enqueue a push job when changes are due and none is waiting."""
    return QUEUE.sweep()
