"""The periodic report of directives as files: XLSX (openpyxl) and PDF (WeasyPrint; the shared
slip sheet egov/slip.css — A4, Times New Roman / Liberation Serif with every Vietnamese
letter — plus directives/report.css). Both render from the report's JSON
(`PeriodicReport.as_json()`, also what a snapshot stores), so a snapshot's files show what was
sent. A report upward is a Vietnamese administrative document: always in Vietnamese."""

from __future__ import annotations

import datetime as dt
import functools
import io

from django.template.loader import render_to_string
from django.utils import timezone, translation

# The four buckets in the words of the Government's reports (Báo cáo 1270/BC-TCTTTg,
# documents.md §19).
BUCKET_WORDS = [
    ("done_on_time", "Đã hoàn thành đúng hạn"),
    ("done_late", "Đã hoàn thành quá hạn"),
    ("open_on_time", "Chưa hoàn thành, trong hạn"),
    ("open_late", "Chưa hoàn thành, quá hạn"),
]
OVERDUE_HEADINGS = ["STT", "Mã nhiệm vụ", "Nội dung nhiệm vụ", "Đơn vị chủ trì",
                    "Ngày giao", "Thời hạn", "Số ngày quá hạn", "Tiến độ (%)"]


def _d(value) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return value.strftime("%d/%m/%Y")


def subject_name(data: dict) -> str:
    return (data.get("unit") or data.get("agency") or {}).get("name", "")


def context(data: dict, title: str) -> dict:
    total = data.get("total") or 0
    rows = []
    for key, label in BUCKET_WORDS:
        n = data.get(key, 0)
        share = f"{100 * n / total:.1f}".replace(".", ",") if total else "0"
        rows.append({"key": key, "label": label, "n": n, "share": share})
    overdue = [[str(i), r["code"], r["title"], r["lead_unit"], _d(r["given_on"]),
                _d(r["judged_due_date"]), str(r["days_late"]), str(r["progress"])]
               for i, r in enumerate(data.get("overdue") or [], start=1)]
    return {"title": title, "subject": subject_name(data), "rows": rows, "total": total,
            "start": _d(data.get("from")), "end": _d(data.get("to")),
            "as_of": _d(data.get("as_of")), "overdue": overdue,
            "headings": OVERDUE_HEADINGS, "truncated": data.get("overdue_truncated")}


def report_xlsx(data: dict, title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    ctx = context(data, title)
    wb = Workbook()
    ws = wb.active
    ws.title = "Báo cáo"
    for line in (ctx["subject"].upper(), "BÁO CÁO TÌNH HÌNH THỰC HIỆN NHIỆM VỤ",
                 f"Từ ngày {ctx['start']} đến ngày {ctx['end']} (số liệu đến ngày "
                 f"{ctx['as_of']})"):
        ws.append([line])
        ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
    ws.append([])
    ws.append(["Tình trạng", "Số nhiệm vụ", "Tỷ lệ (%)"])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for r in ctx["rows"]:
        ws.append([r["label"], r["n"], r["share"]])
    ws.append(["Tổng số", ctx["total"], "100" if ctx["total"] else "0"])
    ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
    ws.append([])
    ws.append(["DANH SÁCH NHIỆM VỤ CHƯA HOÀN THÀNH, QUÁ HẠN"])
    ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
    ws.append(OVERDUE_HEADINGS)
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in ctx["overdue"]:
        ws.append(row)
    for col, width in zip("ABCDEFGH", (30, 22, 50, 30, 12, 12, 12, 10), strict=True):
        ws.column_dimensions[col].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@functools.lru_cache(maxsize=1)
def _assets():
    from django.contrib.staticfiles import finders
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    sheets = []
    for name in ("egov/slip.css", "directives/report.css"):
        with open(finders.find(name), encoding="utf-8") as fh:
            sheets.append(fh.read())
    return CSS(string="\n".join(sheets), font_config=fonts), fonts


def report_pdf(data: dict, title: str) -> bytes:
    from weasyprint import HTML

    with translation.override("vi"):
        html = render_to_string("directives/reports/report_pdf.html",
                                {**context(data, title), "printed_at": timezone.localtime()})
    css, fonts = _assets()
    return HTML(string=html, base_url=None).write_pdf(stylesheets=[css], font_config=fonts)
