"""Benchmark of the documents module on PostgreSQL: 1,000,000 documents, 50 agencies, 5,000 users.

    uv run python bench/bench_documents.py [--only search,code,list] [--queries 100] [--explain]

Database: EGOV_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/egov_bench_docs), created
if missing and migrated. Data (generated once, kept for later runs; skipped when present):

- 50 agencies (the provincial committee, 19 departments, 30 commune committees), each with an
  office and a professional division; 5,000 users, 100 per agency: 2 clerks (Văn thư, in the
  office), 2 leaders, 4 unit heads, 92 officers (in the divisions), each holding one post;
- 600,000 incoming and 400,000 outgoing documents made with `INSERT … SELECT generate_series`
  (not the ORM): Vietnamese subjects built from a vocabulary of administrative phrases
  ("Về việc tăng cường công tác cải cách hành chính trên địa bàn tỉnh năm 2025 theo Nghị định
  số 30/2020/NĐ-CP"), codes like `3812/QĐ-UBND`, `634/2024/QĐ-UBND`, `12/UBND-VP`; arrival and
  issue dates over 2024–2026; 85 % of outgoing documents issued;
- 300,000 assignments to officers (every other incoming document) and 60,000 to divisions, so
  officers see the documents assigned to them;
- the search structures of migration 0003 (the trigger fills search_vector while loading; the
  GIN and pg_trgm indexes are dropped before the load and built after it), then ANALYZE.

Measures (each a function, chosen with --only; budgets from issue 3):

- search: 100 two-word queries typed without diacritics, adjacent words of random subjects,
  top 20 by relevance through `document_search` (selector time, the actor's grants included),
  for clerks (their agency: ~20,000 documents) and for officers (what is assigned to them):
  p95 <= 200 ms; a superuser (all 1,000,000) is printed for information;
- code: 100 codes of random documents typed folded ("3812/qd-ubnd"), each searched by a clerk
  of the document's agency, which must find it: p95 <= 20 ms;
- list: a user's incoming list (`selectors.incoming.incoming_list`) and outgoing list
  (`selectors.outgoing.outgoing_list`), first page of 50, for 100 officers, unit heads, clerks
  and leaders each: p95 <= 30 ms; and the fifth page of a clerk's incoming list (the cursor);
- registration: `services.incoming.incoming_register` of a small real PDF (WeasyPrint) by a
  clerk, 200 times (text extraction is a background job, not run): p95 <= 50 ms;
- issuing: 20 clerks of one agency, in 20 threads, issue 10 approved documents each at once
  through `services.outgoing.outgoing_issue`: the 200 numbers must be consecutive from the
  register's last one (no duplicate, no gap); throughput printed. The write measures use their
  own agency "Sở Đo Lường (bench)" (created once) inside the same tables;
- export: a 10,000-row Sổ đăng ký văn bản đến to XLSX by the job's body (`exports_run`), data
  from bench_exports.py generated once in this database: <= 5 s (worst of 3 runs).

Prints the figures with their budgets and PASS/FAIL; exit code 1 on any FAIL.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable

import common  # noqa: E402 - bench/common.py (scripts run from bench/)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/egov_bench_docs"
MARKER_EID = "000.00.00.D99"  # the bench province's electronic identifier
AGENCIES = 50
USERS_PER_AGENCY = 100
INCOMING = 600_000
OUTGOING = 400_000

BUDGET_SEARCH_MS = 200.0
BUDGET_CODE_MS = 20.0
BUDGET_LIST_MS = 30.0
BUDGET_REGISTER_MS = 50.0
BUDGET_EXPORT_S = 5.0
ISSUE_PER_CLERK = 10
EXPORT_ROWS = 10_000

DEPARTMENTS = [
    ("Sở Nội vụ", "SNV"), ("Sở Tư pháp", "STP"), ("Sở Tài chính", "STC"),
    ("Sở Xây dựng", "SXD"), ("Sở Y tế", "SYT"), ("Sở Giáo dục và Đào tạo", "SGDĐT"),
    ("Sở Nông nghiệp và Môi trường", "SNNMT"), ("Sở Công Thương", "SCT"),
    ("Sở Văn hóa, Thể thao và Du lịch", "SVHTTDL"), ("Sở Khoa học và Công nghệ", "SKHCN"),
    ("Sở Dân tộc và Tôn giáo", "SDTTG"), ("Thanh tra tỉnh", "TTr"),
    ("Văn phòng Ủy ban nhân dân tỉnh", "VPUB"), ("Ban Quản lý các khu công nghiệp", "BQLKCN"),
    ("Sở Ngoại vụ", "SNgV"), ("Ban Quản lý dự án đầu tư xây dựng", "BQLDA"),
    ("Trung tâm Phục vụ hành chính công", "TTPVHCC"), ("Đài Phát thanh và Truyền hình", "PTTH"),
    ("Quỹ Đầu tư phát triển", "QĐTPT"),
]
PLACES = [
    "An Bình", "Hoài Nhơn", "Đông Hưng", "Tam Kỳ", "Phú Lộc", "Hòa Vang", "Đức Phổ",
    "Quảng Điền", "Nghĩa Đàn", "Yên Thành", "Đồng Xuân", "Tuy An", "Sơn Hòa", "Đại Lộc",
    "Điện Bàn", "Thăng Bình", "Núi Thành", "Tiên Phước", "Hiệp Đức", "Phước Sơn", "Bắc Trà My",
    "Nam Giang", "Đông Giang", "Tây Giang", "Duy Xuyên", "Quế Sơn", "Nông Sơn", "Phú Ninh",
    "Vĩnh Linh", "Gio Linh", "Cam Lộ", "Triệu Phong", "Hải Lăng", "Hướng Hóa", "Đakrông",
]
PREFIXES = ["Về việc", "V/v", "Về việc", "Báo cáo", "Kế hoạch", "Thông báo", "Hướng dẫn",
            "Tờ trình", "Về việc", "Đề nghị"]
VERBS = [
    "phê duyệt", "triển khai", "tăng cường", "hướng dẫn thực hiện", "kiểm tra", "giải quyết",
    "tổ chức", "rà soát", "thực hiện", "điều chỉnh", "báo cáo kết quả", "đôn đốc", "hỗ trợ",
    "khắc phục", "tuyên truyền", "góp ý", "thẩm định", "quyết toán", "sơ kết", "tổng kết",
    "đẩy mạnh", "chấn chỉnh", "công khai", "bổ sung",
]
OBJECTS = [
    "kế hoạch phát triển kinh tế xã hội", "công tác cải cách hành chính",
    "đơn thư khiếu nại tố cáo", "dự toán ngân sách nhà nước", "công tác phòng chống thiên tai",
    "quy hoạch sử dụng đất", "chương trình mục tiêu quốc gia xây dựng nông thôn mới",
    "công tác bảo đảm an ninh trật tự", "công tác văn thư lưu trữ", "chuyển đổi số",
    "tuyển dụng công chức viên chức", "bồi thường giải phóng mặt bằng", "kế hoạch đầu tư công",
    "chính sách bảo hiểm xã hội", "phòng chống dịch bệnh", "vệ sinh an toàn thực phẩm",
    "xây dựng trường học", "cấp giấy chứng nhận quyền sử dụng đất", "giảm nghèo bền vững",
    "phòng cháy chữa cháy", "quản lý trật tự xây dựng", "thu hồi đất", "đào tạo bồi dưỡng cán bộ",
    "thi đua khen thưởng", "sắp xếp tổ chức bộ máy", "chi trả trợ cấp cho người có công",
    "bảo vệ môi trường", "phát triển du lịch", "hỗ trợ doanh nghiệp nhỏ và vừa",
    "dịch vụ công trực tuyến", "hộ tịch và chứng thực", "an toàn giao thông",
    "quản lý tài sản công", "trồng rừng và bảo vệ rừng", "nước sạch nông thôn",
    "tiêm chủng mở rộng", "đê điều và thủy lợi", "công tác dân tộc", "kỳ thi tốt nghiệp",
    "phổ biến giáo dục pháp luật",
]
SCOPES = ["của công dân", "trên địa bàn tỉnh", "tại xã {place}", "của các sở ban ngành",
          "cho hộ nghèo tại {place}", "trong toàn tỉnh", "của Ủy ban nhân dân xã {place}",
          "đối với doanh nghiệp", "tại thôn {place}", "của các cơ quan đơn vị"]
BASES = ["Nghị định số 30/2020/NĐ-CP", "Nghị định số 97/2015/NĐ-CP",
         "Luật Tổ chức chính quyền địa phương 2025", "Quyết định số 28/2018/QĐ-TTg",
         "Thông tư số 01/2019/TT-BNV", "Nghị quyết số 18-NQ/TW", "Chỉ thị số 05/CT-TTg"]
ISSUERS = [
    ("Bộ Nội vụ", "BNV"), ("Bộ Tài chính", "BTC"), ("Bộ Tư pháp", "BTP"), ("Bộ Xây dựng", "BXD"),
    ("Bộ Y tế", "BYT"), ("Bộ Giáo dục và Đào tạo", "BGDĐT"), ("Văn phòng Chính phủ", "VPCP"),
    ("Thủ tướng Chính phủ", "TTg"), ("Ủy ban nhân dân tỉnh", "UBND"),
    ("Hội đồng nhân dân tỉnh", "HĐND"), ("Tỉnh ủy", "TU"), ("Công an tỉnh", "CAT"),
    ("Bộ Chỉ huy Quân sự tỉnh", "BCHQS"), ("Bảo hiểm xã hội tỉnh", "BHXH"),
    ("Kho bạc Nhà nước tỉnh", "KBNN"), ("Cục Thuế tỉnh", "CT"),
] + DEPARTMENTS
SIGNERS = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em",
           "Vũ Thị Giang", "Đặng Văn Hùng", "Bùi Thị Lan", "Đỗ Văn Minh", "Hồ Thị Ngọc",
           "Ngô Văn Phúc", "Dương Thị Quỳnh", "Lý Văn Sơn", "Đinh Thị Thu", "Trương Văn Vinh"]
# type codes weighted by how often they arrive (công văn most)
TYPES = ["CV"] * 8 + ["QD"] * 3 + ["TB"] * 2 + ["KH"] * 2 + ["BC"] * 2 + [
    "TTR", "HD", "GM", "CT", "NQ", "QD_QPPL", "CD"]


# --- setup ----------------------------------------------------------------------------------------


# --- data -----------------------------------------------------------------------------------------


def _units():
    """Create the 50 agencies and their divisions with the ORM (paths and agencies computed by
    OrgUnit.save); returns (agencies, offices, divisions) as lists of OrgUnit."""
    from egov.core.models import OrgUnit, OrgUnitKind

    root = OrgUnit.objects.create(kind=OrgUnitKind.PROVINCE_COMMITTEE,
                                  name="Ủy ban nhân dân tỉnh Đo Tải (bench)", abbreviation="UBND",
                                  electronic_id=MARKER_EID, place_name="Đo Tải")
    agencies = [root]
    for i, (name, abbr) in enumerate(DEPARTMENTS, start=1):
        agencies.append(OrgUnit.objects.create(
            kind=OrgUnitKind.AGENCY, name=f"{name} (bench)", abbreviation=abbr, parent=root,
            electronic_id=f"000.{i:02d}.00.D99", place_name="Đo Tải"))
    for i, place in enumerate(PLACES[: AGENCIES - len(agencies)], start=1):
        agencies.append(OrgUnit.objects.create(
            kind=OrgUnitKind.COMMUNE_COMMITTEE, name=f"Ủy ban nhân dân xã {place} (bench)",
            abbreviation="UBND", parent=root, electronic_id=f"000.00.{i:02d}.D99",
            place_name=place))
    offices, divisions = [], []
    for agency in agencies:
        offices.append(OrgUnit.objects.create(kind=OrgUnitKind.DIVISION, name="Văn phòng",
                                              abbreviation="VP", parent=agency))
        divisions.append(OrgUnit.objects.create(kind=OrgUnitKind.DIVISION,
                                                name="Phòng Nghiệp vụ", abbreviation="NV",
                                                parent=agency))
    return agencies, offices, divisions


def _generate() -> None:
    from django.db import connection, transaction

    from egov.core.models import OrgUnit, Role
    from egov.documents.models import DocumentType, Register

    if OrgUnit.objects.filter(electronic_id=MARKER_EID).exists():
        with connection.cursor() as cur:
            cur.execute("SELECT (SELECT count(*) FROM documents_incomingdocument), "
                        "(SELECT count(*) FROM documents_outgoingdocument)")
            n_in, n_out = cur.fetchone()
        print(f"data present: {n_in:,} incoming + {n_out:,} outgoing documents "
              "(generation skipped)")
        return
    print("generating data …", flush=True)
    started = time.perf_counter()
    with transaction.atomic():
        with common.Timer(f"{AGENCIES} agencies + {2 * AGENCIES} divisions (ORM)"):
            agencies, offices, divisions = _units()
            incoming_registers = [Register.objects.create(
                agency=a, direction="incoming", kind="incoming", name="Sổ văn bản đến").pk
                for a in agencies]
            outgoing_registers = [Register.objects.create(
                agency=a, direction="outgoing", kind="shared", name="Sổ văn bản đi").pk
                for a in agencies]
        roles = {r.code: r.pk for r in Role.objects.filter(
            code__in=["clerk", "leader", "unit_head", "officer"])}
        types = {t.code: t for t in DocumentType.objects.all()}
        with connection.cursor() as cur:
            with common.Timer(f"{AGENCIES * USERS_PER_AGENCY:,} users + posts (INSERT … SELECT)"):
                cur.execute(
                    """
                    INSERT INTO core_user (password, is_superuser, username, first_name,
                        last_name, email, is_staff, is_active, date_joined, full_name,
                        failed_logins, is_demo)
                    SELECT '!', false, 'bdoc_u' || lpad(g::text, 5, '0'), '', '', '', false,
                           true, now(), 'Cán bộ ' || g, 0, false
                    FROM generate_series(0, %s - 1) g
                    """, [AGENCIES * USERS_PER_AGENCY])
                cur.execute("SELECT id FROM core_user WHERE username LIKE 'bdoc\\_u%%' "
                            "ORDER BY username")
                users = [row[0] for row in cur.fetchall()]
                # user i: agency i mod 50, rank k = i div 50: 0-1 clerks (office), 2-3 leaders
                # (agency), 4-7 unit heads (division), 8-99 officers (division)
                posts, role_rows = [], []
                clerks = [[] for _ in agencies]
                leaders = [[] for _ in agencies]
                officers = [[] for _ in agencies]
                for i, user in enumerate(users):
                    a, k = i % AGENCIES, i // AGENCIES
                    if k < 2:
                        unit, title, role = offices[a], "Văn thư", "clerk"
                        clerks[a].append(user)
                    elif k < 4:
                        unit, title, role = agencies[a], "Phó Giám đốc", "leader"
                        leaders[a].append(user)
                    elif k < 8:
                        unit, title, role = divisions[a], "Trưởng phòng", "unit_head"
                    else:
                        unit, title, role = divisions[a], "Chuyên viên", "officer"
                        officers[a].append(user)
                    posts.append((user, unit.pk, title))
                    role_rows.append(roles[role])
                cur.execute(
                    """
                    INSERT INTO core_position (user_id, org_unit_id, title, is_primary,
                        valid_from)
                    SELECT p.u, p.unit, p.title, true, DATE '2025-07-01'
                    FROM unnest(%s::bigint[], %s::bigint[], %s::text[]) AS p(u, unit, title)
                    """, [[p[0] for p in posts], [p[1] for p in posts], [p[2] for p in posts]])
                cur.execute(
                    """
                    INSERT INTO core_position_roles (position_id, role_id)
                    SELECT p.id, r.role FROM core_position p
                    JOIN unnest(%s::bigint[], %s::bigint[]) AS r(u, role) ON r.u = p.user_id
                    """, [users, role_rows])

            subject_sql = """
                (%(prefixes)s::text[])[1 + floor(random() * %(n_prefixes)s)::int] || ' ' ||
                (%(verbs)s::text[])[1 + floor(random() * %(n_verbs)s)::int] || ' ' ||
                (%(objects)s::text[])[1 + floor(random() * %(n_objects)s)::int] || ' ' ||
                replace((%(scopes)s::text[])[1 + floor(random() * %(n_scopes)s)::int], '{place}',
                        (%(places)s::text[])[1 + floor(random() * %(n_places)s)::int]) ||
                ' năm ' || (2020 + floor(random() * 7)::int) ||
                CASE WHEN random() < 0.35 THEN ' theo ' ||
                     (%(bases)s::text[])[1 + floor(random() * %(n_bases)s)::int] ELSE '' END
            """
            vocab = {"prefixes": PREFIXES, "verbs": VERBS, "objects": OBJECTS, "scopes": SCOPES,
                     "places": PLACES, "bases": BASES}
            params = {**vocab, **{f"n_{k}": len(v) for k, v in vocab.items()}}
            type_list = [types[c] for c in TYPES]
            params.update({
                "agencies": [a.pk for a in agencies],
                "agency_abbrs": [a.abbreviation for a in agencies],
                "in_registers": incoming_registers, "out_registers": outgoing_registers,
                "clerks": [c[0] for c in clerks], "leaders": [x[0] for x in leaders],
                "divisions": [d.pk for d in divisions],
                "officers": officers, "n_officers": len(officers[0]),
                "type_ids": [t.pk for t in type_list],
                "type_abbrs": [t.abbreviation for t in type_list],
                "type_normative": [t.is_legal_normative for t in type_list],
                "n_types": len(type_list),
                "issuers": [i[0] for i in ISSUERS], "issuer_abbrs": [i[1] for i in ISSUERS],
                "n_issuers": len(ISSUERS), "signers": SIGNERS, "n_signers": len(SIGNERS),
                "n_agencies": AGENCIES, "incoming": INCOMING, "outgoing": OUTGOING,
            })
            cur.execute("SELECT setseed(0.2026)")
            cur.execute("SET LOCAL maintenance_work_mem = '512MB'")
            cur.execute("SET LOCAL work_mem = '64MB'")
            for index in ("documents_incoming_search_gin", "documents_outgoing_search_gin",
                          "documents_incoming_code_trgm", "documents_outgoing_code_trgm",
                          "documents_incoming_issuer_trgm", "documents_incoming_code_prefix",
                          "documents_outgoing_code_prefix"):
                cur.execute(f"DROP INDEX IF EXISTS {index}")

            with common.Timer(f"{INCOMING:,} incoming documents (INSERT … SELECT, trigger on)"):
                cur.execute(
                    f"""
                    INSERT INTO documents_incomingdocument (agency_id, register_id, year,
                        arrival_number, arrival_date, channel, issuer_name,
                        issuer_electronic_id, number, notation, code, issued_date, doc_type_id,
                        subject, signer_name, signer_position, urgency, language, description,
                        file_sha256, state, signature_status, signature_report, cancel_reason,
                        text_content, registered_by_id, created_at, handling_due_date,
                        return_reason)
                    SELECT (%(agencies)s::bigint[])[r.a + 1],
                           (%(in_registers)s::bigint[])[r.a + 1],
                           extract(year FROM d.arrival)::int, r.seq, d.arrival,
                           CASE WHEN mod(g, 3) = 0 THEN 'paper' ELSE 'electronic' END,
                           iss.name, '', r.num::text, n.notation,
                           r.num::text || '/' || n.notation,
                           (d.arrival - interval '3 days')::date, ty.id,
                           {subject_sql},
                           (%(signers)s::text[])[1 + mod(g * 7, %(n_signers)s)],
                           CASE WHEN mod(g, 2) = 0 THEN 'Giám đốc' ELSE 'Phó Giám đốc' END,
                           CASE WHEN mod(g, 50) = 0 THEN 'flash' WHEN mod(g, 20) = 0
                                THEN 'very_urgent' WHEN mod(g, 10) = 0 THEN 'urgent'
                                ELSE 'normal' END,
                           'Tiếng Việt', '', '',
                           CASE WHEN d.arrival > now() - interval '20 days' THEN
                                (ARRAY['registered', 'presented', 'in_progress'])[1 + mod(g, 3)]
                                ELSE (ARRAY['done', 'done', 'done', 'in_progress'])[1 + mod(g, 4)]
                           END,
                           '', '{{}}'::jsonb, '', '',
                           (%(clerks)s::bigint[])[r.a + 1], d.arrival,
                           (d.arrival + interval '10 days')::date, ''
                    FROM generate_series(1, %(incoming)s) g
                    CROSS JOIN LATERAL (SELECT mod(g, %(n_agencies)s) AS a,
                                               g / %(n_agencies)s + 1 AS seq,
                                               1 + floor(random() * %(n_types)s)::int AS t,
                                               1 + floor(random() * %(n_issuers)s)::int AS i,
                                               1 + floor(random() * 5000)::int AS num) r
                    CROSS JOIN LATERAL (SELECT TIMESTAMPTZ '2024-01-01 08:00+07'
                        + (r.seq::float / (%(incoming)s / %(n_agencies)s + 1))
                          * (now() - TIMESTAMPTZ '2024-01-01 08:00+07') AS arrival) d
                    CROSS JOIN LATERAL (SELECT (%(type_ids)s::bigint[])[r.t] AS id,
                        (%(type_abbrs)s::text[])[r.t] AS abbr,
                        (%(type_normative)s::boolean[])[r.t] AS normative) ty
                    CROSS JOIN LATERAL (SELECT (%(issuers)s::text[])[r.i] AS name,
                        (%(issuer_abbrs)s::text[])[r.i] AS abbr) iss
                    CROSS JOIN LATERAL (SELECT CASE
                        WHEN ty.normative THEN extract(year FROM d.arrival)::int::text || '/'
                                               || ty.abbr || '-' || iss.abbr
                        WHEN ty.abbr = '' THEN iss.abbr || '-VP'
                        ELSE ty.abbr || '-' || iss.abbr END AS notation) n
                    """, params)

            with common.Timer(f"{OUTGOING:,} outgoing documents (INSERT … SELECT, trigger on)"):
                cur.execute(
                    f"""
                    INSERT INTO documents_outgoingdocument (agency_id, drafting_unit_id,
                        drafter_id, doc_type_id, subject, urgency, signer_id, signer_capacity,
                        signer_position, field_abbreviation, copies, state, register_id, year,
                        number, notation, code, issued_date, issued_at, issued_by_id,
                        recall_reason, text_content, created_at, medium)
                    SELECT (%(agencies)s::bigint[])[r.a + 1], (%(divisions)s::bigint[])[r.a + 1],
                           (%(officers)s::bigint[])[r.a + 1][1 + mod(g, %(n_officers)s)],
                           ty.id, {subject_sql},
                           CASE WHEN mod(g, 25) = 0 THEN 'urgent' ELSE 'normal' END,
                           (%(leaders)s::bigint[])[r.a + 1], 'KT', 'Phó Giám đốc',
                           CASE WHEN ty.abbr = '' THEN 'VP' ELSE '' END, 1,
                           CASE WHEN r.issued THEN 'issued' ELSE
                                (ARRAY['draft', 'in_review', 'approved'])[1 + mod(g, 3)] END,
                           CASE WHEN r.issued THEN (%(out_registers)s::bigint[])[r.a + 1] END,
                           CASE WHEN r.issued THEN extract(year FROM d.at)::int END,
                           CASE WHEN r.issued THEN r.seq END,
                           CASE WHEN r.issued THEN n.notation ELSE '' END,
                           CASE WHEN r.issued THEN r.seq::text || '/' || n.notation ELSE '' END,
                           CASE WHEN r.issued THEN d.at::date END,
                           CASE WHEN r.issued THEN d.at END,
                           CASE WHEN r.issued THEN (%(clerks)s::bigint[])[r.a + 1] END,
                           '', '', d.at - interval '3 days',
                           CASE WHEN r.issued THEN 'electronic' ELSE '' END
                    FROM generate_series(1, %(outgoing)s) g
                    CROSS JOIN LATERAL (SELECT mod(g, %(n_agencies)s) AS a,
                                               g / %(n_agencies)s + 1 AS seq,
                                               1 + floor(random() * %(n_types)s)::int AS t,
                                               mod(g, 20) >= 3 AS issued) r
                    CROSS JOIN LATERAL (SELECT TIMESTAMPTZ '2024-01-01 08:00+07'
                        + (r.seq::float / (%(outgoing)s / %(n_agencies)s + 1))
                          * (now() - TIMESTAMPTZ '2024-01-01 08:00+07') AS at) d
                    CROSS JOIN LATERAL (SELECT (%(type_ids)s::bigint[])[r.t] AS id,
                        (%(type_abbrs)s::text[])[r.t] AS abbr,
                        (%(type_normative)s::boolean[])[r.t] AS normative) ty
                    CROSS JOIN LATERAL (SELECT CASE
                        WHEN ty.normative THEN extract(year FROM d.at)::int::text || '/'
                             || ty.abbr || '-' || (%(agency_abbrs)s::text[])[r.a + 1]
                        WHEN ty.abbr = '' THEN (%(agency_abbrs)s::text[])[r.a + 1] || '-VP'
                        ELSE ty.abbr || '-' || (%(agency_abbrs)s::text[])[r.a + 1]
                        END AS notation) n
                    """, params)

            with common.Timer("360,000 assignments (officers and divisions)"):
                cur.execute(
                    """
                    INSERT INTO documents_assignment (document_id, role, assignee_user_id,
                        instruction, state, result, assigned_by_id, assigned_at, due_date,
                        doc_arrival_date)
                    SELECT d.id, 'lead',
                           (%(officers)s::bigint[])[x.a][
                               1 + mod(abs(hashint8(d.id)), %(n_officers)s)],
                           '', CASE WHEN d.state = 'done' THEN 'done' ELSE 'open' END, '',
                           (%(leaders)s::bigint[])[x.a], d.arrival_date + interval '1 hour',
                           d.handling_due_date, d.arrival_date
                    FROM documents_incomingdocument d
                    JOIN unnest(%(agencies)s::bigint[]) WITH ORDINALITY AS x(agency, a)
                      ON x.agency = d.agency_id
                    WHERE mod(d.id, 2) = 0
                    """, params)
                cur.execute(
                    """
                    INSERT INTO documents_assignment (document_id, role, assignee_unit_id,
                        instruction, state, result, assigned_by_id, assigned_at, due_date,
                        doc_arrival_date)
                    SELECT d.id, 'support', (%(divisions)s::bigint[])[x.a], '', 'open', '',
                           (%(leaders)s::bigint[])[x.a], d.arrival_date + interval '1 hour',
                           d.handling_due_date, d.arrival_date
                    FROM documents_incomingdocument d
                    JOIN unnest(%(agencies)s::bigint[]) WITH ORDINALITY AS x(agency, a)
                      ON x.agency = d.agency_id
                    WHERE mod(d.id, 10) = 1
                    """, params)
    print(f"generated in {time.perf_counter() - started:.1f} s", flush=True)


def _build_search_structures() -> None:
    """Create the search indexes of migration 0003 that are missing (the bulk load drops them
    and builds them afterwards, which is much faster than maintaining them row by row), then
    ANALYZE."""
    from importlib import import_module

    from django.db import connection

    migration = import_module("egov.documents.migrations.0003_search")
    with connection.cursor() as cur:
        cur.execute("SET maintenance_work_mem = '512MB'")
        with common.Timer("search indexes (GIN tsvector, pg_trgm, btree prefix) if missing"):
            for sql in migration.PG_INDEXES:
                cur.execute(sql)
        cur.execute("RESET maintenance_work_mem")
        with common.Timer("ANALYZE"):
            for table in ("documents_incomingdocument", "documents_outgoingdocument",
                          "documents_assignment", "core_user", "core_position", "core_orgunit",
                          "core_position_roles"):
                cur.execute(f"ANALYZE {table}")


# --- measures -------------------------------------------------------------------------------------


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


class Results:
    def __init__(self) -> None:
        self.ok = True
        self.lines: list[str] = []

    def report(self, label: str, times_ms: list[float], budget_ms: float | None,
               extra: str = "") -> None:
        p50, p95 = statistics.median(times_ms), _percentile(times_ms, 95)
        if budget_ms is None:
            verdict, budget = "(information)", ""
        else:
            good = p95 <= budget_ms
            self.ok &= good
            verdict, budget = ("PASS" if good else "FAIL"), f"budget p95 <= {budget_ms:.0f} ms"
        line = (f"{label:<44} n={len(times_ms):<4} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  "
                f"max {max(times_ms):7.1f} ms  {budget}  {verdict}{extra}")
        self.lines.append(line)
        print(line, flush=True)

    def verdict(self, label: str, good: bool, text: str) -> None:
        self.ok &= good
        line = f"{label:<44} {text}  {'PASS' if good else 'FAIL'}"
        self.lines.append(line)
        print(line, flush=True)


def _people(role: str, n: int, rng: random.Random):
    from egov.core.models import Position

    ids = list(Position.objects.filter(roles__code=role, user__username__startswith="bdoc_u")
               .values_list("user_id", flat=True))
    return rng.sample(ids, min(n, len(ids)))


def _fresh(user_id: int):
    """A new user object each time: grants and units are computed in the measured call, as in
    a request."""
    from egov.core.models import User

    return User.objects.get(pk=user_id)


def _explain(fn: Callable[[], object]) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    with connection.cursor() as cur:
        for query in ctx.captured_queries:
            if not query["sql"].lstrip().upper().startswith("SELECT"):
                continue
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            print("\n".join(row[0] for row in cur.fetchall()), end="\n\n")


def _two_word_queries(n: int, rng: random.Random) -> list[str]:
    from django.db import connection

    from egov.core.search import words

    queries = []
    with connection.cursor() as cur:
        cur.execute("SELECT max(id) FROM documents_incomingdocument")
        max_in = cur.fetchone()[0]
        cur.execute("SELECT max(id) FROM documents_outgoingdocument")
        max_out = cur.fetchone()[0]
        while len(queries) < n:
            table, top = rng.choice([("documents_incomingdocument", max_in),
                                     ("documents_outgoingdocument", max_out)])
            cur.execute(f"SELECT subject FROM {table} WHERE id >= %s ORDER BY id LIMIT 1",
                        [rng.randint(1, top)])
            row = cur.fetchone()
            ws = [w for w in words(row[0], limit=64) if not w.isdigit()] if row else []
            if len(ws) >= 2:
                i = rng.randrange(len(ws) - 1)
                queries.append(f"{ws[i]} {ws[i + 1]}")
    return queries


def measure_search(results: Results, args, rng: random.Random) -> None:
    from egov.core.models import User
    from egov.documents.selectors.search import document_search

    queries = _two_word_queries(args.queries, rng)
    print(f"search queries (examples): {', '.join(repr(q) for q in queries[:8])} …")
    for role, label, budget in (("clerk", "search, 2 words, top 20 — clerk", BUDGET_SEARCH_MS),
                                ("officer", "search, 2 words, top 20 — officer",
                                 BUDGET_SEARCH_MS)):
        actors = _people(role, len(queries), rng)
        for q in queries[:5]:  # warm-up
            document_search(actor=_fresh(actors[0]), q=q, limit=20)
        if args.explain:
            _explain(lambda actor=actors[0]: document_search(actor=_fresh(actor), q=queries[0]))
        times, hits = [], 0
        for q, actor_id in zip(queries, actors * (len(queries) // len(actors) + 1), strict=False):
            actor = _fresh(actor_id)
            started = time.perf_counter()
            page = document_search(actor=actor, q=q, limit=20)
            times.append((time.perf_counter() - started) * 1000)
            hits += len(page.items)
        results.report(label, times, budget, f"  ({hits / len(times):.1f} hits/query)")
    admin, _created = User.objects.get_or_create(
        username="bdoc_admin", defaults={"is_superuser": True, "full_name": "Bench admin"})
    times = []
    for q in queries:
        started = time.perf_counter()
        document_search(actor=_fresh(admin.pk), q=q, limit=20)
        times.append((time.perf_counter() - started) * 1000)
    results.report("search, 2 words, top 20 — superuser (all 1M)", times, None)


def measure_code(results: Results, args, rng: random.Random) -> None:
    from django.db import connection

    from egov.core.models import Position
    from egov.core.search import fold
    from egov.documents.selectors.search import document_search

    clerk_of = {}
    for user_id, agency_id in Position.objects.filter(
            roles__code="clerk", user__username__startswith="bdoc_u").values_list(
            "user_id", "org_unit__agency_id"):
        clerk_of.setdefault(agency_id, user_id)
    samples = []
    with connection.cursor() as cur:
        for table in ("documents_incomingdocument", "documents_outgoingdocument"):
            cur.execute(f"SELECT max(id) FROM {table}")
            top = cur.fetchone()[0]
            while len(samples) < args.queries * (1 if table.endswith("outgoingdocument")
                                                 else 0.5):
                cur.execute(f"SELECT id, code, agency_id FROM {table} WHERE id >= %s "
                            "AND code <> '' ORDER BY id LIMIT 1", [rng.randint(1, top)])
                row = cur.fetchone()
                # Only the 50 generated agencies (not those added by the write measures).
                if row and row[2] in clerk_of:
                    samples.append((table.split("_")[1][:8], *row))
    rng.shuffle(samples)
    print(f"code queries (examples): {', '.join(fold(s[2]) for s in samples[:6])} …")
    for _kind, _pk, code, agency in samples[:5]:  # warm-up
        document_search(actor=_fresh(clerk_of[agency]), q=fold(code))
    if args.explain:
        _kind, _pk, code, agency = samples[0]
        _explain(lambda: document_search(actor=_fresh(clerk_of[agency]), q=fold(code)))
    times, found = [], 0
    for kind, pk, code, agency in samples[: args.queries]:
        actor = _fresh(clerk_of[agency])
        started = time.perf_counter()
        page = document_search(actor=actor, q=fold(code), limit=20)
        times.append((time.perf_counter() - started) * 1000)
        found += any(h.id == pk and h.kind == kind for h in page.items)
    results.report("code search, clerk of the agency", times, BUDGET_CODE_MS,
                   f"  (found {found}/{len(times)})")
    if found != len(times):
        results.ok = False
        print("FAIL: a code search did not find its document")


def _time_lists(results: Results, args, rng: random.Random, *, kind: str, run, roles) -> None:
    for role in roles:
        actors = _people(role, args.queries, rng)
        for actor in actors[:5]:  # warm-up
            run(_fresh(actor))
        if args.explain:
            _explain(lambda actor=actors[0]: run(_fresh(actor)))
        times, rows = [], 0
        for actor_id in actors:
            actor = _fresh(actor_id)
            started = time.perf_counter()
            items = run(actor)
            times.append((time.perf_counter() - started) * 1000)
            rows += len(items)
        results.report(f"{kind} list, first 50 — {role}", times, BUDGET_LIST_MS,
                       f"  ({rows / len(times):.0f} rows/page)")


def measure_list(results: Results, args, rng: random.Random) -> None:
    """The first page of a user's incoming list (`incoming_list`) and outgoing list
    (`outgoing_list`), 50 rows, grants and units computed in the measured call; then, for
    information, the fifth page of a clerk's incoming list (the cursor path)."""
    from egov.documents.selectors.incoming import incoming_list
    from egov.documents.selectors.outgoing import outgoing_list

    print("list: selectors.incoming.incoming_list, selectors.outgoing.outgoing_list")
    _time_lists(results, args, rng, kind="incoming",
                run=lambda actor: incoming_list(actor=actor, limit=50).items,
                roles=("officer", "unit_head", "clerk", "leader"))
    _time_lists(results, args, rng, kind="outgoing",
                run=lambda actor: outgoing_list(actor=actor, limit=50).items,
                roles=("officer", "unit_head", "clerk", "leader"))

    clerks = _people("clerk", min(args.queries, 20), rng)
    times = []
    for actor_id in clerks:
        actor = _fresh(actor_id)
        page = incoming_list(actor=actor, limit=50)
        for _ in range(3):
            page = incoming_list(actor=actor, limit=50, cursor=page.next)
        started = time.perf_counter()
        incoming_list(actor=actor, limit=50, cursor=page.next)
        times.append((time.perf_counter() - started) * 1000)
    results.report("incoming list, page 5 — clerk", times, BUDGET_LIST_MS)


