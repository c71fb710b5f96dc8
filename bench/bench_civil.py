"""Civil status at a province's size (issue 13 budgets), on PostgreSQL: look-up by name without
diacritics <= 50 ms p95, a birth registration <= 100 ms p95, a certificate PDF <= 150 ms — each
side by side with its raw engine in one run.

    uv run python bench/bench_civil.py [--persons 5000000] [--communes 100] [--queries 300]
        [--registrations 200]

Database: EGOV_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/egov_bench_civil),
created if missing and migrated. Data, generated once (a second run reuses it; an interrupted
load resumes): a province with ``--communes`` commune committees, a registrar in each, and
``--persons`` person records spread over the communes in the order of registration — Vietnamese
names with diacritics (family names in their national shares: Nguyễn ~38 %, Trần, Lê, …; one or
two middle names, Văn / Thị most often), their folded forms, dates of birth from 1930 on, a
12-digit personal ID, the parents' links for a third of the younger half. Written by
INSERT … SELECT generate_series in chunks (the non-constraint indexes dropped before and built
after; foreign-key triggers off for the load), not by the ORM.

Measured in one process, side by side:
(a) `persons.person_search` as a commune's registrar (its own commune, 1/100 of the rows) and as
    the province supervisor (every commune), over queries typed without diacritics of every
    selectivity — a full name, a family + middle name, a family name alone ("nguyen": a third
    of the rows), a given name, one or two letters, a name that is not there, a personal ID —
    each query timed through the service (with the actor's grants read afresh, the audit row
    written) and as the raw SQL statements on civil_person the service sent (the ratio);
    plus GET /api/v1/civil/persons?q= through Django's test client (the whole stack);
(b) `records.register_birth` (a new child, an existing mother of the commune) vs the same rows
    written by raw INSERTs in one transaction;
(c) a birth certificate: its PDF alone (`certificate_pdf.render`, what the certificates service
    renders) and the whole issue (`certificates.issue_certificate`: the PDF, the commune's
    organisation signature — a bench root CA and key registered as the certificate tests do —
    the file stored, the row, the audit event), beside the one-stop receipt slip when the
    database has one and a one-line WeasyPrint page.
Prints p50/p95, the ratios and PASS/FAIL against the budgets; exit code 1 on any FAIL.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time

import common  # noqa: E402 - bench/common.py (scripts run from bench/)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/egov_bench_civil"
BUDGET_LOOKUP_MS = 50.0
BUDGET_REGISTER_MS = 100.0
BUDGET_CERTIFICATE_MS = 150.0
PROVINCE_ID = "000.00.00.H99"
CHUNK = 250_000
BENCH_ROWS = [5_000_000]  # --persons: the generated rows (registrations come after them)

# Family names by their share in 100 (Nguyễn ~38 %, Trần ~11 %, Lê ~9.5 %, Phạm ~7 % …).
FAMILY = (["Nguyễn"] * 38 + ["Trần"] * 11 + ["Lê"] * 9 + ["Phạm"] * 7 + ["Phan"] * 4
          + ["Hoàng"] * 3 + ["Huỳnh", "Huỳnh", "Vũ", "Vũ", "Võ", "Võ", "Đặng", "Đặng", "Bùi",
                             "Bùi", "Đỗ", "Đỗ", "Hồ", "Hồ", "Ngô", "Ngô"]
          + ["Dương", "Lý", "Đinh", "Trương", "Lương", "Mai", "Cao", "Tạ", "Lâm", "Đào", "Hà",
             "Chu"])
MIDDLE_M = ["Văn"] * 14 + ["Đức", "Minh", "Hữu", "Quốc", "Thanh", "Công", "Xuân", "Đình",
                           "Ngọc", "Hoàng", "Trọng", "Quang", "Tuấn", "Mạnh", "Anh", "Bảo",
                           "Gia", "Duy", "Thế", "Tiến"]
MIDDLE_F = ["Thị"] * 14 + ["Ngọc", "Thu", "Thanh", "Hồng", "Minh", "Phương", "Bảo", "Mai",
                           "Kim", "Thùy", "Khánh", "Diệu", "Hoài", "Lan", "Thúy", "Mỹ",
                           "Quỳnh", "Hải", "Như", "Bích"]
GIVEN_M = ["An", "Anh", "Bình", "Cường", "Dũng", "Duy", "Đạt", "Đức", "Giang", "Hải", "Hào",
           "Hiếu", "Hòa", "Hoàng", "Hùng", "Huy", "Khang", "Khánh", "Khoa", "Kiên", "Lâm",
           "Long", "Lộc", "Mạnh", "Minh", "Nam", "Nghĩa", "Nhân", "Phát", "Phong", "Phúc",
           "Phước", "Quân", "Quang", "Sơn", "Tài", "Tâm", "Thắng", "Thành", "Thiện", "Thịnh",
           "Toàn", "Trí", "Trung", "Tú", "Tuấn", "Tùng", "Việt", "Vinh", "Vũ"]
GIVEN_F = ["An", "Anh", "Bích", "Châu", "Chi", "Diệp", "Dung", "Giang", "Hà", "Hạnh", "Hằng",
           "Hiền", "Hoa", "Huyền", "Hương", "Hường", "Lan", "Liên", "Linh", "Loan", "Mai", "My",
           "Nga", "Ngân", "Ngọc", "Nhung", "Nhi", "Oanh", "Phương", "Quyên", "Quỳnh", "Tâm",
           "Thảo", "Thanh", "Thơ", "Thu", "Thủy", "Thư", "Trang", "Trâm", "Tuyết", "Uyên", "Vân",
           "Vy", "Xuân", "Yến", "Hồng", "Ly", "Khuê", "Duyên"]

# Row i (1-based): commune ids[i % communes]; female when (i / communes) is odd, so that
# i - communes * m is in the same commune, and of the other sex when m is odd. Born from
# 1930-01-01 on, in the order of the rows (34,000 days over the table). From the middle of the
# table on, 3 rows in 10 have a mother and a father ~2,000,000 rows (~37 years) earlier.
INSERT_SQL = """
INSERT INTO civil_person (id, full_name, name_folded, sex, birth_date, birth_place, hometown,
    ethnicity, nationality, residence, personal_id, father_id, mother_id, spouse_id,
    death_date, commune_id, identity_document, identity_document_country, created_at,
    updated_at)
