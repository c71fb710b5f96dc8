"""Helpers of the intake tests: small real files (a PDF made by WeasyPrint, a PNG), PDF text and QR decoding with poppler and zbar."""

from __future__ import annotations

import functools
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

VALID = {"full_name": "Trần Thị Bích Ngọc", "personal_id": "001199012345",
         "phone": "0987654321", "email": "ngoc.tran@example.vn",
         "address": "Số 12 đường Lê Lợi, thôn Đông, xã An Bình",
         "content": "Đề nghị xem xét việc cấp giấy chứng nhận quyền sử dụng đất chậm trễ.",
         "kind": "proposal"}
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00"
       b"\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe"
       b"\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82")


@functools.lru_cache(maxsize=1)
def pdf_bytes() -> bytes:
    from weasyprint import HTML

    return HTML(string="<p>Đơn kiến nghị (bản chụp)</p>").write_pdf()


def upload(name: str = "thu.pdf", content: bytes | None = None,
           content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes() if content is None else content,
                              content_type=content_type)


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "receipt.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def qr_codes(pdf: bytes, tmp_path) -> list[str]:
    path = tmp_path / "qr.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "200", "-png", "-f", "1", "-l", "1", str(path),
                    str(tmp_path / "page")], check=True)
    (png,) = tmp_path.glob("page*.png")
    out = subprocess.run(["zbarimg", "--raw", "-q", str(png)], capture_output=True, text=True)
    return out.stdout.split()


@pytest.fixture(name="portal_agency")
def portal_agency_fixture(settings, pet):
    """Portal petitions go to the test commune; look-ups and sending are not limited unless a
    test says so."""
    from egov.core import throttle

    settings.EGOV_PETITIONS_PORTAL_AGENCY = pet["commune"].electronic_id
    settings.EGOV_PETITIONS_LOOKUP_RATE = "1000/600"
    settings.EGOV_PETITIONS_SUBMIT_RATE = "1000/600"
    throttle.reset()
    return pet["commune"]
