"""Civil-status API: stats (issue 13). Mounted under /api/v1/civil by civil/api.py."""

from ninja import Router

router = Router(tags=["civil"])
