"""The lead's progress report in a real browser (issue 12 "Done means"): a department head
reports progress with a file and asks for an extension; the leader approves it; the head
reports completion; the leader accepts. In Vietnamese at 1280 px and in English at 360 px:
axe-clean (no serious or critical violation) and no horizontal scroll on every page seen;
the lists and the give page too, with screenshots in /tmp/egov-shots/."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from tests.browser.conftest import page_width, submit, switch_language
from tests.browser.conftest import serious_violations as _serious

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/egov-shots")


@pytest.fixture
def people(transactional_db, org, make_user):
    """The province's leader, the justice department's head and the finance one's."""
    return {
        "leader": make_user("chutich", org["province"], "leader", title="Chủ tịch",
                            full_name="Nguyễn Văn Chủ Tịch"),
        "head": make_user("giamdoc", org["justice"], "unit_head", title="Giám đốc Sở",
                          full_name="Trần Thị Giám Đốc"),
        "finance_head": make_user("giamdoctc", org["finance"], "unit_head",
                                  title="Giám đốc Sở"),
    }


class Checks:
    def __init__(self, width: int, lang: str):
        self.width, self.lang, self.failures = width, lang, {}

    def __call__(self, page, name: str, shot: bool = False) -> None:
        self.failures[f"{name}-{self.lang}@{self.width}"] = _serious(page)
        assert page_width(page) <= self.width, f"{name}: {page_width(page)}px at {self.width}px"
        if shot:
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / f"directives-{name}-{self.lang}-{self.width}.png"),
                            full_page=True)


def _user_page(browser, live_server, login, username, lang, width):
    ctx = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh",
                              viewport={"width": width, "height": 900})
    ctx.set_default_timeout(15_000)
    page = ctx.new_page()
    login(page, username)
    switch_language(page, lang)
    return ctx, page


@pytest.mark.parametrize("lang,width", [("vi", 1280), ("en", 360)])
def test_progress_extension_completion_acceptance(browser, live_server, login, people, org,
                                                  lang, width):
    from egov.directives.models import Directive, DirectiveFile
    from egov.directives.services.records import directive_create

    due = timezone.localdate() + dt.timedelta(days=10)
    d = directive_create(actor=people["leader"], title="Rà soát thủ tục hành chính lĩnh vực hộ tịch",
                         content="Báo cáo kết quả rà soát về UBND tỉnh.",
                         lead={"unit_id": org["justice"].pk}, due_date=due,
                         support=[{"unit_id": org["finance"].pk,
                                   "due_date": (due - dt.timedelta(days=3)).isoformat()}])
    url = f"{live_server.url}/directives/{d.pk}/"
    check = Checks(width, lang)
    head_ctx, head = _user_page(browser, live_server, login, "giamdoc", lang, width)
    leader_ctx, leader = _user_page(browser, live_server, login, "chutich", lang, width)
    try:
        # The head finds it among the unit's directives.
        head.goto(f"{live_server.url}/directives/")
        assert head.locator(f"tr[data-id='{d.pk}'] [data-status=open_on_time]").is_visible()
        check(head, "received", shot=True)
        head.click(f"tr[data-id='{d.pk}'] a")
        head.wait_for_load_state()
        check(head, "detail-lead", shot=True)
        # progress with a file; first an error by the field
        head.click("#action-progress > summary")
        head.fill("#id_progress-percent", "150")
        submit(head, "#do-progress")
        assert head.locator("#id_progress-percent_error").is_visible()
        check(head, "progress-error", shot=True)
        head.fill("#id_progress-percent", "50")
        head.fill("#id_progress-text", "Đã rà soát 12/20 thủ tục.")
        head.set_input_files("#id_progress-files", files=[{
            "name": "bao-cao-tien-do.txt", "mimeType": "text/plain",
            "buffer": "Báo cáo tiến độ rà soát".encode()}])
        submit(head, "#do-progress")
        assert head.locator("#directive-progress").inner_text() == "50%"
        assert head.locator("#directive-reports a", has_text="bao-cao-tien-do.txt").is_visible()
        assert DirectiveFile.objects.filter(directive=d, report__isnull=False).count() == 1
        check(head, "progress-done")
        # an extension request
        head.click("#action-extension > summary")
        new_due = due + dt.timedelta(days=15)
        head.fill("#id_extension-reason", "Chờ ý kiến của Sở Tài chính.")
        head.fill("#id_extension-proposed_date", new_due.isoformat())
        submit(head, "#do-extension")
        assert head.locator("#directive-extensions tr[data-state=pending]").is_visible()
        check(head, "extension-asked", shot=True)

        # The leader approves it from the directive page.
        leader.goto(url)
        leader.click("#action-decide > summary")
        leader.check("#id_decide-decision_0")
        leader.fill("#id_decide-note", "Đồng ý gia hạn.")
        submit(leader, "#do-decide")
        assert leader.locator("#directive-extensions tr[data-state=approved]").is_visible()
        assert new_due.strftime("%d/%m/%Y") in leader.locator("#directive-deadline").inner_text()
        check(leader, "extension-approved", shot=True)

        # The head reports completion.
        head.goto(url)
        head.click("#action-complete > summary")
        head.fill("#id_complete-result_text", "Đã rà soát toàn bộ 20 thủ tục; kiến nghị kèm theo.")
        submit(head, "#do-complete")
        assert head.locator("[data-awaiting]").is_visible()
        check(head, "completed")

        # The leader accepts: done on time.
        leader.goto(url)
        leader.click("#action-accept > summary")
        submit(leader, "#do-accept")
        assert leader.locator("#directive-status [data-status=done_on_time]").is_visible()
        assert not leader.locator("#directive-actions").count()
        check(leader, "accepted", shot=True)
        d.refresh_from_db()
        assert d.state == "done" and d.due_date == new_due
        assert Directive.objects.get(pk=d.pk).progress == 100

        # The leader's list and the give page.
        leader.goto(f"{live_server.url}/directives/given/")
        assert leader.locator(f"tr[data-id='{d.pk}'] [data-status=done_on_time]").is_visible()
        check(leader, "given", shot=True)
        leader.goto(f"{live_server.url}/directives/new/")
        check(leader, "give", shot=True)
        submit(leader, "#do-give")
        assert leader.locator("#id_title_error").is_visible()
        assert leader.locator("#id_lead_error").is_visible()
        check(leader, "give-errors", shot=True)
    finally:
        head_ctx.close()
        leader_ctx.close()
    bad = {k: v for k, v in check.failures.items() if v}
    assert not bad, f"axe serious/critical violations: {bad}"


