"""Inbox, notifications and the menu in a real browser (issue 9 §5): the menu folds at 360 px
without JavaScript, counts and the unread badge, notifications marked read when opened, the
English inbox, axe-clean."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import serious_violations as _serious

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/egov-shots")


@pytest.fixture
def officer(transactional_db, org, make_user):
    from egov.core.models import Notification, WorkItem, WorkRole
    from egov.core.msgtext import Msg

    user = make_user("chuyenvien", org["justice"], "officer", title="Chuyên viên",
                     full_name="Nguyễn Văn An")
    WorkItem.objects.create(module="core", kind="notice", title="Lịch tiếp công dân",
                            assignee_user=user, role=WorkRole.INFORM)
    WorkItem.objects.create(module="documents", kind="draft", title="Dự thảo khẩn",
                            url="/", assignee_user=user, role=WorkRole.TASK, urgency="urgent")
    Notification.objects.create(user=user, subject="Tệp xuất đã sẵn sàng: a.csv",
                                subject_msg=Msg("Your export is ready: %(name)s",
                                                name="a.csv").data, url="/tokens/")
    return user


def _nav_height(page) -> float:
    return page.locator("nav.site-nav").bounding_box()["height"]


@pytest.mark.parametrize("javascript", [True, False])
def test_menu_folds_at_360px_and_opens(browser, live_server, officer, login, javascript):
    ctx = browser.new_context(locale="vi-VN", viewport={"width": 360, "height": 740},
                              java_script_enabled=javascript)
    try:
        page = ctx.new_page()
        login(page, "chuyenvien")
        nav = page.get_by_role("navigation", name="Trình đơn chính")
        assert _nav_height(page) <= 60
        assert not nav.get_by_role("link", name="Thông báo").is_visible()
        nav.get_by_text("Trình đơn", exact=True).click()
        assert nav.get_by_role("link", name="Thông báo").is_visible()
        assert nav.get_by_role("link", name="Mã truy cập API").is_visible()
        assert _nav_height(page) > 100
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        if javascript:
            SHOTS.mkdir(exist_ok=True)
            page.screenshot(path=str(SHOTS / "menu-360-open.png"), full_page=True)
            assert _serious(page) == []
    finally:
        ctx.close()


def test_desktop_menu_unchanged(page, live_server, officer, login):
    """At 1280 px the menu is not folded: every entry shows, none broken over two lines. An
    officer of every module (documents, one-stop, petitions, directives, signing) has 12
    entries, more than one row holds: the bar wraps to a second row, not more."""
    login(page, "chuyenvien")
    nav = page.get_by_role("navigation", name="Trình đơn chính")
    assert nav.get_by_role("link", name="Thông báo").is_visible()
    assert not nav.get_by_text("Trình đơn", exact=True).is_visible()
    links = nav.locator(".site-nav__link")
    assert links.count() == 12
    heights = {round(links.nth(i).bounding_box()["height"]) for i in range(links.count())}
    assert all(links.nth(i).is_visible() for i in range(links.count()))
    assert max(heights) <= 50, heights  # one line of text each
    tops = {round(links.nth(i).bounding_box()["y"]) for i in range(links.count())}
    assert len(tops) <= 2, tops
    assert _nav_height(page) <= 110


def test_counts_badge_read_on_open_and_english(page, live_server, officer, login):
    login(page, "chuyenvien")
    header = page.locator("header")
    assert header.locator(".notice-badge__count").inner_text().startswith("1")
    assert "2" in page.locator("nav .count-badge").first.inner_text()
    # Urgent work without a deadline first, "Xử lý ngay"; the system item opens.
    first = page.locator("#inbox-rows > tr").first
    assert "Dự thảo khẩn" in first.inner_text() and "Xử lý ngay" in first.inner_text()
    page.get_by_role("link", name="Lịch tiếp công dân").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith("Lịch tiếp công dân")
    assert _serious(page) == []
    page.goto(live_server.url + "/notifications/")
    page.get_by_role("link", name="Tệp xuất đã sẵn sàng: a.csv").click()
    page.wait_for_load_state()
    assert page.url == live_server.url + "/tokens/"
    assert page.locator("header .notice-badge__count").count() == 0
    page.click("button[name=language][value=en]")
    page.wait_for_load_state()
    page.goto(live_server.url + "/notifications/")
    assert page.get_by_role("link", name="Your export is ready: a.csv").is_visible()
    assert _serious(page) == []
    page.goto(live_server.url + "/")
    assert "Handle immediately" in page.locator("#inbox-rows").inner_text()
    assert _serious(page) == []
