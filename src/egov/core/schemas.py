"""The base of every API input schema: strings are cleaned by `egov.core.text.clean_text`
(control characters removed, bidirectional controls refused with the field named), the same
cleaning the web forms apply (`egov.core.forms`). Output schemas stay plain `ninja.Schema`:
what is already stored is shown as it is."""

from __future__ import annotations

from typing import Any

from ninja import Schema
from pydantic import field_validator

from .text import UnsafeText, clean_text


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {(_clean(k) if isinstance(k, str) else k): _clean(v) for k, v in value.items()}
    return value


class InputSchema(Schema):
    @field_validator("*", mode="after")
    @classmethod
    def _clean_text(cls, value: Any) -> Any:
        try:
            return _clean(value)
        except UnsafeText as err:
            raise ValueError(str(err)) from None
