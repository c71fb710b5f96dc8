"""The directive page under /directives/<id>/: content, source, giver, lead, participants
with their own deadlines and progress, sub-directives, progress and extension history, the
events, the files; the action forms the user may use (views/actions.py)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from egov.core.errors import NotFound
from egov.core.files import file_response

from ..models import AssigneeRole, DirectiveFile, DirectiveState
from ..selectors import access
from ..selectors import directives as sel
from . import actions as act
from . import common

EVENT_LABELS = {
    "given": _("Directive given"),
    "split": _("Part given (sub-directive)"),
    "progress": _("Progress reported"),
    "support_progress": _("Supporting unit reported progress"),
    "extension_requested": _("Extension requested"),
    "extension_approved": _("Extension approved"),
    "extension_refused": _("Extension refused"),
    "completed": _("Reported done"),
    "accepted": _("Result accepted"),
    "returned": _("Result returned"),
    "cancelled": _("Cancelled"),
    "period_opened": _("Reporting period opened"),
}


def get_directive(request, pk: int):
    """The directive if the user may see it; 404 otherwise (the same for an unknown id)."""
    try:
        return sel.directive_detail(actor=request.user, pk=pk)
    except NotFound:
        raise Http404 from None


def directive_url(d) -> str:
    return reverse("directives:detail", args=[d.pk])


def _source(d) -> dict | None:
    if d.source_incoming_id:
        doc = d.source_incoming
        return {"label": doc.code or doc.subject, "subject": doc.subject,
                "url": reverse("documents:incoming_detail", args=[doc.pk])}
    if d.source_outgoing_id:
        doc = d.source_outgoing
        return {"label": doc.code or doc.subject, "subject": doc.subject,
                "url": reverse("documents:outgoing_detail", args=[doc.pk])}
    return None


def render_directive(request, d, *, bound: dict | None = None, status: int = 200):
    today = timezone.localdate()
    d.status = common.status_of(d, today)
    d.awaiting = d.state == DirectiveState.SUBMITTED
    rows = list(d.assignees.all())
    files = list(d.files.all())
    report_files: dict[int, list] = {}
    for fl in files:
        if fl.report_id:
            report_files.setdefault(fl.report_id, []).append(fl)
    by_id = {r.pk: r for r in rows}
    reports = list(d.reports.all())
    for r in reports:
        r.file_list = report_files.get(r.pk, [])
        r.row = by_id.get(r.assignee_id)
    events = list(d.events.all())
    for e in events:
        e.label = EVENT_LABELS.get(e.kind, e.kind)
    children = common.with_status(d.children.all(), today)
    context = {
        "d": d, "today": today, "source": _source(d),
        "lead_row": next((r for r in rows if r.role == AssigneeRole.LEAD), None),
        "support_rows": [r for r in rows if r.role == AssigneeRole.SUPPORT],
        "inform_rows": [r for r in rows if r.role == AssigneeRole.INFORM],
        "reports": reports, "extensions": list(d.extensions.all()), "events": events,
        "files": [fl for fl in files if not fl.report_id], "children": children,
        "actions": act.available(actor=request.user, directive=d, bound=bound),
    }
    return render(request, "directives/detail.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD"])
def directive_detail(request, pk: int):
    return render_directive(request, get_directive(request, pk))


@login_required
@require_POST
def directive_action(request, pk: int, action: str):
    d = get_directive(request, pk)
    try:
        spec, row = act.resolve(request.user, d, action)
    except LookupError as exc:
        spec = exc.args[0]
        messages.error(request, gettext("%(action)s is not possible now: the directive "
                                        "%(code)s is “%(state)s”.")
                       % {"action": spec.label, "code": d.code, "state": d.get_state_display()})
        return redirect(directive_url(d))
    if spec is None:
        raise Http404
    try:
        form, done, status = act.perform(request, d, action, spec, row)
    except NotFound:
        raise Http404 from None
    if done:
        messages.success(request, spec.done)
        return redirect(directive_url(d))
    return render_directive(request, get_directive(request, pk), bound={action: form},
                            status=status)


@login_required
@require_http_methods(["GET", "HEAD"])
def directive_file(request, pk: int, file_id: int):
    try:
        d = access.directive_get(actor=request.user, pk=pk)
    except NotFound:
        raise Http404 from None
    row = DirectiveFile.objects.filter(directive=d, pk=file_id).select_related("file").first()
    if row is None:
        raise Http404
    return file_response(row.file)