# --- writes: a dedicated agency of the bench province -------------------------------------------

WRITE_EID = "000.98.00.D99"
WRITE_CLERKS = 20


def _write_agency():
    """The agency used by the write measures (created once, inside the 1,000,000-document
    tables): "Sở Đo Lường (bench)" with an office holding WRITE_CLERKS clerks, a leader (who
    gets the "give instructions" work of each registration and signs), and a division with an
    officer who drafts. Returns (agency, clerks, leader, officer, division)."""
    from django.db import transaction

    from egov.core.models import OrgUnit, OrgUnitKind, Position, Role, User

    agency = OrgUnit.objects.filter(electronic_id=WRITE_EID).first()
    if agency is None:
        with transaction.atomic():
            root = OrgUnit.objects.get(electronic_id=MARKER_EID)
            agency = OrgUnit.objects.create(
                kind=OrgUnitKind.AGENCY, name="Sở Đo Lường (bench)", abbreviation="SĐL",
                parent=root, electronic_id=WRITE_EID, place_name="Đo Tải")
            office = OrgUnit.objects.create(kind=OrgUnitKind.DIVISION, name="Văn phòng Sở",
                                            abbreviation="VP", parent=agency)
            division = OrgUnit.objects.create(kind=OrgUnitKind.DIVISION, name="Phòng Đo lường",
                                              abbreviation="ĐL", parent=agency)
            roles = {r.code: r for r in Role.objects.filter(
                code__in=["clerk", "leader", "officer"])}

            def person(username, unit, role, title):
                user = User.objects.create_user(username=username, password=None,
                                                full_name=f"{title} {username[-2:]} (bench)")
                Position.objects.create(user=user, org_unit=unit, title=title).roles.set(
                    [roles[role]])
                return user

            for i in range(1, WRITE_CLERKS + 1):
                person(f"bdoc_w_clerk{i:02d}", office, "clerk", "Văn thư")
            person("bdoc_w_leader", agency, "leader", "Giám đốc")
            person("bdoc_w_officer", division, "officer", "Chuyên viên")
    clerks = list(User.objects.filter(username__startswith="bdoc_w_clerk").order_by("username"))
    leader = User.objects.get(username="bdoc_w_leader")
    officer = User.objects.get(username="bdoc_w_officer")
    division = OrgUnit.objects.get(parent=agency, abbreviation="ĐL")
    return agency, clerks, leader, officer, division


