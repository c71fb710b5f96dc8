"""Case files (hồ sơ) and the yearly plans under /api/v1/documents/.

    GET    /case-file-plans?agency_id=                 Danh mục hồ sơ the user may see
    POST   /case-file-plans                            create one (agency, year, title, approval)
    GET    /case-files?agency_id=&year=&cursor=        files, keyset-paginated
    POST   /case-files                                 create (201)
    GET    /case-files/due-for-transfer                closed files due within 30 days
    GET    /case-files/{id}                            metadata + documents in order
    PATCH  /case-files/{id}                            correct title, retention… (planned/open)
    DELETE /case-files/{id}                            an empty, unclosed file
    POST   /case-files/{id}/open | /close | /transfer
    POST   /case-files/{id}/documents                  {"incoming_id"} or {"outgoing_id"} → 201
    DELETE /case-files/{id}/documents/{item_id}
    POST   /case-files/{id}/export                     {"format": "zip"|"pdf"|"xml"} → 202 job
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from egov.core.api import BIGINT, ERRORS
from egov.core.api_openapi import CURSOR_PATTERN
from egov.core.errors import InvalidInput, NotFound
from egov.core.models import User
from egov.core.schemas import InputSchema

from ..models import IncomingDocument, OutgoingDocument
from ..selectors import casefiles as sel
from ..selectors.registers import agency_get
from ..services import casefiles as svc
from ..services.exports import export_request

router = Router(tags=["documents: case files"])


class PlanOut(Schema):
    id: int
    agency_id: int
    year: int
    title: str
    approved_by: str
    approved_on: dt.date | None = None


class PlanIn(InputSchema):
    agency_id: int = Field(..., ge=1, le=BIGINT)
    year: int
    title: str
    approved_by: str = ""
    approved_on: dt.date | None = None


class CaseFileOut(Schema):
    id: int
    agency_id: int
    plan_id: int | None = None
    year: int
    heading: str
    notation: str
    title: str
    retention_years: int | None = Field(None, description="null = permanent (vĩnh viễn)")
    rights: str
    creator_id: int
    creator_name: str
    language: str
    state: str
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    is_construction: bool
    transfer_due: dt.date | None = None
    transfer_warning: str | None = Field(None, description='"due" (within 30 days) or '
                                                          '"overdue"')
    description: str

    @staticmethod
    def resolve_creator_name(obj) -> str:
        return obj.creator.get_full_name()

    @staticmethod
    def resolve_transfer_warning(obj) -> str | None:
        return sel.transfer_warning(obj)


class CaseFilePage(Schema):
    items: list[CaseFileOut]
    next: str | None = None


class ItemOut(Schema):
    id: int
    ordinal: int
    direction: str
    document_id: int
    code: str
    date: dt.date | None = None
    type_name: str
    subject: str


class CaseFileDetail(CaseFileOut):
    documents: list[ItemOut]


class CaseFileIn(InputSchema):
    agency_id: int = Field(..., ge=1, le=BIGINT)
    plan_id: int | None = Field(None, ge=1, le=BIGINT)
    year: int
    heading: str = ""
    notation: str
    title: str
    retention_years: int | None = None
    creator_id: int | None = Field(None, ge=1, le=BIGINT)
    rights: str = ""
    is_construction: bool = False
    description: str = ""
    start_date: dt.date | None = Field(None, description="files outside the plan: when the "
                                                       "work began (default today)")


class CaseFilePatch(InputSchema):
    heading: str | None = None
    title: str | None = None
    retention_years: int | None = None
    permanent: bool | None = Field(None, description="true: retention becomes permanent")
    rights: str | None = None
    is_construction: bool | None = None
    description: str | None = None


class OpenIn(InputSchema):
    start_date: dt.date | None = None


class CloseIn(InputSchema):
    end_date: dt.date


class AddDocumentIn(InputSchema):
    incoming_id: int | None = Field(None, ge=1, le=BIGINT)
    outgoing_id: int | None = Field(None, ge=1, le=BIGINT)


class CaseFileExportIn(InputSchema):
    format: str = Field("zip", description="zip (PDF + XML), pdf or xml")


class ExportCreated(Schema):
    id: int
    state: str


def _item_out(item) -> dict[str, Any]:
    doc = item.incoming or item.outgoing
    return {"id": item.pk, "ordinal": item.ordinal,
            "direction": "incoming" if item.incoming_id else "outgoing",
            "document_id": doc.pk, "code": doc.code, "date": doc.issued_date,
            "type_name": doc.doc_type.name, "subject": doc.subject}


def _detail(cf):
    cf.documents = [_item_out(i) for i in sel.casefile_items(case_file=cf)]
    return cf


# --- plans --------------------------------------------------------------------------------------


@router.get("/case-file-plans", response={200: list[PlanOut], **ERRORS},
            summary="Danh mục hồ sơ (yearly plans) the user may see")
def plans(request, agency_id: int | None = Query(None, ge=1, le=BIGINT)):
    agency = agency_get(agency_id) if agency_id else None
    return sel.casefile_plans(actor=request.user, agency=agency)


@router.post("/case-file-plans", response={201: PlanOut, **ERRORS},
             summary="Create the Danh mục hồ sơ of an agency for a year")
def plan_create(request, payload: PlanIn):
    plan = svc.casefile_plan_create(
        actor=request.user, agency=agency_get(payload.agency_id), year=payload.year,
        title=payload.title, approved_by=payload.approved_by, approved_on=payload.approved_on)
    return Status(201, plan)


# --- files --------------------------------------------------------------------------------------


@router.get("/case-files", response={200: CaseFilePage, **ERRORS}, summary="Case files")
def casefile_list(request, agency_id: int | None = Query(None, ge=1, le=BIGINT),
                  year: int | None = Query(None, ge=1900, le=9999),
                  cursor: str | None = Query(None, max_length=1000, pattern=CURSOR_PATTERN),
                  limit: int = Query(50, ge=1, le=100)):
    agency = agency_get(agency_id) if agency_id else None
    page = sel.casefile_list(actor=request.user, agency=agency, year=year, cursor=cursor,
                             limit=limit)
    return {"items": page.items, "next": page.next}


@router.get("/case-files/due-for-transfer", response={200: list[CaseFileOut], **ERRORS},
            summary="Closed files due for transfer to the archive within 30 days")
def due_for_transfer(request):
    return list(sel.casefiles_due_for_transfer(actor=request.user)[:500])


@router.post("/case-files", response={201: CaseFileDetail, **ERRORS},
             summary="Create a case file")
def casefile_create(request, payload: CaseFileIn):
    agency = agency_get(payload.agency_id)
    plan = None
    if payload.plan_id:
        try:
            plan = sel.casefile_plan_get(actor=request.user, plan_id=payload.plan_id)
        except NotFound:
            message = _("Unknown plan.")
            raise InvalidInput(message, fields={"plan_id": [message]}) from None
    creator = None
    if payload.creator_id:
        creator = User.objects.filter(pk=payload.creator_id).first()
        if creator is None:
            message = _("Unknown user.")
            raise InvalidInput(message, fields={"creator_id": [message]})
    cf = svc.casefile_create(
        actor=request.user, agency=agency, plan=plan, year=payload.year,
        heading=payload.heading, notation=payload.notation, title=payload.title,
        retention_years=payload.retention_years, creator=creator, rights=payload.rights,
        is_construction=payload.is_construction, description=payload.description,
        start_date=payload.start_date)
    return Status(201, _detail(cf))


def _get(request, case_file_id: int):
    return sel.casefile_get(actor=request.user, case_file_id=case_file_id)


@router.get("/case-files/{case_file_id}", response={200: CaseFileDetail, **ERRORS},
            summary="A case file with its documents in order")
def casefile_detail(request, case_file_id: int = Path(..., ge=1, le=BIGINT)):
    return _detail(_get(request, case_file_id))


@router.patch("/case-files/{case_file_id}", response={200: CaseFileDetail, **ERRORS},
              summary="Correct a planned or open file")
def casefile_update(request, payload: CaseFilePatch,
                    case_file_id: int = Path(..., ge=1, le=BIGINT)):
    changes = payload.dict(exclude_unset=True)
    if changes.pop("permanent", None):
        changes["retention_years"] = None
    changes = {k: v for k, v in changes.items()
               if v is not None or k == "retention_years"}
    cf = svc.casefile_update(actor=request.user, case_file=_get(request, case_file_id),
                             **changes)
    return _detail(cf)


@router.delete("/case-files/{case_file_id}", response={204: None, **ERRORS},
               summary="Delete an empty file that is not closed")
def casefile_delete(request, case_file_id: int = Path(..., ge=1, le=BIGINT)):
    svc.casefile_delete(actor=request.user, case_file=_get(request, case_file_id))
    return Status(204, None)


@router.post("/case-files/{case_file_id}/open", response={200: CaseFileDetail, **ERRORS},
             summary="Open a planned file")
def casefile_open(request, case_file_id: int = Path(..., ge=1, le=BIGINT),
                  payload: OpenIn | None = None):
    cf = svc.casefile_open(actor=request.user, case_file=_get(request, case_file_id),
                           start_date=payload.start_date if payload else None)
    return _detail(cf)


@router.post("/case-files/{case_file_id}/close", response={200: CaseFileDetail, **ERRORS},
             summary="Close a file (sets the transfer due date)")
def casefile_close(request, payload: CloseIn,
                   case_file_id: int = Path(..., ge=1, le=BIGINT)):
    cf = svc.casefile_close(actor=request.user, case_file=_get(request, case_file_id),
                            end_date=payload.end_date)
    return _detail(cf)


@router.post("/case-files/{case_file_id}/transfer", response={200: CaseFileDetail, **ERRORS},
             summary="Hand a closed file over to the archive")
def casefile_transfer(request, case_file_id: int = Path(..., ge=1, le=BIGINT)):
    cf = svc.casefile_transfer(actor=request.user, case_file=_get(request, case_file_id))
    return _detail(cf)


@router.post("/case-files/{case_file_id}/documents", response={201: ItemOut, **ERRORS},
             summary="Link a document into an open file (no copy)")
def casefile_add_document(request, payload: AddDocumentIn,
                          case_file_id: int = Path(..., ge=1, le=BIGINT)):
    cf = _get(request, case_file_id)
    if bool(payload.incoming_id) == bool(payload.outgoing_id):
        message = _("Give exactly one of incoming_id and outgoing_id.")
        raise InvalidInput(message, fields={"incoming_id": [message]})
    incoming = outgoing = None
    if payload.incoming_id:
        incoming = IncomingDocument.objects.filter(pk=payload.incoming_id).first()
        if incoming is None:
            raise NotFound()
    else:
        outgoing = OutgoingDocument.objects.filter(pk=payload.outgoing_id).first()
        if outgoing is None:
            raise NotFound()
    item = svc.casefile_add_document(actor=request.user, case_file=cf, incoming=incoming,
                                     outgoing=outgoing)
    item = next(i for i in sel.casefile_items(case_file=cf) if i.pk == item.pk)
    return Status(201, _item_out(item))


@router.delete("/case-files/{case_file_id}/documents/{item_id}",
               response={204: None, **ERRORS}, summary="Unlink a document from an open file")
def casefile_remove_document(request, case_file_id: int = Path(..., ge=1, le=BIGINT),
                             item_id: int = Path(..., ge=1, le=BIGINT)):
    svc.casefile_remove_document(actor=request.user, case_file=_get(request, case_file_id),
                                 item_id=item_id)
    return Status(204, None)


@router.post("/case-files/{case_file_id}/export", response={202: ExportCreated, **ERRORS},
             summary="Export the file as PDF + XML (a background job)")
def casefile_export(request, payload: CaseFileExportIn,
                    case_file_id: int = Path(..., ge=1, le=BIGINT)):
    cf = _get(request, case_file_id)
    job = export_request(actor=request.user, kind="case_file", format=payload.format,
                         params={"case_file_id": cf.pk})
    return Status(202, {"id": job.pk, "state": job.state})
