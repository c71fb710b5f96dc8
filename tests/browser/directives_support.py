"""The people and catalogues of the directives' browser tests (a live-server test's flush empties
them: document types and the documents' and the directives' grants are seeded again)."""

from __future__ import annotations

import pytest


@pytest.fixture
def drc(roles, org, make_user):
    """The flush emptied the catalogues: document types, the documents' and the directives'
    grants are seeded again; then the people plan_support's helpers expect."""
    from django.apps import apps

    from egov.directives.catalog import seed_role_grants
    from tests.documents.test_outgoing_support import seed_catalogues

    seed_catalogues()
    seed_role_grants(apps)
    return {**org,
            "leader": make_user("chutichtinh", org["province"], "leader", title="Chủ tịch",
                                full_name="Nguyễn Văn Chủ Tịch"),
            "clerk": make_user("vanthutinh", org["office"], "clerk", title="Văn thư"),
            "head": make_user("giamdocstp", org["justice"], "unit_head", title="Giám đốc Sở",
                              full_name="Trần Thị Giám Đốc")}
