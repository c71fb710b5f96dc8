"""Fixtures of the desk's page tests (client and browser): a commune with its service centre and
a division, another commune's centre, the one-stop officer, a specialist, the leader, and a
procedure with three components and the usual three steps (officer → leader → desk)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from egov.core.models import OrgUnit, OrgUnitKind, Position, Role, User
from egov.onestop.models import (
    Level,
    Procedure,
    ProcedureCode,
    ProcedureComponent,
    ProcedureStep,
    ProcedureVersion,
)

PROC_CODE = "9.990101"
PASSWORD = "Mat-khau-thu-2026"

COMPONENTS = [
    ("TK", "Tờ khai đề nghị (thử)", "original", True),
    ("CC", "Căn cước của người đề nghị (thử)", "presented", True),
    ("GT", "Giấy tờ chứng minh, nếu có (thử)", "copy", False),
]


def make_procedure(code: str = PROC_CODE, *, days: int = 5,
                   name: str = "Xác nhận thông tin thử nghiệm") -> Procedure:
    proc = Procedure.objects.create(code=code, name=name, level=Level.COMMUNE)
    ProcedureCode.objects.create(procedure=proc, code=code, valid_from=dt.date(2025, 7, 1))
    version = ProcedureVersion.objects.create(
        procedure=proc, number=1, name=name, field_name="Thử nghiệm", level=Level.COMMUNE,
        processing_days=days, legal_basis="Văn bản thử nghiệm",
        effective_from=dt.date(2025, 7, 1))
    for i, (ccode, cname, kind, required) in enumerate(COMPONENTS, start=1):
        ProcedureComponent.objects.create(version=version, code=ccode, name=cname,
                                          copy_kind=kind, required=required, ordering=i)
    for i, (sname, role, share) in enumerate([
            ("Thẩm định hồ sơ", "officer", Decimal(days - 1)),
            ("Phê duyệt", "leader", Decimal("0.5")),
            ("Trả kết quả về Một cửa", "onestop_officer", Decimal("0.5"))], start=1):
        ProcedureStep.objects.create(version=version, ordering=i, name=sname, role_code=role,
                                     days=share)
    return proc


def _user(username, unit, *roles, full_name=None) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD,
                                    full_name=full_name or username.title())
    pos = Position.objects.create(user=user, org_unit=unit, title="Công chức")
    pos.roles.set(Role.objects.filter(code__in=roles))
    return user


def build_desk_world() -> dict:
    province = OrgUnit.objects.create(kind=OrgUnitKind.PROVINCE_COMMITTEE,
                                      name="Ủy ban nhân dân tỉnh Thử Nghiệm",
                                      abbreviation="UBND", electronic_id="000.00.00.T98")
    commune = OrgUnit.objects.create(kind=OrgUnitKind.COMMUNE_COMMITTEE,
                                     name="Ủy ban nhân dân xã An Bình", abbreviation="UBND",
                                     parent=province, electronic_id="000.01.00.T98",
                                     place_name="An Bình")
    centre = OrgUnit.objects.create(kind=OrgUnitKind.SERVICE_CENTRE,
                                    name="Trung tâm Phục vụ hành chính công xã An Bình",
                                    parent=commune, electronic_id="000.01.20.T98",
                                    place_name="An Bình")
    division = OrgUnit.objects.create(kind=OrgUnitKind.DIVISION,
                                      name="Phòng Văn hóa - Xã hội xã An Bình", parent=commune,
                                      electronic_id="000.01.21.T98")
    commune2 = OrgUnit.objects.create(kind=OrgUnitKind.COMMUNE_COMMITTEE,
                                      name="Ủy ban nhân dân xã Tân Hòa", parent=province,
                                      electronic_id="000.02.00.T98", place_name="Tân Hòa")
    centre2 = OrgUnit.objects.create(kind=OrgUnitKind.SERVICE_CENTRE,
                                     name="Trung tâm Phục vụ hành chính công xã Tân Hòa",
                                     parent=commune2, electronic_id="000.02.20.T98",
                                     place_name="Tân Hòa")
    return {
        "commune": commune, "centre": centre, "division": division, "centre2": centre2,
        "desk": _user("motcua", centre, "onestop_officer", full_name="Ngô Thị Một"),
        "officer": _user("chuyenvien", commune, "officer", full_name="Bùi Văn Chuyên"),
        "leader": _user("lanhdao", commune, "leader", full_name="Trịnh Văn Lãnh"),
        "desk2": _user("motcuakhac", centre2, "onestop_officer"),
        "nobody": _user("nguoingoai", division),
        "procedure": make_procedure(),
    }


APPLICANT = {"kind": "person", "full_name": "Nguyễn Văn Dân", "personal_id": "001099012345",
             "phone": "0912345678", "email": "dan@example.vn",
             "address": "Thôn 1, xã An Bình"}


def intake(world, *, complete: bool = True, agency=None, actor=None, n: int = 0):
    """A dossier received through the service (complete → received, else guidance)."""
    from egov.onestop.services import intake as svc

    applicant = dict(APPLICANT, full_name=f"{APPLICANT['full_name']} {n}")
    return svc.dossier_intake(
        actor=actor or world["desk"], agency=agency or world["centre"],
        procedure_code=PROC_CODE, applicant=applicant,
        components=[{"code": c, "provided": complete or not req}
                    for c, _n, _k, req in COMPONENTS]).dossier
