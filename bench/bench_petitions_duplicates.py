"""Duplicate suggestion on 500,000 petitions (issue 11 budget: p95 <= 200 ms), on PostgreSQL.

    uv run python bench/bench_petitions_duplicates.py [--queries 200] [--realistic 50000]

Database: EGOV_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/egov_bench_petitions),
created if missing and migrated (which adds the duplicate structures: the generated `dup_tsv`
column, its GIN index, the identity indexes). The i11-intake bench builds the same database;
when it already holds >= 500,000 petitions they are reused, else 500,000 are generated here
(100 communes × 5,000, INSERT … SELECT generate_series, Vietnamese letters from a vocabulary:
kinds, accused officials, acts, villages, land parcels and map sheets, sums; an identity row for
each; one in twenty is a re-send of an earlier letter by the same person, reworded).

Besides, one province-level agency ("hard" set, `--realistic` letters, default 50,000, generated
once) holds letters from the vocabulary with 5 % reworded re-sends: the suggestion then has to
pick the original among tens of thousands of letters sharing most words.

Measures, in process, the time of `duplicates_for()` (all its queries) for `--queries`
petitions drawn at random from the whole database, and as many re-sends of the hard set (also
reporting how often the original is among the suggestions). Prints p50 / p95 / max per set and
PASS/FAIL against the budget; exit code 1 on FAIL.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time

import common

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/egov_bench_petitions"
BUDGET_P95_MS = 200.0
TOTAL = 500_000
HARD_AGENCY_ID = "000.00.77.D99"

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi",
            "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quốc", "Xuân", "Thu"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hùng", "Hải", "Hạnh", "Lan", "Long", "Mai", "Nam",
         "Phúc", "Quân", "Sơn", "Tâm", "Thảo", "Tuấn", "Việt", "Yến", "Hòa", "Khánh", "Lộc",
         "Nghĩa", "Phương", "Trang"]
POSITIONS = ["cán bộ địa chính xã", "trưởng thôn", "công chức tư pháp - hộ tịch",
             "chủ tịch Hội Nông dân xã", "kế toán ngân sách xã", "công an viên",
             "công chức văn hóa - xã hội", "phó chủ tịch Ủy ban nhân dân xã",
             "cán bộ phụ trách xây dựng", "trưởng ban quản lý chợ"]
ACTS = ["nhận tiền để hợp thức hóa đất lấn chiếm",
        "thu tiền đóng góp làm đường bê tông trái quy định",
        "cấp giấy chứng nhận quyền sử dụng đất sai đối tượng",
        "chậm giải quyết hồ sơ chuyển nhượng quyền sử dụng đất",
        "lập danh sách hộ nghèo không đúng thực tế",
        "chiếm dụng tiền bồi thường giải phóng mặt bằng",
        "cho phép xây dựng nhà ở trên đất nông nghiệp",
        "đo đạc thiếu diện tích đất bị thu hồi",
        "không công khai danh sách hộ nhận hỗ trợ thiên tai",
        "để cơ sở chăn nuôi xả nước thải ra kênh mương",
        "bán đất công ích của xã không qua đấu giá",
        "xác nhận sai nguồn gốc đất cho người thân",
        "thu phí vệ sinh môi trường cao hơn mức quy định",
        "không giải quyết tranh chấp ranh giới giữa hai hộ",
        "cắt giảm chế độ trợ cấp người có công",
        "để xe tải trọng lớn làm hư hỏng đường liên thôn"]
INTROS = {"complaint": "khiếu nại việc", "denunciation": "tố cáo việc",
          "proposal": "kiến nghị xem xét việc", "feedback": "phản ánh việc"}
VILLAGES = ["Đông", "Tây", "Nam", "Bắc", "Trung", "Thượng", "Hạ", "Phú Lộc", "An Hòa",
            "Tân Lập", "Bình An", "Đồng Xuân", "Cầu Đá", "Gò Mít", "Bãi Sậy", "Ngọc Hà",
            "Vĩnh Phú", "Hòa Mỹ", "Lạc Sơn", "Kim Sơn"]
EXTRAS = ["Gia đình tôi đã nhiều lần đến Ủy ban nhân dân xã trình bày nhưng chưa được giải quyết.",
          "Sự việc kéo dài nhiều tháng, ảnh hưởng đến đời sống và sản xuất của các hộ dân.",
          "Kèm theo đơn là bản sao các giấy tờ có liên quan.",
          "Nhiều hộ dân trong thôn cũng biết rõ sự việc và sẵn sàng làm chứng.",
          "Đề nghị cơ quan có thẩm quyền kiểm tra, xác minh và xử lý theo quy định của pháp luật.",
          "Tôi cam đoan những nội dung trình bày trên là đúng sự thật.",
          "Đến nay đã hơn ba tháng nhưng tôi chưa nhận được văn bản trả lời.",
          "Việc làm này gây bức xúc trong nhân dân địa phương."]


def _arr(values: list[str]) -> str:
    return "ARRAY[" + ",".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def _pick(values: list[str]) -> str:
    return f"({_arr(values)})[1 + floor(random() * {len(values)})::int]"


def _letter_sql() -> str:
    """A SQL expression for one letter's content (the identity already removed, as at intake)."""
    kinds = list(INTROS)
    return (
        "'Tôi là […], ' || " + f"({_arr([INTROS[k] for k in kinds])})[k.i]" + " || ' ông (bà) ' || "
        + _pick(SURNAMES) + " || ' ' || " + _pick(MIDDLE) + " || ' ' || " + _pick(GIVEN)
        + " || ', ' || " + _pick(POSITIONS) + " || ', ' || " + _pick(ACTS)
        + " || ' tại thửa đất số ' || (1 + floor(random() * 3000))::int"
        + " || ', tờ bản đồ số ' || (1 + floor(random() * 80))::int"
        + " || ', thôn ' || " + _pick(VILLAGES)
        + " || '. Số tiền liên quan khoảng ' || (5 + floor(random() * 900))::int"
        + " || ' triệu đồng. ' || " + _pick(EXTRAS) + " || ' ' || " + _pick(EXTRAS)
    )


