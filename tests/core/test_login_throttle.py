"""Nobody can lock out every clerk by name (egov.core.auth): failed sign-ins are throttled per
client address (429 with Retry-After, code "too_many_attempts") on the web login and
`POST /api/v1/auth/token`; a throttled address is refused before any password check and its
attempts count toward no account; an account's lock does not apply to the address from which
it last signed in successfully."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.urls import reverse

from egov.core.auth import THROTTLED_STATUS, authenticate_with_lockout
from egov.core.errors import AppError
from egov.core.models import AuditEvent, User
from tests.conftest import PASSWORD


@pytest.fixture(autouse=True)
def _clear_cache(db):
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def clerks(org, make_user):
    return [make_user(f"vanthu{i}", org["office"], "clerk") for i in range(8)]


def _attempt(address: str, username: str, password: str = "sai", **meta):
    request = RequestFactory().post("/login/", REMOTE_ADDR=address, **meta)
    try:
        return authenticate_with_lockout(request, username, password)
    except AppError as err:
        return err


def test_an_address_is_throttled_and_its_attempts_count_toward_no_account(clerks, settings):
    settings.EGOV_LOGIN_RATE_ADDRESS = "3/900"
    attacker = "203.0.113.9"
    for clerk in clerks[:3]:
        assert _attempt(attacker, clerk.username).code == "invalid_credentials"
    refused = _attempt(attacker, clerks[3].username, PASSWORD)  # even the right password
    assert refused.code == "too_many_attempts" and refused.status == THROTTLED_STATUS
    assert 0 < refused.retry_after <= 900
    assert User.objects.get(pk=clerks[3].pk).failed_logins == 0
    assert AuditEvent.objects.filter(action="auth.throttled").count() == 1
    # another address is not affected
    assert _attempt("198.51.100.4", clerks[3].username, PASSWORD).pk == clerks[3].pk


def test_one_address_cannot_lock_every_clerk(clerks, settings):
    """Default limits: 20 failures per address per 15 minutes, lock after 5 per account — one
    address locks at most 4 accounts, whatever it tries."""
    assert settings.EGOV_LOGIN_RATE_ADDRESS == "20/900" and settings.EGOV_LOGIN_MAX_FAILURES == 5
    for clerk in clerks:
        for _ in range(6):
            _attempt("203.0.113.9", clerk.username)
    locked = User.objects.filter(pk__in=[c.pk for c in clerks], locked_until__isnull=False)
    assert locked.count() <= 4
    for clerk in clerks:
        if clerk.pk not in set(locked.values_list("pk", flat=True)):
            assert _attempt("10.1.0.1", clerk.username, PASSWORD).pk == clerk.pk


def test_a_lock_does_not_apply_at_the_clerks_own_address(clerks, settings):
    settings.EGOV_LOGIN_RATE_ADDRESS = "100/900"
    clerk = clerks[0]
    assert _attempt("10.0.0.5", clerk.username, PASSWORD).pk == clerk.pk  # her desk
    for address in ("203.0.113.9", "198.51.100.7", "192.0.2.1", "203.0.113.10", "192.0.2.2"):
        _attempt(address, clerk.username)  # a distributed attack
    clerk.refresh_from_db()
    assert clerk.locked_until is not None
    assert _attempt("192.0.2.99", clerk.username, PASSWORD).code == "account_locked"
    assert _attempt("10.0.0.5", clerk.username, PASSWORD).pk == clerk.pk


def test_behind_a_trusted_proxy_the_forwarded_address_is_throttled(clerks, settings):
    settings.EGOV_LOGIN_RATE_ADDRESS = "2/900"
    settings.EGOV_TRUSTED_PROXIES = ["10.9.9.9"]
    for _ in range(2):
        _attempt("10.9.9.9", "khong-co", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert _attempt("10.9.9.9", clerks[0].username, PASSWORD,
                    HTTP_X_FORWARDED_FOR="203.0.113.9").code == "too_many_attempts"
    # another client behind the same proxy still signs in
    assert _attempt("10.9.9.9", clerks[0].username, PASSWORD,
                    HTTP_X_FORWARDED_FOR="198.51.100.1").pk == clerks[0].pk


def test_web_login_and_api_answer_429_with_retry_after(clerks, settings):
    settings.EGOV_LOGIN_RATE_ADDRESS = "2/900"
    web = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(2):
        assert web.post(reverse("login"), {"username": "vanthu0", "password": "x"}
                        ).status_code == 401
    r = web.post(reverse("login"), {"username": "vanthu1", "password": PASSWORD})
    assert r.status_code == 429 and int(r["Retry-After"]) > 0
    assert "_auth_user_id" not in web.session
    api = Client(REMOTE_ADDR="203.0.113.9")
    r = api.post("/api/v1/auth/token", json.dumps({"username": "vanthu1", "password": PASSWORD}),
                 content_type="application/json")
    assert r.status_code == 429 and int(r["Retry-After"]) > 0
    body = r.json()
    assert set(body) == {"code", "message", "fields"} and body["code"] == "too_many_attempts"
    other = Client(REMOTE_ADDR="198.51.100.2")
    r = other.post("/api/v1/auth/token", json.dumps({"username": "vanthu1",
                                                       "password": PASSWORD}),
                   content_type="application/json")
    assert r.status_code == 200
