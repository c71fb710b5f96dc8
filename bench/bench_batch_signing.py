"""Batch-sign 1,000 documents with 2 `egov worker` processes on PostgreSQL (budget ≤ 60 s).

    uv run python bench/bench_batch_signing.py [--documents 1000] [--workers 2] [--sample 10]

Database: EGOV_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/egov_bench_batch),
created if missing and migrated. Each run makes its own data: an agency "UBND tỉnh Đo Ký
(bench)" and its leader (created once), a fresh test PKI (root trusted, the leader's RSA-2048
key file registered), and N APPROVED outgoing documents of that signer made with bulk_create
(their single versions share one one-page PDF StoredFile). Then `batch_create` records the job
(chunks enqueued on commit), 2 workers are started as subprocesses with the same settings, and
the time from their start until the job is DONE is measured (worker start-up included). The
workers are stopped, every document must be SIGNED, and a sample of the signed files is
verified (pyHanko, chain to the trusted root). Prints the figures and PASS/FAIL; exit code 1 on
FAIL.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time

import common  # noqa: E402 - bench/common.py (scripts run from bench/)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/egov_bench_batch"
MARKER_EID = "000.00.00.K99"  # the bench agency's electronic identifier
BUDGET_S = 60.0
TIMEOUT_S = 600.0


def _pdf() -> bytes:
    from weasyprint import HTML

    return HTML(string=(
        "<html lang='vi'><body style=\"font-family:'Liberation Serif'; margin: 3cm 2cm\">"
        "<p style='text-align:center'><b>ỦY BAN NHÂN DÂN TỈNH ĐO KÝ</b></p>"
        "<h1 style='text-align:center'>QUYẾT ĐỊNH</h1>"
        "<p style='text-align:center'>Về việc phê duyệt kế hoạch cải cách hành chính năm 2026</p>"
        "<p>Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác "
        "văn thư;</p><p>Điều 1. Phê duyệt kế hoạch kèm theo Quyết định này.</p>"
        "</body></html>")).write_pdf()


def _people():
    """The bench agency and its leader (with the "leader" role), created once."""
    from egov.core.models import OrgUnit, OrgUnitKind, Position, Role, User

    agency = OrgUnit.objects.filter(electronic_id=MARKER_EID).first()
    if agency is None:
        agency = OrgUnit.objects.create(kind=OrgUnitKind.PROVINCE_COMMITTEE,
                                        name="Ủy ban nhân dân tỉnh Đo Ký (bench)",
                                        abbreviation="UBND", electronic_id=MARKER_EID,
                                        place_name="Đo Ký")
    leader = User.objects.filter(username="bench_chutich_doky").first()
    if leader is None:
        leader = User.objects.create_user(username="bench_chutich_doky", password=None,
                                          full_name="Trần Văn Lãnh")
        position = Position.objects.create(user=leader, org_unit=agency, title="Chủ tịch")
        position.roles.set(Role.objects.filter(code="leader"))
    return agency, leader


def _certificate(leader):
    """A fresh root (trusted) and the leader's RSA-2048 key file registered."""
    from egov.signing import pki, services
    from egov.signing.models import TrustAnchor

    root = pki.create_root_ca("eGov Bench Root CA", "eGov Đo Ký")
    issued = pki.issue_certificate(root, "Trần Văn Lãnh", organization="UBND tỉnh Đo Ký",
                                   locality="Đo Ký", algorithm="rsa")
    TrustAnchor.objects.create(name="Bench root", certificate_der=root.der,
                               fingerprint_sha256=root.fingerprint_sha256)
    p12 = pki.export_pkcs12(issued, "bench-pw", chain=[root.certificate])
    return services.certificate_register_pkcs12(actor=leader, owner_user=leader, pkcs12=p12,
                                                password="bench-pw")


def _documents(agency, leader, n: int) -> list[int]:
    """n APPROVED outgoing documents of `leader`, each with one version sharing one PDF."""
    from django.db import transaction
    from django.utils import timezone

    from egov.core import files
    from egov.documents.models import DocumentType, DraftVersion, OutgoingDocument, OutgoingState

    stored = files.file_store(actor=leader, upload=("quyet-dinh.pdf", _pdf()),
                              require={files.PDF})
    doc_type = DocumentType.objects.get(code="QD")
    now = timezone.now()
    with transaction.atomic():
        docs = OutgoingDocument.objects.bulk_create([
            OutgoingDocument(agency=agency, drafting_unit=agency, drafter=leader, doc_type=doc_type,
                             subject=f"Quyết định về việc phê duyệt kế hoạch cải cách hành chính "
                                     f"năm 2026 (đợt {i + 1})",
                             signer=leader, signer_position="Chủ tịch",
                             state=OutgoingState.APPROVED, created_at=now)
            for i in range(n)], batch_size=500)
        DraftVersion.objects.bulk_create([
            DraftVersion(document=d, number=1, file=stored, pdf=stored, uploaded_by=leader,
                         created_at=now) for d in docs], batch_size=500)
    return [d.pk for d in docs]


def _clear_queue() -> int:
    """Drop tasks left waiting by an earlier, interrupted run (bench database only)."""
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(status="READY").delete()[0]