SELECT i,
       fam[f] || ' ' || mid[m1] || coalesce(' ' || mid[m2], '') || ' ' || giv[g],
       fam_f[f] || ' ' || mid_f[m1] || coalesce(' ' || mid_f[m2], '') || ' ' || giv_f[g],
       CASE WHEN female THEN 'female' ELSE 'male' END,
       born, '', '', 'Kinh', 'Việt Nam', '',
       '001' || CASE WHEN female THEN '1' ELSE '0' END || lpad(i::text, 8, '0'),
       CASE WHEN kin THEN i - %(communes)s * (parent_gap + CASE WHEN female THEN 1 ELSE 0 END)
       END,
       CASE WHEN kin THEN i - %(communes)s * (parent_gap + CASE WHEN female THEN 0 ELSE 1 END)
       END,
       NULL,
       CASE WHEN i %% 9 = 0 AND born < date '1950-01-01' THEN born + 27000 END,
       (%(commune_ids)s::bigint[])[1 + i %% %(communes)s],
       '', '', now(), now()
FROM (
  SELECT i, female, born,
         i > %(n)s / 2 AND i %% 10 < 3 AS kin,
         2 * (%(n)s * 2 / 5 / %(communes)s / 2) + 2 * (abs(hashint8extended(i, 5)) %% 50)
           AS parent_gap,
         CASE WHEN female THEN %(mid_w)s::text[] ELSE %(mid_m)s::text[] END AS mid,
         CASE WHEN female THEN %(mid_wf)s::text[] ELSE %(mid_mf)s::text[] END AS mid_f,
         CASE WHEN female THEN %(giv_w)s::text[] ELSE %(giv_m)s::text[] END AS giv,
         CASE WHEN female THEN %(giv_wf)s::text[] ELSE %(giv_mf)s::text[] END AS giv_f,
         %(fam)s::text[] AS fam, %(fam_f)s::text[] AS fam_f,
         1 + abs(hashint8extended(i, 1)) %% %(n_fam)s AS f,
         1 + abs(hashint8extended(i, 2)) %% %(n_mid)s AS m1,
         CASE WHEN abs(hashint8extended(i, 3)) %% 10 < 3
              THEN 1 + %(n_mid_common)s + abs(hashint8extended(i, 3)) %% %(n_mid_rare)s
         END AS m2,
         1 + abs(hashint8extended(i, 4)) %% %(n_giv)s AS g
  FROM (SELECT i, (i / %(communes)s) %% 2 = 1 AS female,
               date '1930-01-01' + (i::bigint * 34000 / %(n)s)::int AS born
        FROM generate_series(%(lo)s::bigint, %(hi)s::bigint) AS i) AS base
) AS s
"""


def _fold(values: list[str]) -> list[str]:
    from egov.core.search import fold

    return [fold(v) for v in values]


def _communes(count: int):
    """The province and its communes (made once), a registrar in each, and the supervisor."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from egov.core.models import OrgUnit, OrgUnitKind, Position, Role

    User = get_user_model()
    province = OrgUnit.objects.filter(electronic_id=PROVINCE_ID).first()
    if province is None:
        with transaction.atomic():
            province = OrgUnit.objects.create(kind=OrgUnitKind.PROVINCE_COMMITTEE,
                                              name="Ủy ban nhân dân tỉnh Bình An",
                                              electronic_id=PROVINCE_ID)
            for c in range(count):
                unit = OrgUnit.objects.create(
                    kind=OrgUnitKind.COMMUNE_COMMITTEE, parent=province,
                    name=f"Ủy ban nhân dân xã Bình An {c + 1}", abbreviation="UBND",
                    electronic_id=f"000.{c + 1:02d}.00.H99"[:20],
                    place_name=f"Bình An {c + 1}")
                user = User.objects.create_user(username=f"hotich{c + 1:03d}",
                                                password="bench-not-used",
                                                full_name="Công chức Hộ Tịch")
                pos = Position.objects.create(user=user, org_unit=unit,
                                              title="Công chức Tư pháp - Hộ tịch")
                pos.roles.set(Role.objects.filter(code="civil_registrar"))
            user = User.objects.create_user(username="sotuphap_bench", password="bench-not-used",
                                            full_name="Chuyên viên Sở Tư pháp")
            pos = Position.objects.create(user=user, org_unit=province, title="Chuyên viên")
            pos.roles.set(Role.objects.filter(code="civil_supervisor"))
    communes = list(OrgUnit.objects.filter(parent=province).order_by("id"))
    return province, communes


