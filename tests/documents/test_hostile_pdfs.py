"""Hostile and broken PDFs at the documents' doors: incoming registration and drafts refuse
encrypted, truncated and unparseable files (API 4xx in the error shape on "file"; the web form
shows the reason by the file field; nothing written); a PDF with JavaScript or launch actions is
registered but flagged on the document page and in the API, and never previewed inline."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from egov.core import tokens
from egov.core.models import AuditEvent, StoredFile
from egov.documents.models import IncomingDocument, OutgoingDocument
from tests.documents.conftest import incoming_data
from tests.documents.test_outgoing_support import draft_data
from tests.pdf_samples import encrypted_pdf, pdf_with, truncated_pdf, unparseable_pdf

pytestmark = pytest.mark.django_db

BAD = [(encrypted_pdf, "pdf_encrypted"), (truncated_pdf, "pdf_damaged"),
       (unparseable_pdf, "pdf_damaged")]


def _counts():
    return (IncomingDocument.objects.count(), OutgoingDocument.objects.count(),
            StoredFile.objects.count(),
            AuditEvent.objects.filter(action__startswith="file.").count(),
            AuditEvent.objects.filter(action__startswith="documents.").count())


def _bearer(user) -> Client:
    _token, raw = tokens.token_create(actor=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def _upload(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("van-ban.pdf", data, content_type="application/pdf")


@pytest.mark.parametrize(("make", "code"), BAD)
def test_api_refuses_broken_pdfs_on_registration_and_drafts(docs_org, make, code):
    clerk, officer = _bearer(docs_org["clerk"]), _bearer(docs_org["officer"])
    before = _counts()
    r = clerk.post("/api/v1/documents/incoming", {
        "data": json.dumps(incoming_data(), ensure_ascii=False), "file": _upload(make())})
    assert r.status_code == 422, r.content
    body = r.json()
    assert set(body) == {"code", "message", "fields"} and body["code"] == code
    assert body["fields"]["file"]
    r = officer.post("/api/v1/documents/outgoing", {
        "data": json.dumps(draft_data(docs_org)), "file": _upload(make())})
    assert r.status_code == 422, r.content
    assert r.json()["code"] == code and r.json()["fields"]["file"]
    assert _counts() == before, list(AuditEvent.objects.values_list("action", flat=True))


@pytest.mark.parametrize(("make", "code"), BAD)
def test_web_forms_show_the_reason_by_the_file_field(docs_org, make, code):
    o = docs_org
    before = _counts()
    clerk = Client()
    clerk.force_login(o["clerk"])
    data = {k: v for k, v in incoming_data().items() if v is not None}
    r = clerk.post("/documents/incoming/new/", {**data, "file": _upload(make())})
    assert r.status_code == 422
    html = r.content.decode()
    assert 'id="id_file_error"' in html and "PDF" in html
    officer = Client()
    officer.force_login(o["officer"])
    r = officer.post(reverse("documents:outgoing_new"), {
        "type_code": "QD", "subject": "Quyết định thử", "file": _upload(make()),
        "signer_id": str(o["leader"].pk), "urgency": "normal", "copies": "1",
        "recipients_units": [str(o["justice"].pk)]})
    assert r.status_code == 422 and 'id="id_file_error"' in r.content.decode()
    assert _counts() == before, list(AuditEvent.objects.values_list("action", flat=True))


def test_active_content_is_flagged_on_the_page_and_in_the_api(docs_org, register_incoming):
    doc = register_incoming(pdf=pdf_with("launch"))
    assert doc.file.active_content == ["launch"]
    clerk = Client()
    clerk.force_login(docs_org["clerk"])
    html = clerk.get(f"/documents/incoming/{doc.pk}/").content.decode()
    assert 'data-testid="active-content"' in html
    assert "doc-incoming-pdf" not in html  # no inline preview
    r = clerk.get(f"/documents/incoming/{doc.pk}/file/")
    assert r["Content-Disposition"].startswith("attachment")
    assert r["Content-Security-Policy"] == "sandbox"
    r = _bearer(docs_org["clerk"]).get(f"/api/v1/documents/incoming/{doc.pk}")
    assert r.status_code == 200 and r.json()["active_content"] == ["launch"]

    plain = register_incoming()
    html = clerk.get(f"/documents/incoming/{plain.pk}/").content.decode()
    assert 'data-testid="active-content"' not in html and "doc-incoming-pdf" in html
    assert _bearer(docs_org["clerk"]).get(
        f"/api/v1/documents/incoming/{plain.pk}").json()["active_content"] == []


def test_a_draft_with_javascript_is_flagged(docs_org):
    officer = _bearer(docs_org["officer"])
    r = officer.post("/api/v1/documents/outgoing", {
        "data": json.dumps(draft_data(docs_org)), "file": _upload(pdf_with("javascript"))})
    assert r.status_code == 201, r.content
    doc = OutgoingDocument.objects.get()
    version = r.json()["versions"][0] if "versions" in r.json() else None
    detail = officer.get(f"/api/v1/documents/outgoing/{doc.pk}").json()
    assert set(detail["versions"][0]["active_content"]) == {"javascript", "auto_action"}
    assert version is None or version["active_content"]
    web = Client()
    web.force_login(docs_org["officer"])
    html = web.get(reverse("documents:outgoing_detail", args=[doc.pk])).content.decode()
    assert 'data-testid="active-content"' in html and "doc-outgoing-preview" not in html