def _bench_pdf() -> bytes:
    """A small real PDF (one A4 page of a công văn, made by WeasyPrint; ~10 KB)."""
    from weasyprint import HTML

    html = """<html lang="vi"><head><meta charset="utf-8"><style>
        @page { size: A4; margin: 20mm 20mm 20mm 30mm }
        body { font-family: "DejaVu Serif", serif; font-size: 13pt }
        h1 { font-size: 14pt; text-align: center }</style></head><body>
        <p>BỘ NỘI VỤ — Số: 1234/BNV-VP — V/v hướng dẫn công tác văn thư, lưu trữ (bench)</p>
        <h1>CÔNG VĂN</h1>
        <p>Thực hiện Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công
        tác văn thư, Bộ Nội vụ đề nghị các cơ quan, tổ chức rà soát việc đăng ký văn bản đến,
        văn bản đi và lập hồ sơ điện tử theo quy định.</p></body></html>"""
    return HTML(string=html).write_pdf()


def _variant(pdf: bytes, tag: str) -> bytes:
    """The same PDF with a comment after %%EOF: another file (another SHA-256), still valid."""
    return pdf + f"\n% {tag}\n".encode()


def measure_registration(results: Results, args, rng: random.Random) -> None:
    """`services.incoming.incoming_register` of a small real PDF by a clerk (file stored and
    hashed, duplicate check, number, present work for the leader, trail, audit chain; the text
    extraction is a background job and is not run), --queries × 2 registrations."""
    import uuid

    from egov.documents.services.incoming import incoming_register

    agency, clerks, _leader, _officer, _division = _write_agency()
    pdf = _bench_pdf()
    run = uuid.uuid4().hex[:8]
    stamp = rng.randint(10_000, 99_999)

    def register(i: int):
        clerk = _fresh(clerks[i % len(clerks)].pk)
        data = {
            "issuer_name": "Bộ Nội vụ", "issuer_electronic_id": "000.00.00.G09",
            "number": f"{stamp}{i:05d}", "notation": "BNV-VP", "issued_date": "2026-01-05",
            "type_code": "CV", "urgency": "urgent" if i % 10 == 0 else "normal",
            "subject": f"V/v hướng dẫn công tác văn thư, lưu trữ năm 2026 (bench {run} {i})",
            "signer_name": "Nguyễn Văn Ký", "signer_position": "Thứ trưởng",
            "secrecy": "none", "page_count": 1, "channel": "electronic",
        }
        upload = ("cong-van.pdf", _variant(pdf, f"{run}-{i}"))
        started = time.perf_counter()
        incoming_register(actor=clerk, agency=agency, file=upload, data=data)
        return (time.perf_counter() - started) * 1000

    for i in range(5):  # warm-up
        register(i)
    times = [register(i) for i in range(5, 5 + 2 * args.queries)]
    results.report(f"registration of an incoming PDF ({len(pdf) // 1024} KB)", times,
                   BUDGET_REGISTER_MS)


