"""Pages of a plan's tasks (kế hoạch → directives) under /directives/plans/<outgoing id>/:
the tasks already given from the plan, the XLSX import (upload → dry run → confirm), the
template, and entering the tasks by hand in a table of rows. Every page works without
JavaScript: "add a row" posts the table back. Thin: parse, call services.plan_import, render."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from egov.core import pending_uploads
from egov.core.errors import AppError, NotFound, PermissionDenied
from egov.core.importers import ImportFailed

from ..models import Priority
from ..services import plan_import as svc
from ..services.plan_read import LABELS, MAX_BYTES, Line, template_xlsx

PREVIEW_ROWS = 300
ENTRY_ROWS, MAX_ENTRY_ROWS = 5, 200
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class _Refused(Exception):
    def __init__(self, response):
        super().__init__("refused")
        self.response = response


def _answers_refusal(view):
    """A plan that cannot give tasks (409: not issued) answers its page, not a 500."""
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except _Refused as refused:
            return refused.response
    return wrapped


def _plan(request, pk: int):
    """(document, agency) or 404 / 403 / 409 — the same answers the services give."""
    try:
        return svc.plan_document(actor=request.user, document_id=pk)
    except NotFound:
        raise Http404 from None
    except PermissionDenied:
        raise DjangoPermissionDenied from None
    except AppError as err:
        raise _Refused(_render(request, "directives/plans/not_issued.html",
                               {"message": err.message}, status=err.status)) from None


def _render(request, template: str, context: dict, status: int = 200):
    return render(request, template, context, status=status)


def _error_rows(errors, labels=None) -> list[dict]:
    """The errors for the summary; columns named as the file's headings (Vietnamese, as in the
    file) unless ``labels`` (the entry table's, in the page's language) is given."""
    labels = LABELS if labels is None else labels
    return [{"row": e.line, "column": labels.get(e.field, e.field), "field": e.field,
             "message": e.message}
            for e in errors]


@login_required
@_answers_refusal
@require_http_methods(["GET", "HEAD"])
def plan_page(request, pk: int):
    document, agency = _plan(request, pk)
    return _plan_page(request, document, agency)


def _plan_page(request, document, agency, *, file_error: str = ""):
    """The plan's page; with ``file_error`` (no file, too large) the message by the file field."""
    return _render(request, "directives/plans/plan.html", {
        "doc": document, "agency": agency, "tasks": svc.plan_tasks(document=document),
        "max_mb": MAX_BYTES // (1024 * 1024), "file_error": file_error,
    }, status=422 if file_error else 200)


