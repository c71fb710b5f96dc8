"""Staff API of dossiers under /api/v1/onestop/dossiers (issue 10 contract): intake (JSON, or
multipart with a `data` JSON field and `files`), the actions, and one dossier."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import SuspiciousOperation
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from egov.core.api import ERRORS, ErrorOut
from egov.core.errors import AppError, InvalidInput, NotFound
from egov.core.jsonlimits import loads_limited
from egov.core.models import OrgUnit
from egov.core.text import clean_data

from ..models import NATIONAL_CHANNEL, Channel, DossierState
from ..selectors import dossiers as sel
from ..services import intake, processing

router = Router(tags=["onestop dossiers"])
ERRORS_409 = {**ERRORS, 409: ErrorOut}


class IntakeOut(Schema):
    code: str
    status: str
    received_at: dt.datetime | None = None
    due_at: dt.datetime | None = None
    receipt_url: str = ""
    slip_url: str = ""
    missing: list[dict] = []


class DossierOut(Schema):
    code: str
    status: str
    national_status: int
    national_channel: int
    channel: str
    procedure_code: str
    procedure_name: str
    agency: str
    competent_unit: str
    received_at: dt.datetime | None = None
    forward_by: dt.datetime | None = None
    due_at: dt.datetime | None = None
    original_due_at: dt.datetime | None = None
    rescheduled_at: dt.datetime | None = None
    paused_since: dt.datetime | None = None
    paused_days: int
    supplement_requests: int
    current_step: int
    resolved_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None
    outcome: str = ""
    returned_at: dt.datetime | None = None
    steps: list[dict] = []
    handovers: list[dict] = []
    pauses: list[dict] = []
    events: list[dict] = []


def slip_url(slip) -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("onestop:slip_pdf", kwargs={"pk": slip.pk})
    except NoReverseMatch:
        return f"/onestop/slips/{slip.pk}.pdf"


def _local(value):
    """Times in the answer in Vietnamese time (+07:00), whichever way they were read."""
    from egov.core.calendar import localtime

    if isinstance(value, dt.datetime):
        return localtime(value)
    if isinstance(value, dict):
        return {k: _local(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_local(v) for v in value]
    return value


def _intake_out(result) -> dict:
    d = result.dossier
    url = slip_url(result.slip)
    return _local({"code": d.code, "status": result.status, "received_at": d.received_at,
            "due_at": d.due_at, "receipt_url": url if d.state == DossierState.RECEIVED else "",
            "slip_url": url, "missing": result.missing})


def _json_body(request) -> dict:
    try:
        data = loads_limited(request.body or b"{}")
    except ValueError:
        raise AppError("malformed_body", _("The request body is not valid JSON."),
                       status=400) from None
    if not isinstance(data, dict):
        raise InvalidInput(_("The request body must be a JSON object."))
    return clean_data(data)


def _multipart(request) -> tuple[dict, dict]:
    """(data, {component code: upload}): the `data` JSON field and the files — parts named
    `file.<component code>`, or `files` parts named by a component's "file" (file name)."""
    try:
        files, form = request.FILES, request.POST
    except (MultiPartParserError, SuspiciousOperation):
        raise AppError("malformed_body", _("The request body is not valid multipart form "
                                           "data."), status=400) from None
    if "data" not in form:
        raise InvalidInput(_("Check the highlighted fields."),
                           fields={"data": [_("This field is required.")]})
    try:
        data = loads_limited(form["data"], field="data")
    except (TypeError, ValueError):
        data = None
    if not isinstance(data, dict):
        raise InvalidInput(_("Check the highlighted fields."),
                           fields={"data": [_("Send the dossier's data as a JSON object.")]})
    data = clean_data(data)
    uploads = {k[5:]: files[k] for k in files if k.startswith("file.")}
    named = {f.name: f for f in files.getlist("files")}
    for comp in data.get("components") or []:
        if isinstance(comp, dict) and comp.get("file") in named:
            uploads[str(comp.get("code"))] = named.pop(comp["file"])
    if named:
        raise InvalidInput(_("Check the highlighted fields."), fields={
            "files": [_("No component names the file %(name)s.") % {"name": n}
                      for n in sorted(named)]})
    return data, uploads


def _agency(actor, agency_id) -> OrgUnit:
    agencies = sel.desk_agencies(actor)
    if agency_id is not None:
        for a in agencies:
            if a.pk == agency_id:
                return a
        raise InvalidInput(_("Check the highlighted fields."),
                           fields={"agency_id": [_("Choose a unit where you receive dossiers.")]})
    if not agencies:
        from egov.core.errors import PermissionDenied

        raise PermissionDenied()
    return agencies[0]


INTAKE_BODY = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": {"type": "object", "required": ["procedure_code",
                                                                    "applicant", "components"]}},
    "multipart/form-data": {"schema": {"type": "object", "required": ["data"], "properties": {
        "data": {"type": "string", "description": "The dossier as a JSON object"},
        "files": {"type": "array", "items": {"type": "string", "format": "binary"}}}}}}}}


@router.post("/dossiers", response={201: IntakeOut, **ERRORS_409}, openapi_extra=INTAKE_BODY,
             summary="Receive a dossier")
