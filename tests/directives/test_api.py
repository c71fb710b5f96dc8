"""The issue-12 API contract end to end: give → progress → extension → complete → return →
complete → accept; the list (filters, keyset pages, a constant number of queries) and the
detail; errors 401/403/404/409/422 in the {code, message, fields} shape with nothing changed."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from egov.core import tokens
from egov.directives.models import Directive, DirectiveEvent, ExtensionRequest

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()  # Vietnamese day, as the services count


def auth(user) -> dict:
    _token, raw = tokens.token_create(actor=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def post(client, user, path, body=None, raw=None):
    data = raw if raw is not None else ("" if body is None else json.dumps(body))
    return client.post(f"/api/v1/directives{path}", data, content_type="application/json",
                       **auth(user))


def get(client, user, path, **params):
    return client.get(f"/api/v1/directives{path}", params, **auth(user))


def give(client, drc, **extra):
    body = {"title": "Rà soát thủ tục hành chính", "content": "Báo cáo UBND tỉnh",
            "lead": {"unit_id": drc["justice"].pk}, "support": [{"unit_id": drc["finance"].pk}],
            "due_date": (TODAY + dt.timedelta(days=20)).isoformat(), **extra}
    return post(client, drc["leader"], "", body)


def test_the_contract_chain(client, drc):
    r = give(client, drc)
    assert r.status_code == 201, r.content
    body = r.json()
    assert {"id", "status", "code", "due_date"} <= set(body)
    assert body["status"] == "open_on_time" and body["state"] == "open"
    pk = body["id"]
    head = drc["justice_head"]

    r = post(client, head, f"/{pk}/progress", {"percent": 30, "text": "Đã họp triển khai"})
    assert r.status_code == 201, r.content
    assert r.json()["progress"] == 30 and r.json()["report"]["percent"] == 30

    support_row = Directive.objects.get(pk=pk).assignees.get(role="support")
    r = post(client, drc["finance_head"], f"/{pk}/progress",
             {"percent": 60, "assignee_id": support_row.pk})
    assert r.status_code == 201 and r.json()["progress"] == 30

    new_due = (TODAY + dt.timedelta(days=40)).isoformat()
    r = post(client, head, f"/{pk}/extension-requests",
             {"reason": "Chờ số liệu của các huyện", "proposed_date": new_due})
    assert r.status_code == 201, r.content
    rid = r.json()["extension"]["id"]
    assert r.json()["extension"]["state"] == "pending"
    r = post(client, drc["leader"], f"/{pk}/extension-requests/{rid}/decide", {"approve": True})
    assert r.status_code == 200, r.content
    assert r.json()["due_date"] == new_due and r.json()["extension"]["moved_judged"] is True

    r = post(client, head, f"/{pk}/complete", {"result_text": "Đã trình Quyết định"})
    assert r.status_code == 200 and r.json()["state"] == "submitted"
    assert r.json()["status"] == "open_on_time"
    r = post(client, drc["leader"], f"/{pk}/return", {"note": "Bổ sung số liệu"})
    assert r.status_code == 200 and r.json()["state"] == "open"
    assert r.json()["submitted_on"] is None
    r = post(client, head, f"/{pk}/complete")  # no body at all
    assert r.status_code == 200, r.content
    r = post(client, drc["leader"], f"/{pk}/accept")
    assert r.status_code == 200 and r.json()["status"] == "done_on_time"
    assert r.json()["done_on"] == TODAY.isoformat()

    r = get(client, drc["leader"], f"/{pk}")
    assert r.status_code == 200
    detail = r.json()
    assert [a["role"] for a in detail["assignees"]] == ["lead", "support"]
    assert [e["kind"] for e in detail["events"]] == [
        "given", "progress", "support_progress", "extension_requested", "extension_approved",
        "completed", "returned", "completed", "accepted"]
    assert len(detail["reports"]) == 4 and len(detail["extensions"]) == 1
    assert all(a["done_on"] == TODAY.isoformat() for a in detail["assignees"])


def test_slash_variants_work(client, drc):
    r = client.post("/api/v1/directives/", json.dumps({
        "title": "Có dấu gạch chéo", "lead": {"unit_id": drc["justice"].pk},
        "due_date": (TODAY + dt.timedelta(days=3)).isoformat()}),
        content_type="application/json", **auth(drc["leader"]))
    assert r.status_code == 201, r.content
    r = client.get("/api/v1/directives/", **auth(drc["leader"]))
    assert r.status_code == 200 and len(r.json()["items"]) == 1


def test_errors_have_the_shape_and_change_nothing(client, drc):
    pk = give(client, drc).json()["id"]
    before = (DirectiveEvent.objects.count(), Directive.objects.count())
    # 422: every field named
    r = post(client, drc["leader"], "", {"title": "", "lead": {"unit_id": 999999},
                                          "due_date": "2026-02-30"})
    assert r.status_code == 422 and set(r.json()) == {"code", "message", "fields"}
    r = post(client, drc["leader"], "", {"title": "", "lead": {"unit_id": 999999}})
    assert r.status_code == 422 and {"title", "lead", "due_date"} <= set(r.json()["fields"])
    r = post(client, drc["justice_head"], f"/{pk}/progress", {"percent": 101})
    assert r.status_code == 422 and "percent" in r.json()["fields"]
    r = post(client, drc["justice_head"], f"/{pk}/progress", raw="{not json")
    assert r.status_code == 400
    r = post(client, drc["justice_head"], f"/{pk}/progress", raw="[1, 2]")
    assert r.status_code == 422
    r = post(client, drc["justice_head"], f"/{pk}/extension-requests",
             {"reason": "", "proposed_date": TODAY.isoformat()})
    assert r.status_code == 422 and {"reason", "proposed_date"} <= set(r.json()["fields"])
    r = post(client, drc["leader"], f"/{pk}/cancel", {"reason": ""})
    assert r.status_code == 422 and "reason" in r.json()["fields"]
    # 403: the right is missing; 404: the directive cannot be seen, or does not exist
    assert post(client, drc["finance_head"], f"/{pk}/progress", {"percent": 5}).status_code == 403
    assert post(client, drc["justice_head"], f"/{pk}/accept").status_code == 403
    assert post(client, drc["nobody"], f"/{pk}/progress", {"percent": 5}).status_code == 404
    assert get(client, drc["nobody"], f"/{pk}").status_code == 404
    assert post(client, drc["leader"], "/99999999/accept").status_code == 404
    assert post(client, drc["leader"], f"/{pk}/extension-requests/999/decide",
                {"approve": True}).status_code == 404
    assert get(client, drc["leader"], "/99999999999999999999999").status_code == 404
    # 409: the wrong state
    r = post(client, drc["leader"], f"/{pk}/accept")
    assert r.status_code == 409 and r.json()["code"] == "invalid_state"
    # 401 without credentials
    assert client.post("/api/v1/directives", "{}", content_type="application/json"
                       ).status_code == 401
    assert (DirectiveEvent.objects.count(), Directive.objects.count()) == before
    assert not ExtensionRequest.objects.exists()


def test_list_filters_and_pages(client, drc, make_directive):
    late = make_directive(title="Quá hạn", due=TODAY + dt.timedelta(days=1))
    Directive.objects.filter(pk=late.pk).update(judged_due_date=TODAY - dt.timedelta(days=1),
                                                due_date=TODAY - dt.timedelta(days=1))
    ok = [make_directive(title=f"Việc {i}", support=[drc["finance"]]) for i in range(3)]
    r = get(client, drc["leader"], "", bucket="open_late")
    assert [i["id"] for i in r.json()["items"]] == [late.pk]
    assert r.json()["items"][0]["status"] == "open_late"
    r = get(client, drc["finance_head"], "", role="support")
    assert {i["id"] for i in r.json()["items"]} == {d.pk for d in ok}
    r = get(client, drc["leader"], "", role="given", limit=2)
    page1 = r.json()
    assert len(page1["items"]) == 2 and page1["next"]
    r = get(client, drc["leader"], "", role="given", limit=2, cursor=page1["next"])
    ids = [i["id"] for i in page1["items"]] + [i["id"] for i in r.json()["items"]]
    assert ids == sorted({late.pk, *(d.pk for d in ok)}, reverse=True)
    assert r.json()["next"] is None
    r = get(client, drc["leader"], "", q="quá hạn")
    assert [i["id"] for i in r.json()["items"]] == [late.pk]
    for bad in ({"bucket": "nope"}, {"role": "x"}, {"limit": 0}, {"cursor": "!!"},
                {"due_from": "2026-13-01"}):
        r = get(client, drc["leader"], "", **bad)
        assert r.status_code == 422, (bad, r.content)
        assert set(r.json()) == {"code", "message", "fields"}
    assert get(client, drc["nobody"], "").json()["items"] == []


def _list_queries(client, user) -> int:
    headers = auth(user)
    with CaptureQueriesContext(connection) as ctx:
        r = client.get("/api/v1/directives", {"limit": 100}, **headers)
    assert r.status_code == 200
    return len(ctx.captured_queries), len(r.json()["items"])


def test_list_query_count_is_constant(client, drc, make_directive):
    for _ in range(5):
        make_directive(support=[drc["finance"]])
    few, n = _list_queries(client, drc["clerk"])
    assert n == 5
    for _ in range(45):
        make_directive(support=[drc["finance"]])
    many, n = _list_queries(client, drc["clerk"])
    assert n == 50
    assert many == few
    with CaptureQueriesContext(connection) as ctx:
        client.get("/api/v1/directives", **auth(drc["leader"]))
    assert not any("COUNT(" in q["sql"].upper() for q in ctx.captured_queries)


def test_give_to_a_person_with_bare_unit_ids_and_a_split(client, drc):
    r = post(client, drc["leader"], "", {
        "title": "Tổng hợp báo cáo", "lead": {"user_id": drc["justice_head"].pk},
        "support": [drc["finance"].pk], "inform": [{"unit_id": drc["office"].pk}],
        "due_date": (TODAY + dt.timedelta(days=9)).isoformat(), "priority": "urgent"})
    assert r.status_code == 201, r.content
    d = Directive.objects.get(pk=r.json()["id"])
    assert d.lead_user == drc["justice_head"] and d.lead_unit == drc["justice"]
    assert sorted(d.assignees.values_list("role", "unit_id")) == sorted([
        ("lead", drc["justice"].pk), ("support", drc["finance"].pk),
        ("inform", drc["office"].pk)])
    # The lead unit's head splits a part to a division.
    r = post(client, drc["justice_head"], "", {
        "title": "Phần việc của phòng", "lead": {"unit_id": drc["justice_div"].pk},
        "due_date": (TODAY + dt.timedelta(days=5)).isoformat(), "parent_id": d.pk, "weight": 2})
    assert r.status_code == 201, r.content
    assert r.json()["parent_id"] == d.pk
    r = post(client, drc["finance_head"], "", {
        "title": "Không được", "lead": {"unit_id": drc["finance_div"].pk},
        "due_date": (TODAY + dt.timedelta(days=5)).isoformat(), "parent_id": d.pk})
    assert r.status_code == 403
    r = post(client, drc["leader"], "", {"title": "x", "lead": {"unit_id": drc["justice"].pk},
                                          "support": [0, "abc"], "due_date": "2026-01-01"})
    assert r.status_code == 422
