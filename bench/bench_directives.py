"""The directives' leader's dashboard and yearly report on PostgreSQL (issue 12 budgets: the
leader's dashboard p95 ≤ 100 ms, a yearly report ≤ 1 s).

    uv run python bench/bench_directives.py [--runs 30] [--year 2025] [--regenerate]

Database: EGOV_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/egov_bench_directives),
created if missing and migrated. Data made ONCE and kept (marker unit "000.00.00.D99"): a
province committee with 2,000 units below it — 30 departments (each with 20 divisions) and
300 communes (each with 3 divisions), 70 divisions of the committee's office — and 200,000
directives over three years (given 1/1/2024 – 5/12/2026) inserted with `INSERT … SELECT
generate_series`: 70 % given by the province committee (to departments, communes and their
divisions), 30 % by the departments to their own divisions; deadlines 10–90 days after giving,
an extension that moved the status deadline on 8 %; of those due before 5/12/2026, 74 % done
(86 % of them on time), 5 % reported done awaiting acceptance, 3 % cancelled, the rest open and
overdue; of those due later, 25 % done, 4 % awaiting, 2 % cancelled; 5 % are sub-directives
(not counted); every directive has its lead row and 40 % one or two supporting units.

Measured side by side in one run, `--runs` times after a warm-up, as the province's leader:

1. `selectors.dashboard.leader_dashboard` (what the page calls: the grants, the GROUP BY by
   lead unit and bucket, the units' names, the first page of the overdue list) vs the raw SQL
   GROUP BY alone;
2. `selectors.reports.periodic_report` for the year `--year` of the province (the four counts
   and the overdue list) vs its raw SQL aggregate.

Checks that each selector's counts equal its raw statement's, prints EXPLAIN ANALYZE of the
selector's statements, p50/p95 and ratios, the load average, and PASS/FAIL against the
budgets. Exit code 1 on FAIL.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time

import common  # noqa: E402 - bench/common.py (scripts run from bench/)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/egov_bench_directives"
MARKER_EID = "000.00.00.D99"
DIRECTIVES = 200_000
DASHBOARD_BUDGET_MS, REPORT_BUDGET_MS = 100.0, 1000.0
TODAY = dt.date(2026, 12, 5)


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1))))
    return ordered[k]


def _structure():
    """The province and its 2,000 units (ORM: paths and agencies computed by save())."""
    from egov.core.models import OrgUnit, OrgUnitKind, User

    root = OrgUnit.objects.filter(electronic_id=MARKER_EID).first()
    if root is None:
        root = OrgUnit.objects.create(kind=OrgUnitKind.PROVINCE_COMMITTEE,
                                      name="Ủy ban nhân dân tỉnh Nhiệm Vụ (bench)",
                                      abbreviation="UBND", electronic_id=MARKER_EID,
                                      place_name="Nhiệm Vụ")
        office = OrgUnit.objects.create(kind=OrgUnitKind.DIVISION, name="Văn phòng UBND tỉnh",
                                        abbreviation="VP", parent=root)
        for i in range(70):
            OrgUnit.objects.create(kind=OrgUnitKind.DIVISION, name=f"Phòng VP {i:02d}",
                                   abbreviation="P", parent=office)
        for i in range(30):
            dept = OrgUnit.objects.create(kind=OrgUnitKind.AGENCY, name=f"Sở Nhiệm Vụ {i:02d}",
                                          abbreviation="SO", parent=root)
            for j in range(20):
                OrgUnit.objects.create(kind=OrgUnitKind.DIVISION, name=f"Phòng {j:02d} Sở {i:02d}",
                                       abbreviation="P", parent=dept)
        for i in range(300):
            commune = OrgUnit.objects.create(kind=OrgUnitKind.COMMUNE_COMMITTEE,
                                             name=f"Ủy ban nhân dân xã Nhiệm Vụ {i:03d}",
                                             abbreviation="UBND", parent=root)
            for j in range(3):
                OrgUnit.objects.create(kind=OrgUnitKind.DIVISION, name=f"Phòng {j} xã {i:03d}",
                                       abbreviation="P", parent=commune)
    units = list(OrgUnit.objects.filter(path__startswith=root.path).exclude(pk=root.pk)
                 .values_list("id", "kind", "agency_id", "parent_id"))
    giver = User.objects.filter(username="bench_directives_leader").first()
    if giver is None:
        giver = User.objects.create_superuser(username="bench_directives_leader",
                                              password="Bench-2026-x", full_name="Bench")
    return root, units, giver


GENERATE = """
INSERT INTO directives_directive (
    agency_id, code, parent_id, series_id, period_start, weight, title, content, guidance,
    source_kind, source_text, plan_key, given_by_id, given_on, lead_unit_id, lead_user_id,
    priority, recurrence, recurrence_day, recurrence_until, due_date, original_due_date,
    judged_due_date, state, progress, progress_note, progress_at, submitted_on, done_on,
    result_text, created_at, updated_at, created_by_id)
