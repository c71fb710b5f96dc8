"""Signing API: batches (paths under /api/v1/signing/...)."""

from ninja import Router

router = Router(tags=["signing"])
