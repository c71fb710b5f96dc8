"""Counter intake (issue 10 budget: p95 <= 100 ms, PDF rendering excluded), on PostgreSQL,
side by side with a baseline: the same rows inserted by raw SQL in one transaction.

    uv run python bench/bench_onestop_intake.py [--n 300]

Database: EGOV_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/egov_bench_onestop),
created if missing and migrated. Each run adds a commune, a desk officer and a procedure
(3 components, 3 steps) of its own, then times `dossier_intake` (validation, code, register
entry, Mẫu 01 row, the desk's hand-over row and work item, event, audit) ``--n`` times, and the
raw-SQL baseline (dossier, 3 components, 2 sequence upserts, slip, work item, hand-over, event)
as many times. Prints p50/p95, the ratio and PASS/FAIL on the p95 budget; exit code 1 on FAIL.
"""

from __future__ import annotations

import argparse
import json
import secrets
import statistics
import sys
import time
import uuid

import common  # noqa: E402 - bench/common.py (scripts run from bench/)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/egov_bench_onestop"
BUDGET_P95_MS = 100.0


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def _setup():
    import datetime as dt

    from egov.core.models import OrgUnit, OrgUnitKind, Position, Role, User
    from egov.onestop.models import Procedure, ProcedureComponent, ProcedureStep, ProcedureVersion

    tag = uuid.uuid4().hex[:6]
    commune = OrgUnit.objects.create(kind=OrgUnitKind.COMMUNE_COMMITTEE,
                                     name=f"UBND xã Bench {tag}",
                                     electronic_id=f"B{tag}.00.T99", place_name="Bench")
    user = User.objects.create_user(username=f"bench-{tag}", password=secrets.token_hex(8),
                                    full_name="Bench")
    pos = Position.objects.create(user=user, org_unit=commune, title="Cán bộ một cửa")
    pos.roles.set(Role.objects.filter(code="onestop_officer"))
    proc = Procedure.objects.create(code=f"9.{tag}", name="Bench")
    version = ProcedureVersion.objects.create(
        procedure=proc, name="Bench", field_name="Hộ tịch", processing_days=5,
        legal_basis="—", effective_from=dt.date(2025, 1, 1))
    for i, code in enumerate(("TK", "GCS", "KH"), start=1):
        ProcedureComponent.objects.create(version=version, code=code, name=code, ordering=i)
        ProcedureStep.objects.create(version=version, ordering=i, name=f"B{i}", days=1)
    return commune, user, proc, version


def _intake(commune, user, proc):
    from egov.onestop.services import intake

    def run(i):
        intake.dossier_intake(
            actor=user, agency=commune, procedure_code=proc.code,
            applicant={"full_name": "Nguyễn Văn An", "personal_id": f"{i:012d}",
                       "phone": "0912345678", "email": "an@example.vn", "address": "Thôn 1"},
            components=[{"code": c, "provided": True} for c in ("TK", "GCS", "KH")])
    return run


