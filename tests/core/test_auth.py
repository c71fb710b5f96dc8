"""Sign-in with lockout (egov.core.auth), shared by the login page and the API."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from egov.core.auth import LOCKED_STATUS, authenticate_with_lockout
from egov.core.errors import AppError
from egov.core.models import AuditEvent, User
from tests.conftest import PASSWORD

PRODUCTION_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]


@pytest.fixture(autouse=True)
def _clear_cache(db):
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def user(org, make_user):
    return make_user("vanthu", org["office"], "clerk", title="Văn thư", full_name="Lê Thị Cúc")


@pytest.fixture
def rf_request():
    return RequestFactory().post("/login/", REMOTE_ADDR="10.0.0.7")


def _fail(request, username="vanthu", password="sai-mat-khau") -> AppError:
    with pytest.raises(AppError) as info:
        authenticate_with_lockout(request, username, password)
    return info.value


def _actions(**filters) -> list[str]:
    return list(AuditEvent.objects.filter(**filters).order_by("seq").values_list("action",
                                                                                flat=True))


def test_success_returns_the_user_and_audits(user, rf_request):
    result = authenticate_with_lockout(rf_request, "vanthu", PASSWORD)
    assert result.pk == user.pk
    event = AuditEvent.objects.get(action="auth.login")
    assert event.actor_id == user.pk and event.object_id == str(user.pk)
    assert event.details["ip"] == "10.0.0.7"


def test_wrong_password_and_unknown_user_get_the_same_answer(user, rf_request):
    wrong = _fail(rf_request)
    unknown = _fail(rf_request, username="khong-ton-tai")
    assert wrong.code == unknown.code == "invalid_credentials"
    assert wrong.status == unknown.status == 401
    assert wrong.message == unknown.message
    assert wrong.as_dict() == unknown.as_dict()


def test_lockout_after_max_failures_even_with_the_right_password(user, rf_request, settings):
    assert settings.EGOV_LOGIN_MAX_FAILURES == 5
    for _ in range(4):
        assert _fail(rf_request).code == "invalid_credentials"
    user.refresh_from_db()
    assert user.failed_logins == 4 and user.locked_until is None
    fifth = _fail(rf_request)
    assert fifth.code == "account_locked" and fifth.status == LOCKED_STATUS
    user.refresh_from_db()
    assert user.locked_until is not None
    expected = timezone.now() + dt.timedelta(minutes=settings.EGOV_LOGIN_LOCKOUT_MINUTES)
    assert abs((user.locked_until - expected).total_seconds()) < 5
    # Locked: even the right password is refused, and the message says until when (local time).
    locked = _fail(rf_request, password=PASSWORD)
    assert locked.code == "account_locked"
    assert timezone.localtime(user.locked_until).strftime("%H:%M %d/%m/%Y") in locked.message
    assert _actions(action="auth.locked") == ["auth.locked"]
    assert _actions(action="auth.login") == []


def test_lock_expires_after_the_period(user, rf_request, settings):
    for _ in range(5):
        _fail(rf_request)
    user.refresh_from_db()
    later = user.locked_until + dt.timedelta(seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        result = authenticate_with_lockout(rf_request, "vanthu", PASSWORD)
    assert result.pk == user.pk
    user.refresh_from_db()
    assert user.locked_until is None and user.failed_logins == 0


def test_expired_lock_gives_a_fresh_count(user, rf_request):
    for _ in range(5):
        _fail(rf_request)
    user.refresh_from_db()
    later = user.locked_until + dt.timedelta(seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert _fail(rf_request).code == "invalid_credentials"
        user.refresh_from_db()
        assert user.failed_logins == 1 and user.locked_until is None


def test_success_resets_the_counter(user, rf_request):
    for _ in range(4):
        _fail(rf_request)
    authenticate_with_lockout(rf_request, "vanthu", PASSWORD)
    user.refresh_from_db()
    assert user.failed_logins == 0
    for _ in range(4):
        assert _fail(rf_request).code == "invalid_credentials"  # not locked: the count restarted


def test_unknown_usernames_lock_the_same_way(db, rf_request):
    """The lockout answer must not reveal which usernames exist."""
    answers = [_fail(rf_request, username="ma-nguoi-dung").code for _ in range(6)]
    assert answers == ["invalid_credentials"] * 4 + ["account_locked"] * 2


def test_failures_are_audited(user, rf_request):
    _fail(rf_request)
    _fail(rf_request, username="khong-ton-tai")
    events = list(AuditEvent.objects.filter(action="auth.login_failed").order_by("seq"))
    assert [e.details["reason"] for e in events] == ["bad_password", "unknown_user"]
    assert events[0].object_id == str(user.pk) and events[0].actor_id is None
    assert events[1].details["username"] == "khong-ton-tai"
    assert all("password" not in e.details for e in events)


def test_inactive_user_cannot_sign_in(user, rf_request):
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert _fail(rf_request, password=PASSWORD).code == "invalid_credentials"


def test_counter_uses_atomic_updates(user, rf_request):
    """A stale in-memory count must not matter: the database value is incremented."""
    User.objects.filter(pk=user.pk).update(failed_logins=3)
    _fail(rf_request)
    user.refresh_from_db()
    assert user.failed_logins == 4


def test_argon2_is_the_production_hasher(db, settings):
    settings.PASSWORD_HASHERS = PRODUCTION_HASHERS
    user = User.objects.create_user(username="argon", password="Mot-mat-khau-dai-2026")
    assert user.password.startswith("argon2")
    assert user.check_password("Mot-mat-khau-dai-2026")


def test_production_settings_put_argon2_first():
    import importlib

    prod = importlib.import_module("egov.settings")
    assert prod.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


# --- through the login page ---------------------------------------------------------------------


def test_login_page_signs_in_and_shows_lockout(client, user):
    for _ in range(4):
        response = client.post(reverse("login"), {"username": "vanthu", "password": "x"})
        assert response.status_code == 401
    response = client.post(reverse("login"), {"username": "vanthu", "password": "x"})
    assert response.status_code == LOCKED_STATUS
    assert "bị khóa đến" in response.content.decode()
    response = client.post(reverse("login"), {"username": "vanthu", "password": PASSWORD})
    assert response.status_code == LOCKED_STATUS
    assert "_auth_user_id" not in client.session


def test_login_page_success(client, user):
    response = client.post(reverse("login"), {"username": "vanthu", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("inbox")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert _actions(action="auth.login") == ["auth.login"]
