"""Public verification and search, side by side with their baselines (issue 9 §4), on PostgreSQL.

    uv run python bench/bench_public_and_search.py [--size 1000000] [--only verify,code,ranked,inbox]
        [--duration 10] [--connections 4] [--queries 100]

Database: EGOV_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/egov_bench_docs, the
database of bench_documents.py), created if missing and migrated. Data, generated once and kept
(skipped when present, whatever its size): the documents of bench_documents.py scaled to
``--size`` documents (60 % incoming, 40 % outgoing; 1,000,000 by default, INSERT … SELECT
generate_series) and the work items of bench_inbox.py (``--size`` items, 10,000 open for the
inbox's user); one signed PDF issued under the verification code BENCH00001.

Measures (each compared with its baseline in the same run; budgets from issue 9 §4):

- verify: gunicorn, 2 sync workers on 127.0.0.1, loaded by wrk (Debian's, installed with apt
  when missing) for ``--duration`` seconds with ``--connections`` connections, one after the
  other: a trivial Django view (bench_site.trivial: the whole middleware stack, no query), the
  page /verify/c/<code>/ and GET /api/v1/signing/verify/{code}. Budget: each page >= 0.3 x the
  trivial view's req/s, p95 <= 20 ms; and <= 3 queries per hit (counted in-process with
  django.test.Client). The rate limit is set high (EGOV_VERIFY_RATE_CODE) so that every hit is
  served and still counted by the limiter.
- code: document_search by a clerk of the document's agency for a code (prefix: a whole folded
  code such as "3812/qd-ubnd") and for a piece of a code that starts no code (substring), vs
  the one-statement SQL (UNION ALL over both tables, the agency's documents, LIKE on the folded
  code, the same order, LIMIT 21). Budget: p95 <= 2 x the raw p95 and <= 20 ms. The searches
  are the functions egov_code_prefix_search and egov_code_substring_search (documents
  migrations 0012, 0013), whose plans are kept per connection: the five warm-up searches run on
  the same connection as the timed ones, as a worker's earlier requests would (the first search
  of a new connection plans it; CONN_MAX_AGE keeps a connection 60 s). The raw substring
  statement tests the agency as `agency_id + 0 = …`: with a plain `agency_id = …` PostgreSQL
  ANDs the agency's bitmap (12,000 rows, read from the (agency_id, search_vector) GIN index) to
  the trigram index's handful of rows, which cost 2-12 ms more than checking the agency on
  those rows (EXPLAIN ANALYZE, 1,000,000 documents); the baseline is the cheapest statement
  giving the same rows, and the bench checks that the selector gives the raw statement's rows
  ("same rows").
- ranked: document_search of two words by a clerk (top 20 by relevance) vs the one-statement
  SQL that ranks every match of the agency (ts_rank_cd, ORDER BY rank LIMIT 21). Budget: p95 <=
  200 ms.
- inbox: selectors.inbox_page (first page of 50) of the inbox's user vs the one-statement SQL
  (UNION ALL of index-ordered, limited branches: the user's items and each of her units',
  units found in the same statement). Budget: p95 <= 2 x the raw p95.

Prints the figures with their baselines, ratios and PASS/FAIL; exit code 1 on any FAIL.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import common  # noqa: E402 - bench/common.py (scripts run from bench/)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/egov_bench_docs"
BENCH_DIR = Path(__file__).resolve().parent
CODE = "BENCH00001"

BUDGET_VERIFY_RATIO = 0.3
BUDGET_VERIFY_P95_MS = 20.0
BUDGET_VERIFY_QUERIES = 3
BUDGET_CODE_RATIO = 2.0
BUDGET_CODE_MS = 20.0
BUDGET_RANKED_MS = 200.0
BUDGET_INBOX_RATIO = 2.0

WRK_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %.3f %.3f %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    summary.errors.status, summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout))
end
"""


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


