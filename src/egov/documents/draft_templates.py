"""Draft templates (issue 9 §1): a .docx in the layout of NĐ 30/2020 Phụ lục I (the forms of
Phụ lục III) for each document type, filled with the agency's data, and for one draft with its
own data (trích yếu, signer, capacity, recipients).

The layout (Phụ lục I §I–II; documents.md §10):

- A4 portrait; margins top and bottom 20 mm, left 30 mm, right 15 mm; Times New Roman.
- A two-column header table: left the agency lines (ô 2: the parent agency upright, the
  issuing agency bold, caps 12–13) and "Số:      /<ký hiệu>" (ô 3, 13 pt; for a công văn the
  "V/v <trích yếu>" line under it, ô 5b); right the quốc hiệu (caps 12–13 bold) and the tiêu
  ngữ (13–14 bold, underlined) (ô 1), and "<Địa danh>, ngày … tháng … năm …" (ô 4, italic).
- The type name (caps 14 bold) and the trích yếu (14 bold) (ô 5a), or "Kính gửi: …" (ô 9a) for
  a công văn and a tờ trình.
- The body (ô 6), justified, first-line indent 1.27 cm.
- A two-column signer table: left "Nơi nhận:" (12 bold italic) with "- …;" lines and
  "- Lưu: VT, <unit>." (11) (ô 9b); right the capacity and the head's title (KT./TM./TL./Q./
  TUQ., ô 7a, caps 13–14 bold), the signer's title, blank lines for the signature and the seal
  (ô 7c, ô 8) and the signer's name (ô 7b, bold).

Without a draft the signer block has the decree's own placeholders ("QUYỀN HẠN, CHỨC VỤ CỦA
NGƯỜI KÝ", "Họ và tên", Phụ lục III).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from django.utils import timezone

from . import rules

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FONT = "Times New Roman"
QUOC_HIEU = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
TIEU_NGU = "Độc lập - Tự do - Hạnh phúc"
BLANK = "      "   # the number's place, filled at issue (NĐ 30/2020 Điều 15.3)
SIGNATURE_LINES = 5  # blank lines for the signature and the seal (ô 7c, ô 8)
# Types whose template addresses "Kính gửi:" (Phụ lục III Mẫu 1.5 công văn; tờ trình).
ADDRESSED = {"CV", "TTR"}
_PLACE_SUFFIX = re.compile(r"\s+(tỉnh|thành phố|xã|phường|đặc khu|huyện|quận|thị xã)\s.*$",
                           re.IGNORECASE)


@dataclass
class TemplateData:
    """Everything printed in the template (document content, Vietnamese, not UI)."""

    type_code: str
    type_name: str
    parent_agency: str
    agency: str
    number_line: str
    date_line: str
    subject: str = ""
    recipients: list[str] = field(default_factory=list)
    capacity_lines: list[str] = field(default_factory=list)
    signer_name: str = "Họ và tên"
    archive_line: str = "- Lưu: VT."

    @property
    def is_cong_van(self) -> bool:
        return self.type_code == "CV"


def _upper(text: str) -> str:
    return (text or "").upper()


def _type_title(doc_type) -> str:
    """The printed type name: "Quyết định (quy phạm pháp luật)" → "QUYẾT ĐỊNH"."""
    return _upper(re.sub(r"\s*\(.*\)\s*$", "", doc_type.name))


def date_placeholder(place: str, year: int) -> str:
    """"<Địa danh>, ngày      tháng      năm <year>" (ô 4; the day is written at issue)."""
    text = f"ngày{BLANK}tháng{BLANK}năm {year}"
    return f"{place}, {text}" if place else text[0].upper() + text[1:]


def number_placeholder(notation: str) -> str:
    """"Số:      /<ký hiệu>" (ô 3; Phụ lục I §II.3: "Số" then a colon, the number blank)."""
    return f"Số:{BLANK}/{notation}"


def _notation(doc_type, agency, field_abbreviation: str, year: int) -> str:
    return rules.outgoing_notation(
        type_abbreviation=doc_type.abbreviation,
        issuer_abbreviation=agency.abbreviation or "…",
        field_abbreviation=field_abbreviation or ("…" if not doc_type.abbreviation else ""),
        year=year if doc_type.is_legal_normative else None)


def _collective(agency) -> str:
    """The collective body for "TM.": "Ủy ban nhân dân tỉnh X" → "ỦY BAN NHÂN DÂN"."""
    return _upper(_PLACE_SUFFIX.sub("", agency.name))


def capacity_lines(capacity: str, position: str, agency) -> list[str]:
    """ô 7a: the capacity and the head's title, then the signer's own title (caps). A position
    typed on two lines ("KT. Chủ tịch\\nPhó Chủ tịch") is printed as it is (Phụ lục I §II.7)."""
    lines = [ln.strip() for ln in (position or "").splitlines() if ln.strip()]
    if len(lines) > 1 or (lines and capacity and _upper(lines[0]).startswith(capacity + ".")):
        return [_upper(ln) for ln in lines]
    title = lines[0] if lines else ""
    if not capacity:
        return [_upper(title)] if title else ["QUYỀN HẠN, CHỨC VỤ CỦA NGƯỜI KÝ"]
    if capacity == "Q":
        head = re.sub(r"^(quyền|phó)\s+", "", title, flags=re.IGNORECASE)
        return [f"Q. {_upper(head or 'THỦ TRƯỞNG CƠ QUAN')}"]
    if capacity == "TM":
        return [f"TM. {_collective(agency)}", _upper(title or "CHỨC VỤ")]
    if capacity == "KT":
        head = re.sub(r"^phó\s+", "", title, flags=re.IGNORECASE) if title else "THỦ TRƯỞNG"
        return [f"KT. {_upper(head)}", _upper(title or "CẤP PHÓ")]
    # TL. / TUQ.: on behalf of the head, signed by the head of a unit (Điều 13.3–13.4).
    return [f"{capacity}. THỦ TRƯỞNG CƠ QUAN", _upper(title or "CHỨC VỤ")]


def data_for_type(*, doc_type, agency, drafting_unit=None, today=None) -> TemplateData:
    """The template of ``doc_type`` for ``agency`` (no draft yet)."""
    year = (today or timezone.localdate()).year
    unit_abbr = getattr(drafting_unit, "abbreviation", "") or ""
    parent = agency.parent if agency.parent_id else None
    return TemplateData(
        type_code=doc_type.code, type_name=_type_title(doc_type),
        parent_agency=_upper(parent.name) if parent is not None else "",
        agency=_upper(agency.name),
        number_line=number_placeholder(_notation(doc_type, agency, unit_abbr, year)),
        date_line=date_placeholder(agency.place_name, year),
        archive_line=f"- Lưu: VT{', ' + unit_abbr if unit_abbr else ''}.")


def data_for_document(document, *, today=None) -> TemplateData:
    """The template of one draft: its type, trích yếu, signer, capacity and recipients."""
    data = data_for_type(doc_type=document.doc_type, agency=document.agency,
                         drafting_unit=document.drafting_unit, today=today)
    field_abbr = document.field_abbreviation or getattr(document.drafting_unit, "abbreviation",
                                                        "")
    year = (today or timezone.localdate()).year
    data.number_line = number_placeholder(_notation(document.doc_type, document.agency,
                                                    field_abbr, year))
    subject = document.subject or ""
    prefix = document.doc_type.name.split("(")[0].strip()
    if not data.is_cong_van and subject.casefold().startswith(prefix.casefold() + " "):
        subject = subject[len(prefix) + 1:]
        subject = subject[:1].upper() + subject[1:]
    if data.is_cong_van and subject.casefold().startswith("v/v "):
        subject = subject[4:]
    data.subject = subject
    data.recipients = [r.name for r in document.recipients.all()]
    signer = document.signer
    if signer is not None:
        data.signer_name = signer.get_full_name() or signer.get_username()
    data.capacity_lines = capacity_lines(document.signer_capacity, document.signer_position,
                                         document.agency)
    return data


# ---------------------------------------------------------------- the .docx

def _font(run, size: float, *, bold=False, italic=False, underline=False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.italic = italic
    run.font.underline = underline
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)


def _para(container, text: str = "", size: float = 13, *, align="center", bold=False,
          italic=False, underline=False, before: float = 0, after: float = 0, indent=None):
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    p = container.add_paragraph()
    p.alignment = {"center": WD_ALIGN_PARAGRAPH.CENTER, "left": WD_ALIGN_PARAGRAPH.LEFT,
                   "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}[align]
    fmt = p.paragraph_format
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    fmt.line_spacing = 1.0
    if indent:
        fmt.first_line_indent = Cm(indent)
    if text:
        _font(p.add_run(text), size, bold=bold, italic=italic, underline=underline)
    return p


def _cell(table, row: int, col: int):
    cell = table.cell(row, col)
    # A new cell holds one empty paragraph: remove it, the content adds its own.
    for p in list(cell.paragraphs):
        p._element.getparent().remove(p._element)
    return cell


def _table(document, widths_mm: tuple[float, float], rows: int):
    from docx.shared import Mm

    table = document.add_table(rows=rows, cols=2)
    table.autofit = False
    for row in table.rows:
        for i, width in enumerate(widths_mm):
            row.cells[i].width = Mm(width)
    return table


def build_docx(data: TemplateData) -> bytes:
    """The .docx of ``data`` (python-docx)."""
    from docx import Document
    from docx.shared import Mm, Pt

    document = Document()
    section = document.sections[0]
    # NĐ 30/2020 Phụ lục I §I: A4; top/bottom 20–25 mm, left 30–35 mm, right 15–20 mm.
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(14)

    # ô 1–4: the header.
    head = _table(document, (65, 100), 2)
    left = _cell(head, 0, 0)
    if data.parent_agency:
        _para(left, data.parent_agency, 12)
    _para(left, data.agency, 12, bold=True)
    right = _cell(head, 0, 1)
    _para(right, QUOC_HIEU, 12, bold=True)
    _para(right, TIEU_NGU, 13, bold=True, underline=True)
    number = _cell(head, 1, 0)
    _para(number, data.number_line, 13, before=6)
    if data.is_cong_van:
        # ô 5b: "V/v …" under the number, 6 pt below it, 12–13 upright.
        _para(number, f"V/v {data.subject or '……………'}", 12, before=6)
    _para(_cell(head, 1, 1), data.date_line, 13, italic=True, before=6)

    # ô 5a: type name and trích yếu; ô 9a: "Kính gửi".
    if not data.is_cong_van:
        _para(document, data.type_name, 14, bold=True, before=18)
        _para(document, data.subject or "Về việc ……………", 14, bold=True, after=12)
    if data.type_code in ADDRESSED:
        recipients = ", ".join(data.recipients) if data.recipients else "……………"
        _para(document, f"Kính gửi: {recipients}.", 14, before=12, after=12)

    # ô 6: the body.
    for text in ("Căn cứ ……………;", "……………………………………………………………………………………"):
        _para(document, text, 14, align="justify", indent=1.27, after=6)

    # ô 9b and ô 7a–7c.
    sign = _table(document, (80, 85), 1)
    place = _cell(sign, 0, 0)
    _para(place, "Nơi nhận:", 12, align="left", bold=True, italic=True, before=12)
    for name in (data.recipients or ["Như trên"]):
        _para(place, f"- {name};", 11, align="left")
    _para(place, data.archive_line, 11, align="left")
    block = _cell(sign, 0, 0 + 1)
    lines = data.capacity_lines or ["QUYỀN HẠN, CHỨC VỤ CỦA NGƯỜI KÝ"]
    _para(block, lines[0], 13, bold=True, before=12)
    for line in lines[1:]:
        _para(block, line, 13, bold=True)
    for _i in range(SIGNATURE_LINES):
        _para(block, "", 13)
    _para(block, data.signer_name, 13, bold=True)

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def filename(data: TemplateData) -> str:
    return f"mau-{data.type_code.lower().replace('_', '-')}.docx"