def _generate(n: int, communes) -> None:
    from django.db import connection, transaction

    ids = [c.pk for c in communes]
    # Chunks are loaded in the order of the ids, one transaction each: the top id tells what is
    # there. (Not count(*): reading 5,000,000 rows pushed the indexes out of shared_buffers and
    # the supervisor's look-ups that followed ran 2-2.5x slower on a cold cache.)
    with connection.cursor() as cur:
        cur.execute("SELECT coalesce(max(id), 0) FROM civil_person WHERE id <= %s", [n])
        top = cur.fetchone()[0]
    if top >= n:
        return
    print(f"loading persons {top + 1:,} … {n:,}", flush=True)
    params = {
        "communes": len(ids), "commune_ids": ids, "n": n,
        "fam": FAMILY, "fam_f": _fold(FAMILY), "n_fam": len(FAMILY),
        "mid_m": MIDDLE_M, "mid_mf": _fold(MIDDLE_M), "mid_w": MIDDLE_F,
        "mid_wf": _fold(MIDDLE_F), "n_mid": len(MIDDLE_M),
        "n_mid_common": 14, "n_mid_rare": len(MIDDLE_M) - 14,
        "giv_m": GIVEN_M, "giv_mf": _fold(GIVEN_M), "giv_w": GIVEN_F, "giv_wf": _fold(GIVEN_F),
        "n_giv": len(GIVEN_M),
    }
    assert len(MIDDLE_M) == len(MIDDLE_F) and len(GIVEN_M) == len(GIVEN_F)
    with connection.cursor() as cur:
        # The indexes that no constraint needs: dropped for the load, built once after it.
        cur.execute("""SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x
                       JOIN pg_class i ON i.oid = x.indexrelid
                       WHERE x.indrelid = 'civil_person'::regclass AND NOT EXISTS (
                         SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)""")
        found = cur.fetchall()
        # Kept in a table of their own until they are built again: an interrupted load resumes
        # with the indexes it dropped, not with none.
        cur.execute("CREATE TABLE IF NOT EXISTS bench_civil_dropped_index "
                    "(name text PRIMARY KEY, definition text NOT NULL)")
        for row in found:
            cur.execute("INSERT INTO bench_civil_dropped_index VALUES (%s, %s) "
                        "ON CONFLICT DO NOTHING", row)
        cur.execute("SELECT name, definition FROM bench_civil_dropped_index ORDER BY name")
        indexes = cur.fetchall()
        for name, _definition in indexes:
            cur.execute(f'DROP INDEX IF EXISTS "{name}"')
    started = time.perf_counter()
    for lo in range(top + 1, n + 1, CHUNK):
        hi = min(n, lo + CHUNK - 1)
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("SET LOCAL session_replication_role = replica")  # no FK triggers
            cur.execute(INSERT_SQL, {**params, "lo": lo, "hi": hi})
        print(f"  {hi:,} persons ({time.perf_counter() - started:.0f} s)", flush=True)
    with connection.cursor() as cur:
        cur.execute("SET maintenance_work_mem = '512MB'")
        for name, definition in indexes:
            with common.Timer(f"index {name}"):
                cur.execute(definition.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS", 1))
        cur.execute("DROP TABLE bench_civil_dropped_index")
        cur.execute("SELECT setval(pg_get_serial_sequence('civil_person', 'id'), "
                    "(SELECT max(id) FROM civil_person))")
        with common.Timer("VACUUM ANALYZE"):
            cur.execute("VACUUM ANALYZE civil_person")


# --- measuring ----------------------------------------------------------------------------------


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(round(q * len(ordered))) - 1)]


