"""Giving a directive ("Giao nhiệm vụ") under /directives/new/: title, content, the leader's
guidance, the lead (a unit or a person: a searchable list of radio buttons that works without
JavaScript), supporting units each with an optional own deadline, units informed, a deadline
or a recurrence, priority, the source (an incoming or outgoing document, found by its number
and notation or opened from the document's page with ?incoming=<id> / ?outgoing=<id>, or a
meeting conclusion) and attachments. The service checks everything; its messages go by the
fields and nothing is written on an error.

Opened from an incoming document ("Giao nhiệm vụ" beside the leader's instruction, a panel the
documents module shows: views/from_documents.py) the page is prefilled from it: title = trích
yếu, guidance = the leader's instruction, priority from the document's urgency, deadline = the
handling deadline, and the directive is given in the document's agency. One who may give in
several agencies chooses the agency (``?agency=<id>``)."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from egov.core.errors import AppError, NotFound, PermissionDenied
from egov.core.files import file_store

from ..forms import GiveForm
from ..models import Priority, Recurrence, SourceKind
from ..services import records
from . import actions as act
from . import common

_INDEXED = re.compile(r"^(support|inform)\[(\d+)\](\.due_date)?$")
ALIASES = {"source_document_id": "source_code", "files": "attachments", "file": "attachments",
           "given_on": "due_date", "agency_id": "lead", "weight": "priority",
           "plan_key": "source_text"}


def _source_document(actor, kind: str, pk=None, code: str = ""):
    """The incoming / outgoing document named by id or by number and notation, if the actor
    may see it; None otherwise."""
    from egov.documents.models import IncomingDocument, OutgoingDocument, OutgoingState
    from egov.documents.selectors.incoming import incoming_get
    from egov.documents.selectors.outgoing import outgoing_get

    code = " ".join((code or "").split())[:42]
    try:
        if kind == SourceKind.INCOMING:
            if pk is None and code:
                for cand in (IncomingDocument.objects.filter(code__iexact=code)
                             .order_by("-arrival_date").values_list("pk", flat=True)[:20]):
                    try:
                        return incoming_get(actor=actor, id=cand)
                    except NotFound:
                        continue
                return None
            return incoming_get(actor=actor, id=pk) if pk is not None else None
        if kind in (SourceKind.OUTGOING, SourceKind.PLAN):
            if pk is None and code:
                pk = (OutgoingDocument.objects.filter(code__iexact=code,
                                                      state=OutgoingState.ISSUED)
                      .order_by("-issued_date").values_list("pk", flat=True).first())
            return outgoing_get(actor=actor, document_id=pk) if pk is not None else None
    except (NotFound, PermissionDenied):
        return None
    return None


def _instruction(document, actor) -> str:
    """The leader's instruction on the document: the actor's latest, else the latest given."""
    rows = [a for a in document.assignments.all() if a.instruction]
    mine = [a for a in rows if a.assigned_by_id == actor.pk]
    chosen = (mine or rows)[-1:] if rows else []
    return chosen[0].instruction if chosen else ""


def _prefill(actor, kind: str, document) -> dict:
    """The form's initial values from the source document."""
    initial = {"source_kind": kind, "source_document_id": document.pk,
               "source_code": document.code, "title": document.subject[:500]}
    if kind == SourceKind.INCOMING:
        initial.update({
            "guidance": _instruction(document, actor)[:5000],
            "priority": Priority.NORMAL if document.urgency == "normal" else Priority.URGENT,
            "due_date": document.handling_due_date or document.due_date})
    return initial


def _agency(agencies: list, raw, source_doc=None):
    """The agency chosen (``agency``), else the source document's, else the first."""
    by_pk = {a.pk: a for a in agencies}
    raw = str(raw or "")
    if raw.isdigit() and len(raw) < 12 and int(raw) in by_pk:
        return by_pk[int(raw)]
    if source_doc is not None and getattr(source_doc, "agency_id", None) in by_pk:
        return by_pk[source_doc.agency_id]
    return agencies[0]


def _choices(agency):
    # The agency itself is who gives: its units and people carry the directive out.
    units = [u for u in common.units_under(agency) if u.pk != agency.pk] or [agency]
    unit_choices = [(f"u{u.pk}", u.name) for u in units]
    return unit_choices + common.people_under(agency), unit_choices


