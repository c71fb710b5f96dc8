"""Exports as background jobs with progress (ARCHITECTURE.md §4.7): registers (incoming,
outgoing, tracking) and the handling report to XLSX or PDF, a case file to PDF + XML.

`export_request` checks the input and the permission at once, records an ExportJob (state
"queued") and enqueues `tasks_exports.run_export` on the "cpu" queue after commit. The job
(`exports_run`) streams the rows in chunks, writes its progress (percent) after each chunk in its
own autocommitted UPDATE so the page polling it sees it, stores the result through
`egov.core.files.file_store` and notifies the requester. The permission is checked again when
the job runs (the requester's rights may have changed meanwhile).
"""

from __future__ import annotations

import io
import logging
import os
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from egov.core import files, jobs
from egov.core.errors import AppError, InvalidInput
from egov.core.msgtext import Msg
from egov.core.notifications import notify

from .. import exports
from ..models import ExportJob
from ..selectors import casefiles as casefile_selectors
from ..selectors import registers as reg
from ..selectors.reports import check_period, handling_report

log = logging.getLogger("egov.documents.exports")

CASE_FILE = "case_file"
HANDLING_REPORT = "handling_report"
KINDS = (reg.INCOMING, reg.OUTGOING, reg.TRACKING, HANDLING_REPORT, CASE_FILE)
FORMATS = {
    reg.INCOMING: ("xlsx", "pdf"),
    reg.OUTGOING: ("xlsx", "pdf"),
    reg.TRACKING: ("xlsx", "pdf"),
    HANDLING_REPORT: ("xlsx", "pdf"),
    CASE_FILE: ("zip", "pdf", "xml"),
}
CONTENT_TYPES = {"xlsx": files.XLSX, "pdf": files.PDF, "xml": files.XML, "zip": files.ZIP}
CHUNK = 1000  # rows read per query and between two progress updates
MAX_BYTES = 2 * 1024 * 1024 * 1024

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"


def _slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[^A-Za-z0-9.]+", "-", text).strip("-.").lower() or "export"


# --- request ------------------------------------------------------------------------------------


def _register_params(actor, kind: str, params: dict[str, Any]) -> dict[str, Any]:
    agency = reg.agency_get(params.get("agency_id"))
    reg.require_reports(actor, agency)
    year = reg.check_year(params.get("year"))
    filters = reg.parse_filters(params)
    reg.check_register(agency, filters, "outgoing" if kind == reg.OUTGOING else "incoming")
    return {"agency_id": agency.pk, "year": year, **filters.as_params()}


def _report_params(actor, params: dict[str, Any]) -> dict[str, Any]:
    agency = reg.agency_get(params.get("agency_id"))
    reg.require_reports(actor, agency)
    errors: dict[str, list[str]] = {}
    start = reg.parse_date(params.get("start"), "start", errors)
    end = reg.parse_date(params.get("end"), "end", errors)
    if errors:
        raise InvalidInput(_("Check the period."), fields=errors)
    start, end = check_period(start, end)
    return {"agency_id": agency.pk, "start": start.isoformat(), "end": end.isoformat()}


def _casefile_params(actor, params: dict[str, Any]) -> dict[str, Any]:
    cf = casefile_selectors.casefile_get(actor=actor, case_file_id=params.get("case_file_id"))
    return {"case_file_id": cf.pk}


def export_request(*, actor, kind: str, format: str, params: dict[str, Any] | None = None,
                   ) -> ExportJob:
    """Record an export job and enqueue it (queue "cpu") after commit.

    kind: incoming_register | outgoing_register | tracking_register (params agency_id, year,
    filters) · handling_report (agency_id, start, end) · case_file (case_file_id; format zip =
    PDF + XML, or pdf, or xml). format: xlsx | pdf for registers and the report."""
    params = dict(params or {})
    if kind not in KINDS:
        raise InvalidInput(_("Unknown export."), fields={"kind": [_("Unknown export.")]},
                           code="bad_kind")
    if format not in FORMATS[kind]:
        message = _("Choose one of: %(formats)s.") % {"formats": ", ".join(FORMATS[kind])}
        raise InvalidInput(message, fields={"format": [message]}, code="bad_format")
    if actor is None or not getattr(actor, "is_authenticated", False):
        from egov.core.errors import PermissionDenied

        raise PermissionDenied()
    if kind == CASE_FILE:
        clean = _casefile_params(actor, params)
    elif kind == HANDLING_REPORT:
        clean = _report_params(actor, params)
    else:
        clean = _register_params(actor, kind, params)
    clean["format"] = format
    with transaction.atomic():
        job = ExportJob.objects.create(kind=kind, params=clean, requested_by=actor,
                                       state=QUEUED)

        def _enqueue(job_id: int = job.pk) -> None:
            from ..tasks_exports import run_export

            run_export.enqueue(job_id)

        transaction.on_commit(_enqueue)
    return job