def _line(label: str, values: list[float], base: list[float] | None = None,
          budget: float | None = None) -> bool:
    p50, p95 = statistics.median(values), _p(values, 0.95)
    text = f"  {label:<44} p50 {p50:7.2f} ms  p95 {p95:7.2f} ms  max {max(values):7.2f} ms"
    if base:
        text += f"  {p50 / statistics.median(base):5.2f}x baseline (p50)"
    ok = True
    if budget is not None:
        ok = p95 <= budget
        text += f"  (budget p95 <= {budget:g} ms) {'PASS' if ok else 'FAIL'}"
    print(text, flush=True)
    return ok


def _queries(communes, count: int, rng: random.Random) -> list[tuple[str, str]]:
    """(kind, text) pairs typed without diacritics, of every selectivity."""
    from egov.civil.models import Person

    sample = list(Person.objects.filter(commune=communes[0], personal_id__isnull=False,
                                        id__lte=BENCH_ROWS[0]).order_by("-id")
                  .values_list("name_folded", "personal_id")[:2000])
    kinds = []
    for _ in range(count):
        name, pid = rng.choice(sample)
        words = name.split()
        kind = rng.choice(("full name", "full name", "family + middle", "family name",
                           "given name", "one or two letters", "not there", "personal ID"))
        text = {"full name": name,
                "family + middle": " ".join(words[:2]),
                "family name": words[0],
                "given name": words[-1],
                "one or two letters": words[-1][:rng.choice((1, 2))],
                "not there": f"{words[0]} {rng.choice(('xuyen', 'khuong', 'quyt'))} tho",
                "personal ID": pid}[kind]
        kinds.append((kind, text))
    return kinds


