"""Civil-status API: the national databases' sync (issue 13). Mounted under /api/v1/civil by
civil/api.py.

    GET /api/v1/civil/sync/failures   → {"items": [...]} events refused by the national
                                        database or waiting for a retry (civil.manage)
"""

from __future__ import annotations

import datetime as dt

from ninja import Router, Schema

from egov.core import policy
from egov.core.api import ERRORS
from egov.core.errors import PermissionDenied

from . import sync

router = Router(tags=["civil"])


class CivilSyncOut(Schema):
    key: str
    event_id: int
    kind: str
    state: str
    attempts: int
    next_attempt_at: dt.datetime
    last_error: str


class CivilSyncListOut(Schema):
    items: list[CivilSyncOut]


@router.get("/sync/failures", response={200: CivilSyncListOut, **ERRORS},
            summary="Events the national databases refused or that wait for a retry")
def sync_failures(request):
    if not policy.can(request.auth, "civil.manage"):
        raise PermissionDenied()
    return {"items": [{"key": r.key, "event_id": r.event_id, "kind": r.event.kind,
                       "state": r.state, "attempts": r.attempts,
                       "next_attempt_at": r.next_attempt_at, "last_error": r.last_error[:2000]}
                      for r in sync.failures()[:500]]}
