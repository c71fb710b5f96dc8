"""Statistics of one year of a whole province on PostgreSQL (issue 10 budget: ≤ 1 s).

    uv run python bench/bench_onestop.py [--runs 15] [--year 2025] [--rebuild]

Database: EGOV_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/egov_bench_onestop),
created if missing and migrated. Data made ONCE and kept (a marker unit "Tỉnh Đo Lường
(bench)"): a province with 100 units (90 communes, 10 departments), 50 procedures (one version
each, 1–15 working days), and 2,000,000 dossiers over 3 years (1/1/2024 – 5/12/2026) with
`INSERT … SELECT generate_series`: a realistic mix — about 55 % at the counter, 40 % online,
5 % by post; 15 % with one supplement request and 3 % with two; ~88 % finished in time, ~6 %
late, ~3 % stopped or withdrawn, ~3 % still open (some waiting on a supplement), 0.5 % refused at
the check; results electronic for 60 %; a third of the returned ones rated (10 % dissatisfied).

The dossiers are generated with SQL, past the dossier services' hook, so the statistics summary
of ended dossiers (services/stats_summary.py) is then rebuilt from them (`rebuild`, as `egov
onestop_stats_rebuild` does; migration 0006 does the same on a database migrated with dossiers
already in it); `--rebuild` rebuilds it again and prints how long it took.

Measured: `selectors.stats.stats_report` (what the API and the page call: the summary's rows of
the ended dossiers, the dossiers judged live, the carried-over ones, the refusals, indicator 2.2)
for the year, per competent unit, as a superuser (the whole province), `--runs` times; beside it
the raw single SQL statement of the main aggregate over the dossier table (the baseline, what the
report cost before the summary). Checks that the report through the summary equals the purely
live report (`live=True`: counts, indicators, 2.2 per procedure), prints EXPLAIN ANALYZE of the
report's statements, p50 / p95 of both, and PASS/FAIL against the budget (p95 ≤ 1 s). Exit code
1 on FAIL.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time

import common  # noqa: E402 - bench/common.py (scripts run from bench/)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/egov_bench_onestop"
MARKER_EID = "000.00.00.S99"
UNITS, PROCEDURES, DOSSIERS = 100, 50, 2_000_000
BUDGET_MS = 1000.0


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1))))
    return ordered[k]


def _structure():
    """The province, its 100 units and 50 procedures (ORM: paths and agencies computed)."""
    from egov.core.models import OrgUnit, OrgUnitKind
    from egov.onestop.models import Procedure, ProcedureVersion

    root = OrgUnit.objects.filter(electronic_id=MARKER_EID).first()
    if root is None:
        root = OrgUnit.objects.create(kind=OrgUnitKind.PROVINCE_COMMITTEE,
                                      name="Ủy ban nhân dân tỉnh Đo Lường (bench)",
                                      abbreviation="UBND", electronic_id=MARKER_EID,
                                      place_name="Đo Lường")
        for i in range(UNITS):
            commune = i < 90
            OrgUnit.objects.create(
                kind=OrgUnitKind.COMMUNE_COMMITTEE if commune else OrgUnitKind.AGENCY,
                name=(f"Ủy ban nhân dân xã Đo {i:03d}" if commune else f"Sở Đo {i:03d}"),
                abbreviation="UBND" if commune else "SO", parent=root,
                electronic_id=f"000.{i + 1:02d}.00.S99" if i < 99 else "000.99.01.S99",
                place_name="Đo Lường")
        for i in range(PROCEDURES):
            p = Procedure.objects.create(code=f"9.{900000 + i}", name=f"Thủ tục đo {i:02d}")
            ProcedureVersion.objects.create(
                procedure=p, name=p.name, field_name="Đo lường", processing_days=i % 15 + 1,
                legal_basis="Bench", effective_from=dt.date(2020, 1, 1))
    units = list(OrgUnit.objects.filter(parent=root).order_by("id").values_list("id", flat=True))
    versions = list(ProcedureVersion.objects.filter(procedure__code__startswith="9.9")
                    .order_by("procedure__code").values_list("procedure_id", "id"))
    return root, units, versions


GENERATE = """
INSERT INTO onestop_dossier (
    code, public_token, channel, state, applicant_kind, applicant_name, applicant_id,
    applicant_address, applicant_phone, applicant_email, representative, check_phone, check_id,
    request_content, copies, result_delivery, submitted_at, received_at, due_at, original_due_at,
    paused_since, paused_days, supplement_requests, current_step, ended_at, resolved_at, outcome,
    returned_at, returned_via, result_medium, result_number, result_note, refusal_reason,
    stop_reason, is_demo, agency_id, competent_unit_id, procedure_id, version_id)
