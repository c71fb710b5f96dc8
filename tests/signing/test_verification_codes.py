"""Verification codes (issue 4): format and normalisation, one code per document, the mark
(QR code + code) in the top-left margin of page 1, and the full flow — leader's certifying
signature then the organisation's — still valid with the mark (pyHanko and pdfsig)."""

from __future__ import annotations

import io
import re
import subprocess

import pytest
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

from egov.documents import signing_flow as flow
from egov.documents.models import OutgoingState
from egov.documents.services import outgoing as svc
from egov.signing import verification_codes as vcodes
from egov.signing.models import VerificationCode
from egov.signing.verify import verify_pdf
from tests.documents.conftest import docs_org  # noqa: F401 (fixture)
from tests.documents.test_outgoing_support import approved, issued
from tests.signing._verify_fixtures import blank_pdf, content_pdf
from tests.signing.conftest import pdfsig
from tests.signing.test_documents_flow import _read, signing_org  # noqa: F401 (fixture)

SITE = "https://egov.thu-nghiem.gov.vn"


# ---------------------------------------------------------------- the code


def test_new_codes_are_crockford_base32_of_ten_symbols():
    codes = {vcodes.new_code() for _ in range(2000)}
    assert len(codes) == 2000  # 50 bits: no collision in a few thousand draws
    for code in codes:
        assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{10}", code), code
    # every symbol of the alphabet is used, and only those
    assert set("".join(codes)) == set(vcodes.ALPHABET)
    assert not set("ILOU") & set(vcodes.ALPHABET) and len(vcodes.ALPHABET) == 32


def test_display_and_normalise():
    assert vcodes.display("ABCDE12345") == "ABCDE-12345"
    assert vcodes.normalise("ABCDE-12345") == "ABCDE12345"
    assert vcodes.normalise(" abcde 12345 ") == "ABCDE12345"
    assert vcodes.normalise("abcde–12345") == "ABCDE12345"  # en dash from a phone keyboard
    # people read I and L as 1, O as 0
    assert vcodes.normalise("iLOo0-11111") == "11000-11111".replace("-", "")
    assert vcodes.normalise("ABCDE-1234") is None       # too short
    assert vcodes.normalise("ABCDE-123456") is None     # too long
    assert vcodes.normalise("ABCDU-12345") is None      # U is not a symbol
    assert vcodes.normalise("ABCD#-12345") is None
    assert vcodes.normalise("") is None and vcodes.normalise(None) is None


@pytest.mark.django_db
def test_one_code_per_document_and_unique(docs_org):  # noqa: F811
    doc = approved(docs_org)
    other = approved(docs_org, subject="Công văn về việc khác")
    first = vcodes.code_for("documents.outgoing", doc.pk)
    assert vcodes.code_for("documents.outgoing", doc.pk).pk == first.pk  # reused (signed again after a new version)
    assert VerificationCode.objects.filter(subject_kind="documents.outgoing", subject_id=doc.pk).count() == 1
    assert vcodes.code_for("documents.outgoing", other.pk).code != first.code
    assert vcodes.find(vcodes.display(first.code).lower()).pk == first.pk
    assert vcodes.find("00000-00000") is None and vcodes.find("not a code") is None


@pytest.mark.django_db
def test_code_collision_draws_again(docs_org, monkeypatch):  # noqa: F811
    doc, other = approved(docs_org), approved(docs_org, subject="Văn bản thứ hai")
    taken = vcodes.code_for("documents.outgoing", doc.pk).code
    draws = iter([taken, taken, "ZZZZZ99999"])
    monkeypatch.setattr(vcodes, "new_code", lambda: next(draws))
    assert vcodes.code_for("documents.outgoing", other.pk).code == "ZZZZZ99999"


# ---------------------------------------------------------------- the mark


def _zbar(pdf: bytes, tmp_path) -> list[str]:
    path = tmp_path / "marked.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "200", "-png", "-f", "1", "-l", "1", str(path),
                    str(tmp_path / "page")], check=True)
    (png,) = tmp_path.glob("page*.png")
    out = subprocess.run(["zbarimg", "--raw", "-q", str(png)], capture_output=True, text=True)
    return out.stdout.split()


def _text(pdf: bytes, tmp_path, *extra: str) -> str:
    path = tmp_path / "text.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", *extra, str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def _pdf(content: bytes) -> bytes:
    """A one-page A4 PDF drawing ``content``; its MediaBox is inherited from the page tree."""
    return content_pdf(content, inherit_mediabox=True)


