"""Completion (issue 12): the lead reports the directive done with its result (text, files, an
issued document) → state "submitted"; the giver accepts it → "done", dated the day the lead
reported it (`done_on = submitted_on`: the time the giver takes to accept does not make the
lead late), or returns it → back to "open".

When a directive is accepted, its participants' rows are closed with it (the phối hợp and để
biết parts end with the chủ trì's work) and its sub-directives still open close too: they were
the lead unit's own split of the same work (their `done_on`: their own report day if they
reported, else the parent's day). Each closed sub-directive writes its own "accepted" event, so
its inbox items and upward-sync rows follow.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core import fieldcheck as fc
from egov.core.audit import audit_log
from egov.core.errors import PermissionDenied

from ..models import (
    AssigneeRole,
    Directive,
    DirectiveAssignee,
    DirectiveFile,
    DirectiveState,
    ProgressReport,
    ReportKind,
)
from ..selectors import access
from . import records
from .progress import MAX_TEXT, check_files, lock_chain, lock_descendants, rollup

NOT_DONE = (DirectiveState.OPEN, DirectiveState.SUBMITTED)


def _result_document(actor, value, errors: fc.Errors):
    if value in (None, ""):
        return None
    from egov.core.errors import NotFound
    from egov.documents.selectors.outgoing import outgoing_get

    pk = records._int(value)
    if pk is None:
        fc.add(errors, "result_document_id", _("Ids are whole numbers."))
        return None
    try:
        return outgoing_get(actor=actor, document_id=pk)
    except (NotFound, PermissionDenied):
        fc.add(errors, "result_document_id", _("No such document, or you may not see it."))
        return None


def completion_report(*, actor, directive_id, result_text="", files=(),
                      result_document_id=None) -> Directive:
    """The lead reports the directive done (state submitted, submitted_on today, 100 %)."""
    d = access.directive_get(actor=actor, pk=directive_id)
    if not access.may_handle(actor, d):
        raise PermissionDenied(_("Only the lead may report this directive done."))
    errors: fc.Errors = {}
    text = fc.text(result_text, "result_text", errors, max_length=MAX_TEXT)
    stored = check_files(files, errors)
    document = _result_document(actor, result_document_id, errors)
    fc.fail(errors)
    with transaction.atomic():
        d = lock_chain(d)
        if d.state != DirectiveState.OPEN or d.is_template:
            raise records.not_allowed(d, _("Reporting completion"))
        now = timezone.now()
        report = ProgressReport.objects.create(directive=d, kind=ReportKind.COMPLETION,
                                               percent=100, text=text, reported_by=actor,
                                               reported_at=now)
        DirectiveFile.objects.bulk_create([
            DirectiveFile(directive=d, report=report, file=f, added_by=actor) for f in stored])
        d.state, d.submitted_on = DirectiveState.SUBMITTED, timezone.localdate()
        d.progress, d.progress_at, d.result_text, d.result_document = 100, now, text, document
        records.touch(d, "state", "submitted_on", "progress", "progress_at", "result_text",
                      "result_document")
        DirectiveAssignee.objects.filter(directive=d, role=AssigneeRole.LEAD).update(progress=100)
        records.event_write(directive=d, kind="completed", actor=actor, note=text,
                            details={"report": report.pk, "submitted_on": d.submitted_on,
                                     "result_document": document.pk if document else None})
        rollup(d, actor=actor)
        audit_log(actor=actor, action="directive.complete", obj=d,
                  details={"submitted_on": d.submitted_on, "files": [f.pk for f in stored],
                           "result_document": document.pk if document else None})
    return d


def _close_children(parts: list[Directive], parent: Directive, *, actor) -> list[int]:
    """Close the open sub-directives of an accepted directive (already locked, top-down)."""
    done_on = {parent.pk: parent.done_on}
    for child in parts:
        child.done_on = child.submitted_on or done_on.get(child.parent_id) or parent.done_on
        done_on[child.pk] = child.done_on
        child.state, child.progress = DirectiveState.DONE, 100
        records.touch(child, "state", "done_on", "progress")
        DirectiveAssignee.objects.filter(directive=child, done_on__isnull=True).update(
            done_on=child.done_on)
        records.event_write(directive=child, kind="accepted", actor=actor,
                            details={"done_on": child.done_on, "with_parent": child.parent_id})
    return [c.pk for c in parts]


def completion_accept(*, actor, directive_id, note="") -> Directive:
    """The giver accepts the reported completion: done, dated the day it was reported."""
    d = access.directive_get(actor=actor, pk=directive_id)
    if not access.may_decide(actor, d):
        raise PermissionDenied(_("Only the giver may accept the result."))
    errors: fc.Errors = {}
    note = fc.text(note, "note", errors, max_length=5000)
    fc.fail(errors)
    with transaction.atomic():
        d = lock_chain(d)
        if d.state != DirectiveState.SUBMITTED:
            raise records.not_allowed(d, _("Accepting"))
        parts = lock_descendants(d, NOT_DONE)
        d.state, d.done_on = DirectiveState.DONE, d.submitted_on or timezone.localdate()
        d.progress = 100
        records.touch(d, "state", "done_on", "progress")
        # The supporting and informed parts end with the lead's work.
        DirectiveAssignee.objects.filter(directive=d, done_on__isnull=True).update(
            done_on=d.done_on)
        DirectiveAssignee.objects.filter(directive=d, role=AssigneeRole.LEAD).update(progress=100)
        records.event_write(directive=d, kind="accepted", actor=actor, note=note,
                            details={"done_on": d.done_on})
        closed = _close_children(parts, d, actor=actor)
        rollup(d, actor=actor)
        audit_log(actor=actor, action="directive.accept", obj=d,
                  details={"done_on": d.done_on, "closed_parts": closed})
    return d


def completion_return(*, actor, directive_id, note) -> Directive:
    """The giver returns the reported completion with a reason: the directive is open again."""
    d = access.directive_get(actor=actor, pk=directive_id)
    if not access.may_decide(actor, d):
        raise PermissionDenied(_("Only the giver may return the result."))
    errors: fc.Errors = {}
    note = fc.text(note, "note", errors, required=True, max_length=5000)
    fc.fail(errors)
    with transaction.atomic():
        d = lock_chain(d)
        if d.state != DirectiveState.SUBMITTED:
            raise records.not_allowed(d, _("Returning"))
        submitted = d.submitted_on
        d.state, d.submitted_on, d.done_on = DirectiveState.OPEN, None, None
        records.touch(d, "state", "submitted_on", "done_on")
        records.event_write(directive=d, kind="returned", actor=actor, note=note,
                            details={"submitted_on": submitted})
        audit_log(actor=actor, action="directive.return", obj=d,
                  details={"submitted_on": submitted})
    return d
