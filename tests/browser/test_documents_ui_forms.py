"""Issue 9 §5 in a real browser: the leader's dashboard (SVG chart + table), the printed handling
slip and submission slip, the incoming page with per-unit deadlines, the drafting form's
recipient checklist with and without JavaScript and the draft kept across a form error. Axe
(no serious/critical) and no horizontal scroll at 360 px, in Vietnamese and English."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.browser.conftest import serious_violations as _serious
from tests.documents.conftest import incoming_data, unique_pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/egov-shots")


@pytest.fixture
def people(transactional_db, org, make_user):
    from egov.core.models import OrgUnit, OrgUnitKind

    economy = OrgUnit.objects.create(kind=OrgUnitKind.DIVISION, name="Phòng Kinh tế",
                                     abbreviation="KT", parent=org["province"])
    return {
        **org, "economy": economy,
        "officer": make_user("chuyenvien", economy, "officer", full_name="Nguyễn Thị Chuyên"),
        "unit_head": make_user("truongphong", economy, "unit_head", title="Trưởng phòng",
                               full_name="Phạm Văn Trưởng"),
        "clerk": make_user("vanthu", org["office"], "clerk", title="Văn thư",
                           full_name="Lê Thị Văn Thư"),
        "leader": make_user("chutich", org["province"], "leader", title="Chủ tịch",
                            full_name="Trần Văn Chủ Tịch"),
    }


@pytest.fixture
def assigned(people):
    """An incoming document led by Phòng Kinh tế (overdue) with Văn phòng supporting."""
    from django.utils import timezone

    from egov.documents.models import Assignment
    from egov.documents.services import incoming as svc

    doc = svc.incoming_register(
        actor=people["clerk"], agency=people["province"], file=("den.pdf", unique_pdf()),
        data=incoming_data(subject="V/v báo cáo tình hình đất đai quý IV"))
    lead, _support = svc.incoming_assign(
        actor=people["leader"], document=doc, instruction="Phòng Kinh tế chủ trì",
        assignments=[{"unit_id": people["economy"].pk, "role": "lead"},
                     {"unit_id": people["office"].pk, "role": "support"}])
    Assignment.objects.filter(pk=lead.pk).update(
        due_date=timezone.localdate() - dt.timedelta(days=5))
    return doc


def _check(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        assert _serious(page) == [], f"{name} at {width}px"
        if width == 360:
            scroll = page.evaluate("document.documentElement.scrollWidth")
            assert scroll <= 360, f"{name}: {scroll}px wide at a 360px viewport"
        page.screenshot(path=str(SHOTS / f"uiforms-{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def _english(page, live_server):
    """The language switch's cookie (the same as POST /i18n/setlang/)."""
    from django.conf import settings

    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en",
                               "url": live_server.url}])


def test_dashboard_and_slips(page, live_server, login, people, assigned):
    login(page, "chutich")
    page.goto(live_server.url + "/documents/dashboard/")
    assert page.locator("h1").inner_text() == "Bảng theo dõi văn bản"
    assert page.locator("svg.doc-dash-bar").count() == 1
    assert "Phòng Kinh tế" in page.locator("svg.doc-dash-bar").first.get_attribute("aria-label")
    _check(page, "dashboard-vi")
    # The overdue count opens the list of exactly that document.
    page.locator("#dash-table-heading ~ table a.badge").first.click()
    page.wait_for_load_state()
    assert "/documents/incoming/?" in page.url and "handling=open_late" in page.url
    assert page.get_by_text("V/v báo cáo tình hình đất đai quý IV").count() >= 1
    _check(page, "dashboard-list")

    # The incoming page: print and reply buttons, per-unit deadlines for supporting units.
    page.goto(f"{live_server.url}/documents/incoming/{assigned.pk}/")
    _check(page, "incoming-detail")
    page.click("a:has-text('In phiếu giải quyết')")
    page.wait_for_load_state()
    assert page.get_by_text("PHIẾU GIẢI QUYẾT VĂN BẢN ĐẾN").count() == 1
    assert page.locator("[data-print]").is_visible()  # shown by print.js
    _check(page, "slip-incoming")
    page.emulate_media(media="print")
    assert not page.locator("header.site-header").is_visible()
    page.emulate_media(media="screen")

    _english(page, live_server)
    page.goto(live_server.url + "/documents/dashboard/")
    assert page.locator("h1").inner_text() == "Documents dashboard"
    _check(page, "dashboard-en")
    page.goto(f"{live_server.url}/documents/print/incoming/{assigned.pk}/")
    assert page.get_by_text("Back to the document").count() == 1
    assert page.get_by_text("PHIẾU GIẢI QUYẾT VĂN BẢN ĐẾN").count() == 1
    _check(page, "slip-incoming-en")