def _lookups(label: str, actor_pk: int, queries, results: dict) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from egov.civil.services.persons import person_search

    User = get_user_model()
    service, raw, statements = [], [], []
    for _kind, text in queries[:10]:  # warm-up
        person_search(actor=User.objects.get(pk=actor_pk), q=text)
    for _kind, text in queries:
        actor = User.objects.get(pk=actor_pk)  # grants read afresh, as in a request
        connection.queries_log.clear()  # DEBUG keeps the last 9,000 statements only
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            person_search(actor=actor, q=text)
            service.append((time.perf_counter() - started) * 1000)
        statements.append(len(ctx.captured_queries))
        # The raw engine: the same statements on civil_person, as sent, one after the other.
        sqls = [q["sql"] for q in ctx.captured_queries if 'FROM "civil_person"' in q["sql"]]
        with connection.cursor() as cur:
            started = time.perf_counter()
            for sql in sqls:
                cur.execute(sql)
                cur.fetchall()
            raw.append((time.perf_counter() - started) * 1000)
    results[label] = (service, raw, statements)


def _api(actor_pk: int, queries) -> list[float]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from egov.core import tokens

    _token, secret = tokens.token_create(actor=get_user_model().objects.get(pk=actor_pk),
                                         name="bench")
    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {secret}")
    out = []
    for _kind, text in queries[:10]:
        client.get("/api/v1/civil/persons", {"q": text})
    for _kind, text in queries:
        started = time.perf_counter()
        r = client.get("/api/v1/civil/persons", {"q": text})
        out.append((time.perf_counter() - started) * 1000)
        assert r.status_code == 200, r.content
    return out


def _mothers(commune, count: int) -> list[int]:
    """Living women of the commune aged 20-40: the existing mothers of the registrations."""
    from egov.civil.models import Person

    today = dt.date.today()
    return list(Person.objects.filter(
        commune=commune, sex="female", death_date__isnull=True,
        birth_date__range=(today.replace(year=today.year - 40),
                           today.replace(year=today.year - 20)))
        .order_by("-id").values_list("id", flat=True)[:count])


def _registrations(registrar_pk: int, commune, count: int, rng: random.Random):
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from egov.civil.services.records import register_birth

    User = get_user_model()
    mothers = _mothers(commune, count + 10)
    born = dt.date.today() - dt.timedelta(days=3)
    service, raw = [], []
    for k in range(count + 5):
        actor = User.objects.get(pk=registrar_pk)
        child = {"full_name": f"{rng.choice(FAMILY)} {rng.choice(MIDDLE_M)} "
                              f"{rng.choice(GIVEN_M)}",
                 "sex": "male", "birth_date": born.isoformat(),
                 "birth_place": "Trạm y tế xã Bình An 1"}
        started = time.perf_counter()
        register_birth(actor=actor, child=child, mother={"id": mothers[k % len(mothers)]})
        if k >= 5:  # the first ones warm up
            service.append((time.perf_counter() - started) * 1000)
    # The same rows by hand: the child, the event in a book of its own, its two parties.
    with connection.cursor() as cur:
        cur.execute("""INSERT INTO civil_registrybook (commune_id, kind, year, number, name)
                       VALUES (%s, 'birth', 1900, 1, 'bench raw')
                       ON CONFLICT DO NOTHING""", [commune.pk])
        cur.execute("SELECT id FROM civil_registrybook WHERE commune_id = %s AND year = 1900",
                    [commune.pk])
        book = cur.fetchone()[0]
        cur.execute("SELECT coalesce(max(entry_number), 0) FROM civil_civilevent "
                    "WHERE book_id = %s", [book])
        entry = cur.fetchone()[0]
    for k in range(count + 5):
        entry += 1
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(
                """INSERT INTO civil_person (full_name, name_folded, sex, birth_date, birth_place,
                     hometown, ethnicity, nationality, residence, mother_id, commune_id,
                     identity_document, identity_document_country, created_at, updated_at)
                   VALUES (%s, %s, 'male', %s, 'Trạm y tế', '', 'Kinh', 'Việt Nam', '', %s, %s,
                           '', '', now(), now()) RETURNING id""",
                ["Nguyễn Văn Bình", "nguyen van binh", born, mothers[k % len(mothers)],
                 commune.pk])
            kid = cur.fetchone()[0]
            cur.execute(
                """INSERT INTO civil_civilevent (kind, commune_id, book_id, entry_number,
                     registered_on, event_date, late, registrar_id, details, foreign_element,
                     created_at)
                   VALUES ('birth', %s, %s, %s, current_date, %s, false, %s, '{}', false, now())
                   RETURNING id""", [commune.pk, book, entry, born, registrar_pk])
            event = cur.fetchone()[0]
            cur.execute("""INSERT INTO civil_eventparty (event_id, person_id, role)
                           VALUES (%s, %s, 'child'), (%s, %s, 'mother')""",
                        [event, kid, event, mothers[k % len(mothers)]])
        if k >= 5:
            raw.append((time.perf_counter() - started) * 1000)
    return service, raw


