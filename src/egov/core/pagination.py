"""Keyset ("seek") pagination for every list: constant cost per page, never COUNT(*).

    page = keyset_page(qs, order=("due_sort", "id"), cursor=request_cursor, limit=50)
    page.items   # at most `limit` rows
    page.next    # opaque cursor for the following page, or None on the last page

Rules for `order`:

- field names of the queryset's model (a leading "-" means descending; directions may be mixed);
- the last field must be unique (normally "id"), so the ordering is total and no row is skipped
  or repeated between pages;
- the fields must not be NULL (store a non-null sort key instead, like WorkItem.due_sort).

The cursor is url-safe base64 of a small JSON list holding the last row's ordering values. It is
not signed: it only says where to resume, and the caller's queryset is still filtered by what the
actor may see, so a forged cursor can do no more than choose a starting point. A cursor that does
not decode to values of the right types is refused with InvalidInput code "bad_cursor" (422).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import decimal
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from .errors import InvalidInput

MAX_CURSOR_LENGTH = 1000
_BIGINT = 2**63 - 1


@dataclass
class Page:
    items: list = field(default_factory=list)
    next: str | None = None


# --- cursor encoding ----------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date | dt.time | uuid.UUID | decimal.Decimal):
        return str(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise TypeError(f"cannot put {type(value).__name__} into a cursor")


def encode_cursor(values: Sequence[Any]) -> str:
    """Opaque url-safe cursor for a list of ordering values."""
    raw = json.dumps([_plain(v) for v in values], separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _bad_cursor() -> InvalidInput:
    return InvalidInput(
        _("The page cursor is not valid. Start again from the first page."),
        fields={"cursor": [_("Invalid cursor.")]},
        code="bad_cursor",
    )


def decode_cursor(cursor: str, count: int) -> list[Any]:
    """The raw JSON values of a cursor (not yet converted to field types)."""
    if not isinstance(cursor, str) or len(cursor) > MAX_CURSOR_LENGTH:
        raise _bad_cursor()
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")).decode())
    except (ValueError, UnicodeError, binascii.Error):
        raise _bad_cursor() from None
    if not isinstance(values, list) or len(values) != count:
        raise _bad_cursor()
    return values


# --- ordering -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Key:
    name: str  # field path as used in filters ("due_sort", "unit__name")
    attr: str  # attribute path on the model instance
    descending: bool
    field: models.Field


def _model_field(model, path: str) -> models.Field:
    parts = path.split("__")
    fld = None
    for i, part in enumerate(parts):
        if part == "pk":
            fld = model._meta.pk
        else:
            fld = model._meta.get_field(part)
        if i < len(parts) - 1:
            if not fld.is_relation:
                raise FieldDoesNotExist(path)
            model = fld.related_model
    if fld.is_relation and fld.many_to_one:
        # ordering by a foreign key column orders by the referenced primary key value
        fld = fld.target_field
    return fld


def _keys(qs: QuerySet, order: Sequence[str]) -> list[_Key]:
    if not order:
        raise ValueError("keyset pagination needs at least one ordering field")
    keys = []
    for item in order:
        descending = item.startswith("-")
        name = item.lstrip("-")
        fld = _model_field(qs.model, name)
        attr = name.replace("__", ".")
        if name == "pk":
            attr = "pk"
        elif "__" not in name and qs.model._meta.get_field(name).many_to_one:
            # A foreign key orders by the related id: "unit" -> "unit_id" (not the row's own pk).
            attr = qs.model._meta.get_field(name).attname
        elif fld.primary_key and "__" not in name:
            attr = "pk"
        keys.append(_Key(name, attr, descending, fld))
    last = keys[-1].field
    if not (last.primary_key or last.unique):
        raise ValueError("the last ordering field of a keyset must be unique (e.g. 'id')")
    return keys


def _convert(key: _Key, raw: Any) -> Any:
    """A cursor value converted to the field's Python type; anything odd is a bad cursor."""
    if raw is None or isinstance(raw, list | dict):
        raise _bad_cursor()
    try:
        value = key.field.to_python(raw)
    except Exception:  # noqa: BLE001 - any failure to convert means the cursor is not ours
        raise _bad_cursor() from None
    if value is None:
        raise _bad_cursor()
    if isinstance(value, bool) and not isinstance(key.field, models.BooleanField):
        raise _bad_cursor()
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > _BIGINT:
        raise _bad_cursor()
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        raise _bad_cursor()
    if isinstance(value, str) and isinstance(raw, str) and len(raw) > MAX_CURSOR_LENGTH:
        raise _bad_cursor()
    return value


def _value_of(obj: Any, key: _Key) -> Any:
    if isinstance(obj, dict):
        return obj[key.name]
    value = obj
    for part in key.attr.split("."):
        value = getattr(value, part)
    if isinstance(value, models.Model):
        value = value.pk
    return value


def keyset_filter(keys_or_order, values: Sequence[Any], qs: QuerySet | None = None) -> Q:
    """The filter "rows strictly after `values` in this ordering".

    For (a, b) ascending that is `a >= x AND (a > x OR (a = x AND b > y))`: the redundant leading
    range lets the database start an index scan at the cursor instead of filtering from the top.
    """
    keys = keys_or_order if qs is None else _keys(qs, keys_or_order)
    after = Q(pk__in=[])
    for i, key in enumerate(keys):
        term = Q(**{f"{key.name}__{'lt' if key.descending else 'gt'}": values[i]})
        for prev, value in zip(keys[:i], values[:i], strict=False):
            term &= Q(**{prev.name: value})
        after |= term
    first = keys[0]
    return Q(**{f"{first.name}__{'lte' if first.descending else 'gte'}": values[0]}) & after


def cursor_values(qs: QuerySet, order: Sequence[str], cursor: str) -> list[Any]:
    """Decode and type-check a cursor for this queryset and ordering."""
    keys = _keys(qs, order)
    return [_convert(k, v) for k, v in zip(keys, decode_cursor(cursor, len(keys)), strict=True)]


def cursor_for(obj: Any, qs_or_model, order: Sequence[str]) -> str:
    """The cursor that resumes after `obj` (a model instance or a dict from .values())."""
    model = qs_or_model if isinstance(qs_or_model, type) else qs_or_model.model
    keys = _keys(model._default_manager.none(), order)
    values = [_value_of(obj, k) for k in keys]
    if any(v is None for v in values):
        raise ValueError("keyset ordering fields must not be NULL")
    return encode_cursor(values)


def check_limit(limit: Any, max_limit: int = 100) -> int:
    """A page size between 1 and max_limit (larger values are capped, not refused)."""
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise InvalidInput(
            _("The page size must be a whole number of at least 1."),
            fields={"limit": [_("Enter a whole number of at least 1.")]},
            code="invalid",
        )
    return min(limit, max_limit)


def keyset_page(
    qs: QuerySet,
    *,
    order: tuple[str, ...],
    cursor: str | None,
    limit: int,
    max_limit: int = 100,
) -> Page:
    """One page of `qs` in `order`, starting after `cursor`. Fetches limit + 1 rows (one query,
    plus whatever prefetch_related adds) and never counts."""
    limit = check_limit(limit, max_limit)
    keys = _keys(qs, order)
    if cursor:
        values = [_convert(k, v) for k, v in zip(keys, decode_cursor(cursor, len(keys)),
                                                    strict=True)]
        qs = qs.filter(keyset_filter(keys, values))
    rows = list(qs.order_by(*order)[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if more and rows:
        next_cursor = encode_cursor([_value_of(rows[-1], k) for k in keys])
    return Page(items=rows, next=next_cursor)