SELECT agency, 'BD-' || g, NULL, NULL, NULL, 1, 'Nhiệm vụ đo số ' || g, '', '', 'none', '', '',
       %(giver)s, given, lead, NULL, 'normal', 'none', NULL, NULL, due, orig, due,
       state, CASE WHEN state = 'done' THEN 100 ELSE (r3 * 90)::int END, '', NULL,
       CASE WHEN state = 'submitted' THEN LEAST(due, %(today)s) END,
       CASE WHEN state = 'done' THEN
            CASE WHEN r3 < .86 THEN given + ((due - given) * r4)::int
                 ELSE due + 1 + (r4 * 40)::int END END,
       '', now(), now(), NULL
FROM (
  SELECT g, given, due, orig, agency, lead, r3, r4,
         CASE WHEN due < %(today)s THEN
                CASE WHEN r2 < .74 THEN 'done' WHEN r2 < .79 THEN 'submitted'
                     WHEN r2 < .82 THEN 'cancelled' ELSE 'open' END
              ELSE CASE WHEN r2 < .25 THEN 'done' WHEN r2 < .29 THEN 'submitted'
                        WHEN r2 < .31 THEN 'cancelled' ELSE 'open' END END AS state
  FROM (
    SELECT g, given, orig, r2, r3, r4,
           orig + CASE WHEN r5 < .08 THEN 15 ELSE 0 END AS due,
           CASE WHEN byprov THEN %(root)s ELSE (%(depts)s::bigint[])[1 + d] END AS agency,
           CASE WHEN byprov THEN (%(prov_leads)s::bigint[])[1 + (g * 7919) %% %(n_prov)s]
                ELSE (%(div_leads)s::bigint[])[1 + d * 20 + (g %% 20)] END AS lead
    FROM (
      SELECT g, random() < .7 AS byprov, (g %% %(n_depts)s) AS d,
             date '2024-01-01' + floor(random() * 1069)::int AS given, random() AS r2,
             random() AS r3, random() AS r4, random() AS r5,
             10 + floor(random() * 80)::int AS days
      FROM generate_series(1, %(n)s) g
    ) a, LATERAL (SELECT a.given + a.days AS orig) o
  ) b
) c
"""

ASSIGNEES = """
INSERT INTO directives_directiveassignee (directive_id, role, unit_id, user_id, due_date,
                                          progress, progress_note, done_on)
SELECT id, 'lead', lead_unit_id, NULL, due_date, progress, '', done_on
FROM directives_directive WHERE code LIKE 'BD-%%';
INSERT INTO directives_directiveassignee (directive_id, role, unit_id, user_id, due_date,
                                          progress, progress_note, done_on)
SELECT d.id, 'support', (%(all_units)s::bigint[])[1 + (d.id * k) %% %(n_all)s], NULL,
       d.due_date - 5, 0, '', NULL
