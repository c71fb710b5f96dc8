"""Per-client limit of the public certificate verification (page and API; egov.core.throttle:
one atomic statement per hit, counters shared by every process). The rate is a
"<count>/<seconds>" string from settings or the environment: EGOV_CIVIL_VERIFY_RATE (default
60/600) — a 50-bit code is not found by trying, and the limit keeps it so."""

from __future__ import annotations

import os

from django.conf import settings

from egov.core.throttle import Verdict, client_ip, window_hit

DEFAULT = "60/600"
SETTING = "EGOV_CIVIL_VERIFY_RATE"


def rate() -> str:
    return str(getattr(settings, SETTING, None) or os.environ.get(SETTING) or DEFAULT)


def hit(request) -> Verdict:
    """Count one look-up for the client; over the limit → not allowed."""
    _count, verdict = window_hit("civil.verify", client_ip(request), rate())
    return verdict
