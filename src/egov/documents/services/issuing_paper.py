"""The medium of an issued original (issue 9 §1): electronic or paper.

An outgoing document is issued electronically only when its PDF carries the competent signer's
digital signature (NĐ 30/2020 Điều 13.7 and Phụ lục I.II: the electronic original is the PDF
signed by the competent person, then numbered, dated and signed by the agency) — or, for an
electronic copy (sao y / sao lục / trích sao), the agency's own signature (Phụ lục I Phần II §I).
Without it the original can only be a printed copy, signed by hand and sealed (Điều 13.7 on
paper), and the clerk must say so explicitly: ``medium="paper"``. Issuing such a document
without that choice is refused with code ``unsigned`` (HTTP 409) and changes nothing.

Decision: ``paper`` is also accepted for a digitally signed document (an agency may still issue
the original on paper); the register then records paper, and the PDF is finalised exactly as
for an electronic issue (number, date and the agency's signature when it has a certificate),
so the electronic copy stays verifiable.

A paper issue of an unsigned document keeps a reference copy as the issued PDF: the approved
version's PDF with the number and notation and the place-and-date line written in (the same
fields and boxes as the agency's signature at issue, :func:`egov.signing.stamping.
fill_reference_copy`) and the verification mark, and no digital signature. The public
verification page then says that the original is on paper and that this electronic copy
carries no digital signature.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from egov.core import files
from egov.core.errors import AppError, InvalidInput

from ..models import IssueMedium

ELECTRONIC = IssueMedium.ELECTRONIC.value
PAPER = IssueMedium.PAPER.value


def digitally_signed(document) -> bool:
    """Whether issuing ``document`` electronically gives a digitally signed original: the
    leader signed it, or it is an electronic copy the agency signs alone with its certificate."""
    if document.signed_file_id:
        return True
    if document.doc_type.is_copy:
        from egov.signing.selectors import usable_certificate

        return usable_certificate(unit=document.agency) is not None
    return False


def unsigned_error() -> AppError:
    return AppError("unsigned", _("This document has no digital signature of the competent "
                                  "signer. Have it signed digitally, or issue the original on "
                                  "paper (medium “paper”)."), status=409)


def check_medium(document, medium) -> str:
    """The medium to issue ``document`` with: ``medium`` as chosen ("electronic", "paper"; None
    or "" = not chosen). Raises ``InvalidInput`` (422, field ``medium``) for another value and
    :func:`unsigned_error` (409) for an unsigned document without the explicit paper choice."""
    if medium in (None, ""):
        medium = None
    elif not isinstance(medium, str) or medium not in IssueMedium.values:
        raise InvalidInput(_("Choose the medium of the original: electronic or paper."),
                           fields={"medium": [_("Choose one of: %(values)s.")
                                              % {"values": ", ".join(IssueMedium.values)}]})
    if medium == PAPER:
        return PAPER
    if not digitally_signed(document):
        raise unsigned_error()
    return ELECTRONIC


def paper_reference_copy(*, document, actor):
    """Inside ``outgoing_issue``'s transaction, once the number and date are allocated: the
    reference copy of a paper original (module docstring) as a stored PDF derived from the
    approved version's PDF, or None when there is no PDF."""
    from egov.signing import stamping

    from ..selectors.outgoing import latest_version
    from ..verification_codes import code_for

    version = latest_version(document)
    if version is None or version.pdf_id is None:
        return None
    with files.file_open(version.pdf) as fh:
        data = fh.read()
    agency = document.agency
    copy = stamping.fill_reference_copy(
        data, {stamping.FIELD_CODE: f"Số: {document.code}",
               stamping.FIELD_DATE: stamping.issue_date_line(agency.place_name,
                                                              document.issued_date)},
        mark_code=code_for(document).code)
    stem = (version.pdf.original_name or "van-ban.pdf").rsplit(".", 1)[0]
    return files.file_store(actor=actor, upload=(f"{stem}-ban-giay.pdf", copy),
                            require={files.PDF}, derived_from=version.pdf, derivation="paper_copy")
