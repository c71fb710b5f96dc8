"""A plan's 5,000 tasks imported from XLSX (issue 12 budget: 5,000 rows in under 30 s, the dry
run and the import), on PostgreSQL and on SQLite.

    uv run python bench/bench_directives_import.py [--rows 5000] [--db pg|sqlite|both]

Databases: EGOV_DATABASE_URL for `pg` (default postgres://postgres@127.0.0.1:5432/
egov_bench_dimport, created if missing), a file under /tmp for `sqlite`; both migrated. Each
run gives a fresh issued plan (kế hoạch) of a province with 60 units and measures, through the
service the page and the command use (egov.directives.services.plan_import):

- the file built (openpyxl, not part of the budget) and read alone (openpyxl read-only);
- the URLconf is loaded first (a running server has it; the inbox items' addresses need it);
- dry run of the new file (read, check, resolve units; writes nothing);
- import of the new file (dry run again + 5,000 directives, 7,500 participants, 5,000 events,
  5,000 codes from one block of the numbering kernel, 7,500 inbox items (hooks.subscribe_batch), the audit
  rows, in one transaction);
- dry run and import of the same file again (all unchanged);
- import of the file with every title changed (5,000 updates);
- the numbering kernel alone: 5,000 `sequence_next` calls in one transaction against one
  `sequence_next_block(count=5000)` (added for this import: on PostgreSQL thousands of updates
  of one row in one transaction each walk the row's growing version chain, quadratic).
A 3,000,000-step Python loop is timed first to show how loaded the machine is (≈ 0.15 s on a
quiet core). Prints each figure and PASS/FAIL against 30 s; exit code 1 on FAIL.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import subprocess
import sys
import time

import common  # noqa: E402 - bench/common.py (scripts run from bench/)

DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/egov_bench_dimport"
SQLITE_FILE = "/tmp/egov_bench_dimport.sqlite3"
MARKER_EID = "000.00.00.K99"
BUDGET_S = 30.0


def _structure():
    from egov.core.models import OrgUnit, OrgUnitKind, Position, Role, User

    root = OrgUnit.objects.filter(electronic_id=MARKER_EID).first()
    if root is None:
        root = OrgUnit.objects.create(kind=OrgUnitKind.PROVINCE_COMMITTEE,
                                      name="Ủy ban nhân dân tỉnh Kế Hoạch (bench)",
                                      abbreviation="UBND", electronic_id=MARKER_EID,
                                      place_name="Kế Hoạch")
        for i in range(60):
            OrgUnit.objects.create(kind=OrgUnitKind.AGENCY, name=f"Sở Kế Hoạch {i:02d}",
                                   abbreviation="SO", parent=root,
                                   electronic_id=f"000.{i + 1:02d}.00.K99", place_name="Kế Hoạch")
    leader = User.objects.filter(username="bench-kehoach").first()
    if leader is None:
        leader = User.objects.create_user(username="bench-kehoach", password=os.urandom(8).hex(),
                                          full_name="Chủ Tịch Kế Hoạch")
        pos = Position.objects.create(user=leader, org_unit=root, title="Chủ tịch")
        pos.roles.set(Role.objects.filter(code="leader"))
    units = list(OrgUnit.objects.filter(parent=root).order_by("id"))
    return root, units, leader


def _plan(root, leader):
    from django.utils import timezone

    from egov.documents.models import DocumentType, OutgoingDocument

    n = OutgoingDocument.objects.filter(agency=root).count() + 1
    return OutgoingDocument.objects.create(
        agency=root, drafting_unit=root, drafter=leader, signer=leader,
        doc_type=DocumentType.objects.get(code="KH"), subject=f"Kế hoạch bench {n}",
        state="issued", year=2026, number=n, code=f"{n}/KH-UBND",
        issued_date=timezone.localdate())


def _xlsx(units, rows: int, suffix: str = "") -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Nhiệm vụ")
    sheet.append(["Mã", "Nội dung", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời hạn", "Ưu tiên",
                  "Ghi chú"])
    day = dt.date.today() + dt.timedelta(days=90)
    for i in range(1, rows + 1):
        lead = units[i % len(units)]
        support = units[(i + 7) % len(units)]
        sheet.append([f"NV{i:05d}", f"Nhiệm vụ {i} của kế hoạch: triển khai nội dung{suffix}",
                      lead.electronic_id if i % 2 else lead.name,
                      support.name if i % 2 == 0 else "",
                      day + dt.timedelta(days=i % 60), ("", "Cao", "Khẩn")[i % 3],
                      "Ghi chú" if i % 5 == 0 else ""])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _calibrate() -> int:
    """A pure-Python loop: ~0.1–0.2 s on a quiet core; tells how loaded the machine was."""
    total = 0
    for i in range(3_000_000):
        total += i
    return total


def _timed(label: str, fn, budget: bool = True):
    started = time.perf_counter()
    value = fn()
    took = time.perf_counter() - started
    verdict = ("PASS" if took < BUDGET_S else "FAIL") if budget else ""
    print(f"  {label:<48} {took:6.2f} s {verdict}", flush=True)
    return value, took


def run_one(rows: int) -> bool:
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)
    from django.urls import get_resolver

    from egov.core import numbering
    from egov.directives.models import Directive
    from egov.directives.services import plan_import as svc
    from egov.directives.services.plan_read import read_xlsx

    assert get_resolver().url_patterns  # load the URLconf once, as a running server has it
    root, units, leader = _structure()
    plan = _plan(root, leader)
    _timed("machine load: a 3,000,000-step Python loop", _calibrate, False)
    print(f"{connection.vendor}: {rows:,} rows, plan {plan.code}", flush=True)
    data, _ = _timed("build the XLSX (openpyxl write-only)", lambda: _xlsx(units, rows), False)
    print(f"  file size {len(data) / 1024:.0f} KiB")
    _timed("read the XLSX alone (openpyxl read-only)", lambda: read_xlsx(data), False)
    ok = True

    def check(d):
        r = svc.plan_check(actor=leader, document_id=plan.pk, data=d)
        assert not r.errors, r.errors[:3]
        return r

    def imp(d):
        return svc.plan_import(actor=leader, document_id=plan.pk, data=d, name="bench.xlsx")

    r, t1 = _timed("dry run, new file", lambda: check(data))
    assert r.counts["new"] == rows
    r, t2 = _timed("import, new file (one transaction)", lambda: imp(data))
    assert Directive.objects.filter(source_outgoing=plan).count() == rows
    r, t3 = _timed("dry run, same file again (unchanged)", lambda: check(data))
    assert r.counts["unchanged"] == rows
    r, t4 = _timed("import, same file again (unchanged)", lambda: imp(data))
    changed = _xlsx(units, rows, suffix=" (sửa)")
    r, t5 = _timed("import, every title changed (updates)", lambda: imp(changed))
    assert r.counts["updated"] == rows

    def numbers():
        with transaction.atomic():
            for _i in range(rows):
                numbering.sequence_next(scope="bench.dimport", series="NV", year=2026)
            transaction.set_rollback(True)

    def block():
        with transaction.atomic():
            numbering.sequence_next_block(scope="bench.dimport", series="NV", year=2026,
                                          count=rows)
            transaction.set_rollback(True)

    _timed(f"numbering: {rows:,} sequence_next one by one", numbers, False)
    _timed(f"numbering: sequence_next_block of {rows:,} (what the import uses)", block, False)
    ok = all(t < BUDGET_S for t in (t1, t2, t3, t4, t5))
    print(f"  {'RESULT':<48} {'PASS' if ok else 'FAIL'}", flush=True)
    return ok


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--db", choices=("pg", "sqlite", "both"), default="both")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        common.setup_django()
        return 0 if run_one(args.rows) else 1
    codes = []
    for db in (("pg", "sqlite") if args.db == "both" else (args.db,)):
        env = dict(os.environ)
        if db == "pg":
            url = env.get("EGOV_DATABASE_URL") or DEFAULT_PG
            if not url.startswith("postgres"):
                url = DEFAULT_PG
            common.ensure_database(url)
        else:
            url = f"sqlite:///{SQLITE_FILE}"
        env["EGOV_DATABASE_URL"] = url
        codes.append(subprocess.call([sys.executable, __file__, "--rows", str(args.rows),
                                      "--child"], env=env, cwd=os.path.dirname(__file__)))
    return 1 if any(codes) else 0


if __name__ == "__main__":
    sys.exit(main())
