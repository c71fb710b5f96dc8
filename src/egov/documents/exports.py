"""File builders for exports: registers and reports to XLSX (openpyxl, write-only) and PDF
(WeasyPrint, A4 landscape, NĐ 30/2020 Phụ lục I: Times New Roman — Liberation Serif 2 has the same
metrics and every Vietnamese letter), and case files to PDF (Mục lục văn bản + the documents'
PDFs merged with poppler's `pdfunite`) and XML (Phụ lục VI Part II element names).

Pure builders: they read no database; the export job (services/exports.py) feeds them rows.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from .selectors.registers import COLUMNS, Column

XLSX_DATE = "DD/MM/YYYY"
XLSX_DATETIME = "DD/MM/YYYY HH:MM"
FONT = "Times New Roman"

# Handling report (Báo cáo tình hình giải quyết văn bản đến) columns, legal wording.
REPORT_COLUMNS: tuple[Column, ...] = (
    Column("no", "STT", "#", 6, "int"),
    Column("unit", "Đơn vị", "", 40),
    Column("total", "Tổng số", "", 10, "int"),
    Column("done_on_time", "Hoàn thành đúng hạn", "", 14, "int"),
    Column("done_late", "Hoàn thành quá hạn", "", 14, "int"),
    Column("open_on_time", "Chưa hoàn thành trong hạn", "", 14, "int"),
    Column("open_late", "Chưa hoàn thành quá hạn", "", 14, "int"),
    Column("rate", "Tỷ lệ đúng hạn", "", 12, "percent"),
)

# Mục lục văn bản trong hồ sơ (NĐ 30/2020 Phụ lục V).
CASEFILE_TOC_COLUMNS: tuple[Column, ...] = (
    Column("ordinal", "STT", "", 6, "int"),
    Column("code", "Số, ký hiệu", "", 16),
    Column("date", "Ngày tháng năm", "", 14, "date"),
    Column("type_subject", "Tên loại và trích yếu", "", 38),
    Column("author", "Tác giả", "", 18),
    Column("page", "Tờ số/Trang số", "", 10, "int"),
    Column("notes", "Ghi chú", "", 12),
)


# --- cell values --------------------------------------------------------------------------------


def _naive_local(value: dt.datetime) -> dt.datetime:
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(tzinfo=None, microsecond=0)


def cell_text(value: Any, kind: str = "text") -> str:
    """A value as printed: dates dd/mm/yyyy, instants dd/mm/yyyy HH:MM (Vietnamese time)."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        return _naive_local(value).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if kind == "percent" and isinstance(value, float):
        return f"{value * 100:.1f} %".replace(".", ",")
    return str(value)


def _values(row: Any) -> Sequence[Any]:
    return row.values if hasattr(row, "values") and not isinstance(row, dict) else row


# --- XLSX ---------------------------------------------------------------------------------------


