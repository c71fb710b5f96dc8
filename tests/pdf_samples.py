"""Hostile and broken PDFs for the upload checks (egov.core.pdfcheck): hand-written objects with
correct cross-reference offsets, so each file is a well-formed PDF apart from what it carries."""

from __future__ import annotations

import io


def build_pdf(objects: list[bytes], *, trailer_extra: bytes = b"",
              version: str = "1.7") -> bytes:
    """A PDF of these object bodies (1 0 obj is the catalogue) with a correct xref table."""
    out = bytearray(f"%PDF-{version}\n".encode() + b"%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n".encode() + b"0000000000 65535 f \n"
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R ".encode() + trailer_extra
            + f">>\nstartxref\n{xref}\n%%EOF\n".encode())
    return bytes(out)


_PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
_PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"


def clean_pdf() -> bytes:
    return build_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", _PAGES, _PAGE])


def pdf_with(kind: str) -> bytes:
    """A one-page PDF carrying one kind of active content."""
    if kind == "javascript":  # document-open script
        return build_pdf([b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>", _PAGES, _PAGE,
                          b"<< /Type /Action /S /JavaScript /JS (app.alert\\('x'\\)) >>"])
    if kind == "names_javascript":  # the catalogue's /Names /JavaScript tree
        return build_pdf([b"<< /Type /Catalog /Pages 2 0 R /Names << /JavaScript 4 0 R >> >>",
                          _PAGES, _PAGE, b"<< /Names [(a) 5 0 R] >>",
                          b"<< /S /JavaScript /JS 6 0 R >>",
                          b"<< /Length 11 >>\nstream\napp.alert()\nendstream"])
    if kind == "launch":  # a link that starts a program
        page = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Annots [<< /Type /Annot "
                b"/Subtype /Link /Rect [0 0 100 100] /A << /S /Launch /F (cmd.exe) >> >>] >>")
        return build_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", _PAGES, page])
    if kind == "auto_action":  # page-open additional action
        page = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                b"/AA << /O << /S /URI /URI (http://example.invalid/) >> >> >>")
        return build_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", _PAGES, page])
    if kind == "embedded_file":
        return build_pdf([b"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles 4 0 R >> >>",
                          _PAGES, _PAGE, b"<< /Names [(a.exe) 5 0 R] >>",
                          b"<< /Type /Filespec /F (a.exe) /EF << /F 6 0 R >> >>",
                          b"<< /Type /EmbeddedFile /Length 2 >>\nstream\nMZ\nendstream"])
    raise ValueError(kind)


def encrypted_pdf() -> bytes:
    """A clean PDF encrypted with a user password (pyHanko's writer, AES-256)."""
    from pyhanko.pdf_utils.crypt import StandardSecurityHandler
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.pdf_utils.writer import copy_into_new_writer

    writer = copy_into_new_writer(PdfFileReader(io.BytesIO(clean_pdf())))
    writer.security_handler = StandardSecurityHandler.build_from_pw("secret", "secret")
    writer._encrypt = writer.add_object(writer.security_handler.as_pdf_object())
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def truncated_pdf() -> bytes:
    data = clean_pdf()
    return data[: len(data) // 2]


def unparseable_pdf() -> bytes:
    return b"%PDF-1.7\n" + b"\x00garbage " * 200
