"""The public catalogue API (no login): the contract fields, search without diacritics, keyset
pages, an earlier code resolving to the procedure, 404 `not_found`, constant queries."""

import pytest

from egov.onestop.models import ProcedureVersion

pytestmark = pytest.mark.django_db

BASE = "/api/v1/onestop/procedures"


def test_detail_contract_without_login(client):
    r = client.get(f"{BASE}/1.001193")
    assert r.status_code == 200
    body = r.json()
    for key in ("code", "name", "processing_days", "same_day", "next_day_after_cutoff",
                "components", "fees", "online_level", "legal_basis", "field", "level",
                "result_type", "effective_from", "steps"):
        assert key in body, key
    assert body["code"] == "1.001193" and body["name"] == "Đăng ký khai sinh"
    assert (body["processing_days"], body["same_day"], body["next_day_after_cutoff"]) == (
        0, True, True)
    assert body["level"] == "commune" and body["field"] == "Hộ tịch"
    assert body["online_level"] == "full"
    assert body["effective_from"] == "2025-07-01"
    first = body["components"][0]
    assert set(first) == {"code", "name", "count", "copy_kind", "required", "form_name",
                          "form_url"}
    assert first["code"] == "TK" and first["required"] is True and first["form_url"] is None
    assert body["fees"][0]["amount"] == 0
    assert [s["role"] for s in body["steps"]] == ["officer", "leader", "onestop_officer"]
    assert "Điều 5.3" in body["legal_basis"]


def test_old_code_resolves_and_unknown_is_404(client):
    body = client.get(f"{BASE}/1.003559").json()
    assert body["code"] == "1.004873" and body["former_codes"] == ["1.003559"]
    assert body["processing_days"] == 3 and body["version"] == 2
    for code in ("9.999999", "khai-sinh", "x" * 300):
        r = client.get(f"{BASE}/{code}")
        assert r.status_code == 404
        assert r.json()["code"] == "not_found"


def test_a_procedure_not_in_force_today_is_404(client):
    ProcedureVersion.objects.filter(procedure__code="1.000894").update(
        effective_from="2030-01-01")
    assert client.get(f"{BASE}/1.000894").status_code == 404
    codes = [i["code"] for i in client.get(BASE, {"q": "ket hon", "limit": 100}).json()["items"]]
    assert "1.000894" not in codes and "2.000806" in codes


def test_search_without_diacritics(client):
    items = client.get(BASE, {"q": "khai sinh"}).json()["items"]
    assert [i["name"] for i in items] == ["Đăng ký khai sinh"]
    items = client.get(BASE, {"q": "DANG KY KHAI TU"}).json()["items"]
    assert {i["code"] for i in items} == {"1.000656", "1.000419"}
    assert [i["code"] for i in client.get(BASE, {"q": "1.0048"}).json()["items"]] == [
        "1.004859", "1.004873"]
    assert client.get(BASE, {"q": "quyen su dung dat chuyen nhuong"}).json()["items"][0]["level"] == (
        "province")
    assert client.get(BASE, {"q": "zzzz"}).json() == {"items": [], "next": None}


def test_filters_and_keyset_pages(client, django_assert_max_num_queries):
    seen = []
    cursor = None
    for _ in range(20):
        params = {"limit": 4, **({"cursor": cursor} if cursor else {})}
        with django_assert_max_num_queries(3):
            body = client.get(BASE, params).json()
        seen += [i["code"] for i in body["items"]]
        cursor = body["next"]
        if not cursor:
            break
    assert seen == sorted(seen) and len(seen) == len(set(seen)) >= 16
    civil = client.get(BASE, {"field": "Hộ tịch", "limit": 100}).json()["items"]
    assert civil and all(i["field"] == "Hộ tịch" for i in civil)
    province = client.get(BASE, {"level": "province"}).json()["items"]
    assert [i["code"] for i in province] == ["2.001458"]


def test_bad_input_is_422(client):
    assert client.get(BASE, {"cursor": "!!"}).status_code == 422
    assert client.get(BASE, {"cursor": "bm9wZQ"}).status_code == 422
    assert client.get(BASE, {"limit": 0}).status_code == 422
    assert client.get(BASE, {"level": "district"}).status_code == 422


def test_detail_constant_queries(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        assert client.get(f"{BASE}/2.001458").status_code == 200
