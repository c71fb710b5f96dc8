"""The signing service's answer to a module's signature check of received PDFs.

NĐ 30/2020, Điều 21.2: an incoming electronic document is checked for authenticity and integrity
before it is registered; Luật Giao dịch điện tử 2023, Điều 22-24 and NĐ 130/2018, Điều 9: what a
valid digital signature is (certificate path to a trusted root, integrity of the signed data).

`verify_stored_pdf` knows no module: the documents module registers it with
`egov.documents.verification.register_verifier` in DocumentsConfig.ready(). Mapping of
`verify_pdf` to the hook's statuses (the same short codes as egov.documents.verification):

- no signature                                  → "unsigned";
- every signature valid, nothing added after    → "valid";
- every signature intact and nothing added after the last one, but a certificate does not lead
  to a trust anchor                             → "indeterminate" (cannot be confirmed here);
- anything else (digest mismatch, disallowed changes, damaged signature) → "invalid";
- a file stored as a PDF that cannot be read    → "error".

Files that are not PDFs are left to the previous verifier (None).
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

from .verify import NotAPdf, VerificationReport, verify_pdf

UNSIGNED = "unsigned"
VALID = "valid"
INVALID = "invalid"
INDETERMINATE = "indeterminate"
ERROR = "error"


def status_of(report: VerificationReport) -> str:
    """The hook's status for a verification report."""
    if not report.signatures:
        return UNSIGNED
    if report.valid:
        return VALID
    last = report.signatures[-1]
    intact = all(sig.intact and sig.docmdp_ok for sig in report.signatures)
    if intact and last.whole_file:
        return INDETERMINATE
    return INVALID


def _is_pdf(stored_file) -> bool:
    content_type = (getattr(stored_file, "content_type", "") or "").lower()
    name = (getattr(stored_file, "original_name", "") or "").lower()
    return content_type == "application/pdf" or name.endswith(".pdf")


def verify_stored_pdf(stored_file) -> tuple[str, dict] | None:
    """(status, report dict) for a stored PDF (egov.core.models.StoredFile); None for other
    files."""
    if not _is_pdf(stored_file):
        return None
    with stored_file.file.open("rb") as handle:
        data = handle.read()
    try:
        report = verify_pdf(data)
    except NotAPdf as exc:
        return ERROR, {"reason": gettext_noop("the PDF file could not be read"),
                                    "error": str(exc)[:500]}
    return status_of(report), report.as_dict()
