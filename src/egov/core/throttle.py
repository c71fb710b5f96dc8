"""Who the client is, and fixed-window counters per client in Django's cache — shared by the
sign-in throttle (egov.core.auth) and the public verification limits (egov.signing.ratelimit).

The client is REMOTE_ADDR — unless REMOTE_ADDR is one of the reverse proxies listed in
settings.EGOV_TRUSTED_PROXIES: then the client is the right-most address of X-Forwarded-For that
is not itself a trusted proxy (each proxy appends the address it received the request from, so
the addresses left of the last untrusted one may be forged by the client and are ignored). Without
the setting the header is never honoured: any client could set it to anything.

The default cache is the database cache (settings.CACHES), shared by every web process on every
host, so a limit holds across processes. Fixed windows: the counter of the current window of
``seconds`` lives under one key and expires with it. Rates are "<count>/<seconds>" strings.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


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


def client_key(address: str) -> str:
    """A short hash of an address (what the cache and the database keep, not the address)."""
    return hashlib.sha256(address.encode()).hexdigest()[:32]


def _window(scope: str, client: str, seconds: int) -> tuple[str, int, float]:
    now = time.time()
    window = int(now // seconds)
    retry_after = max(1, math.ceil((window + 1) * seconds - now))
    return f"egov:ratelimit:{scope}:{client_key(client)}:{seconds}:{window}", retry_after, now


def window_hit(scope: str, client: str, rate: str) -> tuple[int, Verdict]:
    """Count one event of ``scope`` for ``client`` in the current window; returns the count and
    whether it is within the limit (the event over the limit counts too)."""
    limit, seconds = parse_rate(rate)
    key, retry_after, _now = _window(scope, client, seconds)
    ttl = seconds + 5
    if cache.add(key, 1, ttl):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.set(key, 1, ttl)
            count = 1
    return count, Verdict(allowed=count <= limit, retry_after=retry_after)


def window_peek(scope: str, client: str, rate: str) -> Verdict:
    """Whether ``client`` is still within the limit of ``scope``, without counting."""
    limit, seconds = parse_rate(rate)
    key, retry_after, _now = _window(scope, client, seconds)
    count = cache.get(key) or 0
    return Verdict(allowed=count < limit, retry_after=retry_after)
