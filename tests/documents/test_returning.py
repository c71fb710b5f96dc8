"""Returning an electronic incoming document to its sender (NĐ 30/2020 Điều 21.2; issue 9 §2):
the service, the API contract (`POST /api/v1/documents/incoming/{id}/return`), permissions, the
page with its form, what the sender sees, and that nothing changes on bad input."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from egov.core import tokens
from egov.core.models import AuditEvent, Notification, WorkItem, WorkState
from egov.documents.models import DocumentEvent, IncomingDocument, Recipient
from egov.documents.services import incoming as incoming_svc
from egov.documents.services import returning
from tests.documents.test_outgoing_support import issued

pytestmark = pytest.mark.django_db

REASON = "Gửi nhầm cơ quan: văn bản gửi Sở Tài chính"


@pytest.fixture
def delivered(docs_org, django_capture_on_commit_callbacks):
    """An outgoing document of the province committee delivered to the Department of Justice:
    (outgoing, the justice's incoming copy)."""
    o = docs_org
    with django_capture_on_commit_callbacks(execute=True):
        doc = issued(o, recipients=[{"unit_id": o["justice"].pk}])
    incoming = IncomingDocument.objects.get(source=doc, agency=o["justice"])
    return doc, incoming


@pytest.fixture
def api(docs_org):
    clients = {}

    def _client(who: str) -> Client:
        if who not in clients:
            _token, raw = tokens.token_create(actor=docs_org[who], name="test")
            clients[who] = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return clients[who]

    return _client


def _post(client, doc_id, payload):
    return client.post(f"/api/v1/documents/incoming/{doc_id}/return", json.dumps(payload),
                       content_type="application/json")


def state() -> dict:
    return {
        "incoming": list(IncomingDocument.objects.order_by("pk").values_list(
            "pk", "state", "returned_at", "return_reason")),
        "recipients": list(Recipient.objects.order_by("pk").values_list(
            "pk", "returned_at", "return_reason")),
        "events": DocumentEvent.objects.count(),
        "audit": AuditEvent.objects.count(),
        "notifications": Notification.objects.count(),
        "open_work": WorkItem.objects.filter(state=WorkState.OPEN).count(),
    }


def test_return_by_api_and_the_sender_sees_it(docs_org, delivered, api):
    o = docs_org
    doc, incoming = delivered
    clerk = api("justice_clerk")
    assert WorkItem.objects.filter(subject_id=str(incoming.pk), kind=incoming_svc.KIND_PRESENT,
                                   state=WorkState.OPEN).exists()
    response = _post(clerk, incoming.pk, {"reason": f"  {REASON}  "})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "returned" and body["return_reason"] == REASON
    assert body["returned_at"]
    incoming.refresh_from_db()
    assert incoming.state == "returned" and incoming.arrival_number == 1  # number kept
    # The leaders' "give instructions" items are cancelled.
    assert not WorkItem.objects.filter(subject_id=str(incoming.pk),
                                       kind=incoming_svc.KIND_PRESENT,
                                       state=WorkState.OPEN).exists()
    # Trail on both sides, audit, notification to the sender's văn thư.
    event = DocumentEvent.objects.get(incoming=incoming, action="returned_to_sender")
    assert event.details["reason"] == REASON and event.actor == o["justice_clerk"]
    sender_event = DocumentEvent.objects.get(outgoing=doc, action="returned_by_recipient")
    assert sender_event.details["reason"] == REASON
    assert AuditEvent.objects.filter(action="documents.incoming.return",
                                     object_id=str(incoming.pk)).exists()
    note = Notification.objects.get(user=o["clerk"], url=f"/documents/outgoing/{doc.pk}/",
                                    body=REASON)
    assert o["justice"].name in note.subject
    # The sender's recipient row and its API.
    recipient = Recipient.objects.get(document=doc, unit=o["justice"])
    assert recipient.returned_at == incoming.returned_at and recipient.return_reason == REASON
    out = api("clerk").get(f"/api/v1/documents/outgoing/{doc.pk}").json()
    [r] = out["recipients"]
    assert r["return_reason"] == REASON and r["returned_at"]
    # The sender's page: "Bị trả lại" with the time and the reason, per recipient.
    page = Client()
    page.force_login(o["clerk"])
    html = page.get(f"/documents/outgoing/{doc.pk}/").content.decode()
    assert "Bị trả lại" in html and REASON in html
    # The receiver's page shows the return and no longer offers it.
    page.force_login(o["justice_clerk"])
    html = page.get(f"/documents/incoming/{incoming.pk}/").content.decode()
    assert 'id="returned-to-sender"' in html and REASON in html
    assert 'id="return-to-sender"' not in html


def test_empty_reason_is_422_and_changes_nothing(docs_org, delivered, api):
    _doc, incoming = delivered
    clerk = api("justice_clerk")
    before = state()
    for payload in ({"reason": ""}, {"reason": "   \n "}, {}, {"reason": "x" * 501}):
        response = _post(clerk, incoming.pk, payload)
        assert response.status_code == 422, (payload, response.content)
        body = response.json()
        assert set(body) >= {"code", "message", "fields"}
        assert "reason" in body["fields"], body
    response = _post(clerk, incoming.pk, {"reason": "nul \u0000 byte"})
    assert response.status_code == 422
    assert state() == before


def test_already_returned_or_handled_is_409_with_a_code(docs_org, delivered, api,
                                                        register_incoming):
    o = docs_org
    _doc, incoming = delivered
    clerk = api("justice_clerk")
    assert _post(clerk, incoming.pk, {"reason": REASON}).status_code == 200
    before = state()
    response = _post(clerk, incoming.pk, {"reason": "lần hai"})
    assert response.status_code == 409 and response.json()["code"] == "already_returned"
    assert state() == before
    # A paper document is sent back on paper.
    paper = register_incoming(actor=o["justice_clerk"], agency=o["justice"], channel="paper")
    response = _post(clerk, paper.pk, {"reason": REASON})
    assert response.status_code == 409 and response.json()["code"] == "not_electronic"
    # An electronic document a leader already gave instructions on.
    handled = register_incoming(actor=o["justice_clerk"], agency=o["justice"],
                                channel="electronic")
    incoming_svc.incoming_assign(actor=o["justice_leader"], document=handled,
                                 instruction="Xử lý", assignments=[
                                     {"user_id": o["justice_clerk"].pk, "role": "lead"}])
    before = state()
    response = _post(clerk, handled.pk, {"reason": REASON})
    assert response.status_code == 409 and response.json()["code"] == "already_handled"
    assert state() == before


def test_permissions(docs_org, delivered, api):
    o = docs_org
    _doc, incoming = delivered
    sender_clerk, leader = api("clerk"), api("justice_leader")
    before = state()
    # The sender's clerk cannot see the recipient's copy: 404.
    assert _post(sender_clerk, incoming.pk, {"reason": REASON}).status_code == 404
    # The justice leader sees it but is not its văn thư: 403.
    response = _post(leader, incoming.pk, {"reason": REASON})
    assert response.status_code == 403
    assert _post(Client(), incoming.pk, {"reason": REASON}).status_code == 401
    assert state() == before
    # The page: the leader is refused, the clerk gets the form.
    page = Client()
    page.force_login(o["justice_leader"])
    assert page.get(f"/documents/incoming/{incoming.pk}/return/").status_code == 403
    html = page.get(f"/documents/incoming/{incoming.pk}/").content.decode()
    assert 'id="return-to-sender"' not in html


def test_the_page_form(docs_org, delivered):
    o = docs_org
    doc, incoming = delivered
    page = Client()
    page.force_login(o["justice_clerk"])
    html = page.get(f"/documents/incoming/{incoming.pk}/").content.decode()
    assert f'href="/documents/incoming/{incoming.pk}/return/"' in html
    form = page.get(f"/documents/incoming/{incoming.pk}/return/")
    assert form.status_code == 200 and 'name="reason"' in form.content.decode()
    before = state()
    response = page.post(f"/documents/incoming/{incoming.pk}/return/", {"reason": "  "})
    assert response.status_code == 422
    assert 'id="id_reason_error"' in response.content.decode()
    assert state() == before
    response = page.post(f"/documents/incoming/{incoming.pk}/return/", {"reason": REASON})
    assert response.status_code == 302
    assert response["Location"] == f"/documents/incoming/{incoming.pk}/"
    incoming.refresh_from_db()
    assert incoming.state == "returned"
    assert Recipient.objects.get(document=doc).return_reason == REASON
    # Once returned, the form page sends back to the document with the reason why not.
    response = page.get(f"/documents/incoming/{incoming.pk}/return/")
    assert response.status_code == 302


def test_an_external_electronic_document_is_returned_without_a_sender_row(
        docs_org, register_incoming):
    o = docs_org
    doc = register_incoming(channel="electronic")
    returning.incoming_return(actor=o["clerk"], document=doc, reason=REASON)
    doc.refresh_from_db()
    assert doc.state == "returned" and doc.return_reason == REASON
    assert not DocumentEvent.objects.filter(action="returned_by_recipient").exists()
