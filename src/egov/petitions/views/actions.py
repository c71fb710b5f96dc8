"""The action forms of the petition page (classify, assign, accept, transfer, extend, resolve,
close…). Owned by the workflow part: `available()` lists what the user may do in the petition's
state; `run()` performs one through the services. The base offers none."""

from __future__ import annotations


def available(*, actor, petition, bound: dict | None = None) -> list[dict]:
    """[{"key", "label", "form", "open"}] — the actions offered to `actor` now."""
    return []


def handle_post(request, petition, action: str):
    """Perform `action` from the page's form; returns a response or None (404)."""
    return None
