"""Demo data of the one-stop desk, for the FICTIONAL "tỉnh Minh Phong (mẫu)" of egov.core.demo;
called by `egov demo` after the core demo (its units and users must exist).

- the commune's public administrative service centre (Bộ phận Một cửa / Trung tâm phục vụ hành
  chính công xã An Phú (mẫu)) under the demo commune committee, with an electronic id, and the
  commune's division of culture and society;
- three accounts: `motcuaxa` (one-stop officer at the centre), `chuyenvienxa` (specialist in
  the division), `lanhdaoxa` (the commune's leader);
- the catalogue: the seeded procedures when present (egov.onestop.catalogue_seed); otherwise
  two clearly fictional demo procedures;
- about ten dossiers in varied states, made through the real services, so codes, slips, clocks,
  hand-overs, work items and events are what a real desk would produce.

Every name says "(mẫu)". Idempotent: units, users and procedures are found by their keys; the
dossiers are made once (when the centre has none), in one transaction.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from egov.core.demo import DEMO_PASSWORD
from egov.core.models import OrgUnit, OrgUnitKind, Position, Role, User

from .models import (
    Dossier,
    Level,
    OnlineLevel,
    Procedure,
    ProcedureCode,
    ProcedureComponent,
    ProcedureStep,
    ProcedureVersion,
)

COMMUNE_EID = "000.00.10.Z01"
CENTRE_EID = "000.20.10.Z01"
DIVISION_EID = "000.21.10.Z01"

# electronic id: (kind, name, abbreviation)
UNITS = {
    CENTRE_EID: (OrgUnitKind.SERVICE_CENTRE,
                 "Trung tâm Phục vụ hành chính công xã An Phú (mẫu)", "TTPVHCC"),
    DIVISION_EID: (OrgUnitKind.DIVISION, "Phòng Văn hóa - Xã hội xã An Phú (mẫu)", "VHXH"),
}

# username: (full name, unit electronic id (None = the commune), title, roles, description)
ACCOUNTS: dict[str, tuple[str, str | None, str, list[str], str]] = {
    "motcuaxa": ("Ngô Thị Tiếp (mẫu)", CENTRE_EID, "Công chức Bộ phận Một cửa",
                 ["onestop_officer"], "one-stop officer (commune)"),
    # A commune's công chức hold their posts in the committee itself: the steps' work items go
    # to the competent unit (services/workflow.py), which is the committee.
    "chuyenvienxa": ("Bùi Văn Thẩm (mẫu)", None, "Công chức Văn hóa - Xã hội",
                     ["officer"], "specialist (commune)"),
    "lanhdaoxa": ("Trịnh Văn Duyệt (mẫu)", COMMUNE_EID, "Phó Chủ tịch UBND xã",
                  ["leader"], "leader (commune)"),
}
# `egov demo` prints these with the core accounts: (username, description, title, full name).
DEMO_ACCOUNTS = [(u, desc, title, name) for u, (name, _e, title, _r, desc) in ACCOUNTS.items()]

# Two fictional procedures, used only when the seeded catalogue is absent.
DEMO_PROCEDURES = [
    {"code": "9.990001", "name": "Cấp giấy xác nhận mẫu về hoàn cảnh gia đình (mẫu)",
     "field": "Thủ tục mẫu", "days": 3, "same_day": False,
     "components": [("TK", "Tờ khai đề nghị xác nhận (mẫu)", "original", True),
                    ("CC", "Căn cước của người đề nghị (xuất trình) (mẫu)", "presented", True),
                    ("GT", "Giấy tờ chứng minh hoàn cảnh, nếu có (mẫu)", "copy", False)]},
    {"code": "9.990002", "name": "Chứng thực mẫu bản sao từ bản chính (mẫu)",
     "field": "Thủ tục mẫu", "days": 0, "same_day": True,
     "components": [("BC", "Bản chính giấy tờ cần chứng thực (mẫu)", "original", True),
                    ("BS", "Bản sao cần chứng thực (mẫu)", "copy", True)]},
]


def _units() -> dict[str, OrgUnit]:
    commune = OrgUnit.objects.filter(electronic_id=COMMUNE_EID).first()
    if commune is None:
        raise RuntimeError("the core demo (egov.core.demo) must be loaded first")
    units = {COMMUNE_EID: commune}
    for eid, (kind, name, abbr) in UNITS.items():
        unit = OrgUnit.objects.filter(electronic_id=eid).first()
        if unit is None:
            unit = OrgUnit.objects.create(electronic_id=eid, kind=kind, name=name,
                                          abbreviation=abbr, parent=commune,
                                          place_name=commune.place_name,
                                          valid_from=dt.date(2025, 7, 1), is_demo=True)
        units[eid] = unit
    return units


def _users(units) -> dict[str, User]:
    roles = {r.code: r for r in Role.objects.all()}
    users = {}
    for username, (full_name, eid, title, role_codes, _desc) in ACCOUNTS.items():
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, full_name=full_name, is_demo=True,
                        email=f"{username}@demo.egov.localhost")
            user.set_password(DEMO_PASSWORD)
            user.save()
            pos = Position.objects.create(user=user, org_unit=units[eid or COMMUNE_EID],
                                          title=title)
            pos.roles.set([roles[c] for c in role_codes if c in roles])
        users[username] = user
    return users


def _demo_procedures() -> list[Procedure]:
    """The two fictional procedures (created once, found by code afterwards)."""
    out = []
    for p in DEMO_PROCEDURES:
        proc, created = Procedure.objects.get_or_create(
            code=p["code"], defaults={"name": p["name"], "level": Level.COMMUNE, "is_demo": True})
        if created:
            ProcedureCode.objects.create(procedure=proc, code=p["code"],
                                         valid_from=dt.date(2025, 7, 1), note="mẫu")
            version = ProcedureVersion.objects.create(
                procedure=proc, number=1, name=p["name"], field_name=p["field"],
                level=Level.COMMUNE, processing_days=p["days"], same_day=p["same_day"],
                fees=[{"name": "Lệ phí (mẫu)", "amount": 0, "note": "miễn"}],
                online_level=OnlineLevel.PARTIAL, result_type="Giấy xác nhận (mẫu)",
                legal_basis="Văn bản mẫu, không có giá trị pháp lý (mẫu)",
                effective_from=dt.date(2025, 7, 1))
            for i, (code, name, kind, required) in enumerate(p["components"], start=1):
                ProcedureComponent.objects.create(version=version, code=code, name=name,
                                                  copy_kind=kind, required=required,
                                                  ordering=i)
            days = Decimal(p["days"])
            shares = ([days - 1, Decimal("0.5"), Decimal("0.5")] if days >= 2
                      else [Decimal(0)] * 3)
            for i, (name, role, share) in enumerate([
                    ("Công chức chuyên môn thẩm định, trình ký (mẫu)", "officer", shares[0]),
                    ("Lãnh đạo phê duyệt, ký kết quả (mẫu)", "leader", shares[1]),
                    ("Vào sổ, trả kết quả về Bộ phận Một cửa (mẫu)", "onestop_officer",
                     shares[2])], start=1):
                ProcedureStep.objects.create(version=version, ordering=i, name=name,
                                             role_code=role, days=share)
        out.append(proc)
    return out


def _procedures() -> list[Procedure]:
    """Two commune procedures to receive: from the seeded catalogue when it is there (one with
    a processing time in days, one solved the same day), else the fictional ones."""
    today = timezone.localdate()
    seeded = (ProcedureVersion.objects.filter(level=Level.COMMUNE, effective_from__lte=today,
                                              effective_to__isnull=True,
                                              procedure__is_demo=False)
              .exclude(components__isnull=True).select_related("procedure")
              .order_by("procedure__code").distinct())
    with_days = next((v.procedure for v in seeded if v.processing_days >= 3), None)
    same_day = next((v.procedure for v in seeded if v.processing_days == 0), None)
    if with_days and same_day:
        return [with_days, same_day]
    return _demo_procedures()


def load_demo() -> dict[str, int]:
    with transaction.atomic():
        units = _units()
        users = _users(units)
        procedures = _procedures()
    if Dossier.objects.filter(agency=units[CENTRE_EID]).exists():
        return {"dossiers": 0}
    from .demo_dossiers import load_dossiers

    with transaction.atomic():
        made = load_dossiers(centre=units[CENTRE_EID], commune=units[COMMUNE_EID],
                             users=users, procedures=procedures)
    return {"dossiers": made}
