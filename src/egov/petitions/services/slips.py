"""Issuing a slip (services.md §2.4): `slip_issue()` allocates its number, freezes what it
prints, renders the PDF and stores it beside the `PetitionSlip` row — all inside the caller's
transaction (a rollback takes the number back: gapless).

Numbers: a yearly series per agency and form from the numbering kernel (NĐ 30/2020 Phụ lục III:
numbers start at 01 on 1 January), written "<nn>/<form abbreviation>-<agency abbreviation>",
e.g. "12/PCĐ-UBND" (abbreviations in `pdf.FORMS`; a form registered without one is
unnumbered).

Identity (Luật Tố cáo 25/2018 Art.47.2, 56): only a slip `to_petitioner` may carry the
petitioner's name and address (`data["petitioner"]`, read by the caller through
`access.identity_for`); its PDF is then downloadable only by those who may read the identity
(`selectors.slips.slip_file_for`). Any other slip — the copy kept on file, the copy for the
competent body — has `petitioner` removed and every text value passed through
`redaction.redact` with the petitioner's identity, unless the denouncer waived
confidentiality (`PetitionIdentity.confidentiality_waived`, NĐ 31/2019 Art.22.2.b as amended by
NĐ 156/2026).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from egov.core import calendar, numbering
from egov.core.files import file_store

from .. import pdf
from ..models import Petition, PetitionIdentity, PetitionSlip, SlipForm
from ..redaction import redact

Renderer = Callable[[PetitionSlip], bytes]

_renderers: dict[str, Renderer] = {}
_abbreviations: dict[str, str] = {}


def register_renderer(form: str, fn: Renderer, *, abbreviation: str | None = None) -> None:
    """Register `fn(slip) -> bytes` (the PDF) for `form`. `abbreviation` (e.g. "GBN") numbers
    the form's slips; by default the one of `pdf.FORMS`."""
    _renderers[str(form)] = fn
    if abbreviation is not None:
        _abbreviations[str(form)] = abbreviation


def renderer_for(form: str) -> Renderer:
    try:
        return _renderers[str(form)]
    except KeyError:
        raise ValueError(f"no renderer registered for slip form {form!r}") from None


def abbreviation_for(form: str) -> str:
    return _abbreviations.get(str(form)) or pdf.FORMS.get(form, {}).get("abbr", "")


# The forms of this part (every SlipForm except the receipt, which i11-intake registers).
for _form in SlipForm:
    if _form != SlipForm.RECEIPT:
        register_renderer(_form.value, pdf.template_renderer(f"petitions/pdf/{_form.value}.html"))


def allocate_number(agency, form: str, year: int) -> str:
    """The next number of `form` at `agency` in `year` (caller's transaction)."""
    abbr = abbreviation_for(form)
    if not abbr:
        return ""
    n = numbering.sequence_next(scope=f"petitions.slip:{agency.pk}", series=str(form), year=year)
    agency_abbr = (agency.abbreviation or "UBND").replace(" ", "")
    return f"{numbering.format_number(n)}/{abbr}-{agency_abbr}"


def _redact_values(value, identity):
    if isinstance(value, str):
        return redact(value, identity)
    if isinstance(value, list):
        return [_redact_values(v, identity) for v in value]
    if isinstance(value, dict):
        return {k: _redact_values(v, identity) for k, v in value.items()}
    return value


def _without_identity(petition: Petition, data: dict) -> dict:
    """A copy for others: no `petitioner`, identity strings removed from every text — unless
    the petitioner waived confidentiality."""
    # The identity is read here only to remove it (never shown): Luật Tố cáo Art.56.
    identity = PetitionIdentity.objects.filter(petition=petition).first()
    if identity is not None and identity.confidentiality_waived:
        return data
    data = {k: v for k, v in data.items() if k != "petitioner"}
    return _redact_values(data, identity) if identity is not None else data


def slip_issue(*, petition: Petition, form: str, actor, data: dict,
               to_petitioner: bool = False) -> PetitionSlip:
    """Issue a slip of `form` for `petition` inside the caller's transaction; returns the row
    with its stored PDF. `data` is what the form prints beyond the header (see the template of
    the form); the agency's names, the place, the date, the number and the petition's code are
    added here and everything is frozen as JSON."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("slip_issue() must run inside transaction.atomic()")
    form = str(SlipForm(form).value) if form in SlipForm.values else str(form)
    render = renderer_for(form)
    agency = petition.agency
    now = timezone.now()
    local = calendar.localtime(now)
    number = allocate_number(agency, form, local.year)
    payload = json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder))
    if not to_petitioner:
        payload = _without_identity(petition, payload)
    payload.update({
        "form": form, "number": number, "code": petition.code, "kind": petition.kind,
        "received_at": payload.get("received_at") or petition.received_at.isoformat(),
        "issued_at": now.isoformat(),
        "place": (agency.place_name or "").strip(),
        **pdf.agency_lines(agency),
    })
    if to_petitioner and "lookup_url" not in payload:
        payload["lookup_url"] = pdf.lookup_url(petition.code, petition.lookup_check)
    slip = PetitionSlip(petition=petition, form=form, number=number, data=payload,
                        to_petitioner=to_petitioner, created_at=now,
                        created_by=actor if getattr(actor, "pk", None) else None)
    content = render(slip)
    upload = io.BytesIO(content)
    upload.name = slip_filename(slip)
    slip.file = file_store(actor=actor if getattr(actor, "pk", None) else None, upload=upload,
                           require={"application/pdf"})
    slip.save()
    return slip


def slip_filename(slip: PetitionSlip) -> str:
    number = (slip.number or "").split("/")[0]
    return f"phieu-{slip.form}-{slip.data.get('code', '')}{'-' + number if number else ''}.pdf"
