"""The signature check of incoming PDFs (NĐ 30/2020, Điều 21.2: an electronic document is checked
for authenticity and integrity before it is registered; Phụ lục VI Part I §II: the System
supports verifying digital signatures).

A small plugin registry, so the documents module does not depend on the signing module: the
signing module (issue 4) calls `register_verifier(fn)` in its AppConfig.ready(); until then the
default answer is ("not_checked", {"reason": "signing module not installed"}).

A verifier is `fn(stored_file) -> (status, report) | None`:

- `status` is a short code stored on the document (`IncomingDocument.signature_status`, at most
  16 characters): "not_checked", "unsigned", "valid", "invalid", "indeterminate" or "error";
- `report` is a JSON-serialisable dict shown on the document page (signers, certificates,
  signing times, what failed);
- returning None passes the file to the verifier registered before it.

The newest registered verifier is asked first. A verifier that raises does not stop the
registration: the answer is ("error", {...}) and the clerk sees that the check failed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.utils.translation import gettext_noop

logger = logging.getLogger(__name__)

Verifier = Callable[[Any], "tuple[str, dict] | None"]

NOT_CHECKED = "not_checked"
UNSIGNED = "unsigned"
VALID = "valid"
INVALID = "invalid"
INDETERMINATE = "indeterminate"
ERROR = "error"
STATUSES = (NOT_CHECKED, UNSIGNED, VALID, INVALID, INDETERMINATE, ERROR)

_verifiers: list[Verifier] = []


def register_verifier(fn: Verifier) -> Verifier:
    """Add a verifier (usable as a decorator). Registering the same function twice is a no-op."""
    if fn not in _verifiers:
        _verifiers.append(fn)
    return fn


def unregister_verifier(fn: Verifier) -> None:
    if fn in _verifiers:
        _verifiers.remove(fn)


@contextmanager
def use_verifier(fn: Verifier) -> Iterator[Verifier]:
    """Tests: swap in a verifier for the duration of a `with` block."""
    register_verifier(fn)
    try:
        yield fn
    finally:
        unregister_verifier(fn)


def default_verifier(stored_file) -> tuple[str, dict]:
    return NOT_CHECKED, {"reason": gettext_noop("signing module not installed")}


def _clean(answer) -> tuple[str, dict] | None:
    if answer is None:
        return None
    status, report = answer
    status = str(status or NOT_CHECKED)[:16]
    return status, dict(report or {})


def verify_incoming_pdf(stored_file) -> tuple[str, dict]:
    """(status, report) of the signatures in a stored PDF, from the newest verifier that answers."""
    for fn in reversed(list(_verifiers)):
        try:
            answer = _clean(fn(stored_file))
        except Exception as exc:  # noqa: BLE001 - a broken verifier must not block registration
            logger.exception("signature verifier %r failed", fn)
            return ERROR, {"reason": "the signature check failed", "error": str(exc)[:500]}
        if answer is not None:
            return answer
    return default_verifier(stored_file)
