"""The upload service: size limit, type sniffed from content, SHA-256, storage, derived files."""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from egov.core import files
from egov.core.errors import InvalidInput
from egov.core.files import file_open, file_store, sniff_content_type
from egov.core.models import AuditEvent, StoredFile
from tests.pdf_samples import clean_pdf

PDF_BYTES = clean_pdf()  # a readable PDF: file_store refuses damaged ones (test_pdfcheck.py)
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def _ooxml(main_part: str) -> bytes:
    """A minimal Office Open XML package (docx: word/document.xml, xlsx: xl/workbook.xml)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.'
                   'openxmlformats.org/package/2006/content-types"/>')
        z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        z.writestr(main_part, '<?xml version="1.0" encoding="UTF-8"?><document>'
                              "Quyết định</document>")
    return buffer.getvalue()


def _ole(stream_name: str) -> bytes:
    """A minimal OLE compound file (MS-CFB v3): FAT in sector 0, directory in sector 1."""
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<I", header, 0x2C, 1)           # number of FAT sectors
    struct.pack_into("<I", header, 0x30, 1)           # first directory sector
    struct.pack_into("<III", header, 0x38, 4096, 0xFFFFFFFE, 0)
    struct.pack_into("<II", header, 0x40, 0xFFFFFFFE, 0)
    struct.pack_into("<109I", header, 0x4C, 0, *([0xFFFFFFFF] * 108))
    fat = struct.pack("<II", 0xFFFFFFFD, 0xFFFFFFFE) + b"\xff" * (512 - 8)

    def entry(name: str, kind: int) -> bytes:
        raw = bytearray(128)
        encoded = (name + "\x00").encode("utf-16-le")
        raw[: len(encoded)] = encoded
        struct.pack_into("<HB", raw, 64, len(encoded), kind)
        return bytes(raw)

    directory = entry("Root Entry", 5) + entry(stream_name, 2) + bytes(256)
    return bytes(header) + fat + directory


def _media_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def clerk(make_user):
    return make_user("vanthu", full_name="Lê Thị Văn Thư")


# --- Storing -------------------------------------------------------------------------------------


def test_pdf_is_stored_with_hash_and_size(media, clerk):
    upload = SimpleUploadedFile("Tờ trình số 12.pdf", PDF_BYTES, content_type="application/pdf")
    stored = file_store(actor=clerk, upload=upload, require={files.PDF})

    assert stored.content_type == files.PDF
    assert stored.size == len(PDF_BYTES)
    assert stored.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    assert stored.original_name == "Tờ trình số 12.pdf"
    assert stored.uploaded_by == clerk and stored.derived_from is None
    parts = stored.file.name.split("/")
    assert parts[0] == "files" and len(parts) == 4 and parts[3].endswith(".pdf")
    assert (media / stored.file.name).read_bytes() == PDF_BYTES
    with file_open(stored) as f:
        assert f.read() == PDF_BYTES

    event = AuditEvent.objects.get(action="file.store")
    assert event.object_type == "core.storedfile" and event.object_id == str(stored.pk)
    assert event.details["sha256"] == stored.sha256 and event.actor_id == clerk.pk


def test_renamed_docx_is_refused_where_pdf_required(media, clerk):
    docx = _ooxml("word/document.xml")
    upload = SimpleUploadedFile("quyet-dinh.pdf", docx, content_type="application/pdf")

    with pytest.raises(InvalidInput) as exc:
        file_store(actor=clerk, upload=upload, require={files.PDF})

    assert exc.value.code == "file_type"
    assert "PDF" in exc.value.message and "docx" in exc.value.message
    assert exc.value.fields["file"]
    assert not StoredFile.objects.exists()
    assert not AuditEvent.objects.exists()
    assert _media_files(media) == []


def test_office_and_zip_types_are_sniffed(media, clerk):
    cases = {
        "a.pdf": (_ooxml("word/document.xml"), files.DOCX, ".docx"),
        "b.bin": (_ooxml("xl/workbook.xml"), files.XLSX, ".xlsx"),
        "c.docx": (_ooxml("readme.txt"), files.ZIP, ".zip"),
        "d.pdf": (_ole("WordDocument"), files.DOC, ".doc"),
        "e.txt": (_ole("Workbook"), files.XLS, ".xls"),
    }
    for name, (data, expected, ext) in cases.items():
        stored = file_store(actor=clerk, upload=(name, data))
        assert (stored.content_type, stored.original_name) == (expected, name)
        assert stored.file.name.endswith(ext)


def test_images_are_sniffed(media, clerk):
    png = file_store(actor=clerk, upload=("scan.jpg", _png()), require={files.PNG, files.JPEG})
    jpeg = file_store(actor=clerk, upload=_named(JPEG_BYTES, "a.png"))
    assert png.content_type == files.PNG and png.file.name.endswith(".png")
    assert jpeg.content_type == files.JPEG and jpeg.file.name.endswith(".jpg")


def _named(data: bytes, name: str) -> io.BytesIO:
    f = io.BytesIO(data)
    f.name = name
    return f


def test_too_large_is_refused(media, clerk, settings):
    with pytest.raises(InvalidInput) as exc:
        file_store(actor=clerk, upload=("big.pdf", PDF_BYTES), max_bytes=len(PDF_BYTES) - 1)
    assert exc.value.code == "file_too_large"

    # The default limit comes from settings, and a stream without a declared size is cut off
    # while it is read.
    settings.EGOV_MAX_UPLOAD_BYTES = 100_000
    with pytest.raises(InvalidInput) as exc:
        file_store(actor=clerk, upload=_named(b"%PDF-1.7\n" + b"0" * 200_000, "big.pdf"))
    assert exc.value.code == "file_too_large"
    assert not StoredFile.objects.exists() and _media_files(media) == []

    stored = file_store(actor=clerk, upload=("ok.pdf", PDF_BYTES), max_bytes=len(PDF_BYTES))
    assert stored.size == len(PDF_BYTES)


def test_empty_file_is_refused(media, clerk):
    with pytest.raises(InvalidInput) as exc:
        file_store(actor=clerk, upload=SimpleUploadedFile("empty.pdf", b""))
    assert exc.value.code == "file_empty"
    assert not StoredFile.objects.exists() and _media_files(media) == []


def test_derived_file_links_to_original(media, clerk):
    original = file_store(actor=clerk, upload=("du-thao.pdf", PDF_BYTES))
    signed_bytes = PDF_BYTES + b"% signature appended\n%%EOF\n"
    signed = file_store(actor=clerk, upload=("du-thao-signed.pdf", signed_bytes),
                        require={files.PDF}, derived_from=original, derivation="signed")

    assert signed.derived_from == original and signed.derivation == "signed"
    assert list(original.derived.all()) == [signed]
    assert signed.file.name != original.file.name
    # The original is untouched.
    assert (media / original.file.name).read_bytes() == PDF_BYTES
    assert original.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    assert AuditEvent.objects.filter(action="file.store").count() == 2

    with pytest.raises(ValueError):
        file_store(actor=clerk, upload=("x.pdf", PDF_BYTES), derived_from=original)


def test_text_must_be_utf8_throughout(media, clerk):
    text = "Kính gửi: Ủy ban nhân dân xã An Bình\n".encode() * 1000
    assert file_store(actor=clerk, upload=("a.txt", text)).content_type == files.TEXT
    # Valid UTF-8 in the head, binary further on.
    mixed = text + b"\xff\xfe\x00\x01"
    assert file_store(actor=clerk, upload=("b.txt", mixed)).content_type == files.BINARY


# --- Sniffing (pure) -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (PDF_BYTES, files.PDF),
        (b"junk before the header " * 10 + PDF_BYTES, files.PDF),
        (b"x" * 1100 + b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n", files.TEXT),
        (b"GIF89a\x01\x00\x01\x00", files.GIF),
        (b"II*\x00\x08\x00\x00\x00", files.TIFF),
        (b"MM\x00*\x00\x00\x00\x08", files.TIFF),
        (b"\xef\xbb\xbf<?xml version='1.0'?><a/>", files.XML),
        (b"  <?xml version='1.0'?><a/>", files.XML),
        ("Quyết định số 01/QĐ-UBND".encode(), files.TEXT),
        (b"\x00\x01\x02\x03binary", files.BINARY),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504, files.OLE),
        (b"PK\x03\x04", files.ZIP),
        (b"", files.BINARY),
    ],
)
def test_sniff_content_type(head, expected):
    assert sniff_content_type(head) == expected


def test_sniff_uses_container_names_not_file_names():
    assert sniff_content_type(b"PK\x03\x04", zip_names=["word/document.xml"]) == files.DOCX
    assert sniff_content_type(b"PK\x03\x04", zip_names=["xl/workbook.xml"]) == files.XLSX
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    assert sniff_content_type(ole, ole_names=["Root Entry", "WordDocument"]) == files.DOC
    assert sniff_content_type(ole, ole_names=["Root Entry", "Workbook"]) == files.XLS
    # The head of a text file cut inside a multi-byte character is still text.
    assert sniff_content_type("Đồng".encode()[:-1]) == files.TEXT
