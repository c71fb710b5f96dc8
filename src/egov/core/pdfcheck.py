"""What `file_store` checks in an uploaded PDF before it is kept.

1. It can be read: the cross-reference table, the trailer and the document catalogue parse with
   pyHanko — the same reader the signature verifier uses — so a truncated, damaged or
   unparseable file is refused at upload (code "pdf_damaged") instead of failing later in the
   verifier, the text extraction or a reader's viewer.
2. It is not encrypted (code "pdf_encrypted"): an encrypted PDF cannot be verified, indexed or
   archived, and the archive must be readable without a password.
3. Active content is found and reported (not refused: agencies do receive such files and must
   register them): JavaScript, launch actions (start a program), automatic actions (/AA, an
   /OpenAction that runs an action), form submission / data import actions, embedded files,
   XFA forms and rich media. The kinds are stored on the StoredFile (`active_content`), shown on
   the document's page and in the API; such a file is never previewed inline (see
   `egov.core.views.serve_pdf_headers`).

The walk over the object graph is bounded (objects visited, seconds), so a hostile file cannot
hold the web process: past the bound the walk stops and reports "unchecked".
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass, field
from typing import IO

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .errors import InvalidInput

MAX_OBJECTS = 50_000
MAX_SECONDS = 3.0

JAVASCRIPT = "javascript"
LAUNCH = "launch"
AUTO_ACTION = "auto_action"
SUBMIT = "submit"
EMBEDDED_FILE = "embedded_file"
XFA = "xfa"
RICH_MEDIA = "rich_media"
UNCHECKED = "unchecked"

LABELS = {
    JAVASCRIPT: gettext_lazy("JavaScript"),
    LAUNCH: gettext_lazy("an action that starts a program or opens a file"),
    AUTO_ACTION: gettext_lazy("actions that run on their own when the file is opened or read"),
    SUBMIT: gettext_lazy("an action that sends or imports form data"),
    EMBEDDED_FILE: gettext_lazy("embedded files"),
    XFA: gettext_lazy("an XFA form"),
    RICH_MEDIA: gettext_lazy("rich media (Flash, video, 3D)"),
    UNCHECKED: gettext_lazy("too many objects to check completely"),
}

_ACTION_KINDS = {
    "/JavaScript": JAVASCRIPT, "/Launch": LAUNCH, "/SubmitForm": SUBMIT, "/ImportData": SUBMIT,
    "/RichMediaExecute": RICH_MEDIA,
}


@dataclass
class PdfReport:
    pages: int | None = None
    active_content: list[str] = field(default_factory=list)


def _damaged(reason: object) -> InvalidInput:
    message = _("The PDF file is damaged or incomplete and cannot be read (%(reason)s). Save or "
                "scan it again and upload the new file.") % {"reason": str(reason)[:200]}
    return InvalidInput(message, code="pdf_damaged", fields={"file": [message]})


def _encrypted() -> InvalidInput:
    message = _("The PDF file is encrypted or password-protected. Upload a copy without a "
                "password (a signed document is never encrypted).")
    return InvalidInput(message, code="pdf_encrypted", fields={"file": [message]})


def _name(obj, key: str) -> str:
    """The name under `key` of a dictionary, "" when absent or not a direct name."""
    value = dict.get(obj, key)
    return str(value) if isinstance(value, str) else ""


def _active_content(reader, *, max_objects: int, max_seconds: float) -> list[str]:
    from pyhanko.pdf_utils import generic

    found: set[str] = set()
    seen: set[tuple[int, int]] = set()
    stack: list = [reader.trailer.raw_get("/Root")]
    deadline = time.monotonic() + max_seconds
    visited = 0
    while stack:
        obj = stack.pop()
        if isinstance(obj, generic.IndirectObject):
            ref = (obj.idnum, obj.generation)
            if ref in seen:
                continue
            seen.add(ref)
            try:
                obj = obj.get_object()
            except Exception:  # noqa: BLE001 - a dangling reference is not active content
                continue
        visited += 1
        if visited > max_objects or (visited % 512 == 0 and time.monotonic() > deadline):
            found.add(UNCHECKED)
            break
        if isinstance(obj, generic.DictionaryObject):
            keys = set(obj.keys())
            if "/JS" in keys:
                found.add(JAVASCRIPT)
            if "/AA" in keys:
                found.add(AUTO_ACTION)
            if "/XFA" in keys:
                found.add(XFA)
            if "/EmbeddedFiles" in keys or _name(obj, "/Type") in (
                    "/EmbeddedFile", "/Filespec") and "/EF" in keys:
                found.add(EMBEDDED_FILE)
            if "/JavaScript" in keys and _name(obj, "/Type") != "/Action":
                found.add(JAVASCRIPT)  # the catalogue's name tree of document scripts
            subtype = _name(obj, "/Subtype")
            if subtype in ("/RichMedia", "/Movie", "/Screen", "/3D"):
                found.add(RICH_MEDIA)
            if subtype == "/FileAttachment":
                found.add(EMBEDDED_FILE)
            kind = _ACTION_KINDS.get(_name(obj, "/S"))
            if kind:
                found.add(kind)
            if "/OpenAction" in keys:
                action = obj["/OpenAction"]
                if isinstance(action, generic.DictionaryObject):  # not a plain destination
                    found.add(AUTO_ACTION)
            for key in keys:
                if key in ("/Parent", "/P"):
                    continue  # back-pointers: reached from above anyway
                stack.append(dict.get(obj, key))
        elif isinstance(obj, generic.ArrayObject):
            stack.extend(list.__getitem__(obj, i) for i in range(len(obj)))
    return sorted(found)


def inspect_pdf(source: bytes | IO[bytes], *, max_objects: int = MAX_OBJECTS,
                max_seconds: float = MAX_SECONDS) -> PdfReport:
    """Read the PDF with pyHanko; refuse it (InvalidInput on field "file", code
    "pdf_damaged" or "pdf_encrypted") if it cannot be read or is encrypted; else report its
    page count and the kinds of active content found (see the module doc)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    stream = io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else source
    stream.seek(0)
    try:
        reader = PdfFileReader(stream, strict=False)
    except Exception as exc:  # noqa: BLE001 - PdfReadError, ValueError, RecursionError…
        raise _damaged(exc) from exc
    if reader.encrypted:
        raise _encrypted()
    try:
        root = reader.root
        pages = root["/Pages"]
        count = int(pages.get("/Count", 0))
    except Exception as exc:  # noqa: BLE001
        raise _damaged(exc) from exc
    try:
        active = _active_content(reader, max_objects=max_objects, max_seconds=max_seconds)
    except RecursionError:
        active = [UNCHECKED]
    return PdfReport(pages=count, active_content=active)


def describe(kinds: list[str]) -> str:
    """"JavaScript, embedded files" — the kinds in the user's language."""
    return ", ".join(str(LABELS.get(k, k)) for k in kinds)
