"""Benchmark: gapless number allocation under concurrency (budget: >= 500 allocations/s with 8
concurrent clients on PostgreSQL).

    EGOV_DATABASE_URL=postgres://postgres@127.0.0.1:5432/egov_bench \
        uv run python bench/bench_sequence.py [--clients 8] [--total 4000] [--budget 500]

Creates the database if it is missing and migrates it. Each client is a separate process (no
shared GIL) with its own connection; every allocation is its own transaction, all on the same
series, so they all contend for one row lock — the worst case. Afterwards the allocated numbers
must be exactly 1..N. Prints PASS/FAIL; exits 1 on FAIL (too slow, gap or duplicate).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import sys
import time
import uuid

import common  # noqa: E402 - bench/common.py (scripts run from bench/)


def _client(count: int, scope: str, barrier, results) -> None:
    common.setup_django()
    from django.db import connection, transaction

    from egov.core.numbering import sequence_next

    numbers = []
    connection.ensure_connection()
    barrier.wait()
    started = time.perf_counter()
    for _ in range(count):
        with transaction.atomic():
            numbers.append(sequence_next(scope=scope, series="outgoing", year=2026))
    finished = time.perf_counter()
    connection.close()
    results.put((started, finished, numbers))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--total", type=int, default=4000)
    parser.add_argument("--budget", type=float, default=500.0, help="allocations per second")
    args = parser.parse_args()

    url = os.environ.get("EGOV_DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        print("Set EGOV_DATABASE_URL to a PostgreSQL database, e.g. "
              "postgres://postgres@127.0.0.1:5432/egov_bench", file=sys.stderr)
        return 2
    common.ensure_database(url)
    common.setup_django()
    from django.core.management import call_command

    from egov.core.models import Sequence

    call_command("migrate", verbosity=0, interactive=False)

    scope = f"bench-{uuid.uuid4().hex[:12]}"
    per_client = [args.total // args.clients + (1 if i < args.total % args.clients else 0)
                  for i in range(args.clients)]
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(args.clients)
    results = ctx.Queue()
    processes = [ctx.Process(target=_client, args=(n, scope, barrier, results))
                 for n in per_client]
    for p in processes:
        p.start()
    outcomes = [results.get() for _ in processes]
    for p in processes:
        p.join()
    if any(p.exitcode != 0 for p in processes):
        print("FAIL: a client process crashed", file=sys.stderr)
        return 1

    elapsed = max(o[1] for o in outcomes) - min(o[0] for o in outcomes)
    numbers = sorted(n for o in outcomes for n in o[2])
    rate = len(numbers) / elapsed
    gapless = numbers == list(range(1, args.total + 1))
    stored = Sequence.objects.get(scope=scope, series="outgoing", year=2026).last_value
    Sequence.objects.filter(scope=scope).delete()

    print(f"clients: {args.clients} processes, allocations: {len(numbers)} "
          f"(one transaction each, one contended row)")
    print(f"elapsed: {elapsed:.3f} s, rate: {rate:,.0f} allocations/s "
          f"(budget >= {args.budget:,.0f}/s)")
    print(f"numbers 1..{args.total} without gap or duplicate: {'yes' if gapless else 'NO'}; "
          f"row value {stored}")
    ok = gapless and stored == args.total and rate >= args.budget
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
