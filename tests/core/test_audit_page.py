"""The audit page speaks words, not codes (issue 9 §5): labels, readable details, filters by
actor name, event type (a select of labels), object and date range."""

from __future__ import annotations

import datetime as dt
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from egov.core.audit import audit_log

pytestmark = pytest.mark.django_db
HCM = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def admin_user(org, make_user):
    return make_user("quantri", org["office"], "admin", full_name="Trần Thị Bình")


def _get(client, **params) -> str:
    response = client.get(reverse("audit_log"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_labels_readable_details_and_select_of_event_types(client, admin_user):
    audit_log(actor=admin_user, action="auth.login_failed",
              details={"username": "chuyenvien", "reason": "bad_password", "ip": "10.0.0.9"})
    client.force_login(admin_user)
    html = _get(client)
    assert "Đăng nhập không thành công" in html
    assert '<span class="audit-details__key">Tên đăng nhập:</span> chuyenvien</li>' in html
    assert "{&quot;" not in html  # no raw JSON
    # The event type is a select of labels, grouped, with "all of a group" prefixes.
    assert '<select name="action"' in html
    assert '<option value="auth.login_failed">Đăng nhập không thành công</option>' in html
    assert '<option value="auth.">' in html


def test_filters_by_actor_name_event_label_and_dates(client, admin_user, make_user, org):
    other = make_user("vanthu", org["office"], "clerk", full_name="Lê Văn Thư")
    with mock.patch("django.utils.timezone.now",
                    return_value=dt.datetime(2026, 3, 2, 9, 0, tzinfo=HCM)):
        audit_log(actor=other, action="api_token.create", details={"name": "cũ"})
    with mock.patch("django.utils.timezone.now",
                    return_value=dt.datetime(2026, 3, 5, 9, 0, tzinfo=HCM)):
        audit_log(actor=other, action="api_token.revoke", details={"name": "mới"})
        audit_log(actor=admin_user, action="api_token.create", details={"name": "của quản trị"})
    client.force_login(admin_user)
    by_name = _get(client, actor="văn thư")
    assert "cũ" in by_name and "mới" in by_name and "của quản trị" not in by_name
    by_event = _get(client, action="api_token.create")
    assert "cũ" in by_event and "của quản trị" in by_event and "mới</li>" not in by_event
    by_dates = _get(client, date_from="2026-03-01", date_to="2026-03-03")
    assert "cũ</li>" in by_dates and "mới</li>" not in by_dates
    bad = client.get(reverse("audit_log"), {"date_from": "2026-03-05", "date_to": "2026-03-01"})
    assert bad.status_code == 200 and 'id="id_date_to_error"' in bad.content.decode()


def test_english_labels(client, admin_user):
    from django.conf import settings

    audit_log(actor=admin_user, action="auth.logout")
    client.force_login(admin_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Signed out" in _get(client)
