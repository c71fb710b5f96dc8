"""Statutory deadlines of a petition: the rule in force picked from the `DeadlineRule` rows
(egov.petitions.rules), the due time from the calendar kernel, a `PetitionDeadline` row and a
core work item (module "petitions") for whoever has the petition; closed when the step is done
and judged on time / late. Reminders before the deadline and when it is overdue go to the inbox
and by e-mail (as the documents module's warnings: once each, recorded in the audit trail).

All functions except `remind_due` run inside the caller's transaction, on a locked petition,
and write no audit event themselves (the calling service's audit call comes last).
"""

from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_noop as N_

from egov.core import calendar
from egov.core.audit import audit_log
from egov.core.models import WorkItem, WorkRole, WorkState
from egov.core.msgtext import Msg, stored

from .. import rules
from ..models import DeadlineRule, Petition, PetitionDeadline

MODULE = "petitions"
STEP_TITLES = {
    rules.PROCESSING: N_("Process the petition %(code)s"),
    rules.ACCEPTANCE: N_("Decide on accepting the complaint %(code)s"),
    rules.FORWARD: N_("Forward the denunciation %(code)s"),
    rules.RESOLUTION: N_("Resolve the petition %(code)s"),
}
REMIND_ACTION = "petitions.deadline.remind"


def petition_url(petition: Petition) -> str:
    try:
        return reverse("petitions:petition", kwargs={"pk": petition.pk})
    except NoReverseMatch:
        return f"/petitions/{petition.pk}/"


def rule_for(petition: Petition, step: str, day: dt.date) -> DeadlineRule | None:
    """The most specific rule of `step` in force on `day` for the petition's facts."""
    candidates = DeadlineRule.objects.filter(step=step, effective_from__lte=day)
    return rules.pick(candidates, rules.Facts.of(petition), day)


def _assignee(petition: Petition) -> dict:
    if petition.handler_id:
        return {"assignee_user_id": petition.handler_id, "assignee_unit_id": None}
    return {"assignee_user_id": None,
            "assignee_unit_id": petition.handling_unit_id or petition.agency_id}


def deadline_start(petition: Petition, step: str, start: dt.datetime, actor=None, *,
                   rule: DeadlineRule | None = None) -> PetitionDeadline | None:
    """Start `step` for the petition at `start`: the rule in force on the start day (or `rule`),
    the due time, the row and its work item. None when no rule applies (e.g. a proposal has no
    statutory thụ lý). A step already open is returned as it is."""
    existing = petition.deadlines.filter(step=step, done_at__isnull=True).first()
    if existing is not None:
        return existing
    day = calendar.localtime(start).date()
    rule = rule or rule_for(petition, step, day)
    if rule is None:
        return None
    due = rules.due_for(rule, start)
    item = None
    if step in rules.WORK_STEPS:
        text, msg = stored(Msg(STEP_TITLES[step], code=petition.code))
        item = WorkItem(module=MODULE, kind=f"petitions.{step}", title=str(text)[:500],
                        title_msg=msg, url=petition_url(petition), role=WorkRole.TASK,
                        due_at=due, created_by=actor if getattr(actor, "pk", None) else None,
                        subject_type=ContentType.objects.get_for_model(Petition),
                        subject_id=str(petition.pk), **_assignee(petition))
        item.save()
    return PetitionDeadline.objects.create(petition=petition, step=step, rule=rule,
                                           started_at=start, due_at=due, work_item=item,
                                           note=rule.legal_basis[:2000])


def _close(deadlines, at: dt.datetime, *, cancelled: bool) -> list[PetitionDeadline]:
    out = []
    for d in deadlines:
        d.done_at = at
        d.outcome = "" if cancelled else rules.judge(at, d.due_at)
        d.save(update_fields=["done_at", "outcome"])
        if d.work_item_id:
            WorkItem.objects.filter(pk=d.work_item_id, state=WorkState.OPEN).update(
                state=WorkState.CANCELLED if cancelled else WorkState.DONE, finished_at=at)
        out.append(d)
    return out


def _open(petition: Petition, steps=None):
    qs = PetitionDeadline.objects.select_for_update(no_key=True).filter(
        petition=petition, done_at__isnull=True)
    if steps is not None:
        qs = qs.filter(step__in=list(steps))
    return list(qs.order_by("id"))


def deadline_done(petition: Petition, step: str | tuple | list, at: dt.datetime,
                  ) -> list[PetitionDeadline]:
    """The step (or steps) done at `at`: rows closed and judged on time / late, work items done."""
    steps = [step] if isinstance(step, str) else list(step)
    return _close(_open(petition, steps), at, cancelled=False)


def deadline_cancel_open(petition: Petition, at: dt.datetime) -> list[PetitionDeadline]:
    """Every open step withdrawn (the petition ends without that step being done)."""
    return _close(_open(petition), at, cancelled=True)


def _set_due(d: PetitionDeadline, due: dt.datetime) -> None:
    d.due_at = due
    d.save(update_fields=["due_at"])
    if d.work_item_id:
        item = WorkItem.objects.filter(pk=d.work_item_id).first()
        if item is not None:
            item.due_at = due
            item.save(update_fields=["due_at", "due_sort"])


def deadline_move(petition: Petition, step: str, due: dt.datetime) -> PetitionDeadline | None:
    """The open `step` moved to `due` (an extension decision)."""
    rows = _open(petition, [step])
    for d in rows:
        _set_due(d, due)
    return rows[0] if rows else None


