"""Benchmark: the receipt and appointment slip (TT 03/2025 Mẫu 01) as a PDF.
Budget (issue 10): a receipt PDF <= 100 ms — median and p95 of `--runs` renders after warm-up.

    uv run python bench/bench_onestop_slips.py [--runs 50] [--warmup 5]

Measured: `egov.onestop.pdf.render_slip` on a slip with the frozen data the intake writes
(applicant, representative, four components, register entry) and its dossier, held in memory
(no database: rendering only, as the budget excludes the intake's own writes), with the QR code
of the public look-up. Printed beside a trivial WeasyPrint page (one line of text, the same font)
as the baseline of the library itself, and the ratio. PASS/FAIL; exits 1 on FAIL.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time

import common  # noqa: E402 - bench/common.py (scripts run from bench/)

BUDGET_MS = 100.0


def _slip():
    from egov.core import calendar
    from egov.core.models import OrgUnit, OrgUnitKind
    from egov.onestop.models import Dossier, Procedure, ProcedureVersion, Slip

    tz = calendar.LOCAL_TZ
    agency = OrgUnit(pk=1, kind=OrgUnitKind.COMMUNE_COMMITTEE, name="Ủy ban nhân dân xã An Bình",
                     electronic_id="000.01.00.T99", place_name="An Bình")
    proc = Procedure(pk=1, code="1.001193", name="Đăng ký khai sinh")
    version = ProcedureVersion(pk=1, procedure=proc, name="Đăng ký khai sinh",
                               processing_days=3, legal_basis="Luật Hộ tịch 2014",
                               effective_from=dt.date(2025, 7, 1))
    received = dt.datetime(2026, 1, 5, 9, 30, tzinfo=tz)
    due = dt.datetime(2026, 1, 8, 9, 30, tzinfo=tz)
    dossier = Dossier(pk=1, code="000.01.00.T99-260105-0001", public_token="x" * 24,
                      agency=agency, competent_unit=agency, procedure=proc, version=version,
                      channel="counter", state="received", applicant_name="Nguyễn Thị Hồng Nhung",
                      received_at=received, due_at=due)
    data = {
        "code": dossier.code, "procedure": {"code": "1.001193", "name": "Đăng ký khai sinh"},
        "agency": agency.name, "officer": "Lê Văn Cường",
        "applicant": {"kind": "person", "full_name": "Nguyễn Thị Hồng Nhung",
                      "personal_id": "001203004567", "address": "Thôn Đông, xã An Bình",
                      "phone": "0912345678", "email": "nhung@example.vn"},
        "representative": {"full_name": "Trần Văn Đức", "personal_id": "001088001234",
                           "address": "Thôn Tây", "phone": "0987654321", "email": "",
                           "authorisation": "Giấy ủy quyền số 12/GUQ ngày 02/01/2026"},
        "received_at": received.isoformat(), "due_at": due.isoformat(),
        "request_content": "Đăng ký khai sinh cho con", "copies": 1, "result_delivery": "counter",
        "register": {"book": 2026, "entry": 1234, "text": "Quyển số 2026, Số thứ tự 1234"},
        "components": [
            {"code": "TK", "name": "Tờ khai đăng ký khai sinh", "copy_kind": "original",
             "count": 1, "provided": True},
            {"code": "GCS", "name": "Giấy chứng sinh", "copy_kind": "original", "count": 1,
             "provided": True},
            {"code": "CCCD", "name": "Căn cước của người đi đăng ký", "copy_kind": "presented",
             "count": 1, "provided": True},
            {"code": "GKH", "name": "Giấy chứng nhận kết hôn của cha, mẹ",
             "copy_kind": "certified_copy", "count": 1, "provided": True},
        ],
        "at": received.isoformat(),
    }
    return Slip(pk=1, dossier=dossier, agency=agency, form="01", data=data,
                created_at=received)


def _times(fn, runs: int, warmup: int) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    args = parser.parse_args()
    common.setup_django()

    from egov.onestop import pdf

    slip = _slip()
    size = len(pdf.render_slip(slip))
    receipt = _times(lambda: pdf.render_slip(slip), args.runs, args.warmup)
    baseline = _times(lambda: pdf.html_to_pdf("<p>Một dòng chữ.</p>"), args.runs, args.warmup)
    med, p95 = statistics.median(receipt), _p95(receipt)
    bmed, bp95 = statistics.median(baseline), _p95(baseline)
    print(f"Mẫu 01 receipt PDF ({size:,} bytes), {args.runs} renders after {args.warmup} "
          "warm-up:")
    print(f"  receipt   median {med:6.1f} ms   p95 {p95:6.1f} ms   (budget {BUDGET_MS:.0f} ms)")
    print(f"  one line  median {bmed:6.1f} ms   p95 {bp95:6.1f} ms   (trivial WeasyPrint page)")
    print(f"  ratio receipt / one line (median): {med / bmed:.1f}×")
    ok = p95 <= BUDGET_MS
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
