"""Background job of the audit trail: a checkpoint of the chain's head, RFC 3161-timestamped
(audit_log enqueues it when a timestamp authority is configured, so no request waits for it)."""

from __future__ import annotations

from django.conf import settings
from django_tasks import task

from . import audit_checkpoints


@task(queue_name="default")
def audit_checkpoint() -> int:
    """Write a checkpoint unless another process wrote one within the interval meanwhile;
    returns the checkpointed seq, or -1 when none was needed."""
    interval = getattr(settings, "EGOV_AUDIT_CHECKPOINT_SECONDS", 0)
    age = audit_checkpoints.newest_age_seconds()
    if interval > 0 and age is not None and 0 <= age < interval / 2:
        return -1
    return audit_checkpoints.write_checkpoint().seq
