"""Background job of the upward sync (egov.directives.services.sync), run by `egov worker`:
enqueued after each transaction that queued changes, and by the workers' periodic pass when
retries fall due."""

from __future__ import annotations

from django_tasks import task


@task(queue_name="default")
def directives_sync_push(limit: int = 500) -> dict[str, int]:
    """Push the due changes, in order per directive, never twice; when more are due than
    `limit`, the next job takes them."""
    from .services import sync

    counts = sync.push_due(limit=limit)
    if sum(counts.values()) >= limit:
        directives_sync_push.enqueue(limit)
    return counts
