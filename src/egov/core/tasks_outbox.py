"""Background job of the outbox (egov.core.outbox): send the due e-mails and SMS messages.

Queue "mail": messages to citizens are latency-sensitive (a receipt should reach the applicant
while they are still at the counter), and must never wait behind CPU-heavy batches."""

from __future__ import annotations

from django_tasks import task

from . import outbox


@task(queue_name="mail")
def outbox_send(limit: int = 200) -> dict[str, int]:
    """Send up to `limit` due messages (idempotent: a sent message is never taken again); when
    more are due, the next job or the periodic pass takes them."""
    counts = outbox.outbox_send_due(limit=limit)
    if sum(counts.values()) >= limit:
        outbox_send.enqueue(limit)
    return counts
