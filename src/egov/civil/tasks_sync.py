"""Background job of the national databases' sync (egov.civil.sync), run by `egov worker`:
enqueued after each registration's commit, and by the workers' periodic pass when retries fall
due."""

from __future__ import annotations

from django_tasks import task


@task(queue_name="default")
def civil_sync_push(limit: int = 500) -> dict[str, int]:
    """Push the due events, never twice; when more are due than `limit`, the next job takes
    them."""
    from . import sync

    counts = sync.push_due(limit=limit)
    if sum(counts.values()) >= limit:
        civil_sync_push.enqueue(limit)
    return counts