INSERT_PETITIONS = """
INSERT INTO petitions_petition (code, lookup_check, channel, state, kind, kind_by_petitioner,
  ineligible_reason, anonymous, signers, complexity, complexity_reasons, remote_area,
  complaint_subject, instance, subject, content, respondent, source_agency, received_at,
  extensions, outcome, result_summary, transfer_to, not_accepted_ground, updated_at, is_demo,
  agency_id)
SELECT %(prefix)s || lpad(g::text, 7, '0'), 'BENCH234', 'portal', 'received',
  (ARRAY['complaint','denunciation','proposal','feedback'])[k.i],
  (ARRAY['complaint','denunciation','proposal','feedback'])[k.i],
  '', false, 1, 'normal', '[]', false, '', 1, '', {letter}, '', '',
  now() - (random() * interval '900 days'), 0, '', '', '', '', now(), false,
  (%(agencies)s::bigint[])[1 + (g %% cardinality(%(agencies)s::bigint[]))]
FROM generate_series(1, %(n)s) g, LATERAL (SELECT 1 + floor(random() * 4)::int + g * 0 AS i) k
"""

INSERT_IDENTITIES = """
INSERT INTO petitions_petitionidentity (petition_id, full_name, personal_id, phone, email,
  address, others, original_content, source_details, confidentiality_waived, waiver_evidence)
SELECT p.id, {name}, lpad((floor(random() * 1e12))::bigint::text, 12, '0'),
  '09' || lpad((floor(random() * 1e8))::int::text, 8, '0'), '', 'thôn ' || {village}, '[]', '',
  '{{}}', false, ''
FROM petitions_petition p
WHERE p.code LIKE %(prefix_like)s AND NOT EXISTS (
  SELECT 1 FROM petitions_petitionidentity i WHERE i.petition_id = p.id)
"""