# --- running ------------------------------------------------------------------------------------


def _set(job: ExportJob, **fields) -> None:
    for k, v in fields.items():
        setattr(job, k, v)
    ExportJob.objects.filter(pk=job.pk).update(**fields)


class _Progress:
    """Writes the job's percent as rows go by (at most once per CHUNK rows)."""

    def __init__(self, job: ExportJob, total: int, start: int, end: int) -> None:
        self.job, self.total, self.start, self.end = job, total, start, end
        self.done = 0

    def rows(self, chunks: Iterable[list]) -> Iterator:
        for chunk in chunks:
            yield from chunk
            self.done += len(chunk)
            share = self.done / self.total if self.total else 1
            _set(self.job, progress=min(self.end, self.start + int((self.end - self.start)
                                                                   * share)))
            jobs.step_pause()


def _register_file(job: ExportJob, actor, fmt: str) -> tuple[str, bytes]:
    p = job.params
    agency = reg.agency_get(p["agency_id"])
    year = int(p["year"])
    filters = reg.parse_filters(p)
    total = reg.register_count(actor=actor, kind=job.kind, agency=agency, year=year,
                               filters=filters)
    _set(job, total=total)
    chunks = reg.iter_register_rows(actor=actor, kind=job.kind, agency=agency, year=year,
                                    filters=filters, chunk=CHUNK)
    meta = reg.register_meta(kind=job.kind, agency=agency, year=year, filters=filters)
    if fmt == "xlsx":
        progress = _Progress(job, total, 0, 95)
        data = exports.register_xlsx(progress.rows(chunks), job.kind, meta)
    else:
        # WeasyPrint lays the whole table out at once: reading is the first half.
        progress = _Progress(job, total, 0, 50)
        rows = list(progress.rows(chunks))
        data = exports.register_pdf(rows, job.kind, meta)
    name = f"{_slug(reg.REGISTER_TITLES[job.kind])}-{_slug(agency.abbreviation or agency.name)}" \
           f"-{year}.{fmt}"
    return name, data


def _report_file(job: ExportJob, actor, fmt: str) -> tuple[str, bytes]:
    p = job.params
    agency = reg.agency_get(p["agency_id"])
    errors: dict = {}
    start = reg.parse_date(p["start"], "start", errors)
    end = reg.parse_date(p["end"], "end", errors)
    report = handling_report(actor=actor, agency=agency, start=start, end=end)
    _set(job, total=len(report.rows), progress=50)
    data = exports.report_xlsx(report) if fmt == "xlsx" else exports.report_pdf(report)
    name = f"bao-cao-giai-quyet-van-ban-den-{_slug(agency.abbreviation or agency.name)}-" \
           f"{start:%Y%m%d}-{end:%Y%m%d}.{fmt}"
    return name, data


