"""Reading a plan's task list (kế hoạch) from an XLSX file, and the downloadable template.

One sheet (the first). The header is the first row, among the first ten, that names at least
the key and the content columns; the names are matched without case, extra spaces or
diacritics ("Mã", "ma", "MÃ NHIỆM VỤ" …). Columns (docs/directives.md, "Plans and bulk work"):

    Mã | Nội dung | Đơn vị chủ trì | Đơn vị phối hợp | Thời hạn | Ưu tiên | Ghi chú

A bad file never raises: every problem comes back as a RowError (the row number is the sheet's,
the header's row included). Cells holding a formula are refused (the value a formula shows is
not stored by every program, and a task's text is never computed): paste values instead.
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext as _

from egov.core.importers import RowError

MAX_BYTES = 10 * 1024 * 1024
MAX_UNZIPPED = 100 * 1024 * 1024  # a zip bomb is refused before openpyxl opens it
MAX_ROWS = 10_000
MAX_COLS = 30
HEADER_SCAN = 10

# column key → the header names accepted (compared folded: lower case, no diacritics)
COLUMNS: dict[str, tuple[str, ...]] = {
    "plan_key": ("mã", "mã nhiệm vụ", "mã số", "số thứ tự", "stt", "plan_key", "key", "code"),
    "title": ("nội dung", "tiêu đề", "nội dung/tiêu đề", "nội dung nhiệm vụ", "nhiệm vụ",
              "tên nhiệm vụ", "title"),
    "lead": ("đơn vị chủ trì", "chủ trì", "cơ quan chủ trì", "lead"),
    "support": ("đơn vị phối hợp", "phối hợp", "cơ quan phối hợp", "support"),
    "due_date": ("thời hạn", "hạn", "thời hạn hoàn thành", "hạn hoàn thành", "due_date",
                 "deadline"),
    "priority": ("ưu tiên", "mức độ ưu tiên", "priority"),
    "note": ("ghi chú", "note", "notes"),
}
REQUIRED = ("plan_key", "title", "lead", "due_date")
# The template's header, Vietnamese first (the names the template and the docs use).
HEADER = ("Mã", "Nội dung", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời hạn", "Ưu tiên",
          "Ghi chú")
LABELS = dict(zip(COLUMNS, HEADER, strict=True))


def fold(text: str) -> str:
    """Lower case, no diacritics (đ → d), single spaces: how names are compared."""
    text = unicodedata.normalize("NFD", str(text).strip().lower()).replace("đ", "d")
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return " ".join(text.split())


_ALIASES = {fold(name): key for key, names in COLUMNS.items() for name in names}


@dataclass
class Line:
    """One row of the file (or of the page's table): the sheet's row number and its cells as
    text, except `due_date`, which may be a date."""

    row: int
    values: dict


def _cell_value(value):
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return unicodedata.normalize("NFC", str(value)).strip()


def _header(cells) -> dict[int, str] | None:
    found: dict[int, str] = {}
    for index, cell in enumerate(cells):
        key = _ALIASES.get(fold(cell)) if isinstance(cell, str) and cell.strip() else None
        if key is not None and key not in found.values():
            found[index] = key
    keys = set(found.values())
    return found if {"plan_key", "title"} <= keys else None


def _unzipped_size(data: bytes) -> int | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None


def read_xlsx(data: bytes) -> tuple[list[Line], list[RowError]]:
    """The task rows of an XLSX file, or the errors that make it unreadable."""
    if not data:
        return [], [RowError(None, _("The file is empty."))]
    if len(data) > MAX_BYTES:
        return [], [RowError(None, _("The file is larger than 10 MB."))]
    size = _unzipped_size(data) if data[:2] == b"PK" else None
    if size is None:
        return [], [RowError(None, _("The file is not an XLSX workbook (Excel 2007 or later)."))]
    if size > MAX_UNZIPPED:
        return [], [RowError(None, _("The workbook is too large once unpacked."))]
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a bad file
        return [], [RowError(None, _("The file is not a readable XLSX workbook."))]
    try:
        return _read_sheet(book)
    except Exception:  # noqa: BLE001 - a broken sheet inside a valid zip
        return [], [RowError(None, _("The file is not a readable XLSX workbook."))]
    finally:
        book.close()


def _read_sheet(book) -> tuple[list[Line], list[RowError]]:
    if not book.worksheets:
        return [], [RowError(None, _("The file is empty."))]
    sheet = book.worksheets[0]
    header: dict[int, str] | None = None
    lines: list[Line] = []
    errors: list[RowError] = []
    for number, cells in enumerate(sheet.iter_rows(max_col=MAX_COLS), start=1):
        if header is None:
            header = _header([_cell_value(getattr(c, "value", None)) for c in cells])
            if header is None and number >= HEADER_SCAN:
                break
            if header is not None:
                missing = [LABELS[k] for k in REQUIRED if k not in header.values()]
                if missing:
                    return [], [RowError(number, _("Missing columns: %(names)s.")
                                         % {"names": ", ".join(missing)})]
            continue
        if len(lines) >= MAX_ROWS or number > MAX_ROWS * 2:
            return [], [RowError(None, _("The file has more than %(n)d rows.")
                                 % {"n": MAX_ROWS})]
        values = {key: "" for key in COLUMNS}
        empty = True
        for index, key in header.items():
            cell = cells[index] if index < len(cells) else None
            if cell is None or getattr(cell, "value", None) is None:
                continue
            if getattr(cell, "data_type", "") == "f":
                errors.append(RowError(number, _("Formulas are not accepted: paste the values."),
                                       field=key))
                empty = False
                continue
            value = _cell_value(cell.value)
            if value != "":
                empty = False
            values[key] = value
        if not empty:
            lines.append(Line(number, values))
    if header is None:
        return [], [RowError(None, _("No header row found: the first rows must name the "
                                     "columns %(names)s.") % {"names": ", ".join(HEADER)})]
    return lines, errors


def template_xlsx() -> bytes:
    """The downloadable template: the header, two example rows and a sheet of instructions."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Nhiệm vụ"
    sheet.append(list(HEADER))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.append(["1", "Rà soát, đơn giản hóa thủ tục hành chính lĩnh vực hộ tịch",
                  "Sở Tư pháp", "Sở Tài chính; Văn phòng UBND tỉnh", "30/06/2027",
                  "Cao", ""])
    sheet.append(["2", "Báo cáo kết quả thực hiện kế hoạch 6 tháng", "000.00.02.T99", "",
                  dt.date(2027, 7, 15), "Bình thường", "Gửi về Văn phòng UBND tỉnh"])
    for column, width in zip("ABCDEFG", (8, 60, 28, 36, 14, 14, 30), strict=True):
        sheet.column_dimensions[column].width = width
    notes = book.create_sheet("Hướng dẫn")
    for row in (
        ("Cột", "Cách ghi"),
        ("Mã", "Bắt buộc, duy nhất trong kế hoạch (tối đa 64 ký tự). Nhập lại cùng tệp sẽ cập "
               "nhật các nhiệm vụ đã có theo mã, không tạo trùng."),
        ("Nội dung", "Bắt buộc, tối đa 500 ký tự."),
        ("Đơn vị chủ trì", "Bắt buộc: mã định danh điện tử (000.00.02.T99) hoặc tên đúng của "
                           "đơn vị."),
        ("Đơn vị phối hợp", "Không bắt buộc: nhiều đơn vị cách nhau bằng dấu chấm phẩy (;)."),
        ("Thời hạn", "Bắt buộc: ngày (định dạng ngày của Excel, dd/mm/yyyy hoặc yyyy-mm-dd)."),
        ("Ưu tiên", "Bình thường, Cao hoặc Khẩn (để trống: Bình thường)."),
        ("Ghi chú", "Không bắt buộc; ghi vào nội dung chi tiết của nhiệm vụ."),
        ("", "Không dùng công thức: dán giá trị."),
    ):
        notes.append(list(row))
    notes.column_dimensions["A"].width = 18
    notes.column_dimensions["B"].width = 100
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
