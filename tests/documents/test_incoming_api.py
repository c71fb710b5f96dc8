"""Incoming documents, API: the contract of issue 3, error shapes, no 500 on malformed input,
the trail, and constant query counts."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from egov.core import tokens
from egov.core.models import Sequence, StoredFile
from egov.documents.models import DocumentEvent, IncomingDocument
from egov.documents.services import incoming as svc
from tests.documents.conftest import incoming_data, unique_pdf

pytestmark = pytest.mark.django_db

URL = "/api/v1/documents/incoming"


@pytest.fixture
def auth(db):
    def _auth(user) -> dict:
        _token, raw = tokens.token_create(actor=user, name="test")
        return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    return _auth


def post_doc(client, headers, data=None, pdf=None, **extra):
    from django.core.files.uploadedfile import SimpleUploadedFile

    payload = {"data": json.dumps(data if data is not None else incoming_data(),
                                  ensure_ascii=False, default=str)}
    if pdf is not False:
        payload["file"] = SimpleUploadedFile("cong-van.pdf", pdf or unique_pdf(),
                                             content_type="application/pdf")
    return client.post(URL, payload, **headers, **extra)


def error_shape(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    if code:
        assert body["code"] == code, body
    return body


def state():
    return (IncomingDocument.objects.count(), StoredFile.objects.count(),
            list(Sequence.objects.values_list("last_value", flat=True)))


# --- registration -------------------------------------------------------------------------------


def test_register_contract(client, docs_org, auth):
    r = post_doc(client, auth(docs_org["clerk"]), incoming_data(
        number="123", notation="QĐ-UBND", issued_date="2026-01-05", urgency="flash",
        due_date="2026-02-01"))
    assert r.status_code == 201, r.content
    body = r.json()
    doc = IncomingDocument.objects.get()
    assert body["id"] == doc.pk and body["arrival_number"] == 1
    assert body["arrival_date"] and body["duplicate_of"] is None
    assert body["code"] == "123/QĐ-UBND" and body["state"] == "presented"
    assert body["handling_due_date"] == doc.handling_due_date.isoformat()
    assert body["signature_status"] == "unsigned"  # egov.signing checks it (no signature)
    assert body["urgency"] == "flash" and body["due_date"] == "2026-02-01"
    assert body["agency"] == {"id": docs_org["province"].pk, "name": docs_org["province"].name}
    assert body["url"] == f"/documents/incoming/{doc.pk}/"
    assert body["file_url"] == f"{URL}/{doc.pk}/file"


def test_secret_document_is_refused(client, docs_org, auth):
    before = state()
    r = post_doc(client, auth(docs_org["clerk"]), incoming_data(secrecy="top_secret"))
    body = error_shape(r, 422, "secret_document")
    assert "secrecy" in body["fields"] and "Điều 5" in body["message"]
    assert state() == before


def test_duplicate_then_confirmed(client, docs_org, auth):
    headers = auth(docs_org["clerk"])
    data = incoming_data(number="7", notation="UBND-VX", issued_date="2026-01-02")
    first = post_doc(client, headers, data).json()
    before = state()
    body = error_shape(post_doc(client, headers, data), 422, "duplicate")
    assert body["fields"]["duplicate_of"] == [str(first["id"])]
    assert state() == before
    r = post_doc(client, headers, {**data, "confirm_duplicate": True})
    assert r.status_code == 201 and r.json()["duplicate_of"] == first["id"]


@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", "\"text\"", "", "null"])
def test_malformed_data_json(client, docs_org, auth, raw):
    from django.core.files.uploadedfile import SimpleUploadedFile

    before = state()
    r = client.post(URL, {"data": raw, "file": SimpleUploadedFile("a.pdf", unique_pdf())},
                    **auth(docs_org["clerk"]))
    body = error_shape(r, 422)
    assert "data" in body["fields"]
    assert state() == before


def test_missing_parts_and_wrong_encodings_never_500(client, docs_org, auth):
    headers = auth(docs_org["clerk"])
    before = state()
    r = post_doc(client, headers, pdf=False)
    assert "file" in error_shape(r, 422)["fields"]
    r = client.post(URL, json.dumps(incoming_data()), content_type="application/json",
                    **headers)
    assert r.status_code in (400, 422) and set(r.json()) == {"code", "message", "fields"}
    broken = (b"--XYZ\r\nContent-Disposition: form-data; name=\"data\"\r\n\r\n{}\r\n"
              b"--XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n"
              b"Content-Type: application/pdf\r\n\r\n%PDF-1.4 trunc")
    for content_type in ["multipart/form-data; boundary=XYZ", "multipart/form-data",
                         "multipart/form-data; boundary="]:
        r = client.generic("POST", URL, broken, content_type=content_type, **headers)
        assert 400 <= r.status_code < 500, (content_type, r.status_code, r.content)
        assert set(r.json()) == {"code", "message", "fields"}
    r = post_doc(client, headers, pdf=b"just text, not a pdf")
    assert error_shape(r, 422, "file_type")["fields"]["file"]
    r = post_doc(client, headers, incoming_data(issued_date="05/01/2026", page_count="x"))
    fields = error_shape(r, 422)["fields"]
    assert {"issued_date", "page_count"} <= set(fields)
    r = post_doc(client, headers, incoming_data(subject="a\x00b"))
    assert 400 <= r.status_code < 500
    assert state() == before


def test_registration_permissions(client, docs_org, auth):
    before = state()
    error_shape(post_doc(client, auth(docs_org["officer"])), 403)
    error_shape(post_doc(client, auth(docs_org["leader"])), 403)
    error_shape(post_doc(client, {}), 401)
    # The clerk of the province cannot register for the Department of Justice.
    data = incoming_data(agency_id=docs_org["justice"].pk)
    error_shape(post_doc(client, auth(docs_org["clerk"]), data), 403)
    error_shape(post_doc(client, auth(docs_org["clerk"]), incoming_data(agency_id=999999)), 422)
    assert state() == before
    r = post_doc(client, auth(docs_org["justice_clerk"]))
    assert r.status_code == 201 and r.json()["agency"]["id"] == docs_org["justice"].pk


# --- reading ------------------------------------------------------------------------------------


def test_list_detail_file_and_visibility(client, docs_org, auth, register_incoming):
    docs = [register_incoming(urgency=u) for u in ["normal", "urgent", "normal"]]
    headers = auth(docs_org["clerk"])
    body = client.get(URL, **headers).json()
    assert [d["id"] for d in body["items"]] == [d.pk for d in reversed(docs)]
    assert body["next"] is None
    page = client.get(URL + "?limit=2", **headers).json()
    assert len(page["items"]) == 2 and page["next"]
    rest = client.get(URL + f"?limit=2&cursor={page['next']}", **headers).json()
    assert [d["id"] for d in rest["items"]] == [docs[0].pk]
    only = client.get(URL + "?urgency=urgent", **headers).json()
    assert [d["id"] for d in only["items"]] == [docs[1].pk]
    error_shape(client.get(URL + "?state=nope", **headers), 422)
    error_shape(client.get(URL + "?cursor=%%%", **headers), 422, "bad_cursor")
    error_shape(client.get(URL + "?arrival_from=2026-13-01", **headers), 422)

    detail = client.get(f"{URL}/{docs[0].pk}", **headers).json()
    assert detail["subject"] == docs[0].subject and detail["assignments"] == []
    # egov.signing's verifier stores its report: the PDF carries no digital signature
    assert detail["signature_status"] == "unsigned"
    assert detail["signature_report"]["signatures"] == []
    r = client.get(f"{URL}/{docs[0].pk}/file", **headers)
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert b"".join(r.streaming_content).startswith(b"%PDF-")
    assert "attachment" in r["Content-Disposition"]
    actions = list(docs[0].events.values_list("action", flat=True))
    assert actions[-2:] == ["viewed", "downloaded"]

    # Another agency's clerk and an officer of the province see nothing: 404, not 403.
    for who in ["justice_clerk", "officer"]:
        h = auth(docs_org[who])
        assert client.get(URL, **h).json()["items"] == []
        for path in ["", "/file", "/trail"]:
            error_shape(client.get(f"{URL}/{docs[0].pk}{path}", **h), 404, "not_found")
    error_shape(client.get(f"{URL}/999999", **headers), 404)


def test_trail_records_every_step_with_actor_and_time(client, docs_org, auth,
                                                      register_incoming):
    doc = register_incoming()
    leader, head, officer = (auth(docs_org[k]) for k in ["leader", "unit_head", "officer"])
    client.get(f"{URL}/{doc.pk}", **leader)
    r = client.post(f"{URL}/{doc.pk}/assign", {
        "instruction": "Phòng Kinh tế chủ trì",
        "assignments": [{"unit_id": docs_org["economy"].pk, "role": "lead"},
                        {"unit_id": docs_org["office"].pk, "role": "inform"}]},
        content_type="application/json", **leader)
    assert r.status_code == 200, r.content
    lead, inform = r.json()
    assert lead["role"] == "lead" and lead["assignee_unit"]["id"] == docs_org["economy"].pk
    assert lead["due_date"] and inform["due_date"] is None and lead["state"] == "open"
    client.get(f"{URL}/{doc.pk}", **head)
    r = client.post(f"{URL}/{doc.pk}/assignments/{lead['id']}/reassign",
                    {"to_user_id": docs_org["officer"].pk, "instruction": "Em xử lý"},
                    content_type="application/json", **head)
    assert r.status_code == 200, r.content
    child = r.json()
    assert child["parent_id"] == lead["id"] and child["assignee_user"]["name"] == \
        docs_org["officer"].get_full_name()
    client.get(f"{URL}/{doc.pk}", **officer)
    client.get(f"{URL}/{doc.pk}/file", **officer)
    r = client.post(f"{URL}/{doc.pk}/assignments/{child['id']}/complete",
                    {"result": "Đã tham mưu văn bản trả lời"}, content_type="application/json",
                    **officer)
    assert r.status_code == 200 and r.json()["state"] == "done"
    assert r.json()["first_viewed_at"] and r.json()["outcome"] == "done_on_time"

    events = client.get(f"{URL}/{doc.pk}/trail", **officer).json()
    steps = [(e["action"], e["actor"]["name"]) for e in events]
    assert steps == [
        ("registered", docs_org["clerk"].get_full_name()),
        ("presented", docs_org["clerk"].get_full_name()),
        ("viewed", docs_org["leader"].get_full_name()),
        ("assigned", docs_org["leader"].get_full_name()),
        ("viewed", docs_org["unit_head"].get_full_name()),
        ("reassigned", docs_org["unit_head"].get_full_name()),
        ("viewed", docs_org["officer"].get_full_name()),
        ("downloaded", docs_org["officer"].get_full_name()),
        ("completed", docs_org["officer"].get_full_name()),
    ]
    for e in events:
        assert set(e) == {"at", "action", "actor", "unit", "details"}
        assert e["at"] and e["actor"]["id"]
    assert events[0]["unit"] == docs_org["office"].name
    assert events[5]["unit"] == docs_org["economy"].name
    assert events[3]["details"]["instruction"] == "Phòng Kinh tế chủ trì"
    assert client.get(f"{URL}/{doc.pk}", **officer).json()["state"] == "done"


def test_assign_errors_and_permissions(client, docs_org, auth, register_incoming):
    doc = register_incoming()
    leader = auth(docs_org["leader"])
    before = DocumentEvent.objects.count()
    body = error_shape(client.post(f"{URL}/{doc.pk}/assign", {
        "instruction": "", "assignments": [{"unit_id": 999999, "role": "lead"}]},
        content_type="application/json", **leader), 422)
    assert "assignments.0.unit_id" in body["fields"]
    body = error_shape(client.post(f"{URL}/{doc.pk}/assign", {
        "assignments": [{"unit_id": docs_org["economy"].pk, "role": "lead",
                         "due_date": "2026-02-30"}]},
        content_type="application/json", **leader), 422)
    assert "assignments.0.due_date" in body["fields"]
    body = error_shape(client.post(f"{URL}/{doc.pk}/assign", {"assignments": "x"},
                                   content_type="application/json", **leader), 422)
    assert "assignments" in body["fields"]
    r = client.post(f"{URL}/{doc.pk}/assign", "{broken", content_type="application/json",
                    **leader)
    assert r.status_code == 400 and r.json()["code"] == "malformed_body"
    error_shape(client.post(f"{URL}/{doc.pk}/assign", {"assignments": [
        {"unit_id": docs_org["economy"].pk, "role": "lead"}]},
        content_type="application/json", **auth(docs_org["clerk"])), 403)
    error_shape(client.post(f"{URL}/{doc.pk}/assign", {"assignments": [
        {"unit_id": docs_org["economy"].pk, "role": "lead"}]},
        content_type="application/json", **auth(docs_org["justice_leader"])), 404)
    assert DocumentEvent.objects.count() == before


def test_forward_return_and_withdrawn(client, docs_org, auth, register_incoming):
    doc = register_incoming()
    leader, head = auth(docs_org["leader"]), auth(docs_org["unit_head"])
    lead = client.post(f"{URL}/{doc.pk}/assign", {"assignments": [
        {"unit_id": docs_org["economy"].pk, "role": "lead"}]},
        content_type="application/json", **leader).json()[0]
    body = error_shape(client.post(f"{URL}/{doc.pk}/assignments/{lead['id']}/return",
                                   {"reason": ""}, content_type="application/json", **head),
                       422)
    assert "reason" in body["fields"]
    error_shape(client.post(f"{URL}/{doc.pk}/assignments/{lead['id']}/complete",
                            {"result": "x"}, content_type="application/json",
                            **auth(docs_org["clerk"])), 403)
    r = client.post(f"{URL}/{doc.pk}/assignments/{lead['id']}/forward",
                    {"to_unit_id": docs_org["office"].pk, "reason": "Đúng chức năng VP"},
                    content_type="application/json", **head)
    assert r.status_code == 200, r.content
    new = r.json()
    assert new["assignee_unit"]["id"] == docs_org["office"].pk and new["state"] == "open"
    error_shape(client.post(f"{URL}/{doc.pk}/assignments/{lead['id']}/complete",
                            {"result": "x"}, content_type="application/json", **head), 409,
                "wrong_state")
    r = client.post(f"{URL}/{doc.pk}/assignments/{new['id']}/return",
                    {"reason": "Không thuộc chức năng"}, content_type="application/json",
                    **auth(docs_org["clerk"]))
    assert r.status_code == 200 and r.json()["state"] == "returned"
    queue = client.get(f"{URL}/queue", **leader).json()
    assert [d["id"] for d in queue["items"]] == [doc.pk] and queue["items"][0]["default_due"]
    error_shape(client.post(f"{URL}/{doc.pk}/assignments/999999/complete", {"result": "x"},
                            content_type="application/json", **head), 404)

    svc.incoming_cancel(document=doc, reason="Thu hồi do sai thể thức")
    detail = client.get(f"{URL}/{doc.pk}", **leader).json()
    assert detail["withdrawn"] is True and detail["state"] == "cancelled"
    assert detail["subject"] == "" and detail["cancel_reason"] == "Thu hồi do sai thể thức"
    assert detail["assignments"] == [] and detail["file_url"] is None
    error_shape(client.get(f"{URL}/{doc.pk}/file", **leader), 410, "withdrawn")


def test_mine_lists_open_assignments(client, docs_org, auth, register_incoming):
    doc = register_incoming()
    a = svc.incoming_assign(actor=docs_org["leader"], document=doc, instruction="",
                            assignments=[{"unit_id": docs_org["economy"].pk, "role": "lead"}])[0]
    assert [x["id"] for x in client.get(f"{URL}/mine", **auth(docs_org["unit_head"])).json()[
        "items"]] == [a.pk]
    child = svc.assignment_reassign(actor=docs_org["unit_head"], assignment=a,
                                    to_user_id=docs_org["officer"].pk)
    assert client.get(f"{URL}/mine", **auth(docs_org["unit_head"])).json()["items"] == []
    assert [x["id"] for x in client.get(f"{URL}/mine", **auth(docs_org["officer"])).json()[
        "items"]] == [child.pk]
    assert client.get(f"{URL}/mine", **auth(docs_org["officer2"])).json()["items"] == []


# --- query counts -------------------------------------------------------------------------------


def _count(client, url, headers) -> int:
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url, **headers)
    assert r.status_code == 200, r.content
    return len(ctx.captured_queries)


def test_query_counts_do_not_grow_with_the_data(client, docs_org, auth, register_incoming):
    clerk, leader = auth(docs_org["clerk"]), auth(docs_org["leader"])
    first = register_incoming()
    svc.incoming_assign(actor=docs_org["leader"], document=first, instruction="",
                        assignments=[{"unit_id": docs_org["economy"].pk, "role": "lead"}])
    register_incoming(urgency="urgent")
    head = auth(docs_org["unit_head"])
    for h in (clerk, leader, head):  # a token's first use records last_used_at: warm up
        client.get(f"{URL}/mine", **h)
    # A person's first view of a document today is recorded, later ones are not (issue 9
    # §5): the leader has viewed it once before the measured views.
    client.get(f"{URL}/{first.pk}", **leader)
    small = {name: _count(client, url, h) for name, url, h in [
        ("list", URL, clerk), ("queue", f"{URL}/queue", leader),
        ("mine", f"{URL}/mine", head),
        ("detail", f"{URL}/{first.pk}", leader), ("trail", f"{URL}/{first.pk}/trail", leader)]}
    for i in range(12):
        doc = register_incoming(urgency="flash" if i % 3 else "normal")
        if i % 2:
            svc.incoming_assign(actor=docs_org["leader"], document=doc, instruction="",
                                assignments=[{"unit_id": docs_org["economy"].pk,
                                              "role": "lead"},
                                             {"unit_id": docs_org["office"].pk,
                                              "role": "support"}])
    svc.incoming_assign(actor=docs_org["leader"], document=first, instruction="",
                        assignments=[{"unit_id": docs_org["office"].pk, "role": "support"},
                                     {"unit_id": docs_org["justice"].pk, "role": "inform"}])
    for _ in range(5):
        client.get(f"{URL}/{first.pk}", **clerk)
    large = {name: _count(client, url, h) for name, url, h in [
        ("list", URL, clerk), ("queue", f"{URL}/queue", leader),
        ("mine", f"{URL}/mine", head),
        ("detail", f"{URL}/{first.pk}", leader), ("trail", f"{URL}/{first.pk}/trail", leader)]}
    assert large == small, (small, large)
    # Absolute budgets (token auth + grants + units included).
    assert large["list"] <= 8 and large["queue"] <= 8 and large["trail"] <= 8
    assert large["detail"] <= 14 and large["mine"] <= 8


def test_openapi_describes_the_incoming_endpoints(client):
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    post = paths["/api/v1/documents/incoming"]["post"]
    body = post["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert set(body["required"]) == {"file", "data"}
    for path in ["/api/v1/documents/incoming/{id}/assign", "/api/v1/documents/incoming/{id}/trail",
                 "/api/v1/documents/incoming/queue",
                 "/api/v1/documents/incoming/{id}/assignments/{aid}/reassign"]:
        assert path in paths, path
