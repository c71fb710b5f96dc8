"""The action forms of the directive page: progress (the lead, and a supporting participant on
its own row), extension request and decision, completion report, accept / return, split into a
part for the lead unit, cancel. `available()` lists what the user may do now (the access rules
of selectors/access.py and the state); `handle_post()` runs one through its service and puts the
service's messages by their fields (nothing is changed on an error)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from egov.core.errors import AppError, InvalidInput
from egov.core.files import file_store

from .. import forms as f
from ..models import DirectiveState, ExtensionState
from ..selectors import access
from . import common

OPEN, SUBMITTED = DirectiveState.OPEN, DirectiveState.SUBMITTED


@dataclass(frozen=True)
class Spec:
    key: str
    label: object
    button: object
    done: object
    form: type
    danger: bool = False
    multipart: bool = False
    help: object = None


SPECS: dict[str, Spec] = {s.key: s for s in [
    Spec("progress", _("Report progress"), _("Send the report"), _("Progress reported."),
         f.ProgressForm, multipart=True),
    Spec("support", _("Report progress on my part"), _("Send the report"),
         _("Progress reported."), f.ProgressForm, multipart=True,
         help=_("Your unit supports the lead: report against your own deadline.")),
    Spec("extension", _("Ask for an extension"), _("Send the request"),
         _("The extension request was sent to the giver."), f.ExtensionRequestForm),
    Spec("decide", _("Decide the extension request"), _("Record the decision"),
         _("The decision was recorded."), f.ExtensionDecideForm),
    Spec("complete", _("Report completion"), _("Report done"),
         _("Completion reported; the giver will accept it or return it."), f.CompletionForm,
         multipart=True),
    Spec("accept", _("Accept the result"), _("Accept"), _("The directive is done."), f.NoteForm),
    Spec("return", _("Return the result"), _("Return"),
         _("Returned to the lead; the directive is open again."), f.ReturnForm, danger=True),
    Spec("split", _("Split off a part (sub-directive)"), _("Give the part"),
         _("The part was given."), f.SplitForm,
         help=_("A part of the work for a division or a person of the lead unit; its progress "
                "counts in this directive's.")),
    Spec("cancel", _("Cancel the directive"), _("Cancel the directive"),
         _("The directive was cancelled."), f.CancelForm, danger=True),
]}


def pending_extension(d):
    for e in d.extensions.all():
        if e.state == ExtensionState.PENDING:
            return e
    return None


def _offered(key: str, actor, d, row=None) -> bool:
    if d.is_template:
        return key == "cancel" and d.state == OPEN and access.may_decide(actor, d)
    if key == "progress":
        return d.state == OPEN and access.may_handle(actor, d)
    if key == "support":
        return d.state == OPEN and row is not None
    if key == "extension":
        return (d.state == OPEN and d.due_date is not None and pending_extension(d) is None
                and access.may_handle(actor, d))
    if key == "decide":
        return pending_extension(d) is not None and d.state in (OPEN, SUBMITTED) \
            and access.may_decide(actor, d)
    if key == "complete":
        return d.state == OPEN and access.may_handle(actor, d)
    if key in ("accept", "return"):
        return d.state == SUBMITTED and access.may_decide(actor, d)
    if key == "split":
        return d.state == OPEN and access.may_split(actor, d)
    if key == "cancel":
        return d.state in (OPEN, SUBMITTED) and access.may_decide(actor, d)
    return False


def split_leads(d) -> list[tuple[str, str]]:
    units = [(f"u{u.pk}", u.name) for u in common.units_under(d.lead_unit, limit=300)]
    return units + common.people_under(d.lead_unit, limit=300)


def make_form(spec: Spec, d, data=None, files=None, *, prefix: str | None = None):
    kwargs = {"prefix": prefix or spec.key}
    if spec.form is f.SplitForm:
        kwargs["leads"] = split_leads(d)
    if data is None:
        return spec.form(**kwargs)
    return spec.form(data, files, **kwargs)


def _entry(spec: Spec, form, key: str, *, opened: bool, title=None, row=None) -> dict:
    return {"key": key, "label": title or spec.label, "button": spec.button, "form": form,
            "danger": spec.danger, "help": spec.help, "open": opened,
            "multipart": spec.multipart, "row": row}


def available(*, actor, directive, bound: dict | None = None) -> list[dict]:
    """The actions offered to `actor` on `directive`, with their (bound or fresh) forms."""
    bound = bound or {}
    out = []
    for spec in SPECS.values():
        if spec.key == "support":
            if directive.state != OPEN or directive.is_template:
                continue
            for row in access.participant_rows_for(actor, directive):
                key = f"support-{row.pk}"
                form = bound.get(key) or make_form(spec, directive, prefix=key)
                title = gettext("Report progress for %(unit)s") % {
                    "unit": row.unit.name if row.user_id is None else
                    (row.user.get_full_name() or row.user.username)}
                out.append(_entry(spec, form, key, opened=key in bound, title=title, row=row))
            continue
        if not _offered(spec.key, actor, directive):
            continue
        form = bound.get(spec.key) or make_form(spec, directive)
        entry = _entry(spec, form, spec.key, opened=spec.key in bound)
        if spec.key == "decide":  # what is being decided, beside the decision
            pending = pending_extension(directive)
            entry["help"] = gettext("Asked by %(who)s: until %(date)s (now %(due)s). Reason: "
                                    "%(reason)s") % {
                "who": pending.requested_by.get_full_name() or pending.requested_by.username,
                "date": pending.proposed_date.strftime("%d/%m/%Y"),
                "due": pending.due_date_before.strftime("%d/%m/%Y"), "reason": pending.reason}
        out.append(entry)
    return out


# --- running an action ---------------------------------------------------------------------------

# Names the services give a field error under → the form's field.
FIELD_ALIASES = {"file": "files", "upload": "files", "result_document_id": "result_code",
                 "proposed_due_date": "proposed_date", "approve": "decision",
                 "request_id": "decision", "decided_date": "decision", "lead_unit": "lead",
                 "assignee_id": "percent"}


def apply_error(form, err: AppError) -> None:
    placed = False
    for name, msgs in (err.fields or {}).items():
        target = FIELD_ALIASES.get(name, name)
        if target == "lead" and not (getattr(form, "cleaned_data", None) or {}).get("lead"):
            msgs = [gettext("Choose who carries out the part.")]  # not the API's field names
        if target in form.fields:
            for msg in msgs:
                form.add_error(target, msg)
            placed = True
    if not placed:
        form.add_error(None, err.message)


def _store(actor, uploads) -> list:
    return [file_store(actor=actor, upload=u) for u in uploads]


def _forget(stored) -> None:
    """The action failed and its transaction rolled back: remove the stored bytes too."""
    for s in stored:
        try:
            default_storage.delete(s.file.name)
        except OSError:  # pragma: no cover - storage trouble; the orphan is harmless
            pass


def _result_document_id(actor, code: str):
    from egov.documents.models import OutgoingDocument, OutgoingState

    code = " ".join((code or "").split())
    if not code:
        return None
    pk = (OutgoingDocument.objects.filter(code__iexact=code, state=OutgoingState.ISSUED)
          .order_by("-issued_date", "-pk").values_list("pk", flat=True).first())
    if pk is None:
        message = gettext("No issued document has this number and notation.")
        raise InvalidInput(message, fields={"result_code": [message]})
    return pk


def _run(key: str, *, actor, d, form, row=None) -> None:
    from ..services import completion, extensions, lifecycle, progress, records

    c = form.cleaned_data
    if key in ("progress", "support"):
        stored = []
        try:
            with transaction.atomic():
                stored = _store(actor, c.get("files") or [])
                progress.progress_report(actor=actor, directive_id=d.pk, percent=c["percent"],
                                         text=c.get("text") or "", files=stored,
                                         assignee_id=row.pk if row is not None else None)
        except BaseException:
            _forget(stored)
            raise
    elif key == "extension":
        extensions.extension_request(actor=actor, directive_id=d.pk,
                                     reason=c.get("reason") or "",
                                     proposed_date=c.get("proposed_date"))
    elif key == "decide":
        pending = pending_extension(d)
        extensions.extension_decide(actor=actor, directive_id=d.pk, request_id=pending.pk,
                                    approve=c["decision"] == "approve", note=c.get("note") or "")
    elif key == "complete":
        doc_id = _result_document_id(actor, c.get("result_code") or "")
        stored = []
        try:
            with transaction.atomic():
                stored = _store(actor, c.get("files") or [])
                completion.completion_report(actor=actor, directive_id=d.pk,
                                             result_text=c.get("result_text") or "",
                                             files=stored, result_document_id=doc_id)
        except BaseException:
            _forget(stored)
            raise
    elif key == "accept":
        completion.completion_accept(actor=actor, directive_id=d.pk, note=c.get("note") or "")
    elif key == "return":
        completion.completion_return(actor=actor, directive_id=d.pk, note=c["note"])
    elif key == "split":
        records.directive_create(actor=actor, parent=d, title=c.get("title") or "",
                                 content=c.get("content") or "",
                                 lead=f.party_spec(c.get("lead") or "") or {},
                                 due_date=c.get("due_date"),
                                 weight=c.get("weight") if c.get("weight") is not None else 1)
    elif key == "cancel":
        lifecycle.directive_cancel(actor=actor, directive_id=d.pk, reason=c.get("reason") or "")



def resolve(actor, directive, action: str):
    """(spec, row) for an action slug the user may use now; (spec, None) for the lead's own
    actions; (None, None) for an unknown slug; raises LookupError when not offered."""
    if action.startswith("support-"):
        rid = action[len("support-"):]
        spec = SPECS["support"]
        if not rid.isdigit() or len(rid) > 12:
            return None, None
        rows = [r for r in access.participant_rows_for(actor, directive) if r.pk == int(rid)]
        if not rows or not _offered("support", actor, directive, rows[0]):
            raise LookupError(spec)
        return spec, rows[0]
    spec = SPECS.get(action)
    if spec is None or action == "support":
        return None, None
    if not _offered(action, actor, directive):
        raise LookupError(spec)
    return spec, None


def perform(request, directive, action: str, spec: Spec, row) -> tuple[object, bool, int]:
    """Validate and run; (form, done, status)."""
    form = make_form(spec, directive, request.POST, request.FILES, prefix=action)
    if not form.is_valid():
        return form, False, 422
    try:
        _run(spec.key, actor=request.user, d=directive, form=form, row=row)
    except AppError as err:
        if err.status == 404:
            raise
        apply_error(form, err)
        return form, False, err.status if 400 <= err.status < 500 else 422
    return form, True, 200
