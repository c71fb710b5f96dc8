"""Rate limits of the public verification pages (egov.portal) and API (egov.signing.api), per
client IP, in Django's cache. It lives in signing, which portal uses (ARCHITECTURE.md §2).

The default cache is the database cache (settings.CACHES), shared by every web process on every
host, so a limit holds across processes. Fixed windows: the counter of the current window of
``seconds`` lives under one key and expires with it.

The client is REMOTE_ADDR — unless REMOTE_ADDR is one of the reverse proxies listed in
settings.EGOV_TRUSTED_PROXIES: then the client is the right-most address of X-Forwarded-For that
is not itself a trusted proxy (each proxy appends the address it received the request from, so
the addresses left of the last untrusted one may be forged by the client and are ignored). Without
the setting the header is never honoured: any client could set it to anything.

Rates are "<count>/<seconds>" strings (settings.EGOV_VERIFY_RATE_CODE, EGOV_VERIFY_RATE_UPLOAD).
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

DEFAULTS = {"code": "30/600", "upload": "10/600"}
SETTINGS = {"code": "EGOV_VERIFY_RATE_CODE", "upload": "EGOV_VERIFY_RATE_UPLOAD"}


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int  # seconds until the window ends (when not allowed)


def parse_rate(text: str) -> tuple[int, int]:
    """"30/600" → (30, 600). A malformed setting fails loudly (ValueError)."""
    count, _sep, seconds = str(text).partition("/")
    count_i, seconds_i = int(count), int(seconds or 60)
    if count_i < 0 or seconds_i <= 0:
        raise ValueError(f"bad rate {text!r}")
    return count_i, seconds_i


def rate_for(scope: str) -> tuple[int, int]:
    return parse_rate(getattr(settings, SETTINGS[scope], DEFAULTS[scope]))


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    trusted = set(getattr(settings, "EGOV_TRUSTED_PROXIES", ()) or ())
    if remote not in trusted:
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
                 if a.strip()]
    for address in reversed(forwarded):
        if address not in trusted:
            return address
    return remote


def hit(request, scope: str) -> Verdict:
    """Count one request of ``scope`` ("code" or "upload") for the client; over the limit →
    not allowed (the refused request counts too)."""
    limit, seconds = rate_for(scope)
    now = time.time()
    window = int(now // seconds)
    client = hashlib.sha256(client_ip(request).encode()).hexdigest()[:32]
    key = f"egov:ratelimit:{scope}:{client}:{seconds}:{window}"
    ttl = seconds + 5
    if cache.add(key, 1, ttl):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.set(key, 1, ttl)
            count = 1
    retry_after = max(1, math.ceil((window + 1) * seconds - now))
    return Verdict(allowed=count <= limit, retry_after=retry_after)