SELECT 'BENCH-' || g, 'bt' || g,
       CASE WHEN g * 7 %% 100 < 55 THEN 'counter' WHEN g * 7 %% 100 < 95 THEN 'online'
            ELSE 'post' END,
       CASE WHEN refused THEN 'refused'
            WHEN ended IS NULL AND paused IS NOT NULL THEN 'supplement'
            WHEN ended IS NULL THEN 'processing'
            WHEN kind = 2 AND r2 < .4 THEN 'stopped' WHEN kind = 2 THEN 'withdrawn'
            WHEN r2 < .7 THEN 'returned' ELSE 'resolved' END,
       'person', 'Nguyễn Văn Đo', '001099012345', 'Xã Đo', '0912345678', '', '{}', '5678', '2345',
       '', 1, 'counter', recv,
       CASE WHEN refused THEN NULL ELSE recv END,
       CASE WHEN refused THEN NULL ELSE due END, CASE WHEN refused THEN NULL ELSE due END,
       CASE WHEN refused THEN NULL ELSE paused END, pdays, sreq, 0,
       CASE WHEN refused THEN NULL ELSE ended END,
       CASE WHEN refused OR kind = 2 THEN NULL ELSE ended END, '', NULL, '',
       CASE WHEN ended IS NULL OR kind = 2 OR refused THEN ''
            WHEN g %% 10 < 6 THEN 'electronic' ELSE 'paper' END,
       '', '', '', '', false, unit, unit, proc, ver
FROM (
  SELECT g, recv, due, sreq, pdays, r2, kind, refused, unit, proc, ver,
         CASE WHEN fin > %(now)s THEN NULL ELSE fin END AS ended,
         CASE WHEN (fin IS NULL OR fin > %(now)s) AND sreq > 0 AND r4 < .5
              THEN recv + (due - recv) * .3 END AS paused
  FROM (
    SELECT g, recv, due, sreq, pdays, r2, r4, kind, refused, unit, proc, ver,
           CASE kind WHEN 0 THEN recv + (due - recv) * r4
                     WHEN 1 THEN due + interval '1 hour' + interval '1 day' * (r4 * 6)
                     WHEN 2 THEN recv + (due - recv) * r4 * .5
                     ELSE NULL END AS fin
    FROM (
      SELECT g, r2, r4, sreq, pdays, unit, proc, ver,
             CASE WHEN r5 < .06 THEN 1 WHEN r5 < .94 THEN 0 WHEN r5 < .97 THEN 2 ELSE 3 END
               AS kind,
             r5 > .995 AS refused, recv,
             recv + interval '1 day' * ((pd + pdays) * 1.4::float8) AS due
      FROM (
        SELECT g, r2, r4, r5, sreq, sreq * (1 + floor(r4 * 3))::int AS pdays,
               (%(units)s::bigint[])[1 + g %% %(n_units)s] AS unit,
               (%(procs)s::bigint[])[1 + g %% %(n_procs)s] AS proc,
               (%(vers)s::bigint[])[1 + g %% %(n_procs)s] AS ver,
               (g %% %(n_procs)s) %% 15 + 1 AS pd,
               timestamptz '2024-01-01 07:30+07' + interval '1 day' * floor(r1 * 1069)
                 + interval '1 minute' * floor(r2 * 540) AS recv
        FROM (
          SELECT g, random() AS r1, random() AS r2, random() AS r3, random() AS r4,
                 random() AS r5,
                 CASE WHEN random() < .82 THEN 0 WHEN random() < .8 THEN 1 ELSE 2 END AS sreq
          FROM generate_series(1, %(n)s) g
        ) a
      ) b
    ) c
  ) d
) e
"""

RATINGS = """
INSERT INTO onestop_rating (dossier_id, satisfied, score, comment, at)
SELECT id, id % 10 <> 0, CASE WHEN id % 10 <> 0 THEN 5 ELSE 2 END, '', ended_at
FROM onestop_dossier WHERE state = 'returned' AND id % 3 = 0 AND code LIKE 'BENCH-%'
"""


def generate(units, versions) -> None:
    from django.db import connection, transaction

    params = {"units": units, "procs": [v[0] for v in versions],
              "vers": [v[1] for v in versions], "n_units": len(units),
              "n_procs": len(versions), "n": DOSSIERS,
              "now": dt.datetime(2026, 12, 5, 17, tzinfo=dt.UTC)}
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SELECT setseed(0.42)")
        t = time.perf_counter()
        cur.execute(GENERATE, params)
        print(f"  {DOSSIERS:,} dossiers: {time.perf_counter() - t:.0f} s", flush=True)
        t = time.perf_counter()
        cur.execute(RATINGS)
        print(f"  ratings: {time.perf_counter() - t:.0f} s", flush=True)
    with connection.cursor() as cur:
        cur.execute("ANALYZE onestop_dossier")
        cur.execute("ANALYZE onestop_rating")


# The main aggregate written by hand: one statement, the same conditions as the selector.
RAW = """
SELECT competent_unit_id, j, count(*), count(*) FILTER (WHERE received_at >= %(first)s),
       count(*) FILTER (WHERE ended_at <= %(as_of)s AND state IN ('resolved', 'returned')),
       count(*) FILTER (WHERE supplement_requests >= 1),
       count(*) FILTER (WHERE ended_at <= %(as_of)s AND state = 'stopped'),
       count(*) FILTER (WHERE ended_at <= %(as_of)s AND state = 'withdrawn'),
       count(*) FILTER (WHERE ended_at <= %(as_of)s),
       count(r.id),
       count(*) FILTER (WHERE received_at >= %(first)s AND channel = 'online'),
       count(*) FILTER (WHERE received_at >= %(first)s AND channel = 'online'
                        AND result_medium <> 'paper'),
       count(*) FILTER (WHERE ended_at <= %(as_of)s AND state IN ('resolved', 'returned')
                        AND result_medium = 'electronic')
