"""The petition list and its search on PostgreSQL (issue 11: lists are keyset pages with a
constant number of queries; the name is searched only where the identity may be read).

    uv run python bench/bench_petitions_list.py [--petitions 100000] [--runs 20]

Database: EGOV_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/egov_bench_petitions),
created if missing and migrated. Data made ONCE and kept (marker unit "000.00.00.P99"): one
province, 20 communes, `--petitions` petitions spread over them with their identities (random
Vietnamese names), content of a few hundred characters.

Measured, `--runs` times each, as the head of one commune (reads identities: the name branch
is live) and as a reception officer of it: the first page, the second page (cursor), a content
search without diacritics, a name search, a code prefix. Prints p50 / p95 in ms, the number of
SQL statements per page, and the plan of the content search.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time

import common  # noqa: E402 - bench/common.py (scripts run from bench/)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/egov_bench_petitions"
MARKER_EID = "000.00.00.P99"
COMMUNES = 20

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hà", "Hùng", "Lan", "Mai", "Nam", "Quỳnh", "Sơn",
         "Tâm", "Tuấn", "Yến"]
TOPICS = ["lấn chiếm đất công", "thu tiền đóng góp trái quy định", "cấp giấy chứng nhận "
          "quyền sử dụng đất chậm", "ô nhiễm tiếng ồn từ xưởng gỗ", "đường liên thôn xuống cấp",
          "bồi thường giải phóng mặt bằng", "chế độ chính sách người có công",
          "xây dựng trái phép"]


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1))))]


def structure():
    from egov.core.models import OrgUnit, OrgUnitKind, Position, Role

    root = OrgUnit.objects.filter(electronic_id=MARKER_EID).first()
    if root is None:
        root = OrgUnit.objects.create(kind=OrgUnitKind.PROVINCE_COMMITTEE,
                                      name="Tỉnh Đo Lường Đơn (bench)", abbreviation="UBND",
                                      electronic_id=MARKER_EID, place_name="Đo Lường")
        for i in range(COMMUNES):
            OrgUnit.objects.create(kind=OrgUnitKind.COMMUNE_COMMITTEE, parent=root,
                                   name=f"Ủy ban nhân dân xã Thử {i + 1}", abbreviation="UBND",
                                   electronic_id=f"000.{i + 1:02d}.00.P99",
                                   place_name=f"Thử {i + 1}")
    communes = list(OrgUnit.objects.filter(parent=root).order_by("id"))
    from django.contrib.auth import get_user_model

    User = get_user_model()
    users = {}
    for name, role in (("bench_head", "leader"), ("bench_officer", "petition_officer")):
        user = User.objects.filter(username=name).first()
        if user is None:
            user = User.objects.create_user(username=name, password="x", full_name=name)
            pos = Position.objects.create(user=user, org_unit=communes[0], title="Bench")
            pos.roles.set(Role.objects.filter(code=role))
        users[name] = user
    return communes, users


def generate(communes, n: int) -> None:
    from django.db import connection, transaction

    from egov.petitions.models import Petition, PetitionIdentity

    rnd = random.Random(11)
    batch = 5000
    made = 0
    while made < n:
        rows, idents = [], []
        with transaction.atomic():
            for _ in range(min(batch, n - made)):
                made += 1
                agency = communes[made % len(communes)]
                topic = rnd.choice(TOPICS)
                rows.append(Petition(
                    code=f"BENCH-DT26-{made:07d}", lookup_check="BENCH", agency=agency,
                    channel=rnd.choice(["portal", "reception", "email", "post"]),
                    state=rnd.choice(["received", "classified", "accepted", "closed"]),
                    kind=rnd.choice(["complaint", "denunciation", "proposal", "feedback"]),
                    content=f"Kính gửi {agency.name}. Tôi xin trình bày việc {topic} tại thôn "
                            f"{made % 37}. " * 3))
            Petition.objects.bulk_create(rows)
            for p in rows:
                idents.append(PetitionIdentity(
                    petition=p, full_name=f"{rnd.choice(SURNAMES)} {rnd.choice(MIDDLE)} "
                                          f"{rnd.choice(GIVEN)}"))
            PetitionIdentity.objects.bulk_create(idents)
        print(f"  {made:,}", flush=True)
    with connection.cursor() as cur:
        cur.execute("ANALYZE petitions_petition")
        cur.execute("ANALYZE petitions_petitionidentity")


def measure(users, runs: int, communes) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from egov.petitions.selectors import petitions as sel

    cases = [
        ("first page", sel.ListFilter(), False),
        ("second page", sel.ListFilter(), True),
        ("content search 'lan chiem dat'", sel.ListFilter(q="lan chiem dat"), False),
        ("name search 'tran thi quynh'", sel.ListFilter(q="tran thi quynh"), False),
        ("code prefix 'BENCH-DT26-00012'", sel.ListFilter(q="BENCH-DT26-00012"), False),
    ]
    for uname, user in users.items():
        print(f"\n== as {uname}")
        for label, flt, second in cases:
            times, queries = [], 0
            for _ in range(runs):
                u = type(user).objects.get(pk=user.pk)  # fresh grants each run
                start = time.perf_counter()
                with CaptureQueriesContext(connection) as ctx:
                    page = sel.petition_list(actor=u, flt=flt, limit=50)
                    if second and page.next:
                        page = sel.petition_list(actor=u, flt=flt, cursor=page.next, limit=50)
                    [p.agency.name for p in page.items]
                times.append((time.perf_counter() - start) * 1000)
                queries = len(ctx.captured_queries)
            print(f"{label:38s} p50 {statistics.median(times):7.1f} ms  "
                  f"p95 {_percentile(times, 95):7.1f} ms  rows {len(page.items):3d}  "
                  f"statements {queries}")
    qs = sel.petition_qs(actor=users["bench_officer"], flt=sel.ListFilter(q="lan chiem dat"))
    print("\nplan of the content search (officer):")
    print(qs.order_by("-id")[:51].explain())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--petitions", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    url = common.os.environ.get("EGOV_DATABASE_URL", DEFAULT_URL)
    common.ensure_database(url)
    common.setup_django(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from egov.petitions.models import Petition

    with common.Timer("structure"):
        communes, users = structure()
    have = Petition.objects.filter(code__startswith="BENCH-").count()
    if have < args.petitions:
        print(f"generating {args.petitions - have:,} petitions (once, kept)", flush=True)
        with common.Timer("generation"):
            generate(communes, args.petitions - have)
    measure(users, args.runs, communes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
