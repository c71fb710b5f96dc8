"""Text of a PDF for the search index, with poppler's `pdftotext` (Debian: poppler-utils).

`pdftotext -layout -enc UTF-8 <file> <out>` keeps the reading order of columns and tables well
enough for search; a scan without a text layer gives "" (OCR is not done here).

A hostile PDF (a "bomb": thousands of pages sharing one huge compressed content stream, or a
stream that takes minutes to interpret) must not hold the shared worker: pdftotext reads at most
EGOV_TEXT_MAX_PAGES pages, runs at most EGOV_TEXT_TIMEOUT_SECONDS (wall clock, and as much CPU
time through RLIMIT_CPU), within 1 GiB of memory (RLIMIT_AS), and may write at most
EGOV_TEXT_MAX_OUTPUT_BYTES of text (RLIMIT_FSIZE on its output file: the kernel stops it at the
limit). Hitting a limit raises :class:`TextExtractionLimit` (``reason`` "too_large" or
"too_slow"); the job flags the document (egov.documents.search).
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import signal
import subprocess
import tempfile

from django.conf import settings

MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_CHARS = 1_000_000
MAX_MEMORY_BYTES = 1024 * 1024 * 1024


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


_SPACES = re.compile(r"[ \t\u00a0]+")
_BLANK_LINES = re.compile(r"\n{3,}")


class TextExtractionError(Exception):
    """The PDF could not be read (encrypted, broken, too large, too slow, no pdftotext)."""


class TextExtractionLimit(TextExtractionError):
    """pdftotext was stopped at a limit: ``reason`` is "too_large" (too much text) or
    "too_slow" (time or CPU)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def clean_text(raw: str, max_chars: int = MAX_CHARS) -> str:
    """Storable text: no NUL or other control characters (PostgreSQL refuses NUL), page breaks
    as blank lines, runs of spaces collapsed, at most `max_chars` characters."""
    raw = raw.replace("\x0c", "\n\n")
    raw = "".join(ch for ch in raw if ch in "\n\t" or ord(ch) >= 32 and ch != "\x7f")
    lines = [_SPACES.sub(" ", line).strip() for line in raw.split("\n")]
    text = _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
    return text[:max_chars]


def _limits(cpu_seconds: int, output_bytes: int):
    def apply() -> None:  # runs in the child between fork and exec
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
        resource.setrlimit(resource.RLIMIT_FSIZE, (output_bytes, output_bytes))
        resource.setrlimit(resource.RLIMIT_AS, (MAX_MEMORY_BYTES, MAX_MEMORY_BYTES))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    return apply


def pdf_text(path: str | os.PathLike, *, timeout: float | None = None,
             max_bytes: int = MAX_FILE_BYTES, max_pages: int | None = None,
             max_chars: int = MAX_CHARS, max_output: int | None = None) -> str:
    """The text of the PDF at `path` (UTF-8, layout kept), cleaned by `clean_text`."""
    timeout = timeout or _setting("EGOV_TEXT_TIMEOUT_SECONDS", 10)
    max_pages = max_pages or _setting("EGOV_TEXT_MAX_PAGES", 500)
    max_output = max_output or _setting("EGOV_TEXT_MAX_OUTPUT_BYTES", 2 * 1024 * 1024)
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
    with tempfile.TemporaryDirectory(prefix="egov-pdftotext-") as tmp:
        out = os.path.join(tmp, "text.txt")
        try:
            done = subprocess.run(
                [binary, "-layout", "-enc", "UTF-8", "-l", str(max_pages), "-q", path, out],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                timeout=timeout, check=False, preexec_fn=_limits(int(timeout) + 1, max_output),
                env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"},
            )
        except subprocess.TimeoutExpired as exc:
            raise TextExtractionLimit("too_slow",
                                      f"pdftotext took more than {timeout} s") from exc
        except OSError as exc:
            raise TextExtractionError(f"pdftotext could not run: {exc}") from exc
        if done.returncode == -signal.SIGXFSZ or (
                os.path.exists(out) and os.path.getsize(out) >= max_output):
            raise TextExtractionLimit("too_large",
                                      f"the text is larger than {max_output} bytes")
        if done.returncode in (-signal.SIGXCPU, -signal.SIGKILL):
            raise TextExtractionLimit("too_slow", f"pdftotext used more than {timeout} s of CPU")
        if done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace").strip()[:200]
            raise TextExtractionError(f"pdftotext failed ({done.returncode}) {message}".strip())
        with open(out, "rb") as fh:
            raw = fh.read(max_output)
    return clean_text(raw.decode("utf-8", "replace"), max_chars)
