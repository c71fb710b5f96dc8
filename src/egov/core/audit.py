"""Append-only, hash-chained audit trail (interface; implemented by the audit work)."""

from __future__ import annotations


def audit_log(*, actor, action: str, obj=None, details: dict | None = None,
              object_type: str = "", object_id: str = ""):
    """Append one event in the caller's transaction. Returns the AuditEvent."""
    raise NotImplementedError
