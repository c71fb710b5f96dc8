"""Draft templates in the layout of NĐ 30/2020 Phụ lục I (issue 9 §1): a .docx per document
type and per draft, read back with python-docx; one converted with LibreOffice passes the layout
check (egov.documents.layout_check)."""

from __future__ import annotations

import io

import pytest

from egov.documents import draft_templates as tpl
from egov.documents import layout_check
from egov.documents.models import DocumentType
from tests.documents.test_outgoing_support import make_draft

pytestmark = pytest.mark.django_db


def texts(data: bytes) -> list[str]:
    """Every paragraph of the .docx (body and table cells), in order."""
    from docx import Document

    document = Document(io.BytesIO(data))
    out = []
    for block in document.element.body.iter():
        if block.tag.endswith("}p"):
            text = "".join(t.text or "" for t in block.iter() if t.tag.endswith("}t"))
            if text:
                out.append(text)
    return out


def test_every_type_has_a_template_with_the_agency_data(docs_org):
    from docx import Document

    o = docs_org
    types = DocumentType.objects.filter(is_copy=False)
    assert types.count() > 20
    for doc_type in types:
        data = tpl.build_docx(tpl.data_for_type(doc_type=doc_type, agency=o["province"],
                                                drafting_unit=o["economy"]))
        lines = texts(data)
        assert tpl.QUOC_HIEU in lines and tpl.TIEU_NGU in lines, doc_type.code
        assert o["province"].name.upper() in lines
        number = next(t for t in lines if t.startswith("Số:"))
        if not doc_type.abbreviation:
            # Công văn, thư công: <agency>-<unit>; a công văn: "V/v" under the number and
            # "Kính gửi".
            assert number == "Số:      /UBND-KT", number
            assert (doc_type.code != "CV") or (any(t.startswith("V/v ") for t in lines)
                                               and any(t.startswith("Kính gửi: ")
                                                       for t in lines))
        elif doc_type.is_legal_normative:
            assert number.endswith(f"/{doc_type.abbreviation}-UBND") and "/20" in number
        else:
            assert number == f"Số:      /{doc_type.abbreviation}-UBND", number
            assert tpl._type_title(doc_type) in lines
        place = o["province"].place_name
        assert any(t.startswith(f"{place}, ngày") and "tháng" in t and "năm" in t
                   for t in lines), lines
        assert "Nơi nhận:" in lines and "QUYỀN HẠN, CHỨC VỤ CỦA NGƯỜI KÝ" in lines
        assert "Họ và tên" in lines
    # A4 and the decree's margins; Times New Roman.
    document = Document(io.BytesIO(data))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert (round(section.left_margin.mm), round(section.right_margin.mm)) == (30, 15)
    assert round(section.top_margin.mm) == 20
    fonts = {r.font.name for p in document.paragraphs for r in p.runs}
    assert fonts == {"Times New Roman"}


def test_quyet_dinh_template_has_type_name_and_subject(docs_org):
    doc_type = DocumentType.objects.get(code="QD")
    lines = texts(tpl.build_docx(tpl.data_for_type(doc_type=doc_type,
                                                   agency=docs_org["province"])))
    assert "Số:      /QĐ-UBND" in lines and "QUYẾT ĐỊNH" in lines


def test_draft_template_carries_subject_signer_capacity_and_recipients(docs_org):
    o = docs_org
    doc = make_draft(o, type_code="CV", field_abbreviation="VP", signer_capacity="KT",
                     signer_position="Phó Chủ tịch",
                     subject="V/v triển khai công tác văn thư năm 2026",
                     recipients=[{"name": "Sở Nội vụ"}, {"name": "Sở Tư pháp"}])
    lines = texts(tpl.build_docx(tpl.data_for_document(doc)))
    assert "Số:      /UBND-VP" in lines
    assert "V/v triển khai công tác văn thư năm 2026" in lines
    assert "Kính gửi: Sở Nội vụ, Sở Tư pháp." in lines
    assert "- Sở Nội vụ;" in lines and "- Sở Tư pháp;" in lines
    assert "KT. CHỦ TỊCH" in lines and "PHÓ CHỦ TỊCH" in lines
    assert o["leader"].get_full_name() in lines
    # The signer block order: capacity, title, then the name.
    assert lines.index("KT. CHỦ TỊCH") < lines.index("PHÓ CHỦ TỊCH") < lines.index(
        o["leader"].get_full_name())


@pytest.mark.parametrize(("capacity", "position", "expected"), [
    ("TM", "Chủ tịch", ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]),
    ("KT", "Phó Giám đốc", ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"]),
    ("TL", "Chánh Văn phòng", ["TL. THỦ TRƯỞNG CƠ QUAN", "CHÁNH VĂN PHÒNG"]),
    ("TUQ", "Giám đốc Sở", ["TUQ. THỦ TRƯỞNG CƠ QUAN", "GIÁM ĐỐC SỞ"]),
    ("Q", "Quyền Chủ tịch", ["Q. CHỦ TỊCH"]),
    ("", "Chủ tịch", ["CHỦ TỊCH"]),
    ("KT", "KT. Chủ tịch\nPhó Chủ tịch", ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]),
])
def test_capacity_lines(docs_org, capacity, position, expected):
    assert tpl.capacity_lines(capacity, position, docs_org["province"]) == expected


# LibreOffice is a runtime package (scripts/setup.sh): no skip when it is missing.
def test_converted_draft_template_passes_the_layout_check(docs_org, tmp_path):
    from egov.documents.conversion import docx_to_pdf

    o = docs_org
    doc = make_draft(o, signer_capacity="KT", signer_position="Phó Chủ tịch")
    src = tmp_path / "mau.docx"
    src.write_bytes(tpl.build_docx(tpl.data_for_document(doc)))
    pdf = docx_to_pdf(src, tmp_path / "out").read_bytes()
    report = layout_check.inspect(pdf, document=doc, stage="review")
    assert report.ok, report.problems
    assert report.boxes["code"] and report.boxes["date"]