# One in twenty: the same person writes again, reworded (sentences moved, words changed); the
# re-send's code is the prefix + "R" + the original's id.
INSERT_RESENDS = """
WITH src AS (
  SELECT p.id, p.agency_id, p.kind, p.content
  FROM petitions_petition p WHERE p.code LIKE %(prefix_like)s AND p.id %% 20 = 7
), ins AS (
  INSERT INTO petitions_petition (code, lookup_check, channel, state, kind, kind_by_petitioner,
    ineligible_reason, anonymous, signers, complexity, complexity_reasons, remote_area,
    complaint_subject, instance, subject, content, respondent, source_agency, received_at,
    extensions, outcome, result_summary, transfer_to, not_accepted_ground, updated_at, is_demo,
    agency_id)
  SELECT %(resend_prefix)s || src.id, 'BENCH234', 'email', 'received',
    src.kind, src.kind, '', false, 1, 'normal', '[]', false, '', 1, '',
    'Kính gửi lãnh đạo. Tôi gửi đơn lần hai. ' ||
    replace(replace(replace(src.content, 'Tôi là […], ', ''), ' tại ', ' ở '), 'khoảng', 'gần')
    || ' Đến nay vẫn chưa được trả lời, đề nghị sớm giải quyết.',
    '', '', now(), 0, '', '', '', '', now(), false, src.agency_id
  FROM src RETURNING id, code
)
INSERT INTO petitions_petitionidentity (petition_id, full_name, personal_id, phone, email,
  address, others, original_content, source_details, confidentiality_waived, waiver_evidence)
SELECT ins.id, i.full_name, i.personal_id, i.phone, '', i.address, '[]', '', '{}', false, ''
FROM ins JOIN src ON %(resend_prefix)s || src.id = ins.code
JOIN petitions_petitionidentity i ON i.petition_id = src.id
"""


def _generate(cur, *, prefix: str, agencies: list[int], n: int) -> None:
    name = " || ' ' || ".join([_pick(SURNAMES), _pick(MIDDLE), _pick(GIVEN)])
    with common.Timer(f"{n} petitions ({prefix}…)"):
        cur.execute(INSERT_PETITIONS.format(letter=_letter_sql()),
                    {"prefix": prefix, "agencies": agencies, "n": n})
    with common.Timer("their identities"):
        cur.execute(INSERT_IDENTITIES.format(name=name, village=_pick(VILLAGES)),
                    {"prefix_like": prefix + "%"})
    with common.Timer("re-sends (1 in 20), reworded, same person"):
        cur.execute(INSERT_RESENDS, {"prefix_like": prefix + "%",
                                     "resend_prefix": prefix + "R"})


def _agency(kind: str, name: str, electronic_id: str, parent=None):
    from egov.core.models import OrgUnit

    unit = OrgUnit.objects.filter(electronic_id=electronic_id).first()
    if unit is None:
        unit = OrgUnit.objects.create(kind=kind, name=name, abbreviation="UBND", parent=parent,
                                      electronic_id=electronic_id, place_name="Đo Lường")
    return unit


def prepare(realistic: int, target: int = TOTAL):
    from django.db import connection, transaction

    from egov.core.models import OrgUnitKind
    from egov.petitions.models import Petition

    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM petitions_petition")
        total = cur.fetchone()[0]
    print(f"petitions in the database: {total}")
    if total < target:
        root = _agency(OrgUnitKind.PROVINCE_COMMITTEE, "Ủy ban nhân dân tỉnh Đo Lường (bench)",
                       "000.00.00.D99")
        communes = [_agency(OrgUnitKind.COMMUNE_COMMITTEE, f"Ủy ban nhân dân xã Trùng {i:03d}",
                            f"000.{i + 1:02d}.01.D99", root).pk for i in range(100)]
        with transaction.atomic(), connection.cursor() as cur:
            _generate(cur, prefix="BD-", agencies=communes, n=int((target - total) / 1.05) + 1)
    hard = _agency(OrgUnitKind.PROVINCE_COMMITTEE, "Ủy ban nhân dân tỉnh Trùng Lặp (bench)",
                   HARD_AGENCY_ID)
    if not Petition.objects.filter(agency=hard).exists():
        with transaction.atomic(), connection.cursor() as cur:
            _generate(cur, prefix="BH-", agencies=[hard.pk], n=realistic)
    with common.Timer("ANALYZE"), connection.cursor() as cur:
        cur.execute("ANALYZE petitions_petition")
        cur.execute("ANALYZE petitions_petitionidentity")
    return hard


