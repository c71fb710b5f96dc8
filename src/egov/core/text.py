"""The one cleaning of text that people type: used by the web forms (`egov.core.forms`), the API's
input schemas (`egov.core.schemas.InputSchema`) and the services that take a data dictionary
(`clean_data`), so a value is treated the same whichever door it came through.

- Control characters are removed: C0 (U+0001–U+001F) except tab and line feed, DEL (U+007F) and
  C1 (U+0080–U+009F). NUL is refused instead (as the API parser and Django's form fields always
  did): it cannot be stored in PostgreSQL and is a sign of binary data sent as text. A carriage return is not kept: CR LF (what browsers send from a textarea)
  and a lone CR become LF. They have no place in a record, break exports (CSV, XML, edXML) and
  can hide text in a terminal or a log.
- Bidirectional embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069) are
  refused in every field, with the field named: Vietnamese text never needs them, and in
  identifiers, codes and names they make one value look like another ("Trojan source"
  spoofing of a document number, a username or a file name). Refusing everywhere — not only in
  codes — keeps one rule that a clerk can be told; the marks that a right-to-left quotation may
  legitimately use (U+200E, U+200F, U+061C) are allowed.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _

from .errors import InvalidInput

_CONTROLS = re.compile("[\x01-\x08\x0b-\x1f\x7f-\x9f]")
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


class UnsafeText(ValueError):
    """The text carries bidirectional controls; `str(err)` is the message for the user."""


def bidi_message() -> str:
    return _("The text contains invisible characters that change the direction of writing "
             "(Unicode U+202A–U+202E or U+2066–U+2069). Retype it without them.")


def clean_text(value: str) -> str:
    """`value` without control characters (tab and line feed kept; CR LF and CR → LF); raises
    UnsafeText if it holds a bidirectional control or NUL (see the module doc)."""
    if not isinstance(value, str):
        return value
    if _BIDI.search(value):
        raise UnsafeText(bidi_message())
    if "\x00" in value:
        raise UnsafeText(_("Remove control characters."))
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROLS.sub("", value)


def has_bidi_controls(value: str) -> bool:
    return isinstance(value, str) and bool(_BIDI.search(value))


def clean_data(data: Any, *, max_depth: int = 32) -> Any:
    """A copy of a JSON-like value (dicts, lists, strings, numbers) with every string and every
    key passed through `clean_text`. Bidirectional controls are refused with InvalidInput
    (code "unsafe_text") naming each field (the top-level key) that holds one."""
    errors: dict[str, list[str]] = {}

    def walk(value: Any, field: str, depth: int) -> Any:
        if depth > max_depth:
            return value  # the depth limit is the parser's job; nothing to clean past it
        if isinstance(value, str):
            try:
                return clean_text(value)
            except UnsafeText as err:
                errors.setdefault(field or "data", [str(err)])
                return value
        if isinstance(value, dict):
            out = {}
            for key, item in value.items():
                name = key if depth == 0 and isinstance(key, str) else field
                clean_key = walk(key, name, depth + 1) if isinstance(key, str) else key
                out[clean_key] = walk(item, name, depth + 1)
            return out
        if isinstance(value, (list, tuple)):
            return type(value)(walk(item, field, depth + 1) for item in value)
        return value

    cleaned = walk(data, "", 0)
    if errors:
        raise InvalidInput(next(iter(errors.values()))[0], code="unsafe_text", fields=errors)
    return cleaned


def clean_field(value: Any, field: str) -> Any:
    """`clean_text` for one value read straight from a request (not through a form or a
    schema); a bidirectional control is refused with InvalidInput naming `field`."""
    try:
        return clean_text(value) if isinstance(value, str) else value
    except UnsafeText as err:
        raise InvalidInput(str(err), code="unsafe_text", fields={field: [str(err)]}) from None
