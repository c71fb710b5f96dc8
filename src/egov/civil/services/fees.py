"""The fee of a registration or of a certified copy — computed here only (records.write_event
and certificates call it) and recorded with it (`RecordedFee`).

Luật Hộ tịch 60/2014/QH13, Điều 11:
- 11.1.a: no registration fee (lệ phí) for a person of a family with meritorious service to the
  revolution, of a poor household, or with a disability — a ground the registrar records from
  the papers shown (`details["fee_exemption"]`);
- 11.1.b: no fee for the on-time registration of a birth or a death, for a guardianship, nor
  for the marriage of Vietnamese citizens residing in Vietnam;
- 11.2: other matters and copies of extracts (phí) are charged, at the rates the provincial
  People's Council sets (11.3; Luật Phí và lệ phí 2015): `FeeRate` rows of the commune's
  province, in force on the day. Without a row the fee is recorded as "no rate", never a
  refusal: the registration is the citizen's right, the rate is the province's to publish.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils.translation import gettext as _

from egov.core.errors import InvalidInput

from ..models import FeeGround, FeeRate, FeeStatus, RecordedFee

LHT11 = "Luật Hộ tịch 60/2014/QH13, Điều 11"
# The grounds of exemption (FeeGround) and the clause of Điều 11 each rests on.
GROUNDS = {
    FeeGround.MERITORIOUS_FAMILY: "1.a", FeeGround.POOR_HOUSEHOLD: "1.a",
    FeeGround.DISABILITY: "1.a", FeeGround.ON_TIME_BIRTH: "1.b", FeeGround.ON_TIME_DEATH: "1.b",
    FeeGround.GUARDIANSHIP: "1.b", FeeGround.DOMESTIC_MARRIAGE: "1.b",
}
PERSONAL_GROUNDS = (FeeGround.MERITORIOUS_FAMILY, FeeGround.POOR_HOUSEHOLD,
                    FeeGround.DISABILITY)
COPY = "copy"


def personal_ground(value) -> str | None:
    """The ground of Điều 11.1.a given with a registration (None when none); else 422."""
    if value in (None, ""):
        return None
    if value not in PERSONAL_GROUNDS:
        message = _("Choose one of: %(values)s.") % {
            "values": ", ".join(str(g) for g in PERSONAL_GROUNDS)}
        raise InvalidInput(message, code="fee_exemption", fields={"fee_exemption": [message]})
    return str(value)


def rate_in_force(kind: str, commune, on: dt.date) -> FeeRate | None:
    """The rate of `kind` set by a province the commune belongs to, in force on `on`."""
    ancestors = [int(i) for i in (commune.path or "").strip("/").split("/") if i]
    return (FeeRate.objects.filter(kind=kind, province_id__in=ancestors or [commune.pk],
                                   effective_from__lte=on)
            .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))
            .order_by("-effective_from", "-id").first())


def _foreign(event) -> bool:
    value = getattr(event, "foreign_element", None)
    if value is None:
        value = (event.details or {}).get("foreign_element")
    return bool(value)


def event_exemption(event) -> str | None:
    """The ground on which `event` is exempt by Điều 11, else None."""
    details = event.details or {}
    personal = personal_ground(details.get("fee_exemption"))
    if personal:
        return personal  # Điều 11.1.a
    if details.get("reregistration"):
        return None  # đăng ký lại: charged unless 11.1.a (NĐ 123/2015, Điều 24–27)
    # Điều 11.1.b.
    if event.kind == "birth" and not event.late:
        return "on_time_birth"
    if event.kind == "death" and not event.late:
        return "on_time_death"
    if event.kind == "guardianship":
        return "guardianship"
    if event.kind == "marriage" and not _foreign(event):
        return "domestic_marriage"
    return None


def _record(kind: str, commune, on: dt.date, ground: str | None, **subject) -> RecordedFee:
    if ground:
        return RecordedFee.objects.create(
            kind=kind, status=FeeStatus.EXEMPT, ground=ground,
            legal_basis=f"{LHT11}.{GROUNDS[ground]}", **subject)
    rate = rate_in_force(kind, commune, on)
    if rate is None:
        return RecordedFee.objects.create(kind=kind, status=FeeStatus.NO_RATE,
                                          legal_basis=f"{LHT11}.2–3", **subject)
    return RecordedFee.objects.create(kind=kind, status=FeeStatus.CHARGED, amount=rate.amount,
                                      rate=rate, legal_basis=rate.legal_basis, **subject)


def record_event_fee(event) -> RecordedFee:
    """The fee of a registration, recorded with it (inside its transaction)."""
    kind = "reregistration" if (event.details or {}).get("reregistration") else event.kind
    return _record(kind, event.commune, event.registered_on, event_exemption(event),
                   event=event)


def record_copy_fee(certificate) -> RecordedFee:
    """A certified copy of an extract is charged (Điều 11.2: phí; 11.1.a exempts the lệ phí of
    registrations only)."""
    return _record(COPY, certificate.commune, certificate.issued_on, None,
                   certificate=certificate)


def fee_out(fee: RecordedFee | None) -> dict | None:
    """The fee as the API answers it."""
    if fee is None:
        return None
    return {"status": fee.status, "amount": fee.amount, "currency": "VND",
            "ground": fee.ground or None, "legal_basis": fee.legal_basis}
