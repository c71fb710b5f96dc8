"""The agency's text-only signatures (NĐ 30/2020 Phụ lục I §II.8.b and Phần II §I): attachments
in separate files, and electronic copies (sao y / sao lục / trích sao) — top right of page 1, no
image, the number/notation (or the copy form and agency) and the signing time ISO 8601 +07:00."""

from __future__ import annotations

import email
import re
import subprocess

import pytest

from egov.core.files import file_open
from egov.documents import signing_flow as flow
from egov.documents.models import DocumentEvent, OutgoingState
from egov.documents.services import outgoing as svc
from egov.signing.verify import verify_pdf
from tests.documents.conftest import docs_org, unique_pdf  # noqa: F401 (fixture)
from tests.documents.test_outgoing_support import approved
from tests.signing.conftest import pdfsig
from tests.signing.test_appearance import _ap_images, _rect, _widgets, png
from tests.signing.test_documents_flow import signing_org  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

ISO_VN = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+07:00")


def _read(stored) -> bytes:
    with file_open(stored) as fh:
        return fh.read()


def _text(pdf: bytes, tmp_path, *extra: str) -> str:
    path = tmp_path / "t.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", *extra, str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def _top_right_words(pdf: bytes, tmp_path) -> list[tuple[str, float, float]]:
    """(word, xMin, yMin) of page 1 from pdftotext -bbox (origin top left)."""
    html = _text(pdf, tmp_path, "-bbox", "-f", "1", "-l", "1")
    return [(m.group(3), float(m.group(1)), float(m.group(2))) for m in re.finditer(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]*)</word>', html)]


def test_pdf_attachments_are_signed_with_number_and_time(signing_org, nssdb, tmp_path):  # noqa: F811
    o = signing_org
    doc = approved(o, attachments=[("phu-luc-1.pdf", unique_pdf("Phu luc 1")),
                                   ("so-do.png", png())])
    flow.sign_approval(actor=o["leader"], document=doc)
    doc.refresh_from_db()
    svc.outgoing_issue(actor=o["clerk"], document=doc)
    doc.refresh_from_db()
    assert doc.state == OutgoingState.ISSUED
    pdf_att, png_att = doc.attachments.select_related("file", "issued_file").order_by("pk")

    assert png_att.issued_file_id is None  # other formats stay as they are
    assert pdf_att.issued_file.derived_from_id == pdf_att.file_id
    assert pdf_att.issued_file.derivation == "issued"
    signed = _read(pdf_att.issued_file)

    report = verify_pdf(signed)
    assert report.valid, report.reasons
    (sig,) = report.signatures
    assert sig.signer == "UBND tỉnh Minh Phong" and sig.trusted and sig.whole_file
    out = pdfsig(signed, nssdb, tmp_path)
    assert out.count("Signature Validation: Signature is Valid.") == 1, out

    text = _text(signed, tmp_path)
    assert doc.code in text
    [when] = ISO_VN.findall(text)
    # Top right of page 1, right of the QR code's margin, no image.
    words = _top_right_words(signed, tmp_path)
    code_word = next(w for w in words if w[0] == doc.code)
    assert code_word[1] > 300 and code_word[2] < 60
    widget = _widgets(signed)[flow.FIELD_ORG]
    assert _ap_images(widget) == []
    assert _rect(widget)[0] >= 300
    # The time is the signing time in Vietnam (within the document's issue minute).
    assert when[:10] == doc.issued_date.isoformat()


