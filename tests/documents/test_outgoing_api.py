"""The outgoing-document API: the contract of issue 3 (create → submit → review ×3 → issue by
API alone), the trail, versions, comments, register configuration, and the error shapes."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from egov.core import tokens
from egov.documents.models import OutgoingDocument, Register
from tests.documents.conftest import unique_pdf
from tests.documents.test_outgoing_support import approved, db_counts, draft_data, make_draft

pytestmark = pytest.mark.django_db

BASE = "/api/v1/documents"


@pytest.fixture
def api(docs_org):
    """api("officer") → a Client whose requests carry that user's API token."""
    clients = {}

    def _client(who: str) -> Client:
        if who not in clients:
            _token, raw = tokens.token_create(actor=docs_org[who], name="test")
            clients[who] = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return clients[who]

    return _client


def _pdf(name: str = "du-thao.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, unique_pdf(name), content_type="application/pdf")


def _create(api, o, who="officer", **overrides):
    return api(who).post(f"{BASE}/outgoing", {"file": _pdf(),
                                              "data": json.dumps(draft_data(o, **overrides))})


def _post(client, url, payload=None):
    return client.post(url, json.dumps(payload or {}), content_type="application/json")


def test_the_issuing_flow_by_api_alone(api, docs_org):
    o = docs_org
    response = api("officer").post(f"{BASE}/outgoing", {
        "file": _pdf(),
        "data": json.dumps(draft_data(o, recipients=[{"unit_id": o["justice"].pk},
                                                     {"name": "Công ty A",
                                                      "email": "a@example.com"}])),
        "attachments": [_pdf("phu-luc-1.pdf"), _pdf("phu-luc-2.pdf")],
    })
    assert response.status_code == 201, response.content
    body = response.json()
    doc_id = body["id"]
    assert body["state"] == "draft" and body["code"] == "" and body["number"] is None
    assert body["type_code"] == "QD" and body["signer"]["id"] == o["leader"].pk
    assert [v["number"] for v in body["versions"]] == [1]
    assert len(body["attachments"]) == 2 and len(body["recipients"]) == 2

    steps = [("officer", "submit", None, "in_review", "content"),
             ("unit_head", "review", {"step": "content", "decision": "approved"}, "in_review",
              "format"),
             ("clerk", "review", {"step": "format", "decision": "approved"}, "in_review",
              "signer"),
             ("leader", "review", {"step": "signer", "decision": "approved",
                                   "comment": "Đồng ý ban hành."}, "approved", None)]
    for who, action, payload, state, next_step in steps:
        response = _post(api(who), f"{BASE}/outgoing/{doc_id}/{action}", payload)
        assert response.status_code == 200, response.content
        assert response.json()["state"] == state
        assert response.json()["next_step"] == next_step

    response = _post(api("clerk"), f"{BASE}/outgoing/{doc_id}/issue", {"medium": "paper"})
    assert response.status_code == 200, response.content
    issued = response.json()
    assert issued["number"] == "01" and issued["notation"] == "QĐ-UBND"
    assert issued["code"] == "01/QĐ-UBND" and issued["state"] == "issued"
    assert issued["issued_date"] == timezone.localdate().isoformat()
    assert issued["register_name"] == "Sổ đăng ký văn bản đi"

    detail = api("officer").get(f"{BASE}/outgoing/{doc_id}").json()
    assert detail["code"] == "01/QĐ-UBND" and detail["issued_by"]["id"] == o["clerk"].pk
    assert [a["step"] for a in detail["approvals"]] == ["content", "format", "signer"]

    trail = api("officer").get(f"{BASE}/outgoing/{doc_id}/trail")
    assert trail.status_code == 200
    events = trail.json()
    assert set(events[0]) == {"at", "action", "actor", "unit", "details"}
    assert events[0]["actor"] == {"id": o["officer"].pk, "name": "Nguyễn Thị Chuyên"}
    assert events[0]["unit"] == "Phòng Kinh tế"
    actions = [e["action"] for e in events]
    assert actions[:6] == ["drafted", "submitted", "approved", "approved", "approved", "issued"]
    issued_event = events[5]
    assert issued_event["details"]["code"] == "01/QĐ-UBND"


def test_api_error_shapes_and_nothing_written(api, docs_org):
    o = docs_org
    officer = api("officer")
    for who in ("unit_head", "clerk", "justice_clerk", "officer2"):
        api(who)  # create the tokens first (a token is audited)
    before = db_counts()

    def check(response, status, code=None, field=None):
        assert response.status_code == status, response.content
        body = response.json()
        assert set(body) == {"code", "message", "fields"}
        if code:
            assert body["code"] == code, body
        if field:
            assert field in body["fields"], body

    check(officer.post(f"{BASE}/outgoing", {"file": _pdf(), "data": "{not json"}), 422,
          "invalid", "data")
    check(officer.post(f"{BASE}/outgoing", {"file": _pdf(), "data": "[1, 2]"}), 422,
          "invalid", "data")
    check(officer.post(f"{BASE}/outgoing", {"data": json.dumps(draft_data(o))}), 422,
          "invalid", "file")
    check(officer.post(f"{BASE}/outgoing", {"file": _pdf()}), 422, "invalid", "data")
    check(officer.post(f"{BASE}/outgoing", {
        "file": SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf"),
        "data": json.dumps(draft_data(o))}), 422, "file_type", "file")
    check(officer.post(f"{BASE}/outgoing", {"file": _pdf(), "data": json.dumps(
        draft_data(o, type_code="CV", field_abbreviation="", signer_id=999999999))}), 422,
          "invalid", "signer_id")
    check(officer.post(f"{BASE}/outgoing", {"file": _pdf(), "data": json.dumps(
        draft_data(o, secrecy="top_secret"))}), 422, "secret_document")
    check(officer.post(f"{BASE}/outgoing", {"file": _pdf(), "data": json.dumps(
        draft_data(o, signer_id=2**70, copies="many"))}), 422, "invalid")
    check(officer.post(f"{BASE}/outgoing", "plain", content_type="text/plain"), 422, "invalid")
    for bad in ('{"subject": "\\ud800 lone surrogate"}', '{"subject": "nul \\u0000"}'):
        check(officer.post(f"{BASE}/outgoing", {"file": _pdf(), "data": bad}), 422, "invalid",
              "data")
    check(Client().post(f"{BASE}/outgoing", {"file": _pdf(), "data": "{}"}), 401,
          "unauthenticated")
    check(officer.get(f"{BASE}/outgoing/999999"), 404, "not_found")
    check(officer.get(f"{BASE}/outgoing/abc"), 422)
    check(officer.get(f"{BASE}/outgoing?cursor=%25%25"), 422, "bad_cursor")
    check(officer.get(f"{BASE}/outgoing?state=bogus"), 422, "invalid", "state")
    assert db_counts() == before

    doc = make_draft(o)
    before = db_counts()
    url = f"{BASE}/outgoing/{doc.pk}"
    check(_post(api("unit_head"), f"{url}/review", {"step": "content", "decision": "approved"}),
          409, "wrong_state")
    check(_post(api("unit_head"), f"{url}/review", {"step": "bogus", "decision": "ok"}), 422,
          "invalid", "step")
    check(api("unit_head").post(f"{url}/review", "{oops", content_type="application/json"),
          400, "malformed_body")
    check(_post(api("clerk"), f"{url}/issue"), 409, "wrong_state")
    check(_post(api("officer"), f"{url}/issue"), 403, "forbidden")
    check(_post(api("justice_clerk"), f"{url}/submit"), 404, "not_found")  # cannot see it
    check(_post(api("officer2"), f"{url}/submit"), 404, "not_found")
    check(_post(api("clerk"), f"{url}/recall", {"reason": ""}), 422, "invalid", "reason")
    check(_post(api("clerk"), f"{url}/recall", {"reason": "Sai"}), 409, "wrong_state")
    check(api("officer").patch(url, json.dumps({"subject": ""}),
                               content_type="application/json"), 422, "invalid", "subject")
    check(api("officer").patch(url, json.dumps({"copies": -1}),
                               content_type="application/json"), 422, "invalid", "copies")
    check(api("officer").patch(url, json.dumps({"number": 5}),
                               content_type="application/json"), 422, "invalid", "number")
    check(_post(api("officer"), f"{url}/comments", {"text": ""}), 422, "invalid", "text")
    check(_post(api("officer"), f"{url}/comments", {"text": "x", "version": 9}), 404,
          "not_found")
    check(officer.get(f"{url}/versions/5/file"), 404, "not_found")
    check(officer.get(f"{url}/file"), 404, "not_found")
    assert db_counts() == before


def test_versions_comments_and_files(api, docs_org):
    from tests.documents.test_outgoing_conversion import make_docx

    o = docs_org
    doc = make_draft(o)
    url = f"{BASE}/outgoing/{doc.pk}"
    response = api("officer").post(f"{url}/versions", {
        "file": SimpleUploadedFile("v2.docx", make_docx()), "note": "Sửa căn cứ"})
    assert response.status_code == 201, response.content
    version = response.json()
    assert version["number"] == 2 and version["note"] == "Sửa căn cứ"
    assert version["pdf"] is False and version["pdf_url"] is None
    assert version["content_type"].endswith("wordprocessingml.document")
    first = api("officer").get(f"{url}/versions/1/file")
    assert first.status_code == 200 and b"".join(first.streaming_content).startswith(b"%PDF-")
    assert api("officer").get(f"{url}/versions/2/pdf").status_code == 404  # not converted yet
    assert api("officer").get(f"{url}/versions/1/pdf").status_code == 200

    response = _post(api("unit_head"), f"{url}/comments", {"text": "Xem lại điều 2.",
                                                           "version": 2})
    assert response.status_code == 201
    assert response.json()["version"] == 2 and response.json()["author"]["id"] == o[
        "unit_head"].pk
    detail = api("officer").get(url).json()
    assert [c["text"] for c in detail["comments"]] == ["Xem lại điều 2."]
    assert [v["number"] for v in detail["versions"]] == [1, 2]


def test_list_queue_and_reviews(api, docs_org, django_assert_max_num_queries):
    o = docs_org
    for i in range(3):
        make_draft(o, subject=f"Dự thảo {i}")
    ready = approved(o)

    def count(client, url):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        return len(ctx.captured_queries), response.json()

    small, body = count(api("leader"), f"{BASE}/outgoing?limit=2")
    assert len(body["items"]) == 2 and body["next"]
    rest = api("leader").get(f"{BASE}/outgoing?limit=2&cursor={body['next']}").json()
    assert len(rest["items"]) == 2 and rest["next"] is None
    for i in range(6):
        make_draft(o, subject=f"Thêm {i}")
    big, body = count(api("leader"), f"{BASE}/outgoing?limit=50")
    # The same queries for 2 and for 10 documents (the first request also touches the token).
    assert len(body["items"]) == 10 and big <= small
    assert [d["id"] for d in api("clerk").get(f"{BASE}/outgoing/queue").json()["items"]] == [
        ready.pk]
    assert api("officer").get(f"{BASE}/outgoing/queue").json()["items"] == []
    mine = api("officer2").get(f"{BASE}/outgoing?mine=true").json()["items"]
    assert mine == []
    reviews = api("unit_head").get(f"{BASE}/outgoing/reviews").json()["items"]
    assert reviews == []


def test_recall_and_replace_by_api(api, docs_org):
    o = docs_org
    old = approved(o)
    assert _post(api("clerk"), f"{BASE}/outgoing/{old.pk}/issue", {"medium": "paper"}).status_code == 200
    new = make_draft(o, subject="Bản thay thế")
    response = _post(api("clerk"), f"{BASE}/outgoing/{old.pk}/replace",
                     {"new_document_id": new.pk})
    assert response.status_code == 200 and response.json()["replaces_id"] == old.pk
    response = _post(api("clerk"), f"{BASE}/outgoing/{old.pk}/recall",
                     {"reason": "Sai thẩm quyền"})
    assert response.status_code == 200
    assert response.json()["state"] == "recalled"
    assert response.json()["recall_reason"] == "Sai thẩm quyền"
    response = _post(api("clerk"), f"{BASE}/outgoing/{old.pk}/recall", {"reason": "x"})
    assert response.status_code == 409 and response.json()["code"] == "frozen"


def test_register_configuration_api(api, docs_org):
    o = docs_org
    url = f"{BASE}/registers/config"
    response = _post(api("clerk"), url, {"agency_id": o["province"].pk, "kind": "per_type",
                                         "name": "Sổ quyết định", "document_types": ["QD"]})
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["kind"] == "per_type" and created["document_types"] == ["QD"]
    response = _post(api("clerk"), url, {"agency_id": o["province"].pk, "kind": "per_type",
                                         "name": "Trùng", "document_types": ["QD"]})
    assert response.status_code == 422 and "document_types" in response.json()["fields"]
    assert _post(api("officer"), url, {"agency_id": o["province"].pk, "kind": "shared",
                                       "name": "Sổ"}).status_code == 403
    assert _post(api("clerk"), url, {"agency_id": 999999, "kind": "shared",
                                     "name": "Sổ"}).status_code == 422
    listed = api("clerk").get(url).json()
    assert [r["id"] for r in listed] == [created["id"]]
    assert api("officer").get(url).json() == []
    response = api("clerk").patch(f"{url}/{created['id']}", json.dumps(
        {"name": "Sổ quyết định 2026", "document_types": ["QD", "CT"]}),
        content_type="application/json")
    assert response.status_code == 200
    assert response.json()["name"] == "Sổ quyết định 2026"
    assert response.json()["document_types"] == ["CT", "QD"]
    assert api("justice_clerk").patch(f"{url}/{created['id']}", json.dumps({"name": "x"}),
                                      content_type="application/json").status_code == 404
    assert Register.objects.get(pk=created["id"]).name == "Sổ quyết định 2026"


def test_created_document_belongs_to_the_drafters_agency(api, docs_org):
    response = _create(api, docs_org, who="justice_clerk",
                       signer_id=docs_org["justice_leader"].pk)
    assert response.status_code == 201, response.content
    doc = OutgoingDocument.objects.get(pk=response.json()["id"])
    assert doc.agency == docs_org["justice"] and doc.drafting_unit == docs_org["justice"]


def test_malformed_drafts_never_cause_a_server_error(api, docs_org):
    """Random values for every field of `data`: always 201 or a 4xx in the error shape."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-2**70, max_value=2**70),
                        st.floats(allow_nan=False), st.text(max_size=40))
    values = st.recursive(scalars, lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=10), inner, max_size=3)),
        max_leaves=6)
    keys = st.sampled_from(["type_code", "subject", "signer_id", "signer_capacity", "urgency",
                            "due_date", "recipients", "in_reply_to", "copies", "page_count",
                            "field_abbreviation", "advisory_body", "replaces_id", "secrecy",
                            "drafting_unit_id", "note"])
    client = api("officer")
    base = draft_data(docs_org)

    @settings(max_examples=60, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.dictionaries(keys, values, max_size=4))
    def run(changes):
        data = {**base, **changes}
        response = client.post(f"{BASE}/outgoing", {"file": _pdf(), "data": json.dumps(data)})
        assert response.status_code in (201, 403, 422), (data, response.content)
        if response.status_code != 201:
            assert set(response.json()) == {"code", "message", "fields"}

    run()
