"""Per-client limits of the public one-stop pages and API (egov.core.throttle: one atomic
statement per hit, counters shared by every process). Rates are "<count>/<seconds>" strings,
from settings or the environment:

- EGOV_ONESTOP_LOOKUP_RATE (default 30/600): dossier look-ups (code + check digits, QR token
  pages, the API) and ratings — 4 check digits must not be guessable by trying;
- EGOV_ONESTOP_APPLY_RATE (default 10/3600): online applications sent (each sends an e-mail).
"""

from __future__ import annotations

import os

from django.conf import settings

from egov.core.throttle import Verdict, client_ip, window_hit

DEFAULTS = {"lookup": "30/600", "apply": "10/3600"}
SETTINGS = {"lookup": "EGOV_ONESTOP_LOOKUP_RATE", "apply": "EGOV_ONESTOP_APPLY_RATE"}


def rate(scope: str) -> str:
    name = SETTINGS[scope]
    return str(getattr(settings, name, None) or os.environ.get(name) or DEFAULTS[scope])


def hit(request, scope: str) -> Verdict:
    """Count one request of `scope` for the client; over the limit → not allowed (the refused
    request counts too)."""
    _count, verdict = window_hit(f"onestop.{scope}", client_ip(request), rate(scope))
    return verdict
