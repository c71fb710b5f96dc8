"""The Vietnamese admin shows no English (issue 9 §5: "TASKS DATABASE BACKEND", "Show counts",
"Can add draft version", "Choose Các nhóm by selecting them…")."""

from __future__ import annotations

import json
import re

import pytest
from django.conf import settings
from django.contrib.auth.models import Group

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, make_user, org):
    user = make_user("quantri", org["office"], "admin", full_name="Trần Thị Bình",
                     is_staff=True, is_superuser=True)
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    return client


def _html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_admin_index_names_every_app_in_vietnamese(admin_client):
    html = _html(admin_client.get("/admin/"))
    assert "Tasks Database Backend" not in html and "Task Results" not in html
    assert "Tác vụ nền" in html and "Kết quả tác vụ" in html


def test_changelist_filters_in_vietnamese(admin_client):
    html = _html(admin_client.get("/admin/core/workitem/"))
    assert "Show counts" not in html and "Hide counts" not in html
    assert "Hiện số lượng" in html or "Ẩn số lượng" in html
    html = _html(admin_client.get("/admin/django_tasks_database/dbtaskresult/"))
    assert "Ready" not in re.sub(r"<[^>]+>", " ", html) or "Sẵn sàng" in html


def test_permission_names_in_vietnamese(admin_client):
    group = Group.objects.create(name="Văn thư")
    html = _html(admin_client.get(f"/admin/auth/group/{group.pk}/change/"))
    options = re.findall(r"<option [^>]*>([^<]+)</option>", html)
    assert len(options) > 50
    english = [o for o in options if re.search(r"\bCan (add|change|delete|view)\b", o)]
    assert not english, english[:5]
    assert any("Được thêm" in o for o in options)


def test_filter_widget_texts_come_from_the_vietnamese_js_catalogue(admin_client):
    js = _html(admin_client.get("/admin/jsi18n/"))
    for english in ("Choose %s by selecting them and then select the",
                    "Remove %s by selecting them", "Choose all %s"):
        assert f'"{english}' in js  # the msgid is in the catalogue …
    for vietnamese in ("Chọn %s bằng cách đánh dấu", "Chọn tất cả %s"):  # … translated
        assert json.dumps(vietnamese)[1:-1] in js
