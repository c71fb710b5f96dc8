"""Every menu entry a user is shown opens (issue 9 §5: "Hồ sơ công việc" opened a 403)."""

from __future__ import annotations

import re

import pytest
from django.test import RequestFactory

from egov.core import demo
from egov.core.models import User
from egov.core.nav import navigation_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("username", sorted(demo.USERS))
def test_every_menu_entry_a_demo_user_sees_opens(client, username):
    demo.load_demo()
    user = User.objects.get(username=username)
    request = RequestFactory().get("/")
    request.user = user
    entries = navigation_for(request)
    assert entries
    client.force_login(user)
    failures = {}
    for entry in entries:
        status = client.get(entry["url"]).status_code
        if status != 200:
            failures[entry["key"]] = status
    assert not failures, failures


def test_every_admin_index_link_opens_for_the_administrator(client):
    demo.load_demo()
    client.force_login(User.objects.get(username="admin"))
    html = client.get("/admin/").content.decode()
    links = sorted(set(re.findall(r'href="(/admin/[a-z_]+/[a-z_]+/)"', html)))
    assert len(links) > 10
    failures = {link: client.get(link).status_code for link in links}
    assert not {k: v for k, v in failures.items() if v != 200}
