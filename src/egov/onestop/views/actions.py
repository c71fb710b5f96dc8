"""The dossier page's actions: which are offered (state × the user's permissions, the table of
docs/onestop.md), their forms, the confirmation of irreversible ones, and the one service call
each makes."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from egov.core import policy

from ..forms import (
    ApologiseForm,
    NoteForm,
    ReasonForm,
    ResolveForm,
    ReturnForm,
    SupplementRequestForm,
)
from ..models import Dossier, DossierState
from ..services import workflow as wf
from . import support

S = DossierState


@dataclass(frozen=True)
class Spec:
    key: str
    label: object
    button: object
    done: object
    form: type
    states: frozenset
    perm: str
    danger: bool = False
    confirm: object = None  # the confirmation checkbox's label for irreversible actions
    multipart: bool = False
    help: object = None


def _spec(key, label, button, done, form, states, perm, **kw) -> Spec:
    return Spec(key, label, button, done, form, frozenset(states), perm, **kw)


SPECS: dict[str, Spec] = {s.key: s for s in [
    _spec("accept", _("Accept the online application"), _("Accept"), _("Accepted."),
          NoteForm, [S.SUBMITTED], support.RECEIVE,
          help=_("The components are checked as submitted; a missing required one gives the "
                 "supplement guidance (Form 02).")),
    _spec("supplement-received", _("Supplement received"), _("Record the supplement"),
          _("Supplement recorded; the promised date is moved."), NoteForm,
          [S.GUIDANCE, S.SUPPLEMENT], support.RECEIVE,
          help=_("The clock starts again; the promised date moves by the working days paused.")),
    _spec("forward", _("Forward to the next step"), _("Forward"), _("Forwarded."), NoteForm,
          [S.RECEIVED, S.PROCESSING], support.PROCESS),
    _spec("request-supplement", _("Request a supplement"), _("Request the supplement"),
          _("Supplement requested; the clock is paused."), SupplementRequestForm,
          [S.RECEIVED, S.PROCESSING], support.PROCESS,
          help=_("List everything missing at once: the applicant gets one request (Form 02).")),
    _spec("apologise", _("Apologise and give a new date (Form 04)"), _("Issue the apology"),
          _("Apology issued."), ApologiseForm, [S.RECEIVED, S.PROCESSING, S.SUPPLEMENT],
          support.DECIDE, help=_("At most once, before the promised date.")),
    _spec("resolve", _("Resolve: record the result"), _("Record the result"),
          _("Result recorded."), ResolveForm, [S.PROCESSING], support.DECIDE,
          confirm=_("I confirm the result; this cannot be undone."), multipart=True),
    _spec("return", _("Return the result"), _("Return the result"), _("Result returned."), ReturnForm,
          [S.RESOLVED], support.RECEIVE,
          confirm=_("I confirm the result was handed over; this cannot be undone.")),
    _spec("refuse", _("Refuse the application (Form 03)"), _("Refuse"), _("Refused."),
          ReasonForm, [S.SUBMITTED, S.GUIDANCE], support.RECEIVE, danger=True,
          confirm=_("I confirm the refusal; this cannot be undone.")),
    _spec("stop", _("Stop at the applicant's request (Form 05)"), _("Stop"), _("Stopped."),
          ReasonForm, [S.RECEIVED, S.PROCESSING, S.SUPPLEMENT], support.DECIDE, danger=True,
          confirm=_("I confirm stopping the dossier; this cannot be undone.")),
    _spec("withdraw", _("Withdraw at the applicant's request"), _("Withdraw"), _("Withdrawn."),
          ReasonForm, [S.SUBMITTED, S.GUIDANCE, S.RECEIVED, S.PROCESSING, S.SUPPLEMENT],
          support.RECEIVE, danger=True,
          confirm=_("I confirm the withdrawal; this cannot be undone.")),
]}


def dossier_for(*, actor, code: str) -> Dossier:
    """The dossier by code if visible to the actor (NotFound otherwise)."""
    from ..selectors import dossiers as sel

    return sel.dossier_get(actor=actor, code=code)


def _open_handover(dossier: Dossier):
    if not hasattr(dossier, "_open_handover"):
        dossier._open_handover = (dossier.handovers.filter(handed_at__isnull=True)
                                  .select_related("unit").order_by("-received_at", "-id")
                                  .first())
    return dossier._open_handover


def _permitted(actor, spec: Spec, dossier: Dossier) -> bool:
    """The services' own checks (services/processing.py, services/intake.py), asked before
    the form is shown: the desk's actions need `onestop.receive` on the centre; forwarding a
    step and asking for a supplement need the step (`workflow.may_process`) — or, before the
    first step, the desk; resolve, apologise and stop need `onestop.decide`."""
    receive = policy.can(actor, support.RECEIVE, dossier.agency)
    if spec.perm == support.DECIDE:
        return (policy.can(actor, support.DECIDE, dossier.competent_unit)
                or policy.can(actor, support.DECIDE, dossier.agency))
    if spec.key in ("forward", "request-supplement"):
        if dossier.state == S.RECEIVED and receive:
            return True
        if spec.key == "forward" and dossier.state == S.RECEIVED:
            return False
        return wf.may_process(actor, dossier, _open_handover(dossier))
    return receive


def _offered(actor, spec: Spec, dossier: Dossier) -> bool:
    if dossier.state not in spec.states or not _permitted(actor, spec, dossier):
        return False
    if spec.key == "apologise":
        return dossier.rescheduled_at is None and dossier.due_at is not None
    if spec.key == "forward" and dossier.state == S.PROCESSING:
        # the last step's "forward" is resolve
        return dossier.current_step < _step_count(dossier)
    return True


def _step_count(dossier: Dossier) -> int:
    cached = getattr(dossier, "_step_count", None)
    if cached is None:
        cached = dossier.version.steps.count()
        dossier._step_count = cached
    return cached


def make_form(spec: Spec, dossier: Dossier, data=None, files=None):
    kwargs = {}
    if spec.form is SupplementRequestForm:
        kwargs["components"] = list(dossier.version.components.all())
    # Each form has its prefix: several forms share the page, their ids must not clash.
    form = spec.form(data, files, prefix=spec.key, **kwargs) if data is not None \
        else spec.form(prefix=spec.key, **kwargs)
    if spec.form is ReturnForm and data is None:
        form.initial["via"] = dossier.result_delivery
    if spec.confirm:
        form.fields["confirm"] = forms.BooleanField(label=spec.confirm, required=False)
    return form


def confirmed(spec: Spec, form) -> bool:
    if not spec.confirm:
        return True
    if form.cleaned_data.get("confirm"):
        return True
    form.add_error("confirm", gettext("Tick the box to confirm."))
    return False


def available(*, actor, dossier: Dossier, bound: dict | None = None) -> list[dict]:
    bound = bound or {}
    out = []
    for spec in SPECS.values():
        if not _offered(actor, spec, dossier):
            continue
        form = bound.get(spec.key) or make_form(spec, dossier)
        out.append({"key": spec.key, "label": spec.label, "button": spec.button,
                    "form": form, "danger": spec.danger, "multipart": spec.multipart,
                    "help": spec.help, "open": spec.key in bound})
    return out


# Names the services give a field error under → the action form's field.
FIELD_ALIASES = {"new_due": "new_date", "upload": "file", "other_items": "other_items"}


def apply_error(form, err) -> None:
    """A service error on the action's form: field messages by their fields, the rest on top."""
    placed = False
    for name, msgs in (getattr(err, "fields", None) or {}).items():
        target = FIELD_ALIASES.get(name, name)
        if target in form.fields:
            for msg in msgs:
                form.add_error(target, msg)
            placed = True
    if not placed:
        form.add_error(None, err.message)