def test_assign_form_offers_own_deadlines_and_hides_assigned_units(page, live_server, login,
                                                                   people):
    from egov.documents.services import incoming as svc

    doc = svc.incoming_register(actor=people["clerk"], agency=people["province"],
                                file=("den.pdf", unique_pdf()), data=incoming_data())
    login(page, "chutich")
    page.goto(f"{live_server.url}/documents/incoming/{doc.pk}/")
    page.locator("details.doc-incoming-more summary").first.click()
    office = people["office"].pk
    assert page.locator(f"input[name=doc{doc.pk}-support_due_{office}]").is_visible()
    _check(page, "assign-form")
    page.select_option(f"#id_doc{doc.pk}-lead_unit", str(people["economy"].pk))
    page.check(f"input[name=doc{doc.pk}-support_units][value='{office}']")
    own = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    page.fill(f"input[name=doc{doc.pk}-support_due_{office}]", own)
    page.click(f"form[action='/documents/incoming/{doc.pk}/assign/'] button[type=submit]")
    page.wait_for_load_state()
    dues = dict(doc.assignments.values_list("assignee_unit_id", "due_date"))
    assert dues[office].isoformat() == own
    # Assigned units are no longer offered.
    assert page.locator(f"input[name=doc{doc.pk}-support_units][value='{office}']").count() == 0


@pytest.mark.parametrize("javascript", [True, False])
def test_recipient_checklist_and_kept_draft(browser, live_server, login, people, tmp_path,
                                            javascript):
    from egov.documents.models import OutgoingDocument

    context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh",
                                  viewport={"width": 1280, "height": 900},
                                  java_script_enabled=javascript)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        login(page, "chuyenvien")
        page.goto(live_server.url + "/documents/outgoing/new/")
        justice = people["justice"].pk
        box = page.locator(f"input[name=recipients_units][value='{justice}']")
        finance = page.locator(f"input[name=recipients_units][value='{people['finance'].pk}']")
        filter_box = page.locator("#id_recipients_units_filter")
        if javascript:
            assert filter_box.is_visible()
            filter_box.fill("tu phap")  # without diacritics
            assert box.is_visible() and not finance.is_visible()
            box.check()
            assert "1" in page.locator("[data-checklist-status]").inner_text()
            filter_box.fill("")
        else:
            assert not filter_box.is_visible()  # no script: the list only, every box usable
            assert box.is_visible() and finance.is_visible()
            box.check()
        if javascript:  # axe and the width check run scripts in the page
            _check(page, "draft-form")
        draft = tmp_path / "du-thao.pdf"
        draft.write_bytes(unique_pdf("Du thao"))
        page.select_option("#id_type_code", "QD")
        page.set_input_files("#id_file", str(draft))
        page.select_option("#id_signer_id", str(people["leader"].pk))
        page.click("form.doc-outgoing-form button[type=submit]")  # no subject: an error
        page.wait_for_load_state()
        assert page.locator("#id_subject_error").count() == 1
        assert page.locator(".kept-file").get_by_text("du-thao.pdf").count() == 1
        assert page.locator(f"input[name=recipients_units][value='{justice}']").is_checked()
        if javascript:
            _check(page, "draft-form-error")
        page.fill("#id_subject", "Quyết định về việc giữ tệp dự thảo")
        page.click("form.doc-outgoing-form button[type=submit]")
        page.wait_for_load_state()
        doc = OutgoingDocument.objects.get()
        assert page.url.endswith(f"/documents/outgoing/{doc.pk}/")
        assert doc.versions.get().file.original_name == "du-thao.pdf"
        page.goto(f"{live_server.url}/documents/print/outgoing/{doc.pk}/")
        assert page.get_by_text("PHIẾU TRÌNH").count() == 1
        if javascript:
            _check(page, "slip-submission")
    finally:
        context.close()
