"""Likely duplicates of a person about to be registered (issue 13, duplicate detection)."""

from __future__ import annotations


def likely_duplicates(*, actor, spec: dict, mother=None, limit: int = 5) -> list:
    """The existing records (readable by `actor`) most likely to be the person `spec` (the
    fields of a new record, as register_birth takes them; `mother` the mother's Person if
    known), best first. Each item has .person, .score (0–1) and .reasons (list of str)."""
    return []
