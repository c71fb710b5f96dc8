"""Per-client limits of the public petition pages and API (egov.core.throttle: one atomic
statement per hit, counters shared by every process). Rates are "<count>/<seconds>" strings,
from settings or the environment:

- EGOV_PETITIONS_LOOKUP_RATE (default 30/600): look-ups by code + check (API, page, receipt) —
  the check must not be guessable by trying;
- EGOV_PETITIONS_SUBMIT_RATE (default 10/3600): petitions sent from the portal.
"""

from __future__ import annotations

import os

from django.conf import settings

from egov.core.throttle import Verdict, client_ip, window_hit

DEFAULTS = {"lookup": "30/600", "submit": "10/3600"}
SETTINGS = {"lookup": "EGOV_PETITIONS_LOOKUP_RATE", "submit": "EGOV_PETITIONS_SUBMIT_RATE"}


def rate(scope: str) -> str:
    name = SETTINGS[scope]
    return str(getattr(settings, name, None) or os.environ.get(name) or DEFAULTS[scope])


def hit(request, scope: str) -> Verdict:
    """Count one request of `scope` for the client; over the limit → not allowed."""
    _count, verdict = window_hit(f"petitions.{scope}", client_ip(request), rate(scope))
    return verdict
