"""The web shell in a real browser: sign-in, language, phone width, htmx, axe, screenshots."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import serious_violations as _serious

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/egov-shots")


@pytest.fixture
def people(transactional_db, org, make_user):
    officer = make_user("chuyenvien", org["justice"], "officer", title="Chuyên viên",
                        full_name="Nguyễn Văn An")
    admin = make_user("quantri", org["office"], "admin", title="Chánh Văn phòng",
                      full_name="Trần Thị Bình")
    return {"officer": officer, "admin": admin}


def _work(user, count: int = 6):
    from egov.core.models import WorkItem, WorkRole

    now = timezone.now()
    samples = [
        ("Báo cáo tình hình thực hiện nhiệm vụ quý III", now - dt.timedelta(days=2),
         WorkRole.LEAD, "urgent", "directives"),
        ("Công văn số 123/UBND-VP về việc rà soát thủ tục hành chính", now + dt.timedelta(days=5),
         WorkRole.SUPPORT, "", "documents"),
        ("Hồ sơ đăng ký khai sinh của công dân Phạm Thị Dung", None, WorkRole.INFORM, "",
         "onestop"),
        ("Đơn kiến nghị của ông Hoàng Văn Em về đất đai", now + dt.timedelta(days=12),
         WorkRole.TASK, "very_urgent", "petitions"),
    ]
    items = []
    for i in range(count):
        title, due, role, urgency, module = samples[i % len(samples)]
        items.append(WorkItem.objects.create(
            module=module, kind="handle", title=title if i < len(samples) else f"{title} ({i})",
            url=f"/{module}/{i}/", assignee_user=user, role=role, urgency=urgency,
            due_at=due if due is None else due + dt.timedelta(minutes=i)))
    return items




def test_login_inbox_vietnamese_then_english(page, live_server, people, login):
    _work(people["officer"], 3)
    login(page, "chuyenvien")
    assert page.url == live_server.url + "/"
    assert page.locator("h1").inner_text() == "Việc của tôi"
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.get_by_text("Quá hạn", exact=True).first.is_visible()
    assert "Nguyễn Văn An" in page.locator("header").inner_text()
    page.click("button[name=language][value=en]")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "My work"
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_text("Overdue", exact=True).first.is_visible()
    page.click("button[name=language][value=vi]")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Việc của tôi"


def test_wrong_password_shows_the_error(page, live_server, people, login):
    login(page, "chuyenvien", "mat-khau-sai")
    assert page.url.startswith(live_server.url + "/login/")
    alert = page.locator(".error-summary")
    assert alert.is_visible()
    assert "Sai tên đăng nhập hoặc mật khẩu." in alert.inner_text()
    assert page.locator("h1").inner_text() == "Đăng nhập"


def test_logout(page, live_server, people, login):
    login(page, "chuyenvien")
    page.click("form[action='/logout/'] button")
    page.wait_for_load_state()
    assert page.url.startswith(live_server.url + "/login/")
    assert "Bạn đã đăng xuất." in page.locator("[role=status]").first.inner_text()
    page.goto(live_server.url + "/")
    assert page.url.startswith(live_server.url + "/login/")


def test_phone_width_has_no_horizontal_scroll_and_nav_works(context, live_server, people, login):
    _work(people["admin"], 8)
    page = context.new_page()
    page.set_viewport_size({"width": 360, "height": 740})
    login(page, "quantri")
    for path in ["/", "/notifications/", "/tokens/", "/audit/", "/khong-co/"]:
        page.goto(live_server.url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{path}: page is {width}px wide at a 360px viewport"
    page.goto(live_server.url + "/")
    nav = page.get_by_role("navigation", name="Trình đơn chính")
    assert nav.is_visible()
    # At phone width the entries fold behind the "Trình đơn" toggle (issue 9 §5).
    nav.get_by_text("Trình đơn", exact=True).click()
    link = nav.get_by_role("link", name="Thông báo")
    assert link.is_visible()
    link.click()
    page.wait_for_load_state()
    assert page.url == live_server.url + "/notifications/"
    assert page.locator("h1").inner_text() == "Thông báo"
    nav.get_by_text("Trình đơn", exact=True).click()
    assert nav.get_by_role("link", name="Nhật ký hệ thống").is_visible()


def test_show_more_loads_in_place_with_htmx(page, live_server, people, login):
    _work(people["officer"], 55)
    login(page, "chuyenvien")
    rows = page.locator("#inbox-rows > tr:not(.more-row)")
    assert rows.count() == 50
    page.get_by_role("link", name="Xem tiếp").click()
    # (a locator wait: wait_for_function needs eval(), which the Content-Security-Policy forbids)
    expect(page.locator("#inbox-rows > tr:not(.more-row)")).to_have_count(55)
    assert page.url == live_server.url + "/"  # loaded in place
    assert page.locator("#inbox-more").count() == 0


def test_show_more_works_without_javascript(browser, live_server, people, login):
    _work(people["officer"], 55)
    ctx = browser.new_context(locale="vi-VN", java_script_enabled=False)
    try:
        page = ctx.new_page()
        login(page, "chuyenvien")
        page.get_by_role("link", name="Xem tiếp").click()
        page.wait_for_load_state()
        assert "cursor=" in page.url
        assert page.locator("#inbox-rows > tr").count() == 5
    finally:
        ctx.close()


def test_axe_on_every_page(browser, context, live_server, people, login):
    from egov.core.audit import audit_log
    from egov.core.models import Notification
    from egov.core.tokens import token_create

    admin = people["admin"]
    _work(admin, 6)
    Notification.objects.create(user=admin, subject="Có văn bản đến cần xử lý",
                                body="Công văn số 45/STP-VP đã được chuyển đến bạn.",
                                url="/documents/1/")
    Notification.objects.create(user=admin, subject="Nhiệm vụ sắp đến hạn",
                                read_at=timezone.now())
    token_create(actor=admin, name="Báo cáo tự động")
    audit_log(actor=admin, action="core.orgunit.update", details={"name": "Sở Tư pháp"})

    failures: dict[str, list[str]] = {}
    for width in (1280, 360):
        context.clear_cookies()
        page = context.new_page()
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(live_server.url + "/login/")
        failures[f"login@{width}"] = _serious(page)
        page.fill("#id_username", "quantri")
        page.fill("#id_password", "sai")
        page.click("form[action='/login/'] button[type=submit]")
        page.wait_for_load_state()
        failures[f"login-error@{width}"] = _serious(page)
        login(page, "quantri")
        for path in ["/", "/notifications/", "/tokens/", "/audit/", "/audit/?action=auth.",
                     "/khong-co-trang-nay/"]:
            page.goto(live_server.url + path)
            failures[f"{path}@{width}"] = _serious(page)
        page.goto(live_server.url + "/tokens/")
        page.click("form[action='/tokens/'] button[type=submit] >> text=Tạo mã")
        page.wait_for_load_state()
        failures[f"tokens-error@{width}"] = _serious(page)
        page.fill("#id_name", "Tích hợp cổng dịch vụ công")
        page.click("form[action='/tokens/'] button[type=submit] >> text=Tạo mã")
        page.wait_for_load_state()
        assert page.locator("#new-token").input_value().startswith("egov_")
        failures[f"tokens-created@{width}"] = _serious(page)
        page.close()

    context.clear_cookies()
    officer_page = context.new_page()
    login(officer_page, "chuyenvien")
    response = officer_page.goto(live_server.url + "/audit/")
    assert response.status == 403
    assert officer_page.locator("h1").inner_text() == "Không có quyền truy cập"
    failures["403"] = _serious(officer_page)
    officer_page.goto(live_server.url + "/")
    failures["inbox-empty"] = _serious(officer_page)
    officer_page.click("button[name=language][value=en]")
    officer_page.wait_for_load_state()
    failures["inbox-empty-en"] = _serious(officer_page)

    bad = {k: v for k, v in failures.items() if v}
    assert not bad, f"axe serious/critical violations: {bad}"


def test_screenshots(context, live_server, people, login):
    from egov.core.models import Notification

    _work(people["admin"], 7)
    Notification.objects.create(user=people["admin"], subject="Có văn bản đến cần xử lý",
                                body="Công văn số 45/STP-VP đã được chuyển đến bạn.")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = context.new_page()
    login(page, "quantri")
    for width, height in ((1280, 800), (360, 800)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(live_server.url + "/")
        page.screenshot(path=str(SHOTS / f"inbox-{width}.png"), full_page=True)
        for name, path in (("tokens", "/tokens/"), ("audit", "/audit/"),
                           ("notifications", "/notifications/"), ("404", "/khong-co/")):
            page.goto(live_server.url + path)
            page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
        page.goto(live_server.url + "/tokens/")
        page.fill("#id_name", "Tích hợp cổng dịch vụ công")
        page.click("form[action='/tokens/'] button[type=submit] >> text=Tạo mã")
        page.wait_for_load_state()
        page.screenshot(path=str(SHOTS / f"tokens-created-{width}.png"), full_page=True)
    page.context.clear_cookies()
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 740})
        page.goto(live_server.url + "/login/")
        page.screenshot(path=str(SHOTS / f"login-{width}.png"), full_page=True)
        page.fill("#id_username", "quantri")
        page.click("form[action='/login/'] button[type=submit]")
        page.wait_for_load_state()
        page.screenshot(path=str(SHOTS / f"login-error-{width}.png"), full_page=True)
    assert re.search(r"inbox-1280\.png", " ".join(p.name for p in SHOTS.iterdir()))


def test_admin_screens_have_no_serious_axe_violation(page, live_server, people, login):
    """The administration (units, positions, calendar) is part of the product too."""
    people["admin"].is_staff = True
    people["admin"].is_superuser = True
    people["admin"].save()
    login(page, "quantri")
    problems = {}
    for path in ["/admin/", "/admin/core/orgunit/", "/admin/core/orgunit/add/",
                 "/admin/core/calendarday/", "/admin/core/position/"]:
        page.goto(live_server.url + path)
        assert page.locator("#content").count() == 1, path
        bad = _serious(page)
        if bad:
            problems[path] = bad
    assert problems == {}
