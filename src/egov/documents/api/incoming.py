"""API of incoming documents under /api/v1/documents/incoming (the contract of issue 3).

Handlers are thin: parse, call one service or selector, shape the output. Errors have the one
shape {"code", "message", "fields"}; a secret document is refused with code "secret_document",
a possible duplicate with code "duplicate" (send "confirm_duplicate": true to register it
anyway), a withdrawn (recalled) document's file with 410 "withdrawn".
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import SuspiciousOperation
from django.http import FileResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from egov.core.api import BIGINT, ERRORS, ErrorOut
from egov.core.api_openapi import CURSOR_PATTERN, file_response
from egov.core.errors import AppError, InvalidInput
from egov.core.files import file_open
from egov.core.jsonlimits import loads_limited
from egov.core.schemas import InputSchema

from ..models import IncomingDocument, IncomingState
from ..selectors import incoming as sel
from ..services import incoming as svc

router = Router(tags=["incoming documents"])

ERRORS_409 = {**ERRORS, 409: ErrorOut, 410: ErrorOut}


# --- schemas ------------------------------------------------------------------------------------


class Ref(Schema):
    id: int | None = None
    name: str


class IncomingOut(Schema):
    id: int
    agency: Ref
    year: int
    arrival_number: int
    arrival_date: dt.datetime
    channel: str
    state: str
    withdrawn: bool = Field(False, description="Recalled by the issuer: content withdrawn.")
    duplicate_of: int | None = None
    code: str = ""
    number: str = ""
    notation: str = ""
    issuer_name: str = ""
    issuer_electronic_id: str = ""
    issued_date: dt.date | None = None
    type_code: str = ""
    type_name: str = ""
    subject: str = ""
    signer_name: str = ""
    signer_position: str = ""
    urgency: str
    page_count: int | None = None
    due_date: dt.date | None = None
    description: str = ""
    handling_due_date: dt.date | None = None
    signature_status: str = ""
    source_id: int | None = None
    completed_at: dt.datetime | None = None
    completed_by_reply_id: int | None = None
    cancelled_at: dt.datetime | None = None
    cancel_reason: str = ""
    returned_at: dt.datetime | None = None
    return_reason: str = ""
    url: str
    file_url: str | None = None


class AssignmentOut(Schema):
    id: int
    parent_id: int | None = None
    role: str
    assignee_unit: Ref | None = None
    assignee_user: Ref | None = None
    instruction: str = ""
    due_date: dt.date | None = None
    state: str
    outcome: str = ""
    deadline_state: str = "none"
    result: str = ""
    reply_id: int | None = None
    assigned_by: Ref
    assigned_at: dt.datetime
    first_viewed_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None


class IncomingDetailOut(IncomingOut):
    signature_report: dict = {}
    active_content: list[str] = Field(
        [], description="Active content found in the PDF at upload (javascript, launch, "
        "auto_action, submit, embedded_file, xfa, rich_media, unchecked); such a file is "
        "never previewed inline.")
    assignments: list[AssignmentOut] = []


class IncomingPage(Schema):
    items: list[IncomingOut]
    next: str | None = None


class QueueItemOut(IncomingOut):
    default_due: dt.date | None = None


class QueuePage(Schema):
    items: list[QueueItemOut]
    next: str | None = None


class AssignmentPage(Schema):
    items: list[AssignmentOut]
    next: str | None = None


class TrailEventOut(Schema):
    at: dt.datetime
    action: str
    actor: Ref
    unit: str | None = None
    details: dict = {}


class AssignLineIn(InputSchema):
    unit_id: int | None = Field(None, ge=1, le=BIGINT)
    user_id: int | None = Field(None, ge=1, le=BIGINT)
    role: str = Field(..., max_length=16, description='"lead", "support" or "inform"')
    due_date: dt.date | None = None


class AssignIn(InputSchema):
    instruction: str = Field("", max_length=2000)
    assignments: list[AssignLineIn]


class CompleteIn(InputSchema):
    result: str = Field("", max_length=2000)
    reply_id: int | None = Field(None, ge=1, le=BIGINT)


class ForwardIn(InputSchema):
    to_unit_id: int | None = Field(None, ge=1, le=BIGINT)
    to_user_id: int | None = Field(None, ge=1, le=BIGINT)
    reason: str = Field("", max_length=2000)


class ReturnIn(InputSchema):
    reason: str = Field("", max_length=2000)


class ReassignIn(InputSchema):
    to_user_id: int = Field(..., ge=1, le=BIGINT)
    instruction: str = Field("", max_length=2000)
    due_date: dt.date | None = None


# --- shaping ------------------------------------------------------------------------------------


def _ref(obj) -> dict | None:
    if obj is None:
        return None
    name = obj.get_full_name() if hasattr(obj, "get_full_name") else obj.name
    return {"id": obj.pk, "name": name}


def doc_out(doc: IncomingDocument) -> dict:
    """The API shape of a document; a recalled one keeps only its recall metadata
    (Phụ lục VI §III.8)."""
    from django.urls import reverse

    withdrawn = doc.state == IncomingState.CANCELLED
    out = {
        "id": doc.pk, "agency": {"id": doc.agency_id, "name": doc.agency.name},
        "year": doc.year, "arrival_number": doc.arrival_number,
        "arrival_date": doc.arrival_date, "channel": doc.channel, "state": doc.state,
        "withdrawn": withdrawn, "urgency": doc.urgency,
        "cancelled_at": doc.cancelled_at, "cancel_reason": doc.cancel_reason,
        "returned_at": doc.returned_at, "return_reason": doc.return_reason,
        "url": reverse("documents:incoming_detail", args=[doc.pk]),
        "source_id": doc.source_id,
    }
    if withdrawn:
        return out
    out.update({
        "duplicate_of": doc.duplicate_of_id, "code": doc.code, "number": doc.number,
        "notation": doc.notation, "issuer_name": doc.issuer_name,
        "issuer_electronic_id": doc.issuer_electronic_id, "issued_date": doc.issued_date,
        "type_code": doc.doc_type.code, "type_name": doc.doc_type.name,
        "subject": doc.subject, "signer_name": doc.signer_name,
        "signer_position": doc.signer_position, "page_count": doc.page_count,
        "due_date": doc.due_date, "description": doc.description,
        "handling_due_date": doc.handling_due_date, "signature_status": doc.signature_status,
        "completed_at": doc.completed_at, "completed_by_reply_id": doc.completed_by_reply_id,
        "file_url": f"/api/v1/documents/incoming/{doc.pk}/file" if doc.file_id else None,
    })
    return out


def assignment_out(a) -> dict:
    return {
        "id": a.pk, "parent_id": a.parent_id, "role": a.role,
        "assignee_unit": _ref(a.assignee_unit) if a.assignee_unit_id else None,
        "assignee_user": _ref(a.assignee_user) if a.assignee_user_id else None,
        "instruction": a.instruction, "due_date": a.due_date, "state": a.state,
        "outcome": getattr(a, "outcome", ""),
        "deadline_state": getattr(a, "deadline_state", "none"),
        "result": a.result, "reply_id": a.reply_id, "assigned_by": _ref(a.assigned_by),
        "assigned_at": a.assigned_at, "first_viewed_at": a.first_viewed_at,
        "finished_at": a.finished_at,
    }


def _fresh_assignment(document_id: int, assignment_id: int, actor) -> dict:
    doc = sel.incoming_get(actor=actor, id=document_id)
    for a in sel.incoming_assignee_states(doc):
        if a.pk == assignment_id:
            return assignment_out(a)
    return assignment_out(sel.assignment_get(actor=actor, document_id=document_id,
                                             id=assignment_id))


def _parse_data(raw: str) -> dict:
    try:
        data = loads_limited(raw, field="data")
    except (TypeError, ValueError):
        raise InvalidInput(_("Check the highlighted fields."), fields={
            "data": [_("Send the document's data as a JSON object.")]}) from None
    if not isinstance(data, dict):
        raise InvalidInput(_("Check the highlighted fields."), fields={
            "data": [_("Send the document's data as a JSON object.")]})
    return data


def _bool(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return value is True or value == 1


# --- endpoints ----------------------------------------------------------------------------------


REGISTER_BODY = {
    "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file", "data"],
        "properties": {
            "file": {"type": "string", "format": "binary",
                     "description": "The PDF of the document (scan or electronic original)"},
            "data": {"type": "string",
                     "description": "The document's data as a JSON object (see above)"},
        }}}}},
}


@router.post("/incoming", response={201: IncomingOut, **ERRORS}, openapi_extra=REGISTER_BODY,
             summary="Register an incoming document")
def register(request):
    """Multipart: `file` (the PDF) and `data`, a JSON object with issuer_name, issuer_electronic_id,
    number, notation, issued_date (YYYY-MM-DD), type_code, subject, signer_name,
    signer_position, urgency, secrecy ("none" only), page_count, due_date, description,
    channel ("paper" | "electronic"), optionally agency_id (when the clerk registers for several
    agencies) and confirm_duplicate (true to register a possible duplicate).

    The multipart body is read here rather than by Ninja's File/Form parameters, so that a
    broken body (bad boundary, truncated, too many parts) is a 400 `malformed_body`, not a 500.
    """
    try:
        files, form = request.FILES, request.POST
    except (MultiPartParserError, SuspiciousOperation):
        raise AppError("malformed_body", _("The request body is not valid multipart form "
                                           "data."), status=400) from None
    if "data" not in form:
        raise InvalidInput(_("Check the highlighted fields."), fields={
            "data": [_("This field is required.")]})
    payload = _parse_data(form["data"])
    svc._check_secrecy(payload)
    agency = sel.register_agency_for(actor=request.auth, agency_id=payload.get("agency_id"))
    doc = svc.incoming_register(actor=request.auth, agency=agency, file=files.get("file"),
                                data=payload,
                                confirm_duplicate=_bool(payload.get("confirm_duplicate")))
    return Status(201, doc_out(doc))


@router.get("/incoming", response={200: IncomingPage, **ERRORS}, summary="Incoming documents")
def list_incoming(
    request,
    cursor: str | None = Query(None, max_length=1000, pattern=CURSOR_PATTERN),
    limit: int = Query(50, ge=1, le=100),
    state: str | None = Query(None, max_length=16),
    urgency: str | None = Query(None, max_length=16),
    type: str | None = Query(None, max_length=20),
    arrival_from: dt.date | None = None,
    arrival_to: dt.date | None = None,
):
    """What the actor may see, newest arrival first; keyset-paginated with `next`."""
    page = sel.incoming_list(actor=request.auth, cursor=cursor, limit=limit, filters={
        "state": state, "urgency": urgency, "type": type, "arrival_from": arrival_from,
        "arrival_to": arrival_to})
    return {"items": [doc_out(d) for d in page.items], "next": page.next}


@router.get("/incoming/queue", response={200: QueuePage, **ERRORS},
            summary="Documents waiting for my instructions")
def queue(request, cursor: str | None = Query(None, max_length=1000, pattern=CURSOR_PATTERN),
          limit: int = Query(50, ge=1, le=100)):
    """The leader's queue: documents presented in the agencies the actor directs, urgent first,
    with the proposed deadline (`default_due`)."""
    page = sel.incoming_leader_queue(actor=request.auth, cursor=cursor, limit=limit)
    return {"items": [{**doc_out(d), "default_due": d.default_due} for d in page.items],
            "next": page.next}


@router.get("/incoming/mine", response={200: AssignmentPage, **ERRORS},
            summary="My open assignments")
def mine(request, cursor: str | None = Query(None, max_length=1000, pattern=CURSOR_PATTERN),
         limit: int = Query(50, ge=1, le=100)):
    page = sel.incoming_my_assignments(actor=request.auth, cursor=cursor, limit=limit)
    return {"items": [assignment_out(a) for a in page.items], "next": page.next}


@router.get("/incoming/{id}", response={200: IncomingDetailOut, **ERRORS},
            summary="One incoming document (records a view)")
def detail(request, id: int = Path(..., ge=1, le=BIGINT)):
    doc = sel.incoming_get(actor=request.auth, id=id)
    svc.incoming_viewed(actor=request.auth, document=doc)
    out = doc_out(doc)
    if doc.state != IncomingState.CANCELLED:
        out["signature_report"] = doc.signature_report
        out["active_content"] = doc.file.active_content if doc.file_id else []
        out["assignments"] = [assignment_out(a) for a in sel.incoming_assignee_states(doc)]
    return out


@router.get("/incoming/{id}/file", response={200: None, **ERRORS_409},
            openapi_extra=file_response("application/pdf"), summary="The document's PDF (records a download)")
def download(request, id: int = Path(..., ge=1, le=BIGINT)):
    doc = sel.incoming_get(actor=request.auth, id=id)
    if doc.state == IncomingState.CANCELLED or doc.file_id is None:
        raise AppError("withdrawn", _("The issuer has recalled this document; its content is "
                                      "withdrawn."), status=410)
    svc.incoming_downloaded(actor=request.auth, document=doc)
    return FileResponse(file_open(doc.file), content_type="application/pdf",
                        as_attachment=True, filename=doc.file.original_name)


@router.get("/incoming/{id}/trail", response={200: list[TrailEventOut], **ERRORS},
            summary="The document's trail")
def trail(request, id: int = Path(..., ge=1, le=BIGINT)):
    """Every view, download, assignment, forward, return and completion, oldest first."""
    doc = sel.incoming_get(actor=request.auth, id=id)
    system = {"id": None, "name": _("System")}
    return [{"at": e.at, "action": e.action,
             "actor": _ref(e.actor) if e.actor_id else system,
             "unit": e.actor_unit.name if e.actor_unit_id else None,
             "details": e.details} for e in sel.incoming_trail(actor=request.auth, document=doc)]


@router.post("/incoming/{id}/assign", response={200: list[AssignmentOut], **ERRORS_409},
             summary="Give instructions and assign")
def assign(request, payload: AssignIn, id: int = Path(..., ge=1, le=BIGINT)):
    doc = sel.incoming_get(actor=request.auth, id=id)
    created = svc.incoming_assign(
        actor=request.auth, document=doc, instruction=payload.instruction,
        assignments=[line.model_dump(exclude_none=True) for line in payload.assignments])
    states = {a.pk: a for a in sel.incoming_assignee_states(
        sel.incoming_get(actor=request.auth, id=id))}
    return [assignment_out(states.get(a.pk, a)) for a in created]


def _assignment(request, id: int, aid: int):
    return sel.assignment_get(actor=request.auth, document_id=id, id=aid)


@router.post("/incoming/{id}/assignments/{aid}/complete",
             response={200: AssignmentOut, **ERRORS_409}, summary="Complete an assignment")
def complete(request, payload: CompleteIn, id: int = Path(..., ge=1, le=BIGINT),
             aid: int = Path(..., ge=1, le=BIGINT)):
    a = _assignment(request, id, aid)
    reply = sel.reply_get(actor=request.auth, id=payload.reply_id) if payload.reply_id else None
    svc.assignment_complete(actor=request.auth, assignment=a, result=payload.result,
                            reply=reply)
    return _fresh_assignment(id, aid, request.auth)


@router.post("/incoming/{id}/assignments/{aid}/forward",
             response={200: AssignmentOut, **ERRORS_409},
             summary="Forward an assignment to another unit or person")
def forward(request, payload: ForwardIn, id: int = Path(..., ge=1, le=BIGINT),
            aid: int = Path(..., ge=1, le=BIGINT)):
    a = _assignment(request, id, aid)
    new = svc.assignment_forward(actor=request.auth, assignment=a,
                                 to_unit_id=payload.to_unit_id, to_user_id=payload.to_user_id,
                                 reason=payload.reason)
    return _fresh_assignment(id, new.pk, request.auth)


@router.post("/incoming/{id}/assignments/{aid}/return",
             response={200: AssignmentOut, **ERRORS_409},
             summary="Return an assignment with a reason")
def return_(request, payload: ReturnIn, id: int = Path(..., ge=1, le=BIGINT),
            aid: int = Path(..., ge=1, le=BIGINT)):
    a = _assignment(request, id, aid)
    svc.assignment_return(actor=request.auth, assignment=a, reason=payload.reason)
    return _fresh_assignment(id, aid, request.auth)


@router.post("/incoming/{id}/assignments/{aid}/reassign",
             response={200: AssignmentOut, **ERRORS_409},
             summary="Pass a unit's assignment to a person of the unit")
def reassign(request, payload: ReassignIn, id: int = Path(..., ge=1, le=BIGINT),
             aid: int = Path(..., ge=1, le=BIGINT)):
    a = _assignment(request, id, aid)
    child = svc.assignment_reassign(actor=request.auth, assignment=a,
                                    to_user_id=payload.to_user_id,
                                    instruction=payload.instruction, due_date=payload.due_date)
    return _fresh_assignment(id, child.pk, request.auth)