FROM directives_directive d, LATERAL (SELECT generate_series(1, 1 + (d.id %% 2)::int) * 31 AS k) s
WHERE d.code LIKE 'BD-%%' AND d.id %% 5 < 2
ON CONFLICT DO NOTHING;
UPDATE directives_directive SET parent_id = id - 1 WHERE code LIKE 'BD-%%' AND id %% 20 = 0;
"""


def generate(root, units, giver) -> None:
    from django.db import connection, transaction

    depts = sorted(u[0] for u in units if u[1] == "agency")
    communes = sorted(u[0] for u in units if u[1] == "commune_committee")
    divisions_by_dept = {d: sorted(u[0] for u in units if u[3] == d) for d in depts}
    div_leads = [x for d in depts for x in divisions_by_dept[d]]
    prov_leads = depts + communes + [u[0] for u in units if u[1] == "division"][:400]
    all_units = sorted(u[0] for u in units)
    params = {"giver": giver.pk, "today": TODAY, "root": root.pk, "depts": depts,
              "n_depts": len(depts), "prov_leads": prov_leads, "n_prov": len(prov_leads),
              "div_leads": div_leads, "n": DIRECTIVES, "all_units": all_units,
              "n_all": len(all_units)}
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SELECT setseed(0.12)")
        t = time.perf_counter()
        cur.execute(GENERATE, params)
        print(f"  {DIRECTIVES:,} directives: {time.perf_counter() - t:.0f} s", flush=True)
        t = time.perf_counter()
        cur.execute(ASSIGNEES, params)
        print(f"  participants and sub-directives: {time.perf_counter() - t:.0f} s", flush=True)
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE directives_directive")
        cur.execute("VACUUM ANALYZE directives_directiveassignee")


BUCKET_SQL = """CASE
  WHEN state = 'done' AND (judged_due_date IS NULL OR done_on <= judged_due_date)
    THEN 'done_on_time'
  WHEN state = 'done' THEN 'done_late'
  WHEN judged_due_date IS NULL OR judged_due_date >= %(today)s THEN 'open_on_time'
  ELSE 'open_late' END"""

RAW_DASHBOARD = f"""
SELECT lead_unit_id, {BUCKET_SQL} AS bucket, count(*)
FROM directives_directive
WHERE agency_id = %(agency)s AND parent_id IS NULL AND recurrence = 'none'
  AND state <> 'cancelled'
GROUP BY 1, 2
"""

AS_OF_SQL = """CASE
  WHEN state = 'done' AND done_on <= %(as_of)s
    THEN CASE WHEN judged_due_date IS NULL OR done_on <= judged_due_date THEN 'done_on_time'
              ELSE 'done_late' END
  WHEN judged_due_date IS NULL OR judged_due_date >= %(as_of)s THEN 'open_on_time'
  ELSE 'open_late' END"""

RAW_REPORT = f"""
SELECT {AS_OF_SQL} AS bucket, count(*)
FROM directives_directive
WHERE agency_id = %(agency)s AND parent_id IS NULL AND recurrence = 'none'
  AND state <> 'cancelled' AND given_on <= %(end)s
  AND ((judged_due_date BETWEEN %(start)s AND %(end)s)
       OR ((judged_due_date < %(start)s OR judged_due_date IS NULL)
           AND (state IN ('open', 'submitted') OR (state = 'done' AND done_on >= %(start)s))))
