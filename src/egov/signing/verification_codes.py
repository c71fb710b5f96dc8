"""Verification codes of issued documents (issue 4): a short unguessable code and a QR code in
the top margin of page 1 lead to the public verification page."""

from __future__ import annotations


def add_verification_mark(writer, document) -> None:
    """Draw ``document``'s verification code and QR code into page 1 of ``writer`` (an
    incremental writer, before any signature). Placeholder: filled in by issue 4."""
    return None