def measure_issuing(results: Results, args, rng: random.Random) -> None:
    """WRITE_CLERKS clerks of one agency, each in its own thread and connection, issue
    ISSUE_PER_CLERK approved documents each at the same time through
    `services.outgoing.outgoing_issue`. The numbers given must be consecutive from the
    register's last number: no duplicate, no gap."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection, transaction
    from django.utils import timezone

    from egov.core.files import PDF, file_store
    from egov.documents.models import (
        DocumentType,
        DraftVersion,
        OutgoingDocument,
        OutgoingState,
    )
    from egov.documents.services.outgoing import outgoing_issue

    per_clerk = ISSUE_PER_CLERK
    agency, clerks, leader, officer, division = _write_agency()
    cv = DocumentType.objects.get(code="CV")
    stored = file_store(actor=officer, upload=("du-thao.pdf", _bench_pdf()), require={PDF})
    with transaction.atomic():
        docs = OutgoingDocument.objects.bulk_create([OutgoingDocument(
            agency=agency, drafting_unit=division, drafter=officer, doc_type=cv,
            subject=f"V/v triển khai nhiệm vụ đo lường năm 2026 (bench, bản {i + 1})",
            signer=leader, signer_position="Giám đốc", field_abbreviation="ĐL",
            state=OutgoingState.APPROVED) for i in range(len(clerks) * per_clerk)])
        DraftVersion.objects.bulk_create([DraftVersion(
            document=d, number=1, file=stored, pdf=stored, uploaded_by=officer) for d in docs])
    year = timezone.localdate().year
    before = OutgoingDocument.objects.filter(agency=agency, year=year,
                                             number__isnull=False).order_by("-number").first()
    last_before = before.number if before else 0
    ids = [d.pk for d in docs]
    batches = [ids[i::len(clerks)] for i in range(len(clerks))]
    barrier = threading.Barrier(len(clerks))
    failures: list[str] = []

    def work(clerk_id: int, batch: list[int]) -> list[float]:
        times = []
        try:
            clerk = _fresh(clerk_id)
            documents = list(OutgoingDocument.objects.select_related(
                "agency", "doc_type", "register", "drafter").filter(pk__in=batch))
            barrier.wait()
            for document in documents:
                started = time.perf_counter()
                outgoing_issue(actor=clerk, document=document, medium="paper")
                times.append((time.perf_counter() - started) * 1000)
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(f"{type(exc).__name__}: {exc}")
        finally:
            connection.close()
        return times

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(clerks)) as pool:
        per_thread = list(pool.map(work, [c.pk for c in clerks], batches))
    wall = time.perf_counter() - started
    times = [t for ts in per_thread for t in ts]
    numbers = sorted(OutgoingDocument.objects.filter(pk__in=ids, state=OutgoingState.ISSUED)
                     .values_list("number", flat=True))
    expected = list(range(last_before + 1, last_before + len(ids) + 1))
    ok = not failures and numbers == expected
    results.report(f"issuing, {len(clerks)} concurrent clerks × {per_clerk}", times, None,
                   f"  throughput {len(times) / wall:.0f} documents/s")
    duplicates = len(numbers) - len(set(numbers))
    gaps = len(set(expected) - set(numbers))
    results.verdict(
        f"issuing numbers {expected[0]}–{expected[-1]}", ok,
        f"{len(numbers)}/{len(ids)} issued, {duplicates} duplicate(s), {gaps} gap(s)"
        + (f"; errors: {failures[:3]}" if failures else ""))


def measure_export(results: Results, args, rng: random.Random) -> None:
    """The background job's body (`services.exports.exports_run`) exporting a 10,000-row
    Sổ đăng ký văn bản đến to XLSX, with bench_exports' data (one agency, 10,000 documents of
    2026, each with a lead assignment) generated once in this database; the workbook is read
    back to check its rows. Budget: the worst of 3 runs."""
    import io

    from openpyxl import load_workbook

    import bench_exports
    from egov.core.files import file_open

    clerk, agency = bench_exports._generate(EXPORT_ROWS)
    runs = []
    job = None
    for _ in range(3):
        elapsed, job = bench_exports._run(clerk, agency, "xlsx")
        runs.append(elapsed)
    with file_open(job.result) as f:
        ws = load_workbook(io.BytesIO(f.read()), read_only=True).active
        rows = sum(1 for row in ws.iter_rows(values_only=True)
                   if len(row) > 1 and isinstance(row[1], int))
    good = max(runs) <= BUDGET_EXPORT_S and rows == EXPORT_ROWS
    results.verdict(
        f"export of a {EXPORT_ROWS:,}-row register to XLSX", good,
        f"best {min(runs):.2f} s, worst {max(runs):.2f} s ({job.result.size // 1024} KiB, "
        f"{rows:,} rows)  budget <= {BUDGET_EXPORT_S:.0f} s")


MEASURES = {
    "search": measure_search, "code": measure_code, "list": measure_list,
    "registration": measure_registration, "issuing": measure_issuing, "export": measure_export,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default=",".join(MEASURES),
                        help=f"comma-separated measures among {', '.join(MEASURES)}")
    parser.add_argument("--queries", type=int, default=100, help="queries per measure")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--explain", action="store_true", help="print the query plans")
    args = parser.parse_args()
    chosen = [m.strip() for m in args.only.split(",") if m.strip()]
    unknown = [m for m in chosen if m not in MEASURES]
    if unknown:
        parser.error(f"unknown measure(s): {', '.join(unknown)}")

    url = os.environ.setdefault("EGOV_DATABASE_URL", DEFAULT_URL)
    if not url.startswith(("postgres://", "postgresql://")):
        print("EGOV_DATABASE_URL must point to PostgreSQL", file=sys.stderr)
        return 2
    common.ensure_database(url)
    common.setup_django(DEFAULT_URL, EGOV_MEDIA_ROOT=os.path.join(tempfile.gettempdir(), "egov-bench-documents-media"))
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    _generate()
    _build_search_structures()

    rng = random.Random(args.seed)
    results = Results()
    print()
    for name in chosen:
        MEASURES[name](results, args, rng)
    print("\n" + "\n".join(results.lines))
    print("PASS" if results.ok else "FAIL")
    return 0 if results.ok else 1


if __name__ == "__main__":
    sys.exit(main())
