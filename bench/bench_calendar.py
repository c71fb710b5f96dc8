"""Time the calendar service: add_working_days must take at most 50 µs per call after warm-up.

    uv run python bench/bench_calendar.py [--calls 100000]

Uses egov.settings (EGOV_DEBUG=1 unless set) and an already migrated database — the default
SQLite file or EGOV_DATABASE_URL. Exit code 1 when over budget.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time

BUDGET_US = 50.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egov.settings")
    os.environ.setdefault("EGOV_DEBUG", "1")
    import django

    django.setup()
    from egov.core import calendar
    from egov.core.models import CalendarDay

    rows = CalendarDay.objects.count()
    rng = random.Random(args.seed)
    base = dt.date(2020, 1, 1).toordinal()
    span = dt.date(2035, 12, 31).toordinal() - base
    starts = [dt.date.fromordinal(base + rng.randrange(span)) for _ in range(args.calls)]
    offsets = [rng.randrange(0, 401) for _ in range(args.calls)]
    ends = [s + dt.timedelta(days=rng.randrange(0, 600)) for s in starts]

    add, between = calendar.add_working_days, calendar.working_days_between
    for s, n in zip(starts[:2000], offsets[:2000], strict=True):  # warm-up: loads the cache
        add(s, n)
        between(s, s + dt.timedelta(days=n))

    t0 = time.perf_counter()
    for s, n in zip(starts, offsets, strict=True):
        add(s, n)
    add_us = (time.perf_counter() - t0) / args.calls * 1e6

    t0 = time.perf_counter()
    for s, e in zip(starts, ends, strict=True):
        between(s, e)
    between_us = (time.perf_counter() - t0) / args.calls * 1e6

    ok = add_us <= BUDGET_US
    print(f"CalendarDay rows: {rows}; calls: {args.calls:,}")
    print(f"add_working_days:     {add_us:7.2f} µs/call (budget ≤ {BUDGET_US:.0f} µs) "
          f"{'PASS' if ok else 'FAIL'}")
    print(f"working_days_between: {between_us:7.2f} µs/call")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
