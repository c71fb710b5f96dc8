"""People and communes of the civil-status tests: two commune committees under a province, a
registrar in each (role civil_registrar: civil.register and civil.read in the commune), a
province supervisor (civil_supervisor: civil.read everywhere) and a commune leader."""

from __future__ import annotations

import datetime as dt

import pytest

from egov.core.models import OrgUnit, OrgUnitKind


@pytest.fixture
def civ(org, make_user):
    other = OrgUnit.objects.create(kind=OrgUnitKind.COMMUNE_COMMITTEE,
                                   name="Ủy ban nhân dân xã Hòa Bình", abbreviation="UBND",
                                   parent=org["province"], electronic_id="000.02.00.T99",
                                   place_name="Hòa Bình")
    return {
        **org, "other": other,
        "registrar": make_user("tuphapxa", org["commune"], "civil_registrar",
                               title="Công chức Tư pháp - Hộ tịch",
                               full_name="Lê Thị Hộ Tịch"),
        "other_registrar": make_user("tuphaphoabinh", other, "civil_registrar",
                                     title="Công chức Tư pháp - Hộ tịch"),
        "supervisor": make_user("sotuphap", org["justice"], "civil_supervisor",
                                title="Chuyên viên Sở Tư pháp"),
        "leader": make_user("chutichxa", org["commune"], "leader", title="Chủ tịch"),
    }


def years_ago(years: int, days: int = 0) -> dt.date:
    """The date `years` years (and `days` days) before today, on the same day of the year."""
    today = dt.date.today()
    try:
        day = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        day = today.replace(year=today.year - years, day=28)
    return day - dt.timedelta(days=days)
