"""Demo data of the civil-status module, for the FICTIONAL "tỉnh Minh Phong (mẫu)" of
egov.core.demo; called by `egov demo` after the core demo (its units and users must exist).

The registrar is the core demo's `hotich` (công chức Tư pháp - Hộ tịch of "xã An Phú (mẫu)",
role civil_registrar). Through the real services (books, entry numbers, audit events): a
marriage, a birth to that couple (existing records as parents), a birth with a new mother, a
birth registered last year (so a book can be closed at year end) and a death.

Every name says "(mẫu)". Idempotent: nothing is made when `hotich` already registered an event.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from egov.core.models import User

from .models import CivilEvent
from .rules_dates import registering_as_of

REGISTRAR = "hotich"
# `egov demo` prints the module's own accounts; the registrar is a core account (printed there).
DEMO_ACCOUNTS: list = []


def _years_ago(today: dt.date, years: int, days: int = 0) -> str:
    return (today.replace(year=today.year - years, day=min(today.day, 28))
            - dt.timedelta(days=days)).isoformat()


def load_demo() -> dict[str, int]:
    registrar = User.objects.filter(username=REGISTRAR).first()
    if registrar is None:
        raise RuntimeError("the core demo (egov.core.demo) must be loaded first")
    seal = _commune_certificate(registrar)
    if CivilEvent.objects.filter(registrar=registrar).exists():
        return {"events": 0, "certificates": seal}
    with transaction.atomic():
        made = _events(registrar)
    return {"events": made, "certificates": seal}


def _commune_certificate(registrar) -> int:
    """The demo commune's organisation certificate (signing's demo CA), so that the registrar
    can issue certificates and a citizen verify them by their QR code in the demo."""
    from egov.core import policy
    from egov.core.models import OrgUnit
    from egov.signing.demo import demo_unit_certificate

    made = 0
    for unit in OrgUnit.objects.filter(pk__in=policy.agencies_for(registrar, "civil.register")):
        made += demo_unit_certificate(unit)
    return made


def _on(register, **kwargs):
    """Demo history: registered as of its own day (rules_dates.registering_as_of; a page or the
    API only registers today or a few days back)."""
    with registering_as_of(kwargs["registered_on"]):
        return register(**kwargs)


# EXAMPLE rates of the fictional demo province — not real figures, nor national ones: each
# province's People's Council sets its own (Luật Hộ tịch 2014, Điều 11.3).
DEMO_RATES = {"birth": 5_000, "death": 5_000, "recognition": 15_000, "change": 15_000,
              "marital_status": 15_000, "reregistration": 10_000, "copy": 8_000}
DEMO_BASIS = ("MẪU — mức thu ví dụ của tỉnh mẫu, không phải mức thu thật: Nghị quyết (mẫu) của "
              "Hội đồng nhân dân tỉnh; Luật Hộ tịch 2014, Điều 11.3")


def _fee_rates() -> None:
    from egov.core.models import OrgUnit, OrgUnitKind

    from .models import FeeRate

    province = OrgUnit.objects.filter(is_demo=True,
                                      kind=OrgUnitKind.PROVINCE_COMMITTEE).first()
    if province is None:
        return
    for kind, amount in DEMO_RATES.items():
        FeeRate.objects.get_or_create(province=province, kind=kind,
                                      effective_from=dt.date(2025, 7, 1),
                                      defaults={"amount": amount, "legal_basis": DEMO_BASIS,
                                                "is_demo": True})


def _events(registrar) -> int:
    from .services.records import register_birth, register_death, register_marriage

    _fee_rates()
    today = timezone.localdate()
    last_year = dt.date(today.year - 1, 11, 20)
    events = []
    marriage = _on(register_marriage,
        actor=registrar, registered_on=today - dt.timedelta(days=400),
        husband={"full_name": "Nguyễn Văn Hùng (mẫu)", "sex": "male",
                 "birth_date": _years_ago(today, 30, 40), "personal_id": "001094000201",
                 "residence": "Thôn Đông, xã An Phú (mẫu)"},
        wife={"full_name": "Trần Thị Mai (mẫu)", "sex": "female",
              "birth_date": _years_ago(today, 27, 10), "personal_id": "001197000202",
              "residence": "Thôn Đông, xã An Phú (mẫu)"})
    events.append(marriage)
    husband = marriage.parties.get(role="husband").person
    wife = marriage.parties.get(role="wife").person
    events.append(_on(register_birth,
        actor=registrar, registered_on=last_year,
        child={"full_name": "Nguyễn Minh Khôi (mẫu)", "sex": "male",
               "birth_date": (last_year - dt.timedelta(days=20)).isoformat(),
               "birth_place": "Trạm y tế xã An Phú (mẫu)", "hometown": "xã An Phú (mẫu)"},
        mother={"id": wife.pk}, father={"id": husband.pk}))
    events.append(_on(register_birth,
        actor=registrar, registered_on=today - dt.timedelta(days=3),
        child={"full_name": "Nguyễn Ngọc Anh (mẫu)", "sex": "female",
               "birth_date": (today - dt.timedelta(days=12)).isoformat(),
               "birth_place": "Bệnh viện đa khoa tỉnh Minh Phong (mẫu)"},
        mother={"id": wife.pk}, father={"id": husband.pk}))
    events.append(_on(register_birth,
        actor=registrar, registered_on=today - dt.timedelta(days=1),
        child={"full_name": "Lê Đức Thịnh (mẫu)", "sex": "male",
               "birth_date": (today - dt.timedelta(days=75)).isoformat()},
        mother={"full_name": "Lê Thị Hằng (mẫu)", "birth_date": _years_ago(today, 24),
                "residence": "Thôn Tây, xã An Phú (mẫu)"}))
    events.append(_on(register_death,
        actor=registrar, registered_on=today - dt.timedelta(days=2),
        death_date=(today - dt.timedelta(days=5)).isoformat(),
        person={"full_name": "Phạm Văn Thọ (mẫu)", "sex": "male",
                "birth_date": _years_ago(today, 86), "personal_id": "001039000203",
                "residence": "Thôn Nam, xã An Phú (mẫu)"},
        details={"place": "Tại nhà, thôn Nam (mẫu)"}))
    return len(events)
