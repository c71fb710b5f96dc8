"""Helpers of the reminder tests: a March 2027 calendar with one extra day off, e-mail
addresses on the directive fixtures' people, directives with supporting sub-deadlines, and a
day-by-day run that returns what was recorded each day."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from egov.core.models import CalendarDay, User
from egov.directives.models import Directive, DirectiveReminder
from egov.directives.services import records
from egov.directives.services.records import directive_create
from egov.directives.services.reminders import remind_day

D = dt.date
HOLIDAY = D(2027, 3, 10)  # a Wednesday made a day off (as a government swap would)


def with_calendar_and_mail(drc) -> dict:
    """The extra day off, and an address for everybody in the fixtures."""
    CalendarDay.objects.create(date=HOLIDAY, kind="off", name="Nghỉ bù (thử nghiệm)")
    for user in drc.values():
        if isinstance(user, User):
            user.email = f"{user.username}@tinh.gov.vn"
            user.save(update_fields=["email"])
    return drc


def give(drc, *, due: dt.date, lead=None, support=(), title="Rà soát thủ tục hành chính",
         actor=None) -> Directive:
    """A directive given on 1 March 2027; `lead` a unit or a person; `support` a list of
    (unit, own deadline or None)."""
    lead = lead or drc["justice"]
    spec = {"user_id": lead.pk} if hasattr(lead, "username") else {"unit_id": lead.pk}
    return directive_create(
        actor=actor or drc["leader"], title=title, lead=spec, due_date=due,
        given_on=D(2027, 3, 1),
        support=[{"unit_id": u.pk, **({"due_date": own} if own else {})} for u, own in support])


def event(directive: Directive, kind: str, **fields) -> None:
    """A status-changing event as the core services write it: the row updated, then the
    event (inside one transaction)."""
    with transaction.atomic():
        if fields:
            Directive.objects.filter(pk=directive.pk).update(**fields)
        directive.refresh_from_db()
        records.event_write(directive=directive, kind=kind, actor=directive.lead_user)


def run_days(first: dt.date, last: dt.date, between=None) -> list[tuple]:
    """Run the day's reminders every day from `first` to `last` (twice each: the second run
    must record nothing); `between(day)` runs after each day. Returns (day, key, level,
    recipient's username, participant role) of every row, in order."""
    day = first
    while day <= last:
        remind_day(day)
        second = remind_day(day)
        assert (second["reminders"], second["escalations"], second["digests"]) == (0, 0, 0), day
        if between is not None:
            between(day)
        day += dt.timedelta(days=1)
    return [(r.day, r.key, r.level, r.recipient.username, r.assignee.role)
            for r in DirectiveReminder.objects.select_related("recipient", "assignee")
            .order_by("day", "level", "assignee__role", "key", "recipient__username")]

