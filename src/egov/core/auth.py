"""Sign-in with lockout, shared by the web login page and `POST /api/v1/auth/token`.

After `EGOV_LOGIN_MAX_FAILURES` consecutive failures an account is locked for
`EGOV_LOGIN_LOCKOUT_MINUTES`; while locked even the right password is refused. A success resets
the counter. Counters change with atomic `F()` updates, so parallel attempts cannot lose a count.

Errors (`AppError`):
- `invalid_credentials`, status 401: the same message whether the username exists or not;
- `account_locked`, status 423 (Locked): says until when, in local time;
- `too_many_attempts`, status 429: the client address made too many failed attempts
  (`EGOV_LOGIN_RATE_ADDRESS`, default 20 per 15 minutes, over all usernames); the error carries
  `retry_after` (seconds) for the Retry-After header.

Nobody can lock out every clerk by name:
- a throttled address is refused before any password is checked, and its attempts count toward
  no account — one address can lock at most a few accounts per window;
- an account's lock does not apply to an address from which that account signed in successfully
  in the last `EGOV_LOGIN_KNOWN_DAYS` (30) days (read from the audit trail's `auth.login`
  events): the clerk at the usual desk keeps working while attempts from elsewhere are locked
  out. That address is still throttled like any other.
The client address is `egov.core.throttle.client_ip` (REMOTE_ADDR, or behind
`EGOV_TRUSTED_PROXIES` the right-most untrusted X-Forwarded-For address).

Unknown usernames are "locked" too (in the cache) after the same number of failures, so the
lockout answer does not reveal which usernames exist. The password hasher runs for unknown users
as well, so response times do not reveal it either.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import AppError
from .throttle import client_ip, window_hit, window_peek

LOCKED_STATUS = 423
THROTTLED_STATUS = 429
THROTTLE_SCOPE = "login-address"


def _max_failures() -> int:
    return int(getattr(settings, "EGOV_LOGIN_MAX_FAILURES", 5))


def _lockout() -> dt.timedelta:
    return dt.timedelta(minutes=int(getattr(settings, "EGOV_LOGIN_LOCKOUT_MINUTES", 15)))


def _address_rate() -> str:
    return str(getattr(settings, "EGOV_LOGIN_RATE_ADDRESS", "20/900"))


def _known_days() -> int:
    return int(getattr(settings, "EGOV_LOGIN_KNOWN_DAYS", 30))


def too_many_attempts(retry_after: int) -> AppError:
    err = AppError(
        "too_many_attempts",
        _("Too many failed sign-in attempts from your address. Try again in %(minutes)s "
          "minutes.") % {"minutes": max(1, (retry_after + 59) // 60)},
        status=THROTTLED_STATUS,
    )
    err.retry_after = retry_after  # type: ignore[attr-defined]
    return err


def invalid_credentials() -> AppError:
    return AppError("invalid_credentials", _("Wrong username or password."), status=401)


def account_locked(until: dt.datetime) -> AppError:
    local = timezone.localtime(until)
    return AppError(
        "account_locked",
        _("Too many failed sign-in attempts. The account is locked until %(time)s.")
        % {"time": local.strftime("%H:%M %d/%m/%Y")},
        status=LOCKED_STATUS,
    )


def _client(request) -> dict:
    if request is None:
        return {}
    meta = getattr(request, "META", {}) or {}
    return {"ip": client_ip(request) if meta.get("REMOTE_ADDR") else "",
            "user_agent": meta.get("HTTP_USER_AGENT", "")[:200]}


def _known_address(user, ip: str, now: dt.datetime) -> bool:
    """The account signed in successfully from this address in the last EGOV_LOGIN_KNOWN_DAYS."""
    from .models import AuditEvent

    if not ip or _known_days() <= 0:
        return False
    return AuditEvent.objects.filter(
        object_type=user._meta.label_lower, object_id=str(user.pk), action="auth.login",
        at__gte=now - dt.timedelta(days=_known_days()), details__ip=ip,
    ).exists()


def _count_failure(client: dict) -> None:
    """One failed attempt from this address; the attempt that crosses the limit is audited."""
    if not client.get("ip"):
        return
    count, verdict = window_hit(THROTTLE_SCOPE, client["ip"], _address_rate())
    limit = int(_address_rate().partition("/")[0])
    if count == limit:
        from .audit import audit_log

        with transaction.atomic():
            audit_log(actor=None, action="auth.throttled",
                      details={"failures": count, "rate": _address_rate(), **client})


# --- unknown usernames: the same lockout, kept in the cache -------------------------------------


def _ghost_key(username: str) -> str:
    return "egov:login-ghost:" + hashlib.sha256(username.lower().encode()).hexdigest()


def _ghost_locked_until(username: str, now: dt.datetime) -> dt.datetime | None:
    state = cache.get(_ghost_key(username))
    if state and state.get("locked_until") and state["locked_until"] > now:
        return state["locked_until"]
    return None


def _ghost_fail(username: str, now: dt.datetime) -> dt.datetime | None:
    key = _ghost_key(username)
    state = cache.get(key) or {"failures": 0, "locked_until": None}
    if state.get("locked_until") and state["locked_until"] <= now:
        state = {"failures": 0, "locked_until": None}
    state["failures"] += 1
    if state["failures"] >= _max_failures():
        state = {"failures": 0, "locked_until": now + _lockout()}
    cache.set(key, state, timeout=int(_lockout().total_seconds()) + 60)
    return state["locked_until"]


# --- the one entry point ------------------------------------------------------------------------


def authenticate_with_lockout(request, username: str, password: str):
    """The active user with these credentials; raises AppError otherwise (see module doc)."""
    from .audit import audit_log

    User = get_user_model()
    username = (username or "").strip()
    password = password or ""
    now = timezone.now()
    client = _client(request)
    if client.get("ip"):
        verdict = window_peek(THROTTLE_SCOPE, client["ip"], _address_rate())
        if not verdict.allowed:
            raise too_many_attempts(verdict.retry_after)

    user = User._default_manager.filter(**{User.USERNAME_FIELD: username}).first() if username else None

    if user is None:
        User().set_password(password)  # same work as a real check: no timing difference
        locked = _ghost_locked_until(username, now)
        if locked is None:
            locked = _ghost_fail(username, now)
            with transaction.atomic():
                audit_log(actor=None, action="auth.login_failed",
                          details={"username": username[:150], "reason": "unknown_user", **client})
        else:
            with transaction.atomic():
                audit_log(actor=None, action="auth.login_failed",
                          details={"username": username[:150], "reason": "locked", **client})
        _count_failure(client)
        if locked is not None:
            raise account_locked(locked)
        raise invalid_credentials()

    if (user.locked_until is not None and user.locked_until > now
            and not _known_address(user, client.get("ip", ""), now)):
        User().set_password(password)
        with transaction.atomic():
            audit_log(actor=None, action="auth.login_failed", obj=user,
                      details={"username": username, "reason": "locked", **client})
        _count_failure(client)
        raise account_locked(user.locked_until)

    authenticated = authenticate(request, **{User.USERNAME_FIELD: username, "password": password})
    if authenticated is not None and authenticated.pk == user.pk:
        with transaction.atomic():
            User._default_manager.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
            audit_log(actor=authenticated, action="auth.login", obj=authenticated, details=client)
        authenticated.failed_logins = 0
        authenticated.locked_until = None
        return authenticated

    locked_until = None
    with transaction.atomic():
        rows = User._default_manager.filter(pk=user.pk)
        # An expired lock starts a fresh count.
        rows.filter(locked_until__lte=now).update(failed_logins=0, locked_until=None)
        rows.update(failed_logins=F("failed_logins") + 1)
        audit_log(actor=None, action="auth.login_failed", obj=user,
                  details={"username": username, "reason": "bad_password", **client})
        # Only the attempt that crosses the limit locks (the filter makes it race-free).
        until = now + _lockout()
        if rows.filter(failed_logins__gte=_max_failures(), locked_until__isnull=True).update(
            failed_logins=0, locked_until=until
        ):
            locked_until = until
            audit_log(actor=None, action="auth.locked", obj=user,
                      details={"username": username, "until": until.isoformat(), **client})
    _count_failure(client)
    if locked_until is not None:
        raise account_locked(locked_until)
    raise invalid_credentials()


def audit_logout(request) -> None:
    """Record a sign-out (call before `django.contrib.auth.logout`)."""
    from .audit import audit_log

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return
    with transaction.atomic():
        audit_log(actor=user, action="auth.logout", obj=user, details=_client(request))
