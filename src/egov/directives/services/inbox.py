"""Directives in the shared inbox (core WorkItems, module "directives"): a hooks subscriber, run
inside the changing transaction, so the items commit or roll back with the change.

- given / split / period_opened: one item for the lead (role lead, due at the end of the
  deadline's judged day — the next working day when it falls on a day off — in local time), one
  for each supporting participant (role support, due with its own sub-deadline, else the
  directive's), one for each informed participant (role inform, no due time). A recurring
  directive's template gets none: its periods do.
- extension_approved: the lead's item (and supporting items without their own deadline) move
  to the new deadline.
- completed (reported done): the giver gets an item to accept or return the result; it is
  finished on accepted / returned.
- accepted: every open item of the directive is finished; cancelled: every open item is
  cancelled.

Items are found again by subject (the directive) and kind, and the participant's unit / person.
Closing is done by the system (actor None): the directive's own audit row names who acted.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext_noop as N_

from egov.core.models import WorkItem, WorkRole, WorkState
from egov.core.msgtext import Msg
from egov.core.services import workitem_cancel, workitem_create, workitem_finish

from ..models import AssigneeRole, Directive, DirectiveAssignee
from . import records

MODULE = "directives"
KIND = {AssigneeRole.LEAD: "directives.lead", AssigneeRole.SUPPORT: "directives.support",
        AssigneeRole.INFORM: "directives.inform"}
KIND_ACCEPT = "directives.accept"
ROLE = {AssigneeRole.LEAD: WorkRole.LEAD, AssigneeRole.SUPPORT: WorkRole.SUPPORT,
        AssigneeRole.INFORM: WorkRole.INFORM}
TITLE = {
    AssigneeRole.LEAD: N_("Directive %(code)s: %(title)s"),
    AssigneeRole.SUPPORT: N_("Support directive %(code)s: %(title)s"),
    AssigneeRole.INFORM: N_("For information, directive %(code)s: %(title)s"),
}
TITLE_ACCEPT = N_("Accept or return the result of directive %(code)s: %(title)s")


def end_of_day(day: dt.date | None) -> dt.datetime | None:
    """The end of the judged day of a deadline (23:59:59 local time)."""
    judged = records.judged_deadline(day)
    if judged is None:
        return None
    return timezone.make_aware(dt.datetime.combine(judged, dt.time(23, 59, 59)))


def directive_url(d: Directive) -> str:
    try:
        from django.urls import reverse

        return reverse("directives:detail", kwargs={"pk": d.pk})
    except Exception:  # noqa: BLE001 - the pages part names the route; fall back to its path
        return f"/directives/{d.pk}/"


def _items(d: Directive, **flt):
    ct = ContentType.objects.get_for_model(Directive)
    return WorkItem.objects.filter(module=MODULE, subject_type=ct, subject_id=str(d.pk),
                                   state=WorkState.OPEN, **flt).order_by("id")


def _title(template: str, d: Directive) -> Msg:
    return Msg(template, code=d.code, title=d.title[:300])


def _open_items(d: Directive, actor) -> None:
    rows = list(DirectiveAssignee.objects.filter(directive=d).select_related("unit", "user")
                .order_by("id"))
    for row in rows:
        role = AssigneeRole(row.role)
        due = None
        if role == AssigneeRole.LEAD:
            due = end_of_day(d.due_date)
        elif role == AssigneeRole.SUPPORT:
            due = end_of_day(row.due_date or d.due_date)
        workitem_create(actor=actor, module=MODULE, kind=KIND[role], title=_title(TITLE[role], d),
                        url=directive_url(d), subject=d, assignee_user=row.user,
                        assignee_unit=row.unit, role=ROLE[role], due_at=due,
                        urgency=d.priority if d.priority != "normal" else "")


def _move_due(d: Directive) -> None:
    due = end_of_day(d.due_date)
    follow = {(r.unit_id, r.user_id) for r in DirectiveAssignee.objects.filter(
        directive=d, role=AssigneeRole.SUPPORT, due_date__isnull=True)}
    for item in _items(d, kind__in=[KIND[AssigneeRole.LEAD], KIND[AssigneeRole.SUPPORT]]):
        if item.kind == KIND[AssigneeRole.SUPPORT] and (
                item.assignee_unit_id, item.assignee_user_id) not in follow:
            continue
        item.due_at = due
        item.save(update_fields=["due_at", "due_sort"])  # save(): keeps due_sort in step


def _close(d: Directive, *, cancel: bool, note: str = "", **flt) -> None:
    for item in _items(d, **flt):
        if cancel:
            workitem_cancel(actor=None, item=item, reason=note[:255])
        else:
            workitem_finish(actor=None, item=item)


def on_directive_changed(*, directive: Directive, event) -> None:
    kind = event.kind
    d = directive
    if kind in ("given", "split", "period_opened"):
        if not d.is_template:
            _open_items(d, event.actor)
    elif kind == "extension_approved":
        _move_due(d)
    elif kind == "completed":
        workitem_create(actor=event.actor, module=MODULE, kind=KIND_ACCEPT,
                        title=_title(TITLE_ACCEPT, d), url=directive_url(d), subject=d,
                        assignee_user=d.given_by, role=WorkRole.TASK,
                        due_at=None, urgency=d.priority if d.priority != "normal" else "")
    elif kind == "returned":
        _close(d, cancel=False, kind=KIND_ACCEPT)
    elif kind == "accepted":
        _close(d, cancel=False)
    elif kind == "cancelled":
        _close(d, cancel=True, note=event.note or "")
