"""The portal's public API (no login), mounted at /api/v1/portal/ by egov/urls.py."""

from ninja import Router

router = Router(tags=["portal"])
