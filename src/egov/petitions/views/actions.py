"""The action forms of the petition page (register, classify, split, assign, accept, not accept,
transfer, extend, suspend, resume, resolve, close, withdraw, file). `available()` lists what the
user may do in the petition's state (the services' own checks, asked before the form is shown);
`handle_post()` performs one through `services.workflow.run` and puts the service's messages by
their fields (422; 409 for a legal refusal). Irreversible actions ask for a confirmation. The
second-instance complaint (`reopen`) is received by the next level through the API."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from egov.core.errors import AppError

from .. import forms_workflow as fw
from ..grounds import GROUNDS
from ..models import PetitionKind
from ..models import PetitionState as S
from ..selectors import workflow as sel
from ..services import flow
from ..services import workflow as wf


@dataclass(frozen=True)
class Spec:
    key: str
    label: object
    button: object
    done: object
    form: type
    states: frozenset
    who: str  # "classify", "decide", "receive", "assign"
    danger: bool = False
    confirm: object = None
    help: object = None


def _spec(key, label, button, done, form, states, who, **kw) -> Spec:
    return Spec(key, label, button, done, form, frozenset(states), who, **kw)


SPECS: dict[str, Spec] = {s.key: s for s in [
    _spec("register", _("Register (vào sổ)"), _("Register"), _("Registered."), fw.NoteForm,
          [S.DRAFT], "receive", help=_("You become the receiving officer of this petition.")),
    _spec("classify", _("Classify"), _("Save the classification"), _("Classified."),
          fw.ClassifyForm, [S.RECEIVED, S.CLASSIFIED], "classify",
          help=_("Each axis has its legal consequence: an anonymous denunciation is not "
                 "processed as a denunciation; a late complaint can only be not accepted "
                 "unless a good reason is recorded; a duplicate is filed or linked.")),
    _spec("split", _("Split a letter mixing kinds"), _("Split"), _("Split into new petitions."),
          fw.SplitForm, [S.RECEIVED, S.CLASSIFIED], "classify",
          confirm=_("I confirm the split; the original is filed with the link."),
          help=_("One new petition per kind (Luật Tiếp công dân, Art.25.3).")),
    _spec("assign", _("Assign"), _("Assign"), _("Assigned."), fw.AssignForm,
          [S.RECEIVED, S.CLASSIFIED, S.ACCEPTED, S.SUSPENDED], "assign"),
    _spec("accept", _("Accept for resolution (thụ lý)"), _("Accept"), _("Accepted."),
          fw.NoteForm, [S.CLASSIFIED], "decide",
          confirm=_("I confirm the acceptance; the resolution period starts now.")),
    _spec("not_accept", _("Do not accept (notice citing the legal ground)"), _("Do not accept"),
          _("Not accepted; the notice was issued."), fw.NotAcceptForm,
          [S.RECEIVED, S.CLASSIFIED], "decide", danger=True,
          confirm=_("I confirm; this cannot be undone.")),
    _spec("transfer", _("Transfer or guide (outside competence, once only)"), _("Transfer"),
          _("Transferred."), fw.TransferForm, [S.CLASSIFIED], "decide",
          confirm=_("I confirm; a petition is transferred or guided only once.")),
    _spec("extend", _("Extend the time limit (decision)"), _("Extend"), _("Extended."),
          fw.ExtendForm, [S.ACCEPTED], "decide",
          help=_("Denunciations: complex once, especially complex twice, each at most 30 "
                 "days (Luật Tố cáo, Art.30).")),
    _spec("suspend", _("Suspend the resolution"), _("Suspend"), _("Suspended."), fw.ReasonForm,
          [S.ACCEPTED], "decide", help=_("The period pauses until the resumption decision.")),
    _spec("resume", _("Resume the resolution"), _("Resume"), _("Resumed; the deadline moved."),
          fw.NoteForm, [S.SUSPENDED], "decide"),
    _spec("resolve", _("Record the result"), _("Record the result"), _("Result recorded."),
          fw.ResolveForm, [S.ACCEPTED], "decide",
          confirm=_("I confirm the result; this cannot be undone.")),
    _spec("close", _("Close the file"), _("Close"), _("Closed."), fw.NoteForm,
          [S.RESOLVED, S.TRANSFERRED, S.NOT_ACCEPTED, S.FILED, S.WITHDRAWN], "close",
          confirm=_("I confirm closing; this cannot be undone.")),
    _spec("withdraw", _("Withdrawn by the petitioner"), _("Record the withdrawal"),
          _("Withdrawal recorded."), fw.ReasonForm,
          [S.RECEIVED, S.CLASSIFIED, S.ACCEPTED, S.SUSPENDED], "receive", danger=True,
          confirm=_("I confirm the withdrawal; this cannot be undone.")),
    _spec("file", _("File without action (lưu đơn)"), _("File"), _("Filed."), fw.FileForm,
          [S.RECEIVED, S.CLASSIFIED], "receive", danger=True,
          confirm=_("I confirm filing; this cannot be undone.")),
]}


def _permitted(actor, spec: Spec, p) -> bool:
    if spec.who == "classify":
        return flow.may_classify(actor, p)
    if spec.who == "decide":
        return flow.may_decide(actor, p)
    if spec.who == "receive":
        return flow.may_receive(actor, p)
    if spec.who == "assign":
        return flow.can_any(actor, [(flow.ASSIGN, p.handling_unit), (flow.ASSIGN, p.agency)])
    if spec.who == "close":
        return flow.may_decide(actor, p) or (p.state != S.RESOLVED and flow.may_receive(actor, p))
    return False


def _offered(actor, spec: Spec, p) -> bool:
    if p.state not in spec.states or not _permitted(actor, spec, p):
        return False
    if spec.key == "extend":
        return p.kind == PetitionKind.DENUNCIATION and p.complexity != "normal"
    if spec.key in ("suspend", "resume"):
        return p.kind == PetitionKind.COMPLAINT
    if spec.key == "not_accept":
        return p.kind in GROUNDS
    if spec.key == "transfer":
        return p.competent is False
    if spec.key == "accept":
        return bool(p.eligible and p.competent)
    return True


def make_form(spec: Spec, p, data=None):
    kwargs = {"prefix": spec.key}
    if spec.form is fw.ClassifyForm:
        kwargs["petition"] = p
    elif spec.form is fw.AssignForm:
        kwargs.update(units=sel.assignable_units(p), officers=sel.assignable_officers(p))
    elif spec.form is fw.NotAcceptForm:
        kwargs["grounds"] = GROUNDS.get(p.kind, {})
    form = spec.form(data, **kwargs) if data is not None else spec.form(**kwargs)
    if spec.confirm:
        form.fields["confirm"] = forms.BooleanField(label=spec.confirm, required=False)
    return form


def available(*, actor, petition, bound: dict | None = None) -> list[dict]:
    """[{"key", "label", "button", "form", "danger", "help", "open"}] — the actions offered."""
    bound = bound or {}
    out = []
    for spec in SPECS.values():
        if not _offered(actor, spec, petition):
            continue
        form = bound.get(spec.key) or make_form(spec, petition)
        out.append({"key": spec.key, "label": spec.label, "button": spec.button, "form": form,
                    "danger": spec.danger, "help": spec.help, "open": spec.key in bound})
    return out


# Names the services give a field error under → the action form's field.
FIELD_ALIASES = {"duplicate_of": "duplicate_code", "unit_id": "unit", "handler_id": "handler",
                 **{f"parts.{i - 1}.{k}": f"part{i}_{k}" for i in (1, 2, 3)
                    for k in ("kind", "content")}, "parts": "part1_kind"}


def apply_error(form, err: AppError) -> None:
    placed = False
    for name, msgs in (err.fields or {}).items():
        target = FIELD_ALIASES.get(name, name)
        if target in form.fields:
            for msg in msgs:
                form.add_error(target, msg)
            placed = True
    if not placed:
        form.add_error(None, err.message)


def handle_post(request, petition, action: str):
    """Perform `action` from the page's form: a redirect to the page when done; the page again
    with the form's errors (422, or 409 for a legal refusal) otherwise; None for an unknown
    action (404)."""
    from .petition import render_petition

    spec = SPECS.get(action)
    if spec is None:
        return None
    url = petition_page(petition)
    if not _offered(request.user, spec, petition):
        messages.error(request, gettext("%(action)s is not possible now: the petition "
                                        "%(code)s is “%(state)s”.")
                       % {"action": spec.label, "code": petition.code,
                          "state": petition.get_state_display()})
        return redirect(url)
    form = make_form(spec, petition, request.POST)
    status = 422
    if form.is_valid():
        if spec.confirm and not form.cleaned_data.get("confirm"):
            form.add_error("confirm", gettext("Tick the box to confirm."))
        else:
            data = form.data_for_service()
            code = form.cleaned_data.get("duplicate_code") or ""
            if code:
                data["duplicate_of"] = sel.same_agency_id(petition, code)
            if code and data["duplicate_of"] is None:
                form.add_error("duplicate_code",
                               gettext("No petition of this agency has this code."))
            else:
                try:
                    wf.run(action, actor=request.user, petition_id=petition.pk, data=data)
                except AppError as err:
                    if err.status == 404:
                        return None
                    apply_error(form, err)
                    status = err.status if 400 <= err.status < 500 else 422
                    petition.refresh_from_db()
                else:
                    messages.success(request, spec.done)
                    return redirect(url)
    return render_petition(request, petition, bound={action: form}, status=status)


def petition_page(petition) -> str:
    from ..services.deadlines import petition_url

    return petition_url(petition)
