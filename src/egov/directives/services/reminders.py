"""Reminders of directive deadlines, their escalation, and one daily digest e-mail per person.

What a day's run (:func:`remind_day`) does, on a working day only (egov.core.calendar: weekends,
holidays and swapped days off have no reminders; a make-up Saturday has):

- Before the deadline: 7, 3 and 1 working days before it (EGOV_DIRECTIVES_REMIND_DAYS), the
  lead — the lead person, or the holders of `directives.handle` on the lead unit — and each
  supporting participant against its own sub-deadline (the directive's when it has none). The
  deadline is the one the status is judged against (`judged_due_date`: a deadline on a day off
  ends on the next working day, BLDS 2015 Art.148.5). Each threshold is a window: "before:3"
  is sent once while 1 < days left ≤ 3, so a day the job did not run is caught up, never
  sent twice, and a directive given with 5 days left gets one "7 days" reminder, not two.
- When overdue (judged deadline passed, still open): every working day ("overdue:<date>").
- Escalation: a reminder of the lead that goes unanswered — no progress report, extension
  request or completion report by the lead since it was sent — goes to the head of the lead
  unit (`directives.assign` on it, level 1) after EGOV_DIRECTIVES_ESCALATE_AFTER_DAYS working
  days and to the giver (level 2) after twice as many. One chain per unanswered stretch: the
  oldest unanswered reminder is escalated (its key), later ones only wait with it; an answer
  closes them all and the next reminder starts a new chain. People who received the reminder
  itself are not sent its escalation.

Every reminder and escalation is a :class:`~egov.directives.models.DirectiveReminder` row
(unique on directive, participant, key, level, recipient) written in one transaction per
directive with its in-app notification (core notifications, no e-mail of their own): a re-run,
a resumed run after a crash, or two workers at once record and notify nothing twice.

Then the digest: each person with rows of the day gets ONE e-mail (core outbox, key
``directives:digest:<user>:<day>``, template ``directives.digest``) listing them all. A digest
is queued once the day's reminders of every directive are recorded, so a run cut off half-way
e-mails nothing until the re-run has recorded the rest. Bound: a reminder recorded after that
person's digest went out the same day (a directive given or extended later that day and the
periodic pass running again) is in the inbox only.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_noop as N_

from egov.core import calendar, jobs
from egov.core.errors import InvalidInput
from egov.core.models import User
from egov.core.msgtext import Msg
from egov.core.notifications import notify
from egov.core.outbox import outbox_enqueue
from egov.documents.selectors.outgoing import action_holders

from ..models import (
    AssigneeRole,
    Directive,
    DirectiveAssignee,
    DirectiveEvent,
    DirectiveReminder,
    DirectiveState,
    ReminderLevel,
)
from ..selectors.access import ASSIGN, HANDLE
from .records import judged_deadline

log = logging.getLogger("egov.directives.reminders")

MODULE = "directives"
DIGEST_TEMPLATE = "directives.digest"
# What answers a reminder of the lead (event kinds written by the core services).
ANSWER_KINDS = ("progress", "extension_requested", "completed")
BATCH = 500


# --- settings -------------------------------------------------------------------------------------


def remind_days() -> list[int]:
    """The thresholds in working days before the deadline, largest first (7, 3, 1)."""
    raw = getattr(settings, "EGOV_DIRECTIVES_REMIND_DAYS", "7,3,1")
    days = raw if isinstance(raw, (list, tuple)) else str(raw).split(",")
    return sorted({int(d) for d in days if str(d).strip()}, reverse=True) or [1]


def escalate_after() -> int:
    return max(1, int(getattr(settings, "EGOV_DIRECTIVES_ESCALATE_AFTER_DAYS", 2)))


def before_key(days_left: int) -> str | None:
    """The window `days_left` falls in: the smallest threshold ≥ it ("before:3" for 2 or 3)."""
    fitting = [t for t in remind_days() if days_left <= t]
    return f"before:{min(fitting)}" if fitting else None


def directive_url(directive_id: int) -> str:
    try:
        return reverse("directives:detail", kwargs={"pk": directive_id})
    except NoReverseMatch:
        return f"/directives/{directive_id}/"


def _day(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


# --- who -----------------------------------------------------------------------------------------


class _People:
    """Recipients by unit, looked up once per run."""

    def __init__(self) -> None:
        self._handlers: dict[int, list[User]] = {}
        self._heads: dict[int, list[User]] = {}

    def handlers(self, unit) -> list[User]:
        if unit.pk not in self._handlers:
            self._handlers[unit.pk] = action_holders(HANDLE, unit)
        return self._handlers[unit.pk]

    def heads(self, unit) -> list[User]:
        if unit.pk not in self._heads:
            self._heads[unit.pk] = action_holders(ASSIGN, unit)
        return self._heads[unit.pk]

    def of(self, row: DirectiveAssignee) -> list[User]:
        """The person of a participant row, or the handlers of its unit."""
        if row.user_id is not None:
            return [row.user] if row.user.is_active else []
        return self.handlers(row.unit)


# --- the day's run -------------------------------------------------------------------------------


def remind_day(day: dt.date | None = None) -> dict[str, int]:
    """Record and send the reminders and escalations of `day` (today by default), then queue
    the digests. Idempotent. Returns counts: reminders, escalations, digests (new ones)."""
    day = day or timezone.localdate()
    counts = {"reminders": 0, "escalations": 0, "digests": 0, "day_off": 0}
    if not calendar.is_working_day(day):
        counts["day_off"] = 1
        return counts
    people = _People()
    horizon = calendar.add_working_days(day, max(remind_days()))
    for directive_id in _candidates(day, horizon):
        made = _remind_directive(directive_id, day, people)
        counts["reminders"] += made[0]
        counts["escalations"] += made[1]
        jobs.step_pause()
    counts["digests"] = digests_queue(day)
    if counts["reminders"] or counts["escalations"] or counts["digests"]:
        log.info("directive reminders %s: %s", day, counts)
    return counts


def _candidates(day: dt.date, horizon: dt.date) -> list[int]:
    """Open directives whose deadline or a supporting sub-deadline falls before `horizon`, or
    with an unanswered reminder (escalation), in id order."""
    open_q = Q(state=DirectiveState.OPEN)
    lead = Directive.objects.filter(open_q, judged_due_date__lte=horizon).values_list(
        "id", flat=True)
    support = (DirectiveAssignee.objects
               .filter(role=AssigneeRole.SUPPORT, directive__state=DirectiveState.OPEN,
                       done_on__isnull=True, progress__lt=100)
               .annotate(own=Coalesce("due_date", F("directive__due_date")))
               .filter(own__lte=horizon).values_list("directive_id", flat=True))
    waiting = (DirectiveReminder.objects
               .filter(level=ReminderLevel.ASSIGNEE, answered_at__isnull=True,
                       directive__state=DirectiveState.OPEN)
               .values_list("directive_id", flat=True))
    return sorted(set(lead) | set(support) | set(waiting))


def _wanted(directive: Directive, rows: list[DirectiveAssignee], day: dt.date,
            people: _People) -> list[tuple[DirectiveAssignee, str, list[User]]]:
    """(participant row, key, recipients) of the reminders due on `day`."""
    out = []
    for row in rows:
        if row.role == AssigneeRole.LEAD:
            judged = directive.judged_due_date
        elif row.role == AssigneeRole.SUPPORT and row.done_on is None and row.progress < 100:
            judged = judged_deadline(row.due_date) if row.due_date else directive.judged_due_date
        else:
            continue
        if judged is None:
            continue
        if day > judged:
            key = f"overdue:{day.isoformat()}"
        else:
            key = before_key(calendar.working_days_between(day, judged))
        if key is None:
            continue
        users = people.of(row)
        if users:
            out.append((row, key, users))
    return out


def _remind_directive(directive_id: int, day: dt.date, people: _People) -> tuple[int, int]:
    """One directive's reminders and escalations of the day, in one transaction (the row lock
    serialises two runs; the unique key stops the second one on SQLite). (reminders, escalations)
    newly recorded."""
    try:
        with transaction.atomic():
            directive = (Directive.objects.select_for_update(no_key=True, of=("self",))
                         .select_related("lead_unit", "given_by").filter(pk=directive_id)
                         .first())
            if directive is None or directive.state != DirectiveState.OPEN:
                return 0, 0
            rows = list(directive.assignees.select_related("unit", "user")
                        .exclude(role=AssigneeRole.INFORM).order_by("id"))
            done = set(DirectiveReminder.objects.filter(directive=directive).values_list(
                "assignee_id", "key", "level", "recipient_id"))
            new: list[DirectiveReminder] = []
            for row, key, users in _wanted(directive, rows, day, people):
                for user in users:
                    if (row.pk, key, ReminderLevel.ASSIGNEE, user.pk) not in done:
                        new.append(DirectiveReminder(directive=directive, assignee=row, key=key,
                                                     level=ReminderLevel.ASSIGNEE,
                                                     recipient=user, day=day))
            lead = next((r for r in rows if r.role == AssigneeRole.LEAD), None)
            escalations = _escalations(directive, lead, day, people, done) if lead else []
            if not new and not escalations:
                return 0, 0
            DirectiveReminder.objects.bulk_create(new + escalations)
            for reminder in new + escalations:
                _notify(directive, reminder, day)
        return len(new), len(escalations)
    except IntegrityError:
        # Another run recorded this directive's reminders meanwhile (SQLite: no row lock).
        log.info("directive %s: reminders recorded by another run", directive_id)
        return 0, 0


def _escalations(directive: Directive, lead: DirectiveAssignee, day: dt.date, people: _People,
                 done: set) -> list[DirectiveReminder]:
    """Mark the lead's reminders answered since; escalate the oldest unanswered one."""
    waiting = DirectiveReminder.objects.filter(directive=directive, assignee=lead,
                                               level=ReminderLevel.ASSIGNEE,
                                               answered_at__isnull=True)
    answer = DirectiveEvent.objects.filter(directive=directive, kind__in=ANSWER_KINDS).aggregate(
        at=Max("at"))["at"]
    if answer is not None:
        waiting.filter(created_at__lt=answer).update(answered_at=answer)
    oldest = waiting.filter(day__lt=day).order_by("day", "id").first()
    if oldest is None:
        return []
    reminded = set(DirectiveReminder.objects.filter(
        directive=directive, assignee=lead, key=oldest.key,
        level=ReminderLevel.ASSIGNEE).values_list("recipient_id", flat=True))
    waited = calendar.working_days_between(oldest.day, day)
    n = escalate_after()
    levels = []
    if waited >= n:
        levels.append((ReminderLevel.UNIT_HEAD, people.heads(directive.lead_unit)))
    if waited >= 2 * n:
        giver = directive.given_by
        levels.append((ReminderLevel.GIVER, [giver] if giver.is_active else []))
    out = []
    for level, users in levels:
        for user in users:
            if user.pk in reminded or (lead.pk, oldest.key, level, user.pk) in done:
                continue
            out.append(DirectiveReminder(directive=directive, assignee=lead, key=oldest.key,
                                         level=level, recipient=user, day=day))
    return out


