"""Pages of outgoing documents: drafting form, lists and queues, the document page with its
buttons per permission, actions, files."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from egov.documents.models import OutgoingDocument, OutgoingState
from egov.documents.services import outgoing as svc
from tests.documents.conftest import unique_pdf
from tests.documents.test_outgoing_support import approved, issued, make_draft

pytestmark = pytest.mark.django_db


@pytest.fixture
def browse(docs_org):
    def _client(who: str) -> Client:
        client = Client()
        client.force_login(docs_org[who])
        return client

    return _client


def _form(o, **overrides) -> dict:
    data = {
        "type_code": "QD", "subject": "Quyết định về việc phê duyệt kế hoạch năm 2026",
        "file": SimpleUploadedFile("du-thao.pdf", unique_pdf("form"),
                                   content_type="application/pdf"),
        "signer_id": str(o["leader"].pk), "signer_capacity": "", "urgency": "normal",
        "copies": "1", "recipients_units": [str(o["justice"].pk)],
        "recipients_external": "Công ty TNHH Ánh Dương <ad@example.com>\nBáo Thử Nghiệm",
    }
    data.update(overrides)
    return data


def test_drafting_form(browse, docs_org):
    o = docs_org
    client = browse("officer")
    page = client.get(reverse("documents:outgoing_new"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="file"' in html and 'enctype="multipart/form-data"' in html
    signers = re.search(r'<select name="signer_id".*?</select>', html, re.S).group(0)
    assert f'value="{o["leader"].pk}"' in signers
    # A checklist (checkboxes, no Ctrl-click; issue 9 §5), not a <select multiple>.
    units = re.search(r'<fieldset class="checklist"[^>]*id="id_recipients_units".*?</fieldset>',
                      html, re.S).group(0)
    assert 'type="checkbox" name="recipients_units"' in units
    assert f'value="{o["justice"].pk}"' in units  # another agency
    assert f'value="{o["office"].pk}"' not in units  # not a unit of its own agency
    response = client.post(reverse("documents:outgoing_new"), _form(o))
    assert response.status_code == 302
    doc = OutgoingDocument.objects.get()
    assert response["Location"] == reverse("documents:outgoing_detail", args=[doc.pk])
    assert list(doc.recipients.order_by("id").values_list("name", "email")) == [
        ("Sở Tư pháp", ""), ("Công ty TNHH Ánh Dương", "ad@example.com"),
        ("Báo Thử Nghiệm", "")]


def test_drafting_form_shows_errors_next_to_the_fields(browse, docs_org, make_user):
    o = docs_org
    client = browse("officer")
    response = client.post(reverse("documents:outgoing_new"),
                           _form(o, subject="", file="",
                                 recipients_external="Tên <khong-phai-email>"))
    assert response.status_code == 422
    html = response.content.decode()
    for field in ("recipients_external", "subject", "file"):
        assert f'id="id_{field}_error"' in html, field
    assert not OutgoingDocument.objects.exists()
    response = client.post(reverse("documents:outgoing_new"), _form(o, subject=""))
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="id_subject_error"' in html and 'role="alert"' in html
    response = client.post(reverse("documents:outgoing_new"), _form(o, file=SimpleUploadedFile(
        "x.pdf", b"not a pdf at all")))
    assert response.status_code == 422 and 'id="id_file_error"' in response.content.decode()
    agency_drafter = make_user("soanthao", o["province"], "officer")
    client = Client()
    client.force_login(agency_drafter)
    response = client.post(reverse("documents:outgoing_new"), _form(o, type_code="CV"))
    assert response.status_code == 422
    assert 'id="id_field_abbreviation_error"' in response.content.decode()
    assert not OutgoingDocument.objects.exists()


def test_drafting_needs_the_permission(docs_org, make_user):
    client = Client()
    client.force_login(make_user("khach", docs_org["economy"]))
    assert client.get(reverse("documents:outgoing_new")).status_code == 403


def test_reply_to_is_prefilled(browse, docs_org, register_incoming):
    from egov.documents.services.incoming import incoming_assign

    o = docs_org
    incoming = register_incoming(subject="V/v đề nghị báo cáo số liệu")
    incoming_assign(actor=o["leader"], document=incoming, instruction="Trả lời",
                    assignments=[{"unit_id": o["economy"].pk, "role": "lead"}])
    html = browse("officer").get(reverse("documents:outgoing_new") + f"?reply_to={incoming.pk}"
                                 ).content.decode()
    boxes = re.findall(r'<input[^>]*name="in_reply_to"[^>]*>', html)
    box = next(b for b in boxes if f'value="{incoming.pk}"' in b)
    assert "checked" in box


def _buttons(html: str) -> set[str]:
    return set(re.findall(r'(?:action|href)="/documents/outgoing/\d+/(submit|review|issue|recall|'
                          r'versions|comments|dispatch)/"', html))


def test_document_page_buttons_follow_the_permissions(browse, docs_org):
    o = docs_org
    doc = make_draft(o)
    url = reverse("documents:outgoing_detail", args=[doc.pk])
    assert _buttons(browse("officer").get(url).content.decode()) == {
        "submit", "versions", "comments"}
    assert "submit" not in _buttons(browse("unit_head").get(url).content.decode())
    assert browse("officer2").get(url).status_code == 404
    assert browse("justice_clerk").get(url).status_code == 404

    assert browse("officer").post(reverse("documents:outgoing_submit", args=[doc.pk])
                                  ).status_code == 302
    assert "review" in _buttons(browse("unit_head").get(url).content.decode())
    assert "review" not in _buttons(browse("clerk").get(url).content.decode())

    # Returning without a comment: an error message, nothing recorded.
    response = browse("unit_head").post(reverse("documents:outgoing_review", args=[doc.pk]),
                                        {"step": "content", "decision": "returned"},
                                        follow=True)
    assert response.status_code == 200
    assert doc.approvals.count() == 0
    assert any(m.level_tag == "error" for m in response.context["messages"])
    for who, step in (("unit_head", "content"), ("clerk", "format"), ("leader", "signer")):
        response = browse(who).post(reverse("documents:outgoing_review", args=[doc.pk]),
                                    {"step": step, "decision": "approved"})
        assert response.status_code == 302
    doc.refresh_from_db()
    assert doc.state == OutgoingState.APPROVED
    assert "issue" in _buttons(browse("clerk").get(url).content.decode())
    assert "issue" not in _buttons(browse("leader").get(url).content.decode())
    # No one-click issue of an unsigned document (issue 9 §1): the confirmation page first,
    # and the paper original must be confirmed.
    response = browse("clerk").post(reverse("documents:outgoing_issue", args=[doc.pk]),
                                    {"medium": "paper"})
    assert response.status_code == 422
    doc.refresh_from_db()
    assert doc.state == OutgoingState.APPROVED and not doc.code
    response = browse("clerk").post(reverse("documents:outgoing_issue", args=[doc.pk]),
                                    {"medium": "paper", "confirm_paper": "1"}, follow=True)
    html = response.content.decode()
    assert '<strong id="document-code">01/QĐ-UBND</strong>' in html
    assert "recall" in _buttons(html)


def test_document_page_shows_versions_trail_and_delivery(browse, docs_org,
                                                         django_capture_on_commit_callbacks,
                                                         django_assert_max_num_queries):
    o = docs_org
    with django_capture_on_commit_callbacks(execute=True):
        doc = issued(o, recipients=[{"unit_id": o["justice"].pk},
                                    {"name": "Công ty A", "email": "a@example.com"}])
    svc.outgoing_comment(actor=o["leader"], document=doc, version=doc.versions.get(),
                         text="Phát hành ngay trong ngày.")
    client = browse("leader")
    url = reverse("documents:outgoing_detail", args=[doc.pk])
    with django_assert_max_num_queries(40):
        response = client.get(url)
    html = response.content.decode()
    assert "Phát hành ngay trong ngày." in html
    assert 'class="panel doc-trail"' in html  # the shared trail partial
    incoming = doc.recipients.get(unit=o["justice"]).delivered_incoming
    assert f"{incoming.arrival_number}" in html and "Sở Tư pháp" in html
    assert reverse("documents:outgoing_issued_file", args=[doc.pk]) in html


def test_lists_and_queues(browse, docs_org, django_assert_max_num_queries):
    o = docs_org
    for i in range(3):
        make_draft(o, subject=f"Dự thảo số {i}")
    ready = approved(o)
    client = browse("officer")
    with django_assert_max_num_queries(15) as small:
        assert client.get(reverse("documents:outgoing_list")).status_code == 200
    for i in range(10):
        make_draft(o, subject=f"Thêm {i}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        html = client.get(reverse("documents:outgoing_list")).content.decode()
    assert "Thêm 9" in html
    queue = browse("clerk").get(reverse("documents:outgoing_queue"))
    assert queue.status_code == 200
    assert reverse("documents:outgoing_issue", args=[ready.pk]) in queue.content.decode()
    assert browse("officer").get(reverse("documents:outgoing_queue")).status_code == 403
    reviews = browse("unit_head").get(reverse("documents:outgoing_reviews"))
    assert reviews.status_code == 200
    bad = client.get(reverse("documents:outgoing_list") + "?cursor=%25%25", follow=True)
    assert bad.status_code == 200
    assert any(m.level_tag == "warning" for m in bad.context["messages"])
    response = client.get(reverse("documents:outgoing_list") + "?state=bogus&tab=zzz")
    assert response.status_code == 200


def test_files(browse, docs_org):
    o = docs_org
    doc = make_draft(o, attachments=[("phu-luc.pdf", unique_pdf("pl"))])
    pdf_url = reverse("documents:outgoing_version_pdf", args=[doc.pk, 1])
    response = browse("officer").get(pdf_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["X-Frame-Options"] == "SAMEORIGIN"  # shown in the page's preview frame
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    download = browse("officer").get(pdf_url + "?download=1")
    assert download["Content-Disposition"].startswith("attachment")
    attachment = doc.attachments.get()
    assert browse("officer").get(reverse("documents:outgoing_attachment",
                                         args=[doc.pk, attachment.pk])).status_code == 200
    assert browse("officer2").get(pdf_url).status_code == 404
    assert browse("officer").get(reverse("documents:outgoing_version_pdf",
                                         args=[doc.pk, 7])).status_code == 404
    assert browse("officer").get(reverse("documents:outgoing_issued_file",
                                         args=[doc.pk])).status_code == 404


def test_anonymous_is_sent_to_sign_in(docs_org):
    response = Client().get(reverse("documents:outgoing_list"))
    assert response.status_code == 302 and "/login/" in response["Location"]