def _officer(agency):
    from egov.core.models import Position, Role, User

    user, created = User.objects.get_or_create(username="bench_dup_officer",
                                               defaults={"full_name": "Bench"})
    if not Position.objects.filter(user=user, org_unit=agency).exists():
        pos = Position.objects.create(user=user, org_unit=agency, title="Chuyên viên")
        pos.roles.set(Role.objects.filter(code="petition_officer"))
    return user


def _superuser():
    from egov.core.models import User

    user, _ = User.objects.get_or_create(username="bench_dup_root",
                                         defaults={"full_name": "Bench root"})
    if not user.is_superuser:
        user.is_superuser = user.is_staff = True
        user.save()
    return user


def _measure(label: str, actor_for, petitions) -> list[float]:
    from egov.petitions.selectors.duplicates import duplicates_for

    times = []
    for p in petitions:
        actor = actor_for(p)
        t0 = time.perf_counter()
        duplicates_for(actor=actor, petition=p)
        times.append((time.perf_counter() - t0) * 1000)
    return times


def _report(label: str, times: list[float]) -> bool:
    times = sorted(times)
    p95 = times[max(0, int(round(0.95 * len(times))) - 1)]
    ok = p95 <= BUDGET_P95_MS
    print(f"{label}: {len(times)} queries, p50 {statistics.median(times):.1f} ms, "
          f"p95 {p95:.1f} ms, max {times[-1]:.1f} ms (budget p95 <= {BUDGET_P95_MS:.0f} ms) "
          f"{'PASS' if ok else 'FAIL'}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--realistic", type=int, default=50_000)
    parser.add_argument("--total", type=int, default=TOTAL,
                        help="petitions the database must hold (smaller only to try the script)")
    args = parser.parse_args()
    import os

    url = os.environ.get("EGOV_DATABASE_URL", DEFAULT_URL)
    common.ensure_database(url)
    common.setup_django(url)
    from django.core.management import call_command

    with common.Timer("migrate"):
        call_command("migrate", verbosity=0)
    from egov.petitions.models import Petition

    hard = prepare(args.realistic, args.total)
    rng = random.Random(11)
    with common.Timer("choosing the queries"):
        max_id = Petition.objects.order_by("-id").values_list("id", flat=True).first()
        ids: list[int] = []
        while len(ids) < args.queries * 3:
            ids.extend(rng.randrange(1, max_id + 1) for _ in range(args.queries))
        anywhere = list(Petition.objects.filter(pk__in=ids).select_related("agency")
                        .order_by("?")[:args.queries])
        resends = list(Petition.objects.filter(agency=hard, code__startswith="BH-R")
                       .select_related("agency").order_by("?")[:args.queries])
    total = Petition.objects.count()
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())} "
          f"({os.cpu_count()} CPUs, shared)")
    print(f"petitions: {total}; hard agency: "
          f"{Petition.objects.filter(agency=hard).count()} letters")
    root = _superuser()
    officers = {}

    def actor_for(p):
        if p.agency_id not in officers:
            officers[p.agency_id] = _officer(p.agency)
        return officers[p.agency_id]

    # warm-up: connection, statistics cache, grants
    _measure("warm-up", lambda p: root, anywhere[:5])
    ok = _report("random petitions (whole database, officer of the agency)",
                 _measure("any", actor_for, anywhere))
    ok = _report("re-sends in the hard agency (officer of the agency)",
                 _measure("hard", actor_for, resends)) and ok

    # Quality on the hard set: is the original (same person, reworded) suggested?
    from egov.petitions.selectors.duplicates import duplicates_for

    found = 0
    sample = resends[:50]
    for p in sample:
        original_id = int(p.code.rsplit("R", 1)[1])  # "BH-R<id of the original>"
        items = duplicates_for(actor=actor_for(p), petition=p)
        found += any(i["id"] == original_id for i in items)
    print(f"re-sends whose original is among the suggestions: {found}/{len(sample)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
