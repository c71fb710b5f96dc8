"""Benchmark: export of a 10,000-row Sổ đăng ký văn bản đến to XLSX as the background job does it.
Budget: <= 5 s for the whole job (count, keyset chunks with their lead assignments, the workbook,
storing the file), on PostgreSQL.

    uv run python bench/bench_exports.py [--rows 10000] [--runs 3] [--pdf]

Database: EGOV_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/egov_bench_exports),
created if missing and migrated. Data (generated once, kept for later runs): one province
committee with an office, a clerk, an incoming register and `--rows` incoming documents of 2026
made with `INSERT … SELECT generate_series` (not the ORM), each with a lead assignment to the
office (so the "Đơn vị hoặc người nhận" and "Ngày chuyển" columns are filled as in real use).

Measured: `exports_run` (the body of the background task) on a fresh ExportJob, `--runs` times;
the workbook is read back once to check the row count. Prints the best and worst seconds against
the budget, PASS/FAIL; exits 1 on FAIL. `--pdf` also times the PDF export (no budget).
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time

import common  # noqa: E402 - bench/common.py (scripts run from bench/)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/egov_bench_exports"
BUDGET_SECONDS = 5.0
MARKER_EID = "000.00.00.X98"
YEAR = 2026


def _generate(rows: int):
    """(clerk, agency) of the bench data, generated if missing."""
    from django.db import connection, transaction

    from egov.core.models import OrgUnit, OrgUnitKind, Position, Role, User
    from egov.documents.models import DocumentType, IncomingDocument, Register

    agency = OrgUnit.objects.filter(electronic_id=MARKER_EID).first()
    if agency is not None:
        clerk = User.objects.get(username="bench_export_clerk")
        count = IncomingDocument.objects.filter(agency=agency, year=YEAR).count()
        if count == rows:
            print(f"data present: {count:,} incoming documents (generation skipped)")
            return clerk, agency
        raise SystemExit(f"the bench database holds {count:,} documents, not {rows:,}: drop "
                         "it or pass --rows {count}")
    print(f"generating {rows:,} incoming documents …", flush=True)
    started = time.perf_counter()
    with transaction.atomic():
        agency = OrgUnit.objects.create(
            kind=OrgUnitKind.PROVINCE_COMMITTEE, name="Ủy ban nhân dân tỉnh Đo Tải (bench)",
            abbreviation="UBND", electronic_id=MARKER_EID, place_name="Đo Tải")
        office = OrgUnit.objects.create(kind=OrgUnitKind.DIVISION, name="Văn phòng UBND tỉnh",
                                        abbreviation="VP", parent=agency, place_name="Đo Tải")
        clerk = User.objects.create_user(username="bench_export_clerk", password=None,
                                         full_name="Văn thư (bench)")
        leader = User.objects.create_user(username="bench_export_leader", password=None,
                                          full_name="Chủ tịch (bench)")
        post = Position.objects.create(user=clerk, org_unit=office, title="Văn thư")
        post.roles.set(Role.objects.filter(code="clerk"))
        register = Register.objects.create(agency=agency, direction="incoming",
                                           kind="incoming", name="Sổ văn bản đến (bench)")
        cv = DocumentType.objects.get(code="CV").pk
        with connection.cursor() as cur:
            cur.execute(
                """
                INSERT INTO documents_incomingdocument (agency_id, register_id, year,
                    arrival_number, arrival_date, channel, issuer_name, issuer_electronic_id,
                    number, notation, code, issued_date, doc_type_id, subject, signer_name,
                    signer_position, urgency, language, description, file_sha256, state,
                    signature_status, signature_report, cancel_reason, text_content,
                    registered_by_id, created_at, page_count, handling_due_date)
                SELECT %(agency)s, %(register)s, %(year)s, g,
                       TIMESTAMPTZ '2026-01-02 08:00:00+07' + (g * 31) * INTERVAL '1 minute',
                       CASE WHEN g %% 3 = 0 THEN 'electronic' ELSE 'paper' END,
                       'Sở Ban ngành số ' || (g %% 40), '', (100 + g)::text, 'SBN-VP',
                       (100 + g)::text || '/SBN-VP',
                       DATE '2026-01-01' + (g / 40), %(cv)s,
                       'V/v triển khai nhiệm vụ trọng tâm, rà soát thủ tục hành chính đợt ' || g,
                       'Nguyễn Văn Ký', 'Giám đốc',
                       CASE WHEN g %% 50 = 0 THEN 'flash' ELSE 'normal' END,
                       'Tiếng Việt', '', '', 'in_progress', '', '{}', '', '',
                       %(clerk)s, now(), 2, DATE '2026-01-20' + (g / 40)
                FROM generate_series(1, %(rows)s) g
                """,
                {"agency": agency.pk, "register": register.pk, "year": YEAR, "cv": cv,
                 "clerk": clerk.pk, "rows": rows},
            )
            cur.execute(
                """
                INSERT INTO documents_assignment (document_id, role, assignee_unit_id,
                    instruction, due_date, state, result, assigned_by_id, assigned_at,
                    first_viewed_at, doc_arrival_date)
                SELECT d.id, 'lead', %(office)s, 'Văn phòng chủ trì tham mưu',
                       d.handling_due_date, 'open', '', %(leader)s,
                       d.arrival_date + INTERVAL '2 hours',
                       d.arrival_date + INTERVAL '3 hours', d.arrival_date
                FROM documents_incomingdocument d WHERE d.register_id = %(register)s
                """,
                {"office": office.pk, "leader": leader.pk, "register": register.pk},
            )
    with connection.cursor() as cur:
        cur.execute("ANALYZE documents_incomingdocument")
        cur.execute("ANALYZE documents_assignment")
    print(f"generated in {time.perf_counter() - started:.1f} s", flush=True)
    return clerk, agency


def _run(clerk, agency, fmt: str) -> tuple[float, object]:
    from egov.documents.models import ExportJob
    from egov.documents.services.exports import exports_run

    job = ExportJob.objects.create(kind="incoming_register", requested_by=clerk,
                                   params={"agency_id": agency.pk, "year": YEAR,
                                           "format": fmt})
    started = time.perf_counter()
    exports_run(job_id=job.pk)
    elapsed = time.perf_counter() - started
    job.refresh_from_db()
    if job.state != "done":
        raise SystemExit(f"FAIL: the export job ended {job.state}: {job.error}")
    return elapsed, job


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pdf", action="store_true", help="also time the PDF export")
    args = parser.parse_args()

    url = os.environ.setdefault("EGOV_DATABASE_URL", DEFAULT_URL)
    if not url.startswith(("postgres://", "postgresql://")):
        print("EGOV_DATABASE_URL must point to PostgreSQL", file=sys.stderr)
        return 2
    common.ensure_database(url)
    common.setup_django(DEFAULT_URL)
    from django.core.management import call_command
    from openpyxl import load_workbook

    from egov.core.files import file_open

    call_command("migrate", verbosity=0, interactive=False)
    clerk, agency = _generate(args.rows)

    times, job = [], None
    for _ in range(max(1, args.runs)):
        elapsed, job = _run(clerk, agency, "xlsx")
        times.append(elapsed)
        print(f"  xlsx export: {elapsed:.2f} s ({job.result.size / 1024:.0f} KiB)", flush=True)
    with file_open(job.result) as f:
        ws = load_workbook(io.BytesIO(f.read()), read_only=True).active
        data_rows = sum(1 for row in ws.iter_rows(values_only=True)
                        if len(row) > 1 and isinstance(row[1], int))
    if data_rows != args.rows:
        print(f"FAIL: the workbook holds {data_rows:,} rows, not {args.rows:,}")
        return 1
    if args.pdf:
        elapsed, pdf_job = _run(clerk, agency, "pdf")
        print(f"  pdf export: {elapsed:.2f} s ({pdf_job.result.size / 1024:.0f} KiB, "
              "no budget)")
    worst = max(times)
    verdict = "PASS" if worst <= BUDGET_SECONDS else "FAIL"
    print(f"{args.rows:,}-row register to XLSX: best {min(times):.2f} s, worst {worst:.2f} s "
          f"(budget {BUDGET_SECONDS:.1f} s) {verdict}")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
