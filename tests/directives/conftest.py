"""Fixtures of the directives tests (every file in tests/directives gets them): the province
committee with its office and two departments (each with a division), a commune, the
provincial leader (gives directives), the office's clerk who follows them, each department's
head and officer, a commune leader, a superuser and an outsider; and `make_directive()`."""

from __future__ import annotations

import datetime as dt

import pytest

from egov.core.models import OrgUnit, OrgUnitKind
from egov.directives.services.records import directive_create


@pytest.fixture
def drc(org, make_user):
    province, justice, finance = org["province"], org["justice"], org["finance"]
    justice_div = OrgUnit.objects.create(kind=OrgUnitKind.DIVISION, name="Phòng Hành chính tư pháp",
                                         abbreviation="HCTP", parent=justice,
                                         place_name="Thử Nghiệm")
    finance_div = OrgUnit.objects.create(kind=OrgUnitKind.DIVISION, name="Phòng Ngân sách",
                                         abbreviation="NS", parent=finance,
                                         place_name="Thử Nghiệm")
    su = make_user("root", None, is_superuser=True, is_staff=True)
    return {
        **org, "justice_div": justice_div, "finance_div": finance_div,
        "leader": make_user("chutichtinh", province, "leader", title="Chủ tịch",
                            full_name="Nguyễn Văn Chủ Tịch"),
        "deputy": make_user("phochutich", province, "leader", title="Phó Chủ tịch"),
        "clerk": make_user("vanthutinh", org["office"], "clerk", title="Văn thư"),
        "justice_head": make_user("giamdocstp", justice, "unit_head", title="Giám đốc Sở"),
        "justice_officer": make_user("chuyenvienstp", justice_div, "officer"),
        "finance_head": make_user("giamdocstc", finance, "unit_head", title="Giám đốc Sở"),
        "finance_officer": make_user("chuyenvienstc", finance_div, "officer"),
        "commune_leader": make_user("chutichxa", org["commune"], "leader", title="Chủ tịch"),
        "superuser": su,
        "nobody": make_user("khach", org["commune"]),
    }


@pytest.fixture
def make_directive(drc):
    """make_directive(lead=drc["justice"], due=date, support=[unit, ...], actor=leader, **kw)."""

    def _make(*, lead=None, due: dt.date | None = None, support=(), inform=(), actor=None,
              title: str = "Rà soát thủ tục hành chính lĩnh vực hộ tịch", **kw):
        actor = actor or drc["leader"]
        lead = lead or drc["justice"]
        lead_spec = {"user_id": lead.pk} if hasattr(lead, "username") else {"unit_id": lead.pk}
        return directive_create(
            actor=actor, title=title, content="Báo cáo kết quả rà soát về UBND tỉnh.",
            lead=lead_spec, due_date=due or dt.date.today() + dt.timedelta(days=30),
            support=[{"unit_id": u.pk} for u in support],
            inform=[{"unit_id": u.pk} for u in inform], **kw)

    return _make
