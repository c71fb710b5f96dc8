"""Who the client is, and fixed-window counters per client in the database — shared by the
sign-in throttle (egov.core.auth) and the public verification limits (egov.signing.ratelimit).

The client is REMOTE_ADDR — unless REMOTE_ADDR is one of the reverse proxies listed in
settings.EGOV_TRUSTED_PROXIES: then the client is the right-most address of X-Forwarded-For that
is not itself a trusted proxy (each proxy appends the address it received the request from, so
the addresses left of the last untrusted one may be forged by the client and are ignored). Without
the setting the header is never honoured: any client could set it to anything.

The counters live in the database (egov.core.models_throttle.RateCounter), shared by every web
process on every host, so a limit holds across processes. Fixed windows: the counter of the
current window of ``seconds`` is one row, keyed by scope, client hash and window number, and
counted by one atomic statement (INSERT … ON CONFLICT DO UPDATE SET count = count + 1
RETURNING count); rows of past windows are purged by the workers' periodic pass
(:func:`purge_expired`, from egov.core.jobs.reap). Rates are "<count>/<seconds>" strings.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.db import connection


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
    return f"{scope}:{client_key(client)}:{seconds}:{window}", retry_after, (window + 1) * seconds


# One statement, atomic on PostgreSQL and SQLite (>= 3.35): concurrent hits of one window
# serialise on the row and each gets its own count back.
_HIT_SQL = (
    "INSERT INTO core_ratecounter (bucket, count, expires) VALUES (%s, 1, %s) "
    "ON CONFLICT (bucket) DO UPDATE SET count = core_ratecounter.count + 1 RETURNING count"
)


def window_hit(scope: str, client: str, rate: str) -> tuple[int, Verdict]:
    """Count one event of ``scope`` for ``client`` in the current window; returns the count and
    whether it is within the limit (the event over the limit counts too). One SQL statement."""
    limit, seconds = parse_rate(rate)
    bucket, retry_after, window_end = _window(scope, client, seconds)
    expires = datetime.fromtimestamp(window_end, tz=UTC)
    with connection.cursor() as cursor:
        cursor.execute(_HIT_SQL, [bucket, connection.ops.adapt_datetimefield_value(expires)])
        count = cursor.fetchone()[0]
    return count, Verdict(allowed=count <= limit, retry_after=retry_after)


def window_hit_and_read(scope: str, client: str, rate: str, sql: str,
                        params: list | tuple = ()) -> tuple[int, Verdict, tuple | None]:
    """:func:`window_hit`, and the first row of the read-only query ``sql`` (or None): on
    PostgreSQL in ONE statement — the counter's atomic upsert as a data-modifying CTE, the
    query joined to its count (one round trip, as for a hit alone); elsewhere (SQLite) the hit,
    then the query, as two statements. The query's first column must never be NULL (e.g. a
    primary key): a NULL there means "no row". It is read whatever the verdict (the caller
    refuses over the limit and ignores it), and on PostgreSQL it sees the database as the
    statement began (not this hit's own counter row)."""
    limit, seconds = parse_rate(rate)
    bucket, retry_after, window_end = _window(scope, client, seconds)
    expires = connection.ops.adapt_datetimefield_value(datetime.fromtimestamp(window_end, tz=UTC))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"WITH hit AS ({_HIT_SQL}) SELECT hit.count, q.* FROM hit "
                           f"LEFT JOIN LATERAL ({sql}) q ON TRUE", [bucket, expires, *params])
            count, *row = cursor.fetchone()
        else:
            cursor.execute(_HIT_SQL, [bucket, expires])
            count = cursor.fetchone()[0]
            cursor.execute(sql, list(params))
            row = cursor.fetchone()
    found = tuple(row) if row and row[0] is not None else None
    return count, Verdict(allowed=count <= limit, retry_after=retry_after), found


def window_peek(scope: str, client: str, rate: str) -> Verdict:
    """Whether ``client`` is still within the limit of ``scope``, without counting."""
    from .models_throttle import RateCounter

    limit, seconds = parse_rate(rate)
    bucket, retry_after, _end = _window(scope, client, seconds)
    count = (RateCounter.objects.filter(bucket=bucket).values_list("count", flat=True).first()
             or 0)
    return Verdict(allowed=count < limit, retry_after=retry_after)


def purge_expired(*, now: datetime | None = None) -> int:
    """Delete the counters of windows that have ended (the workers' periodic pass,
    egov.core.jobs.reap; never on the request path). Returns how many rows went."""
    from .models_throttle import RateCounter

    now = now or datetime.now(tz=UTC)
    deleted, _per_model = RateCounter.objects.filter(expires__lt=now).delete()
    return deleted


def reset() -> None:
    """Forget every counter (tests, and an administrator lifting all limits at once)."""
    from .models_throttle import RateCounter

    RateCounter.objects.all().delete()
