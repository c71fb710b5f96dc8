"""Keyset pagination: every row exactly once, in order, one query per page, no COUNT."""

from __future__ import annotations

import base64
import datetime as dt
import json
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from egov.core.errors import InvalidInput
from egov.core.models import OrgUnit, WorkItem
from egov.core.pagination import (
    Page,
    cursor_for,
    decode_cursor,
    encode_cursor,
    keyset_page,
)

T0 = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)


@pytest.fixture
def items(org):
    rng = random.Random(7)
    rows = []
    for i in range(57):
        due = None if i % 5 == 0 else T0 + dt.timedelta(hours=rng.choice([0, 1, 2, 3]))
        rows.append(WorkItem(module="test", kind="k", title=f"item {i}", due_at=due,
                             assignee_unit=org["justice"],
                             created_at=T0 - dt.timedelta(minutes=rng.choice([0, 10, 20]))))
    for row in rows:
        row.save()
    return rows


def _walk(qs, order, limit):
    seen, cursor, pages = [], None, 0
    while True:
        page = keyset_page(qs, order=order, cursor=cursor, limit=limit)
        seen += page.items
        pages += 1
        assert len(page.items) <= limit
        if page.next is None:
            return seen, pages
        assert len(page.items) == limit
        cursor = page.next


def _key(order):
    def key(obj):
        out = []
        for name in order:
            value = getattr(obj, name.lstrip("-"))
            if isinstance(value, dt.datetime):
                value = value.timestamp()
            out.append(-value if name.startswith("-") else value)
        return tuple(out)

    return key


@pytest.mark.parametrize("order", [("due_sort", "id"), ("-created_at", "-id"),
                                   ("-due_sort", "id"), ("created_at", "-id")])
@pytest.mark.parametrize("limit", [1, 7, 10, 57, 100])
def test_every_row_once_in_order(items, order, limit):
    qs = WorkItem.objects.all()
    seen, pages = _walk(qs, order, limit)
    assert [w.pk for w in seen] == [w.pk for w in sorted(items, key=_key(order))]
    assert len({w.pk for w in seen}) == len(items)
    assert pages == -(-len(items) // limit)  # no extra empty page at the end


def test_string_ordering(org):
    seen, _ = _walk(OrgUnit.objects.all(), ("name", "id"), 2)
    assert [u.name for u in seen] == sorted(u.name for u in OrgUnit.objects.all())


def test_one_query_per_page_and_no_count(items):
    cursor = keyset_page(WorkItem.objects.all(), order=("due_sort", "id"), cursor=None,
                         limit=10).next
    with CaptureQueriesContext(connection) as ctx:
        page = keyset_page(WorkItem.objects.all(), order=("due_sort", "id"), cursor=cursor,
                           limit=10)
    assert len(page.items) == 10
    assert len(ctx.captured_queries) == 1
    sql = ctx.captured_queries[0]["sql"].upper()
    assert "COUNT(" not in sql and "LIMIT 11" in sql


def test_empty_and_exact_pages(org):
    assert keyset_page(WorkItem.objects.all(), order=("due_sort", "id"), cursor=None,
                       limit=5) == Page(items=[], next=None)
    for i in range(5):
        WorkItem.objects.create(module="m", kind="k", title=str(i), assignee_unit=org["office"])
    page = keyset_page(WorkItem.objects.all(), order=("due_sort", "id"), cursor=None, limit=5)
    assert len(page.items) == 5 and page.next is None


def test_limit_is_capped_and_checked(items):
    page = keyset_page(WorkItem.objects.all(), order=("id",), cursor=None, limit=500,
                       max_limit=20)
    assert len(page.items) == 20
    for bad in (0, -1, "10", None, True):
        with pytest.raises(InvalidInput):
            keyset_page(WorkItem.objects.all(), order=("id",), cursor=None, limit=bad)


def test_cursor_round_trip_handles_types():
    values = [dt.datetime(2026, 1, 2, 3, 4, 5, 600, tzinfo=dt.UTC), 42, "Sở Tư pháp",
              dt.date(2026, 1, 2)]
    cursor = encode_cursor(values)
    assert "=" not in cursor and "+" not in cursor and "/" not in cursor
    assert decode_cursor(cursor, 4) == [values[0].isoformat(), 42, "Sở Tư pháp", "2026-01-02"]


def test_cursor_for_a_row(items):
    first = keyset_page(WorkItem.objects.all(), order=("due_sort", "id"), cursor=None, limit=3)
    assert cursor_for(first.items[-1], WorkItem, ("due_sort", "id")) == first.next


def _b64(value) -> str:
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize("cursor", [
    "not a cursor!!",
    "%%%",
    _b64(b"\xff\xfe"),
    _b64("just a string"),
    _b64([1]),
    _b64([1, 2, 3]),
    _b64(["yesterday", 5]),
    _b64(["2026-01-01T00:00:00", 5]),          # naive datetime
    _b64(["2026-01-01T00:00:00+00:00", "x"]),
    _b64(["2026-01-01T00:00:00+00:00", 10**30]),
    _b64(["2026-01-01T00:00:00+00:00", None]),
    _b64(["2026-01-01T00:00:00+00:00", [1]]),
    _b64([{"a": 1}, 1]),
    _b64(["2026-13-45T00:00:00+00:00", 1]),
    "A" * 5000,
])
def test_bad_cursor_is_refused(items, cursor):
    with pytest.raises(InvalidInput) as exc:
        keyset_page(WorkItem.objects.all(), order=("due_sort", "id"), cursor=cursor, limit=5)
    assert exc.value.code == "bad_cursor"
    assert exc.value.status == 422
    assert "cursor" in exc.value.fields


def test_order_must_end_with_a_unique_field():
    with pytest.raises(ValueError):
        keyset_page(WorkItem.objects.all(), order=("due_sort",), cursor=None, limit=5)


def test_ordering_by_a_foreign_key_pages_by_the_related_id(org, make_user):
    """Regression: the cursor of an order on a plain foreign key must hold the related id."""
    from egov.core.models import WorkItem
    from egov.core.pagination import keyset_page

    units = [org["province"], org["office"], org["justice"], org["finance"], org["commune"]]
    for unit in units:
        for i in range(2):
            WorkItem.objects.create(module="core", kind="fk", title=f"{unit.name} {i}",
                                    assignee_unit=unit)
    qs = WorkItem.objects.filter(kind="fk")
    seen, cursor = [], None
    while True:
        page = keyset_page(qs, order=("assignee_unit", "id"), cursor=cursor, limit=3)
        seen += [w.pk for w in page.items]
        cursor = page.next
        if not cursor:
            break
    expected = list(qs.order_by("assignee_unit", "id").values_list("pk", flat=True))
    assert seen == expected
