"""Fixtures of the dossier-service tests: a commune and a provincial centre, a procedure with
components and steps, and the desk, step and leader users."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from egov.core.calendar import LOCAL_TZ
from egov.core.models import OrgUnit, OrgUnitKind
from egov.onestop.models import (
    Level,
    Procedure,
    ProcedureComponent,
    ProcedureStep,
    ProcedureVersion,
)


def at(y, m, d, hh=9, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=LOCAL_TZ)


def make_procedure(code="1.001234", *, days=5, level=Level.COMMUNE, next_day=False,
                   steps=((Decimal("1"), None), (Decimal("3"), None), (Decimal("1"), None)),
                   competent_unit=None) -> Procedure:
    proc = Procedure.objects.create(code=code, name="Đăng ký khai sinh", level=level)
    version = ProcedureVersion.objects.create(
        procedure=proc, number=1, name="Đăng ký khai sinh", field_name="Hộ tịch", level=level,
        processing_days=days, next_day_after_cutoff=next_day, legal_basis="Luật Hộ tịch 2014",
        effective_from=dt.date(2025, 1, 1), competent_unit=competent_unit)
    ProcedureComponent.objects.create(version=version, code="TK", name="Tờ khai", ordering=1)
    ProcedureComponent.objects.create(version=version, code="GCS", name="Giấy chứng sinh",
                                      ordering=2)
    ProcedureComponent.objects.create(version=version, code="KH", name="Giấy tờ khác",
                                      required=False, ordering=3)
    for i, (share, unit) in enumerate(steps, start=1):
        ProcedureStep.objects.create(version=version, ordering=i, name=f"Bước {i}", unit=unit,
                                     days=share)
    return proc


@pytest.fixture
def desk(org, make_user):
    """The commune's desk officer, a civil-status officer, the commune's chairman, and the same
    roles at another commune."""
    commune = org["commune"]
    other = OrgUnit.objects.create(kind=OrgUnitKind.COMMUNE_COMMITTEE,
                                   name="Ủy ban nhân dân xã Bình Minh", abbreviation="UBND",
                                   parent=org["province"], electronic_id="000.02.00.T99",
                                   place_name="Bình Minh")
    return {
        "commune": commune, "other": other,
        "officer": make_user("motcua", commune, "onestop_officer"),
        "processor": make_user("tuphap", commune, "officer"),
        "leader": make_user("chutich", commune, "leader"),
        "other_officer": make_user("motcua2", other, "onestop_officer"),
        "other_processor": make_user("tuphap2", other, "officer"),
        "other_leader": make_user("chutich2", other, "leader"),
        "nobody": make_user("khach", commune),
    }


APPLICANT = {"full_name": "Nguyễn Văn An", "personal_id": "001099012345",
             "phone": "0912345678", "email": "an@example.vn", "address": "Thôn 1, xã An Bình"}
ALL = [{"code": "TK", "provided": True}, {"code": "GCS", "provided": True}]


@pytest.fixture
def clock(monkeypatch):
    """clock(when) sets django.utils.timezone.now to `when` (UTC) for the rest of the test."""
    from django.utils import timezone

    def _set(when):
        fixed = when.astimezone(dt.UTC)
        monkeypatch.setattr(timezone, "now", lambda: fixed)
        return fixed

    return _set
