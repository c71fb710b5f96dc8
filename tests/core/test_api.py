"""The API contract: authentication, the one error shape, /me, tokens, inbox, org units."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from django.utils.crypto import get_random_string

from egov.core.models import (
    ApiToken,
    AuditEvent,
    Delegation,
    OrgUnit,
    OrgUnitKind,
    Position,
    Role,
    User,
    WorkItem,
    WorkState,
)
from tests.conftest import PASSWORD

API = "/api/v1"


@pytest.fixture(autouse=True)
def _clear_cache(db):
    cache.clear()  # the lockout of unknown usernames lives in the cache
    yield
    cache.clear()


@pytest.fixture
def client():
    return Client()


@pytest.fixture
def anna(make_user, org):
    return make_user("anna", org["justice"], "leader", title="Giám đốc",
                     full_name="Nguyễn Thị An")


def _is_error(response, status=None, code=None) -> dict:
    """Assert the one error shape and return the body."""
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    if status is not None:
        assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "fields"}, body
    assert isinstance(body["code"], str) and body["code"]
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["fields"], dict)
    for name, messages in body["fields"].items():
        assert isinstance(name, str)
        assert isinstance(messages, list) and messages
        assert all(isinstance(m, str) and m for m in messages)
    if code is not None:
        assert body["code"] == code, body
    return body


def _post(client, path, body, **extra):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(API + path, data=data, content_type="application/json", **extra)


def _login(client, username="anna", password=PASSWORD):
    return _post(client, "/auth/token", {"username": username, "password": password})


# --- authentication -----------------------------------------------------------------------------


def test_token_login_and_bearer(client, anna):
    response = _login(client)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token"} and body["token"].startswith("egov_")
    token = ApiToken.objects.get(user=anna)
    assert token.name and token.revoked_at is None
    me = client.get(API + "/me", HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    assert me.status_code == 200 and me.json()["username"] == "anna"


@pytest.mark.parametrize(("username", "password"), [
    ("anna", "wrong-password-1"),
    ("nobody-at-all", PASSWORD),
    ("ANNA ", "x"),
])
def test_token_login_failures(client, anna, username, password):
    response = _login(client, username, password)
    _is_error(response, 401, "invalid_credentials")
    assert not ApiToken.objects.exists()


def test_inactive_user_cannot_get_a_token(client, make_user, org):
    make_user("ghost", org["justice"], "officer", is_active=False)
    _is_error(_login(client, "ghost"), 401, "invalid_credentials")
    assert not ApiToken.objects.exists()


def test_token_login_counts_failures_and_respects_lockout(client, anna, settings):
    settings.EGOV_LOGIN_MAX_FAILURES = 3
    _is_error(_login(client, "anna", "bad-1"), 401, "invalid_credentials")
    anna.refresh_from_db()
    assert anna.failed_logins == 1  # the same counter as the web sign-in
    _is_error(_login(client, "anna", "bad-2"), 401, "invalid_credentials")
    _is_error(_login(client, "anna", "bad-3"), 401, "account_locked")
    # locked: even the right password is refused
    _is_error(_login(client, "anna", PASSWORD), 401, "account_locked")
    anna.refresh_from_db()
    assert anna.locked_until is not None
    assert not ApiToken.objects.exists()
    # once the lock has expired, the right password works and resets the counter
    User.objects.filter(pk=anna.pk).update(locked_until=timezone.now() - dt.timedelta(seconds=1))
    assert _login(client).status_code == 200


def test_unknown_usernames_lock_too(client, db, settings):
    settings.EGOV_LOGIN_MAX_FAILURES = 2
    _is_error(_login(client, "no-such-user", "x"), 401, "invalid_credentials")
    _is_error(_login(client, "no-such-user", "x"), 401, "account_locked")


def test_revoked_token_is_refused(client, anna, bearer):
    headers = bearer(anna)
    assert client.get(API + "/me", **headers).status_code == 200
    ApiToken.objects.filter(user=anna).update(revoked_at=timezone.now())
    _is_error(client.get(API + "/me", **headers), 401, "unauthenticated")


@pytest.mark.parametrize("header", [
    "Bearer egov_not-a-real-token", "Bearer ", "Bearer", "Token abc", "Basic YTpi",
    "Bearer egov_" + "x" * 5000,
])
def test_bad_authorization_headers(client, anna, header):
    _is_error(client.get(API + "/me", HTTP_AUTHORIZATION=header), 401, "unauthenticated")


def test_token_of_a_disabled_user_is_refused(client, anna, bearer):
    headers = bearer(anna)
    User.objects.filter(pk=anna.pk).update(is_active=False)
    _is_error(client.get(API + "/me", **headers), 401, "unauthenticated")


@pytest.mark.parametrize(("method", "path"), [
    ("get", "/me"), ("get", "/me/tokens"), ("post", "/me/tokens"), ("delete", "/me/tokens/1"),
    ("get", "/inbox"), ("get", "/org-units"), ("get", "/org-units/1"),
    ("get", "/org-units/1/work"),
])
def test_unauthenticated_is_401(client, db, method, path):
    response = getattr(client, method)(API + path)
    _is_error(response, 401, "unauthenticated")


def test_session_auth_and_csrf(anna):
    client = Client(enforce_csrf_checks=True)
    client.force_login(anna)
    assert client.get(API + "/me").json()["username"] == "anna"
    # unsafe method without the CSRF token: refused, nothing created
    response = _post(client, "/me/tokens", {"name": "laptop"})
    _is_error(response, 403, "csrf_failed")
    assert not ApiToken.objects.exists()
    secret = get_random_string(32)
    client.cookies["csrftoken"] = secret
    response = _post(client, "/me/tokens", {"name": "laptop"}, HTTP_X_CSRFTOKEN=secret)
    assert response.status_code == 201
    # a Bearer token needs no CSRF token
    raw = response.json()["token"]
    bare = Client(enforce_csrf_checks=True)
    response = _post(bare, "/me/tokens", {"name": "script"}, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 201


# --- /me and tokens -----------------------------------------------------------------------------


def test_me_shape_and_current_positions_only(client, anna, org, bearer):
    extra = Position.objects.create(user=anna, org_unit=org["office"], title="Chánh Văn phòng",
                                    is_primary=False)
    extra.roles.set(Role.objects.filter(code__in=["clerk", "officer"]))
    Position.objects.create(user=anna, org_unit=org["finance"], title="Cũ",
                            valid_from=dt.date(2025, 7, 1), valid_to=dt.date(2025, 12, 31))
    body = client.get(API + "/me", **bearer(anna)).json()
    assert body == {
        "username": "anna",
        "full_name": "Nguyễn Thị An",
        "positions": [
            {"org_unit": {"id": org["justice"].pk, "name": "Sở Tư pháp",
                          "electronic_id": "000.00.02.T99"},
             "title": "Giám đốc", "roles": ["leader"]},
            {"org_unit": {"id": org["office"].pk, "name": "Văn phòng UBND tỉnh",
                          "electronic_id": "000.00.01.T99"},
             "title": "Chánh Văn phòng", "roles": ["clerk", "officer"]},
        ],
    }


def test_me_uses_a_constant_number_of_queries(client, anna, org, bearer,
                                              django_assert_max_num_queries):
    headers = bearer(anna)
    client.get(API + "/me", **headers)  # token's last_used_at written once
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(API + "/me", **headers)
    for unit in (org["office"], org["finance"], org["commune"]):
        pos = Position.objects.create(user=anna, org_unit=unit, title="Kiêm nhiệm",
                                      is_primary=False)
        pos.roles.set(Role.objects.all())
    with CaptureQueriesContext(connection) as four:
        body = client.get(API + "/me", **headers).json()
    assert len(body["positions"]) == 4
    assert len(four.captured_queries) == len(one.captured_queries) <= 4


def test_token_list_create_revoke(client, anna, make_user, org, bearer):
    headers = bearer(anna)
    created = _post(client, "/me/tokens", {"name": "Máy tính ở nhà"}, **headers)
    assert created.status_code == 201
    body = created.json()
    assert set(body) == {"id", "name", "prefix", "created_at", "last_used_at", "revoked_at",
                         "token"}
    assert body["token"].startswith(body["prefix"])
    listed = client.get(API + "/me/tokens", **headers).json()
    assert [t["name"] for t in listed["items"]] == ["Máy tính ở nhà", "test token"]
    assert listed["next"] is None
    for item in listed["items"]:
        assert "token" not in item and "key_hash" not in item
    page = client.get(API + "/me/tokens?limit=1", **headers).json()
    assert len(page["items"]) == 1 and page["next"]
    page2 = client.get(API + f"/me/tokens?limit=1&cursor={page['next']}", **headers).json()
    assert page2["items"][0]["name"] == "test token" and page2["next"] is None

    # someone else's token cannot be revoked (not even seen)
    other = make_user("binh", org["finance"], "officer")
    other_token = ApiToken.objects.create(user=other, name="x", prefix="egov_x",
                                          key_hash="0" * 64)
    _is_error(client.delete(API + f"/me/tokens/{other_token.pk}", **headers), 404, "not_found")

    new_headers = {"HTTP_AUTHORIZATION": f"Bearer {body['token']}"}
    assert client.get(API + "/me", **new_headers).status_code == 200
    response = client.delete(API + f"/me/tokens/{body['id']}", **headers)
    assert response.status_code == 204
    assert ApiToken.objects.get(pk=body["id"]).revoked_at is not None
    assert AuditEvent.objects.filter(action="api_token.revoke", object_id=str(body["id"])).exists()
    _is_error(client.get(API + "/me", **new_headers), 401, "unauthenticated")


# --- inbox --------------------------------------------------------------------------------------


def _item(title, *, unit=None, user=None, due=None, state=WorkState.OPEN, **extra):
    return WorkItem.objects.create(module="documents", kind="handle", title=title,
                                   url=f"/documents/{title}/", assignee_unit=unit,
                                   assignee_user=user, due_at=due, state=state, **extra)


def _local_day_end():
    now = timezone.localtime()
    return now.replace(hour=23, minute=59, second=59, microsecond=0)


@pytest.fixture
def inbox_world(anna, make_user, org, justice_division):
    """What anna must and must not see."""
    now = timezone.now()
    colleague = make_user("binh", org["justice"], "officer")
    chief = make_user("chanh", org["office"], "leader", title="Chánh Văn phòng")
    Delegation.objects.create(position=chief.positions.get(), delegate=anna,
                              start=timezone.localdate() - dt.timedelta(days=1),
                              end=timezone.localdate() + dt.timedelta(days=1))
    old = make_user("old", org["finance"], "leader")
    Delegation.objects.create(position=old.positions.get(), delegate=anna,
                              start=dt.date(2025, 8, 1), end=dt.date(2025, 8, 5))
    seen = {
        "personal_overdue": _item("personal_overdue", user=anna, unit=org["finance"],
                                  due=now - dt.timedelta(hours=1), role="lead",
                                  urgency="khan"),
        "unit_today": _item("unit_today", unit=org["justice"], due=_local_day_end()),
        "unit_later": _item("unit_later", unit=org["justice"], due=now + dt.timedelta(days=3)),
        "delegated_unit": _item("delegated_unit", unit=org["office"],
                                due=now + dt.timedelta(days=5)),
        "no_deadline": _item("no_deadline", user=anna),
    }
    _item("colleague", unit=org["justice"], user=colleague, due=now)
    _item("done", user=anna, state=WorkState.DONE)
    _item("cancelled", unit=org["justice"], state=WorkState.CANCELLED)
    _item("other_unit", unit=org["finance"], due=now)
    _item("sub_unit", unit=justice_division, due=now)
    _item("old_delegation", unit=org["finance"], due=now)
    return seen


def test_inbox_shape_and_content(client, anna, org, inbox_world, bearer):
    body = client.get(API + "/inbox", **bearer(anna)).json()
    assert set(body) == {"items", "next"} and body["next"] is None
    titles = [i["title"] for i in body["items"]]
    assert titles == ["personal_overdue", "unit_today", "unit_later", "delegated_unit",
                      "no_deadline"]
    first = body["items"][0]
    assert set(first) == {"id", "title", "module", "kind", "url", "role", "urgency", "due_at",
                          "deadline_state", "created_at", "assignee_unit"}
    assert first["assignee_unit"] == {"id": org["finance"].pk, "name": "Sở Tài chính",
                                      "electronic_id": "000.00.03.T99"}
    assert (first["module"], first["kind"], first["role"], first["urgency"]) == (
        "documents", "handle", "lead", "khan")
    assert first["url"] == "/documents/personal_overdue/"
    states = {i["title"]: i["deadline_state"] for i in body["items"]}
    assert states == {"personal_overdue": "overdue", "unit_today": "due_today",
                      "unit_later": "in_time", "delegated_unit": "in_time",
                      "no_deadline": "none"}
    assert body["items"][-1]["due_at"] is None and body["items"][-1]["assignee_unit"] is None


def test_inbox_pages_have_no_duplicates_and_no_gaps(client, anna, org, bearer):
    now = timezone.now()
    expected = []
    for i in range(23):
        due = None if i % 4 == 0 else now + dt.timedelta(hours=i % 3)  # many equal deadlines
        if i % 2:
            expected.append(_item(f"p{i}", user=anna, due=due))
        else:
            expected.append(_item(f"u{i}", unit=org["justice"], due=due))
    expected.sort(key=lambda w: (w.due_sort, w.pk))
    headers = bearer(anna)
    seen, cursor, pages = [], None, 0
    while True:
        url = API + "/inbox?limit=5" + (f"&cursor={cursor}" if cursor else "")
        body = client.get(url, **headers).json()
        seen += [i["id"] for i in body["items"]]
        pages += 1
        cursor = body["next"]
        if cursor is None:
            break
        # an item finished between two pages must not shift the following pages
        if pages == 2:
            WorkItem.objects.filter(pk=seen[0]).update(state=WorkState.DONE)
    assert seen == [w.pk for w in expected]
    assert pages == 5


def test_inbox_query_budget(client, anna, org, inbox_world, bearer, justice_division,
                            django_assert_max_num_queries):
    # more units and posts must not add queries
    for unit in (org["finance"], org["commune"], justice_division):
        Position.objects.create(user=anna, org_unit=unit, title="Kiêm nhiệm", is_primary=False)
        for i in range(3):
            _item(f"{unit.pk}-{i}", unit=unit, due=timezone.now())
    headers = bearer(anna)
    with django_assert_max_num_queries(8):
        response = client.get(API + "/inbox", **headers)
    assert response.status_code == 200 and len(response.json()["items"]) == 5 + 3 + 9
    with django_assert_max_num_queries(8):
        response = client.get(API + "/inbox?limit=3", **headers)
    cursor = response.json()["next"]
    with django_assert_max_num_queries(8):
        assert client.get(API + f"/inbox?limit=3&cursor={cursor}", **headers).status_code == 200
    session = Client()
    session.force_login(anna)
    with django_assert_max_num_queries(8):
        assert session.get(API + "/inbox").status_code == 200


def test_inbox_page_is_one_statement_on_postgresql(anna, org, inbox_world,
                                                   django_assert_num_queries):
    """PostgreSQL: the units of the posts and delegations, every branch and the rows in one
    statement (bench --only inbox); SQLite: the units, then one statement."""
    from django.db import connection

    from egov.core.selectors import inbox_page

    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 2):
        page = inbox_page(actor=anna, limit=3)
    assert len(page.items) == 3 and page.next
    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 2):
        rest = inbox_page(actor=anna, cursor=page.next, limit=50)
        assert all(i.assignee_unit_id is None or i.assignee_unit.name for i in rest.items)
    assert not {i.pk for i in page.items} & {i.pk for i in rest.items}


def test_unit_work_needs_the_permission(client, anna, make_user, org, bearer):
    _item("x", unit=org["justice"])
    _item("y", unit=org["justice"], user=anna)
    body = client.get(API + f"/org-units/{org['justice'].pk}/work", **bearer(anna)).json()
    assert [i["title"] for i in body["items"]] == ["x", "y"]
    assert body["items"][1]["assignee_user"] == "anna"
    officer = make_user("cv", org["justice"], "officer")
    _is_error(client.get(API + f"/org-units/{org['justice'].pk}/work", **bearer(officer)),
              403, "forbidden")
    _is_error(client.get(API + f"/org-units/{org['finance'].pk}/work", **bearer(anna)),
              403, "forbidden")


# --- organisation units -------------------------------------------------------------------------


def test_org_units_list_filters_and_pages(client, anna, org, bearer):
    headers = bearer(anna)
    OrgUnit.objects.create(kind=OrgUnitKind.COMMUNE_COMMITTEE, name="UBND xã Đã Nhập",
                           parent=org["province"], valid_to=dt.date(2025, 12, 31))
    names, cursor = [], None
    while True:
        body = client.get(API + "/org-units?limit=2" + (f"&cursor={cursor}" if cursor else ""),
                          **headers).json()
        names += [u["name"] for u in body["items"]]
        cursor = body["next"]
        if not cursor:
            break
    assert sorted(names) == sorted(u.name for u in org.values())
    assert len(names) == len(set(names)) == 5
    body = client.get(API + f"/org-units?parent={org['province'].pk}&include_closed=true",
                      **headers).json()
    assert len(body["items"]) == 5
    body = client.get(API + "/org-units?q=STP", **headers).json()
    assert [u["electronic_id"] for u in body["items"]] == ["000.00.02.T99"]
    body = client.get(API + "/org-units?q=000.01", **headers).json()
    assert [u["name"] for u in body["items"]] == ["Ủy ban nhân dân xã An Bình"]


def test_org_unit_detail(client, anna, org, bearer):
    from egov.core.services import orgunit_rename

    admin = User.objects.create_superuser("root", password="x" * 12)
    orgunit_rename(actor=admin, unit=org["justice"], name="Sở Tư pháp tỉnh", abbreviation="STP",
                   effective=timezone.localdate(), legal_basis="QĐ 5/QĐ-UBND")
    body = client.get(API + f"/org-units/{org['justice'].pk}", **bearer(anna)).json()
    assert body["name"] == "Sở Tư pháp tỉnh"
    assert body["parent"] == {"id": org["province"].pk, "name": org["province"].name,
                              "electronic_id": "000.00.00.T99"}
    assert body["successor"] is None
    assert [n["name"] for n in body["names"]] == ["Sở Tư pháp", "Sở Tư pháp tỉnh"]
    _is_error(client.get(API + "/org-units/987654321", **bearer(anna)), 404, "not_found")


# --- bad input never gives a 500 ---------------------------------------------------------------


BAD_BODIES = [
    ("malformed", '{"username": "anna", ', 400, "malformed_body"),
    ("not json", "username=anna&password=x", 400, "malformed_body"),
    ("list", "[1, 2]", 422, "invalid"),
    ("string", '"anna"', 422, "invalid"),
    ("number", "12345678901234567890123456789", 422, "invalid"),
    ("null", "null", 422, "invalid"),
    ("empty object", "{}", 422, "invalid"),
    ("missing password", '{"username": "anna"}', 422, "invalid"),
    ("wrong types", '{"username": 5, "password": ["x"]}', 422, "invalid"),
    ("empty strings", '{"username": "", "password": ""}', 422, "invalid"),
    ("huge", json.dumps({"username": "a" * 100_000, "password": "b"}), 422, "invalid"),
    ("nul", '{"username": "an\\u0000na", "password": "x"}', 422, "invalid"),
    ("surrogate", '{"username": "\\ud800", "password": "x"}', 422, "invalid"),
    ("deep", "[" * 100_000 + "]" * 100_000, 400, "too_deep"),
    ("huge int", '{"username": "anna", "password": 1' + "0" * 5000 + "}", 400,
     "malformed_body"),
]


@pytest.mark.parametrize(("label", "body", "status", "code"), BAD_BODIES,
                         ids=[b[0] for b in BAD_BODIES])
def test_bad_login_bodies(client, anna, label, body, status, code):
    before = (ApiToken.objects.count(), AuditEvent.objects.count())
    response = client.post(API + "/auth/token", data=body, content_type="application/json")
    fields = _is_error(response, status, code)["fields"]
    if label == "missing password":
        assert list(fields) == ["password"]
    if label == "wrong types":
        assert set(fields) == {"username", "password"}
    assert (ApiToken.objects.count(), AuditEvent.objects.count()) == before
    anna.refresh_from_db()
    assert anna.failed_logins == 0


def test_empty_login_body(client, anna):
    empty = client.post(API + "/auth/token", data="", content_type="application/json")
    assert _is_error(empty, 422, "invalid")["fields"]  # the body as a whole is missing
    _is_error(client.post(API + "/auth/token"), 400, "malformed_body")  # a form, not JSON


BAD_TOKEN_NAMES = [
    ({}, "name"), ({"name": ""}, "name"), ({"name": "   "}, "name"),
    ({"name": "x" * 101}, "name"), ({"name": 12}, "name"), ({"name": None}, "name"),
    ({"name": {"a": 1}}, "name"),
]


@pytest.mark.parametrize(("body", "field"), BAD_TOKEN_NAMES)
def test_bad_token_names(client, anna, bearer, body, field):
    headers = bearer(anna)
    before = (ApiToken.objects.count(), AuditEvent.objects.count())
    response = _post(client, "/me/tokens", body, **headers)
    assert field in _is_error(response, 422, "invalid")["fields"]
    assert (ApiToken.objects.count(), AuditEvent.objects.count()) == before


BAD_GETS = [
    ("/inbox?limit=0", 422, "limit"),
    ("/inbox?limit=-5", 422, "limit"),
    ("/inbox?limit=101", 422, "limit"),
    ("/inbox?limit=abc", 422, "limit"),
    ("/inbox?limit=1e3", 422, "limit"),
    ("/inbox?limit=" + "9" * 40, 422, "limit"),
    ("/inbox?cursor=garbage!", 422, "cursor"),
    ("/inbox?cursor=WzEsMl0", 422, "cursor"),      # [1,2]
    ("/inbox?cursor=" + "A" * 2000, 422, "cursor"),
    ("/inbox?cursor=%00", 422, "__all__"),
    ("/me/tokens?cursor=WyJ4IiwgMV0", 422, "cursor"),  # ["x", 1]
    ("/org-units?parent=abc", 422, "parent"),
    ("/org-units?parent=0", 422, "parent"),
    ("/org-units?parent=" + "9" * 30, 422, "parent"),
    ("/org-units?q=" + "x" * 500, 422, "q"),
    ("/org-units?include_closed=perhaps", 422, "include_closed"),
    ("/org-units?limit=1000", 422, "limit"),
    ("/org-units/abc", 422, "unit_id"),
    ("/org-units/0", 422, "unit_id"),
    ("/org-units/-1", 422, "unit_id"),
    ("/org-units/" + "9" * 30, 422, "unit_id"),
    ("/org-units/1.5", 422, "unit_id"),
    ("/org-units/abc/work", 422, "unit_id"),
    ("/org-units/999999/work", 404, None),
    ("/no/such/endpoint", 404, None),
    ("/calendar/working-days?start=x&end=2026-01-01", 422, "start"),
]


@pytest.mark.parametrize(("path", "status", "field"), BAD_GETS, ids=[b[0][:40] for b in BAD_GETS])
def test_bad_query_and_path_params(client, anna, bearer, path, status, field):
    body = _is_error(client.get(API + path, **bearer(anna)), status)
    if field:
        assert field in body["fields"], body


def test_bad_delete_params(client, anna, bearer):
    headers = bearer(anna)
    _is_error(client.delete(API + "/me/tokens/abc", **headers), 422, "invalid")
    _is_error(client.delete(API + "/me/tokens/" + "9" * 30, **headers), 422, "invalid")
    _is_error(client.delete(API + "/me/tokens/424242", **headers), 404, "not_found")
    assert ApiToken.objects.filter(revoked_at__isnull=False).count() == 0


def test_wrong_method_answers_in_the_error_shape(client, anna, bearer):
    response = client.put(API + "/me", **bearer(anna))
    _is_error(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]


# --- documentation ------------------------------------------------------------------------------


def test_openapi_and_docs(client, db):
    response = client.get(API + "/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    paths = set(spec["paths"])
    assert {"/api/v1/auth/token", "/api/v1/me", "/api/v1/me/tokens",
            "/api/v1/me/tokens/{token_id}", "/api/v1/inbox", "/api/v1/org-units",
            "/api/v1/org-units/{unit_id}", "/api/v1/calendar/working-days"} <= paths
    schemes = spec["components"]["securitySchemes"]
    assert {"TokenAuth", "SessionAuth"} <= set(schemes)
    assert "ErrorOut" in spec["components"]["schemas"]
    assert client.get(API + "/docs").status_code == 200


def test_calendar_router_is_public(client, db):
    response = client.get(API + "/calendar/working-days?start=2026-01-05&end=2026-01-09")
    assert response.status_code == 200 and response.json() == {"count": 4}


def test_broken_multipart_body_is_a_400_not_a_500(client, bearer, make_user, org):
    user = make_user("multipart", org["justice"])
    response = client.generic(
        "POST", "/api/v1/me/tokens",
        b"--xyz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nunterminated",
        content_type="multipart/form-data; boundary=xyz", **bearer(user),
    )
    assert response.status_code in (400, 422), response.content
    assert set(response.json()) == {"code", "message", "fields"}
