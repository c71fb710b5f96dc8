"""Issue 9 §5: "Soạn văn bản trả lời" on the incoming page (prefilled drafting form, the link on
both documents) and the print views of the phiếu giải quyết văn bản đến and the phiếu trình
(HTML with an A4 print stylesheet, and PDF)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess

import pytest
from django.test import Client
from django.urls import reverse

from egov.documents.models import IncomingDocument, OutgoingDocument
from egov.documents.services import incoming as isvc
from tests.documents.test_outgoing_support import approve, make_draft

pytestmark = pytest.mark.django_db


def _client(user, lang: str | None = None) -> Client:
    client = Client()
    client.force_login(user)
    if lang:
        client.post("/i18n/setlang/", {"language": lang, "next": "/"})
    return client


def _assigned(o, register_incoming):
    doc = register_incoming(subject="V/v đề nghị báo cáo số liệu đất đai", number="77",
                            notation="BNV-VP", issued_date="2026-01-05")
    lead_due = doc.handling_due_date + dt.timedelta(days=10)
    own = doc.handling_due_date + dt.timedelta(days=4)
    isvc.incoming_assign(actor=o["leader"], document=doc, instruction="Phòng Kinh tế chủ trì",
                         assignments=[
                             {"unit_id": o["economy"].pk, "role": "lead",
                              "due_date": lead_due.isoformat()},
                             {"unit_id": o["office"].pk, "role": "support",
                              "due_date": own.isoformat()}])
    return doc, lead_due, own


# --- reply ----------------------------------------------------------------------------------------


def test_incoming_page_has_a_reply_button_prefilling_the_draft(docs_org, register_incoming):
    o = docs_org
    doc, _lead, _own = _assigned(o, register_incoming)
    officer = _client(o["officer"])
    html = officer.get(f"/documents/incoming/{doc.pk}/").content.decode()
    url = f"{reverse('documents:outgoing_new')}?reply_to={doc.pk}"
    assert f'href="{url}"' in html
    form = officer.get(url).content.decode()
    subject = re.search(r'<textarea name="subject"[^>]*>(.*?)</textarea>', form, re.S).group(1)
    assert subject.strip() == ("V/v trả lời công văn số 77/BNV-VP ngày 05/01/2026 "
                               "của Bộ Nội vụ")
    box = next(b for b in re.findall(r'<input[^>]*name="in_reply_to"[^>]*>', form)
               if f'value="{doc.pk}"' in b)
    assert "checked" in box
    # The sender is outside eGov: named as an external recipient.
    external = re.search(r'<textarea name="recipients_external"[^>]*>(.*?)</textarea>', form,
                         re.S).group(1)
    assert external.strip() == "Bộ Nội vụ"


def test_reply_to_a_sender_inside_egov_addresses_that_agency(docs_org, register_incoming):
    o = docs_org
    doc, _lead, _own = _assigned(o, register_incoming)
    IncomingDocument.objects.filter(pk=doc.pk).update(issuer_unit=o["justice"],
                                                      issuer_name="Sở Tư pháp")
    form = _client(o["officer"]).get(
        f"{reverse('documents:outgoing_new')}?reply_to={doc.pk}").content.decode()
    box = next(b for b in re.findall(r'<input[^>]*name="recipients_units"[^>]*>', form)
               if f'value="{o["justice"].pk}"' in b)
    assert "checked" in box


def test_the_link_is_shown_on_both_documents(docs_org, register_incoming, make_user):
    o = docs_org
    doc, _lead, _own = _assigned(o, register_incoming)
    reply = make_draft(o, subject="V/v trả lời công văn số 77/BNV-VP", in_reply_to=[doc.pk])
    officer = _client(o["officer"])
    html = officer.get(f"/documents/incoming/{doc.pk}/").content.decode()
    assert f'href="/documents/outgoing/{reply.pk}/"' in html
    html = officer.get(f"/documents/outgoing/{reply.pk}/").content.decode()
    assert f'href="/documents/incoming/{doc.pk}/"' in html
    # No reply button for a reader who may not draft (a member of the lead unit, no role).
    page = _client(make_user("khach", o["economy"])).get(f"/documents/incoming/{doc.pk}/")
    assert page.status_code == 200 and "?reply_to=" not in page.content.decode()


# --- print views ----------------------------------------------------------------------------------


def _pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "slip.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True,
                         capture_output=True)
    return out.stdout.decode()


def test_incoming_handling_slip(docs_org, register_incoming, tmp_path):
    o = docs_org
    doc, lead_due, own = _assigned(o, register_incoming)
    leader = _client(o["leader"])
    html = leader.get(f"/documents/incoming/{doc.pk}/").content.decode()
    url = reverse("documents:print_incoming_slip", args=[doc.pk])
    assert f'href="{url}"' in html
    page = leader.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    for expected in ["PHIẾU GIẢI QUYẾT VĂN BẢN ĐẾN", "Ý kiến của lãnh đạo cơ quan",
                     "Phòng Kinh tế chủ trì", "Trần Văn Chủ Tịch", "Chủ trì", "Phối hợp",
                     "Phòng Kinh tế", lead_due.strftime("%d/%m/%Y"), own.strftime("%d/%m/%Y"),
                     "V/v đề nghị báo cáo số liệu đất đai", "77/BNV-VP", "Quá trình xử lý",
                     "slip.css"]:
        assert expected in text, expected
    if shutil.which("pdftotext"):
        pdf = leader.get(url + "?format=pdf")
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
        content = _pdf_text(pdf.content, tmp_path)
        for expected in ["PHIẾU GIẢI QUYẾT VĂN BẢN ĐẾN", "Trần Văn Chủ Tịch", "Phối hợp",
                         own.strftime("%d/%m/%Y"), "đề nghị báo cáo số liệu đất đai"]:
            assert expected in content, (expected, content[:500])


def test_slip_is_vietnamese_in_an_english_page(docs_org, register_incoming):
    o = docs_org
    doc, _lead, _own = _assigned(o, register_incoming)
    page = _client(o["leader"], "en").get(
        reverse("documents:print_incoming_slip", args=[doc.pk])).content.decode()
    assert "Back to the document" in page and "PHIẾU GIẢI QUYẾT VĂN BẢN ĐẾN" in page
    assert 'lang="vi"' in page


def test_slip_needs_the_right_to_see_the_document(docs_org, register_incoming):
    o = docs_org
    doc, _lead, _own = _assigned(o, register_incoming)
    url = reverse("documents:print_incoming_slip", args=[doc.pk])
    assert _client(o["justice_clerk"]).get(url).status_code == 404
    assert _client(o["justice_clerk"]).get(url + "?format=pdf").status_code == 404
    assert Client().get(url).status_code == 302


def test_submission_slip(docs_org, tmp_path):
    o = docs_org
    draft = approve(o, make_draft(o, subject="Quyết định phê duyệt kế hoạch chuyển đổi số"))
    officer = _client(o["officer"])
    html = officer.get(f"/documents/outgoing/{draft.pk}/").content.decode()
    url = reverse("documents:print_submission_slip", args=[draft.pk])
    assert f'href="{url}"' in html
    text = officer.get(url).content.decode()
    for expected in ["PHIẾU TRÌNH", "Quyết định phê duyệt kế hoạch chuyển đổi số",
                     "Nguyễn Thị Chuyên", "Phạm Văn Trưởng", "Lê Thị Văn Thư",
                     "Trần Văn Chủ Tịch", "Ý kiến của người ký"]:
        assert expected in text, expected
    if shutil.which("pdftotext"):
        content = _pdf_text(officer.get(url + "?format=pdf").content, tmp_path)
        assert "PHIẾU TRÌNH" in content and "Nguyễn Thị Chuyên" in content
    assert _client(o["justice_clerk"]).get(url).status_code == 404
    assert OutgoingDocument.objects.count() == 1