class Results:
    def __init__(self) -> None:
        self.ok = True
        self.lines: list[str] = []

    def line(self, text: str, good: bool | None = None) -> None:
        if good is not None:
            self.ok &= good
            text = f"{text}  {'PASS' if good else 'FAIL'}"
        self.lines.append(text)
        print(text, flush=True)

    def side_by_side(self, label: str, times: list[float], raw: list[float], *,
                     ratio_budget: float | None, p95_budget: float | None,
                     extra: str = "") -> None:
        p95, raw_p95 = _percentile(times, 95), _percentile(raw, 95)
        ratio = p95 / raw_p95 if raw_p95 else float("inf")
        good = True
        budgets = []
        if ratio_budget is not None:
            good &= ratio <= ratio_budget
            budgets.append(f"<= {ratio_budget:g}x raw")
        if p95_budget is not None:
            good &= p95 <= p95_budget
            budgets.append(f"p95 <= {p95_budget:g} ms")
        self.line(f"{label:<34} p50 {statistics.median(times):6.1f} ms  p95 {p95:6.1f} ms | "
                  f"raw SQL p50 {statistics.median(raw):6.1f} ms  p95 {raw_p95:6.1f} ms | "
                  f"{ratio:4.2f}x  (budget {', '.join(budgets)}){extra}", good)


def _timed(fn, samples) -> list[float]:
    times = []
    for sample in samples:
        started = time.perf_counter()
        fn(sample)
        times.append((time.perf_counter() - started) * 1000)
    return times


# --- data ------------------------------------------------------------------------------------


def _generate(size: int) -> None:
    import bench_documents
    import bench_inbox

    bench_documents.INCOMING = size * 6 // 10
    bench_documents.OUTGOING = size - bench_documents.INCOMING
    bench_documents._generate()
    bench_documents._build_search_structures()
    bench_inbox.TOTAL_ITEMS = max(size, bench_inbox.MINE_PERSONAL + bench_inbox.MINE_UNIT
                                  + bench_inbox.USERS)
    bench_inbox._generate()


def _signed_pdf() -> bytes:
    from weasyprint import HTML

    from egov.signing import pades, pki
    from egov.signing.signers import get_signer

    root = pki.create_root_ca("Bench Root CA")
    leader = pki.issue_certificate(root, "Trần Văn Lãnh", organization="UBND tỉnh Đo Tải",
                                   locality="Đo Tải")
    p12 = pki.export_pkcs12(leader, "pw", chain=[root.certificate])
    pdf = HTML(string="<html lang='vi'><body style=\"font-family:'Liberation Serif'\">"
                      "<h1>QUYẾT ĐỊNH</h1><p>Về việc phê duyệt kế hoạch năm 2026.</p>"
                      "</body></html>").write_pdf()
    stamp = pades.StampSpec(name="Trần Văn Lãnh", title="Chủ tịch Ủy ban nhân dân tỉnh")
    signer = get_signer("key_file", pkcs12=p12, password="pw")
    return pades.sign_pdf(pdf, signer, field_name="ChuKy", appearance=stamp)


def _verification_code():
    """The code BENCH00001 on an issued bench document and a signed PDF (made once)."""
    from django.core.files.base import ContentFile

    from egov.core.files import file_store
    from egov.documents.models import OutgoingDocument
    from egov.signing.models import VerificationCode

    vc = VerificationCode.objects.select_related("file").filter(code=CODE).first()
    if vc is not None and vc.file_id:
        return vc
    doc = OutgoingDocument.objects.filter(issued_at__isnull=False).order_by("pk").first()
    stored = file_store(actor=None, upload=ContentFile(_signed_pdf(), name="bench-signed.pdf"))
    vc, _created = VerificationCode.objects.update_or_create(
        code=CODE, defaults={"subject_kind": "documents.outgoing", "subject_id": doc.pk,
                             "file": stored})
    return vc


# --- verify: HTTP through gunicorn ------------------------------------------------------------


