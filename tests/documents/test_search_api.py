"""GET /api/v1/documents/search, /saved-searches, and the search page /documents/search/."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from egov.core import tokens
from egov.documents.models import SavedSearch

from . import test_search

# the fixtures of test_search.py
people = test_search.people
make_doc = test_search.make_doc

URL = "/api/v1/documents/search"
SAVED = "/api/v1/documents/saved-searches"

ODD_QUERIES = [
    '"', '""', '"quyet', "*", "quyet*", "NEAR(", "NEAR(quyet dinh)", "-", "-quyet", ":",
    "subject:quyet", "meta : x", "AND", "OR", "NOT", "quyet AND NOT dinh", "quyet OR dinh",
    "^quyet", "(", ")", "((quyet))", "'", "';DROP TABLE x;--", "\\", "%", "_", "%_%",
    "quyet + dinh", "{subject}: x", "[", "@@", "!", "&", "|", "<->", "quyet <-> dinh",
    "a:*", "1/", "1/%", "12/%_", "123/\"", "9" * 11 + "/x", "9" * 30 + "/x", "😀", "💩 quyet",
    "\u200b", "\ufeffquyet", "ǅ", "İ", "ﬁ", "x" * 200, "x" * 201, "\x01\x02", "đ", "Đ",
]


@pytest.fixture
def api(people):
    """api(user) → a Client with a Bearer token for `user`."""

    def _client(user) -> Client:
        _token, raw = tokens.token_create(actor=user, name="search test")
        return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    return _client


@pytest.mark.django_db
def test_search_api_contract(people, make_doc, api):
    doc = make_doc("incoming", "Quyết định về việc hỗ trợ đồng bào", code="123/QĐ-UBND",
                   type_code="QD", urgency="flash")
    client = api(people["clerk"])
    response = client.get(URL, {"q": "quyet dinh dong"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"items", "next"}
    assert body["next"] is None
    [item] = body["items"]
    assert item["kind"] == "incoming" and item["id"] == doc.pk
    assert item["code"] == "123/QĐ-UBND" and item["type_code"] == "QD"
    assert item["subject"] == doc.subject and item["urgency"] == "flash"
    assert item["state"] == "registered" and item["issuer"] == doc.issuer_name
    assert item["agency"] == people["justice"].name
    assert item["date"] == timezone.localdate(doc.arrival_date).isoformat()
    assert item["url"].endswith(f"/{doc.pk}/")
    # code search, filters
    assert [i["id"] for i in client.get(URL, {"q": "123/qd-ubnd"}).json()["items"]] == [doc.pk]
    assert client.get(URL, {"q": "quyet", "kind": "outgoing"}).json()["items"] == []
    assert client.get(URL, {"q": "quyet", "type": "QD", "urgency": "flash"}).json()["items"]
    # another agency's clerk never gets it
    assert api(people["other_clerk"]).get(URL, {"q": "quyet dinh dong"}).json()["items"] == []


@pytest.mark.django_db
def test_search_api_paging(people, make_doc, api):
    made = {make_doc("outgoing", f"Thông báo kết luận cuộc họp số {i}").pk for i in range(5)}
    client = api(people["clerk"])
    seen, url, params = [], URL, {"q": "thong bao ket luan", "limit": 2}
    for _ in range(5):
        body = client.get(url, params).json()
        seen += [i["id"] for i in body["items"]]
        if not body["next"]:
            break
        params = {**params, "cursor": body["next"]}
    assert sorted(seen) == sorted(made)


@pytest.mark.django_db
def test_search_api_needs_authentication(people):
    response = Client().get(URL, {"q": "x"})
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


@pytest.mark.django_db
def test_odd_queries_never_500(people, make_doc, api):
    make_doc("incoming", "Quyết định về việc hỗ trợ đồng bào", code="123/QĐ-UBND")
    make_doc("outgoing", "Đơn thư khiếu nại")
    client = api(people["clerk"])
    for q in ODD_QUERIES:
        response = client.get(URL, {"q": q})
        assert response.status_code in (200, 422), (q, response.status_code)
        body = response.json()
        if response.status_code == 422:
            assert set(body) == {"code", "message", "fields"}, q
        else:
            assert isinstance(body["items"], list), q
    # FTS syntax is never interpreted: a quoted word is just the word
    assert client.get(URL, {"q": '"quyet'}).json()["items"]
    assert client.get(URL, {"q": "quyet*"}).json()["items"]
    assert client.get(URL, {"q": "quyet AND NOT dinh"}).json()["items"] == []  # "and","not"


@pytest.mark.django_db
@pytest.mark.parametrize("params, field", [
    ({"from": "31/12/2026"}, "from"), ({"to": "2026-02-30"}, "to"), ({"kind": "x"}, "kind"),
    ({"state": "x"}, "state"), ({"urgency": "x"}, "urgency"), ({"unit": "x"}, "unit"),
    ({"limit": "0"}, "limit"), ({"limit": "500"}, "limit"), ({"cursor": "garbage"}, "cursor"),
    ({"q": "y" * 1001}, "q"),
])
def test_search_api_bad_parameters(people, api, params, field):
    response = api(people["clerk"]).get(URL, {"q": "ke hoach", **params})
    assert response.status_code == 422
    assert field in response.json()["fields"]


@pytest.mark.django_db
def test_search_api_query_count(people, make_doc, api, django_assert_max_num_queries):
    for i in range(25):
        make_doc("incoming" if i % 2 else "outgoing", f"Kế hoạch kiểm tra số {i}",
                 code=f"{i + 1}/KH-STP")
    client = api(people["clerk"])
    for q in ("ke hoach kiem tra", "1/kh-stp", ""):
        with django_assert_max_num_queries(10):
            response = client.get(URL, {"q": q})
        assert response.status_code == 200 and response.json()["items"]


@pytest.mark.django_db
def test_saved_searches_api(people, api):
    client = api(people["clerk"])
    response = client.post(SAVED, {"name": "Quyết định khẩn",
                                   "params": {"q": "quyet dinh", "urgency": "urgent"}},
                           content_type="application/json")
    assert response.status_code == 201
    saved = response.json()
    assert saved["params"] == {"q": "quyet dinh", "urgency": "urgent"}
    listed = client.get(SAVED).json()
    assert [s["id"] for s in listed["items"]] == [saved["id"]] and listed["next"] is None
    # duplicate name, bad params, empty: 422 and nothing written
    count = SavedSearch.objects.count()
    for payload in ({"name": "Quyết định khẩn", "params": {"q": "x"}},
                    {"name": "B", "params": {"from": "hôm qua"}},
                    {"name": "C", "params": {}}, {"name": "", "params": {"q": "x"}},
                    {"params": {"q": "x"}}):
        response = client.post(SAVED, payload, content_type="application/json")
        assert response.status_code == 422, payload
    assert SavedSearch.objects.count() == count
    # another user can neither see nor delete it
    other = api(people["other_clerk"])
    assert other.get(SAVED).json()["items"] == []
    assert other.delete(f"{SAVED}/{saved['id']}").status_code == 404
    assert client.delete(f"{SAVED}/{saved['id']}").status_code == 204
    assert client.delete(f"{SAVED}/{saved['id']}").status_code == 404
    assert client.get(SAVED).json()["items"] == []


# --- the page -------------------------------------------------------------------------------------


@pytest.fixture
def browser(people):
    def _login(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return _login


@pytest.mark.django_db
def test_search_page(people, make_doc, browser, django_assert_max_num_queries):
    doc = make_doc("incoming", "Quyết định về việc hỗ trợ đồng bào", code="321/QĐ-UBND",
                   urgency="urgent")
    for i in range(25):
        make_doc("outgoing", f"Kế hoạch hỗ trợ số {i}")
    client = browser(people["clerk"])
    url = reverse("documents:search")
    assert url == "/documents/search/"
    empty_filters = dict.fromkeys(["kind", "type", "issuer", "unit", "from", "to", "state",
                                   "urgency"], "")  # as the form sends them
    with django_assert_max_num_queries(15):  # 14 + the menu's counts (issue 9 §5)
        response = client.get(url, {"q": "quyet dinh dong", **empty_filters})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<mark>Quyết</mark>" in html and "<mark>đồng</mark>" in html
    assert "321/QĐ-UBND" in html
    assert 'name="name"' in html  # "save this search"
    # browse without words, next page link, htmx rows
    response = client.get(url, {"q": "ho tro"})
    assert response.status_code == 200 and "cursor=" in response.content.decode()
    cursor = response.context["page"].next
    rows = client.get(url, {"q": "ho tro", "cursor": cursor}, HTTP_HX_REQUEST="true")
    assert rows.status_code == 200 and "<html" not in rows.content.decode()
    assert client.get(url).status_code == 200
    # bad input: 422, the message next to the field, never a 500
    response = client.get(url, {"q": "x", "from": "31/12/2026"})
    assert response.status_code == 422
    assert 'id="id_from_error"' in response.content.decode()
    response = client.get(url, {"q": "ho tro", "cursor": "garbage"})
    assert response.status_code == 302 and "cursor" not in response["Location"]
    # another agency's clerk does not see it
    other = browser(people["other_clerk"]).get(url, {"q": "quyet dinh dong"})
    assert "321/QĐ-UBND" not in other.content.decode()
    # signed out: to the login page
    assert Client().get(url).status_code == 302
    assert doc.pk


@pytest.mark.django_db
def test_search_page_saved_searches(people, browser):
    client = browser(people["clerk"])
    response = client.post(reverse("documents:saved_search_create"),
                           {"name": "Văn bản khẩn", "q": "quyet dinh", "urgency": "urgent",
                            "cursor": "x"})
    assert response.status_code == 302
    saved = SavedSearch.objects.get(user=people["clerk"])
    assert saved.params == {"q": "quyet dinh", "urgency": "urgent"}
    page = client.get(reverse("documents:search")).content.decode()
    assert "Văn bản khẩn" in page and "urgency=urgent" in page
    # duplicate name: 422 with the message by the name field
    response = client.post(reverse("documents:saved_search_create"),
                           {"name": "Văn bản khẩn", "q": "khac"})
    assert response.status_code == 422
    assert 'id="id_name_error"' in response.content.decode()
    assert SavedSearch.objects.count() == 1
    # someone else cannot delete it
    other = browser(people["other_clerk"])
    other.post(reverse("documents:saved_search_delete", args=[saved.pk]))
    assert SavedSearch.objects.filter(pk=saved.pk).exists()
    response = client.post(reverse("documents:saved_search_delete", args=[saved.pk]))
    assert response.status_code == 302
    assert not SavedSearch.objects.exists()
    assert client.get(reverse("documents:saved_search_delete", args=[1])).status_code == 405
