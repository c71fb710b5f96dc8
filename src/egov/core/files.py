"""The one upload service: every file enters eGov through `file_store`.

Size limit, type sniffed from the content (never from the name or the browser's content type),
SHA-256 computed while streaming, stored under files/YYYY/MM/<uuid>.<ext> in the configured
storage, never modified afterwards. Derived files (signed versions, previews, OCR text) are new
StoredFile rows pointing at their original.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import os
import struct
import tempfile
import uuid
import zipfile
from collections.abc import Collection, Iterator
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .audit import audit_log
from .errors import InvalidInput
from .models import StoredFile
from .pdfcheck import inspect_pdf

CHUNK = 64 * 1024
HEAD_BYTES = 8192

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
GIF = "image/gif"
TIFF = "image/tiff"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ZIP = "application/zip"
DOC = "application/msword"
XLS = "application/vnd.ms-excel"
OLE = "application/x-ole-storage"
XML = "application/xml"
TEXT = "text/plain"
BINARY = "application/octet-stream"

EXTENSIONS = {
    PDF: "pdf", PNG: "png", JPEG: "jpg", GIF: "gif", TIFF: "tif", DOCX: "docx", XLSX: "xlsx",
    PPTX: "pptx", ZIP: "zip", DOC: "doc", XLS: "xls", OLE: "ole", XML: "xml", TEXT: "txt",
    BINARY: "bin",
}

LABELS = {
    PDF: gettext_lazy("PDF"),
    PNG: gettext_lazy("PNG image"),
    JPEG: gettext_lazy("JPEG image"),
    GIF: gettext_lazy("GIF image"),
    TIFF: gettext_lazy("TIFF image"),
    DOCX: gettext_lazy("Word document (.docx)"),
    XLSX: gettext_lazy("Excel workbook (.xlsx)"),
    PPTX: gettext_lazy("PowerPoint presentation (.pptx)"),
    ZIP: gettext_lazy("ZIP archive"),
    DOC: gettext_lazy("Word 97–2003 document (.doc)"),
    XLS: gettext_lazy("Excel 97–2003 workbook (.xls)"),
    OLE: gettext_lazy("Office 97–2003 file"),
    XML: gettext_lazy("XML file"),
    TEXT: gettext_lazy("plain text file"),
    BINARY: gettext_lazy("unknown binary file"),
}

_OOXML_MARKERS = (("word/document.xml", DOCX), ("xl/workbook.xml", XLSX),
                  ("ppt/presentation.xml", PPTX))
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


# --- Sniffing ------------------------------------------------------------------------------------


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        # The head may end inside a multi-byte character: decode incrementally, not final.
        text = codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f")
    return controls <= len(text) // 100


def sniff_content_type(head: bytes, zip_names: Collection[str] | None = None,
                       ole_names: Collection[str] | None = None) -> str:
    """The content type of a file from its first bytes (and, for containers, the names inside:
    a ZIP's member names, an OLE file's stream names). Pure; never looks at the file name."""
    if b"%PDF-" in head[:1024]:
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return TIFF
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        names = set(zip_names or ())
        for marker, content_type in _OOXML_MARKERS:
            if marker in names:
                return content_type
        return ZIP
    if head.startswith(_OLE_MAGIC):
        names = {n.lower() for n in (ole_names or ())}
        if "worddocument" in names:
            return DOC
        if "workbook" in names or "book" in names:
            return XLS
        return OLE
    text_head = head[3:] if head.startswith(codecs.BOM_UTF8) else head
    if text_head.lstrip().startswith(b"<?xml"):
        return XML if _looks_like_text(text_head) else BINARY
    if head and _looks_like_text(text_head):
        return TEXT
    return BINARY


def _zip_names(f: IO[bytes]) -> list[str]:
    try:
        f.seek(0)
        with zipfile.ZipFile(f) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return []


def _ole_names(f: IO[bytes], max_sectors: int = 256) -> list[str]:
    """Stream names in an OLE compound file's directory (MS-CFB), following the FAT chain of the
    directory for at most `max_sectors` sectors. Returns [] if the structure is not valid."""
    try:
        f.seek(0)
        header = f.read(512)
        if len(header) < 512 or not header.startswith(_OLE_MAGIC):
            return []
        sector_size = 1 << struct.unpack_from("<H", header, 0x1E)[0]
        if sector_size not in (512, 4096):
            return []
        first_dir = struct.unpack_from("<I", header, 0x30)[0]
        difat = [s for s in struct.unpack_from("<109I", header, 0x4C) if s < 0xFFFFFFFA]

        def read_sector(sector: int) -> bytes:
            f.seek((sector + 1) * sector_size)
            return f.read(sector_size)

        entries_per_fat = sector_size // 4
        fat_cache: dict[int, tuple[int, ...]] = {}

        def next_sector(sector: int) -> int:
            index, offset = divmod(sector, entries_per_fat)
            if index >= len(difat):
                return 0xFFFFFFFE
            if index not in fat_cache:
                data = read_sector(difat[index])
                if len(data) < sector_size:
                    return 0xFFFFFFFE
                fat_cache[index] = struct.unpack(f"<{entries_per_fat}I", data)
            return fat_cache[index][offset]

        names, sector, seen = [], first_dir, set()
        while sector < 0xFFFFFFFA and sector not in seen and len(seen) < max_sectors:
            seen.add(sector)
            data = read_sector(sector)
            for pos in range(0, len(data) - 127, 128):
                length = struct.unpack_from("<H", data, pos + 64)[0]
                if 2 <= length <= 64:
                    names.append(data[pos:pos + length - 2].decode("utf-16-le", "replace"))
            sector = next_sector(sector)
        return names
    except (OSError, struct.error, ValueError):
        return []


# --- Storing -------------------------------------------------------------------------------------


def _open_upload(upload: Any) -> tuple[str, IO[bytes], int | None]:
    """(name, binary file object, declared size or None) for an UploadedFile, a (name, bytes)
    pair, or a named binary file-like object."""
    if isinstance(upload, tuple) and len(upload) == 2:
        name, data = upload
        if isinstance(data, str):
            raise TypeError("file content must be bytes")
        if isinstance(data, (bytes, bytearray, memoryview)):
            return str(name), io.BytesIO(bytes(data)), len(data)
        return str(name), data, None
    name = getattr(upload, "name", None)
    if name is None or not hasattr(upload, "read"):
        raise TypeError("upload must be an UploadedFile, a (name, bytes) pair or a named file")
    size = getattr(upload, "size", None)
    return os.fsdecode(name), upload, size if isinstance(size, int) else None


def _chunks(f: IO[bytes]) -> Iterator[bytes]:
    if hasattr(f, "chunks"):  # Django File / UploadedFile
        yield from f.chunks(CHUNK)
        return
    while True:
        block = f.read(CHUNK)
        if not block:
            return
        yield block


def _clean_name(name: str) -> str:
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip().replace("\x00", "")
    name = "".join(ch for ch in name if ch.isprintable()) or "file"
    if len(name) > 255:
        stem, dot, ext = name.rpartition(".")
        name = stem[: 254 - len(ext)] + dot + ext if dot and len(ext) < 20 else name[:255]
    return name


def _too_large(limit: int) -> InvalidInput:
    message = _("The file is larger than the limit of %(mb)s MB.") % {
        "mb": f"{limit / (1024 * 1024):.1f}".rstrip("0").rstrip(".")
    }
    return InvalidInput(message, code="file_too_large", fields={"file": [message]})


def file_store(*, actor, upload, require: set[str] | None = None, max_bytes: int | None = None,
               derived_from: StoredFile | None = None, derivation: str = "",
               generated: bool = False) -> StoredFile:
    """Check, hash and store one upload; returns the new StoredFile (and logs "file.store").

    `require` is a set of content types (e.g. {files.PDF}); a file whose sniffed type is not in
    it is refused with code "file_type" before anything is written. An uploaded PDF (not a
    derived one) must be readable and unencrypted (codes "pdf_damaged", "pdf_encrypted", see
    `egov.core.pdfcheck`); the kinds of active content it carries are kept in
    `StoredFile.active_content`. `max_bytes` defaults to
    settings.EGOV_MAX_UPLOAD_BYTES. A derived file (signed copy, preview, OCR text) names its
    original in `derived_from` and the kind in `derivation`. A file the server `generated`
    itself from its own template (a certificate, a register page) is no upload: the upload's PDF
    reading is skipped (at a certificate's issue it was half the storing time).
    """
    limit = max_bytes if max_bytes is not None else settings.EGOV_MAX_UPLOAD_BYTES
    if derived_from is not None and not derivation:
        raise ValueError("a derived file needs a derivation (e.g. 'signed', 'preview')")
    if derivation and derived_from is None:
        raise ValueError("a derivation needs the original file (derived_from)")
    if len(derivation) > 32:
        raise ValueError("derivation is at most 32 characters")
    name, source, declared_size = _open_upload(upload)
    original_name = _clean_name(name)
    if declared_size is not None and declared_size > limit:
        raise _too_large(limit)

    # One pass: copy to a private temporary file (the original is never altered), hash, measure,
    # keep the head for sniffing, and check the whole content is UTF-8 for text types.
    digest = hashlib.sha256()
    size = 0
    head = b""
    utf8 = codecs.getincrementaldecoder("utf-8")()
    is_text = True
    if hasattr(source, "seek"):
        try:
            source.seek(0)
        except (OSError, ValueError):
            pass
    with tempfile.SpooledTemporaryFile(max_size=1024 * 1024) as spool:
        for block in _chunks(source):
            size += len(block)
            if size > limit:
                raise _too_large(limit)
            digest.update(block)
            if len(head) < HEAD_BYTES:
                head += block[: HEAD_BYTES - len(head)]
            if is_text:
                try:
                    utf8.decode(block)
                    is_text = b"\x00" not in block
                except UnicodeDecodeError:
                    is_text = False
            spool.write(block)
        if size == 0:
            message = _("The file is empty.")
            raise InvalidInput(message, code="file_empty", fields={"file": [message]})
        if is_text:
            try:
                utf8.decode(b"", final=True)
            except UnicodeDecodeError:
                is_text = False

        zip_names = _zip_names(spool) if head.startswith((b"PK\x03\x04", b"PK\x05\x06")) else None
        ole_names = _ole_names(spool) if head.startswith(_OLE_MAGIC) else None
        content_type = sniff_content_type(head, zip_names, ole_names)
        if content_type in (TEXT, XML) and not is_text:
            content_type = BINARY

        if require is not None and content_type not in require:
            expected = ", ".join(sorted(str(LABELS.get(t, t)) for t in require))
            message = _("The file must be a %(expected)s; this file is a %(found)s.") % {
                "expected": expected, "found": LABELS.get(content_type, content_type)}
            raise InvalidInput(message, code="file_type", fields={"file": [message]})

        # A PDF a person uploads must be readable and unencrypted; its active content is noted.
        active_content: list[str] = []
        if content_type == PDF and derived_from is None and not generated:
            active_content = inspect_pdf(spool).active_content

        now = timezone.localtime()
        path = f"files/{now:%Y/%m}/{uuid.uuid4().hex}.{EXTENSIONS.get(content_type, 'bin')}"
        spool.seek(0)
        saved_name = default_storage.save(path, File(spool, name=os.path.basename(path)))

    try:
        with transaction.atomic():
            stored = StoredFile(
                original_name=original_name, content_type=content_type, size=size,
                sha256=digest.hexdigest(), derived_from=derived_from, derivation=derivation,
                uploaded_by=actor if getattr(actor, "pk", None) else None,
                active_content=active_content,
            )
            stored.file.name = saved_name
            stored.save()
            audit_log(actor=actor, action="file.store", obj=stored, details={
                "name": original_name, "content_type": content_type, "size": size,
                "sha256": stored.sha256, "derived_from": derived_from.pk if derived_from else None,
                "derivation": derivation, "active_content": active_content,
            })
    except BaseException:
        default_storage.delete(saved_name)
        raise
    return stored


def file_open(stored: StoredFile) -> IO[bytes]:
    """The stored content, opened read-only in binary mode (the caller closes it)."""
    return stored.file.storage.open(stored.file.name, "rb")



def file_response(stored: StoredFile, *, inline: bool = False, content_type: str | None = None):
    """The stored file as an HTTP response. A file with active content (a PDF carrying
    JavaScript, launch actions… see `egov.core.pdfcheck`) is never shown inline: it is always a
    download. Every download carries `Content-Security-Policy: sandbox`, so even a browser that
    opens it in a tab runs no script from it in our origin."""
    from django.http import FileResponse

    inline = inline and not stored.active_content
    response = FileResponse(file_open(stored), content_type=content_type or stored.content_type,
                            as_attachment=not inline, filename=stored.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    if not inline:
        response["Content-Security-Policy"] = "sandbox"
    return response
