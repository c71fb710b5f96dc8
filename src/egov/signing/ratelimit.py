"""Rate limits of the public verification pages (egov.portal) and API (egov.signing.api), per
client IP, in the database (one atomic statement per hit, egov.core.throttle). It lives in
signing, which portal uses (ARCHITECTURE.md §2); the client address and the window counters
are the kernel's (egov.core.throttle: REMOTE_ADDR, or behind settings.EGOV_TRUSTED_PROXIES the
right-most untrusted X-Forwarded-For address).

Rates are "<count>/<seconds>" strings (settings.EGOV_VERIFY_RATE_CODE, EGOV_VERIFY_RATE_UPLOAD).
The look-up of a verification code is read in the counter's statement (:func:`hit_and_read`,
used by egov.signing.verification_codes.find_counted): a hit costs one round trip.
"""

from __future__ import annotations

from django.conf import settings

from egov.core.throttle import Verdict, client_ip, parse_rate, window_hit, window_hit_and_read

__all__ = ["DEFAULTS", "SETTINGS", "Verdict", "client_ip", "hit", "hit_and_read", "parse_rate",
           "rate_for"]

DEFAULTS = {"code": "30/600", "upload": "10/600"}
SETTINGS = {"code": "EGOV_VERIFY_RATE_CODE", "upload": "EGOV_VERIFY_RATE_UPLOAD"}


def rate_for(scope: str) -> tuple[int, int]:
    return parse_rate(getattr(settings, SETTINGS[scope], DEFAULTS[scope]))


def hit(request, scope: str) -> Verdict:
    """Count one request of ``scope`` ("code" or "upload") for the client; over the limit →
    not allowed (the refused request counts too)."""
    _count, verdict = window_hit(scope, client_ip(request),
                                 getattr(settings, SETTINGS[scope], DEFAULTS[scope]))
    return verdict


def hit_and_read(request, scope: str, sql: str, params: list | tuple = ()) -> tuple[Verdict,
                                                                                 tuple | None]:
    """:func:`hit`, and the first row of the read-only ``sql`` (None when there is none) — one
    statement on PostgreSQL (egov.core.throttle.window_hit_and_read)."""
    _count, verdict, row = window_hit_and_read(
        scope, client_ip(request), getattr(settings, SETTINGS[scope], DEFAULTS[scope]), sql,
        params)
    return verdict, row