def _notify(directive: Directive, reminder: DirectiveReminder, day: dt.date) -> None:
    """The in-app notification of one reminder (its e-mail is the day's digest)."""
    if reminder.level != ReminderLevel.ASSIGNEE:
        subject = Msg(N_("Directive %(code)s: the lead has not answered the reminder of "
                         "%(date)s"), code=directive.code, date=_day(reminder_day(reminder)))
    elif reminder.key.startswith("overdue:"):
        subject = Msg(N_("Directive %(code)s is overdue (deadline %(date)s)"),
                      code=directive.code, date=_day(due_of(directive, reminder.assignee)))
    else:
        subject = Msg(N_("Directive %(code)s is due on %(date)s"), code=directive.code,
                      date=_day(due_of(directive, reminder.assignee)))
    notify(users=[reminder.recipient], subject=subject, body=directive.title[:500],
           url=directive_url(directive.pk), email=False)


def due_of(directive: Directive, row: DirectiveAssignee | None) -> dt.date | None:
    """The deadline a participant is reminded of (its own sub-deadline for support)."""
    if row is not None and row.role == AssigneeRole.SUPPORT and row.due_date:
        return judged_deadline(row.due_date)
    return directive.judged_due_date


def reminder_day(reminder: DirectiveReminder) -> dt.date:
    """The day the reminder an escalation is about was sent (its key names it for overdue
    ones; before-deadline keys are looked up)."""
    if reminder.key.startswith("overdue:"):
        return dt.date.fromisoformat(reminder.key.split(":", 1)[1])
    first = (DirectiveReminder.objects.filter(directive_id=reminder.directive_id,
                                              assignee_id=reminder.assignee_id, key=reminder.key,
                                              level=ReminderLevel.ASSIGNEE)
             .order_by("day").values_list("day", flat=True).first())
    return first or reminder.day