def deadlines_shift(petition: Petition, begin: dt.datetime, end: dt.datetime) -> None:
    """Every open deadline moved by the time paused between `begin` and `end` (a complaint's
    suspension, NĐ 124/2020 Art.28b as amended by NĐ 155/2026)."""
    for d in _open(petition):
        unit = d.rule.unit if d.rule_id else rules.C
        _set_due(d, rules.shift(d.due_at, unit, begin, end))


def deadline_reconcile(petition: Petition, step: str, *, applies: bool = True) -> None:
    """After a (re)classification: the open `step` follows the rule that now applies to the
    petition's facts (e.g. a letter registered without a kind, classified as a denunciation:
    7 working days instead of 10, Luật TC Art.24.1) — its rule, due time and work item are
    updated; a step that no longer applies (`applies` False, or no rule) is withdrawn."""
    for d in _open(petition, [step]):
        rule = rule_for(petition, step, calendar.localtime(d.started_at).date()) \
            if applies else None
        if rule is None:
            _close([d], timezone.now(), cancelled=True)
        elif rule.pk != d.rule_id:
            d.rule, d.note = rule, rule.legal_basis[:2000]
            d.save(update_fields=["rule", "note"])
            _set_due(d, rules.due_for(rule, d.started_at))


def current_due(petition: Petition) -> dt.datetime | None:
    """The earliest open deadline of the petition (its `due_at`), or None."""
    return (PetitionDeadline.objects.filter(petition=petition, done_at__isnull=True)
            .order_by("due_at").values_list("due_at", flat=True).first())


def reassign(petition: Petition) -> int:
    """The open work items of the petition moved to its handler (or handling unit)."""
    ids = [d.work_item_id for d in _open(petition) if d.work_item_id]
    if not ids:
        return 0
    return WorkItem.objects.filter(pk__in=ids, state=WorkState.OPEN).update(**_assignee(petition))


# --- reminders ----------------------------------------------------------------------------------

SOON = dt.timedelta(days=2)


def _reminded(ids: list[int]) -> set[tuple[str, str]]:
    from egov.core.models import AuditEvent

    rows = AuditEvent.objects.filter(action=REMIND_ACTION,
                                     object_type=PetitionDeadline._meta.label_lower,
                                     object_id__in=[str(i) for i in ids]).values_list(
        "object_id", "details")
    return {(oid, (details or {}).get("kind", "")) for oid, details in rows}


def remind_due(*, now: dt.datetime | None = None, soon: dt.timedelta = SOON) -> dict[str, int]:
    """Remind the handler (or the receiving officer) of each open deadline due within `soon`
    ("soon") and again once it is overdue ("overdue"), in the inbox and by e-mail; each
    reminder once per deadline (recorded in the audit trail, so a second run sends nothing).
    The message names the petition's code and the date only — never content or identity."""
    from egov.core import jobs
    from egov.core.notifications import notify
    from egov.core.tasks import send_notification_emails

    now = now or timezone.now()
    due = list(PetitionDeadline.objects.filter(done_at__isnull=True, due_at__lte=now + soon)
               .select_related("petition", "petition__handler", "petition__received_by")
               .order_by("due_at", "id")[:2000])
    if not due:
        return {"soon": 0, "overdue": 0}
    done = _reminded([d.pk for d in due])
    sent = {"soon": 0, "overdue": 0}
    for d in due:
        kind = "overdue" if d.due_at < now else "soon"
        if (str(d.pk), kind) in done:
            continue
        p = d.petition
        users = [u for u in (p.handler, p.received_by) if u is not None and u.is_active][:1]
        if not users:
            continue
        with transaction.atomic():
            # The deadline's row lock serialises two runs: the second sees the first's event.
            PetitionDeadline.objects.select_for_update(no_key=True).filter(pk=d.pk).first()
            if kind in _reminder_kinds(d):
                continue
            date = calendar.localtime(d.due_at).strftime("%d/%m/%Y")
            if kind == "overdue":
                subject = Msg(N_("Petition %(code)s is overdue (deadline %(date)s)"),
                              code=p.code, date=date)
            else:
                subject = Msg(N_("Petition %(code)s is due on %(date)s"), code=p.code,
                              date=date)
            notes = notify(users=users, subject=subject,
                           body=Msg(N_("Step: %(step)s. Legal basis: %(basis)s."), step=d.step,
                                    basis=d.note[:300]),
                           url=petition_url(p), email=False)
            # The e-mail job is queued in the reminder's own transaction (the database job
            # queue), not after its commit as notify() would: a worker killed between the
            # commit and the enqueue would leave a reminder recorded, never to be made again,
            # and its e-mail never sent (docs/petitions.md "Background work and crashes").
            send_notification_emails.enqueue([n.pk for n in notes])
            audit_log(actor="system:petitions_reminders", action=REMIND_ACTION, obj=d,
                      details={"kind": kind, "due_at": d.due_at, "petition": p.pk,
                               "to": [u.pk for u in users]})
        sent[kind] += 1
        jobs.step_pause()  # 0 in production; the crash tests kill the worker here
    return sent


def _reminder_kinds(d: PetitionDeadline) -> set[str]:
    return {kind for _oid, kind in _reminded([d.pk])}
