"""Background job of the directive reminders (egov.directives.services.reminders), run by
`egov worker`: the workers' periodic pass enqueues it once a working day, from
EGOV_DIRECTIVES_REMIND_AT local time; `egov directives_daily` runs the same by hand or from
cron. Idempotent: a job run again after its worker died records and sends nothing twice."""

from __future__ import annotations

import datetime as dt

from django_tasks import task


@task(queue_name="default")
def directives_remind(day: str | None = None) -> dict[str, int]:
    """The reminders, escalations and digests of `day` (ISO date; today by default)."""
    from django.conf import settings
    from django.utils import translation

    from .services.reminders import remind_day

    with translation.override(settings.LANGUAGE_CODE):
        return remind_day(dt.date.fromisoformat(day) if day else None)


def _remind_at() -> dt.time:
    from django.conf import settings

    try:
        return dt.time.fromisoformat(getattr(settings, "EGOV_DIRECTIVES_REMIND_AT", "07:00"))
    except ValueError:
        return dt.time(7, 0)


def daily_sweep(now: dt.datetime | None = None) -> bool:
    """The periodic duty (quick): on a working day from the reminder time, enqueue the day's
    job unless one was enqueued today already and has not failed (a failed one is tried again
    on the next pass)."""
    from django.conf import settings
    from django.utils import timezone

    from egov.core import calendar

    local = calendar.localtime(now or timezone.now())
    if not calendar.is_working_day(local.date()) or local.time() < _remind_at():
        return False
    if "django_tasks_db" in str(settings.TASKS.get("default", {}).get("BACKEND", "")):
        from django_tasks_db.models import DBTaskResult

        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        if DBTaskResult.objects.filter(task_path=directives_remind.module_path,
                                       enqueued_at__gte=midnight).exclude(
                status="FAILED").exists():
            return False
    directives_remind.enqueue(local.date().isoformat())
    return True
