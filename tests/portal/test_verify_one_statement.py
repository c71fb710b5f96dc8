"""A hit of the public verification of a code is ONE statement on PostgreSQL (issue 9 §4): the
client's rate counter and the code row are read together (egov.signing.verification_codes.
find_counted); two statements elsewhere. The code found so is the ORM's, the rate limit keeps
its behaviour (429 with Retry-After, unknown and malformed codes count, nothing revealed over
the limit) and a recall is still seen at once."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from egov.core.models import RateCounter
from egov.documents.services import outgoing as svc
from egov.signing import verification_codes as vcodes
from tests.documents.conftest import docs_org  # noqa: F401 (fixture)
from tests.documents.test_outgoing_support import issued
from tests.portal.test_verify_code import _page, _vc

pytestmark = pytest.mark.django_db

PER_HIT = 1 if connection.vendor == "postgresql" else 2


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _api(code: str) -> str:
    return f"/api/v1/signing/verify/{code}"


def _queries(client, path: str):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    return response, [q["sql"] for q in ctx.captured_queries]


def test_a_hit_is_one_statement_and_a_recall_is_seen(client, docs_org):  # noqa: F811
    doc = issued(docs_org)
    code = _vc(doc).code
    assert client.get(_page(code)).status_code == 200  # fills the cache and this process's memo
    assert client.get(_api(code)).status_code == 200
    for path in (_page(code), _api(code)):
        response, sql = _queries(client, path)
        assert response.status_code == 200
        assert len(sql) == PER_HIT, sql
        if connection.vendor == "postgresql":
            assert "INSERT INTO core_ratecounter" in sql[0]
            assert "signing_verificationcode" in sql[0]
    assert RateCounter.objects.get().count == 4  # every hit counted once
    svc.outgoing_recall(actor=docs_org["clerk"], document=doc, reason="Sai thẩm quyền")
    response, sql = _queries(client, _page(code))
    assert 'data-state="recalled"' in response.content.decode()
    assert client.get(_api(code)).json()["state"] == "recalled"


def test_the_code_found_with_the_counter_is_the_orm_one(docs_org):  # noqa: F811
    doc = issued(docs_org)
    expected = _vc(doc)
    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.30")
    # what people type: lower case, a dash, I for 1, O for 0
    typed = expected.code.lower()[:5] + "-" + expected.code.lower()[5:]
    verdict, vc = vcodes.find_counted(request, typed, "code")
    assert verdict.allowed and vc is not None
    names = [f.attname for f in type(vc)._meta.concrete_fields]
    assert [getattr(vc, n) for n in names] == [getattr(expected, n) for n in names]
    assert not vc._state.adding and vc._state.db == expected._state.db
    sha256 = expected.file.sha256
    with CaptureQueriesContext(connection) as ctx:
        assert vc.file.sha256 == sha256  # read with the code: no query
    assert ctx.captured_queries == []
    # the rest of the file loads when asked (a cache miss verifies the stored file)
    assert vc.file.size == expected.file.size and vc.file.file.name == expected.file.file.name
    # unknown and malformed codes: counted, not found
    assert vcodes.find_counted(request, "ZZZZZ99999", "code")[1] is None
    assert vcodes.find_counted(request, "not a code", "code")[1] is None
    assert RateCounter.objects.get().count == 3


def test_over_the_limit_nothing_is_revealed(client, settings, docs_org):  # noqa: F811
    settings.EGOV_VERIFY_RATE_CODE = "2/600"
    doc = issued(docs_org)
    code = _vc(doc).code
    assert client.get(_page("bad")).status_code == 404  # a malformed code counts too
    assert client.get(_api(code)).status_code == 200
    for path in (_page(code), _api(code)):
        response, sql = _queries(client, path)
        assert response.status_code == 429 and 0 < int(response["Retry-After"]) <= 600
        assert len(sql) <= PER_HIT
        assert doc.code not in response.content.decode()
    assert RateCounter.objects.get().count == 4