def test_email_sends_the_issued_attachment(signing_org, smtp_server):  # noqa: F811
    o = signing_org
    address = "vanthu@congty.example"
    doc = approved(o, attachments=[("phu-luc.pdf", unique_pdf("Phu luc"))],
                   recipients=[{"name": "Công ty", "email": address}])
    flow.sign_approval(actor=o["leader"], document=doc)
    doc.refresh_from_db()
    svc.outgoing_issue(actor=o["clerk"], document=doc)
    doc.refresh_from_db()
    assert svc.outgoing_send_mail(document_id=doc.pk) == 1
    msg = smtp_server.messages[-1]
    if not isinstance(msg, email.message.Message):
        msg = email.message_from_bytes(msg)
    pdfs = [p.get_payload(decode=True) for p in msg.walk()
            if p.get_content_type() == "application/pdf"]
    attachment = doc.attachments.get()
    assert pdfs == [_read(doc.issued_file), _read(attachment.issued_file)]


def test_attachments_unsigned_without_agency_certificate(signing_org):  # noqa: F811
    o = signing_org
    doc = approved(o, attachments=[("phu-luc.pdf", unique_pdf("Phu luc"))])
    flow.sign_approval(actor=o["leader"], document=doc)
    o["province"].signing_certificates.all().delete()
    doc.refresh_from_db()
    svc.outgoing_issue(actor=o["clerk"], document=doc)
    assert doc.attachments.get().issued_file_id is None


@pytest.mark.parametrize("type_code, form", [("SY", "SAO Y"), ("SL", "SAO LỤC"),
                                             ("TRS", "TRÍCH SAO")])
def test_electronic_copy_is_signed_by_the_agency(signing_org, nssdb, tmp_path, type_code, form):  # noqa: F811
    o = signing_org
    doc = approved(o, type_code=type_code)
    assert doc.doc_type.is_copy and not doc.signed_file_id
    svc.outgoing_issue(actor=o["clerk"], document=doc)
    doc.refresh_from_db()
    assert doc.state == OutgoingState.ISSUED and doc.code
    assert doc.issued_file.derivation == "issued"
    issued = _read(doc.issued_file)

    report = verify_pdf(issued)
    assert report.valid, report.reasons
    (sig,) = report.signatures
    assert sig.signer == "UBND tỉnh Minh Phong" and not sig.certifying
    out = pdfsig(issued, nssdb, tmp_path)
    assert out.count("Signature Validation: Signature is Valid.") == 1, out

    text = _text(issued, tmp_path)
    assert form in text and o["province"].name in text and doc.code in text
    assert ISO_VN.search(text)
    assert flow.copy_form(doc.doc_type) == form
    words = _top_right_words(issued, tmp_path)
    assert any(w[0] == form and w[1] > 300 and w[2] < 60 for w in words), words
    assert _ap_images(_widgets(issued)[flow.FIELD_ORG]) == []
    event = DocumentEvent.objects.filter(outgoing=doc, action="issued").latest("pk")
    assert event.details["org_signature"] is True
    assert event.details["digital_signature"] is False


def test_copy_without_agency_certificate_is_issued_unsigned(signing_org):  # noqa: F811
    o = signing_org
    o["province"].signing_certificates.all().delete()
    doc = approved(o, type_code="SY")
    svc.outgoing_issue(actor=o["clerk"], document=doc, medium="paper")
    doc.refresh_from_db()
    assert doc.state == OutgoingState.ISSUED
    assert verify_pdf(_read(doc.issued_file)).signatures == []


def test_non_copy_without_leader_signature_gets_no_agency_signature(signing_org):  # noqa: F811
    o = signing_org
    doc = approved(o, attachments=[("phu-luc.pdf", unique_pdf("Phu luc"))])
    svc.outgoing_issue(actor=o["clerk"], document=doc, medium="paper")
    doc.refresh_from_db()
    # NĐ 30/2020 Điều 33: the văn thư signs only what the competent person signed, and copies.
    assert verify_pdf(_read(doc.issued_file)).signatures == []
    assert doc.attachments.get().issued_file_id is None


def test_iso_time_is_vietnam_time():
    import datetime as dt

    from egov.signing.pades import iso_time

    assert iso_time(dt.datetime(2026, 11, 22, 12, 5, 33, 999, tzinfo=dt.UTC)) == \
        "2026-11-22T19:05:33+07:00"
