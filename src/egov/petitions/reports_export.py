"""The registers and the periodic report as files: XLSX (openpyxl) and PDF (WeasyPrint, A4
landscape, Times New Roman — Liberation Serif, same metrics, every Vietnamese letter). The
rows come from selectors.reports, already redacted unless the exporter is the head of the
agency. Registers are Vietnamese administrative forms: always in Vietnamese."""

from __future__ import annotations

import functools
import io

from django.template.loader import render_to_string
from django.utils import timezone, translation

from .selectors import reports as sel

REGISTERS = {
    # key: (title, form, headings, row function)
    "reception": ("SỔ TIẾP CÔNG DÂN", "Mẫu số 03/TCD (Nghị định 154/2026/NĐ-CP)",
                  sel.RECEPTION_HEADINGS, sel.reception_register),
    "tracking": ("SỔ THEO DÕI XỬ LÝ ĐƠN", "Thông tư 05/2021/TT-TTCP",
                 sel.TRACKING_HEADINGS, sel.tracking_register),
}


def register_rows(register: str, period: sel.Period, *, with_identity: bool):
    title, form, headings, fn = REGISTERS[register]
    return title, form, headings, fn(period, with_identity=with_identity)


def _sheet_head(ws, lines: list[str]) -> None:
    from openpyxl.styles import Font

    for line in lines:
        ws.append([line])
        ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
    ws.append([])


def register_xlsx(register: str, period: sel.Period, *, with_identity: bool) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    title, form, headings, rows = register_rows(register, period, with_identity=with_identity)
    wb = Workbook()
    ws = wb.active
    ws.title = title.title()[:31]
    _sheet_head(ws, [period.agency.name.upper(), title, form,
                     f"Từ ngày {period.start:%d/%m/%Y} đến ngày {period.end:%d/%m/%Y}"])
    ws.append(headings)
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.append([f"({i})" for i in range(1, len(headings) + 1)])
    for row in rows:
        ws.append(row)
    for col, width in zip("ABCDEFGHIJKLM", (6, 12, 30, 16, 40, 10, 8, 20, 10, 24, 24, 24, 16),
                          strict=False):
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
    with open(finders.find("egov/petitions-register.css"), encoding="utf-8") as fh:
        css = CSS(string=fh.read(), font_config=fonts)
    return css, fonts


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    css, fonts = _assets()
    return HTML(string=html, base_url=None).write_pdf(stylesheets=[css], font_config=fonts)


def register_pdf(register: str, period: sel.Period, *, with_identity: bool) -> bytes:
    title, form, headings, rows = register_rows(register, period, with_identity=with_identity)
    with translation.override("vi"):
        html = render_to_string("petitions/reports/register_pdf.html", {
            "title": title, "form": form, "headings": headings, "rows": rows,
            "numbers": [f"({i})" for i in range(1, len(headings) + 1)],
            "period": period, "agency": period.agency, "printed_at": timezone.localtime()})
    return html_to_pdf(html)


def report_xlsx(report: sel.PeriodicReport) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    period = report.period
    wb = Workbook()
    ws = wb.active
    ws.title = "Báo cáo"
    with translation.override("vi"):
        _sheet_head(ws, [period.agency.name.upper(),
                         "BÁO CÁO KẾT QUẢ TIẾP CÔNG DÂN, XỬ LÝ ĐƠN",
                         f"Từ ngày {period.start:%d/%m/%Y} đến ngày {period.end:%d/%m/%Y}"])
        columns = [str(label) for _key, label in sel.COLUMNS]
        for key, label in sel.GROUPS:
            ws.append([str(label), *columns])
            for cell in ws[ws.max_row]:
                cell.font = Font(bold=True)
            for row in report.groups.get(key, []):
                ws.append([row.label, *[row.values[c] for c, _l in sel.COLUMNS]])
            ws.append([])
        ws.append(["Tổng cộng", *[report.totals[c] for c, _l in sel.COLUMNS]])
        ws.append([])
        ws.append(["Ý kiến người dân sau khi đóng đơn"])
        for key, label in (("resolved", "Đã được giải quyết"),
                           ("not_resolved", "Chưa được giải quyết"),
                           ("no_answer", "Chưa trả lời")):
            ws.append([label, report.satisfaction.get(key, 0)])
    ws.column_dimensions["A"].width = 36
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
