"""The people of the directives' browser tests (the catalogues a live-server test's flush
empties are seeded again by egov.core.seeds)."""

from __future__ import annotations

import pytest


@pytest.fixture
def drc(transactional_db, org, make_user):
    """The people plan_support's helpers expect."""
    return {**org,
            "leader": make_user("chutichtinh", org["province"], "leader", title="Chủ tịch",
                                full_name="Nguyễn Văn Chủ Tịch"),
            "clerk": make_user("vanthutinh", org["office"], "clerk", title="Văn thư"),
            "head": make_user("giamdocstp", org["justice"], "unit_head", title="Giám đốc Sở",
                              full_name="Trần Thị Giám Đốc")}
