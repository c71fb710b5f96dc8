"""The public dossier look-up, side by side with a trivial view (issue 10 budget: p95 <= 20 ms
and >= 300 requests per second on 2 cores through gunicorn), on PostgreSQL.

    uv run python bench/bench_onestop_lookup.py [--dossiers 20000] [--duration 10]
        [--connections 4]

Database: EGOV_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/egov_bench_lookup),
created if missing and migrated. Data, generated once (skipped when present): one commune, one
procedure with three steps, ``--dossiers`` dossiers (bulk INSERTs) with two public events each,
one in ten paused on a supplement. (The 2M-dossier generator is bench/bench_onestop.py, another
part's; point EGOV_DATABASE_URL at its database to measure at that size.)

Measures with wrk (2 threads, ``--connections`` connections, ``--duration`` seconds each, one
after the other) against gunicorn with 2 sync workers: the trivial view (bench_urls.trivial: the
whole middleware stack, no query), GET /api/v1/portal/dossiers/{code}?check=NNNN over a rotating
set of dossiers (a wrk Lua script cycles through 200 codes), and the QR page /public/d/<token>/
of one dossier. The rate limit is set high so that every hit is served and still counted.
Also the statements per hit (in-process). Prints PASS/FAIL; exit code 1 on any FAIL.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import subprocess
import sys
import tempfile

import bench_public_and_search as bps  # noqa: E402 - wrk helpers (scripts run from bench/)
import common  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/egov_bench_lookup"
BUDGET_P95_MS = 20.0
BUDGET_RPS = 300.0
BUDGET_QUERIES = 2
AGENCY_ID = "000.99.00.B01"


def _generate(n: int) -> None:
    from django.db import transaction

    from egov.core.calendar import LOCAL_TZ
    from egov.core.models import OrgUnit, OrgUnitKind
    from egov.onestop import rules
    from egov.onestop.models import (
        Dossier,
        DossierEvent,
        DossierPause,
        Procedure,
        ProcedureStep,
        ProcedureVersion,
    )

    if Dossier.objects.filter(agency__electronic_id=AGENCY_ID).exists():
        return
    rng = random.Random(10)
    with transaction.atomic():
        commune = OrgUnit.objects.create(kind=OrgUnitKind.COMMUNE_COMMITTEE,
                                         name="Ủy ban nhân dân xã Đo Tải",
                                         electronic_id=AGENCY_ID)
        # A bench code of its own: a migrated database already holds the seeded 1.001193
        # (e.g. bench_onestop.py's, which this script can be pointed at).
        proc = Procedure.objects.create(code="9.981193", name="Thủ tục đăng ký khai sinh")
        version = ProcedureVersion.objects.create(
            procedure=proc, name=proc.name, field_name="Hộ tịch", processing_days=3,
            legal_basis="Luật Hộ tịch 2014", effective_from=dt.date(2025, 7, 1))
        for i, name in enumerate(("Tiếp nhận", "Thẩm định", "Ký, trả kết quả"), 1):
            ProcedureStep.objects.create(version=version, ordering=i, name=name, days=1)
    start = dt.datetime(2026, 1, 5, 8, 0, tzinfo=LOCAL_TZ)
    batch = 5000
    for lo in range(0, n, batch):
        rows = []
        for i in range(lo, min(n, lo + batch)):
            received = start + dt.timedelta(minutes=13 * i)
            paused = i % 10 == 0
            due = rules.due_at(received, 3, next_day_after_cutoff=False)
            rows.append(Dossier(
                code=f"{AGENCY_ID}-{received:%y%m%d}-{i:06d}", public_token=f"tok{i:021d}",
                agency=commune, competent_unit=commune, procedure=proc, version=version,
                channel="counter", state="supplement" if paused else "processing",
                applicant_name="Nguyễn Văn A", applicant_id=f"0011900{i:05d}",
                applicant_phone=f"09{rng.randrange(10**8):08d}", check_id=f"{i % 10000:04d}",
                check_phone=f"{(i * 7) % 10000:04d}", submitted_at=received,
                received_at=received, due_at=due, original_due_at=due, current_step=1,
                paused_since=received + dt.timedelta(days=1) if paused else None,
                supplement_requests=1 if paused else 0))
        with transaction.atomic():
            made = Dossier.objects.bulk_create(rows)
            DossierEvent.objects.bulk_create(
                [DossierEvent(dossier=d, at=d.received_at, kind=k, state="processing",
                              unit=commune) for d in made for k in ("received", "forwarded")])
            DossierPause.objects.bulk_create(
                [DossierPause(dossier=d, started_at=d.paused_since) for d in made
                 if d.paused_since])
        print(f"  {min(n, lo + batch):,} dossiers", flush=True)


LUA_ROTATE = """
paths = {PATHS}
i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dossiers", type=int, default=20_000)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=4)
    args = parser.parse_args()
    url = os.environ.setdefault("EGOV_DATABASE_URL", DEFAULT_URL)
    os.environ["EGOV_ONESTOP_LOOKUP_RATE"] = "1000000000/600"
    common.ensure_database(url)
    common.setup_django(DEFAULT_URL)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from egov.onestop.models import Dossier

    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)
    _generate(args.dossiers)
    sample = list(Dossier.objects.filter(agency__electronic_id=AGENCY_ID)
                  .order_by("?").values_list("code", "check_id", "public_token")[:200])
    total = Dossier.objects.count()
    api_paths = [f"/api/v1/portal/dossiers/{c}?check={k}" for c, k, _t in sample]
    token_path = f"/public/d/{sample[0][2]}/"

    client = Client(HTTP_HOST="127.0.0.1")
    counts = {}
    for label, path in (("api", api_paths[0]), ("page", token_path)):
        client.get(path)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200, path
        counts[label] = len(ctx.captured_queries)

    wrk = bps._wrk()
    port = bps._free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench_site", "EGOV_DEBUG": "0",
           "EGOV_SECRET_KEY": "bench-" + "x" * 60, "EGOV_LOG_LEVEL": "ERROR", "EGOV_HTTPS": "0",
           "EGOV_STATIC_ROOT": os.path.join(tempfile.gettempdir(), "egov-bench-lookup-static"),
           "PYTHONPATH": os.pathsep.join([str(bps.BENCH_DIR), os.environ.get("PYTHONPATH", "")])}
    subprocess.run([sys.executable, "-m", "django", "collectstatic", "--noinput", "-v", "0"],
                   env=env, check=True)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", "egov.wsgi:application"], env=env)
    base = f"http://127.0.0.1:{port}"
    scripts = []
    try:
        for text in (bps.WRK_SCRIPT,
                     LUA_ROTATE.replace("PATHS", ", ".join(f'"{p}"' for p in api_paths))
                     + bps.WRK_SCRIPT):
            with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
                f.write(text)
                scripts.append(f.name)
        plain, rotate = scripts
        bps._wait_for(base + "/bench/trivial/")
        runs = {"trivial view": (base + "/bench/trivial/", plain),
                "GET /api/v1/portal/dossiers/{code}": (base + "/", rotate),
                "/public/d/<token>/ (QR page)": (base + token_path, plain)}
        for target, script in runs.values():  # warm-up: imports, connections, memos
            bps._load(wrk, target, 3, args.connections, script)
        figures = {label: bps._load(wrk, target, args.duration, args.connections, script)
                   for label, (target, script) in runs.items()}
    finally:
        server.terminate()
        server.wait(timeout=30)
        for s in scripts:
            os.unlink(s)
    ok = True
    trivial = figures["trivial view"]
    print(f"\n=== public look-up, {total:,} dossiers in {connection.settings_dict['NAME']}; "
          f"gunicorn 2 workers, wrk 2 threads x {args.connections} connections, "
          f"{args.duration} s each ===")
    print(f"{'trivial view (baseline)':<36} {trivial['rps']:8.1f} req/s  p50 "
          f"{trivial['p50']:6.1f} ms  p95 {trivial['p95']:6.1f} ms")
    for label, key in (("GET /api/v1/portal/dossiers/{code}", "api"),
                       ("/public/d/<token>/ (QR page)", "page")):
        fig = figures[label]
        good = (fig["p95"] <= BUDGET_P95_MS and fig["rps"] >= BUDGET_RPS
                and fig["non2xx"] == 0 and fig["errors"] == 0
                and counts[key] <= BUDGET_QUERIES)
        ok &= good
        print(f"{label:<36} {fig['rps']:8.1f} req/s  p50 {fig['p50']:6.1f} ms  p95 "
              f"{fig['p95']:6.1f} ms  {fig['rps'] / trivial['rps']:4.2f}x trivial  "
              f"{counts[key]} queries  non-2xx {fig['non2xx']}  (budget p95 <= "
              f"{BUDGET_P95_MS:g} ms, >= {BUDGET_RPS:g} req/s, <= {BUDGET_QUERIES} queries)  "
              f"{'PASS' if good else 'FAIL'}")
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