def _wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk is missing: apt-get install -y wrk", flush=True)
    subprocess.run(["apt-get", "install", "-y", "wrk"], check=True,
                   stdout=subprocess.DEVNULL)
    return shutil.which("wrk") or "wrk"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, timeout: float = 60) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def _load(wrk: str, url: str, duration: int, connections: int, script: str) -> dict:
    out = subprocess.run([wrk, "-t", "2", "-c", str(connections), "-d", f"{duration}s",
                          "-s", script, url], capture_output=True, text=True, check=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    requests, duration_us, p50, p95, non2xx, socket_errors = line.split()[1:]
    return {"rps": int(requests) / (int(duration_us) / 1e6), "p50": float(p50),
            "p95": float(p95), "non2xx": int(non2xx), "errors": int(socket_errors),
            "requests": int(requests)}


def _queries_per_hit(paths: list[str]) -> dict[str, int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    counts = {}
    for path in paths:
        client.get(path)  # fills the cache
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        counts[path] = len(ctx.captured_queries)
    return counts


def measure_verify(results: Results, args, rng: random.Random) -> None:
    from django.conf import settings
    from django.core.cache import cache

    vc = _verification_code()
    cache.clear()
    paths = {"trivial view": "/bench/trivial/", "/verify/c/<code>/": f"/verify/c/{vc.code}/",
             "GET /api/v1/signing/verify/{code}": f"/api/v1/signing/verify/{vc.code}"}
    settings.EGOV_VERIFY_RATE_CODE = "1000000000/600"
    counts = _queries_per_hit([paths["/verify/c/<code>/"],
                               paths["GET /api/v1/signing/verify/{code}"]])
    wrk = _wrk()
    port = _free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench_site", "EGOV_DEBUG": "0",
           "EGOV_SECRET_KEY": "bench-" + "x" * 60, "EGOV_LOG_LEVEL": "ERROR", "EGOV_HTTPS": "0",
           "EGOV_VERIFY_RATE_CODE": "1000000000/600",
           "EGOV_STATIC_ROOT": os.path.join(tempfile.gettempdir(), "egov-bench-public-static"),
           "PYTHONPATH": os.pathsep.join([str(BENCH_DIR), os.environ.get("PYTHONPATH", "")])}
    # Production settings serve hashed static files (the manifest): collect them once.
    subprocess.run([sys.executable, "-m", "django", "collectstatic", "--noinput", "-v", "0"],
                   env=env, check=True)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", "egov.wsgi:application"], env=env)
    base = f"http://127.0.0.1:{port}"
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(WRK_SCRIPT)
        script = f.name
    try:
        _wait_for(base + paths["trivial view"])
        for path in paths.values():  # warm up both workers (imports, caches, connections)
            _load(wrk, base + path, 2, args.connections, script)
        figures = {label: _load(wrk, base + path, args.duration, args.connections, script)
                   for label, path in paths.items()}
    finally:
        server.terminate()
        server.wait(timeout=30)
        os.unlink(script)
    trivial = figures["trivial view"]
    results.line(f"gunicorn 2 workers, wrk 2 threads x {args.connections} connections, "
                 f"{args.duration} s each")
    results.line(f"{'trivial view (baseline)':<34} {trivial['rps']:8.1f} req/s  "
                 f"p50 {trivial['p50']:6.1f} ms  p95 {trivial['p95']:6.1f} ms")
    for label in ("/verify/c/<code>/", "GET /api/v1/signing/verify/{code}"):
        fig = figures[label]
        ratio = fig["rps"] / trivial["rps"]
        queries = counts[paths[label]]
        good = (ratio >= BUDGET_VERIFY_RATIO and fig["p95"] <= BUDGET_VERIFY_P95_MS
                and queries <= BUDGET_VERIFY_QUERIES and fig["non2xx"] == 0
                and fig["errors"] == 0)
        results.line(
            f"{label:<34} {fig['rps']:8.1f} req/s  p50 {fig['p50']:6.1f} ms  p95 "
            f"{fig['p95']:6.1f} ms  {ratio:4.2f}x trivial  {queries} queries  "
            f"non-2xx {fig['non2xx']}  (budget >= {BUDGET_VERIFY_RATIO}x, p95 <= "
            f"{BUDGET_VERIFY_P95_MS:g} ms, <= {BUDGET_VERIFY_QUERIES} queries)", good)


# --- code search -------------------------------------------------------------------------------

RAW_CODE_SQL = """
SELECT * FROM (
  (SELECT 'incoming' AS kind, id, code, subject, arrival_date AS sort_at,
          CASE WHEN lower(f_unaccent(code)) = %(needle)s THEN 2
               WHEN lower(f_unaccent(code)) LIKE %(prefix)s THEN 1 ELSE 0 END AS code_rank
     FROM documents_incomingdocument
    WHERE {agency} AND lower(f_unaccent(code)) LIKE %(pattern)s
    ORDER BY code_rank DESC, sort_at DESC, id DESC LIMIT 21)
  UNION ALL
  (SELECT 'outgoing', id, code, subject, coalesce(issued_at, created_at),
          CASE WHEN lower(f_unaccent(code)) = %(needle)s THEN 2
               WHEN lower(f_unaccent(code)) LIKE %(prefix)s THEN 1 ELSE 0 END
     FROM documents_outgoingdocument
    WHERE {agency} AND lower(f_unaccent(code)) LIKE %(pattern)s
    ORDER BY 6 DESC, 5 DESC, id DESC LIMIT 21)
) u ORDER BY code_rank DESC, sort_at DESC, kind, id DESC LIMIT 21
"""
# prefix: the agency index or bitmap helps the btree range; substring: see the docstring
RAW_PREFIX_SQL = RAW_CODE_SQL.format(agency="agency_id = %(agency)s")
RAW_SUBSTRING_SQL = RAW_CODE_SQL.format(agency="agency_id + 0 = %(agency)s")


def _clerks() -> dict[int, int]:
    from egov.core.models import Position

    clerk_of: dict[int, int] = {}
    for user_id, agency_id in Position.objects.filter(
            roles__code="clerk", user__username__startswith="bdoc_u").values_list(
            "user_id", "org_unit__agency_id"):
        clerk_of.setdefault(agency_id, user_id)
    return clerk_of


def _raw_code(cur, agency: int, needle: str, substring: bool) -> list:
    from egov.core.search import like_escape

    prefix = like_escape(needle) + "%"
    cur.execute(RAW_SUBSTRING_SQL if substring else RAW_PREFIX_SQL,
                {"needle": needle, "prefix": prefix, "agency": agency,
                 "pattern": "%" + like_escape(needle) + "%" if substring else prefix})
    return cur.fetchall()


def _code_samples(n: int, rng: random.Random, clerk_of: dict[int, int]):
    """(kind, id, folded code, agency) of random documents, and substring queries: the code
    without the first digit of its number, kept when no code of the agency starts with it."""
    from django.db import connection

    from egov.core.search import fold

    prefix, substring = [], []
    with connection.cursor() as cur:
        for table in ("documents_incomingdocument", "documents_outgoingdocument"):
            cur.execute(f"SELECT min(id), max(id) FROM {table}")
            low, top = cur.fetchone()
            tries = 0
            while len([s for s in prefix if s[0] == table[10:18]]) < n // 2 and tries < 50 * n:
                tries += 1
                cur.execute(f"SELECT id, code, agency_id FROM {table} WHERE id >= %s "
                            "AND code <> '' ORDER BY id LIMIT 1", [rng.randint(low, top)])
                row = cur.fetchone()
                if row and row[2] in clerk_of:
                    prefix.append((table[10:18], row[0], fold(row[1]), row[2]))
        for kind, pk, code, agency in prefix:
            number, _sep, rest = code.partition("/")
            if len(number) < 2:
                continue
            piece = f"{number[1:]}/{rest}"
            if not _raw_code(cur, agency, piece, substring=False):
                substring.append((kind, pk, piece, agency))
    rng.shuffle(prefix)
    return prefix[:n], substring[:n]


def measure_code(results: Results, args, rng: random.Random) -> None:
    from django.db import connection

    from egov.core.models import User
    from egov.documents.selectors.search import document_search

    clerk_of = _clerks()
    prefix, substring = _code_samples(args.queries, rng, clerk_of)
    print(f"code queries: {', '.join(s[2] for s in prefix[:4])} …; substring: "
          f"{', '.join(s[2] for s in substring[:4])} … ({len(substring)})", flush=True)
    for label, samples, is_sub in (("code search, prefix — clerk", prefix, False),
                                   ("code search, substring — clerk", substring, True)):
        if not samples:
            results.line(f"{label}: no sample", False)
            continue
        found, pages, raw_pages = [], {}, {}

        def selector(sample, found=found, pages=pages):
            kind, pk, q, agency, actor = sample
            page = document_search(actor=actor, q=q, limit=20)
            found.append(any(h.id == pk and h.kind == kind for h in page.items))
            pages[q, agency] = [(h.kind, h.id) for h in page.items]

        def raw(sample, is_sub=is_sub, raw_pages=raw_pages):
            _kind, _pk, q, agency, _actor = sample
            with connection.cursor() as cur:
                rows = _raw_code(cur, agency, q, substring=is_sub)
            raw_pages[q, agency] = [(r[0], r[1]) for r in rows[:20]]

        def with_actor(sample):
            # A fresh user per search, as a request's (loaded by the session middleware before
            # the view; the raw SQL is given the agency): nothing of the actor is cached, the
            # selector reads the actor's posts and grants itself.
            return (*sample, User.objects.get(pk=clerk_of[sample[3]]))

        for sample in samples[:5]:  # warm-up
            selector(with_actor(sample))
            raw(with_actor(sample))
        found.clear()
        times, raw_times = [], []
        for sample in samples:  # interleaved: both see the same load
            times += _timed(selector, [with_actor(sample)])
            raw_times += _timed(raw, [with_actor(sample)])
        same = sum(pages[key] == raw_pages[key] for key in pages)
        results.side_by_side(label, times, raw_times, ratio_budget=BUDGET_CODE_RATIO,
                             p95_budget=BUDGET_CODE_MS,
                             extra=f"  found {sum(found)}/{len(found)}, same rows as raw "
                                   f"{same}/{len(pages)}")
        if not all(found) and not is_sub:
            results.line(f"{label}: a code search did not find its document", False)
        if same != len(pages):
            results.line(f"{label}: the selector's page differs from the raw SQL's", False)


# --- ranked search -----------------------------------------------------------------------------

RAW_RANKED_SQL = """
SELECT * FROM (
  (SELECT 'incoming' AS kind, d.id, ts_rank_cd(d.search_vector, q)::float8 AS rank
     FROM documents_incomingdocument d, plainto_tsquery('vi_unaccent', %(q)s) q
    WHERE d.agency_id = %(agency)s AND d.search_vector @@ q
    ORDER BY rank DESC, d.id DESC LIMIT 21)
  UNION ALL
  (SELECT 'outgoing', d.id, ts_rank_cd(d.search_vector, q)::float8
     FROM documents_outgoingdocument d, plainto_tsquery('vi_unaccent', %(q)s) q
    WHERE d.agency_id = %(agency)s AND d.search_vector @@ q
    ORDER BY 3 DESC, d.id DESC LIMIT 21)
) u ORDER BY rank DESC, kind, id DESC LIMIT 21
"""


def measure_ranked(results: Results, args, rng: random.Random) -> None:
    from django.db import connection

    import bench_documents
    from egov.core.models import User
    from egov.documents.selectors.search import document_search

    clerk_of = _clerks()
    agencies = sorted(clerk_of)
    queries = bench_documents._two_word_queries(args.queries, rng)
    samples = [(q, rng.choice(agencies)) for q in queries]
    print(f"ranked queries: {', '.join(repr(q) for q, _a in samples[:5])} …", flush=True)
    hits = []

    def selector(sample):
        q, agency = sample
        page = document_search(actor=User.objects.get(pk=clerk_of[agency]), q=q, limit=20)
        hits.append(len(page.items))

    def raw(sample):
        q, agency = sample
        with connection.cursor() as cur:
            cur.execute(RAW_RANKED_SQL, {"q": q, "agency": agency})
            cur.fetchall()

    for sample in samples[:5]:
        selector(sample)
        raw(sample)
    hits.clear()
    times, raw_times = [], []
    for sample in samples:
        times += _timed(selector, [sample])
        raw_times += _timed(raw, [sample])
    results.side_by_side("ranked search, 2 words — clerk", times, raw_times, ratio_budget=None,
                         p95_budget=BUDGET_RANKED_MS,
                         extra=f"  {statistics.mean(hits):.1f} hits/query")


# --- inbox -------------------------------------------------------------------------------------

RAW_INBOX_SQL = """
SELECT w.*, u.* FROM core_workitem w LEFT JOIN core_orgunit u ON u.id = w.assignee_unit_id
 WHERE w.id IN (
   SELECT id FROM (
     (SELECT id, due_sort FROM core_workitem
       WHERE state = 'open' AND assignee_user_id = %(me)s ORDER BY due_sort, id LIMIT %(n)s)
     UNION ALL
     (SELECT x.id, x.due_sort FROM (
        SELECT DISTINCT p.org_unit_id FROM core_position p
          LEFT JOIN core_delegation d ON d.position_id = p.id
         WHERE p.valid_from <= %(today)s AND (p.valid_to IS NULL OR p.valid_to >= %(today)s)
           AND (p.user_id = %(me)s OR (d.delegate_id = %(me)s AND d.start <= %(today)s
                                       AND d."end" >= %(today)s))) units
      CROSS JOIN LATERAL (
        SELECT id, due_sort FROM core_workitem
         WHERE state = 'open' AND assignee_user_id IS NULL
           AND assignee_unit_id = units.org_unit_id ORDER BY due_sort, id LIMIT %(n)s) x)
     ORDER BY due_sort, id LIMIT %(n)s) k)
 ORDER BY w.due_sort, w.id
"""


def measure_inbox(results: Results, args, rng: random.Random) -> None:
    import datetime as dt

    from django.db import connection

    import bench_inbox
    from egov.core import selectors
    from egov.core.models import User

    me = User.objects.get(username=bench_inbox.BENCH_USER)
    bench_inbox._refresh_delegation(me)
    limit = 50

    def selector(_sample):
        return selectors.inbox_page(actor=User.objects.get(pk=me.pk), limit=limit).items

    def raw(_sample):
        with connection.cursor() as cur:
            cur.execute(RAW_INBOX_SQL, {"me": me.pk, "n": limit + 1,
                                        "today": dt.date.today()})
            return cur.fetchall()

    same = [i.pk for i in selector(None)] == [r[0] for r in raw(None)][:limit]
    for _ in range(10):
        selector(None)
        raw(None)
    times, raw_times = [], []
    for _ in range(args.queries):
        times += _timed(selector, [None])
        raw_times += _timed(raw, [None])
    results.side_by_side(f"inbox, first page of {limit}", times, raw_times,
                         ratio_budget=BUDGET_INBOX_RATIO, p95_budget=None,
                         extra=f"  same rows as raw: {same}")
    if not same:
        results.line("inbox: the selector's first page differs from the raw SQL's", False)


MEASURES = {"verify": measure_verify, "code": measure_code, "ranked": measure_ranked,
            "inbox": measure_inbox}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=1_000_000,
                        help="documents to generate (and work items) when the data is missing")
    parser.add_argument("--only", default=",".join(MEASURES),
                        help=f"comma-separated measures among {', '.join(MEASURES)}")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per page")
    parser.add_argument("--connections", type=int, default=4, help="wrk connections")
    parser.add_argument("--queries", type=int, default=100, help="queries per search measure")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    chosen = [m.strip() for m in args.only.split(",") if m.strip()]
    unknown = [m for m in chosen if m not in MEASURES]
    if unknown:
        parser.error(f"unknown measure(s): {', '.join(unknown)}")

    url = os.environ.setdefault("EGOV_DATABASE_URL", DEFAULT_URL)
    if not url.startswith(("postgres://", "postgresql://")):
        print("EGOV_DATABASE_URL must point to PostgreSQL", file=sys.stderr)
        return 2
    media = os.path.join(tempfile.gettempdir(), "egov-bench-public-media")
    os.environ.setdefault("EGOV_MEDIA_ROOT", media)
    common.ensure_database(url)
    common.setup_django(DEFAULT_URL)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)
    _generate(args.size)
    with connection.cursor() as cur:
        cur.execute("SELECT (SELECT count(*) FROM documents_incomingdocument) + "
                    "(SELECT count(*) FROM documents_outgoingdocument)")
        documents = cur.fetchone()[0]
    print(f"\n{documents:,} documents in {connection.settings_dict['NAME']}\n", flush=True)

    rng = random.Random(args.seed)
    results = Results()
    for name in chosen:
        MEASURES[name](results, args, rng)
    print(f"\n=== issue 9 §4 at {documents:,} documents ===")
    print("\n".join(results.lines))
    print("PASS" if results.ok else "FAIL")
    return 0 if results.ok else 1


if __name__ == "__main__":
    sys.exit(main())