def _start_workers(count: int) -> list[subprocess.Popen]:
    egov = os.path.join(os.path.dirname(sys.executable), "egov")
    command = [egov, "worker", "--no-startup-delay", "--interval", "0.2", "--no-reload"]
    # The workers' task log goes to a file (the figures stay readable); errors are there too.
    log = open(os.path.join(tempfile.gettempdir(), "egov-bench-batch-workers.log"), "ab")  # noqa: SIM115
    return [subprocess.Popen([*command, "--worker-id", f"bench-batch-{i + 1}"],
                             env=os.environ.copy(), stdout=log, stderr=log)
            for i in range(count)]


def _stop_workers(workers: list[subprocess.Popen]) -> float:
    """SIGTERM our workers (by pid), reap them; returns their CPU seconds (user + system)."""
    for proc in workers:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
    cpu = 0.0
    deadline = time.monotonic() + 30
    for proc in workers:
        while proc.returncode is None:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                proc.returncode = os.waitstatus_to_exitcode(status)
                cpu += usage.ru_utime + usage.ru_stime
            elif time.monotonic() > deadline:
                proc.kill()
                deadline += 30
            else:
                time.sleep(0.05)
    return cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sample", type=int, default=10, help="signed files verified")
    args = parser.parse_args()

    url = os.environ.setdefault("EGOV_DATABASE_URL", DEFAULT_URL)
    if not url.startswith(("postgres://", "postgresql://")):
        print("EGOV_DATABASE_URL must point to PostgreSQL", file=sys.stderr)
        return 2
    common.ensure_database(url)
    # The workers inherit this environment: same database, media and key-store key.
    common.setup_django(DEFAULT_URL,
                        EGOV_MEDIA_ROOT=os.path.join(tempfile.gettempdir(),
                                                     "egov-bench-batch-media"),
                        EGOV_KEYSTORE_KEY="egov-bench-batch-keystore", EGOV_TSA_URL="")
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)

    from egov.core.files import file_open
    from egov.documents.models import OutgoingDocument, OutgoingState
    from egov.signing import batch
    from egov.signing.models import BatchSigningJob, BatchState
    from egov.signing.verify import verify_pdf

    print(f"Batch signing: {args.documents} documents, {args.workers} workers, "
          f"chunks of {batch.CHUNK_SIZE}", flush=True)
    agency, leader = _people()
    dropped = _clear_queue()
    if dropped:
        print(f"  dropped {dropped} tasks left by an earlier run")
    with common.Timer("certificate and trust anchor"):
        _certificate(leader)
    with common.Timer(f"{args.documents} approved documents (bulk_create)"):
        ids = _documents(agency, leader, args.documents)
    started = time.perf_counter()
    job = batch.batch_create(actor=leader, document_ids=ids)
    create_s = time.perf_counter() - started
    print(f"  batch_create (checks, job, {job.chunks_total} tasks enqueued): {create_s:.2f} s",
          flush=True)

    workers = _start_workers(args.workers)
    started = time.perf_counter()
    first_signed_s = None
    try:
        while True:
            time.sleep(0.25)
            job.refresh_from_db()
            elapsed = time.perf_counter() - started
            if first_signed_s is None and job.done:
                first_signed_s = elapsed
            if job.state in (BatchState.DONE, BatchState.FAILED):
                break
            if elapsed > TIMEOUT_S:
                print(f"  gave up after {elapsed:.0f} s: {job.done + job.failed}/{job.total}")
                break
    finally:
        elapsed = time.perf_counter() - started
        load = os.getloadavg()[0]
        cpu = _stop_workers(workers)

    job = BatchSigningJob.objects.get(pk=job.pk)
    signed = OutgoingDocument.objects.filter(pk__in=ids, state=OutgoingState.SIGNED).count()
    worker_s = (job.finished_at - job.started_at).total_seconds() \
        if job.finished_at and job.started_at else float("nan")
    print(f"  workers started → job {job.state}: {elapsed:.1f} s "
          f"(first document signed after {first_signed_s or float('nan'):.1f} s; "
          f"first chunk start → last chunk end: {worker_s:.1f} s)")
    print(f"  signed {job.done}, failed {job.failed}; documents SIGNED in the database: {signed}")
    if job.errors:
        print(f"  first errors: {job.errors[:3]}")
    rate = job.done / elapsed if elapsed else 0.0
    print(f"  throughput: {rate:.1f} documents/s ({rate / args.workers:.1f}/s per worker)")
    # The wall time depends on what else the machine runs: the workers' CPU time does not.
    print(f"  workers' CPU: {cpu:.1f} s in all, {1000 * cpu / max(job.total, 1):.0f} ms per "
          f"document (start-up included); 1-minute load average at the end: {load:.1f} "
          f"on {os.cpu_count()} cores")

    sample = random.Random(2026).sample(ids, min(args.sample, len(ids)))
    valid = 0
    for document in OutgoingDocument.objects.filter(pk__in=sample).select_related("signed_file"):
        if not document.signed_file_id:
            continue
        with file_open(document.signed_file) as fh:
            report = verify_pdf(fh.read())
        valid += bool(report.valid and len(report.signatures) == 1
                      and report.signatures[0].certifying)
    print(f"  verified sample: {valid}/{len(sample)} valid certifying signatures")

    ok = (job.state == BatchState.DONE and job.failed == 0 and signed == len(ids)
          and valid == len(sample) and elapsed <= BUDGET_S)
    print(f"{'PASS' if ok else 'FAIL'} batch-sign {len(ids)} documents with {args.workers} "
          f"workers: {elapsed:.1f} s (budget ≤ {BUDGET_S:.0f} s)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
