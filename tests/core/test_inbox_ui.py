"""Inbox and notifications as the clerks found them (issue 9 §5): system items open, urgent work
without a deadline sorts first and says "immediately", menu counts, notifications marked read
when opened, the unread badge, the menu folding at 360 px without JavaScript."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from egov.core.models import Notification, WorkItem, WorkRole
from egov.core.nav import COUNT_LIMIT

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(org, make_user):
    return make_user("chuyenvien", org["justice"], "officer", full_name="Nguyễn Văn An")


def _html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _item(user, title, **extra):
    extra.setdefault("module", "documents")
    extra.setdefault("url", "/documents/1/")
    return WorkItem.objects.create(kind="handle", title=title, assignee_user=user,
                                   role=extra.pop("role", WorkRole.LEAD), **extra)


def test_system_item_without_link_opens_its_own_page(client, officer):
    item = _item(officer, "Thông báo lịch tiếp công dân", module="core", url="")
    client.force_login(officer)
    html = _html(client.get(reverse("inbox")))
    detail = reverse("workitem_detail", args=[item.pk])
    assert f'href="{detail}"' in html
    page = _html(client.get(detail))
    assert "Thông báo lịch tiếp công dân" in page and "Hệ thống" in page
    item.refresh_from_db()
    assert item.opened_at is not None


def test_item_page_redirects_to_its_target_and_is_private(client, officer, make_user, org):
    item = _item(officer, "Văn bản đến", url="/documents/incoming/7/")
    other = make_user("nguoikhac", org["finance"], "officer")
    client.force_login(other)
    assert client.get(reverse("workitem_detail", args=[item.pk])).status_code == 404
    client.force_login(officer)
    response = client.get(reverse("workitem_detail", args=[item.pk]))
    assert response.status_code == 302 and response["Location"] == "/documents/incoming/7/"
    evil = _item(officer, "x", url="javascript:alert(1)", module="core")
    assert client.get(reverse("workitem_detail", args=[evil.pk])).status_code == 200


def test_urgent_item_without_deadline_is_first_and_says_immediately(client, officer):
    now = timezone.now()
    _item(officer, "Việc thường có hạn", due_at=now + dt.timedelta(days=2))
    _item(officer, "Việc quá hạn", due_at=now - dt.timedelta(hours=1))
    urgent = _item(officer, "Dự thảo khẩn", urgency="urgent")
    _item(officer, "Việc không hạn")
    client.force_login(officer)
    html = _html(client.get(reverse("inbox")))
    order = [t for t in re.findall(r'<a href="[^"]*">([^<]+)</a>', html)
             if t.startswith(("Việc", "Dự thảo"))]
    assert order.index("Dự thảo khẩn") < order.index("Việc thường có hạn")
    assert order[-1] == "Việc không hạn"
    row = html[html.index("Dự thảo khẩn"):]
    row = row[:row.index("</tr>")]
    assert "Xử lý ngay" in row and "Không có hạn" not in row
    assert urgent.due_sort <= timezone.now()


def test_menu_counts_are_bounded_and_cost_one_query(client, officer):
    client.force_login(officer)
    WorkItem.objects.bulk_create([
        WorkItem(module="core", kind="t", title=f"v{i}", assignee_user=officer,
                 role=WorkRole.TASK) for i in range(COUNT_LIMIT + 5)])
    Notification.objects.bulk_create([Notification(user=officer, subject=f"n{i}")
                                      for i in range(3)])
    with CaptureQueriesContext(connection) as ctx:
        html = _html(client.get(reverse("api_tokens")))
    assert re.search(r'Việc của tôi <span class="count-badge">99\+</span>', html)
    assert re.search(r'Thông báo <span class="count-badge">3</span>', html)
    assert 'class="notice-badge__count">3<' in html
    menu = [q["sql"] for q in ctx.captured_queries if "UNION ALL" in q["sql"]]
    assert len(menu) == 1, menu  # both counts in one statement …
    assert "COUNT(" not in menu[0].upper() and menu[0].count("LIMIT") == 2  # … never a COUNT


def test_opening_a_notification_marks_it_read_and_goes_to_its_target(client, officer, make_user,
                                                                      org):
    note = Notification.objects.create(user=officer, subject="Văn bản mới",
                                       url="/documents/incoming/3/")
    plain = Notification.objects.create(user=officer, subject="Tin hệ thống")
    client.force_login(officer)
    html = _html(client.get(reverse("notifications")))
    open_url = reverse("notification_open", args=[note.pk])
    assert f'href="{open_url}"' in html
    assert 'class="notice-badge__count">2<' in html
    response = client.get(open_url)
    assert response.status_code == 302 and response["Location"] == "/documents/incoming/3/"
    note.refresh_from_db()
    assert note.read_at is not None
    response = client.get(reverse("notification_open", args=[plain.pk]))
    assert response["Location"] == reverse("notifications")
    assert "notice-badge__count" not in _html(client.get(reverse("notifications")))
    # Somebody else's notification: 404, and it stays unread.
    other = make_user("khac", org["finance"])
    theirs = Notification.objects.create(user=other, subject="Riêng")
    assert client.get(reverse("notification_open", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_menu_folds_behind_a_toggle_without_javascript(client, officer):
    client.force_login(officer)
    html = _html(client.get(reverse("inbox")))
    assert 'type="checkbox" id="site-nav-toggle"' in html
    assert '<label class="site-nav__button container" for="site-nav-toggle">' in html