def _casefile_file(job: ExportJob, actor, fmt: str) -> tuple[str, bytes]:
    cf = casefile_selectors.casefile_get(actor=actor, case_file_id=job.params["case_file_id"])
    entries, items = casefile_selectors.casefile_entries(case_file=cf)
    _set(job, total=len(entries))
    base = f"ho-so-{_slug(cf.notation)}-{cf.year}"
    agency = cf.agency
    meta = {
        "agency_name": agency.name,
        "parent_name": agency.parent.name if agency.parent_id else "",
        "generated_at": timezone.localtime(),
        "doc_total": len(entries),
    }
    with tempfile.TemporaryDirectory(prefix="egov-export-") as tmp:
        page_total = 0
        for i, (entry, item) in enumerate(zip(entries, items, strict=True), start=1):
            stored = casefile_selectors.item_pdf(item)
            if stored is not None and stored.content_type == files.PDF:
                path = os.path.join(tmp, f"{i:04d}.pdf")
                with files.file_open(stored) as src, open(path, "wb") as dst:
                    for block in iter(lambda s=src: s.read(1024 * 1024), b""):
                        dst.write(block)
                pages = exports.pdf_page_count(path)
                if pages:
                    entry.pdf_path, entry.pages = path, pages
                    page_total += pages
                else:
                    entry.notes = "; ".join(filter(None, [entry.notes,
                                                          "Tệp PDF không đọc được"]))
            else:
                entry.notes = "; ".join(filter(None, [entry.notes, "Không có bản điện tử"]))
            _set(job, progress=min(60, int(60 * i / max(len(entries), 1))))
        meta["page_total"] = page_total
        outputs: dict[str, bytes] = {}
        if fmt in ("zip", "pdf"):
            outputs["pdf"] = exports.casefile_pdf(cf, entries, meta)
            _set(job, progress=90)
        if fmt in ("zip", "xml"):
            outputs["xml"] = exports.casefile_xml(
                cf, entries, organ_id=agency.electronic_id or "", page_total=page_total)
    if fmt != "zip":
        return f"{base}.{fmt}", outputs[fmt]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{base}.pdf", outputs["pdf"])
        archive.writestr(f"{base}.xml", outputs["xml"])
    return f"{base}.zip", buf.getvalue()


BUILDERS = {
    reg.INCOMING: _register_file,
    reg.OUTGOING: _register_file,
    reg.TRACKING: _register_file,
    HANDLING_REPORT: _report_file,
    CASE_FILE: _casefile_file,
}


def exports_run(*, job_id: int) -> ExportJob | None:
    """Run one export job (called by the background task; safe to call twice: a finished job
    is left alone)."""
    claimed = ExportJob.objects.filter(pk=job_id, state__in=[QUEUED, RUNNING]).update(
        state=RUNNING, progress=0, error="")
    job = ExportJob.objects.select_related("requested_by").filter(pk=job_id).first()
    if job is None or not claimed:
        return job
    actor = job.requested_by
    fmt = job.params.get("format", "xlsx")
    url = reverse("documents:export_detail", args=[job.pk])
    with translation.override(settings.LANGUAGE_CODE):
        try:
            name, data = BUILDERS[job.kind](job, actor, fmt)
            # The file is recorded in the transaction that ends the job: a worker that dies
            # before the end leaves no file behind, and the re-run stores it once.
            with transaction.atomic():
                stored = files.file_store(actor=actor, upload=(name, data), require=None,
                                          max_bytes=MAX_BYTES)
                _set(job, state=DONE, progress=100, result=stored, finished_at=timezone.now())
                notify(users=[actor],
                       subject=Msg(N_("Your export is ready: %(name)s"), name=name),
                       body=Msg(N_("Open the link to download the file.")), url=url,
                       email=False)
        except AppError as err:
            return _fail(job, err.message, url)
        except DatabaseError:
            if jobs.connection_lost():
                raise  # the database itself is gone: the job is taken up again (egov.core.jobs)
            log.exception("export job %s failed", job.pk)
            return _fail(job, _("The export failed. Try again or ask the administrator."), url)
        except Exception:  # noqa: BLE001 - any failure ends the job with a message, not a crash
            log.exception("export job %s failed", job.pk)
            return _fail(job, _("The export failed. Try again or ask the administrator."), url)
    return job


def exports_job_failed(*, job_id: int, reason: str) -> ExportJob | None:
    """The export's background job ended failed (its worker died too often, or the database
    failed under it): the export ends failed with the reason instead of "running" forever."""
    job = ExportJob.objects.select_related("requested_by").filter(
        pk=job_id, state__in=[QUEUED, RUNNING]).first()
    if job is None:
        return None
    url = reverse("documents:export_detail", args=[job.pk])
    with translation.override(settings.LANGUAGE_CODE):
        message = _("The export stopped (%(reason)s). Try again.") % {"reason": reason}
        return _fail(job, message, url)


def _fail(job: ExportJob, message: str, url: str) -> ExportJob:
    with transaction.atomic():
        _set(job, state=FAILED, error=str(message)[:500], finished_at=timezone.now())
        notify(users=[job.requested_by], subject=Msg(N_("Your export failed")),
               body=str(message),
               url=url, email=False)
    return job
