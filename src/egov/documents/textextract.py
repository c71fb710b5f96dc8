"""Text of a PDF for the search index, with poppler's `pdftotext` (Debian: poppler-utils).

`pdftotext -layout -enc UTF-8 <file> -` keeps the reading order of columns and tables well
enough for search; a scan without a text layer gives "" (OCR is not done here). The file size,
the pages, the time and the length of the text are capped, so a hostile or broken PDF costs at
most `timeout` seconds of one "slow" worker.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess

MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_PAGES = 2000
MAX_CHARS = 1_000_000
TIMEOUT_SECONDS = 120

_SPACES = re.compile(r"[ \t\u00a0]+")
_BLANK_LINES = re.compile(r"\n{3,}")


class TextExtractionError(Exception):
    """The PDF could not be read (encrypted, broken, too large, too slow, no pdftotext)."""


def clean_text(raw: str, max_chars: int = MAX_CHARS) -> str:
    """Storable text: no NUL or other control characters (PostgreSQL refuses NUL), page breaks
    as blank lines, runs of spaces collapsed, at most `max_chars` characters."""
    raw = raw.replace("\x0c", "\n\n")
    raw = "".join(ch for ch in raw if ch in "\n\t" or ord(ch) >= 32 and ch != "\x7f")
    lines = [_SPACES.sub(" ", line).strip() for line in raw.split("\n")]
    text = _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
    return text[:max_chars]


def pdf_text(path: str | os.PathLike, *, timeout: float = TIMEOUT_SECONDS,
             max_bytes: int = MAX_FILE_BYTES, max_pages: int = MAX_PAGES,
             max_chars: int = MAX_CHARS) -> str:
    """The text of the PDF at `path` (UTF-8, layout kept), cleaned by `clean_text`."""
    path = os.path.abspath(os.fspath(path))  # absolute: never read as an option
    try:
        size = os.path.getsize(path)
    except OSError as exc:
        raise TextExtractionError(f"cannot read the file: {exc}") from exc
    if size > max_bytes:
        raise TextExtractionError(f"the file is larger than {max_bytes} bytes")
    binary = shutil.which("pdftotext")
    if binary is None:
        raise TextExtractionError("pdftotext is not installed (Debian package poppler-utils)")
    try:
        done = subprocess.run(
            [binary, "-layout", "-enc", "UTF-8", "-l", str(max_pages), "-q", path, "-"],
            capture_output=True, timeout=timeout, check=False,
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"},
        )
    except subprocess.TimeoutExpired as exc:
        raise TextExtractionError(f"pdftotext took more than {timeout} s") from exc
    except OSError as exc:
        raise TextExtractionError(f"pdftotext could not run: {exc}") from exc
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()[:200]
        raise TextExtractionError(f"pdftotext failed ({done.returncode}) {message}".strip())
    return clean_text(done.stdout.decode("utf-8", "replace"), max_chars)
