"""Gapless yearly numbers for legal registers (số đến, số văn bản đi, mã hồ sơ, số hộ tịch…).

A number is allocated inside the caller's transaction by incrementing its `Sequence` row; the
row stays locked until that transaction ends, so concurrent callers queue, and a rollback takes
the increment back with everything else: the next caller gets the same number, no gap.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import InvalidInput
from .models import Sequence

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def current_year() -> int:
    """The current year in Vietnam (UTC+7), the year a number allocated now belongs to."""
    return timezone.now().astimezone(LOCAL_TZ).year


def _check_key(scope: str, series: str, year: int) -> None:
    for name, value in (("scope", scope), ("series", series)):
        if not isinstance(value, str) or not value or len(value) > 100:
            raise InvalidInput(_("Invalid numbering key."), code="sequence_key",
                               fields={name: [_("Give 1 to 100 characters.")]})
    if isinstance(year, bool) or not isinstance(year, int) or not 1 <= year <= 9999:
        raise InvalidInput(_("Invalid numbering year."), code="sequence_key",
                           fields={"year": [_("Give a year between 1 and 9999.")]})


def sequence_next(*, scope: str, series: str, year: int | None = None) -> int:
    """Allocate the next number of (scope, series, year) in the caller's transaction.

    Must be called inside `transaction.atomic()`: the number is only final when the caller's
    transaction commits, and a rollback releases it. `year` defaults to the current local year,
    so every series starts again at 1 on 1 January.
    """
    # NĐ 30/2020, Điều 15 / Phụ lục III: số văn bản bắt đầu từ số 01 vào ngày 01 tháng 01,
    # kết thúc vào ngày 31 tháng 12 hằng năm.
    if year is None:
        year = current_year()
    _check_key(scope, series, year)
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError(
            "sequence_next() must run inside transaction.atomic(): the number belongs to the "
            "transaction that records it"
        )
    table = connection.ops.quote_name(Sequence._meta.db_table)
    params = [scope, series, year]
    if connection.vendor in ("postgresql", "sqlite"):  # SQLite >= 3.35 for RETURNING
        # One round trip when the row exists. The UPDATE holds the row lock until the caller's
        # transaction ends (on SQLite the IMMEDIATE transaction already holds the write lock).
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET last_value = last_value + 1 "
                "WHERE scope = %s AND series = %s AND year = %s RETURNING last_value",
                params,
            )
            row = cursor.fetchone()
            if row is not None:
                return row[0]
            # First number of the year: insert, or — if another transaction inserted the row
            # meanwhile — wait for it and increment (race-safe, still gapless: a rolled-back
            # insert leaves no row behind).
            cursor.execute(
                f"INSERT INTO {table} (scope, series, year, last_value) VALUES (%s, %s, %s, 1) "
                "ON CONFLICT (scope, series, year) "
                f"DO UPDATE SET last_value = {table}.last_value + 1 RETURNING last_value",
                params,
            )
            return cursor.fetchone()[0]

    # Any other database: lock the row; create it in a savepoint if missing.
    key = {"scope": scope, "series": series, "year": year}
    seq = Sequence.objects.select_for_update().filter(**key).first()
    if seq is None:
        try:
            with transaction.atomic():
                Sequence.objects.create(**key, last_value=0)
        except IntegrityError:
            pass
        seq = Sequence.objects.select_for_update().get(**key)
    seq.last_value += 1
    seq.save(update_fields=["last_value"])
    return seq.last_value


def sequence_next_block(*, scope: str, series: str, year: int | None = None,
                        count: int) -> int:
    """Allocate `count` consecutive numbers of (scope, series, year) at once in the caller's
    transaction; returns the first (the block is first … first + count - 1, gapless like
    `sequence_next`). One statement instead of `count`: on PostgreSQL, thousands of updates of
    the same row in one transaction each walk the row's growing chain of versions."""
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError("count must be a positive integer")
    if count == 1:
        return sequence_next(scope=scope, series=series, year=year)
    if year is None:
        year = current_year()
    _check_key(scope, series, year)
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("sequence_next_block() must run inside transaction.atomic()")
    if connection.vendor not in ("postgresql", "sqlite"):
        first = sequence_next(scope=scope, series=series, year=year)
        for _i in range(count - 1):
            sequence_next(scope=scope, series=series, year=year)
        return first
    table = connection.ops.quote_name(Sequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (scope, series, year, last_value) VALUES (%s, %s, %s, %s) "
            "ON CONFLICT (scope, series, year) "
            f"DO UPDATE SET last_value = {table}.last_value + %s RETURNING last_value",
            [scope, series, year, count, count],
        )
        last = cursor.fetchone()[0]
    return last - count + 1


def format_number(n: int, width: int = 2) -> str:
    """The number as written on the document: 5 → "05", 123 → "123"."""
    # NĐ 30/2020, Phụ lục III: số của văn bản được ghi bằng chữ số Ả-rập; đối với những số
    # nhỏ hơn 10 phải ghi thêm số 0 phía trước.
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError("a document number is a non-negative integer")
    return f"{n:0{width}d}"