def _marked(data: bytes, document) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    vcodes.add_verification_mark(writer, vcodes.code_for("documents.outgoing", document.pk).code)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.django_db
def test_mark_is_drawn_top_left_and_qr_decodes_to_the_url(docs_org, settings, tmp_path):  # noqa: F811
    settings.EGOV_SITE_URL = SITE
    doc = approved(docs_org)
    # A page whose content leaves a scaled CTM, a white fill colour and a tiny clip behind
    # (MediaBox inherited from /Pages): the mark is drawn after a Q that restores the initial
    # graphics state, so it is still black, in place and visible.
    marked = _marked(_pdf(b"3 0 0 3 0 0 cm 1 1 1 rg 0 0 10 10 re W n "
                          b"0 g BT /F1 5 Tf 24 250 Td (Quyet dinh so 01/QD-UBND) Tj ET"), doc)
    code = VerificationCode.objects.get(subject_kind="documents.outgoing", subject_id=doc.pk).code

    assert _zbar(marked, tmp_path) == [f"{SITE}/verify/c/{code}/"]

    text = _text(marked, tmp_path, "-bbox")
    words = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                       r'yMax="([\d.]+)">([^<]*)</word>', text)
    by_text = {w[4]: tuple(float(v) for v in w[:4]) for w in words}
    (line,) = [w for w in by_text if vcodes.display(code) in w]
    x_min, y_min, x_max, y_max = by_text[line]
    assert 57 < x_min and x_max < 300  # left of the copy stamp's corner
    assert y_max < 20 * 72 / 25.4  # in the top 20 mm (pdftotext: y from the top)
    plain = _text(marked, tmp_path)
    assert "Mã xác thực:" in plain and f"Tra cứu tại {SITE}/verify/" in plain
    # the original content is untouched and wrapped in q … Q
    assert "Quyet dinh so 01/QD-UBND" in plain
    page = PdfFileReader(io.BytesIO(marked)).root["/Pages"]["/Kids"][0].get_object()
    contents = page["/Contents"]
    assert contents[0].get_object().data.strip() == b"q"
    assert contents[-1].get_object().data.startswith(b"Q\n")


@pytest.mark.django_db
def test_qr_size_is_about_17_mm(docs_org):  # noqa: F811
    doc = approved(docs_org)
    marked = _marked(blank_pdf(), doc)
    page = PdfFileReader(io.BytesIO(marked)).root["/Pages"]["/Kids"][0].get_object()
    stream = page["/Contents"][-1].get_object().data.decode()
    rects = [tuple(map(float, m)) for m in re.findall(
        r"([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+) re", stream)]
    left = min(r[0] for r in rects)
    right = max(r[0] + r[2] for r in rects)
    bottom = min(r[1] for r in rects)
    top = max(r[1] + r[3] for r in rects)
    mm = 72 / 25.4
    assert 16 * mm <= right - left <= 18 * mm and abs((right - left) - (top - bottom)) < 0.01
    assert left == pytest.approx(57) and right < 300 and 842 - bottom <= 20 * mm


# ---------------------------------------------------------------- the full flow


def test_full_flow_keeps_both_signatures_valid_and_binds_the_issued_file(
        signing_org, nssdb, tmp_path, settings):  # noqa: F811
    settings.EGOV_SITE_URL = SITE
    o = signing_org
    doc = approved(o)
    flow.sign_approval(actor=o["leader"], document=doc)
    doc.refresh_from_db()
    vc = VerificationCode.objects.get(subject_kind="documents.outgoing", subject_id=doc.pk)
    assert vc.file_id is None  # not public before the issue

    svc.outgoing_issue(actor=o["clerk"], document=doc)
    doc.refresh_from_db()
    vc.refresh_from_db()
    assert doc.state == OutgoingState.ISSUED
    assert vc.file_id == doc.issued_file_id and VerificationCode.objects.count() == 1
    issued_pdf = _read(doc.issued_file)

    report = verify_pdf(issued_pdf)
    assert report.valid, report.reasons
    assert [s.field for s in report.signatures] == [flow.FIELD_LEADER, flow.FIELD_ORG]
    assert all(s.valid and s.trusted and s.intact for s in report.signatures)
    out = pdfsig(issued_pdf, nssdb, tmp_path)
    assert out.count("Signature Validation: Signature is Valid.") == 2, out
    assert out.count("Certificate Validation: Certificate is Trusted.") == 2, out

    assert _zbar(issued_pdf, tmp_path) == [f"{SITE}/verify/c/{vc.code}/"]
    plain = _text(issued_pdf, tmp_path)
    assert f"Mã xác thực: {vcodes.display(vc.code)}" in plain
    assert "01/QĐ-UBND" in plain  # the number field still shows below the mark


def test_signing_again_reuses_the_code(signing_org):  # noqa: F811
    o = signing_org
    doc = approved(o)
    flow.approval_input(actor=o["leader"], document=doc)
    code = VerificationCode.objects.get(subject_kind="documents.outgoing", subject_id=doc.pk).code
    flow.approval_input(actor=o["leader"], document=doc)  # prepared again (e.g. a new version)
    assert list(VerificationCode.objects.filter(subject_kind="documents.outgoing", subject_id=doc.pk).values_list("code", flat=True)) \
        == [code]


@pytest.mark.django_db
def test_document_issued_without_signature_gets_a_code_row(docs_org):  # noqa: F811
    doc = issued(docs_org)
    vc = VerificationCode.objects.get(subject_kind="documents.outgoing", subject_id=doc.pk)
    assert vc.file_id == doc.issued_file_id and vcodes.is_public(vc)


@pytest.mark.django_db
def test_issued_report_is_cached_per_file(docs_org, monkeypatch):  # noqa: F811
    from django.core.cache import cache

    from egov.signing import verify as verify_module

    cache.clear()
    doc = issued(docs_org)
    calls = []
    real = verify_module.verify_pdf
    monkeypatch.setattr(verify_module, "verify_pdf", lambda data: calls.append(1) or real(data))
    first = vcodes.issued_report(doc.issued_file)
    second = vcodes.issued_report(doc.issued_file)
    assert len(calls) == 1
    assert first.as_dict() == second.as_dict() and second.reasons  # rebuilt from the cache
    cache.clear()
    vcodes.issued_report(doc.issued_file)
    assert len(calls) == 2
