"""The public verification of a code is cheap (issue 9 §4): at most 3 queries per hit for the
page /verify/c/<code>/ and GET /api/v1/signing/verify/{code}; the cached entry is small plain
data (no pyHanko object); it follows the document's state; the rate-limit counter is one atomic
statement whose old windows are purged off the request path."""

from __future__ import annotations

import base64
import io
import pickle
from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from egov.core import jobs, throttle
from egov.core.models import RateCounter
from egov.documents.services import outgoing as svc
from egov.signing import ratelimit
from tests.documents.conftest import docs_org  # noqa: F401 (fixture)
from tests.documents.test_outgoing_support import issued
from tests.portal.test_verify_code import _page, _vc, signed_issued  # noqa: F401 (fixture)
from tests.signing.conftest import test_pki  # noqa: F401 (fixture)
from tests.signing.test_documents_flow import signing_org  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

MAX_ENTRY_BYTES = 16 * 1024


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _api(code: str) -> str:
    return f"/api/v1/signing/verify/{code}"


def test_code_page_and_api_cost_at_most_three_queries(client, signed_issued,  # noqa: F811
                                                      django_assert_max_num_queries):
    code = _vc(signed_issued).code
    assert client.get(_page(code)).status_code == 200  # fills the cache (verifies the PDF)
    assert client.get(_api(code)).status_code == 200
    # rate-limit counter + the code + one cache read
    with django_assert_max_num_queries(3):
        r = client.get(_page(code))
    assert r.status_code == 200 and 'data-verdict="valid"' in r.content.decode()
    with django_assert_max_num_queries(3):
        r = client.get(_api(code))
    assert r.status_code == 200 and r.json()["report"]["valid"] is True
    assert r.json()["document"]["number"] == signed_issued.code


class _NoGlobals(pickle.Unpickler):
    def find_class(self, module, name):
        raise AssertionError(f"the cache entry holds an object of {module}.{name}")


def test_cached_entries_are_small_and_plain(client, signed_issued):  # noqa: F811
    code = _vc(signed_issued).code
    assert client.get(_page(code)).status_code == 200
    assert client.get(_api(code)).status_code == 200
    with connection.cursor() as cur:
        cur.execute("SELECT cache_key, value FROM egov_cache WHERE cache_key LIKE %s",
                    ["%verify%"])
        rows = cur.fetchall()
    assert rows
    for key, value in rows:
        raw = base64.b64decode(value)
        assert len(raw) <= MAX_ENTRY_BYTES, (key, len(raw))
        # only builtins (bytes, str, dict, list…): unpickling builds no foreign object
        _NoGlobals(io.BytesIO(raw)).load()


def test_recall_drops_the_cached_page(client, docs_org):  # noqa: F811
    doc = issued(docs_org)
    code = _vc(doc).code
    assert 'data-state="issued"' in client.get(_page(code)).content.decode()
    assert client.get(_api(code)).json()["state"] == "issued"
    svc.outgoing_recall(actor=docs_org["clerk"], document=doc, reason="Sai thẩm quyền")
    assert 'data-state="recalled"' in client.get(_page(code)).content.decode()
    assert client.get(_api(code)).json()["state"] == "recalled"


def test_replacement_drops_the_cached_page(client, docs_org):  # noqa: F811
    old = issued(docs_org)
    code = _vc(old).code
    assert client.get(_api(code)).json()["state"] == "issued"
    new = issued(docs_org, replaces_id=old.pk, subject="Quyết định thay thế")
    body = client.get(_api(code)).json()
    assert body["state"] == "replaced" and body["replaced_by"]["number"] == new.code
    assert 'data-state="replaced"' in client.get(_page(code)).content.decode()


# ---------------------------------------------------------------- the counter


class _Request:
    def __init__(self, address: str) -> None:
        self.META = {"REMOTE_ADDR": address}


def test_rate_limit_hit_is_one_statement(settings):
    settings.EGOV_VERIFY_RATE_CODE = "2/600"
    request = _Request("198.51.100.7")
    verdicts = []
    for _ in range(3):
        with CaptureQueriesContext(connection) as ctx:
            verdicts.append(ratelimit.hit(request, "code").allowed)
        assert len(ctx.captured_queries) == 1, [q["sql"] for q in ctx.captured_queries]
    assert verdicts == [True, True, False]
    assert "COUNT(" not in ctx.captured_queries[0]["sql"].upper()
    row = RateCounter.objects.get()
    assert row.count == 3 and row.expires > datetime.now(tz=UTC)
    # another client has its own window
    assert ratelimit.hit(_Request("198.51.100.8"), "code").allowed


def test_old_windows_are_purged_by_the_workers_pass():
    now = datetime.now(tz=UTC)
    RateCounter.objects.create(bucket="code:old:600:1", count=9, expires=now - timedelta(hours=1))
    RateCounter.objects.create(bucket="code:new:600:2", count=1, expires=now + timedelta(minutes=5))
    jobs.reap()
    assert list(RateCounter.objects.values_list("bucket", flat=True)) == ["code:new:600:2"]
    assert throttle.purge_expired() == 0


def test_repeated_page_gives_each_visitor_a_working_csrf_token(signed_issued):  # noqa: F811
    """The page rendered once per process is reused with the visitor's own CSRF token: the
    compare form still posts (CSRF checks on)."""
    import re

    from django.test import Client

    from tests.portal.test_verify_code import _read, _upload

    code = _vc(signed_issued).code
    first = Client(enforce_csrf_checks=True).get(_page(code)).content.decode()
    visitor = Client(enforce_csrf_checks=True)
    html = visitor.get(_page(code)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    assert "__egov_csrf_token__" not in html and f'"X-CSRFToken": "{token}"' in html
    pattern = r'value="[A-Za-z0-9]{32,}"|"X-CSRFToken": "[A-Za-z0-9]+"'
    assert re.sub(pattern, "", first) == re.sub(pattern, "", html)
    r = visitor.post(_page(code), {**_upload(_read(signed_issued.issued_file)),
                                   "csrfmiddlewaretoken": token})
    assert r.status_code == 200 and 'data-same-file="true"' in r.content.decode()


def test_a_hit_is_two_queries_and_a_recall_elsewhere_is_seen(client, docs_org,  # noqa: F811
                                                             django_assert_max_num_queries):
    """Issue 9 §4: after the first hit a process answers from its own memo of the cached page
    (rate counter + the code: 2 queries, no cache read). The memo is keyed by the code row's
    public_version, which forget_public bumps: a recall made by ANOTHER process (simulated:
    this process's memo is left as it is) is seen at once."""
    from egov.signing import verification_codes as vcodes

    doc = issued(docs_org)
    code = _vc(doc).code
    assert 'data-state="issued"' in client.get(_page(code)).content.decode()
    assert client.get(_api(code)).json()["state"] == "issued"
    with django_assert_max_num_queries(2):
        r = client.get(_page(code))
    assert r.status_code == 200 and 'data-state="issued"' in r.content.decode()
    with django_assert_max_num_queries(2):
        assert client.get(_api(code)).json()["state"] == "issued"
    memo = dict(vcodes._PUBLIC_MEMO)
    svc.outgoing_recall(actor=docs_org["clerk"], document=doc, reason="Sai thẩm quyền")
    with vcodes._PUBLIC_MEMO_LOCK:  # the other process's recall did not touch our memo
        vcodes._PUBLIC_MEMO.update(memo)
    assert 'data-state="recalled"' in client.get(_page(code)).content.decode()
    assert client.get(_api(code)).json()["state"] == "recalled"