def table_xlsx(rows: Iterable[Any], columns: Sequence[Column], meta: dict[str, Any]) -> bytes:
    """A workbook with one sheet: the header lines (parent agency, agency, title, year, filters),
    the legal column headings, their numbers (1)…(n), then the rows. Write-only mode: constant
    memory whatever the number of rows."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=str(meta.get("sheet_title") or "So")[:31])
    for i, col in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = col.width
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4 (ECMA-376 ST_PaperSize)
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0

    bold = Font(name=FONT, size=13, bold=True)
    plain = Font(name=FONT, size=12)
    head_font = Font(name=FONT, size=11, bold=True)
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)

    def text(value: str, font=plain, align=None, border=None) -> WriteOnlyCell:
        c = WriteOnlyCell(ws, value=value)
        c.font = font
        if align is not None:
            c.alignment = align
        if border is not None:
            c.border = border
        return c

    header_rows = 0
    if meta.get("parent_name"):
        ws.append([text(meta["parent_name"].upper(), plain)])
        header_rows += 1
    ws.append([text((meta.get("agency_name") or "").upper(), bold)])
    ws.append([])
    ws.append([text(meta["title"].upper() + (f" — NĂM {meta['year']}" if meta.get("year")
                                              else ""), bold)])
    header_rows += 3
    for line in (meta.get("register_name"), meta.get("subtitle"), meta.get("filters")):
        if line:
            ws.append([text(line, plain)])
            header_rows += 1
    ws.append([])
    header_rows += 1
    ws.append([text(c.heading, head_font, centre, box) for c in columns])
    ws.append([text(f"({i})", plain, centre, box) for i in range(1, len(columns) + 1)])
    heading_row = header_rows + 1
    ws.print_title_rows = f"{heading_row}:{heading_row + 1}"
    ws.freeze_panes = f"A{heading_row + 2}"

    kinds = [c.kind for c in columns]
    for row in rows:
        out = []
        for kind, value in zip(kinds, _values(row), strict=True):
            if isinstance(value, dt.datetime):
                c = WriteOnlyCell(ws, value=_naive_local(value))
                c.number_format = XLSX_DATETIME
                out.append(c)
            elif isinstance(value, dt.date):
                c = WriteOnlyCell(ws, value=value)
                c.number_format = XLSX_DATE
                out.append(c)
            elif kind == "percent" and isinstance(value, float):
                c = WriteOnlyCell(ws, value=value)
                c.number_format = "0.0%"
                out.append(c)
            else:
                out.append(value)
        ws.append(out)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def register_xlsx(rows: Iterable[Any], kind: str, meta: dict[str, Any]) -> bytes:
    """A register (Phụ lục IV columns of `kind`) as .xlsx bytes."""
    return table_xlsx(rows, COLUMNS[kind], {"sheet_title": meta.get("title"), **meta})


# --- PDF ----------------------------------------------------------------------------------------


def css_string(value: str) -> str:
    """A CSS string literal (for margin-box `content`)."""
    return json.dumps(str(value), ensure_ascii=False).replace("\\n", " ")


def _pdf(template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, context)
    return HTML(string=html, base_url=None).write_pdf()


# CSS class of a PDF cell by column kind: numbers and dates centred on one line; instants
# (date + time) centred but allowed to wrap between the date and the time.
CELL_CLASSES = {"int": "num", "date": "num", "percent": "num", "datetime": "instant"}


def _pdf_rows(rows: Iterable[Any], columns: Sequence[Column]) -> list[list[tuple[str, str]]]:
    """Rows of (text, css class) cells for the PDF templates."""
    kinds = [(c.kind, CELL_CLASSES.get(c.kind, "")) for c in columns]
    return [[(cell_text(v, k), css) for (k, css), v in zip(kinds, _values(r), strict=True)]
            for r in rows]


def _widths(columns: Sequence[Column]) -> list[str]:
    total = sum(c.width for c in columns)
    return [f"{c.width * 100 / total:.2f}%" for c in columns]


def table_pdf(rows: Iterable[Any], columns: Sequence[Column], meta: dict[str, Any],
              *, landscape: bool = True) -> bytes:
    running = f"{meta['title']}" + (f" năm {meta['year']}" if meta.get("year") else "")
    context = {
        "meta": meta,
        "columns": list(zip(columns, _widths(columns), strict=True)),
        "numbers": [f"({i})" for i in range(1, len(columns) + 1)],
        "rows": _pdf_rows(rows, columns),
        "running_title": css_string(running),
        "running_agency": css_string(meta.get("agency_name") or ""),
        "landscape": landscape,
    }
    return _pdf("documents/pdf/register.html", context)


def register_pdf(rows: Iterable[Any], kind: str, meta: dict[str, Any]) -> bytes:
    """A register as a PDF: A4 landscape, title block, the table with its heading repeated on
    every page, "Trang x/y" at the foot of each page."""
    return table_pdf(rows, COLUMNS[kind], meta)


def report_rows(report) -> list[tuple]:
    """The handling report as table rows (units, then the total line)."""
    rows = []
    for i, r in enumerate(report.rows, start=1):
        rows.append((i, r.unit_name, r.total, r.done_on_time, r.done_late, r.open_on_time,
                     r.open_late, r.on_time_rate))
    t = report.totals
    rows.append((None, "Tổng cộng", t.total, t.done_on_time, t.done_late, t.open_on_time,
                 t.open_late, t.on_time_rate))
    return rows


def report_meta(report) -> dict[str, Any]:
    agency = report.agency
    return {
        "title": "Báo cáo tình hình giải quyết văn bản đến",
        "agency_name": agency.name,
        "parent_name": agency.parent.name if agency.parent_id else "",
        "year": None,
        "subtitle": f"Từ ngày {report.start:%d/%m/%Y} đến ngày {report.end:%d/%m/%Y} "
                    f"(số liệu tính đến {cell_text(report.as_of)})",
        "generated_at": timezone.localtime(),
    }


def report_xlsx(report) -> bytes:
    return table_xlsx(report_rows(report), REPORT_COLUMNS,
                      {"sheet_title": "Bao cao", **report_meta(report)})


def report_pdf(report) -> bytes:
    return table_pdf(report_rows(report), REPORT_COLUMNS, {**report_meta(report),
                                                           "total_row": True})


# --- case files ---------------------------------------------------------------------------------


@dataclass
class CaseFileEntry:
    """One document of a case file, in chronological order, with its Phụ lục VI metadata."""

    ordinal: int
    direction: str  # "incoming" | "outgoing"
    code: str
    date: dt.date | None
    type_subject: str
    author: str
    pdf_path: str | None = None  # a local copy of the document's PDF, when it has one
    pages: int | None = None
    first_page: int | None = None
    notes: str = ""
    # (element name, value) pairs in the order of Phụ lục VI §I / §II; a name may repeat (To).
    metadata: list[tuple[str, Any]] = field(default_factory=list)

    @property
    def values(self) -> tuple:
        page = ""
        if self.first_page is not None and self.pages:
            last = self.first_page + self.pages - 1
            page = str(self.first_page) if last == self.first_page else \
                f"{self.first_page}–{last}"
        return (self.ordinal, self.code, self.date, self.type_subject, self.author, page,
                self.notes)


_PAGES_RE = re.compile(rb"^Pages:\s+(\d+)", re.M)


def pdf_page_count(path: str) -> int | None:
    """The number of pages of a PDF (poppler's pdfinfo); None if it cannot be read."""
    try:
        out = subprocess.run(["pdfinfo", path], capture_output=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = _PAGES_RE.search(out.stdout) if out.returncode == 0 else None
    return int(match.group(1)) if match else None


def merge_pdfs(paths: Sequence[str], out_path: str) -> None:
    """Concatenate PDFs with poppler's pdfunite (poppler-utils, a required system package)."""
    if len(paths) == 1:
        shutil.copyfile(paths[0], out_path)
        return
    exe = shutil.which("pdfunite")
    if exe is None:
        raise RuntimeError("pdfunite (poppler-utils) is not installed")
    result = subprocess.run([exe, *paths, out_path], capture_output=True, timeout=600,
                            check=False)
    if result.returncode != 0:
        raise RuntimeError(result.stderr.decode("utf-8", "replace")[:400])


def casefile_meta_text(case_file) -> dict[str, str]:
    """Maintenance (thời hạn bảo quản) in the words of Phụ lục V: "Vĩnh viễn" or "N năm"."""
    return {
        "maintenance": ("Vĩnh viễn" if case_file.retention_years is None
                        else f"{case_file.retention_years} năm"),
    }


def casefile_toc_pdf(case_file, entries: Sequence[CaseFileEntry], meta: dict[str, Any]) -> bytes:
    """Mục lục văn bản trong hồ sơ (NĐ 30/2020 Phụ lục V), A4 portrait."""
    context = {
        "case_file": case_file,
        "meta": meta,
        "columns": list(zip(CASEFILE_TOC_COLUMNS, _widths(CASEFILE_TOC_COLUMNS), strict=True)),
        "numbers": [f"({i})" for i in range(1, len(CASEFILE_TOC_COLUMNS) + 1)],
        "rows": _pdf_rows(entries, CASEFILE_TOC_COLUMNS),
        "running_title": css_string(f"Hồ sơ số {case_file.notation}"),
        "running_agency": css_string(meta.get("agency_name") or ""),
        "maintenance": casefile_meta_text(case_file)["maintenance"],
    }
    return _pdf("documents/pdf/casefile_toc.html", context)


def casefile_pdf(case_file, entries: Sequence[CaseFileEntry], meta: dict[str, Any]) -> bytes:
    """The Mục lục văn bản followed by every document's PDF in chronological order. Page numbers
    (Tờ số/Trang số) count the documents' pages only: the index itself is not numbered."""
    page = 1
    for e in entries:
        if e.pdf_path and e.pages:
            e.first_page = page
            page += e.pages
    toc = casefile_toc_pdf(case_file, entries, meta)
    parts = [e.pdf_path for e in entries if e.pdf_path and e.pages]
    if not parts:
        return toc
    with tempfile.TemporaryDirectory(prefix="egov-casefile-") as tmp:
        toc_path = os.path.join(tmp, "00-muc-luc.pdf")
        with open(toc_path, "wb") as f:
            f.write(toc)
        out = os.path.join(tmp, "merged.pdf")
        merge_pdfs([toc_path, *parts], out)
        with open(out, "rb") as f:
            return f.read()


def _date(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def _add(parent: ET.Element, name: str, value: Any = None) -> ET.Element:
    el = ET.SubElement(parent, name)
    if isinstance(value, dict):
        for k, v in value.items():
            _add(el, k, v)
    elif value is not None:
        el.text = _date(value) if isinstance(value, dt.date) else str(value)
    return el


def casefile_xml(case_file, entries: Sequence[CaseFileEntry], *, organ_id: str,
                 page_total: int | None) -> bytes:
    """The file's metadata (Phụ lục VI Part II §III) and each document's metadata (§I for
    outgoing, §II for incoming) in chronological order, UTF-8. Element names are exactly those
    of Phụ lục VI; the containers (<File>, <Documents>, <Document>) are ours. Dates are
    ISO 8601 (yyyy-mm-dd, the 10 characters of Phụ lục VI's Date type)."""
    root = ET.Element("File")
    file_code = {"OrganId": organ_id, "FileCatalog": case_file.year,
                 "FileNotation": case_file.notation}
    _add(root, "FileCode", file_code)
    _add(root, "Title", case_file.title)
    _add(root, "Maintenance", casefile_meta_text(case_file)["maintenance"])
    _add(root, "Rights", case_file.rights)
    _add(root, "Creator", case_file.creator.get_full_name()[:30])
    _add(root, "Language", case_file.language)
    _add(root, "StartDate", case_file.start_date)
    _add(root, "EndDate", case_file.end_date)
    _add(root, "DocTotal", len(entries))
    _add(root, "PageTotal", page_total if page_total is not None else "")
    _add(root, "Description", case_file.description)
    docs = ET.SubElement(root, "Documents")
    for e in entries:
        el = ET.SubElement(docs, "Document", {"direction": e.direction})
        _add(el, "FileCode", file_code)
        _add(el, "DocOrdinal", e.ordinal)
        for name, value in e.metadata:
            _add(el, name, value)
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
