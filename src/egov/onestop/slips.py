"""Slips (TT 03/2025/TT-VPCP Phụ lục I, Mẫu 01–07): the row with the data it prints, frozen
when the slip is given. Rendering to PDF is `egov.onestop.pdf` (on first download, so intake
stays fast; the file is then stored beside the row)."""

from __future__ import annotations

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from egov.core import calendar, numbering
from egov.core.models import OrgUnit

from .models import Dossier, Slip, SlipForm

# Numbered slips: "Số …/PTC" (Mẫu 03), "Số …/PXL" (Mẫu 04) — a yearly series per agency.
NUMBER_SUFFIX = {SlipForm.REFUSAL: "PTC", SlipForm.APOLOGY: "PXL"}


def slip_create(*, agency: OrgUnit, form: str, actor=None, dossier: Dossier | None = None,
                data: dict | None = None) -> Slip:
    """Record a slip in the caller's transaction. `data` is what the slip prints beyond the
    dossier's own fields (the missing items of Mẫu 02, the reasons of Mẫu 03, the new date of
    Mẫu 04, …); it is frozen as JSON so a later change of the dossier does not change a slip
    already given."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("slip_create() must run inside transaction.atomic()")
    form = SlipForm(form)
    number = ""
    now = timezone.now()
    if form in NUMBER_SUFFIX:
        year = calendar.localtime(now).year
        n = numbering.sequence_next(scope=f"onestop.slip:{agency.pk}", series=form.value,
                                    year=year)
        number = f"{numbering.format_number(n)}/{NUMBER_SUFFIX[form]}"
    frozen = json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder))
    return Slip.objects.create(dossier=dossier, agency=agency, form=form.value, number=number,
                               data=frozen, created_at=now,
                               created_by=actor if getattr(actor, "pk", None) else None)