def apply_error(form: GiveForm, err: AppError, chosen_support: list[str]) -> None:
    placed = False
    for name, msgs in (err.fields or {}).items():
        match = _INDEXED.match(name)
        if match:
            role, index, due = match.group(1), int(match.group(2)), match.group(3)
            if role == "support" and due and index < len(chosen_support):
                form.support_due_errors.setdefault(chosen_support[index], []).extend(msgs)
                form.add_error(None, msgs[0])
            else:
                for m in msgs:
                    form.add_error(role, m)
            placed = True
            continue
        target = ALIASES.get(name, name)
        if target == "lead" and not form.cleaned_data.get("lead"):
            msgs = [_("Choose the lead unit or person.")]  # the API's words name its fields
        if target == "due_date" and not form.cleaned_data.get("due_date") \
                and not form.data.get("due_date"):
            msgs = [_("Enter the deadline, or choose a recurrence.")]
        if target in form.fields:
            for m in msgs:
                form.add_error(target, m)
            placed = True
    if not placed:
        form.add_error(None, err.message)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def give_page(request):
    agencies = common.give_agencies(request.user)
    if not agencies:
        raise DjangoPermissionDenied(_("You may not give directives."))
    status, source_doc, initial = 200, None, {}
    if request.method != "POST":
        for kind in (SourceKind.INCOMING, SourceKind.OUTGOING):
            raw = request.GET.get(kind.value) or ""
            if raw.isdigit() and len(raw) < 12:
                source_doc = _source_document(request.user, kind, int(raw))
                if source_doc is not None:
                    initial = _prefill(request.user, kind, source_doc)
                break
    agency = _agency(agencies, request.POST.get("agency") if request.method == "POST"
                     else request.GET.get("agency"), source_doc)
    leads, units = _choices(agency)
    if request.method == "POST":
        form = GiveForm(request.POST, request.FILES, leads=leads, units=units)
        if form.is_valid():
            c = form.cleaned_data
            data = form.service_data()
            kind = data["source_kind"]
            doc_id = c.get("source_document_id")
            if kind in (SourceKind.INCOMING, SourceKind.OUTGOING, SourceKind.PLAN):
                source_doc = _source_document(request.user, kind, doc_id, c.get("source_code"))
                if source_doc is None:
                    form.add_error("source_code", _("No such document, or you may not see it."))
            if form.is_valid():
                stored = []
                try:
                    with transaction.atomic():
                        stored = [file_store(actor=request.user, upload=u)
                                  for u in c.get("attachments") or []]
                        d = records.directive_create(
                            actor=request.user, agency_id=agency.pk, files=stored,
                            source_document_id=source_doc.pk if source_doc else None, **data)
                except PermissionDenied as err:
                    act._forget(stored)
                    raise DjangoPermissionDenied(err.message) from err
                except AppError as err:
                    act._forget(stored)
                    apply_error(form, err, list(c.get("support") or []))
                else:
                    messages.success(request, _("The directive %(code)s was given.")
                                     % {"code": d.code})
                    return redirect("directives:detail", pk=d.pk)
        status = 422
    else:
        form = GiveForm(initial={"priority": Priority.NORMAL, "recurrence": Recurrence.NONE,
                                 "source_kind": SourceKind.NONE, **initial},
                        leads=leads, units=units)
    dues = form.support_dues() if form.is_bound else {}
    support_rows = [{"value": v, "label": label, "checked": v in (form["support"].value() or []),
                     "due": dues.get(v, ""), "errors": form.support_due_errors.get(v, [])}
                    for v, label in form.fields["support"].choices]
    source_url = ""
    if source_doc is not None:
        name = ("documents:incoming_detail" if source_doc._meta.model_name == "incomingdocument"
                else "documents:outgoing_detail")
        source_url = reverse(name, args=[source_doc.pk])
    return render(request, "directives/give.html",
                  {"form": form, "agency": agency, "agencies": agencies,
                   "support_rows": support_rows, "source_doc": source_doc,
                   "source_url": source_url}, status=status)
