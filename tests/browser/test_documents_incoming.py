"""Incoming documents in a real browser: the clerk registers a PDF, the leader assigns a lead
unit from the queue, the unit head passes it to an officer, the officer completes it; the
document page shows the trail. axe finds no serious or critical violation on these pages and
none is wider than a 360 px screen."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import serious_violations as _serious
from tests.documents.conftest import docs_org  # noqa: F401  (the documents people, as a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/egov-shots")


@pytest.fixture
def people(transactional_db, request):
    """The documents people."""
    return request.getfixturevalue("docs_org")


@pytest.fixture
def pdf_path(tmp_path) -> Path:
    """A real one-page PDF made by WeasyPrint, with Vietnamese text."""
    from weasyprint import HTML

    html = ("<html><body style='font-family: Liberation Serif, serif'>"
            "<p>BỘ NỘI VỤ</p><p>Số: 45/BNV-VP</p>"
            "<h1>V/v hướng dẫn lập hồ sơ điện tử năm 2026</h1>"
            "<p>Kính gửi: Ủy ban nhân dân tỉnh Thử Nghiệm</p></body></html>")
    path = tmp_path / "cong-van-45.pdf"
    path.write_bytes(HTML(string=html).write_pdf())
    assert path.read_bytes().startswith(b"%PDF-")
    return path




class Checks:
    """axe at 1280 px and no horizontal scroll at 360 px for every page visited."""

    def __init__(self, page):
        self.page = page
        self.problems: dict[str, list[str]] = {}

    def __call__(self, name: str) -> None:
        page = self.page
        page.set_viewport_size({"width": 1280, "height": 900})
        bad = _serious(page)
        page.set_viewport_size({"width": 360, "height": 740})
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 360:
            bad.append(f"{width}px wide at 360px")
        bad += [f"360px: {v}" for v in _serious(page)]
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"incoming-{name}-360.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})
        page.screenshot(path=str(SHOTS / f"incoming-{name}-1280.png"), full_page=True)
        if bad:
            self.problems[name] = bad


def _switch(page, login, username):
    page.context.clear_cookies()
    login(page, username)


def test_clerk_leader_unit_head_officer_flow(page, live_server, people, login, pdf_path):
    from egov.documents.models import Assignment, IncomingDocument

    check = Checks(page)
    url = live_server.url

    # 1. The clerk registers the PDF at the desk.
    login(page, "vanthu")
    page.goto(url + "/documents/incoming/new/")
    assert page.evaluate("document.activeElement.id") == "id_file"  # autofocus
    check("desk")
    page.set_input_files("#id_file", str(pdf_path))
    # (a locator wait: wait_for_function needs eval(), which the Content-Security-Policy forbids)
    expect(page.locator("#doc-incoming-preview")).to_have_attribute("src", re.compile("^blob:"))
    assert page.locator("#doc-incoming-preview").is_visible()
    page.fill("#id_issuer_name", "Bộ Nội vụ")
    page.fill("#id_number", "45")
    page.fill("#id_notation", "BNV-VP")
    page.fill("#id_issued_date", "2026-01-05")
    page.select_option("#id_type_code", "CV")
    page.fill("#id_subject", "V/v hướng dẫn lập hồ sơ điện tử năm 2026")
    page.fill("#id_signer_name", "Nguyễn Văn Ký")
    page.select_option("#id_urgency", "urgent")
    page.fill("#id_page_count", "1")
    page.click("form[action='/documents/incoming/new/'] button[type=submit]")
    page.wait_for_load_state()
    assert page.url == url + "/documents/incoming/new/"
    assert page.locator(".message--success").count() == 1
    doc = IncomingDocument.objects.get()
    assert doc.arrival_number == 1 and doc.code == "45/BNV-VP" and doc.urgency == "urgent"
    assert doc.file.original_name == "cong-van-45.pdf"
    check("desk-after")

    # The same document again: the duplicate warning with its confirm box.
    page.set_input_files("#id_file", str(pdf_path))
    page.fill("#id_issuer_name", "Bộ Nội vụ")
    page.fill("#id_subject", "Bản thứ hai")
    page.fill("#id_issued_date", "2026-01-05")
    page.click("form[action='/documents/incoming/new/'] button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#duplicate-warning").is_visible()
    assert page.locator("#id_confirm_duplicate").count() == 1
    check("desk-duplicate")
    assert IncomingDocument.objects.count() == 1

    page.goto(url + "/documents/incoming/")
    assert page.locator(f"a[href='/documents/incoming/{doc.pk}/']").count() == 1
    assert page.locator(".doc-incoming-urgency").first.is_visible()  # urgent flag with text
    check("list")

    # 2. The leader assigns the lead unit from the queue in one step.
    _switch(page, login, "chutich")
    page.goto(url + "/documents/incoming/queue/")
    card = page.locator(".doc-incoming-card").first
    assert card.locator(".doc-incoming-urgency").is_visible()
    assert page.input_value(f"#id_doc{doc.pk}-due_date") == doc.handling_due_date.isoformat()
    check("queue")
    page.select_option(f"#id_doc{doc.pk}-lead_unit", label="Phòng Kinh tế")
    page.fill(f"#id_doc{doc.pk}-instruction", "Giao Phòng Kinh tế chủ trì, báo cáo kết quả.")
    card.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.url == url + "/documents/incoming/queue/"
    lead = Assignment.objects.get(document=doc)
    assert lead.assignee_unit.name == "Phòng Kinh tế" and lead.role == "lead"
    check("queue-empty")

    # 3. The unit head passes it to the officer.
    _switch(page, login, "truongphong")
    page.goto(url + "/documents/incoming/mine/")
    check("mine-unit-head")
    page.click(f"a[href='/documents/incoming/{doc.pk}/']")
    page.wait_for_load_state()
    assert page.locator("iframe.doc-incoming-pdf").count() == 1
    check("detail-unit-head")
    page.select_option(f"#id_re{lead.pk}-to_user_id", label="Nguyễn Thị Chuyên")
    page.fill(f"#id_re{lead.pk}-instruction", "Đồng chí Chuyên tham mưu trả lời.")
    page.click(f"form[action$='/assignments/{lead.pk}/reassign/'] button[type=submit]")
    page.wait_for_load_state()
    child = Assignment.objects.get(parent=lead)
    assert child.assignee_user.username == "chuyenvien"

    # 4. The officer completes it.
    _switch(page, login, "chuyenvien")
    page.goto(url + "/documents/incoming/mine/")
    page.click(f"a[href='/documents/incoming/{doc.pk}/']")
    page.wait_for_load_state()
    check("detail-officer")
    # An empty result is refused, with the message by the field.
    page.click(f"form[action$='/assignments/{child.pk}/complete/'] button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(f"#id_co{child.pk}-result_error").is_visible()
    check("detail-officer-error")
    page.fill(f"#id_co{child.pk}-result", "Đã tham mưu văn bản trả lời Bộ Nội vụ.")
    page.click(f"form[action$='/assignments/{child.pk}/complete/'] button[type=submit]")
    page.wait_for_load_state()
    doc.refresh_from_db()
    assert doc.state == "done"

    # 5. The document page shows the trail and the state of each assignee.
    page.goto(url + f"/documents/incoming/{doc.pk}/")
    trail = page.locator(".doc-trail__list")
    for action in ["registered", "presented", "assigned", "reassigned", "viewed",
                   "completed"]:
        assert trail.locator(f".doc-trail__event--{action}").count() >= 1, action
    assert "Phạm Văn Trưởng" in trail.inner_text() and "Trần Văn Chủ Tịch" in trail.inner_text()
    assert page.locator(".doc-incoming-assignee").count() == 2
    assert "Đã tham mưu văn bản trả lời Bộ Nội vụ." in page.locator("main").inner_text()
    check("detail-done")

    assert not check.problems, f"axe / width problems: {check.problems}"