GROUP BY 1
"""


def _explain(fn) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    connection.queries_log.clear()  # a full log (the units' creation) breaks the capture
    with CaptureQueriesContext(connection) as ctx:
        fn()
    for q in ctx.captured_queries:
        sql = q["sql"]
        if "directives_directive" not in sql:
            continue
        with connection.cursor() as cur:
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            lines = [line for (line,) in cur.fetchall()]
        print(f"\n  statement ({q['time']} s in the run): {sql[:140]}…")
        for line in lines:
            print("    " + line)


def _timed(fn, runs: int) -> tuple[list[float], object]:
    out, result = [], None
    for i in range(runs + 1):
        t = time.perf_counter()
        result = fn()
        took = (time.perf_counter() - t) * 1000
        if i:  # the first run warms the caches
            out.append(took)
    return out, result


def _line(label: str, sel_ms: list[float], raw_ms: list[float], budget: float) -> bool:
    p50, p95 = statistics.median(sel_ms), _percentile(sel_ms, 95)
    r50, r95 = statistics.median(raw_ms), _percentile(raw_ms, 95)
    print(f"  {label} selector: p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    print(f"  {label} raw SQL:  p50 {r50:.1f} ms, p95 {r95:.1f} ms")
    print(f"  ratio selector / raw: p50 {p50 / r50:.2f}, p95 {p95 / r95:.2f}")
    ok = p95 <= budget
    print(f"  {'PASS' if ok else 'FAIL'}: {label} p95 {p95:.1f} ms (budget {budget:.0f} ms)")
    return ok


def measure(root, giver, args) -> bool:
    from django.db import connection

    from egov.directives.selectors import dashboard, reports

    def raw(sql, params):
        with connection.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()

    n = raw("SELECT count(*) FROM directives_directive WHERE agency_id = %s "
            "AND parent_id IS NULL AND recurrence = 'none' AND state <> 'cancelled'",
            [root.pk])[0][0]
    print(f"\n  counted directives given by the province: {n:,}")

    # 1. The leader's dashboard.
    def dash():
        giver.__dict__.pop("_egov_grants", None)  # a fresh request: grants read again
        return dashboard.leader_dashboard(actor=giver, agency=root, today=TODAY)

    _explain(dash)
    d_ms, d = _timed(dash, args.runs)
    p = {"agency": root.pk, "today": TODAY}
    r_ms, rows = _timed(lambda: raw(RAW_DASHBOARD, p), args.runs)
    raw_totals: dict[str, int] = {}
    for _unit, bucket, count in rows:
        raw_totals[bucket] = raw_totals.get(bucket, 0) + count
    same_d = raw_totals == {b: v for b, v in d.totals.items() if v} and len(
        {r[0] for r in rows}) == len(d.rows)
    print(f"\n  leader's dashboard: {len(d.rows)} lead units, {d.totals}, "
          f"overdue page {len(d.overdue)} rows; equals raw: {'yes' if same_d else 'NO'}")
    ok_d = _line("leader's dashboard", d_ms, r_ms, DASHBOARD_BUDGET_MS) and same_d

    # 2. The yearly report.
    start, end = dt.date(args.year, 1, 1), dt.date(args.year, 12, 31)
    period = reports.Period(start=start, end=end, agency=root)

    def report():
        return reports.periodic_report(period, today=TODAY)

    _explain(report)
    y_ms, y = _timed(report, args.runs)
    q = {"agency": root.pk, "start": start, "end": end, "as_of": min(end, TODAY)}
    ry_ms, yrows = _timed(lambda: raw(RAW_REPORT, q), args.runs)
    same_y = dict(yrows) == {b: v for b, v in y.counts.items() if v}
    print(f"\n  yearly report {args.year}: {y.counts}, overdue list {len(y.overdue)} rows "
          f"(truncated: {y.overdue_truncated}); equals raw: {'yes' if same_y else 'NO'}")
    ok_y = _line("yearly report", y_ms, ry_ms, REPORT_BUDGET_MS) and same_y
    load = os.getloadavg()
    print(f"\n  load average (1, 5, 15 min): {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} "
          f"on {os.cpu_count()} cores")
    ok = ok_d and ok_y
    print(f"\n{'PASS' if ok else 'FAIL'}: leader's dashboard and yearly report of directives")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args()
    url = os.environ.get("EGOV_DATABASE_URL", DEFAULT_URL)
    common.ensure_database(url)
    common.setup_django(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from egov.directives.models import Directive

    with common.Timer("structure (2,000 units)"):
        root, units, giver = _structure()
    have = Directive.objects.filter(code__startswith="BD-").exists()
    if args.regenerate and have:
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute("DELETE FROM directives_directiveassignee a USING directives_directive d "
                        "WHERE a.directive_id = d.id AND d.code LIKE 'BD-%'")
            cur.execute("UPDATE directives_directive SET parent_id = NULL "
                        "WHERE code LIKE 'BD-%'")
            cur.execute("DELETE FROM directives_directive WHERE code LIKE 'BD-%'")
        have = False
    if not have:
        with common.Timer("generate"):
            generate(root, units, giver)
    return 0 if measure(root, giver, args) else 1


if __name__ == "__main__":
    sys.exit(main())
