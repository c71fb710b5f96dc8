"""Issue a slip through the slips part (i11-slips: `services.slips.slip_issue`), or — until it
is merged — record the slip row with its number and frozen data and no PDF (a local fallback
the lead removes at merge)."""

from __future__ import annotations

from django.utils import timezone

from egov.core import calendar, numbering

from ..models import PetitionSlip


def issue(*, petition, form: str, actor, data: dict, to_petitioner: bool = False) -> PetitionSlip:
    try:
        from . import slips  # type: ignore[attr-defined]
    except ImportError:
        slips = None
    if slips is not None and hasattr(slips, "slip_issue"):
        return slips.slip_issue(petition=petition, form=form, actor=actor, data=data,
                                to_petitioner=to_petitioner)
    year = calendar.localtime(timezone.now()).year
    seq = numbering.sequence_next(scope=f"petitions.slip:{petition.agency_id}:{form}",
                                  series=form, year=year)
    return PetitionSlip.objects.create(
        petition=petition, form=form, number=f"{seq}/{year}", data=data,
        to_petitioner=to_petitioner, created_by=actor if getattr(actor, "pk", None) else None)
