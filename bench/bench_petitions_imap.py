"""Poll 1,000 e-mails from a real IMAP server into draft petitions on PostgreSQL (budget ≤ 60 s),
then the same with the connection cut midway and a second poll: nothing lost, nothing doubled.

    uv run python bench/bench_petitions_imap.py [--messages 1000] [--batch 50] [--cut 0.5]

Database: EGOV_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/egov_bench_mail),
created if missing and migrated. A Dovecot is started on loopback as in the tests
(tests/petitions/imap_server.py, needs Debian's dovecot-imapd); each run delivers the messages
by IMAP APPEND into two fresh folders (not timed), with Vietnamese subjects and bodies and one
small attachment on every tenth message.

1. One `mailbox_poll` of the first folder: every message becomes a draft petition (identity
   stored apart, the .eml and attachments as identity files, the acknowledgement queued). The
   time from the poll's start to its end is compared with the budget.
2. The second folder is polled through a loopback proxy that drops the connection after
   `--cut` of the bytes a full poll takes; the poll stops with the error recorded; a second
   poll (direct) takes the rest. Counts: created, doubled (petitions per Message-ID above 1),
   lost (delivered Message-IDs with no petition).

Prints the figures and PASS/FAIL; exit code 1 on FAIL.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
import uuid
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import common  # noqa: E402 - bench/common.py (scripts run from bench/)

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.petitions.imap_server

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/egov_bench_mail"
MARKER_EID = "000.00.00.M99"
BUDGET_S = 60.0
PASSWORD_ENV = "EGOV_BENCH_IMAP_PASSWORD"

BODY = ("Kính gửi Ủy ban nhân dân xã. Tôi là {name}, điện thoại 09{phone:08d}, xin phản ánh "
        "việc đường liên thôn đoạn qua xóm {n} bị sạt lở sau mưa lớn, xe máy đi lại rất nguy "
        "hiểm. Đề nghị xã kiểm tra và sửa chữa sớm. Xin trân trọng cảm ơn.")


def _messages(run: str, n: int) -> list[bytes]:
    out = []
    for i in range(n):
        msg = EmailMessage()
        name = f"Nguyễn Văn Bình {i}"
        msg["From"] = f"{name} <binh{i}.{run}@example.vn>"
        msg["To"] = "tiepdan@bench.gov.vn"
        msg["Subject"] = f"Phản ánh sạt lở đường liên thôn số {i}"
        msg["Date"] = format_datetime(dt.datetime.now(dt.UTC))
        msg["Message-ID"] = f"<{run}.{i}@example.vn>"
        msg.set_content(BODY.format(name=name, phone=i, n=i))
        if i % 10 == 0:
            msg.add_attachment(b"\xff\xd8\xff\xe0" + os.urandom(2048), maintype="image",
                               subtype="jpeg", filename=f"hien-truong-{i}.jpg")
        out.append(bytes(msg))
    return out


def _agency():
    from egov.core.models import OrgUnit, OrgUnitKind

    agency = OrgUnit.objects.filter(electronic_id=MARKER_EID).first()
    if agency is None:
        agency = OrgUnit.objects.create(kind=OrgUnitKind.COMMUNE_COMMITTEE,
                                        name="Ủy ban nhân dân xã Đo Thư (bench)",
                                        abbreviation="UBND", electronic_id=MARKER_EID,
                                        place_name="Đo Thư")
    return agency


def _mailbox(server, agency, folder: str, port: int):
    from egov.petitions.models_mail import Mailbox, MailSecurity

    conn = server.connect()
    try:
        conn.create(folder)
    finally:
        conn.logout()
    return Mailbox.objects.create(
        agency=agency, address=f"{folder.lower()}@bench.gov.vn", host="127.0.0.1", port=port,
        security=MailSecurity.NONE, username=server.user, password_env=PASSWORD_ENV,
        folder=folder)


def _deliver(server, folder: str, messages: list[bytes]) -> None:
    conn = server.connect()
    try:
        for raw in messages:
            conn.append(folder, "", None, raw)
    finally:
        conn.logout()


def _counts(mailbox, run: str, n: int) -> dict[str, int]:
    from django.db.models import Count

    from egov.petitions.models import PetitionIdentity
    from egov.petitions.models_mail import MailMessage

    wanted = {f"<{run}.{i}@example.vn>" for i in range(n)}
    rows = MailMessage.objects.filter(mailbox=mailbox, petition__isnull=False)
    got = set(rows.values_list("message_id", flat=True))
    # Petitions whose identity names each Message-ID (one per message if nothing doubled).
    per_id = (PetitionIdentity.objects.filter(source_details__mailbox=mailbox.address)
              .values("source_details__headers__Message-ID").annotate(c=Count("pk")))
    doubled = sum(r["c"] - 1 for r in per_id if r["c"] > 1)
    return {"created": rows.count(), "doubled": doubled, "lost": len(wanted - got)}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--cut", type=float, default=0.5)
    args = parser.parse_args()

    url = os.environ.get("EGOV_DATABASE_URL", DEFAULT_URL)
    common.ensure_database(url)
    common.setup_django(url, EGOV_MEDIA_ROOT="/tmp/egov-bench-mail-media")
    from django.core.management import call_command

    with common.Timer("migrate"):
        call_command("migrate", verbosity=0)

    from tests.petitions.imap_server import CuttingProxy, Dovecot

    from egov.petitions.services.mail import mailbox_poll

    server = Dovecot().start()
    os.environ[PASSWORD_ENV] = server.password
    ok = True
    try:
        agency = _agency()
        run = uuid.uuid4().hex[:8]
        n = args.messages

        # 1. The whole mailbox in one poll, through a counting (never cutting) proxy.
        box = _mailbox(server, agency, f"B{run}", 0)
        with common.Timer(f"deliver {n} messages (IMAP APPEND, not in the budget)"):
            _deliver(server, box.folder, _messages(run, n))
        probe = CuttingProxy(server.port)
        box.port = probe.port
        box.save(update_fields=["port"])
        queries = [0]

        def count(execute, sql, params, many, context):
            queries[0] += 1
            return execute(sql, params, many, context)

        from django.db import connection

        load = os.getloadavg()[0]
        cpu = time.process_time()
        started = time.perf_counter()
        with connection.execute_wrapper(count):
            result = mailbox_poll(box.pk, batch=args.batch)
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu
        probe.close()
        print(f"  machine load (1 min) at the start: {load:.1f} on {os.cpu_count()} CPUs; "
              f"poller CPU {cpu:.1f} s; {queries[0] / max(1, n):.1f} SQL statements per "
              f"message", flush=True)
        counts = _counts(box, run, n)
        good = (elapsed <= BUDGET_S and not result.error and counts["created"] == n
                and counts["doubled"] == 0 and counts["lost"] == 0)
        ok &= good
        print(f"poll {n} messages: {elapsed:.1f} s (budget {BUDGET_S:.0f} s, "
              f"{n / elapsed:.0f} messages/s, {probe.passed / 1e6:.1f} MB from the server) "
              f"created {counts['created']} doubled {counts['doubled']} lost {counts['lost']} "
              f"{'PASS' if good else 'FAIL'}", flush=True)

        # 2. The same with the connection cut midway, then a second poll.
        run2 = uuid.uuid4().hex[:8]
        box2 = _mailbox(server, agency, f"C{run2}", server.port)
        _deliver(server, box2.folder, _messages(run2, n))
        proxy = CuttingProxy(server.port, cut_after=int(probe.passed * args.cut))
        box2.port = proxy.port
        box2.save(update_fields=["port"])
        first = mailbox_poll(box2.pk, batch=args.batch)
        proxy.close()
        from egov.petitions.models_mail import Mailbox

        Mailbox.objects.filter(pk=box2.pk).update(port=server.port, next_poll_at=None)
        second = mailbox_poll(box2.pk, batch=args.batch)
        counts2 = _counts(box2, run2, n)
        good2 = (bool(first.error) and 0 < first.count("petition") < n and not second.error
                 and counts2 == {"created": n, "doubled": 0, "lost": 0})
        ok &= good2
        print(f"cut after {args.cut:.0%} of the bytes: first poll {first.count('petition')} "
              f"then stopped ({first.error[:60]}…); second poll {second.count('petition')}; "
              f"created {counts2['created']} doubled {counts2['doubled']} "
              f"lost {counts2['lost']} {'PASS' if good2 else 'FAIL'}", flush=True)
    finally:
        server.stop()
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
