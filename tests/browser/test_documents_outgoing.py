"""Outgoing documents in a real browser: an officer drafts (uploads a PDF), the unit head approves
the content, the clerk checks the format, the chairman approves as signer, the clerk issues from
the queue — the page then shows the number and notation. Axe at 1280 and 360 px; no horizontal
scroll on a phone."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import serious_violations as _serious
from tests.documents.conftest import unique_pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/egov-shots")
SUBJECT = "Quyết định về việc phê duyệt kế hoạch cải cách hành chính năm 2026"


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




def _as(browser, login, username: str):
    context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh",
                                  viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    login(page, username)
    return page


def _check_page(page, name: str) -> None:
    """Axe at 1280 and 360 px, no horizontal scroll at 360 px, screenshots."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        assert _serious(page) == [], f"{name} at {width}px"
        if width == 360:
            scroll = page.evaluate("document.documentElement.scrollWidth")
            assert scroll <= 360, f"{name}: {scroll}px wide at a 360px viewport"
        page.screenshot(path=str(SHOTS / f"outgoing-{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_drafting_review_and_issuing(browser, page, live_server, people, login, tmp_path):
    from egov.documents.models import OutgoingDocument

    # 1. The officer drafts and uploads a PDF.
    login(page, "chuyenvien")
    page.goto(live_server.url + "/documents/outgoing/new/")
    _check_page(page, "new")
    draft = tmp_path / "du-thao.pdf"
    draft.write_bytes(unique_pdf("Du thao quyet dinh"))
    page.select_option("#id_type_code", "QD")
    page.fill("#id_subject", SUBJECT)
    page.set_input_files("#id_file", str(draft))
    page.select_option("#id_signer_id", str(people["leader"].pk))
    page.check(f"input[name=recipients_units][value='{people['justice'].pk}']")
    page.fill("#id_recipients_external", "Công ty TNHH Ánh Dương <ad@example.com>")
    page.click("form.doc-outgoing-form button[type=submit]")
    page.wait_for_load_state()
    doc = OutgoingDocument.objects.get()
    detail = f"{live_server.url}/documents/outgoing/{doc.pk}/"
    assert page.url == detail
    assert page.locator("h1").inner_text() == SUBJECT
    assert page.locator("iframe.doc-outgoing-preview").count() == 1
    _check_page(page, "draft")
    page.click(f"form[action='/documents/outgoing/{doc.pk}/submit/'] button")
    page.wait_for_load_state()

    # 2. The unit head approves the content; 3. the clerk the format; 4. the signer.
    for username, shot in (("truongphong", "content"), ("vanthu", "format"),
                           ("chutich", "signer")):
        reviewer = _as(browser, login, username)
        reviewer.goto(detail)
        if shot == "signer":
            _check_page(reviewer, "review")
        reviewer.click("button[name=decision][value=approved]")
        reviewer.wait_for_load_state()
        assert reviewer.url == detail
        reviewer.context.close()
    doc.refresh_from_db()
    assert doc.state == "approved"

    # 5. The clerk issues from the queue.
    clerk = _as(browser, login, "vanthu")
    clerk.goto(live_server.url + "/documents/outgoing/queue/")
    _check_page(clerk, "queue")
    # The queue leads to the confirmation page (preview; an unsigned document only as paper).
    clerk.click(f"a[href='/documents/outgoing/{doc.pk}/issue/']")
    clerk.wait_for_load_state()
    assert clerk.url == f"{detail}issue/"
    assert clerk.locator("[data-testid=unsigned-warning]").is_visible()
    assert clerk.locator("iframe.doc-outgoing-preview").count() == 1
    _check_page(clerk, "issue-confirm")
    # (the PDF viewer in the preview frame may hold the focus: submit from the keyboard)
    clerk.focus("[data-testid=confirm-issue-button]")
    with clerk.expect_navigation():  # without confirming: refused by the field
        clerk.keyboard.press("Enter")
    clerk.wait_for_selector("#id_confirm_paper_error")
    doc.refresh_from_db()
    assert doc.state == "approved"
    # Keyboard again: a click can land on the preview frame's PDF viewer while it loads.
    clerk.focus("#id_confirm_paper")
    clerk.keyboard.press("Space")
    assert clerk.is_checked("#id_confirm_paper")
    clerk.focus("[data-testid=confirm-issue-button]")
    with clerk.expect_navigation():
        clerk.keyboard.press("Enter")
    assert clerk.url == detail
    assert clerk.locator("#document-code").inner_text() == "01/QĐ-UBND"
    assert "Sở Tư pháp" in clerk.locator("#recipients-heading + ul").inner_text()
    _check_page(clerk, "issued")
    clerk.context.close()

    # The drafter sees the number too.
    page.goto(detail)
    assert page.locator("#document-code").inner_text() == "01/QĐ-UBND"
    page.goto(live_server.url + "/documents/outgoing/")
    assert "01/QĐ-UBND" in page.locator("table.doc-outgoing-table").inner_text()
    _check_page(page, "list")
