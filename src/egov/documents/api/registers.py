"""Registers, the handling report and export jobs under /api/v1/documents/.

    GET  /registers/incoming?agency_id=&year=&cursor=&limit=&register_id=&date_from=&date_to=
         &type_code=&urgency=&number_from=&number_to=      Sổ đăng ký văn bản đến
    GET  /registers/outgoing?…                              Sổ đăng ký văn bản đi
    GET  /registers/tracking?…                              Sổ theo dõi giải quyết văn bản đến
    GET  /reports/handling?agency_id=&start=&end=           the four buckets per unit
    POST /exports {"kind", "format", "params"}              → 202 {"id", "state"}
    GET  /exports/{id}                                      state, progress, download url
    GET  /exports/{id}/file                                 the file
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import FileResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from egov.core.api import BIGINT, ERRORS
from egov.core.api_openapi import CURSOR_PATTERN, file_response
from egov.core.errors import InvalidInput, NotFound
from egov.core.files import file_open
from egov.core.schemas import InputSchema

from ..selectors import registers as reg
from ..selectors.reports import handling_report
from ..services.exports import export_request

router = Router(tags=["documents: registers"])


class ColumnOut(Schema):
    key: str
    heading: str = Field(..., description="The legal heading of NĐ 30/2020 Phụ lục IV")
    label: str


class RegisterPage(Schema):
    columns: list[ColumnOut]
    items: list[dict[str, Any]] = Field(..., description="id + one value per column key")
    next: str | None = None


class RegisterQuery(Schema):
    agency_id: int = Field(..., ge=1, le=BIGINT)
    year: int = Field(..., ge=1900, le=9999)
    cursor: str | None = Field(None, max_length=1000, pattern=CURSOR_PATTERN)
    limit: int = Field(50, ge=1, le=200)
    register_id: str | None = None
    date_from: str | None = Field(None, description="yyyy-mm-dd")
    date_to: str | None = Field(None, description="yyyy-mm-dd")
    type_code: str | None = None
    urgency: str | None = None
    number_from: str | None = None
    number_to: str | None = None


def _page(kind: str, request, q: RegisterQuery) -> dict:
    agency = reg.agency_get(q.agency_id)
    filters = reg.parse_filters(q.dict())
    page = reg.register_rows(kind, actor=request.user, agency=agency, year=q.year,
                             filters=filters, cursor=q.cursor, limit=q.limit)
    columns = reg.COLUMNS[kind]
    return {
        "columns": [{"key": c.key, "heading": c.heading, "label": str(c.label)}
                    for c in columns],
        "items": [{"id": r.id, **{c.key: v for c, v in r.cells}} for r in page.items],
        "next": page.next,
    }


@router.get("/registers/incoming", response={200: RegisterPage, **ERRORS},
            summary="Sổ đăng ký văn bản đến (by arrival number)")
def incoming_register(request, q: Query[RegisterQuery]):
    return _page(reg.INCOMING, request, q)


@router.get("/registers/outgoing", response={200: RegisterPage, **ERRORS},
            summary="Sổ đăng ký văn bản đi (issued, recalled and replaced, by number)")
def outgoing_register(request, q: Query[RegisterQuery]):
    return _page(reg.OUTGOING, request, q)


@router.get("/registers/tracking", response={200: RegisterPage, **ERRORS},
            summary="Sổ theo dõi giải quyết văn bản đến")
def tracking_register(request, q: Query[RegisterQuery]):
    return _page(reg.TRACKING, request, q)


class HandlingRowOut(Schema):
    unit_id: int | None = None
    unit_name: str
    done_on_time: int
    done_late: int
    open_on_time: int
    open_late: int
    total: int
    on_time_rate: float | None = None


class HandlingReportOut(Schema):
    agency_id: int
    start: dt.date
    end: dt.date
    as_of: dt.datetime
    rows: list[HandlingRowOut]
    totals: HandlingRowOut
    on_time_rate: float | None = Field(
        None, description="(done on time + open in time) / total; null without items")


@router.get("/reports/handling", response={200: HandlingReportOut, **ERRORS},
            summary="Handling of incoming documents per unit: the four buckets")
def handling(request, agency_id: int = Query(..., ge=1, le=BIGINT),
             start: str = Query(..., description="yyyy-mm-dd"),
             end: str = Query(..., description="yyyy-mm-dd")):
    errors: dict[str, list[str]] = {}
    start_d = reg.parse_date(start, "start", errors)
    end_d = reg.parse_date(end, "end", errors)
    if errors:
        raise InvalidInput(_("Check the period."), fields=errors)
    report = handling_report(actor=request.user, agency=reg.agency_get(agency_id),
                             start=start_d, end=end_d)
    return {"agency_id": report.agency.pk, "start": report.start, "end": report.end,
            "as_of": report.as_of, "rows": [r.as_dict() for r in report.rows],
            "totals": report.totals.as_dict(), "on_time_rate": report.on_time_rate}


# --- export jobs --------------------------------------------------------------------------------


class ExportIn(InputSchema):
    kind: str = Field(..., description="incoming_register | outgoing_register | "
                                       "tracking_register | handling_report | case_file")
    format: str = Field(..., description="xlsx | pdf (registers, report); zip | pdf | xml "
                                         "(case_file)")
    params: dict[str, Any] = Field(default_factory=dict, description=(
        "registers: agency_id, year and the filters; handling_report: agency_id, start, end; "
        "case_file: case_file_id"))


class ExportCreated(Schema):
    id: int
    state: str


class ExportOut(Schema):
    id: int
    kind: str
    format: str
    state: str
    progress: int
    total: int
    error: str
    created_at: dt.datetime
    finished_at: dt.datetime | None = None
    download_url: str | None = None
    file_name: str | None = None


def export_out(job) -> dict:
    done = job.state == "done" and job.result_id
    return {
        "id": job.pk, "kind": job.kind, "format": job.params.get("format", ""),
        "state": job.state, "progress": job.progress, "total": job.total, "error": job.error,
        "created_at": job.created_at, "finished_at": job.finished_at,
        "download_url": reverse("api:export_file", args=[job.pk]) if done else None,
        "file_name": job.result.original_name if done else None,
    }


@router.post("/exports", response={202: ExportCreated, **ERRORS},
             summary="Start an export job (runs in the background)")
def export_create(request, payload: ExportIn):
    job = export_request(actor=request.user, kind=payload.kind, format=payload.format,
                         params=payload.params)
    return Status(202, {"id": job.pk, "state": job.state})


@router.get("/exports/{job_id}", response={200: ExportOut, **ERRORS},
            summary="An export job: state, progress and download link")
def export_detail(request, job_id: int = Path(..., ge=1, le=BIGINT)):
    return export_out(reg.export_job_get(actor=request.user, job_id=job_id))


@router.get("/exports/{job_id}/file", url_name="export_file", response={**ERRORS},
            openapi_extra=file_response(
                "application/pdf", "application/zip", "application/xml",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            summary="The exported file")
def export_file(request, job_id: int = Path(..., ge=1, le=BIGINT)):
    job = reg.export_job_get(actor=request.user, job_id=job_id)
    if job.state != "done" or job.result is None:
        raise NotFound(_("The export is not finished yet."), code="not_ready")
    stored = job.result
    return FileResponse(file_open(stored), as_attachment=True, filename=stored.original_name,
                        content_type=stored.content_type)
