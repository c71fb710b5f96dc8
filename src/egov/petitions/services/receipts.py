"""The receipt given at intake: Giấy biên nhận thông tin, tài liệu (Mẫu 02/TCD, NĐ 154/2026
Art.15; services.md §2.4): time, place, receiver, provider and ID, the documents received — with
the look-up code and check.

The slip row (`PetitionSlip`, form 02_tcd, `to_petitioner`) is written inside the intake
transaction with its number (numbering kernel) and frozen data; the PDF is rendered on the first
download and stored (`egov.petitions.pdf_receipt.receipt_pdf_file`), so intake stays fast.
The frozen data holds the petitioner's name and ID (the receipt is theirs): the stored PDF is
served publicly only with the code + check, and to staff only when they may read the identity
(otherwise a redacted copy is rendered; see selectors.receipts).

Until the slips part (i11-slips: `services.slips.slip_issue`) lands, this module allocates the
number itself: series "02/TCD" per agency and year.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from egov.core import calendar, numbering

from ..models import Petition, PetitionSlip, SlipForm


def _officer(actor) -> str:
    if not getattr(actor, "pk", None):
        return ""
    return (getattr(actor, "full_name", "") or actor.get_username())[:255]


def receipt_issue(*, petition: Petition, actor, identity: dict, documents: list[dict],
                  at: dt.datetime | None = None, oral: bool = False) -> PetitionSlip:
    """The Mẫu 02/TCD slip of `petition`, inside the caller's transaction."""
    at = at or timezone.now()
    year = calendar.localtime(at).year
    seq = numbering.sequence_next(scope=f"petitions.slip:{petition.agency_id}", series="02/TCD",
                                  year=year)
    data = {
        "code": petition.code, "check": petition.lookup_check,
        "received_at": at.isoformat(), "channel": petition.channel,
        "agency": petition.agency.name, "place": petition.agency.place_name or "",
        "officer": _officer(actor),
        "provider": {k: identity.get(k, "") or "" for k in ("full_name", "personal_id",
                                                             "address", "phone")},
        "documents": documents, "oral": bool(oral),
    }
    return PetitionSlip.objects.create(
        petition=petition, form=SlipForm.RECEIPT, number=f"{seq}/BN-TCD", data=data,
        to_petitioner=True, created_by=actor if getattr(actor, "pk", None) else None,
        created_at=at)