# --- the digest ----------------------------------------------------------------------------------


def digest_key(user_id: int, day: dt.date) -> str:
    return f"directives:digest:{user_id}:{day.isoformat()}"


def digest_items(rows: list[DirectiveReminder], day: dt.date) -> list[dict]:
    """The lines of one person's digest, most urgent first: escalations, overdue, due soon."""
    items = []
    for r in rows:
        d = r.directive
        due = due_of(d, r.assignee)
        if r.level != ReminderLevel.ASSIGNEE:
            kind, days = "escalation", 0
        elif r.key.startswith("overdue:"):
            kind, days = "overdue", calendar.working_days_between(due, day) if due else 0
        else:
            kind, days = "before", calendar.working_days_between(day, due) if due else 0
        items.append({
            "kind": kind, "days": days, "level": int(r.level), "code": d.code,
            "title": d.title[:200], "due": _day(due), "due_iso": due.isoformat() if due else "",
            "lead": d.lead_unit.name,
            "role": "support" if r.assignee and r.assignee.role == AssigneeRole.SUPPORT
            else "lead", "since": _day(reminder_day(r)) if kind == "escalation" else "",
            "url": f"{getattr(settings, 'EGOV_SITE_URL', '')}{directive_url(d.pk)}",
        })
    order = {"escalation": 0, "overdue": 1, "before": 2}
    items.sort(key=lambda i: (order[i["kind"]], -i["level"], i["due_iso"], i["code"]))
    return items


