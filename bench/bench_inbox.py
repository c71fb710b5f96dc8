"""Benchmark: the inbox ("Việc của tôi", GET /api/v1/inbox) on a million work items.
Budget: p95 <= 30 ms server time and <= 8 queries per request, on PostgreSQL.

    uv run python bench/bench_inbox.py [--requests 200] [--limit 50] [--explain]

Database: EGOV_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/egov_bench), created if
missing and migrated. Data (generated once, kept for later runs; about a minute):

- 50 units (a province committee and 49 agencies), 5,000 users each holding one post;
- 1,000,000 work items made with `INSERT … SELECT generate_series` (not the ORM): 990,000
  spread over the other users and units — 90 % done, 5 % cancelled, 5 % open — and 10,000 OPEN
  for the bench user: 6,000 assigned to her personally and 4,000 to no person but to the three
  units where she works (her post, a concurrent post, a delegation in force today);
- ANALYZE afterwards.

Measured: the full API request through django.test.Client with a Bearer token (auth, selector,
serialisation), `--requests` times for the first page and `--requests` pages walked with the
`next` cursor (the walk also checks that no item is repeated or missed). Prints p50/p95/max and
the most queries of any request, PASS/FAIL; exits 1 on FAIL.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time

import common  # noqa: E402 - bench/common.py (scripts run from bench/)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/egov_bench"
BUDGET_P95_MS = 30.0
BUDGET_QUERIES = 8
MARKER_EID = "000.00.00.B99"  # the bench province's electronic identifier
USERS = 5_000
UNITS = 50
TOTAL_ITEMS = 1_000_000
MINE_PERSONAL = 6_000
MINE_UNIT = 4_000
BENCH_USER = "bench_u00000"


def _generate() -> None:
    from django.db import connection, transaction

    from egov.core.models import OrgUnit, OrgUnitKind, WorkItem

    if OrgUnit.objects.filter(electronic_id=MARKER_EID).exists():
        count = WorkItem.objects.filter(module="bench").count()
        print(f"data present: {count:,} bench work items (generation skipped)")
        return
    print("generating data …", flush=True)
    started = time.perf_counter()
    with transaction.atomic():
        with common.Timer("50 units (ORM)"):
            root = OrgUnit.objects.create(kind=OrgUnitKind.PROVINCE_COMMITTEE,
                                          name="UBND tỉnh Đo Tải (bench)", abbreviation="UBND",
                                          electronic_id=MARKER_EID, place_name="Đo Tải")
            units = [root.pk]
            for i in range(1, UNITS):
                units.append(OrgUnit.objects.create(
                    kind=OrgUnitKind.AGENCY, name=f"Sở {i:02d} (bench)", abbreviation=f"S{i:02d}",
                    parent=root, electronic_id=f"000.00.{i:02d}.B99", place_name="Đo Tải",
                ).pk)
        with connection.cursor() as cur:
            with common.Timer(f"{USERS:,} users + posts (INSERT … SELECT)"):
                cur.execute(
                    """
                    INSERT INTO core_user (password, is_superuser, username, first_name,
                        last_name, email, is_staff, is_active, date_joined, full_name,
                        failed_logins, is_demo)
                    SELECT '!', false, 'bench_u' || lpad(g::text, 5, '0'), '', '', '', false,
                           true, now(), 'Cán bộ ' || g, 0, false
                    FROM generate_series(0, %s - 1) g
                    """,
                    [USERS],
                )
                cur.execute("SELECT id FROM core_user WHERE username LIKE 'bench\\_u%%' "
                            "ORDER BY username")
                users = [row[0] for row in cur.fetchall()]
                # user i works in unit (i mod 49) + 1: the bench user (i = 0) in unit 1
                cur.execute(
                    """
                    INSERT INTO core_position (user_id, org_unit_id, title, is_primary,
                        valid_from)
                    SELECT u.id, (%s::bigint[])[((u.n - 1) %% 49) + 2], 'Chuyên viên', true,
                           DATE '2025-07-01'
                    FROM unnest(%s::bigint[]) WITH ORDINALITY AS u(id, n)
                    """,
                    [units, users],
                )
                me = users[0]
                # a concurrent post (kiêm nhiệm) in unit 2
                cur.execute(
                    "INSERT INTO core_position (user_id, org_unit_id, title, is_primary, "
                    "valid_from) VALUES (%s, %s, 'Phó Chánh Văn phòng', false, "
                    "DATE '2025-07-01')", [me, units[2]])
                # the post of user 2 (unit 3), delegated to the bench user (dates refreshed
                # on every run, see _refresh_delegation)
                cur.execute(
                    "INSERT INTO core_delegation (position_id, delegate_id, capacity, start, "
                    "\"end\", reason, created_at) SELECT id, %s, 'TUQ', CURRENT_DATE - 1, "
                    "CURRENT_DATE + 30, 'bench', now() FROM core_position WHERE user_id = %s",
                    [me, users[2]])

            insert_sql = """
                INSERT INTO core_workitem (module, kind, title, url, subject_id,
                    assignee_user_id, assignee_unit_id, role, urgency, state, due_at, due_sort,
                    created_at, opened_at, finished_at)
                SELECT 'bench', 'handle', 'Văn bản số ' || g, '/bench/' || g, '',
                       {user}, {unit}, 'lead', '', {state}, d.due, COALESCE(d.due,
                       TIMESTAMPTZ '9999-12-31 00:00:00+00'), now() - (g %% 365) * INTERVAL '1 day',
                       NULL, {finished}
                FROM generate_series(1, %s) g
                CROSS JOIN LATERAL (SELECT CASE WHEN g %% 10 = 0 THEN NULL
                    ELSE date_trunc('minute', now()) + ((g %% 60) - 20) * INTERVAL '1 day'
                         + (g %% 24) * INTERVAL '1 hour' END AS due) d
            """
            with common.Timer(f"{MINE_PERSONAL + MINE_UNIT:,} open items of the bench user"):
                cur.execute(insert_sql.format(user="%s", unit="%s", state="'open'", finished="NULL"),
                            [me, units[1], MINE_PERSONAL])
                cur.execute(insert_sql.format(user="NULL",
                                          unit="(ARRAY[%s, %s, %s]::bigint[])[(g %% 3) + 1]",
                                          state="'open'", finished="NULL"),
                            [units[1], units[2], units[3], MINE_UNIT])
            rest = TOTAL_ITEMS - MINE_PERSONAL - MINE_UNIT
            with common.Timer(f"{rest:,} other items (90 % done, 5 % cancelled, 5 % open)"):
                # Open items of other people may sit in the bench user's units (she must not
                # see them); unassigned open items only in units 4..49.
                cur.execute(
                    insert_sql.format(
                        user="CASE WHEN g %% 40 = 0 THEN NULL "
                             "ELSE (%s::bigint[])[(g %% (%s - 1)) + 2] END",
                        unit="CASE WHEN g %% 40 = 0 THEN (%s::bigint[])[(g %% 46) + 5] "
                             "ELSE (%s::bigint[])[(g %% 50) + 1] END",
                        state="CASE WHEN g %% 20 = 0 THEN 'open' WHEN g %% 20 = 1 "
                              "THEN 'cancelled' ELSE 'done' END",
                        finished="CASE WHEN g %% 20 = 0 THEN NULL "
                                 "ELSE now() - (g %% 300) * INTERVAL '1 day' END",
                    ),
                    [users, USERS, units, units, rest],
                )
    with connection.cursor() as cur, common.Timer("ANALYZE"):
        cur.execute("ANALYZE core_workitem")
        cur.execute("ANALYZE core_position")
        cur.execute("ANALYZE core_delegation")
        cur.execute("ANALYZE core_user")
    print(f"generated in {time.perf_counter() - started:.1f} s", flush=True)


def _refresh_delegation(me) -> None:
    from egov.core.models import Delegation

    Delegation.objects.filter(delegate=me, reason="bench").update(
        start=dt.date.today() - dt.timedelta(days=1), end=dt.date.today() + dt.timedelta(days=30))


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def _measure(client, headers, urls_from, requests: int):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, queries, ids = [], [], []
    url = urls_from(None)
    for _ in range(requests):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(url, **headers)
            elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"FAIL: {url} answered {response.status_code}: "
                             f"{response.content[:300]!r}")
        body = response.json()
        times.append(elapsed)
        queries.append(len(ctx.captured_queries))
        ids += [item["id"] for item in body["items"]]
        url = urls_from(body["next"])
        if url is None:
            break
    return times, queries, ids


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--limit", type=int, default=50)
    parser.add_argument("--explain", action="store_true", help="print the query plans")
    args = parser.parse_args()

    url = os.environ.setdefault("EGOV_DATABASE_URL", DEFAULT_URL)
    if not url.startswith(("postgres://", "postgresql://")):
        print("EGOV_DATABASE_URL must point to PostgreSQL", file=sys.stderr)
        return 2
    common.ensure_database(url)
    common.setup_django(DEFAULT_URL)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from egov.core import tokens
    from egov.core.models import User, WorkItem

    call_command("migrate", verbosity=0, interactive=False)
    _generate()
    me = User.objects.get(username=BENCH_USER)
    _refresh_delegation(me)
    expected = WorkItem.objects.filter(module="bench", state="open", assignee_user=me).count()
    from egov.core.selectors import inbox_unit_ids

    expected_unit = WorkItem.objects.filter(
        module="bench", state="open", assignee_user__isnull=True,
        assignee_unit__in=inbox_unit_ids(me)).count()
    _token, raw = tokens.token_create(actor=me, name="bench")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}", "HTTP_HOST": "localhost"}
    client = Client()
    base = f"/api/v1/inbox?limit={args.limit}"

    if args.explain:
        from egov.core import selectors

        with connection.cursor() as cur:
            from django.test.utils import CaptureQueriesContext

            with CaptureQueriesContext(connection) as ctx:
                selectors.inbox_page(actor=me, limit=args.limit)
            for query in ctx.captured_queries:
                cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                print("\n".join(row[0] for row in cur.fetchall()), end="\n\n")

    for _ in range(20):  # warm up: connection, caches, token's last_used_at
        client.get(base, **headers)

    first_times, first_queries, _ids = [], [], []
    for _ in range(args.requests):
        t, q, _i = _measure(client, headers, lambda n: base if n is None else None, 1)
        first_times += t
        first_queries += q
    walk_times, walk_queries, walk_ids = _measure(
        client, headers, lambda n: base if n is None else (f"{base}&cursor={n}" if n else None),
        args.requests)

    print(f"\ninbox of {BENCH_USER}: {expected:,} personal + {expected_unit:,} unit items open "
          f"(of {WorkItem.objects.filter(module='bench').count():,} work items), "
          f"page size {args.limit}")
    ok = True
    for label, times, queries in (("first page", first_times, first_queries),
                                  ("walk with cursor", walk_times, walk_queries)):
        p50, p95 = statistics.median(times), _percentile(times, 95)
        good = p95 <= BUDGET_P95_MS and max(queries) <= BUDGET_QUERIES
        ok &= good
        print(f"{label:>17}: {len(times)} requests  p50 {p50:.1f} ms  p95 {p95:.1f} ms  "
              f"max {max(times):.1f} ms  queries max {max(queries)}  "
              f"(budget p95 <= {BUDGET_P95_MS:.0f} ms, <= {BUDGET_QUERIES} queries) "
              f"{'ok' if good else 'OVER BUDGET'}")
    unique = len(set(walk_ids)) == len(walk_ids)
    complete = len(walk_ids) == min(expected + expected_unit, args.requests * args.limit)
    print(f"walk: {len(walk_ids):,} items, {len(set(walk_ids)):,} distinct"
          f"{'' if unique else '  DUPLICATES!'}{'' if complete else '  MISSING ITEMS!'}")
    ok &= unique and complete
    tokens.token_revoke(actor=me, token_id=_token.pk)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
