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


def optional_body(request, schema: type[Schema], *, form_keys: tuple[str, ...],
                  default_field: str, not_object: dict[str, list[str]] | None = None):
    """An optional request body read inside an endpoint (so an empty body, ``{}`` and
    form-encoded bodies stay accepted): ``schema()`` for no body; otherwise the JSON object (or
    the ``form_keys`` of a form body) validated by ``schema``. Broken JSON → 400
    ``malformed_body``; not an object, or invalid fields → 422 with the fields named
    (``default_field`` when pydantic names none)."""
    from django.utils.translation import gettext as _
    from pydantic import ValidationError

    from .errors import AppError, InvalidInput
    from .jsonlimits import loads_limited

    if request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        data = {k: request.POST.get(k) for k in form_keys if k in request.POST}
    else:
        raw = request.body or b""
        if not raw.strip():
            return schema()
        try:
            data = loads_limited(raw)
        except ValueError:
            raise AppError("malformed_body", _("The request body is not valid JSON."),
                           status=400) from None
        if not isinstance(data, dict):
            raise InvalidInput(_("The request body must be a JSON object."),
                               fields=not_object or {})
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        fields: dict[str, list[str]] = {}
        for error in exc.errors():
            name = ".".join(str(p) for p in error.get("loc", ())) or default_field
            fields.setdefault(name, []).append(str(error.get("msg", "")))
        raise InvalidInput(_("Check the highlighted fields."), fields=fields) from None
