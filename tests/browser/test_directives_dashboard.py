"""The directives leader's dashboard in Chromium: axe-clean in Vietnamese and English, at 1280
and 360 px without horizontal overflow; the chart's and the table's counts are links to the
list behind them. Screenshots in $EGOV_SCREENSHOTS (default /tmp) for a person to look at."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from tests.browser.conftest import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("EGOV_SCREENSHOTS", "/tmp")


@pytest.fixture
def dash_data(transactional_db, org, make_user):
    from egov.core.models import OrgUnit, OrgUnitKind
    from egov.directives.models import Directive
    from egov.directives.services.records import directive_create

    leader = make_user("chutichtinh", org["province"], "leader", title="Chủ tịch",
                       full_name="Nguyễn Văn Chủ Tịch")
    division = OrgUnit.objects.create(kind=OrgUnitKind.DIVISION, parent=org["justice"],
                                      name="Phòng Hành chính tư pháp và Bổ trợ tư pháp",
                                      abbreviation="HCTP")
    today = dt.date.today()
    leads = [org["justice"], org["finance"], org["commune"], division]
    for i in range(12):
        d = directive_create(actor=leader, title=f"Rà soát, đánh giá thủ tục hành chính số {i}",
                             content="Báo cáo kết quả về UBND tỉnh.",
                             lead={"unit_id": leads[i % 4].pk},
                             due_date=today + dt.timedelta(days=20), support=[], inform=[])
        if i % 3 == 0:
            Directive.objects.filter(pk=d.pk).update(judged_due_date=today - dt.timedelta(days=i + 1))
        elif i % 3 == 1:
            Directive.objects.filter(pk=d.pk).update(state="done", done_on=today)
    return leader


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("width", [1280, 360])
def test_leader_dashboard(page, live_server, login, dash_data, lang, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.set_default_timeout(60_000)  # the shared machine is loaded; pages, not waits, tested
    login(page, "chutichtinh")
    page.context.add_cookies([{"name": "egov_language", "value": lang, "url": live_server.url}])
    page.goto(live_server.url + "/directives/dashboard/")
    heading = page.locator("h1").inner_text()
    assert heading == ("Nhiệm vụ đã giao: bảng điều hành của lãnh đạo" if lang == "vi"
                       else "Directives given: leader's dashboard"), heading
    assert page.locator("svg#units-chart rect").count() >= 4
    assert page.locator("#units-table tbody td.num a[href*='role=given']").count() == 4 * 5
    assert page.locator("#overdue-list tbody tr").count() == 4
    page.screenshot(path=f"{SHOTS}/directives-dashboard-{lang}-{width}.png", full_page=True)
    assert serious_violations(page) == []
    if width == 360:
        overflow = page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= 362, overflow
    # A count leads to its list: the overdue total holds the four overdue directives.
    page.click("#bucket-totals a[data-bucket='open_late']")
    page.wait_for_load_state()
    assert page.locator("#counted-list tbody tr[data-id]").count() == 4
    assert serious_violations(page) == []
