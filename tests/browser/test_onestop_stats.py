"""The one-stop statistics page in Chromium: axe-clean at 1280 and 360 px, the chart and the
table's links present, nothing wider than the screen at 360 px."""

from __future__ import annotations

import pytest

from tests.browser.conftest import serious_violations
from tests.onestop.stats_fixtures import at, make_dossier

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def stats_data(transactional_db, org, make_user):
    import datetime as dt

    from egov.onestop.models import Procedure, ProcedureVersion

    p = Procedure.objects.create(code="9.001193", name="Đăng ký khai sinh")
    v = ProcedureVersion.objects.create(procedure=p, name=p.name, field_name="Hộ tịch",
                                        processing_days=3, legal_basis="Luật Hộ tịch 2014",
                                        effective_from=dt.date(2020, 1, 1))
    c = org["commune"]
    make_dossier(v, c, received_at=at(2026, 2, 2), due_at=at(2026, 2, 5),
                 ended_at=at(2026, 2, 4), state="resolved", result_medium="electronic")
    make_dossier(v, c, received_at=at(2026, 2, 2), due_at=at(2026, 2, 5),
                 ended_at=at(2026, 2, 6), state="returned")
    make_dossier(v, c, received_at=at(2026, 2, 20), due_at=at(2026, 2, 25), channel="online")
    make_user("chutichxa", c, "leader", title="Chủ tịch")


@pytest.mark.parametrize("width", [1280, 360])
def test_stats_page_axe_clean(page, live_server, login, stats_data, width):
    page.set_viewport_size({"width": width, "height": 900})
    login(page, "chutichxa")
    page.goto(live_server.url + "/onestop/stats/?from=2026-02-01&to=2026-02-28")
    assert page.locator("svg.os-stats-bar").count() == 1
    assert page.locator("table.os-stats-table a[href*='/onestop/desk/?']").count() > 0
    assert "5.4" in page.locator("#os-ind-heading + dl").inner_text()
    assert serious_violations(page) == []
    if width == 360:
        overflow = page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= 362, overflow
