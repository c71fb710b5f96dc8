"""The statistics as an XLSX workbook (openpyxl): the same figures as the page and the API,
with Vietnamese headings — one sheet of counts per group row and one of the QĐ 766 indicators
with their formulas."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from egov.core import calendar

from .selectors.indicators import indicators
from .selectors.stats import COUNTS, HEADINGS_VI, StatsReport

GROUP_HEADINGS = {"unit": "Đơn vị giải quyết", "agency": "Bộ phận tiếp nhận",
                  "procedure": "Thủ tục hành chính", "channel": "Kênh"}


def stats_xlsx(report: StatsReport) -> bytes:
    flt = report.filter
    wb = Workbook()
    ws = wb.active
    ws.title = "Thống kê"
    as_of = calendar.localtime(report.as_of)
    ws.append(["THỐNG KÊ TÌNH HÌNH GIẢI QUYẾT HỒ SƠ THỦ TỤC HÀNH CHÍNH"])
    ws.append([f"Kỳ: {flt.start:%d/%m/%Y} – {flt.end:%d/%m/%Y}; "
               f"số liệu tính đến {as_of:%H:%M %d/%m/%Y}"])
    ws.append([])
    head = ["STT", GROUP_HEADINGS[flt.group], *[HEADINGS_VI[c] for c in COUNTS],
            HEADINGS_VI["on_time_rate"]]
    ws.append(head)
    for cell in ws[4]:
        cell.font = Font(bold=True)
    for i, row in enumerate([*report.rows, report.totals], start=1):
        rate = row.on_time_rate
        ws.append([i if row is not report.totals else "", row.name if row is not report.totals
                   else "Tổng cộng", *[row[c] for c in COUNTS],
                   round(100 * rate, 2) if rate is not None else None])
    ws.column_dimensions["B"].width = 40
    ind = wb.create_sheet("Chỉ số QĐ 766")
    ind.append(["Mã", "Chỉ số", "Công thức", "Tử số", "Mẫu số", "Giá trị"])
    for cell in ind[1]:
        cell.font = Font(bold=True)
    names = {"2.1": "Tỷ lệ hồ sơ giải quyết đúng hạn",
             "2.2": "Thời gian giải quyết trung bình (ngày làm việc)",
             "3.3": "Tỷ lệ hồ sơ trực tuyến", "4.1": "Tỷ lệ cấp kết quả điện tử",
             "5.4": "Mức độ hài lòng"}
    formulas = {
        "2.1": "(trước hạn + đúng hạn + đang giải quyết trong hạn) ÷ số hồ sơ tiếp nhận và "
               "giải quyết trong kỳ",
        "2.2": "Σ (ngày làm việc từ tiếp nhận đến có kết quả − ngày làm việc chờ bổ sung) ÷ "
               "số hồ sơ có kết quả",
        "3.3": "hồ sơ nộp trực tuyến (trừ hồ sơ chỉ trả kết quả giấy) ÷ hồ sơ tiếp nhận mới",
        "4.1": "hồ sơ có kết quả điện tử ÷ hồ sơ có kết quả",
        "5.4": "100 % − (tỷ lệ quá hạn + tỷ lệ không hài lòng)",
    }
    for i in indicators(report):
        value = i.value
        if value is not None and i.unit == "share":
            value = round(100 * value, 2)
        ind.append([i.code, names[i.code], formulas[i.code], i.numerator, i.denominator, value])
    ind.column_dimensions["B"].width = 40
    ind.column_dimensions["C"].width = 80
    if report.solving:
        sol = wb.create_sheet("Thời gian giải quyết")
        sol.append(["Mã thủ tục", "Tên thủ tục", "Số hồ sơ có kết quả", "Tổng ngày làm việc",
                    "Trung bình (ngày làm việc)"])
        for r in report.solving:
            sol.append([r["code"], r["name"], r["resolved"], r["working_days"],
                        r["average_days"]])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
