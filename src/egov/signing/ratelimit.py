"""Rate limits of the public verification pages (egov.portal) and API (egov.signing.api), per
client IP, in Django's cache. It lives in signing, which portal uses (ARCHITECTURE.md §2).

The default cache is the database cache (settings.CACHES), shared by every web process on every
host, so a limit holds across processes. Fixed windows: the counter of the current window of
``seconds`` lives under one key and expires with it.

The client is REMOTE_ADDR. settings.py lists no trusted reverse proxies (nothing in the project
reads X-Forwarded-For), so that header is never honoured — any client could set it to anything.
Behind a reverse proxy every client would share the proxy's address and its limit: honouring
X-Forwarded-For then needs a setting that lists the trusted proxies (not added yet).

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
    return request.META.get("REMOTE_ADDR", "") or "unknown"


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