def test_pages_in_both_languages_at_both_widths(browser, live_server, login, people, org):
    """Every directive page, vi and en, 1280 and 360 px: axe-clean, no horizontal scroll."""
    from egov.directives.services import extensions, progress
    from egov.directives.services.records import directive_create

    due = timezone.localdate() + dt.timedelta(days=10)
    d = directive_create(actor=people["leader"], title="Tổng hợp kiến nghị của cử tri gửi kỳ "
                         "họp Hội đồng nhân dân tỉnh cuối năm", content="Nội dung chi tiết.",
                         lead={"unit_id": org["justice"].pk}, due_date=due, priority="urgent",
                         support=[{"unit_id": org["finance"].pk}],
                         inform=[{"unit_id": org["office"].pk}], source_kind="meeting",
                         source_text="Thông báo kết luận số 12/TB-UBND")
    progress.progress_report(actor=people["head"], directive_id=d.pk, percent=30,
                             text="Đã tổng hợp một phần.")
    extensions.extension_request(actor=people["head"], directive_id=d.pk, reason="Chờ số liệu.",
                                 proposed_date=due + dt.timedelta(days=7))
    directive_create(actor=people["head"], parent=d, title="Phần việc của Sở",
                     lead={"user_id": people["head"].pk}, due_date=due)
    failures: dict[str, list[str]] = {}
    for username in ("giamdoc", "chutich"):
        for lang in ("vi", "en"):
            for width in (1280, 360):
                check = Checks(width, lang)
                ctx, page = _user_page(browser, live_server, login, username, lang, width)
                try:
                    paths = {"detail": f"/directives/{d.pk}/"}
                    if username == "giamdoc":
                        paths["received-all"] = "/directives/unit/?role=support"
                    else:
                        paths["given-all"] = "/directives/given/?bucket=open_on_time"
                        paths["give-page"] = "/directives/new/"
                    for name, path in paths.items():
                        page.goto(live_server.url + path)
                        if name == "detail":
                            for summary in page.locator("#directive-actions summary").all():
                                summary.click()
                        check(page, f"{name}-{username}", shot=True)
                finally:
                    ctx.close()
                failures.update(check.failures)
    bad = {k: v for k, v in failures.items() if v}
    assert not bad, f"axe serious/critical violations: {bad}"
