"""Recurring directives (báo cáo định kỳ: monthly / quarterly reports; documents.md §19).

A recurring directive is a template (`recurrence` monthly or quarterly, `recurrence_day`,
optional `recurrence_until`); it is never counted itself (buckets.countable_q). Each period gets
one occurrence: a directive with `series` = the template, `period_start`, the same lead and
participants, due `recurrence_day` days after the period ends (e.g. the monthly report of
December due on 5 January). :func:`recurring_open_due` opens every period that has begun and has
no occurrence yet (periods missed while the job did not run are opened too, back to the
template's first period, at most `MAX_CATCH_UP` periods); the unique constraint
`directive_one_per_period` and the template's row lock make re-runs and concurrent runs safe.

The daily command of the reminders part calls `recurring_open_due(today)`; the workers also run
it hourly (apps.py: `jobs.every` enqueues the job below unless one is waiting).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from egov.core.audit import audit_log

from ..models import (
    AssigneeRole,
    Directive,
    DirectiveAssignee,
    DirectiveState,
    Recurrence,
)
from . import records

log = logging.getLogger(__name__)

MAX_CATCH_UP = 24
MONTHS = {Recurrence.MONTHLY: 1, Recurrence.QUARTERLY: 3}


def period_start_of(recurrence: str, day: dt.date) -> dt.date:
    """The first day of the period (month or quarter) holding `day`."""
    if recurrence == Recurrence.QUARTERLY:
        return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return dt.date(day.year, day.month, 1)


def _add_months(day: dt.date, months: int) -> dt.date:
    m = day.month - 1 + months
    return dt.date(day.year + m // 12, m % 12 + 1, 1)


def period_end_of(recurrence: str, start: dt.date) -> dt.date:
    return _add_months(start, MONTHS[recurrence]) - dt.timedelta(days=1)


def period_due(template: Directive, start: dt.date) -> dt.date:
    return period_end_of(template.recurrence, start) + dt.timedelta(
        days=template.recurrence_day or 0)


def period_label(recurrence: str, start: dt.date) -> str:
    """The period as written in a Vietnamese report's title (data, not an interface text)."""
    if recurrence == Recurrence.QUARTERLY:
        return f"quý {(start.month - 1) // 3 + 1}/{start.year}"
    return f"tháng {start.month:02d}/{start.year}"


def periods_due(template: Directive, today: dt.date) -> list[dt.date]:
    """The starts of the periods begun by `today` (from the template's first period, within
    `recurrence_until`), newest last."""
    step = MONTHS.get(template.recurrence)
    if step is None:
        return []
    first = period_start_of(template.recurrence, template.given_on)
    current = period_start_of(template.recurrence, today)
    out: list[dt.date] = []
    start = current
    while start >= first and len(out) < MAX_CATCH_UP:
        if template.recurrence_until is None or start <= template.recurrence_until:
            out.append(start)
        start = _add_months(start, -step)
    return sorted(out)


def templates_q(today: dt.date) -> Q:
    return (Q(recurrence__in=list(MONTHS), state=DirectiveState.OPEN, series__isnull=True)
            & (Q(recurrence_until__isnull=True) | Q(recurrence_until__gte=_add_months(
                period_start_of(Recurrence.QUARTERLY, today), -3 * MAX_CATCH_UP))))


def period_open(template: Directive, start: dt.date) -> Directive | None:
    """Open one period of a recurring directive; None when it exists already (or the template
    is no longer open). Its own transaction: the template row locked, the occurrence, its
    participants, the event "period_opened" and the audit row."""
    try:
        with transaction.atomic():
            t = records.lock(template.pk)
            if t.state != DirectiveState.OPEN or t.recurrence not in MONTHS:
                return None
            if Directive.objects.filter(series=t, period_start=start).exists():
                return None
            due = period_due(t, start)
            given = max(start, t.given_on)
            d = Directive.objects.create(
                agency=t.agency, code=records.allocate_code(t.agency, given), series=t,
                period_start=start, title=f"{t.title} — {period_label(t.recurrence, start)}"[:500],
                content=t.content, guidance=t.guidance, source_kind=t.source_kind,
                source_incoming_id=t.source_incoming_id, source_outgoing_id=t.source_outgoing_id,
                source_text=t.source_text, given_by_id=t.given_by_id, given_on=given,
                lead_unit=t.lead_unit, lead_user_id=t.lead_user_id, priority=t.priority,
                recurrence=Recurrence.NONE, due_date=due, original_due_date=due,
                judged_due_date=records.judged_deadline(due),
            )
            DirectiveAssignee.objects.bulk_create([
                DirectiveAssignee(directive=d, role=a.role, unit_id=a.unit_id, user_id=a.user_id,
                                  due_date=due if a.role == AssigneeRole.LEAD else None)
                for a in t.assignees.order_by("id")])
            details = {"series": t.pk, "period_start": start, "due_date": due}
            records.event_write(directive=d, kind="period_opened", details=details)
            audit_log(actor=None, action="directive.period_open", obj=d,
                      details={**details, "code": d.code})
            return d
    except IntegrityError:  # another run opened it between our check and insert
        if Directive.objects.filter(series_id=template.pk, period_start=start).exists():
            return None
        raise


def recurring_open_due(today: dt.date | None = None) -> list[Directive]:
    """Open every period begun by `today` that has no occurrence yet; idempotent."""
    today = today or timezone.localdate()
    templates = list(Directive.objects.filter(templates_q(today)).order_by("id"))
    if not templates:
        return []
    have = set(Directive.objects.filter(series__in=templates)
               .values_list("series_id", "period_start"))
    opened: list[Directive] = []
    for t in templates:
        for start in periods_due(t, today):
            if (t.pk, start) in have:
                continue
            d = period_open(t, start)
            if d is not None:
                opened.append(d)
    if opened:
        log.info("directives: %d recurring period(s) opened", len(opened))
    return opened


@task(queue_name="default")
def directives_recurring() -> int:
    """The job: open the recurring directives' periods due today."""
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        return len(recurring_open_due(timezone.localdate()))


def enqueue_recurring() -> bool:
    """The workers' periodic duty (quick: it only enqueues the job unless one is waiting)."""
    from egov.core.jobs import enqueue_unless_pending

    return enqueue_unless_pending(directives_recurring)