def digests_queue(day: dt.date) -> int:
    """One digest e-mail per person with reminders or escalations recorded for `day` (core
    outbox; its unique key makes a second call queue nothing). Returns how many were new."""
    from egov.core.models_outbox import OutboundMessage

    recipients = list(DirectiveReminder.objects.filter(day=day)
                      .values_list("recipient_id", flat=True).distinct().order_by("recipient_id"))
    queued = set(OutboundMessage.objects.filter(
        key__in=[digest_key(pk, day) for pk in recipients]).values_list("key", flat=True))
    new = 0
    for user_id in recipients:
        key = digest_key(user_id, day)
        if key in queued:
            continue
        user = User.objects.filter(pk=user_id, is_active=True).first()
        if user is None or not user.email:
            continue
        rows = list(DirectiveReminder.objects.filter(day=day, recipient_id=user_id)
                    .select_related("directive", "directive__lead_unit", "assignee")
                    .order_by("id"))
        items = digest_items(rows, day)
        context = {"name": user.full_name or user.username, "date": _day(day),
                   "count": len(items), "items": items}
        try:
            with transaction.atomic():
                outbox_enqueue(key=key, channel="email", to=user.email,
                               template=DIGEST_TEMPLATE, context=context, language="vi",
                               module=MODULE, subject=("core.user", user_id))
            new += 1
        except InvalidInput:
            log.warning("directive digest: user %s has no valid e-mail address", user_id)
        jobs.step_pause()
    return new

