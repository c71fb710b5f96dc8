"""Civil-status statistics on PostgreSQL (issue 13): the page, the API and the selector against
the raw GROUP BY they are built on.

    nice -n 10 uv run python bench/bench_civil_stats.py [--events 1000000] [--runs 20] [--drop]

Database: EGOV_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/egov_bench_stats),
created if missing and migrated. Data made ONCE with SQL (INSERT … SELECT generate_series, no
ORM row by row) and kept unless --drop: one province, 100 communes, registry books per commune ×
kind × year (2021–2025), `--events` events spread over them (births 60 %, deaths 25 %,
marriages 15 %) registered on random days of the five years, births 0–1,000 days after the
birth (about one in five late), deaths 0–40 days after the death; one person per birth or death
and two per marriage, with their party rows.

Measured, `--runs` times each, as the province supervisor (reads every commune) over the year
2025 (~200,000 events), then as the registrar of one commune:
- raw      the one GROUP BY statement (commune × kind × month with FILTER counts and the sums
           of the subjects' sexes the events carry) by hand, no Django: the selector's work;
           "old sex join" is the GROUP BY of the subjects' sex through the parties and persons
           that the selector made before migration 0011 (for comparison, not in the selector);
- selector selectors.stats.civil_stats (the grants, the communes, its GROUP BY, folding the
           rows);
- API      GET /api/v1/civil/statistics through django.test.Client with a Bearer token;
- page     GET /civil/statistics/?year=2025 (the table, the chart, the month table).
Prints p50 / p95 in ms, the number of statements, and each one's p95 / raw p95.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import common  # noqa: E402 - bench/common.py (scripts run from bench/)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/egov_bench_stats"
MARKER_EID = "000.00.00.S99"
COMMUNES = 100
YEARS = (2021, 2022, 2023, 2024, 2025)
YEAR = 2025


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1))))]


def structure():
    from django.contrib.auth import get_user_model

    from egov.civil.catalog import KIND_RULES
    from egov.civil.models import RegistryBook
    from egov.core.models import OrgUnit, OrgUnitKind, Position, Role

    root = OrgUnit.objects.filter(electronic_id=MARKER_EID).first()
    if root is None:
        root = OrgUnit.objects.create(kind=OrgUnitKind.PROVINCE_COMMITTEE,
                                      name="Tỉnh Đo Lường Hộ Tịch (bench)", abbreviation="UBND",
                                      electronic_id=MARKER_EID, place_name="Đo Lường")
        justice = OrgUnit.objects.create(kind=OrgUnitKind.AGENCY, parent=root,
                                         name="Sở Tư pháp (bench)", abbreviation="STP",
                                         electronic_id="000.00.01.S99", place_name="Đo Lường")
        for i in range(COMMUNES):
            OrgUnit.objects.create(kind=OrgUnitKind.COMMUNE_COMMITTEE, parent=root,
                                   name=f"Ủy ban nhân dân xã Hộ Tịch {i + 1:03d}",
                                   abbreviation="UBND", electronic_id=f"000.{i + 1:02d}.01.S99",
                                   place_name=f"Hộ Tịch {i + 1}")
    justice = OrgUnit.objects.get(electronic_id="000.00.01.S99")
    communes = list(OrgUnit.objects.filter(parent=root, kind=OrgUnitKind.COMMUNE_COMMITTEE)
                    .order_by("id"))
    User = get_user_model()
    users = {}
    for name, unit, role in (("bench_civil_supervisor", justice, "civil_supervisor"),
                             ("bench_civil_registrar", communes[0], "civil_registrar")):
        user = User.objects.filter(username=name).first()
        if user is None:
            user = User.objects.create_user(username=name, password="x-Bench-0", full_name=name)
            pos = Position.objects.create(user=user, org_unit=unit, title="Bench")
            pos.roles.set(Role.objects.filter(code=role))
        users[name] = user
    RegistryBook.objects.bulk_create(
        [RegistryBook(commune=c, kind=k, year=y, number=1, name=KIND_RULES[k][0])
         for c in communes for k in KIND_RULES for y in YEARS], ignore_conflicts=True)
    return communes, users


GENERATE = """
WITH src AS (
    SELECT g, c.idx, c.id AS commune_id,
           CASE WHEN r1 < 0.60 THEN 'birth' WHEN r1 < 0.85 THEN 'death' ELSE 'marriage' END
               AS kind,
           DATE '2021-01-01' + floor(r2 * 1826)::int AS registered_on, r3, r4
    FROM (SELECT g, random() AS r1, random() AS r2, random() AS r3, random() AS r4
          FROM generate_series(1, %(n)s) AS g) AS s
    JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS idx FROM core_orgunit
          WHERE parent_id = %(root)s AND kind = 'commune_committee') AS c
      ON c.idx = s.g %% %(communes)s
), gaps AS (
    SELECT src.*, CASE kind
        WHEN 'birth' THEN CASE WHEN r3 < 0.8 THEN floor(r4 * 61)::int
                               ELSE 61 + floor(r4 * 940)::int END
        WHEN 'death' THEN floor(r4 * 41)::int ELSE 0 END AS gap
    FROM src
)
INSERT INTO civil_civilevent (id, kind, commune_id, book_id, entry_number, registered_on,
                              event_date, late, registrar_id, details, foreign_element,
                              subjects_male, subjects_female, created_at)
