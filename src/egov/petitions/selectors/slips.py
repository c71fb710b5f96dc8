"""Reading slips and their PDFs.

A slip is visible to whoever may see its petition (`access.may_view`). A slip given to the
petitioner (`to_petitioner`) may carry the petitioner's name and address: its PDF is served only
to those who may read the identity (`access.may_see_identity`: the receiving officer, the
handler, the head of the agency — Luật Tố cáo 25/2018 Art.47.2, 56), and each such download is
written to the audit trail as an identity read. Everyone else gets 404, the same answer as for
an unknown slip.
"""

from __future__ import annotations

from django.db import transaction

from egov.core.audit import audit_log
from egov.core.errors import NotFound

from ..models import PetitionSlip, SlipForm
from . import access


def slip_get(*, actor, pk: int) -> PetitionSlip:
    """The slip if the actor may see its petition; 404 `not_found` otherwise."""
    slip = (PetitionSlip.objects.select_related("petition", "petition__agency", "file")
            .filter(pk=pk).first())
    if slip is None or not access.may_view(actor, slip.petition):
        raise NotFound()
    return slip


def may_download(actor, slip: PetitionSlip) -> bool:
    if not access.may_view(actor, slip.petition):
        return False
    return not slip.to_petitioner or access.may_see_identity(actor, slip.petition)


def slip_file_for(actor, slip: PetitionSlip):
    """The stored PDF of `slip` for `actor`, or NotFound: a slip to the petitioner only for those
    who may read the identity (the read is audited, purpose "slip")."""
    if slip.file_id is None or not may_download(actor, slip):
        raise NotFound()
    if slip.to_petitioner:
        with transaction.atomic():
            audit_log(actor=actor, action="petition.identity.read", obj=slip.petition,
                      details={"code": slip.petition.code, "purpose": "slip",
                               "slip": slip.pk, "form": slip.form})
    return slip.file


def slip_pdf_response(*, actor, pk: int):
    """The PDF response of slip `pk` for `actor` (inline, never cached); NotFound otherwise."""
    from egov.core.files import file_response

    stored = slip_file_for(actor, slip_get(actor=actor, pk=pk))
    response = file_response(stored, inline=True)
    response["Cache-Control"] = "private, no-store"
    return response


def slips_for(actor, petition) -> list[dict]:
    """The petition's slips for its page: each with whether the actor may open its PDF."""
    see_identity = access.may_see_identity(actor, petition)
    # The receipt (Mẫu 02/TCD) has no stored file: the page links it to the receipt view
    # (redacted for those who may not read the identity), so it is never "withheld".
    return [{"slip": s, "downloadable": bool(s.file_id) and (not s.to_petitioner
                                                            or see_identity),
             "receipt": s.form == SlipForm.RECEIPT and not s.file_id,
             "withheld": bool(s.file_id) and s.to_petitioner and not see_identity}
            for s in petition.slips.order_by("created_at", "id")]
