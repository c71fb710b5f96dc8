"""Incoming documents, pages: the registration desk, the list, the leader's queue with one-click
assignment, the officer's work, the document page and its action forms, query counts."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from egov.core.models import StoredFile
from egov.documents.models import IncomingDocument
from egov.documents.services import incoming as svc
from tests.documents.conftest import incoming_data, unique_pdf

pytestmark = pytest.mark.django_db


def desk_post(client, pdf=None, **overrides):
    data = {k: v for k, v in incoming_data(**overrides).items() if v is not None}
    if pdf is not False:
        data["file"] = SimpleUploadedFile("scan.pdf", pdf or unique_pdf(), "application/pdf")
    return client.post("/documents/incoming/new/", data)


def test_desk_registers_and_comes_back_for_the_next_document(client, docs_org):
    client.force_login(docs_org["clerk"])
    page = client.get("/documents/incoming/new/").content.decode()
    assert 'enctype="multipart/form-data"' in page and "autofocus" in page
    assert 'id="doc-incoming-preview"' in page and "documents-incoming.js" in page
    # The most common type first in the select (công văn).
    options = re.findall(r'<option value="([A-Z_]+)"', page)
    assert options[:3] == ["CV", "QD", "TB"]
    r = desk_post(client, urgency="urgent")
    assert r.status_code == 302 and r["Location"] == "/documents/incoming/new/"
    doc = IncomingDocument.objects.get()
    page = client.get("/documents/incoming/new/").content.decode()
    assert f"/documents/incoming/{doc.pk}/" in page
    assert "1" in page  # the arrival number in the success message


def test_desk_shows_errors_by_the_field(client, docs_org):
    client.force_login(docs_org["clerk"])
    r = desk_post(client, issuer_name="", subject="", issued_date="2999-01-01")
    assert r.status_code == 422
    html = r.content.decode()
    for name in ["issuer_name", "subject", "issued_date"]:
        assert f'id="id_{name}_error"' in html
    assert "error-summary" in html
    # The chosen PDF is kept across the errors (issue 9 §5; it used to say "choose it again").
    assert "scan.pdf" in html and 'name="file_token"' in html
    assert not IncomingDocument.objects.exists()
    r = desk_post(client, pdf=False)
    assert 'id="id_file_error"' in r.content.decode()


def test_desk_refuses_secret_documents_with_the_reason(client, docs_org):
    client.force_login(docs_org["clerk"])
    r = desk_post(client, secrecy="secret")
    assert r.status_code == 422
    html = r.content.decode()
    assert 'id="id_secrecy_error"' in html and "Điều 5" in html
    assert not IncomingDocument.objects.exists() and not StoredFile.objects.exists()


def test_desk_duplicate_warning_and_confirmation(client, docs_org):
    client.force_login(docs_org["clerk"])
    data = {"number": "9", "notation": "UBND-KT", "issued_date": "2026-01-02"}
    assert desk_post(client, **data).status_code == 302
    first = IncomingDocument.objects.get()
    r = desk_post(client, **data)
    assert r.status_code == 422
    html = r.content.decode()
    assert 'id="duplicate-warning"' in html and 'name="confirm_duplicate"' in html
    assert f"/documents/incoming/{first.pk}/" in html
    assert IncomingDocument.objects.count() == 1
    assert desk_post(client, confirm_duplicate="on", **data).status_code == 302
    assert IncomingDocument.objects.latest("pk").duplicate_of == first


def test_list_filters_and_urgent_flag(client, docs_org, register_incoming):
    register_incoming(subject="Công văn thường")
    register_incoming(subject="Công điện hỏa tốc", urgency="flash")
    client.force_login(docs_org["clerk"])
    html = client.get("/documents/incoming/").content.decode()
    assert "Công văn thường" in html and "Công điện hỏa tốc" in html
    assert 'data-urgency="flash"' in html and "doc-incoming-row--urgent" in html
    html = client.get("/documents/incoming/?urgency=urgent_any").content.decode()
    assert "Công điện hỏa tốc" in html and "Công văn thường" not in html
    r = client.get("/documents/incoming/?cursor=garbage")
    assert r.status_code == 302


def test_queue_one_click_assignment(client, docs_org, register_incoming):
    doc = register_incoming(urgency="very_urgent")
    normal = register_incoming()
    client.force_login(docs_org["leader"])
    html = client.get("/documents/incoming/queue/").content.decode()
    assert html.index(doc.subject) < html.index(normal.subject)  # urgent first
    # The proposed deadline is prefilled.
    assert f'value="{doc.handling_due_date.isoformat()}"' in html
    assert f'name="doc{doc.pk}-lead_unit"' in html
    r = client.post(f"/documents/incoming/{doc.pk}/assign/", {
        f"doc{doc.pk}-lead_unit": docs_org["economy"].pk,
        f"doc{doc.pk}-support_units": [docs_org["office"].pk],
        f"doc{doc.pk}-instruction": "Giao Phòng Kinh tế chủ trì",
        f"doc{doc.pk}-due_date": doc.handling_due_date.isoformat(),
        "next": "/documents/incoming/queue/"})
    assert r.status_code == 302 and r["Location"] == "/documents/incoming/queue/"
    roles = dict(doc.assignments.values_list("assignee_unit__name", "role"))
    assert roles == {"Phòng Kinh tế": "lead", docs_org["office"].name: "support"}
    html = client.get("/documents/incoming/queue/").content.decode()
    assert doc.subject not in html and normal.subject in html
    # An unsafe "next" is ignored.
    r = client.post(f"/documents/incoming/{normal.pk}/assign/", {
        f"doc{normal.pk}-lead_unit": docs_org["economy"].pk, "next": "https://evil.example/"})
    assert r["Location"] == f"/documents/incoming/{normal.pk}/"


def test_assign_form_errors_are_shown_on_the_document_page(client, docs_org, register_incoming):
    doc = register_incoming()
    client.force_login(docs_org["leader"])
    r = client.post(f"/documents/incoming/{doc.pk}/assign/", {
        f"doc{doc.pk}-support_units": [docs_org["office"].pk]})
    assert r.status_code == 422
    html = r.content.decode()
    assert f'id="id_doc{doc.pk}-lead_unit_error"' in html
    r = client.post(f"/documents/incoming/{doc.pk}/assign/", {
        f"doc{doc.pk}-lead_unit": docs_org["economy"].pk,
        f"doc{doc.pk}-due_date": "2020-01-01"})
    assert r.status_code == 422 and f'id="id_doc{doc.pk}-due_date_error"' in r.content.decode()
    assert not doc.assignments.exists()


def test_document_page_flow_and_trail(client, docs_org, register_incoming):
    doc = register_incoming(urgency="urgent")
    lead = svc.incoming_assign(actor=docs_org["leader"], document=doc, instruction="Làm ngay",
                               assignments=[{"unit_id": docs_org["economy"].pk,
                                             "role": "lead"}])[0]
    client.force_login(docs_org["unit_head"])
    html = client.get(f"/documents/incoming/{doc.pk}/").content.decode()
    assert "Làm ngay" in html and f"/documents/incoming/{doc.pk}/assignments/{lead.pk}/reassign/" \
        in html
    assert '<iframe class="doc-incoming-pdf"' in html and "?download=1" in html
    assert "doc-trail__event--assigned" in html
    r = client.post(f"/documents/incoming/{doc.pk}/assignments/{lead.pk}/reassign/", {
        f"re{lead.pk}-to_user_id": ""})
    assert r.status_code == 422 and f'id="id_re{lead.pk}-to_user_id_error"' in r.content.decode()
    r = client.post(f"/documents/incoming/{doc.pk}/assignments/{lead.pk}/reassign/", {
        f"re{lead.pk}-to_user_id": docs_org["officer"].pk})
    assert r.status_code == 302
    child = doc.assignments.get(parent=lead)
    client.force_login(docs_org["officer"])
    html = client.get("/documents/incoming/mine/").content.decode()
    assert doc.subject in html
    html = client.get(f"/documents/incoming/{doc.pk}/").content.decode()
    assert f"/assignments/{child.pk}/complete/" in html
    assert f"/assignments/{lead.pk}/complete/" not in html  # passed on: the child acts
    r = client.post(f"/documents/incoming/{doc.pk}/assignments/{child.pk}/return/", {
        f"rt{child.pk}-reason": ""})
    assert r.status_code == 422
    r = client.post(f"/documents/incoming/{doc.pk}/assignments/{child.pk}/complete/", {
        f"co{child.pk}-result": "Đã xử lý xong"})
    assert r.status_code == 302
    doc.refresh_from_db()
    assert doc.state == "done"
    html = client.get(f"/documents/incoming/{doc.pk}/").content.decode()
    for action in ["registered", "presented", "assigned", "reassigned", "completed", "viewed"]:
        assert f"doc-trail__event--{action}" in html
    assert "Đã xử lý xong" in html
    assert client.post(f"/documents/incoming/{doc.pk}/assignments/{child.pk}/nope/").status_code \
        == 404


def test_preview_is_inline_with_the_token_and_a_download_otherwise(client, docs_org,
                                                                   register_incoming):
    doc = register_incoming()
    client.force_login(docs_org["clerk"])
    html = client.get(f"/documents/incoming/{doc.pk}/").content.decode()
    src = re.search(r'<iframe class="doc-incoming-pdf" src="([^"]+)"', html).group(1)
    src = src.replace("&amp;", "&")
    before = doc.events.count()
    r = client.get(src)
    assert r.status_code == 200 and r["Content-Disposition"].startswith("inline")
    assert r["X-Frame-Options"] == "SAMEORIGIN"
    assert doc.events.count() == before  # part of the recorded page view
    r = client.get(f"/documents/incoming/{doc.pk}/file/?download=1")
    assert r["Content-Disposition"].startswith("attachment")
    assert doc.events.latest("pk").action == "downloaded"
    # Another user's token does not give an unrecorded view.
    client.force_login(docs_org["leader"])
    r = client.get(src)
    assert r["Content-Disposition"].startswith("attachment")
    assert doc.events.latest("pk").actor == docs_org["leader"]


def test_recalled_document_shows_only_the_recall(client, docs_org, register_incoming):
    doc = register_incoming(subject="Nội dung sẽ bị thu hồi")
    svc.incoming_cancel(document=doc, reason="Văn bản ban hành sai thẩm quyền")
    client.force_login(docs_org["leader"])
    html = client.get(f"/documents/incoming/{doc.pk}/").content.decode()
    assert "Văn bản ban hành sai thẩm quyền" in html
    assert "Nội dung sẽ bị thu hồi" not in html and "<iframe" not in html
    assert client.get(f"/documents/incoming/{doc.pk}/file/").status_code == 404
    html = client.get("/documents/incoming/").content.decode()
    assert "Nội dung sẽ bị thu hồi" not in html


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200, url
    return len(ctx.captured_queries)


def test_page_query_counts_are_constant(client, docs_org, register_incoming):
    first = register_incoming()
    svc.incoming_assign(actor=docs_org["leader"], document=first, instruction="",
                        assignments=[{"unit_id": docs_org["economy"].pk, "role": "lead"}])
    register_incoming(urgency="urgent")
    client.force_login(docs_org["leader"])
    urls = ["/documents/incoming/", "/documents/incoming/queue/", "/documents/incoming/mine/",
            f"/documents/incoming/{first.pk}/"]
    for url in urls:
        client.get(url)  # warm the session and caches
    small = [_count(client, url) for url in urls]
    for i in range(10):
        doc = register_incoming(urgency="flash" if i % 2 else "normal")
        if i % 3 == 0:
            svc.incoming_assign(actor=docs_org["leader"], document=doc, instruction="",
                                assignments=[{"unit_id": docs_org["economy"].pk,
                                              "role": "lead"}])
    svc.incoming_assign(actor=docs_org["leader"], document=first, instruction="",
                        assignments=[{"unit_id": docs_org["office"].pk, "role": "support"}])
    large = [_count(client, url) for url in urls]
    assert large == small, (small, large)
    assert max(large) <= 30
