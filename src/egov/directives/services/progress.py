"""Progress reports (issue 12): the lead reports percent, text and files on the directive; a
supporting participant reports on its own row (against its own sub-deadline) to the lead. A
sub-directive's progress rolls up into its parent, weighted by `weight` (the lead unit's split
of the work), and on up to the top.

Contract: :func:`progress_report`. Checks, in order: the directive visible (404), the right to
report (403), every bad field at once (422), the state under the row lock (409). Writes the
report (and its files), the new figure, one event ("progress" / "support_progress") and the
audit row last.

The helpers below (`lock_chain`, `rollup`, `check_files`, `percent_value`) are shared by the
other handling services (extensions, completion, lifecycle).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core import fieldcheck as fc
from egov.core.audit import audit_log
from egov.core.errors import PermissionDenied
from egov.core.models import StoredFile

from ..models import (
    AssigneeRole,
    Directive,
    DirectiveAssignee,
    DirectiveFile,
    DirectiveState,
    ProgressReport,
)
from ..selectors import access
from . import records

MAX_TEXT = 20000
MAX_FILES = 50
MAX_DEPTH = 10  # sub-directives of sub-directives: a safety bound on the walk up


def percent_value(value, name: str, errors: fc.Errors) -> int | None:
    """A whole number 0–100 (a numeric string is accepted, a bool or a fraction is not)."""
    if isinstance(value, bool):
        value = None
    elif isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 3:
        value = int(value.strip())
    elif isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or not 0 <= value <= 100:
        fc.add(errors, name, _("Enter a whole number from 0 to 100."))
        return None
    return value


def check_files(files: Iterable | None, errors: fc.Errors, name: str = "files"
                ) -> list[StoredFile]:
    """Stored files (already uploaded through egov.core.files) to attach."""
    out: list[StoredFile] = []
    if files is None:
        return out
    if isinstance(files, (str, bytes, dict)):
        fc.add(errors, name, _("Give a list of files."))
        return out
    items = list(files)
    if len(items) > MAX_FILES:
        fc.add(errors, name, _("At most %(n)d files.") % {"n": MAX_FILES})
        return out
    for f in items:
        if not isinstance(f, StoredFile) or f.pk is None:
            fc.add(errors, name, _("Upload the files first."))
            return []
        out.append(f)
    return out


def ancestors(directive: Directive) -> list[int]:
    """The ids of the directive's parents, nearest first (one query per level)."""
    ids: list[int] = []
    pk = directive.parent_id
    while pk is not None and len(ids) < MAX_DEPTH:
        ids.append(pk)
        pk = Directive.objects.filter(pk=pk).values_list("parent_id", flat=True).first()
    return ids


def lock_chain(directive: Directive) -> Directive:
    """Lock the directive's parents top-down, then the directive itself (every service that
    touches a parent and a child locks in this order, so none waits on the other in reverse)."""
    for pk in reversed(ancestors(directive)):
        records.lock(pk)
    return records.lock(directive.pk)


def lock_descendants(directive: Directive, states) -> list[Directive]:
    """Lock the directive's sub-directives (at every depth) in one of `states`, parents before
    children, BEFORE anything is written: the caller then writes events whose subscribers take
    the audit chain's lock, and no row lock may be taken after that one."""
    out: list[Directive] = []
    level = [directive.pk]
    for _depth in range(MAX_DEPTH):
        ids = list(Directive.objects.filter(parent_id__in=level, state__in=states)
                   .order_by("id").values_list("id", flat=True))
        if not ids:
            break
        rows = [records.lock(pk) for pk in ids]
        rows = [r for r in rows if r.state in states]
        out += rows
        level = [r.pk for r in rows]
    return out


def weighted_progress(parent_id: int) -> int | None:
    """The parent's figure from its (not cancelled) children, weighted by `weight`; None when
    it has none."""
    rows = list(Directive.objects.filter(parent_id=parent_id)
                .exclude(state=DirectiveState.CANCELLED).values_list("progress", "weight"))
    total = sum(w for _p, w in rows)
    if not total:
        return None
    return round(sum(p * w for p, w in rows) / total)


def rollup(directive: Directive, *, actor) -> None:
    """Carry a sub-directive's new figure up to its parents (already locked by `lock_chain`);
    each parent whose figure changes writes a "progress" event saying it was rolled up."""
    child = directive
    for _depth in range(MAX_DEPTH):
        if child.parent_id is None:
            return
        parent = Directive.objects.get(pk=child.parent_id)
        value = weighted_progress(parent.pk)
        if value is None or value == parent.progress or parent.state not in (
                DirectiveState.OPEN, DirectiveState.SUBMITTED):
            return
        parent.progress = value
        parent.progress_at = timezone.now()
        records.touch(parent, "progress", "progress_at")
        DirectiveAssignee.objects.filter(directive=parent, role=AssigneeRole.LEAD).update(
            progress=value)
        records.event_write(directive=parent, kind="progress", actor=actor,
                            details={"percent": value, "rollup_from": child.pk})
        child = parent


def progress_report(*, actor, directive_id, percent, text="", files=(), assignee_id=None
                    ) -> ProgressReport:
    """Report progress: the lead (`assignee_id` None) on the directive, or a supporting
    participant on its own row (`assignee_id` = its DirectiveAssignee id)."""
    d = access.directive_get(actor=actor, pk=directive_id)
    row = None
    if assignee_id is None:
        if not access.may_handle(actor, d):
            raise PermissionDenied(_("Only the lead may report progress on this directive."))
    else:
        rid = records._int(assignee_id)
        rows = access.participant_rows_for(actor, d)
        row = next((r for r in rows if r.pk == rid), None)
        if row is None:
            exists = rid is not None and DirectiveAssignee.objects.filter(
                pk=rid, directive=d, role=AssigneeRole.SUPPORT).exists()
            if exists:
                raise PermissionDenied(_("You may report only on your own part."))
            fc.fail({"assignee_id": [_("No such supporting participant of this directive.")]})
    errors: fc.Errors = {}
    pct = percent_value(percent, "percent", errors)
    text = fc.text(text, "text", errors, max_length=MAX_TEXT)
    stored = check_files(files, errors)
    fc.fail(errors)
    with transaction.atomic():
        d = lock_chain(d)
        if d.state != DirectiveState.OPEN or d.is_template:
            raise records.not_allowed(d, _("Reporting progress"))
        now = timezone.now()
        report = ProgressReport.objects.create(directive=d, assignee=row, percent=pct, text=text,
                                               reported_by=actor, reported_at=now)
        DirectiveFile.objects.bulk_create([
            DirectiveFile(directive=d, report=report, file=f, added_by=actor) for f in stored])
        if row is None:
            d.progress, d.progress_note, d.progress_at = pct, text, now
            records.touch(d, "progress", "progress_note", "progress_at")
            DirectiveAssignee.objects.filter(directive=d, role=AssigneeRole.LEAD).update(
                progress=pct, progress_note=text)
            records.event_write(directive=d, kind="progress", actor=actor, note=text,
                                details={"percent": pct, "report": report.pk})
            rollup(d, actor=actor)
        else:
            DirectiveAssignee.objects.filter(pk=row.pk).update(progress=pct, progress_note=text)
            records.touch(d)
            records.event_write(directive=d, kind="support_progress", actor=actor, note=text,
                                details={"percent": pct, "report": report.pk,
                                         "assignee": row.pk, "unit": row.unit_id})
        audit_log(actor=actor, action="directive.progress", obj=d,
                  details={"percent": pct, "assignee": row.pk if row else None,
                           "files": [f.pk for f in stored]})
    return report