def create(request):
    """`{"procedure_code", "applicant": {"kind", "full_name", "personal_id" | "tax_code",
    "phone", "email", "address"}, "representative", "components": [{"code", "provided"}],
    "channel", "request_content", "copies", "result_delivery", "refuse_reason", "agency_id"}`
    → 201 with `status` received / supplement_requested / refused."""
    if request.content_type == "multipart/form-data":
        data, uploads = _multipart(request)
    else:
        data, uploads = _json_body(request), {}
    agency_id = data.get("agency_id")
    if agency_id is not None and (isinstance(agency_id, bool) or not isinstance(agency_id, int)):
        raise InvalidInput(_("Check the highlighted fields."),
                           fields={"agency_id": [_("Enter a whole number.")]})
    agency = _agency(request.auth, agency_id)
    result = intake.dossier_intake(
        actor=request.auth, agency=agency, procedure_code=str(data.get("procedure_code") or ""),
        applicant=data.get("applicant"), representative=data.get("representative"),
        components=data.get("components", []), channel=data.get("channel") or "counter",
        request_content=data.get("request_content") or "", copies=data.get("copies", 1),
        result_delivery=data.get("result_delivery") or "counter",
        refuse_reason=data.get("refuse_reason") or "", files=uploads)
    return Status(201, _intake_out(result))


def dossier_out(detail) -> dict:
    d = detail.dossier
    return _local({
        "code": d.code, "status": d.state, "national_status": d.national_status,
        "national_channel": NATIONAL_CHANNEL[Channel(d.channel)], "channel": d.channel,
        "procedure_code": d.procedure.code, "procedure_name": d.version.name,
        "agency": d.agency.name, "competent_unit": d.competent_unit.name,
        "received_at": d.received_at, "forward_by": d.forward_by, "due_at": d.due_at,
        "original_due_at": d.original_due_at, "rescheduled_at": d.rescheduled_at,
        "paused_since": d.paused_since, "paused_days": d.paused_days,
        "supplement_requests": d.supplement_requests, "current_step": d.current_step,
        "resolved_at": d.resolved_at, "ended_at": d.ended_at, "outcome": d.outcome,
        "returned_at": d.returned_at,
        "steps": [{"step_no": s.step_no, "name": s.name, "unit": s.unit_name,
                   "due_at": s.due_at, "received_at": s.received_at,
                   "handed_at": s.handed_at, "outcome": s.outcome, "current": s.current}
                  for s in detail.steps],
        "handovers": [{"step_no": h.step_no, "name": h.name, "unit": h.unit.name,
                       "received_at": h.received_at, "due_at": h.due_at,
                       "handed_at": h.handed_at, "outcome": h.outcome}
                      for h in detail.handovers],
        "pauses": [{"started_at": p.started_at, "ended_at": p.ended_at, "items": p.items}
                   for p in detail.pauses],
        "events": [{"at": e.at, "kind": e.kind, "state": e.state, "note": e.note,
                    "public": e.public, "details": e.details} for e in detail.events],
    })


@router.get("/dossiers/{code}", response={200: DossierOut, **ERRORS}, summary="A dossier")
def get(request, code: str):
    return dossier_out(sel.dossier_detail(actor=request.auth, code=code))


# body keys each action takes (anything else is ignored)
ACTION_KEYS = {
    "forward": ("note", "step"),
    "request-supplement": ("items", "reason"),
    "supplement-received": ("note", "components"),
    "apologise": ("new_due", "reason"),
    "resolve": ("medium", "number", "note"),
    "return": ("via", "note"),
    "stop": ("reason",),
    "withdraw": ("reason",),
    "accept": ("components",),
    "refuse": ("reason",),
}


@router.post("/dossiers/{code}/{action}", response={200: DossierOut, **ERRORS_409},
             summary="An action on a dossier")
def act(request, code: str, action: str):
    """`forward`, `request-supplement`, `supplement-received`, `apologise`, `resolve` (JSON
    `{"medium": "paper", "number"}`, or multipart with `data` and the PDF in `file`),
    `return`, `stop`, `withdraw`, `accept`, `refuse`; 409 `invalid_state` naming the state."""
    if action not in ACTION_KEYS:
        raise NotFound()
    upload = None
    if request.content_type == "multipart/form-data":
        data, _files = _multipart(request)
        upload = request.FILES.get("file")
    else:
        data = _json_body(request) if (request.body or b"").strip() else {}
    kwargs = {k: data[k] for k in ACTION_KEYS[action] if k in data}
    if action == "resolve":
        kwargs["upload"] = upload
    if action == "accept":
        intake.dossier_accept(actor=request.auth, code=code, **kwargs)
    elif action == "refuse":
        intake.dossier_refuse(actor=request.auth, code=code, reason=kwargs.get("reason", ""))
    else:
        required = {"request-supplement": {"items": None},
                    "apologise": {"new_due": None, "reason": ""}, "stop": {"reason": ""}}
        processing.ACTIONS[action](actor=request.auth, code=code,
                                   **{**required.get(action, {}), **kwargs})
    return dossier_out(sel.dossier_detail(actor=request.auth, code=code))
