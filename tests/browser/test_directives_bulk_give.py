"""Two directive pages in a real browser: a department head updates the progress of several
directives at once (bulk progress: nothing saved while a row is wrong, the error by that row's
input), in English; the leader gives a directive from an incoming document ("Giao nhiệm vụ" in the
document's panel → the give page prefilled from the document → the directive's page), in
Vietnamese, and the document's page then lists it. Every page axe-clean (no serious or critical
violation) and no wider than a 360 px screen, with screenshots in /tmp/egov-shots/."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import serious_violations as _serious
from tests.browser.conftest import submit, switch_language
from tests.browser.directives_support import drc  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/egov-shots")


class Checks:
    """axe at the page's width; no horizontal scroll at 360 px nor at 1280 px; screenshots."""

    def __init__(self):
        self.failures = {}

    def __call__(self, page, name: str, start: int) -> None:
        lang = page.locator("html").get_attribute("lang")
        self.failures[f"{name}-{lang}@{start}"] = _serious(page)
        SHOTS.mkdir(parents=True, exist_ok=True)
        for width in (start, 1280 if start == 360 else 360):
            page.set_viewport_size({"width": width, "height": 900})
            scroll = page.evaluate("document.documentElement.scrollWidth")
            assert scroll <= width, f"{name}-{lang}: {scroll}px wide at {width}px"
            page.screenshot(path=str(SHOTS / f"directives-{name}-{lang}-{width}.png"),
                            full_page=True)
        page.set_viewport_size({"width": start, "height": 900})


def _user_page(browser, login, username, lang, width):
    ctx = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh",
                              viewport={"width": width, "height": 900})
    ctx.set_default_timeout(15_000)
    page = ctx.new_page()
    login(page, username)
    switch_language(page, lang)
    return ctx, page


def test_bulk_progress_and_giving_from_an_incoming_document(browser, live_server, login,
                                                          drc):  # noqa: F811
    from egov.directives.models import Directive, ProgressReport
    from egov.directives.services.records import directive_create
    from egov.documents.models import Assignment
    from tests.directives.plan_support import incoming_doc

    url = live_server.url
    due = timezone.localdate() + dt.timedelta(days=10)
    three = [directive_create(actor=drc["leader"], title=f"Rà soát thủ tục hành chính số {i}",
                              content="Báo cáo kết quả về UBND tỉnh.",
                              lead={"unit_id": drc["justice"].pk}, due_date=due)
             for i in (1, 2, 3)]
    doc = incoming_doc(drc)
    handling_due = timezone.localdate() + dt.timedelta(days=20)
    type(doc).objects.filter(pk=doc.pk).update(urgency="urgent", handling_due_date=handling_due)
    Assignment.objects.create(document=doc, role="lead", assignee_unit=drc["justice"],
                              assigned_by=drc["leader"],
                              instruction="Giao Sở Tư pháp chủ trì, báo cáo trước 30/01.")
    check = Checks()

    # The head, in English on a phone, updates two of the three at once.
    ctx, page = _user_page(browser, login, "giamdocstp", "en", 360)
    try:
        page.goto(f"{url}/directives/progress/bulk/")
        assert page.locator("tbody tr").count() == 3
        check(page, "bulk", 360)
        submit(page, ".dr-bulk button[type=submit]")  # nothing entered
        expect(page.locator("#bulk-errors")).to_contain_text(
            "Enter the progress of at least one directive.")
        a, b, c = (d.pk for d in three)
        page.fill(f"#p-{a}", "30")
        page.fill(f"#t-{a}", "Đã họp với các phòng.")
        page.fill(f"#p-{b}", "300")
        submit(page, ".dr-bulk button[type=submit]")
        # the error by the wrong row's input, linked from the summary; nothing saved
        assert page.locator(f"#p-{b}_error").is_visible()
        assert page.locator(f"#p-{b}").get_attribute("aria-invalid") == "true"
        assert page.locator(f"#p-{b}").get_attribute("aria-describedby") == f"p-{b}_error"
        assert page.locator(f"#bulk-errors a[href='#p-{b}']").inner_text() == three[1].code
        assert page.input_value(f"#t-{a}") == "Đã họp với các phòng."
        assert not ProgressReport.objects.exists()
        check(page, "bulk-errors", 360)
        page.fill(f"#p-{b}", "60")
        submit(page, ".dr-bulk button[type=submit]")
        expect(page.locator(".message--success")).to_contain_text(
            "Progress saved for 2 directives.")
        assert [Directive.objects.get(pk=pk).progress for pk in (a, b, c)] == [30, 60, 0]
        assert page.locator(f"#d{a}").text_content().count("30%") == 1
        check(page, "bulk-saved", 360)
    finally:
        ctx.close()

    # The leader, in Vietnamese, gives a directive from the incoming document.
    ctx, page = _user_page(browser, login, "chutichtinh", "vi", 1280)
    try:
        page.goto(f"{url}/documents/incoming/{doc.pk}/")
        panel = page.locator("#extra-directives")
        expect(panel.locator("h2")).to_have_text("Nhiệm vụ giao từ văn bản này")
        check(page, "incoming-panel", 1280)
        submit(page, "#extra-directives a.button")
        assert page.url == f"{url}/directives/new/?incoming={doc.pk}"
        # prefilled from the document
        assert page.input_value("#id_title") == doc.subject
        assert page.input_value("#id_guidance") == "Giao Sở Tư pháp chủ trì, báo cáo trước 30/01."
        assert page.input_value("#id_priority") == "urgent"
        assert page.input_value("#id_due_date") == handling_due.isoformat()
        assert page.input_value("#id_source_kind") == "incoming"
        expect(page.locator("#from-document a")).to_have_attribute(
            "href", f"/documents/incoming/{doc.pk}/")
        assert page.locator("#chosen-source").inner_text().count(doc.subject) == 1
        check(page, "give-from-incoming", 1280)
        page.check(f"#id_lead input[value=u{drc['justice'].pk}]")
        submit(page, "#do-give")
        d = Directive.objects.get(source_incoming=doc)
        assert page.url == f"{url}/directives/{d.pk}/"
        expect(page.locator(".message--success")).to_contain_text(d.code)
        assert d.title == doc.subject and d.priority == "urgent" and d.due_date == handling_due
        assert d.lead_unit_id == drc["justice"].pk and d.agency_id == doc.agency_id
        check(page, "given-from-incoming", 1280)
        # back on the document's page, the directive is listed
        page.goto(f"{url}/documents/incoming/{doc.pk}/")
        link = page.locator(f"#extra-directives a[href='/directives/{d.pk}/']")
        expect(link).to_contain_text(d.code)
        check(page, "incoming-listed", 1280)
    finally:
        ctx.close()
    bad = {k: v for k, v in check.failures.items() if v}
    assert not bad, f"axe serious/critical violations: {bad}"
