"""API of outgoing documents under /api/v1/documents/outgoing (the contract of issue 3), and the
configuration of outgoing registers under /api/v1/documents/registers/config.

The issuing flow by API alone::

    POST /outgoing                     multipart: file (the draft, .docx or .pdf), data (JSON),
                                       attachments (optional, repeated) → 201 {"id", "state", …}
    POST /outgoing/{id}/submit         the drafter
    POST /outgoing/{id}/review         {"step": "content", "decision": "approved"} (unit head)
    POST /outgoing/{id}/review         {"step": "format", …} (the office)
    POST /outgoing/{id}/review         {"step": "signer", …} (the signer)
    POST /outgoing/{id}/issue          the clerk → {"number", "notation", "code", "issued_date"}
                                       body {} for a digitally signed document; {"medium":
                                       "paper"} to issue an unsigned one as a paper original
                                       (without it: 409 "unsigned")

`data` keys: type_code, subject, signer_id, signer_capacity (KT/TM/TL/TUQ/Q or ""),
signer_position, urgency, due_date, field_abbreviation (a công văn), recipients
([{"unit_id"} or {"name", "email"}]), in_reply_to ([incoming ids]), copies, page_count,
advisory_body, replaces_id, drafting_unit_id, note.

Errors have the one shape {"code", "message", "fields"}; state conflicts answer 409 with codes
"wrong_state", "wrong_step", "frozen" (recalled or replaced), "new_version_required", "no_pdf".
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import FileResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import ConfigDict

from egov.core.api import BIGINT, ERRORS, ErrorOut
from egov.core.api_openapi import CURSOR_PATTERN, file_response
from egov.core.errors import InvalidInput, NotFound
from egov.core.files import file_open
from egov.core.jsonlimits import loads_limited
from egov.core.models import OrgUnit
from egov.core.schemas import InputSchema, optional_body
from egov.core.text import clean_field

from .. import rules
from ..models import OutgoingDocument
from ..selectors import outgoing as sel
from ..services import outgoing as svc
from ..services import registers as reg

router = Router(tags=["outgoing documents"])

ERRORS_409 = {**ERRORS, 409: ErrorOut}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DRAFT_PART = File(None, description="The draft: .docx or .pdf (required)")
ATTACHMENTS_PART = File(None, description="Attachments (repeat the part for several)")
VERSION_PART = File(None, description="The new version: .docx or .pdf (required)")


# --- schemas ------------------------------------------------------------------------------------


class Ref(Schema):
    id: int | None = None
    name: str


class RecipientOut(Schema):
    id: int
    unit: Ref | None = None
    name: str
    email: str = ""
    delivered_at: dt.datetime | None = None
    delivered_incoming_id: int | None = None
    delivery_error: str = ""
    cancelled_at: dt.datetime | None = None
    returned_at: dt.datetime | None = None
    return_reason: str = ""


class VersionOut(Schema):
    number: int
    file_name: str
    content_type: str
    sha256: str
    pdf: bool
    conversion_error: str = ""
    active_content: list[str] = Field(
        [], description="Active content found in the uploaded PDF (javascript, launch, "
        "auto_action, submit, embedded_file, xfa, rich_media, unchecked); never previewed "
        "inline.")
    note: str = ""
    uploaded_by: Ref
    created_at: dt.datetime
    file_url: str
    pdf_url: str | None = None


class ApprovalOut(Schema):
    step: str
    decision: str
    version: int
    comment: str = ""
    by: Ref
    at: dt.datetime


class CommentOut(Schema):
    id: int
    version: int | None = None
    author: Ref
    text: str
    created_at: dt.datetime


class OutgoingOut(Schema):
    id: int
    state: str
    agency: Ref
    drafting_unit: Ref
    drafter: Ref
    type_code: str
    type_name: str
    subject: str
    urgency: str
    due_date: dt.date | None = None
    signer: Ref
    signer_capacity: str = ""
    signer_position: str = ""
    field_abbreviation: str = ""
    copies: int
    page_count: int | None = None
    number: str | None = None
    notation: str = ""
    code: str = ""
    issued_date: dt.date | None = None
    created_at: dt.datetime
    url: str


class OutgoingDetailOut(OutgoingOut):
    next_step: str | None = None
    register_id: int | None = None
    register_name: str = ""
    issued_at: dt.datetime | None = None
    issued_by: Ref | None = None
    recalled_at: dt.datetime | None = None
    recall_reason: str = ""
    replaces_id: int | None = None
    replaced_by: list[int] = []
    in_reply_to: list[int] = []
    digitally_signed: bool = False
    medium: str = Field("", description="electronic or paper once issued")
    file_url: str | None = None
    recipients: list[RecipientOut] = []
    versions: list[VersionOut] = []
    approvals: list[ApprovalOut] = []
    comments: list[CommentOut] = []
    attachments: list[Ref] = []


class OutgoingPage(Schema):
    items: list[OutgoingOut]
    next: str | None = None


class IssuedOut(Schema):
    id: int
    state: str
    number: str = Field(..., description="Số, with a leading zero below 10: \"05\"")
    notation: str = Field(..., description="Ký hiệu: \"QĐ-UBND\", \"UBND-VP\", \"2026/QĐ-UBND\"")
    code: str = Field(..., description="Số, ký hiệu: \"05/QĐ-UBND\"")
    issued_date: dt.date
    year: int
    register_id: int
    register_name: str
    medium: str = Field("", description="electronic or paper: the medium of the original")


class IssueIn(InputSchema):
    medium: str | None = Field(None, max_length=16, description=(
        "electronic or paper. A document without the competent signer's digital signature is "
        "issued only with \"paper\" (its original is the printed, hand-signed and sealed copy); "
        "without it → 409 unsigned."))


class TrailEventOut(Schema):
    at: dt.datetime
    action: str
    actor: Ref
    unit: str | None = None
    details: dict = {}


class ReviewIn(InputSchema):
    step: str = Field(..., max_length=16, description="content, format or signer")
    decision: str = Field(..., max_length=16, description="approved or returned")
    comment: str = Field("", max_length=5000)


class CommentIn(InputSchema):
    text: str = Field(..., max_length=5000)
    version: int | None = Field(None, ge=1, le=32767)


class RecallIn(InputSchema):
    reason: str = Field(..., max_length=500)


class ReplaceIn(InputSchema):
    new_document_id: int = Field(..., ge=1, le=BIGINT)


class OutgoingPatch(InputSchema):
    """The fields of a draft that may change (the service validates the values)."""

    model_config = ConfigDict(extra="forbid")

    type_code: Any = None
    subject: Any = None
    urgency: Any = None
    due_date: Any = None
    signer_id: Any = None
    signer_capacity: Any = None
    signer_position: Any = None
    field_abbreviation: Any = None
    page_count: Any = None
    copies: Any = None
    recipients: Any = None
    in_reply_to: Any = None


class RegisterOut(Schema):
    id: int
    agency: Ref
    kind: str
    name: str
    document_types: list[str]
    issuer_abbreviation: str = ""
    year_in_notation: bool
    is_active: bool


class RegisterIn(InputSchema):
    agency_id: int = Field(..., ge=1, le=BIGINT)
    kind: str = Field(..., max_length=16)
    name: str = Field(..., max_length=200)
    document_types: list[str] = []
    issuer_abbreviation: str = Field("", max_length=32)


class RegisterPatch(InputSchema):
    name: str | None = Field(None, max_length=200)
    document_types: list[str] | None = None
    issuer_abbreviation: str | None = Field(None, max_length=32)
    is_active: bool | None = None


# --- shaping ------------------------------------------------------------------------------------


def _ref(obj) -> dict | None:
    if obj is None:
        return None
    name = obj.get_full_name() if hasattr(obj, "get_full_name") else obj.name
    return {"id": obj.pk, "name": name}


def _number(doc: OutgoingDocument) -> str | None:
    return rules.outgoing_number(doc.number) if doc.number is not None else None


def doc_out(doc: OutgoingDocument) -> dict:
    return {
        "id": doc.pk, "state": doc.state, "agency": _ref(doc.agency),
        "drafting_unit": _ref(doc.drafting_unit), "drafter": _ref(doc.drafter),
        "type_code": doc.doc_type.code, "type_name": doc.doc_type.name,
        "subject": doc.subject, "urgency": doc.urgency, "due_date": doc.due_date,
        "signer": _ref(doc.signer), "signer_capacity": doc.signer_capacity,
        "signer_position": doc.signer_position, "field_abbreviation": doc.field_abbreviation,
        "copies": doc.copies, "page_count": doc.page_count, "number": _number(doc),
        "notation": doc.notation, "code": doc.code, "issued_date": doc.issued_date,
        "created_at": doc.created_at,
        "url": reverse("documents:outgoing_detail", args=[doc.pk]),
    }


def _version_out(doc: OutgoingDocument, v) -> dict:
    base = f"/api/v1/documents/outgoing/{doc.pk}/versions/{v.number}"
    return {
        "number": v.number, "file_name": v.file.original_name,
        "content_type": v.file.content_type, "sha256": v.file.sha256, "pdf": v.pdf_id is not None,
        "conversion_error": v.conversion_error, "note": v.note,
        "active_content": v.file.active_content,
        "uploaded_by": _ref(v.uploaded_by), "created_at": v.created_at,
        "file_url": f"{base}/file", "pdf_url": f"{base}/pdf" if v.pdf_id else None,
    }


def detail_out(doc: OutgoingDocument) -> dict:
    out = doc_out(doc)
    out.update({
        "next_step": sel.review_next_step(doc),
        "register_id": doc.register_id,
        "register_name": doc.register.name if doc.register_id else "",
        "issued_at": doc.issued_at, "issued_by": _ref(doc.issued_by),
        "recalled_at": doc.recalled_at, "recall_reason": doc.recall_reason,
        "replaces_id": doc.replaces_id,
        "replaced_by": [d.pk for d in doc.replaced_by.all()],
        "in_reply_to": [d.pk for d in doc.in_reply_to.all()],
        "digitally_signed": bool(doc.signed_file_id), "medium": doc.medium,
        "file_url": (f"/api/v1/documents/outgoing/{doc.pk}/file"
                     if doc.issued_file_id or doc.signed_file_id else None),
        "recipients": [{
            "id": r.pk, "unit": _ref(r.unit) if r.unit_id else None, "name": r.name,
            "email": r.email, "delivered_at": r.delivered_at,
            "delivered_incoming_id": r.delivered_incoming_id,
            "delivery_error": r.delivery_error, "cancelled_at": r.cancelled_at,
            "returned_at": r.returned_at, "return_reason": r.return_reason,
        } for r in doc.recipients.all()],
        "versions": [_version_out(doc, v) for v in doc.versions.all()],
        "approvals": [{"step": a.step, "decision": a.decision, "version": a.version.number,
                       "comment": a.comment, "by": _ref(a.by), "at": a.at}
                      for a in doc.approvals.all()],
        "comments": [{"id": c.pk, "version": c.version.number if c.version_id else None,
                      "author": _ref(c.author), "text": c.text, "created_at": c.created_at}
                     for c in doc.comments.all()],
        "attachments": [{"id": a.pk, "name": a.title or a.file.original_name}
                        for a in doc.attachments.all()],
    })
    return out


def _detail(request, id: int) -> dict:
    return detail_out(sel.outgoing_get(actor=request.auth, document_id=id))


def _parse_data(raw: str) -> dict:
    try:
        data = loads_limited(raw, field="data")
    except (TypeError, ValueError):
        data = None
    if not isinstance(data, dict):
        raise InvalidInput(_("Check the highlighted fields."), fields={
            "data": [_("Send the document's data as a JSON object.")]})
    stack: list = [data]
    while stack:  # NUL and lone surrogates cannot be stored (the API refuses them everywhere)
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                item = "\x00"
            if "\x00" in item:
                raise InvalidInput(_("The request contains characters that cannot be stored."),
                                   fields={"data": [_("Remove control characters.")]})
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return data


def _cursor():
    return Query(None, max_length=1000, pattern=CURSOR_PATTERN, description="`next` of the previous page")


def _limit():
    return Query(50, ge=1, le=100, description="Page size (1–100)")


def _page(page) -> dict:
    return {"items": [doc_out(d) for d in page.items], "next": page.next}


# --- lists --------------------------------------------------------------------------------------


@router.get("/outgoing", response={200: OutgoingPage, **ERRORS}, summary="Outgoing documents")
def outgoing_list(request, cursor: str | None = _cursor(), limit: int = _limit(),
                  state: str = Query("", max_length=16),
                  mine: bool = Query(False, description="Only the drafts I wrote"),
                  type_code: str = Query("", max_length=20)):
    """Outgoing documents the caller may see, newest first (keyset-paginated with `next`)."""
    return _page(sel.outgoing_list(actor=request.auth, cursor=cursor, limit=limit,
                                   filters={"state": state, "mine": mine,
                                            "type_code": type_code}))


@router.get("/outgoing/queue", response={200: OutgoingPage, **ERRORS},
            summary="Approved documents waiting to be issued (the clerk's queue)")
def outgoing_queue(request, cursor: str | None = _cursor(), limit: int = _limit()):
    return _page(sel.outgoing_clerk_queue(actor=request.auth, cursor=cursor, limit=limit))


@router.get("/outgoing/reviews", response={200: OutgoingPage, **ERRORS},
            summary="Drafts waiting for my review")
def outgoing_reviews(request, cursor: str | None = _cursor(), limit: int = _limit()):
    return _page(sel.outgoing_review_queue(actor=request.auth, cursor=cursor, limit=limit))


# --- drafting -----------------------------------------------------------------------------------


@router.post("/outgoing", response={201: OutgoingDetailOut, **ERRORS_409},
             summary="Create a draft (multipart)")
def outgoing_create(request, file: UploadedFile | None = DRAFT_PART,
                    data: str | None = Form(None, description="The draft's data as a JSON "
                                                              "object (required)"),
                    attachments: list[UploadedFile] | None = ATTACHMENTS_PART):
    """Create a draft with its version 1: `file` (.docx or .pdf), `data` (JSON, see the module
    description), optional `attachments`. A .docx is converted to PDF by a background job."""
    # `file` and `data` are checked here, not by Ninja, so that a missing part is reported
    # under its own name in `fields`.
    missing = {name: [_("This field is required.")]
               for name, value in (("file", file), ("data", data)) if value is None}
    if missing:
        raise InvalidInput(_("Check the highlighted fields."), fields=missing)
    doc = svc.outgoing_create(actor=request.auth, data=_parse_data(data), file=file,
                              attachments=attachments or [])
    return Status(201, _detail(request, doc.pk))


@router.get("/outgoing/{id}", response={200: OutgoingDetailOut, **ERRORS},
            summary="One outgoing document")
def outgoing_get(request, id: int = Path(..., ge=1, le=BIGINT)):
    return _detail(request, id)


@router.patch("/outgoing/{id}", response={200: OutgoingDetailOut, **ERRORS_409},
              summary="Change the details of a draft")
def outgoing_update(request, payload: OutgoingPatch, id: int = Path(..., ge=1, le=BIGINT)):
    """The drafter changes the fields of a draft (DRAFT or RETURNED). Same keys as `data`."""
    doc = sel.outgoing_get(actor=request.auth, document_id=id)
    svc.outgoing_update(actor=request.auth, document=doc,
                        data=payload.dict(exclude_unset=True))
    return _detail(request, id)


@router.get("/outgoing/{id}/trail", response={200: list[TrailEventOut], **ERRORS},
            summary="The document's trail")
def outgoing_trail(request, id: int = Path(..., ge=1, le=BIGINT)):
    """Every draft version, comment, review decision, issue, delivery and recall, oldest
    first."""
    doc = sel.outgoing_get(actor=request.auth, document_id=id)
    system = {"id": None, "name": _("System")}
    return [{"at": e.at, "action": e.action,
             "actor": _ref(e.actor) if e.actor_id else system,
             "unit": e.actor_unit.name if e.actor_unit_id else None,
             "details": e.details} for e in sel.outgoing_trail(actor=request.auth, document=doc)]


@router.post("/outgoing/{id}/versions", response={201: VersionOut, **ERRORS_409},
             summary="Upload a new version")
def outgoing_add_version(request, id: int = Path(..., ge=1, le=BIGINT),
                         file: UploadedFile | None = VERSION_PART,
                         note: str = Form("", max_length=500)):
    """A new version of the draft (.docx or .pdf). Approvals of earlier versions no longer
    count: a draft in review starts again with the content."""
    doc = sel.outgoing_get(actor=request.auth, document_id=id)
    version = svc.outgoing_add_version(actor=request.auth, document=doc, file=file,
                                       note=clean_field(note, "note"))
    version = sel.outgoing_version(actor=request.auth, document_id=id, number=version.number)
    return Status(201, _version_out(doc, version))


def _version_file(request, id: int, n: int, pdf: bool):
    version = sel.outgoing_version(actor=request.auth, document_id=id, number=n)
    stored = version.pdf if pdf else version.file
    if stored is None:
        raise NotFound(_("The PDF of this version is not available (yet)."))
    return FileResponse(file_open(stored), content_type=stored.content_type,
                        as_attachment=True, filename=stored.original_name)


@router.get("/outgoing/{id}/versions/{n}/file", response={**ERRORS},
            openapi_extra=file_response("application/pdf", DOCX), summary="The file of one version")
def outgoing_version_file(request, id: int = Path(..., ge=1, le=BIGINT),
                          n: int = Path(..., ge=1, le=32767)):
    return _version_file(request, id, n, pdf=False)


@router.get("/outgoing/{id}/versions/{n}/pdf", response={**ERRORS},
            openapi_extra=file_response("application/pdf"), summary="The PDF of one version")
def outgoing_version_pdf(request, id: int = Path(..., ge=1, le=BIGINT),
                         n: int = Path(..., ge=1, le=32767)):
    return _version_file(request, id, n, pdf=True)


@router.get("/outgoing/{id}/file", response={**ERRORS},
            openapi_extra=file_response("application/pdf"), summary="The issued PDF")
def outgoing_file(request, id: int = Path(..., ge=1, le=BIGINT)):
    doc = sel.outgoing_get(actor=request.auth, document_id=id)
    stored = doc.issued_file or doc.signed_file
    if stored is None:
        raise NotFound(_("The document has not been issued."))
    return FileResponse(file_open(stored), content_type=stored.content_type,
                        as_attachment=True, filename=stored.original_name)


@router.post("/outgoing/{id}/comments", response={201: CommentOut, **ERRORS_409},
             summary="Comment on the draft or a version")
def outgoing_comment(request, payload: CommentIn, id: int = Path(..., ge=1, le=BIGINT)):
    doc = sel.outgoing_get(actor=request.auth, document_id=id)
    version = None
    if payload.version is not None:
        version = sel.outgoing_version(actor=request.auth, document_id=id,
                                       number=payload.version)
    comment = svc.outgoing_comment(actor=request.auth, document=doc, version=version,
                                   text=payload.text)
    return Status(201, {"id": comment.pk, "version": version.number if version else None,
                        "author": _ref(comment.author), "text": comment.text,
                        "created_at": comment.created_at})


# --- review, issue, recall ----------------------------------------------------------------------


@router.post("/outgoing/{id}/submit", response={200: OutgoingDetailOut, **ERRORS_409},
             summary="Submit the draft for review")
def outgoing_submit(request, id: int = Path(..., ge=1, le=BIGINT)):
    doc = sel.outgoing_get(actor=request.auth, document_id=id)
    svc.outgoing_submit(actor=request.auth, document=doc)
    return _detail(request, id)


@router.post("/outgoing/{id}/review", response={200: OutgoingDetailOut, **ERRORS_409},
             summary="Approve or return the draft (content, format, signer)")
def outgoing_review(request, payload: ReviewIn, id: int = Path(..., ge=1, le=BIGINT)):
    """One decision on the latest version, in order: `content` (head of the drafting unit),
    `format` (the office), `signer` (the signer). `returned` needs a `comment`."""
    doc = sel.outgoing_get(actor=request.auth, document_id=id)
    svc.outgoing_review(actor=request.auth, document=doc, step=payload.step,
                        decision=payload.decision, comment=payload.comment)
    return _detail(request, id)


def _issue_body(request) -> IssueIn:
    """The optional body of POST /issue: none, ``{}`` or ``{"medium": …}``."""
    return optional_body(request, IssueIn, form_keys=("medium",), default_field="medium",
                         not_object={"medium": [_("Choose the medium of the original: "
                                                  "electronic or paper.")]})


@router.post("/outgoing/{id}/issue", response={200: IssuedOut, **ERRORS_409},
             summary="Number, date and issue the document",
             openapi_extra={"requestBody": {"required": False, "content": {
                 "application/json": {"schema": {
                     "type": "object", "additionalProperties": False, "properties": {
                         "medium": {"type": ["string", "null"], "enum": [
                             "electronic", "paper", "", None],
                             "description": IssueIn.model_fields["medium"].description}}}}}}})
def outgoing_issue(request, id: int = Path(..., ge=1, le=BIGINT)):
    """The clerk issues an approved (or signed) document: the next number of its register's
    yearly series, the notation of NĐ 30/2020 Phụ lục I, today's date; then it is sent to its
    recipients. A document without the signer's digital signature needs `{"medium": "paper"}`
    (409 `unsigned` otherwise); the register records the medium."""
    doc = sel.outgoing_get(actor=request.auth, document_id=id)
    payload = _issue_body(request)
    doc = svc.outgoing_issue(actor=request.auth, document=doc, medium=payload.medium)
    return {"id": doc.pk, "state": doc.state, "number": _number(doc), "notation": doc.notation,
            "code": doc.code, "issued_date": doc.issued_date, "year": doc.year,
            "register_id": doc.register_id, "register_name": doc.register.name,
            "medium": doc.medium}


@router.post("/outgoing/{id}/dispatch", response={200: OutgoingDetailOut, **ERRORS_409},
             summary="Retry the deliveries that failed")
def outgoing_dispatch(request, id: int = Path(..., ge=1, le=BIGINT)):
    doc = sel.outgoing_get(actor=request.auth, document_id=id)
    svc.outgoing_retry_dispatch(actor=request.auth, document=doc)
    return _detail(request, id)


@router.post("/outgoing/{id}/recall", response={200: OutgoingDetailOut, **ERRORS_409},
             summary="Recall an issued document")
def outgoing_recall(request, payload: RecallIn, id: int = Path(..., ge=1, le=BIGINT)):
    """Freeze the document; the recipients' copies are cancelled and external recipients get a
    notice (NĐ 30/2020 Điều 18.4)."""
    doc = sel.outgoing_get(actor=request.auth, document_id=id)
    svc.outgoing_recall(actor=request.auth, document=doc, reason=payload.reason)
    return _detail(request, id)


@router.post("/outgoing/{id}/replace", response={200: OutgoingDetailOut, **ERRORS_409},
             summary="Name a draft as the replacement of an issued document")
def outgoing_replace(request, payload: ReplaceIn, id: int = Path(..., ge=1, le=BIGINT)):
    doc = sel.outgoing_get(actor=request.auth, document_id=id)
    new = sel.outgoing_get(actor=request.auth, document_id=payload.new_document_id)
    svc.outgoing_replace(actor=request.auth, document=doc, new_document=new)
    return _detail(request, new.pk)


# --- register configuration ---------------------------------------------------------------------


def _register_out(r) -> dict:
    return {"id": r.pk, "agency": _ref(r.agency), "kind": r.kind, "name": r.name,
            "document_types": sorted(t.code for t in r.document_types.all()),
            "issuer_abbreviation": r.issuer_abbreviation,
            "year_in_notation": r.year_in_notation, "is_active": r.is_active}


@router.get("/registers/config", response={200: list[RegisterOut], **ERRORS},
            summary="Outgoing registers (configuration)")
def registers_config(request, agency_id: int | None = Query(None, ge=1, le=BIGINT)):
    """The outgoing registers of the agencies where the caller manages registers: one shared
    series or series per type, advisory bodies, copies, legal normative types."""
    return [_register_out(r) for r in sel.register_config_list(actor=request.auth,
                                                               agency_id=agency_id)]


@router.post("/registers/config", response={201: RegisterOut, **ERRORS},
             summary="Configure an outgoing register")
def registers_config_create(request, payload: RegisterIn):
    agency = OrgUnit.objects.filter(pk=payload.agency_id).first()
    if agency is None:
        raise InvalidInput(_("Choose an existing agency."),
                           fields={"agency_id": [_("Choose an existing agency.")]})
    register = reg.register_create(actor=request.auth, agency=agency, kind=payload.kind,
                                   name=payload.name, document_types=payload.document_types,
                                   issuer_abbreviation=payload.issuer_abbreviation)
    return Status(201, _register_out(sel.register_config_get(actor=request.auth,
                                                             register_id=register.pk)))


@router.patch("/registers/config/{register_id}", response={200: RegisterOut, **ERRORS},
              summary="Change an outgoing register")
def registers_config_update(request, payload: RegisterPatch,
                            register_id: int = Path(..., ge=1, le=BIGINT)):
    register = sel.register_config_get(actor=request.auth, register_id=register_id)
    changes = payload.dict(exclude_unset=True)
    reg.register_update(actor=request.auth, register=register, **changes)
    return _register_out(sel.register_config_get(actor=request.auth, register_id=register_id))