def _raw(commune, user, version):
    from django.db import connection, transaction

    def run(i):
        now = time.time()
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("INSERT INTO core_sequence (scope, series, year, last_value) VALUES "
                        "(%s, %s, 2026, 1) ON CONFLICT (scope, series, year) DO UPDATE SET "
                        "last_value = core_sequence.last_value + 1 RETURNING last_value",
                        [f"raw:{commune.pk}", "d"])
            seq = cur.fetchone()[0]
            cur.execute(
                "INSERT INTO onestop_dossier (code, public_token, agency_id, competent_unit_id,"
                " procedure_id, version_id, channel, state, applicant_kind, applicant_name,"
                " applicant_id, applicant_address, applicant_phone, applicant_email,"
                " representative, check_phone, check_id, request_content, copies,"
                " result_delivery, submitted_at, received_at, received_by_id, forward_by,"
                " due_at, original_due_at, paused_days, supplement_requests, current_step,"
                " outcome, returned_via, result_medium, result_number, result_note,"
                " refusal_reason, stop_reason, created_by_id, is_demo) VALUES (%s, %s, %s, %s,"
                " %s, %s, 'counter', 'received', 'person', 'Nguyễn Văn An', %s, 'Thôn 1',"
                " '0912345678', 'an@example.vn', '{}', '5678', '0000', '', 1, 'counter', now(),"
                " now(), %s, now(), now(), now(), 0, 0, 0, '', '', '', '', '', '', '', %s,"
                " false) RETURNING id",
                [f"RAW{commune.pk}-{now}-{seq}", secrets.token_urlsafe(18)[:24], commune.pk,
                 commune.pk, version.procedure_id, version.pk, f"{i:012d}", user.pk,
                 user.pk])
            did = cur.fetchone()[0]
            cur.executemany(
                "INSERT INTO onestop_dossiercomponent (dossier_id, code, name, copy_kind, count,"
                " provided, digitised) VALUES (%s, %s, %s, 'original', 1, true, false)",
                [(did, c, c) for c in ("TK", "GCS", "KH")])
            cur.execute("INSERT INTO core_sequence (scope, series, year, last_value) VALUES "
                        "(%s, 'r', 2026, 1) ON CONFLICT (scope, series, year) DO UPDATE SET "
                        "last_value = core_sequence.last_value + 1 RETURNING last_value",
                        [f"rawreg:{commune.pk}"])
            cur.execute("INSERT INTO onestop_slip (dossier_id, agency_id, form, number, data,"
                        " created_at, created_by_id) VALUES (%s, %s, '01', '', %s, now(), %s)",
                        [did, commune.pk, json.dumps({"code": "x", "components": []}),
                         user.pk])
            cur.execute("INSERT INTO core_workitem (module, kind, title, url, subject_id,"
                        " assignee_unit_id, role, urgency, state, due_at, due_sort,"
                        " created_at) VALUES ('onestop', 'onestop.forward', 'x', '', %s, %s,"
                        " 'task', '', 'open', now(), now(), now()) RETURNING id",
                        [str(did), commune.pk])
            wid = cur.fetchone()[0]
            cur.execute("INSERT INTO onestop_dossierhandover (dossier_id, step_no, name,"
                        " unit_id, received_at, due_at, outcome, note, work_item_id) VALUES"
                        " (%s, 0, 'x', %s, now(), now(), '', '', %s)",
                        [did, commune.pk, wid])
            cur.execute("INSERT INTO onestop_dossierevent (dossier_id, at, kind, state, note,"
                        " public, details) VALUES (%s, now(), 'receive', 'received', '', true,"
                        " '{}')", [did])
    return run


def _timed(fn, n: int) -> list[float]:
    times = []
    for i in range(n):
        started = time.perf_counter()
        fn(i)
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=300)
    args = parser.parse_args()
    import os

    url = os.environ.get("EGOV_DATABASE_URL", DEFAULT_URL)
    common.ensure_database(url)
    common.setup_django(url, EGOV_MEDIA_ROOT="/tmp/egov-bench-onestop-media")
    from django.core.management import call_command

    with common.Timer("migrate"):
        call_command("migrate", verbosity=0)
    from egov.core.catalog import seed_roles
    from egov.core.models import Role, RoleGrant

    seed_roles(Role, RoleGrant)
    commune, user, proc, version = _setup()
    intake_fn, raw_fn = _intake(commune, user, proc), _raw(commune, user, version)
    _timed(intake_fn, 10)  # warm up (grants, content types, calendar)
    _timed(raw_fn, 10)
    times, raw = _timed(intake_fn, args.n), _timed(raw_fn, args.n)
    p95, raw_p95 = _percentile(times, 95), _percentile(raw, 95)
    good = p95 <= BUDGET_P95_MS
    print(f"intake (n={args.n})  p50 {statistics.median(times):6.1f} ms  p95 {p95:6.1f} ms | "
          f"raw SQL p50 {statistics.median(raw):6.1f} ms  p95 {raw_p95:6.1f} ms | "
          f"{p95 / raw_p95:4.2f}x  (budget p95 <= {BUDGET_P95_MS:g} ms)  "
          f"{'PASS' if good else 'FAIL'}", flush=True)
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
