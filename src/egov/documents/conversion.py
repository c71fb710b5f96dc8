""".docx drafts to PDF with LibreOffice headless (../shared/domain/components.md §6).

Each call runs `soffice` with a fresh temporary user profile (`-env:UserInstallation`): two
conversions sharing one profile can silently produce only one PDF, so every concurrent conversion
needs its own. Vietnamese text needs `fonts-liberation2` (Times New Roman metrics with every
Vietnamese letter); the PDF embeds the fonts it uses.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings

DEFAULT_TIMEOUT = 120  # seconds; a normal draft takes about one second


class ConversionError(Exception):
    """The conversion could not be done; the message says why (shown to the drafter)."""


def soffice_path() -> str | None:
    configured = getattr(settings, "EGOV_SOFFICE", "") or os.environ.get("EGOV_SOFFICE", "")
    if configured:
        return configured if os.path.exists(configured) else None
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(src_path: str | os.PathLike, out_dir: str | os.PathLike, *,
                timeout: int = DEFAULT_TIMEOUT) -> Path:
    """Convert one .docx to PDF in `out_dir`; returns the PDF's path. Raises ConversionError
    when LibreOffice is missing, fails, times out or writes no PDF."""
    src = Path(src_path)
    out = Path(out_dir)
    if not src.is_file():
        raise ConversionError(f"the file to convert does not exist: {src}")
    out.mkdir(parents=True, exist_ok=True)
    binary = soffice_path()
    if binary is None:
        raise ConversionError(
            "LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui "
            "fonts-liberation2"
        )
    with tempfile.TemporaryDirectory(prefix="egov-lo-profile-") as profile:
        command = [
            binary, f"-env:UserInstallation={Path(profile).as_uri()}",
            "--headless", "--norestore", "--nolockcheck",
            "--convert-to", "pdf", "--outdir", str(out), str(src),
        ]
        env = {**os.environ, "HOME": profile}  # LibreOffice writes caches under $HOME
        try:
            proc = subprocess.run(command, capture_output=True, timeout=timeout, env=env,
                                  check=False, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as exc:
            raise ConversionError(f"LibreOffice did not finish within {timeout} s") from exc
        except OSError as exc:
            raise ConversionError(f"LibreOffice could not be started: {exc}") from exc
    pdf = out / (src.stem + ".pdf")
    if proc.returncode != 0 or not pdf.is_file() or pdf.stat().st_size == 0:
        detail = (proc.stderr or proc.stdout or b"").decode("utf-8", "replace").strip()
        detail = " ".join(line for line in detail.splitlines() if "javaldx" not in line)
        raise ConversionError(
            f"LibreOffice could not convert the file (exit code {proc.returncode})"
            + (f": {detail[:300]}" if detail else "")
        )
    return pdf
