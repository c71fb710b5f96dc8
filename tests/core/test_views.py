"""The web shell's pages: access, navigation by permission, inbox, tokens, audit, language."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from egov.core.models import ApiToken, AuditEvent, Notification, WorkItem, WorkRole
from tests.conftest import PASSWORD

PAGES = ["inbox", "notifications", "api_tokens", "audit_log"]


@pytest.fixture
def officer(org, make_user):
    return make_user("chuyenvien", org["justice"], "officer", title="Chuyên viên",
                     full_name="Nguyễn Văn An")


@pytest.fixture
def admin_user(org, make_user):
    return make_user("quantri", org["office"], "admin", title="Quản trị hệ thống",
                     full_name="Trần Thị Bình")


def _text(response) -> str:
    return response.content.decode()


def _item(user, title, due_at=None, role=WorkRole.LEAD, **extra):
    return WorkItem.objects.create(module=extra.pop("module", "documents"), kind="handle",
                                   title=title, url=extra.pop("url", "/documents/1/"),
                                   assignee_user=user, role=role, due_at=due_at, **extra)


# --- access -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_is_sent_to_login(client, db, name):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert f"next={url}" in response["Location"]


@pytest.mark.parametrize("name", ["inbox", "notifications", "api_tokens"])
def test_signed_in_pages_render(client, officer, name):
    client.force_login(officer)
    response = client.get(reverse(name))
    assert response.status_code == 200
    html = _text(response)
    assert '<html lang="vi">' in html
    assert 'id="main"' in html and "<nav" in html and "<header" in html
    assert "Nguyễn Văn An" in html
    assert "Chuyên viên · Sở Tư pháp" in html


def test_admin_sees_audit_page(client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("audit_log"))
    assert response.status_code == 200
    assert "Nhật ký hệ thống" in _text(response)


def test_audit_page_is_403_for_an_officer(client, officer):
    client.force_login(officer)
    response = client.get(reverse("audit_log"))
    assert response.status_code == 403
    html = _text(response)
    assert "Không có quyền truy cập" in html
    assert "Nguyễn Văn An" in html  # the friendly page keeps the shell


def test_404_page_is_friendly(client, officer):
    client.force_login(officer)
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in _text(response)


def test_navigation_shows_only_what_the_user_may_use(client, officer, admin_user):
    audit_url = reverse("audit_log")
    client.force_login(officer)
    html = _text(client.get(reverse("inbox")))
    assert "Việc của tôi" in html and "Thông báo" in html
    assert f'href="{audit_url}"' not in html
    client.force_login(admin_user)
    html = _text(client.get(reverse("inbox")))
    assert f'href="{audit_url}"' in html
    # Admin screens need is_staff too.
    assert reverse("admin:core_orgunit_changelist") not in html


def test_navigation_marks_the_current_page(client, officer):
    client.force_login(officer)
    html = _text(client.get(reverse("notifications")))
    assert re.search(r'href="/notifications/"\s+aria-current="page"', html)
    assert not re.search(r'href="/"\s+aria-current="page"', html)


# --- login page ---------------------------------------------------------------------------------


def test_login_page_has_autocomplete_and_no_enumeration(client, officer):
    html = _text(client.get(reverse("login")))
    assert 'autocomplete="username"' in html and 'autocomplete="current-password"' in html
    wrong = client.post(reverse("login"), {"username": "chuyenvien", "password": "sai-mat-khau"})
    unknown = client.post(reverse("login"), {"username": "khong-ai", "password": "sai-mat-khau"})
    assert wrong.status_code == unknown.status_code == 401
    msg = "Sai tên đăng nhập hoặc mật khẩu."
    assert msg in _text(wrong) and msg in _text(unknown)
    assert "_auth_user_id" not in client.session


def test_login_empty_fields_show_errors_by_the_field(client, db):
    response = client.post(reverse("login"), {"username": "", "password": ""})
    html = _text(response)
    assert 'id="id_username_error"' in html and 'id="id_password_error"' in html
    assert 'aria-invalid="true"' in html


def test_login_redirects_to_safe_next_only(client, officer):
    response = client.post(reverse("login") + "?next=/notifications/",
                           {"username": "chuyenvien", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/notifications/"
    client.post(reverse("logout"))
    response = client.post(reverse("login"), {"username": "chuyenvien", "password": PASSWORD,
                                              "next": "https://evil.example/steal"})
    assert response.status_code == 302 and response["Location"] == reverse("inbox")


def test_logout_needs_post_and_is_audited(client, officer):
    client.force_login(officer)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="auth.logout", actor_id=officer.pk).exists()


def test_signed_in_user_on_login_page_goes_home(client, officer):
    client.force_login(officer)
    response = client.get(reverse("login"))
    assert response.status_code == 302 and response["Location"] == reverse("inbox")


# --- language -----------------------------------------------------------------------------------


def test_language_switch(client, officer):
    client.force_login(officer)
    html = _text(client.get(reverse("inbox")))
    assert "<h1>Việc của tôi</h1>" in html
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    html = _text(client.get(reverse("inbox")))
    assert '<html lang="en">' in html and "<h1>My work</h1>" in html
    client.post("/i18n/setlang/", {"language": "vi", "next": "/"})
    assert "<h1>Việc của tôi</h1>" in _text(client.get(reverse("inbox")))


def test_vietnamese_by_default_even_for_an_english_browser(client, officer):
    client.force_login(officer)
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="vi">' in html and "<h1>Việc của tôi</h1>" in html


def test_language_switch_form_in_header(client, officer):
    client.force_login(officer)
    html = _text(client.get(reverse("inbox")))
    assert 'action="/i18n/setlang/"' in html
    assert 'name="language" value="vi"' in html and 'name="language" value="en"' in html


# --- inbox --------------------------------------------------------------------------------------


def test_inbox_empty_state(client, officer):
    client.force_login(officer)
    html = _text(client.get(reverse("inbox")))
    assert "Không có việc nào" in html


def test_inbox_lists_items_with_vietnamese_badges(client, officer, make_user, org):
    now = timezone.now()
    local_today = timezone.localdate()
    end_of_today = timezone.make_aware(dt.datetime.combine(local_today, dt.time(23, 59)))
    overdue = _item(officer, "Báo cáo quá hạn", now - dt.timedelta(days=3), urgency="urgent")
    _item(officer, "Việc trong hạn", now + dt.timedelta(days=20), role=WorkRole.SUPPORT)
    _item(officer, "Việc không có hạn", None, role=WorkRole.INFORM)
    if end_of_today > now + dt.timedelta(minutes=5):
        _item(officer, "Việc đến hạn hôm nay", end_of_today)
    other = make_user("nguoikhac", org["finance"], "officer")
    _item(other, "Việc của người khác", now)

    client.force_login(officer)
    html = _text(client.get(reverse("inbox")))
    assert "Báo cáo quá hạn" in html and "Việc của người khác" not in html
    assert 'data-deadline="overdue">Quá hạn<' in html
    assert 'data-deadline="in_time">Trong hạn<' in html
    assert 'data-deadline="none">Không có hạn<' in html
    if end_of_today > now + dt.timedelta(minutes=5):
        assert 'data-deadline="due_today">Đến hạn hôm nay<' in html
    assert "Chủ trì" in html and "Phối hợp" in html and "Để biết" in html
    assert "Văn bản" in html  # module label
    assert '<span class="flag">Khẩn</span>' in html
    local_due = timezone.localtime(overdue.due_at)
    assert local_due.strftime("%d/%m/%Y %H:%M") in html
    assert 'href="/documents/1/"' in html


def test_inbox_keyset_more_link_works_without_and_with_htmx(client, officer):
    base = timezone.now() + dt.timedelta(days=30)
    for i in range(55):
        _item(officer, f"Việc số {i:02d}", base + dt.timedelta(hours=i))
    client.force_login(officer)
    html = _text(client.get(reverse("inbox")))
    assert "Việc số 49" in html and "Việc số 50" not in html
    match = re.search(r'href="/\?cursor=([^"]+)"', html)
    assert match and "Xem tiếp" in html
    page2 = _text(client.get("/?cursor=" + match.group(1)))
    assert "Việc số 50" in page2 and "Việc số 54" in page2 and "Việc số 49" not in page2
    assert "<html" in page2 and "Xem tiếp" not in page2
    partial = client.get("/?cursor=" + match.group(1), HTTP_HX_REQUEST="true")
    text = _text(partial)
    assert "<html" not in text and text.strip().startswith("<tr")
    assert "Việc số 54" in text
    assert "HX-Request" in partial["Vary"]


@pytest.mark.parametrize("cursor", ["garbage", "!!!", "W10", "eyJhIjoxfQ", "x" * 2000])
def test_inbox_bad_cursor_is_a_message_not_a_500(client, officer, cursor):
    client.force_login(officer)
    response = client.get("/", {"cursor": cursor}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain and response.redirect_chain[-1][0] == "/"
    assert 'class="message message--warning"' in _text(response)


def test_inbox_bad_cursor_with_htmx_redirects_the_client(client, officer):
    client.force_login(officer)
    response = client.get("/", {"cursor": "garbage"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response["HX-Redirect"] == "/"


def test_inbox_query_count_is_bounded(client, officer, org, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    now = timezone.now()
    client.force_login(officer)
    counts = []
    for batch in (3, 60):
        for i in range(batch):
            _item(officer, f"Việc {batch}-{i}", now + dt.timedelta(days=i % 7, hours=i))
            WorkItem.objects.create(module="onestop", kind="k", title=f"Đơn vị {i}",
                                    assignee_unit=org["justice"], due_at=now)
        client.get(reverse("inbox"))  # warm caches (calendar)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("inbox")).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts  # does not grow with the number of items
    with django_assert_max_num_queries(9):
        client.get(reverse("inbox"))
    cursor = _next_cursor(client)
    with django_assert_max_num_queries(9):
        client.get(reverse("inbox"), {"cursor": cursor})


def _next_cursor(client) -> str:
    html = _text(client.get(reverse("inbox")))
    return re.search(r'href="/\?cursor=([^"]+)"', html).group(1).replace("%3D", "=")


# --- notifications ------------------------------------------------------------------------------


def test_notifications_newest_first_and_mark_all_read(client, officer, make_user, org):
    other = make_user("nguoikhac", org["finance"])
    now = timezone.now()
    Notification.objects.create(user=officer, subject="Thông báo cũ",
                                created_at=now - dt.timedelta(days=1))
    Notification.objects.create(user=officer, subject="Thông báo mới", created_at=now)
    Notification.objects.create(user=other, subject="Của người khác")
    client.force_login(officer)
    html = _text(client.get(reverse("notifications")))
    assert html.index("Thông báo mới") < html.index("Thông báo cũ")
    assert "Của người khác" not in html
    assert "notice--unread" in html
    response = client.post(reverse("notifications"))
    assert response.status_code == 302
    assert not Notification.objects.filter(user=officer, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=other, read_at__isnull=True).exists()
    html = _text(client.get(reverse("notifications")))
    assert "notice--unread" not in html


def test_notifications_bad_cursor(client, officer):
    client.force_login(officer)
    response = client.get(reverse("notifications"), {"cursor": "garbage"}, follow=True)
    assert response.status_code == 200
    assert "message--warning" in _text(response)


# --- API tokens ---------------------------------------------------------------------------------


def test_token_create_shows_raw_once_then_revoke(client, officer):
    client.force_login(officer)
    response = client.post(reverse("api_tokens"), {"op": "create", "name": "Báo cáo tự động"})
    assert response.status_code == 200
    html = _text(response)
    token = ApiToken.objects.get(user=officer)
    raw = re.search(r'id="new-token" type="text" readonly value="(egov_[^"]+)"', html).group(1)
    assert raw.startswith(token.prefix)
    assert "sẽ không được hiển thị lại" in html
    assert "no-store" in response.get("Cache-Control", "")
    html = _text(client.get(reverse("api_tokens")))
    assert raw not in html and "Báo cáo tự động" in html and token.prefix in html
    assert AuditEvent.objects.filter(action="api_token.create").count() == 1

    response = client.post(reverse("api_tokens"), {"op": "revoke", "token_id": token.pk})
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    html = _text(client.get(reverse("api_tokens"), follow=True))
    assert "Đã thu hồi" in html


def test_token_create_with_empty_name_shows_field_error_and_writes_nothing(client, officer):
    client.force_login(officer)
    events = AuditEvent.objects.count()
    response = client.post(reverse("api_tokens"), {"op": "create", "name": "   "})
    assert response.status_code == 422
    html = _text(response)
    assert 'id="id_name_error"' in html
    assert 'aria-invalid="true"' in html
    assert "Trường này là bắt buộc." in html
    assert not ApiToken.objects.exists()
    assert AuditEvent.objects.count() == events


def test_token_revoke_of_someone_elses_token_is_refused(client, officer, make_user, org):
    from egov.core.tokens import token_create

    other = make_user("nguoikhac", org["finance"])
    token, _raw = token_create(actor=other, name="Của người khác")
    client.force_login(officer)
    response = client.post(reverse("api_tokens"), {"op": "revoke", "token_id": token.pk},
                           follow=True)
    assert "message--error" in _text(response)
    token.refresh_from_db()
    assert token.revoked_at is None
    response = client.post(reverse("api_tokens"), {"op": "revoke", "token_id": "abc"},
                           follow=True)
    assert response.status_code == 200


# --- audit trail --------------------------------------------------------------------------------


def test_audit_page_lists_newest_first_with_filter_and_older_link(client, admin_user):
    from egov.core.audit import audit_log

    for i in range(55):
        audit_log(actor=admin_user, action="test.event", details={"i": i})
    audit_log(actor=admin_user, action="other.event", object_type="core.user", object_id="7")
    client.force_login(admin_user)
    html = _text(client.get(reverse("audit_log")))
    assert html.index("other.event") < html.index("test.event")
    match = re.search(r'href="/audit/\?cursor=([^"]+)"', html)
    assert match
    older = _text(client.get("/audit/?cursor=" + match.group(1)))
    # Details are readable "key: value" lines now (issue 9 §5), no longer raw JSON.
    assert '<span class="audit-details__key">i:</span> 0</li>' in older
    filtered = _text(client.get(reverse("audit_log"), {"action": "other.event"}))
    assert "other.event" in filtered and "test.event</code>" not in filtered
    prefix = _text(client.get(reverse("audit_log"), {"action": "test."}))
    assert "test.event" in prefix and "other.event</code>" not in prefix
    by_object = _text(client.get(reverse("audit_log"), {"object_type": "core.user",
                                                         "object_id": "7"}))
    assert "other.event" in by_object and "test.event</code>" not in by_object


def test_audit_page_never_counts(client, admin_user, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(admin_user)
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("audit_log"))
    assert not any("COUNT(" in q["sql"].upper() for q in ctx.captured_queries)


def test_admin_site_titles(client, db):
    from django.contrib import admin

    from egov.core import admin_site  # noqa: F401

    assert str(admin.site.site_header) == "eGov — Quản trị"


def test_shell_static_files_are_found():
    """src/egov/static must be a static files directory (settings.STATICFILES_DIRS)."""
    from django.contrib.staticfiles import finders

    for path in ("egov/egov.css", "egov/egov.js", "egov/emblem.svg", "django_htmx/htmx-2.min.js"):
        assert finders.find(path), f"static file {path} not found"


def test_unsafe_links_are_not_rendered(client, officer):
    _item(officer, "Liên kết độc hại", None, url="javascript:alert(1)")
    Notification.objects.create(user=officer, subject="Thông báo lạ", url="//evil.example/x")
    client.force_login(officer)
    assert "javascript:" not in _text(client.get(reverse("inbox")))
    assert "evil.example" not in _text(client.get(reverse("notifications")))


def test_500_page_renders_without_request_context(rf, db):
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "Đã xảy ra lỗi" in html and '<html lang="vi">' in html
