"""Extensions (gia hạn) of a directive's deadline (issue 12): the lead asks with a reason and a
proposed date; the giver approves or refuses; the history is kept (one ExtensionRequest row
each, at most one awaiting a decision: constraint `extension_one_pending`).

The rule of the buckets (issue 12; provincial quy chế in practice, UNVERIFIED per province):
an extension approved on or before the deadline in force (`judged_due_date`, the deadline
already moved to the next working day when it fell on a day off — BLDS 2015 Art.148.5) moves
both `due_date` and `judged_due_date`; one approved after it moves `due_date` only — the lead
works to the new date, but a directive already late stays late. The buckets are computed from
those two dates (buckets.py), so nothing else needs recomputing.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core import fieldcheck as fc
from egov.core.audit import audit_log
from egov.core.errors import AppError, NotFound, PermissionDenied

from ..models import (
    AssigneeRole,
    DirectiveAssignee,
    DirectiveState,
    ExtensionRequest,
    ExtensionState,
)
from ..selectors import access
from . import records
from .progress import lock_chain


def _pending_exists() -> AppError:
    return AppError("extension_pending",
                    _("An extension request of this directive is already awaiting a decision."),
                    status=409)


def _new_date(value, name: str, errors: fc.Errors, *, after: dt.date | None, required: bool,
              parent_due: dt.date | None) -> dt.date | None:
    day = records.parse_date(value, name, errors, required=required)
    if day is None:
        return None
    if after is not None and day <= after:
        fc.add(errors, name, _("The new deadline must be after the deadline in force "
                               "(%(date)s).") % {"date": after.strftime("%d/%m/%Y")})
        return None
    if parent_due is not None and day > parent_due:
        fc.add(errors, name, _("A part cannot be due after the directive it belongs to "
                               "(%(date)s).") % {"date": parent_due.strftime("%d/%m/%Y")})
        return None
    return day


def extension_request(*, actor, directive_id, reason, proposed_date) -> ExtensionRequest:
    """The lead asks for a later deadline (422 unless the date is after the deadline in force;
    409 when the directive is not open or another request awaits a decision)."""
    d = access.directive_get(actor=actor, pk=directive_id)
    if not access.may_handle(actor, d):
        raise PermissionDenied(_("Only the lead may ask for an extension."))
    errors: fc.Errors = {}
    reason = fc.text(reason, "reason", errors, required=True, max_length=5000)
    parent_due = d.parent.due_date if d.parent_id else None
    day = _new_date(proposed_date, "proposed_date", errors, after=d.due_date, required=True,
                    parent_due=parent_due)
    fc.fail(errors)
    with transaction.atomic():
        d = lock_chain(d)
        if d.state != DirectiveState.OPEN or d.due_date is None:
            raise records.not_allowed(d, _("Asking for an extension"))
        if day <= d.due_date:  # moved meanwhile
            fc.fail({"proposed_date": [_("The new deadline must be after the deadline in force "
                                         "(%(date)s).") % {"date": d.due_date.strftime("%d/%m/%Y")}]})
        if ExtensionRequest.objects.filter(directive=d, state=ExtensionState.PENDING).exists():
            raise _pending_exists()
        try:
            with transaction.atomic():
                req = ExtensionRequest.objects.create(
                    directive=d, requested_by=actor, reason=reason, proposed_date=day,
                    due_date_before=d.due_date)
        except IntegrityError:
            raise _pending_exists() from None
        records.touch(d)
        records.event_write(directive=d, kind="extension_requested", actor=actor, note=reason,
                            details={"request": req.pk, "proposed_date": day,
                                     "due_date": d.due_date})
        audit_log(actor=actor, action="directive.extension_request", obj=d,
                  details={"request": req.pk, "proposed_date": day, "due_date": d.due_date})
    return req


def extension_decide(*, actor, directive_id, request_id, approve, note="", decided_date=None
                     ) -> ExtensionRequest:
    """The giver approves (`decided_date`: the deadline granted, by default the proposed one)
    or refuses (note required) a request awaiting a decision."""
    d = access.directive_get(actor=actor, pk=directive_id)
    if not access.may_decide(actor, d):
        raise PermissionDenied(_("Only the giver may decide on an extension."))
    rid = records._int(request_id)
    req = (ExtensionRequest.objects.filter(pk=rid, directive=d).first()
           if rid is not None else None)
    if req is None:
        raise NotFound(_("No such extension request."))
    errors: fc.Errors = {}
    if not isinstance(approve, bool):
        fc.add(errors, "approve", _("Say yes (true) or no (false)."))
    note = fc.text(note, "note", errors, required=approve is False, max_length=5000)
    parent_due = d.parent.due_date if d.parent_id else None
    granted = None
    if approve is True:
        granted = _new_date(decided_date, "date", errors, after=d.due_date, required=False,
                            parent_due=parent_due)
    elif decided_date not in (None, ""):
        fc.add(errors, "date", _("A refusal sets no date."))
    fc.fail(errors)
    with transaction.atomic():
        d = lock_chain(d)
        req = ExtensionRequest.objects.select_for_update(no_key=True).get(pk=req.pk)
        if req.state != ExtensionState.PENDING:
            raise AppError("already_decided", _("This extension request was already decided."),
                           status=409)
        if d.state not in (DirectiveState.OPEN, DirectiveState.SUBMITTED):
            raise records.not_allowed(d, _("Deciding an extension"))
        today = timezone.localdate()
        req.decided_by, req.decided_at, req.decision_note = actor, timezone.now(), note
        before = {"due_date": d.due_date, "judged_due_date": d.judged_due_date}
        if approve:
            new = granted or req.proposed_date
            if d.due_date is not None and new <= d.due_date:
                fc.fail({"date": [_("The new deadline must be after the deadline in force "
                                    "(%(date)s).") % {"date": d.due_date.strftime("%d/%m/%Y")}]})
            # On or before the deadline in force: the status deadline moves too; after it the
            # lead works to the new date but the directive stays late (issue 12).
            moved = d.judged_due_date is None or today <= d.judged_due_date
            d.due_date = new
            fields = ["due_date"]
            if moved:
                d.judged_due_date = records.judged_deadline(new)
                fields.append("judged_due_date")
            records.touch(d, *fields)
            DirectiveAssignee.objects.filter(directive=d, role=AssigneeRole.LEAD).update(
                due_date=new)
            req.state, req.decided_date, req.moved_judged = ExtensionState.APPROVED, new, moved
            kind = "extension_approved"
        else:
            req.state = ExtensionState.REFUSED
            records.touch(d)
            kind = "extension_refused"
        req.save(update_fields=["state", "decided_by", "decided_at", "decided_date",
                                "decision_note", "moved_judged"])
        details = {"request": req.pk, **{f"{k}_before": v for k, v in before.items()},
                   "due_date": d.due_date, "judged_due_date": d.judged_due_date,
                   "moved_judged": req.moved_judged}
        records.event_write(directive=d, kind=kind, actor=actor, note=note, details=details)
        audit_log(actor=actor, action=f"directive.{kind}", obj=d, details=details)
    return req
