""".docx drafts to PDF with LibreOffice headless: a real .docx made with python-docx, converted by
the background job; the Vietnamese text survives and the fonts are embedded."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from django.core.management import call_command

from egov.core.files import file_open
from egov.documents.conversion import ConversionError, docx_to_pdf
from egov.documents.models import DocumentEvent, DraftVersion
from egov.documents.services import outgoing as svc
from tests.documents.test_outgoing_support import make_draft

TITLE = "Quyết định về việc phê duyệt kế hoạch"
BODY = ("Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác "
        "văn thư; xét đề nghị của Chánh Văn phòng Ủy ban nhân dân tỉnh.")


def make_docx(title: str = TITLE, body: str = BODY) -> bytes:
    from docx import Document
    from docx.shared import Pt

    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(14)
    document.add_paragraph("ỦY BAN NHÂN DÂN TỈNH THỬ NGHIỆM")
    document.add_heading(title, level=1)
    document.add_paragraph(body)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _pdftotext(path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                          check=True).stdout.decode("utf-8")


def test_docx_to_pdf_keeps_vietnamese_and_embeds_fonts(tmp_path):
    src = tmp_path / "du-thao.docx"
    src.write_bytes(make_docx())
    pdf = docx_to_pdf(src, tmp_path / "out")
    assert pdf.read_bytes().startswith(b"%PDF-")
    text = " ".join(_pdftotext(pdf).split())
    assert TITLE in text
    assert "Nghị định số 30/2020/NĐ-CP" in text and "Ủy ban nhân dân tỉnh" in text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, check=True,
                           text=True).stdout.splitlines()[2:]
    assert fonts, "no fonts listed"
    for line in fonts:
        columns = line.split()
        emb = columns[-5]  # name type encoding emb sub uni object ID
        assert emb == "yes", line


def test_concurrent_conversions_each_get_their_pdf(tmp_path):
    """One LibreOffice profile per conversion: two at once both produce their PDF."""
    from concurrent.futures import ThreadPoolExecutor

    sources = []
    for i in range(2):
        src = tmp_path / f"d{i}.docx"
        src.write_bytes(make_docx(f"Kế hoạch số {i}"))
        sources.append(src)
    with ThreadPoolExecutor(max_workers=2) as pool:
        pdfs = list(pool.map(lambda s: docx_to_pdf(s, tmp_path / f"out-{s.stem}"), sources))
    for i, pdf in enumerate(pdfs):
        assert f"Kế hoạch số {i}" in _pdftotext(pdf)


def test_missing_soffice_is_a_clear_error(tmp_path, settings):
    settings.EGOV_SOFFICE = str(tmp_path / "no-such-soffice")
    src = tmp_path / "a.docx"
    src.write_bytes(make_docx())
    with pytest.raises(ConversionError, match="not installed"):
        docx_to_pdf(src, tmp_path)


def test_a_broken_docx_fails_clearly(tmp_path):
    src = tmp_path / "broken.docx"
    src.write_bytes(b"PK\x03\x04 this is not really a docx")
    with pytest.raises(ConversionError):
        docx_to_pdf(src, tmp_path / "out")


def test_the_job_stores_a_derived_pdf(transactional_db, docs_org):
    doc = make_draft(docs_org, file=("du-thao.docx", make_docx()))
    version = doc.versions.get()
    assert version.pdf_id is None
    call_command("worker", batch=True, startup_delay=False, verbosity=0, queue_name="slow")
    version.refresh_from_db()
    assert version.pdf_id is not None and version.conversion_error == ""
    pdf = version.pdf
    assert pdf.content_type == "application/pdf" and pdf.derivation == "pdf"
    assert pdf.derived_from_id == version.file_id and pdf.original_name == "du-thao.pdf"
    with file_open(pdf) as fh:
        assert fh.read(5) == b"%PDF-"
    assert DocumentEvent.objects.filter(outgoing=doc, action="converted").count() == 1
    # Idempotent: running the conversion again changes nothing.
    again = svc.outgoing_convert_version(version=version)
    assert again.pdf_id == pdf.pk


def test_a_failed_conversion_is_recorded(db, docs_org, settings, tmp_path):
    settings.EGOV_SOFFICE = str(tmp_path / "missing")
    doc = make_draft(docs_org, file=("du-thao.docx", make_docx()))
    version = svc.outgoing_convert_version(version=doc.versions.get())
    assert version.pdf_id is None and "not installed" in version.conversion_error
    assert DraftVersion.objects.get(pk=version.pk).conversion_error == version.conversion_error
    assert DocumentEvent.objects.filter(outgoing=doc, action="conversion_failed").exists()


def decree_docx(o) -> bytes:
    """A draft made from the agency's template (egov.documents.draft_templates): the layout of
    NĐ 30/2020 Phụ lục I with the chairman's signer block, as a real draft looks."""
    from egov.documents import draft_templates as tpl
    from egov.documents.models import DocumentType

    data = tpl.data_for_type(doc_type=DocumentType.objects.get(code="QD"), agency=o["province"])
    data.subject, data.signer_name = TITLE, o["leader"].get_full_name()
    data.capacity_lines = ["CHỦ TỊCH"]
    return tpl.build_docx(data)


def test_signer_approval_converts_a_docx_that_has_no_pdf_yet(db, docs_org):
    o = docs_org
    doc = make_draft(o, file=("du-thao.docx", decree_docx(o)))
    svc.outgoing_submit(actor=o["officer"], document=doc)
    svc.outgoing_review(actor=o["unit_head"], document=doc, step="content", decision="approved")
    svc.outgoing_review(actor=o["clerk"], document=doc, step="format", decision="approved")
    svc.outgoing_review(actor=o["leader"], document=doc, step="signer", decision="approved")
    assert doc.versions.get().pdf_id is not None
    svc.outgoing_issue(actor=o["clerk"], document=doc, medium="paper")
    doc.refresh_from_db()
    # issued as paper: the reference copy is made from the converted PDF (issue 9 §1)
    assert doc.issued_file.derivation == "paper_copy"
    assert doc.issued_file.derived_from.derivation == "pdf"


def test_pdftools_are_installed():
    assert shutil.which("pdftotext") and shutil.which("pdffonts") and shutil.which("soffice")
