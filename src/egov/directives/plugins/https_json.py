"""The `https_json` sync adapter: each change POSTed as JSON to `SyncTarget.url`.

Headers: ``Content-Type: application/json``, ``Authorization: Bearer <token>`` (the token is
read from the environment variable named by `SyncTarget.token_env`, never stored) and
``Idempotency-Key: <SyncChange.idempotency_key>`` — the receiver keeps each key once, so a
change sent again after a crash is not counted twice.

Answers: 2xx → received. 409 → the receiver has this key already → received (unless its
answer names a different key: then a conflict, refused). 408, 425, 429, 5xx, a refused or
dropped connection, a timeout → retry later. Any other 4xx, and redirects (not followed: fix the
URL) → refused for good (recorded with the answer). The URL must be https, except on the loopback interface (tests, a local relay).
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings

from .base import PermanentSyncError, RetryableSyncError, SyncAdapter, register

LOOPBACK = {"127.0.0.1", "::1", "localhost"}
RETRY_CODES = {408, 425, 429}


def _timeout() -> float:
    return float(getattr(settings, "EGOV_DIRECTIVES_SYNC_TIMEOUT", 10))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not followed: urllib would repeat a POST as a GET without the
    body elsewhere, and a 2xx from there would count as received."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


class HttpsJsonAdapter(SyncAdapter):
    name = "https_json"

    def push(self, target, change) -> None:
        url = (target.url or "").strip()
        parts = urlsplit(url)
        if parts.scheme != "https" and not (parts.scheme == "http"
                                            and parts.hostname in LOOPBACK):
            raise PermanentSyncError(f"the endpoint must be https: {url!r}")
        headers = {"Content-Type": "application/json; charset=utf-8",
                   "Accept": "application/json",
                   "Idempotency-Key": change.idempotency_key}
        if target.token_env:
            token = os.environ.get(target.token_env, "")
            if not token:
                raise RetryableSyncError(
                    f"the environment variable {target.token_env} (the token) is not set")
            headers["Authorization"] = f"Bearer {token}"
        body = json.dumps(change.payload, ensure_ascii=False, sort_keys=True).encode()
        request = urllib.request.Request(url, data=body, method="POST", headers=headers)
        try:
            with _opener.open(request, timeout=_timeout()) as response:
                response.read(65536)
        except urllib.error.HTTPError as exc:
            text = exc.read(2000).decode(errors="replace")
            detail = f"HTTP {exc.code}: {text[:500]}"
            if exc.code == 409:
                if _names_other_key(exc, text, change.idempotency_key):
                    raise PermanentSyncError(detail) from exc
                return  # the receiver has this key: the change arrived before
            if 300 <= exc.code < 400 or (400 <= exc.code < 500 and exc.code not in RETRY_CODES):
                raise PermanentSyncError(detail) from exc
            raise RetryableSyncError(detail) from exc
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            raise RetryableSyncError(f"{type(exc).__name__}: {exc}") from exc


def _names_other_key(exc: urllib.error.HTTPError, text: str, key: str) -> bool:
    """Does a 409 answer name an idempotency key other than ours (a real conflict)?"""
    named = exc.headers.get("Idempotency-Key") if exc.headers else None
    if not named:
        try:
            data = json.loads(text or "{}")
        except ValueError:
            data = {}
        if isinstance(data, dict):
            named = data.get("idempotency_key") or data.get("key")
    return bool(named) and str(named) != key


register(HttpsJsonAdapter.name, HttpsJsonAdapter)