@login_required
@require_http_methods(["GET", "HEAD"])
def plan_template(request):
    response = HttpResponse(template_xlsx(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="mau-nhiem-vu-ke-hoach.xlsx"'
    return response


def _preview(request, document, result, *, token: str = "", name: str = "", status=200):
    shown = [{"row": r.row, "plan_key": r.plan_key, "title": r.title, "status": r.status,
              "changes": ", ".join(str(LABELS.get(c, c)) for c in r.changes)}
             for r in result.rows[:PREVIEW_ROWS]]
    return _render(request, "directives/plans/preview.html", {
        "doc": document, "result": result, "rows": shown, "more": len(result.rows) - len(shown),
        "errors": _error_rows(result.errors), "token": token, "name": name,
        "counts": result.counts,
    }, status=status)


@login_required
@_answers_refusal
@require_POST
def plan_upload(request, pk: int):
    """The dry run of an uploaded file: what would change, nothing written. The file is kept
    (core.pending_uploads, signed token bound to the user) for the confirmation."""
    document, agency = _plan(request, pk)
    upload = request.FILES.get("file")
    if upload is None:
        return _plan_page(request, document, agency, file_error=_("Choose an XLSX file."))
    if upload.size > MAX_BYTES:
        return _plan_page(request, document, agency,
                          file_error=_("The file is larger than 10 MB."))
    data = upload.read()
    result = svc.plan_check(actor=request.user, document_id=document.pk, data=data)
    token = ""
    if result.ok:
        upload.seek(0)
        token = pending_uploads.stash(user=request.user, upload=upload).token
    return _preview(request, document, result, token=token, name=upload.name,
                    status=200 if result.ok else 422)


@login_required
@_answers_refusal
@require_POST
def plan_confirm(request, pk: int):
    """The real import of the file the dry run showed (one transaction, all or nothing)."""
    document, _agency = _plan(request, pk)
    token = (request.POST.get("token") or "")[:2000]
    upload = pending_uploads.take(user=request.user, token=token) if token else None
    if upload is None:
        messages.error(request, _("The file is no longer available: upload it again."))
        return redirect("directives:plan", pk=document.pk)
    data = upload.read()
    try:
        result = svc.plan_import(actor=request.user, document_id=document.pk, data=data,
                                 name=upload.name)
    except ImportFailed as failed:
        result = svc.plan_check(actor=request.user, document_id=document.pk, data=data)
        if not result.errors:
            result.errors = failed.errors
        return _preview(request, document, result, name=upload.name, status=422)
    pending_uploads.discard(user=request.user, token=token)
    c = result.counts
    messages.success(request, _("Imported: %(new)d new, %(updated)d updated, %(unchanged)d "
                                "unchanged.") % {"new": c["new"], "updated": c["updated"],
                                                 "unchanged": c["unchanged"]})
    return redirect("directives:plan", pk=document.pk)


# --- entering the tasks by hand ----------------------------------------------------------------

# The entry table's columns: (field, label, widget). The label heads the column on a wide screen
# and stands above the input in a row's card on a narrow one.
ENTRY_COLUMNS = [
    ("plan_key", pgettext_lazy("plan", "Key"), "key"),
    ("title", pgettext_lazy("plan", "Task"), "textarea"),
    ("lead", gettext_lazy("Lead unit"), "unit"),
    ("support", gettext_lazy("Supporting units"), "unit"),
    ("due_date", gettext_lazy("Deadline"), "date"),
    ("priority", gettext_lazy("Priority"), "priority"),
    ("note", gettext_lazy("Notes"), "text"),
]


def _status_label(status: str) -> str:
    return {"new": _("new"), "updated": _("updated"), "unchanged": _("unchanged")}.get(status, "")


def _with_cells(rows: list[dict]) -> list[dict]:
    """Each row's cells, in column order, with the value and the error by the input."""
    for r in rows:
        errors = r.get("errors", {})
        r["cells"] = [{"field": f, "label": label, "widget": widget, "value": r[f],
                       "id": f"r{r['n']}-{f}", "error": errors.get(f, "")}
                      for f, label, widget in ENTRY_COLUMNS]
        r["row_error"] = " ".join(m for f, m in errors.items() if f not in r)
        r["status_label"] = "" if errors else _status_label(r.get("status", ""))
    return rows


def _entry_rows(post, n: int) -> list[dict]:
    rows = []
    for i in range(1, n + 1):
        rows.append({k: (post.get(f"r{i}-{k}") or "").strip()[:25000]
                     for k in ("plan_key", "title", "lead", "support", "due_date", "priority",
                               "note")} | {"n": i})
    return rows


def _row_count(post) -> int:
    try:
        n = int(post.get("rows") or ENTRY_ROWS)
    except ValueError:
        n = ENTRY_ROWS
    return max(1, min(n, MAX_ENTRY_ROWS))


@login_required
@_answers_refusal
@require_http_methods(["GET", "HEAD", "POST"])
def plan_entry(request, pk: int):
    """A table of rows, one task each; "Thêm dòng" posts back with one more row; "Kiểm tra"
    is the dry run; "Lưu" imports (all rows or none)."""
    document, agency = _plan(request, pk)
    units = svc.agency_units(agency)
    result = None
    status = 200
    if request.method == "POST":
        n = _row_count(request.POST)
        rows = _entry_rows(request.POST, n)
        op = request.POST.get("op", "check")
        if op == "add":
            n = min(n + 1, MAX_ENTRY_ROWS)
            rows = _entry_rows(request.POST, n)
        else:
            lines = [Line(r["n"], {k: r[k] for k in ("plan_key", "title", "lead", "support",
                                                     "due_date", "priority", "note")})
                     for r in rows if any(r[k] for k in ("plan_key", "title", "lead", "support",
                                                         "note"))]
            try:
                if op == "save":
                    result = svc.plan_import(actor=request.user, document_id=document.pk,
                                             lines=lines)
                    c = result.counts
                    messages.success(request, _("Saved: %(new)d new, %(updated)d updated, "
                                                "%(unchanged)d unchanged.")
                                     % {"new": c["new"], "updated": c["updated"],
                                        "unchanged": c["unchanged"]})
                    return redirect("directives:plan", pk=document.pk)
                result = svc.plan_check(actor=request.user, document_id=document.pk,
                                        lines=lines)
            except ImportFailed:
                result = svc.plan_check(actor=request.user, document_id=document.pk,
                                        lines=lines)
            status = 200 if result.ok else 422
    else:
        n = ENTRY_ROWS
        rows = _entry_rows({}, n)
    by_row = {}
    if result is not None:
        for r in result.rows:
            by_row[r.row] = r
        for r in rows:
            checked = by_row.get(r["n"])
            r["status"] = checked.status if checked else ""
            r["errors"] = {e.field: e.message for e in checked.errors} if checked else {}
    return _render(request, "directives/plans/entry.html", {
        "doc": document, "agency": agency, "rows": _with_cells(rows), "n": n, "units": units,
        "columns": [(f, label) for f, label, _widget in ENTRY_COLUMNS],
        "priorities": [(c.value, c.label) for c in Priority],
        "result": result,
        "errors": _error_rows(result.errors, {f: label for f, label, _w in ENTRY_COLUMNS})
        if result else [],
        "action": reverse("directives:plan_entry", args=[document.pk]),
    }, status=status)
