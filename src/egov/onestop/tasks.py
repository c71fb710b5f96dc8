"""Background jobs of the one-stop desk (run by `egov worker`)."""

from __future__ import annotations

from django_tasks import task

from . import national


@task(queue_name="default")
def national_push(limit: int = 500) -> dict[str, int]:
    """Push the due changes to the national portal, in order per dossier, never twice
    (egov.onestop.national); when more are due, the next job or the periodic pass takes them."""
    counts = national.national_push_due(limit=limit)
    if sum(counts.values()) >= limit:
        national_push.enqueue(limit)
    return counts