FROM (
  SELECT d.*, CASE
    WHEN ended_at <= %(as_of)s AND ended_at > due_at THEN 'late'
    WHEN ended_at <= %(as_of)s AND (ended_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date
         < (due_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date THEN 'early'
    WHEN ended_at <= %(as_of)s THEN 'on_time'
    WHEN paused_since <= %(as_of)s AND supplement_requests > 1 THEN 'overdue'
    WHEN paused_since <= %(as_of)s AND paused_since > due_at THEN 'overdue'
    WHEN paused_since <= %(as_of)s THEN 'in_time'
    WHEN due_at < %(as_of)s THEN 'overdue' ELSE 'in_time' END AS j
  FROM onestop_dossier d
  WHERE received_at <= %(as_of)s AND due_at IS NOT NULL
    AND (ended_at IS NULL OR ended_at >= %(first)s)
) d LEFT JOIN onestop_rating r ON r.dossier_id = d.id AND NOT r.satisfied
GROUP BY competent_unit_id, j
"""


def _explain(admin, flt) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of each statement the report runs (captured once)."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from egov.onestop.selectors import stats as sel

    with CaptureQueriesContext(connection) as ctx:
        sel.stats_report(actor=admin, flt=flt)
    for q in ctx.captured_queries:
        sql = q["sql"]
        if not sql.lstrip().upper().startswith("SELECT") or "onestop_" not in sql:
            continue
        with transaction.atomic(), connection.cursor() as cur:
            sel._tune()
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            lines = [line for (line,) in cur.fetchall()]
        print(f"\n  statement ({q['time']} s in the run): {sql[:150]}…")
        for line in lines:
            print("    " + line)


def _same_as_live(admin, flt, report) -> bool:
    from egov.onestop.selectors import stats as sel

    t = time.perf_counter()
    live = sel.stats_report(actor=admin, flt=flt, live=True)
    took = time.perf_counter() - t

    def data(r):
        return ([x.as_dict() for x in r.rows], r.totals.as_dict(), r.extra, r.solving)

    same = data(report) == data(live)
    print(f"  the report through the summary equals the live report (rows, totals, "
          f"indicators, 2.2 per procedure): {'yes' if same else 'NO'} (live report "
          f"{took * 1000:.0f} ms)")
    return same


def measure(args) -> bool:
    from django.db import connection, transaction

    from egov.core.models import User
    from egov.onestop.models import StatsDay, StatsDossier
    from egov.onestop.selectors import stats as sel
    from egov.onestop.selectors.indicators import indicators

    admin = User.objects.filter(username="bench_stats_admin").first()
    if admin is None:
        admin = User.objects.create_superuser(username="bench_stats_admin",
                                              password="Bench-2026-x", full_name="Bench")
    start, end = dt.date(args.year, 1, 1), dt.date(args.year, 12, 31)
    flt = sel.StatsFilter(start=start, end=end)
    first, as_of = sel.period_bounds(start, end)
    report = None
    selector_ms, raw_ms = [], []
    print(f"\n  summary: {StatsDay.objects.count():,} rows for "
          f"{StatsDossier.objects.count():,} ended dossiers; rows of {args.year}: "
          f"{StatsDay.objects.filter(day__year=args.year).count():,}")
    with transaction.atomic(), connection.cursor() as cur:
        sel._tune()
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + RAW, {"first": first, "as_of": as_of})
        print("\n  plan of the raw statement:")
        for (line,) in cur.fetchall():
            print("    " + line)
    _explain(admin, flt)
    for i in range(args.runs + 1):
        t = time.perf_counter()
        report = sel.stats_report(actor=admin, flt=flt)
        indicators(report)
        took = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cur:
            sel._tune()  # the same session settings as the selector's transaction
            cur.execute(RAW, {"first": first, "as_of": as_of})
            raw_rows = cur.fetchall()
        raw = (time.perf_counter() - t) * 1000
        if i:  # the first run warms the caches
            selector_ms.append(took)
            raw_ms.append(raw)
    assert report is not None
    raw_total = sum(r[2] for r in raw_rows)
    t = report.totals
    print(f"\n  year {args.year}, whole province ({len(report.rows)} units): "
          f"{t['received']:,} dossiers counted ({t['new']:,} new, {t['carried_over']:,} "
          f"carried over); early {t['early']:,}, on time {t['on_time']:,}, late {t['late']:,}, "
          f"in time {t['in_time']:,}, overdue {t['overdue']:,}; refused {t['refused']:,}; "
          f"on-time rate {100 * (report.on_time_rate or 0):.2f} %")
    for ind in indicators(report):
        print(f"    QĐ 766 {ind.code} {ind.name}: {ind.value}")
    same = raw_total == t["received"] and _same_as_live(admin, flt, report)
    p50, p95 = statistics.median(selector_ms), _percentile(selector_ms, 95)
    r50, r95 = statistics.median(raw_ms), _percentile(raw_ms, 95)
    print(f"\n  stats_report (selector, {args.runs} runs): p50 {p50:.0f} ms, p95 {p95:.0f} ms")
    print(f"  raw single SQL statement (baseline):  p50 {r50:.0f} ms, p95 {r95:.0f} ms")
    print(f"  ratio selector / raw: p50 {p50 / r50:.2f}, p95 {p95 / r95:.2f}")
    print(f"  raw statement counts the same dossiers: {'yes' if same else 'NO'} "
          f"({raw_total:,})")
    ok = p95 <= BUDGET_MS and same
    print(f"\n{'PASS' if ok else 'FAIL'}: statistics of one year of the whole province, "
          f"p95 {p95:.0f} ms (budget {BUDGET_MS:.0f} ms)")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--rebuild", action="store_true",
                        help="rebuild the statistics summary from the dossiers first")
    args = parser.parse_args()
    url = common.os.environ.get("EGOV_DATABASE_URL", DEFAULT_URL)
    common.ensure_database(url)
    common.setup_django(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from egov.onestop.models import Dossier
    from egov.onestop.services.stats_summary import rebuild

    with common.Timer("structure"):
        _root, units, versions = _structure()
    fresh = not Dossier.objects.filter(code="BENCH-1").exists()
    if fresh:
        print(f"generating {DOSSIERS:,} dossiers (once, kept)", flush=True)
        with common.Timer("generation"):
            generate(units, versions)
    if fresh or args.rebuild:  # generated past the services' hook: the summary from the data
        with common.Timer("statistics summary rebuilt from the dossiers"):
            counts = rebuild(audit=False)
        print(f"  {counts['dossiers']:,} ended dossiers in {counts['rows']:,} rows", flush=True)
    from django.db import connection

    with connection.cursor() as cur:  # statistics of the span index's expression too, and the
        # visibility map its index-only scans need (autovacuum keeps it on a live database)
        for table in ("onestop_statsday", "onestop_statsdossier", "onestop_dossier"):
            cur.execute(f"VACUUM ANALYZE {table}")
    return 0 if measure(args) else 1


if __name__ == "__main__":
    sys.exit(main())
