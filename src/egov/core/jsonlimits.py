"""JSON from clients, read within limits: at most EGOV_API_MAX_JSON_BYTES bytes and
EGOV_API_MAX_JSON_DEPTH levels of nested objects and lists.

Python's json parser (and the validation after it) recurse once per level, so a body of a few
thousand `[` characters used to end in RecursionError, a 500. The depth is measured on the text
before parsing, in linear time and without recursion; too deep answers 400 `too_deep`, too large
413 `too_large` (AppError, so the API answers in its one error shape).

    data = loads_limited(raw, field="data")   # the multipart field's name, for `fields`

Decoding errors are left to the caller (json.JSONDecodeError is a ValueError), so each endpoint
keeps its own message for text that is not JSON.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from .errors import AppError

DEFAULT_MAX_BYTES = 1024 * 1024
DEFAULT_MAX_DEPTH = 32

# Strings (with their escapes) are skipped whole; what is left are brackets and other tokens.
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[{]|[\]}]', re.DOTALL)


def max_bytes() -> int:
    return int(getattr(settings, "EGOV_API_MAX_JSON_BYTES", DEFAULT_MAX_BYTES))


def max_depth() -> int:
    return int(getattr(settings, "EGOV_API_MAX_JSON_DEPTH", DEFAULT_MAX_DEPTH))


def json_depth(text: str) -> int:
    """The deepest nesting of objects/lists in JSON text (0 for a scalar); brackets inside
    strings do not count. Works on any text, valid JSON or not."""
    depth = deepest = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            if depth > deepest:
                deepest = depth
        elif token in ("]", "}"):
            depth = max(depth - 1, 0)
    return deepest


def too_large(field: str | None = None) -> AppError:
    message = _("The JSON is too large (at most %(max)s bytes).") % {"max": max_bytes()}
    return AppError("too_large", message, fields={field: [message]} if field else {}, status=413)


def check_limits(raw: str | bytes, *, field: str | None = None) -> str:
    """Raise AppError if `raw` is larger or deeper than allowed; return it as text."""
    size = len(raw) if isinstance(raw, bytes) else len(raw.encode("utf-8", "surrogatepass"))
    if size > max_bytes():
        raise too_large(field)
    fields: dict[str, list[str]] = {field: []} if field else {}
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8")  # UnicodeDecodeError is a ValueError: the caller's 400
    levels = max_depth()
    if json_depth(raw) > levels:
        message = _("The JSON is nested too deeply (at most %(max)s levels).") % {"max": levels}
        if field:
            fields[field].append(message)
        raise AppError("too_deep", message, fields=fields, status=400)
    return raw


def loads_limited(raw: str | bytes, *, field: str | None = None) -> Any:
    """json.loads within the limits (see the module docstring)."""
    return json.loads(check_limits(raw, field=field))