SELECT %(ebase)s + g, gaps.kind, gaps.commune_id, b.id,
       %(entry_base)s + row_number() OVER (PARTITION BY b.id ORDER BY g),
       registered_on, registered_on - gap,
       (gaps.kind = 'birth' AND gap > 60) OR (gaps.kind = 'death' AND gap > 15),
       %(registrar)s, '{}'::jsonb, false,
       -- the sexes PERSONS gives the subjects: a husband and a wife, else by the id's parity
       CASE WHEN gaps.kind = 'marriage' OR (%(ebase)s + g) %% 2 = 0 THEN 1 ELSE 0 END,
       CASE WHEN gaps.kind = 'marriage' OR (%(ebase)s + g) %% 2 = 1 THEN 1 ELSE 0 END,
       now()
FROM gaps JOIN civil_registrybook b
  ON b.commune_id = gaps.commune_id AND b.kind = gaps.kind
 AND b.year = extract(year FROM registered_on) AND b.number = 1
"""

PERSONS = """
INSERT INTO civil_person (id, full_name, name_folded, sex, birth_date, birth_place, hometown,
                          ethnicity, nationality, residence, personal_id, death_date, commune_id,
                          identity_document, identity_document_country, created_at, updated_at)
SELECT %(pbase)s + (e.id - %(ebase)s) * 2 + w.n,
       'Người Thử ' || e.id || '-' || w.n, 'nguoi thu ' || e.id || '-' || w.n,
       CASE WHEN e.kind = 'marriage' THEN (CASE WHEN w.n = 0 THEN 'male' ELSE 'female' END)
            WHEN e.id %% 2 = 0 THEN 'male' ELSE 'female' END,
       CASE WHEN e.kind = 'birth' THEN e.event_date ELSE DATE '1960-01-01' END,
       '', '', 'Kinh', 'Việt Nam', '', NULL,
       CASE WHEN e.kind = 'death' THEN e.event_date END, e.commune_id, '', '', now(), now()
FROM civil_civilevent e
JOIN (VALUES (0), (1)) AS w(n) ON w.n = 0 OR e.kind = 'marriage'
WHERE e.id > %(ebase)s
"""

PARTIES = """
INSERT INTO civil_eventparty (event_id, person_id, role)
SELECT e.id, %(pbase)s + (e.id - %(ebase)s) * 2 + w.n,
       CASE e.kind WHEN 'birth' THEN 'child' WHEN 'death' THEN 'deceased'
                   ELSE (CASE WHEN w.n = 0 THEN 'husband' ELSE 'wife' END) END
FROM civil_civilevent e
JOIN (VALUES (0), (1)) AS w(n) ON w.n = 0 OR e.kind = 'marriage'
WHERE e.id > %(ebase)s
"""


def generate(root_id: int, registrar_id: int, n: int) -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SELECT setseed(0.42)")
        cur.execute("SELECT coalesce(max(id), 0) FROM civil_civilevent")
        ebase = cur.fetchone()[0]
        cur.execute("SELECT coalesce(max(id), 0) FROM civil_person")
        pbase = cur.fetchone()[0] + 1
        cur.execute("SELECT coalesce(max(entry_number), 0) FROM civil_civilevent")
        entry_base = cur.fetchone()[0]
        params = {"n": n, "root": root_id, "communes": COMMUNES, "ebase": ebase,
                  "entry_base": entry_base, "registrar": registrar_id, "pbase": pbase}
        with common.Timer("events"):
            cur.execute(GENERATE, params)
        with common.Timer("persons"):
            cur.execute(PERSONS, params)
        with common.Timer("parties"):
            cur.execute(PARTIES, params)
        for table in ("civil_civilevent", "civil_person", "civil_eventparty"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))")
    with connection.cursor() as cur:
        for table in ("civil_civilevent", "civil_person", "civil_eventparty"):
            cur.execute(f"ANALYZE {table}")


RAW = """
SELECT commune_id, kind, count(*), count(*) FILTER (WHERE late),
       count(*) FILTER (WHERE kind = 'birth' AND registered_on - event_date <= 60),
       count(*) FILTER (WHERE kind = 'birth' AND registered_on - event_date > 60
                        AND registered_on - event_date <= 365),
       count(*) FILTER (WHERE kind = 'birth' AND registered_on - event_date > 365),
       sum(subjects_male), sum(subjects_female)
