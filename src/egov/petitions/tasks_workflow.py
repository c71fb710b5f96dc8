"""Background job of the workflow part: deadline reminders (run by `egov worker`; the workers'
periodic pass enqueues it about every hour, and `egov petitions_daily` runs it by hand)."""

from __future__ import annotations

from django_tasks import task


@task(queue_name="default")
def petitions_remind() -> dict[str, int]:
    """Remind handlers of deadlines due soon and overdue (once each; idempotent)."""
    from django.conf import settings
    from django.utils import translation

    from .services.deadlines import remind_due

    with translation.override(settings.LANGUAGE_CODE):
        return remind_due()


def enqueue_reminders() -> bool:
    """The periodic duty: quick — it only enqueues the job unless one is waiting."""
    from egov.core.jobs import enqueue_unless_pending

    return enqueue_unless_pending(petitions_remind)