def _signing_certificate(commune) -> bool:
    """The commune's organisation certificate, as tests/civil/certificates_support.py registers
    one (a test root CA, an ECDSA key in a PKCS#12 held by the server); made once. False when
    the signing service cannot take it (the signed issue is then not measured)."""
    from django.contrib.auth import get_user_model

    from egov.signing import pki, services
    from egov.signing.selectors import usable_certificate

    if usable_certificate(unit=commune) is not None:
        return True
    User = get_user_model()
    admin = User.objects.filter(is_superuser=True).first() or \
        User.objects.create_superuser("quantri_bench", password="bench-not-used-2026")
    try:
        root = pki.create_root_ca("eGov Bench Root CA", "eGov Đo hiệu năng")
        issued = pki.issue_certificate(root, "UBND xã Bình An 1", organization="UBND xã Bình An 1",
                                       locality=commune.place_name, algorithm="ecdsa")
        services.certificate_register_pkcs12(
            actor=admin, owner_unit=commune, password="pw",
            pkcs12=pki.export_pkcs12(issued, "pw", chain=[root.certificate]))
    except Exception as err:  # noqa: BLE001 - reported, the rest of the bench goes on
        print(f"  no signing certificate: {err}", flush=True)
        return False
    return True


def _certificate(registrar_pk: int, commune, runs: int):
    """(a) the certificate PDF alone — certificate_pdf.render, the function the certificates
    service calls (the legal layout, the QR code, WeasyPrint); (b) the whole issue —
    certificates.issue_certificate (render, the commune's organisation signature, the file
    stored, the certificate row and its audit event), each on a birth registered by this run
    that has no original yet; (c) the side-by-side baselines: the one-stop receipt slip
    (egov.onestop, the same PDF library) and a one-line page."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from egov.civil import certificate_pdf
    from egov.civil.models import CivilEvent
    from egov.civil.models_certificates import Certificate, CertificateType
    from egov.civil.services import certificates
    from egov.onestop.pdf import html_to_pdf
    from egov.signing.verification_codes import new_code

    registrar = get_user_model().objects.get(pk=registrar_pk)
    events = list(CivilEvent.objects.filter(kind="birth", commune=commune)
                  .exclude(pk__in=Certificate.objects.values("event_id"))
                  .select_related("book", "commune").order_by("-id")[:runs + 3])
    if not events:
        return None

    def timed(fn, count=runs) -> list[float]:
        out = []
        for k in range(count + 3):
            started = time.perf_counter()
            fn(k)
            if k >= 3:  # warm-up: fonts, templates
                out.append((time.perf_counter() - started) * 1000)
        return out

    today = timezone.localdate()
    out = {"render": timed(lambda k: certificate_pdf.render(
        event=events[k % len(events)], type=CertificateType.BIRTH, code=new_code(),
        issued_on=today, issued_by_name="Công chức Hộ Tịch"))}
    if _signing_certificate(commune):
        out["issue"] = timed(lambda k: certificates.issue_certificate(
            registrar, events[k].pk, CertificateType.BIRTH), min(runs, len(events) - 3))
    slip = _receipt_slip()
    if slip is not None:
        out["slip"] = timed(lambda k: slip())
    out["trivial"] = timed(lambda k: html_to_pdf("<p>Một dòng chữ.</p>"))
    return out


def _receipt_slip():
    """The one-stop receipt slip (egov.onestop.pdf.render_slip) of a slip the bench database
    holds, as a callable rendering it again; None when there is none."""
    from egov.onestop.models import Slip, SlipForm
    from egov.onestop.pdf import render_slip

    slip = Slip.objects.filter(form=SlipForm.RECEIPT).order_by("-pk").first()
    return None if slip is None else (lambda: render_slip(slip))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=5_000_000)
    parser.add_argument("--communes", type=int, default=100)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--supervisor-queries", type=int, default=60,
                        help="the first N queries again as the province supervisor")
    parser.add_argument("--registrations", type=int, default=200)
    parser.add_argument("--certificates", type=int, default=30)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    url = os.environ.setdefault("EGOV_DATABASE_URL", DEFAULT_URL)
    common.ensure_database(url)
    common.setup_django(DEFAULT_URL)
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    with common.Timer("migrate"):
        call_command("migrate", verbosity=0, interactive=False)
        call_command("createcachetable", verbosity=0)
    province, communes = _communes(args.communes)
    _generate(args.persons, communes)
    BENCH_ROWS[0] = args.persons
    User = get_user_model()
    registrar = User.objects.get(username="hotich001")
    supervisor = User.objects.get(username="sotuphap_bench")
    rng = random.Random(args.seed)
    queries = _queries(communes, args.queries, rng)
    with connection.cursor() as cur:
        cur.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'civil_person'")
        total = cur.fetchone()[0]
    results: dict = {}
    _lookups("registrar (own commune)", registrar.pk, queries, results)
    _lookups("province supervisor (all communes)", supervisor.pk,
             queries[:args.supervisor_queries], results)
    api = _api(registrar.pk, queries)
    service, raw = _registrations(registrar.pk, communes[0], args.registrations, rng)
    certificate = _certificate(registrar.pk, communes[0], args.certificates)

    ok = True
    print(f"\n=== civil status, ~{total:,} persons in {len(communes)} communes "
          f"({connection.settings_dict['NAME']}) ===")
    print(f"(a) look-up by name without diacritics, {len(queries)} queries of every "
          f"selectivity ({args.supervisor_queries} of them as the supervisor):")
    for label, (svc, base, statements) in results.items():
        print(f" {label}: {min(statements)}-{max(statements)} statements a search")
        ok &= _line("person_search (service)", svc, base, BUDGET_LOOKUP_MS)
        _line("its SQL alone (raw)", base)
        for kind in dict.fromkeys(k for k, _t in queries):
            picked = [i for i, (k, _t) in enumerate(queries[:len(svc)]) if k == kind]
            if not picked:
                continue
            _line(f"  {kind} ({len(picked)})", [svc[i] for i in picked],
                  [base[i] for i in picked])
    ok &= _line("GET /api/v1/civil/persons?q= (registrar)", api, None, BUDGET_LOOKUP_MS)
    print(f"(b) birth registration, new child + existing mother, {len(service)} runs:")
    ok &= _line("records.register_birth", service, raw, BUDGET_REGISTER_MS)
    _line("raw INSERTs (person, event, parties)", raw)
    print("(c) certificate PDF (a birth certificate):")
    if certificate is None:
        print("  no birth registered in the first commune (no certificate figure)")
    else:
        base = certificate["trivial"]
        ok &= _line("certificate_pdf.render (the PDF)", certificate["render"], base,
                    BUDGET_CERTIFICATE_MS)
        if "issue" in certificate:
            _line("issue_certificate (PDF, signature, file)", certificate["issue"], base,
                  BUDGET_CERTIFICATE_MS)
        else:
            print("  issue_certificate: not measured (no signing certificate)")
        if "slip" in certificate:
            _line("one-stop receipt slip (baseline)", certificate["slip"], base)
        _line("a one-line page (trivial WeasyPrint)", base)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