def not_offered_message(dossier: Dossier, spec: Spec) -> str:
    return gettext("%(action)s is not possible now: the dossier %(code)s is “%(state)s”.") % {
        "action": spec.label, "code": dossier.code, "state": dossier.get_state_display()}


def run(action: str, *, actor, dossier: Dossier, form, upload=None):
    """The one service call of `action` (services/processing.py, services/intake.py)."""
    from ..services import intake, processing

    d = form.cleaned_data
    code = dossier.code
    if action == "accept":
        return intake.dossier_accept(actor=actor, code=code)
    if action == "refuse":
        return intake.dossier_refuse(actor=actor, code=code, reason=d.get("reason") or "")
    if action == "forward":
        return processing.dossier_forward(actor=actor, code=code, note=d.get("note") or "")
    if action == "request-supplement":
        return processing.dossier_request_supplement(
            actor=actor, code=code, items=form.item_list(), reason=d.get("reason") or "")
    if action == "supplement-received":
        return processing.dossier_supplement_received(actor=actor, code=code,
                                                      note=d.get("note") or "")
    if action == "apologise":
        return processing.dossier_apologise(actor=actor, code=code, new_due=d.get("new_date"),
                                            reason=d.get("reason") or "")
    if action == "resolve":
        return processing.dossier_resolve(
            actor=actor, code=code, medium=d.get("medium") or "", upload=upload,
            number=d.get("number") or "", note=d.get("note") or "")
    if action == "return":
        return processing.dossier_return(actor=actor, code=code, via=d.get("via") or "",
                                         note=d.get("note") or "")
    if action == "stop":
        return processing.dossier_stop(actor=actor, code=code, reason=d.get("reason") or "")
    if action == "withdraw":
        return processing.dossier_withdraw(actor=actor, code=code, reason=d.get("reason") or "")
    raise ValueError(action)


EVENT_LABELS = {
    "submitted": _("Submitted online"), "received": _("Received"),
    "guidance": _("Incomplete: supplement guidance given"), "refused": _("Refused"),
    "accepted": _("Accepted"), "forwarded": _("Forwarded"),
    "supplement_requested": _("Supplement requested"),
    "supplement_received": _("Supplement received"), "apologised": _("Apology issued"),
    "resolved": _("Result ready"), "returned": _("Result returned"), "stopped": _("Stopped"),
    "withdrawn": _("Withdrawn"),
}


def _fixed_notes() -> dict:
    """The services' fixed timeline notes, stored in Vietnamese (data), in the reader's
    language; an officer's own note is shown as written."""
    from ..services import intake, processing

    return {
        intake.NOTE_RECEIVED: _("The dossier was received"),
        intake.NOTE_GUIDANCE: _("The dossier is incomplete: guidance given on what to add"),
        intake.NOTE_REFUSED: _("The dossier was not accepted"),
        processing.NOTES["forward"]: _("The dossier was forwarded for processing"),
        processing.NOTES["request_supplement"]: _("A supplement was requested"),
        processing.NOTES["supplement_received"]: _("The supplement was received"),
        processing.NOTES["apologise"]: _("Apology sent and a new return date set"),
        processing.NOTES["resolve"]: _("The result is ready"),
        processing.NOTES["return"]: _("The result was returned"),
        processing.NOTES["stop"]: _("Processing stopped on request"),
        processing.NOTES["withdraw"]: _("The dossier was withdrawn on request"),
    }


def event_rows(dossier: Dossier) -> list:
    events = list(dossier.events.select_related("actor", "unit").order_by("at", "id"))
    notes = _fixed_notes()
    for e in events:
        label = EVENT_LABELS.get(e.kind)
        e.label = label if label is not None else DossierState(e.state).label
        e.note = notes.get(e.note, e.note)
    return events