FROM civil_civilevent
WHERE registered_on BETWEEN %s AND %s AND commune_id = ANY(%s)
GROUP BY commune_id, kind, date_trunc('month', registered_on)
"""

# What the selector read before the events carried their subjects' sexes (0011): the join.
OLD_SEX_JOIN = """
SELECT e.commune_id, e.kind, p.sex, count(*)
FROM civil_eventparty ep JOIN civil_civilevent e ON e.id = ep.event_id
JOIN civil_person p ON p.id = ep.person_id
WHERE ep.role IN ('child', 'deceased', 'husband', 'wife')
  AND e.registered_on BETWEEN %s AND %s AND e.commune_id = ANY(%s)
GROUP BY e.commune_id, e.kind, p.sex
"""


def _time(fn, runs: int) -> tuple[list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):
        fn()  # warm up
    times, statements = [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            fn()
            times.append((time.perf_counter() - start) * 1000)
        statements = len(ctx.captured_queries)
    return times, statements


def measure(users, communes, runs: int) -> None:
    from django.conf import settings

    if "testserver" not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    for uname, user in users.items():
        ids = [c.pk for c in communes] if "supervisor" in uname else [communes[0].pk]
        print(f"\n== as {uname} ({len(ids)} communes), {YEAR}")
        measure_one(user, ids, runs)


def measure_one(user, ids: list[int], runs: int) -> None:
    import datetime as dt

    from django.db import connection
    from django.test import Client

    from egov.civil.selectors import stats as sel
    from egov.core import tokens

    start, end = dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)
    _token, raw = tokens.token_create(actor=user, name="bench")
    client = Client()
    client.force_login(user)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    flt = sel.StatsFilter(start=start, end=end)

    def raw_query():
        with connection.cursor() as cur:
            cur.execute(RAW, [start, end, ids])
            return cur.fetchall()

    def old_join():
        with connection.cursor() as cur:
            cur.execute(OLD_SEX_JOIN, [start, end, ids])
            return cur.fetchall()

    def selector():
        fresh = type(user).objects.get(pk=user.pk)
        return sel.civil_stats(actor=fresh, flt=flt)

    def api():
        r = client.get("/api/v1/civil/statistics",
                       {"date_from": start.isoformat(), "date_to": end.isoformat()}, **headers)
        assert r.status_code == 200, r.content[:300]

    def page():
        r = client.get("/civil/statistics/", {"year": YEAR})
        assert r.status_code == 200, r.content[:300]

    print(f"  events counted: {selector().total['events']:,}")
    results = {}
    for label, fn in (("raw GROUP BY", raw_query), ("old sex join", old_join),
                      ("selector", selector), ("API", api), ("page", page)):
        times, statements = _time(fn, runs)
        results[label] = _percentile(times, 95)
        print(f"  {label:13s} p50 {statistics.median(times):8.1f} ms  p95 "
              f"{results[label]:8.1f} ms  statements {statements:2d}  p95 / raw p95 "
              f"{results[label] / results['raw GROUP BY']:5.2f}", flush=True)


def drop(url: str) -> None:
    import dj_database_url
    import psycopg
    from django.db import connections
    from psycopg import sql

    connections.close_all()
    cfg = dj_database_url.parse(url)
    conninfo = {"host": cfg.get("HOST"), "port": cfg.get("PORT"), "user": cfg.get("USER"),
                "password": cfg.get("PASSWORD")}
    with psycopg.connect(dbname="postgres", autocommit=True,
                         **{k: v for k, v in conninfo.items() if v}) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(cfg["NAME"])))
    print(f"dropped database {cfg['NAME']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    args = parser.parse_args()
    url = common.os.environ.get("EGOV_DATABASE_URL", DEFAULT_URL)
    common.ensure_database(url)
    common.setup_django(url)
    from django.core.management import call_command

    with common.Timer("migrate"):
        call_command("migrate", verbosity=0)
    from egov.civil.models import CivilEvent
    from egov.core.models import OrgUnit

    with common.Timer("structure"):
        communes, users = structure()
    root = OrgUnit.objects.get(electronic_id=MARKER_EID)
    have = CivilEvent.objects.filter(commune__parent=root).count()
    if have < args.events:
        print(f"generating {args.events - have:,} events (once, kept)", flush=True)
        with common.Timer("generation"):
            generate(root.pk, users["bench_civil_registrar"].pk, args.events - have)
    measure(users, communes, args.runs)
    if args.drop:
        drop(url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
