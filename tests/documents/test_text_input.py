"""Control and bidirectional characters at the documents' doors: the incoming registration (API
`data`, the desk form) and drafts (API) clean control characters and refuse bidirectional
controls on the field, with nothing written (egov.core.text)."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from egov.core import tokens
from egov.documents.models import IncomingDocument, OutgoingDocument
from tests.documents.conftest import incoming_data, unique_pdf
from tests.documents.test_outgoing_support import draft_data

pytestmark = pytest.mark.django_db

RLO = "\u202e"


def _bearer(user) -> Client:
    _token, raw = tokens.token_create(actor=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def _pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("a.pdf", unique_pdf(), content_type="application/pdf")


def test_incoming_api_cleans_controls_and_refuses_bidi(docs_org):
    clerk = _bearer(docs_org["clerk"])
    r = clerk.post("/api/v1/documents/incoming", {"data": json.dumps(incoming_data(
        number=f"12{RLO}", signer_name=f"Nguyễn {RLO}A")), "file": _pdf()})
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "unsafe_text" and {"number", "signer_name"} <= set(body["fields"])
    assert not IncomingDocument.objects.exists()
    r = clerk.post("/api/v1/documents/incoming", {"data": json.dumps(incoming_data(
        subject="V/v\x1b[2J hướng\x07 dẫn", description="Dòng 1\r\nDòng\x0c 2")),
        "file": _pdf()})
    assert r.status_code == 201, r.content
    doc = IncomingDocument.objects.get()
    assert doc.subject == "V/v[2J hướng dẫn"
    assert doc.description == "Dòng 1\nDòng 2"


def test_incoming_desk_form_refuses_bidi_by_the_field(docs_org):
    client = Client()
    client.force_login(docs_org["clerk"])
    data = {k: v for k, v in incoming_data(notation=f"QD-{RLO}DNBU").items() if v is not None}
    r = client.post("/documents/incoming/new/", {**data, "file": _pdf()})
    assert r.status_code == 422
    assert 'id="id_notation_error"' in r.content.decode()
    assert not IncomingDocument.objects.exists()


def test_draft_api_refuses_bidi_and_cleans_controls(docs_org):
    officer = _bearer(docs_org["officer"])
    r = officer.post("/api/v1/documents/outgoing", {
        "data": json.dumps(draft_data(docs_org, subject=f"Quyết định {RLO}xyz")), "file": _pdf()})
    assert r.status_code == 422 and "subject" in r.json()["fields"]
    assert not OutgoingDocument.objects.exists()
    r = officer.post("/api/v1/documents/outgoing", {
        "data": json.dumps(draft_data(docs_org, subject="Quyết\x07 định\x1b")), "file": _pdf()})
    assert r.status_code == 201, r.content
    doc = OutgoingDocument.objects.get()
    assert doc.subject == "Quyết định"
    r = officer.patch(f"/api/v1/documents/outgoing/{doc.pk}", json.dumps({"subject": f"x{RLO}"}),
                      content_type="application/json")
    assert r.status_code == 422 and "subject" in r.json()["fields"]


def test_review_comment_read_straight_from_the_request_is_cleaned(docs_org):
    from django.urls import reverse

    from egov.documents.services import outgoing as svc
    from tests.documents.test_outgoing_support import make_draft

    o = docs_org
    doc = make_draft(o)
    svc.outgoing_submit(actor=doc.drafter, document=doc)
    head = Client()
    head.force_login(o["unit_head"])
    url = reverse("documents:outgoing_review", args=[doc.pk])
    r = head.post(url, {"step": "content", "decision": "returned",
                        "comment": f"Sửa lại {RLO}điều 2"}, follow=True)
    assert r.status_code in (200, 422)
    assert not doc.approvals.exists()
    head.post(url, {"step": "content", "decision": "returned",
                    "comment": "Sửa lại\x1b điều 2\r\nvà điều 3"})
    approval = doc.approvals.get()
    assert approval.comment == "Sửa lại điều 2\nvà điều 3"


def test_version_note_sent_as_a_form_field_is_cleaned(docs_org):
    officer = _bearer(docs_org["officer"])
    r = officer.post("/api/v1/documents/outgoing", {
        "data": json.dumps(draft_data(docs_org)), "file": _pdf()})
    doc_id = r.json()["id"]
    url = f"/api/v1/documents/outgoing/{doc_id}/versions"
    r = officer.post(url, {"file": _pdf(), "note": f"Bản {RLO}2"})
    assert r.status_code == 422 and "note" in r.json()["fields"]
    r = officer.post(url, {"file": _pdf(), "note": "Bản\x07 sửa\x1b"})
    assert r.status_code == 201, r.content
    assert r.json()["note"] == "Bản sửa"
