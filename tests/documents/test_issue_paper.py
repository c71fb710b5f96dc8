"""Issue 9 §1: a document without the leader's digital signature is issued only as a paper
original chosen explicitly (409 ``unsigned`` otherwise, nothing changes); a paper issue writes
the number and date into the PDF (a reference copy without a digital signature), the register
records the medium and the public page says the original is on paper."""

from __future__ import annotations

import json
import subprocess

import pytest
from django.test import Client

from egov.core import tokens
from egov.core.models import AuditEvent, Sequence
from egov.documents.models import DocumentEvent, OutgoingDocument, OutgoingState
from egov.documents.selectors import registers as reg
from egov.signing.stamping import issue_date_line
from tests.documents.test_outgoing_support import approved

pytestmark = pytest.mark.django_db

BASE = "/api/v1/documents"


@pytest.fixture
def api(docs_org):
    clients = {}

    def _client(who: str) -> Client:
        if who not in clients:
            _token, raw = tokens.token_create(actor=docs_org[who], name="test")
            clients[who] = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return clients[who]

    return _client


def _post(client, url, payload=None, *, raw=None):
    body = raw if raw is not None else json.dumps(payload if payload is not None else {})
    return client.post(url, body, content_type="application/json")


def _read(stored) -> bytes:
    from egov.core.files import file_open

    with file_open(stored) as fh:
        return fh.read()


def _text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "issued.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"],
                          capture_output=True, text=True, check=True).stdout


def _snapshot(doc):
    doc.refresh_from_db()
    return (doc.state, doc.number, doc.code, doc.issued_file_id, doc.medium,
            DocumentEvent.objects.filter(outgoing=doc).count(),
            AuditEvent.objects.count(), Sequence.objects.count(),
            list(Sequence.objects.values_list("last_value", flat=True)))


@pytest.mark.parametrize("payload", [None, {}, {"medium": "electronic"}, {"medium": ""}])
def test_unsigned_document_without_paper_choice_is_refused_and_nothing_changes(
        api, docs_org, payload):
    doc = approved(docs_org)
    clerk = api("clerk")
    before = _snapshot(doc)
    url = f"{BASE}/outgoing/{doc.pk}/issue"
    response = (clerk.post(url) if payload is None
                else _post(clerk, url, payload))
    assert response.status_code == 409, response.content
    body = response.json()
    assert body["code"] == "unsigned"
    assert "bản giấy" in body["message"] and "ký số" in body["message"]
    assert _snapshot(doc) == before


def test_unsigned_message_is_vietnamese_by_default(api, docs_org):
    doc = approved(docs_org)
    response = api("clerk").post(f"{BASE}/outgoing/{doc.pk}/issue", "{}",
                                 content_type="application/json", HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 409
    assert "bản giấy" in response.json()["message"]


@pytest.mark.parametrize("payload", [{"medium": "fax"}, {"medium": 5}, {"medium": "PAPER"},
                                     {"medium": "x" * 40}])
def test_bad_medium_is_422_with_the_field(api, docs_org, payload):
    doc = approved(docs_org)
    clerk = api("clerk")
    before = _snapshot(doc)
    response = _post(clerk, f"{BASE}/outgoing/{doc.pk}/issue", payload)
    assert response.status_code in (400, 422), response.content
    body = response.json()
    assert "medium" in json.dumps(body["fields"]), body
    assert _snapshot(doc) == before


def test_paper_issue_numbers_the_reference_copy_and_records_the_medium(api, docs_org, tmp_path):
    o = docs_org
    doc = approved(o)
    response = _post(api("clerk"), f"{BASE}/outgoing/{doc.pk}/issue", {"medium": "paper"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["code"] == "01/QĐ-UBND" and body["medium"] == "paper"
    doc.refresh_from_db()
    assert doc.state == OutgoingState.ISSUED and doc.medium == "paper"
    assert doc.issued_file.derivation == "paper_copy"
    pdf = _read(doc.issued_file)
    text = _text(pdf, tmp_path)
    assert "Số: 01/QĐ-UBND" in text
    assert issue_date_line(o["province"].place_name, doc.issued_date) in text
    assert "Mã xác thực" in text  # the verification mark leads to the public page
    from egov.signing.verify import verify_pdf

    assert verify_pdf(pdf).signatures == []  # no digital signature on a paper original's copy
    event = DocumentEvent.objects.filter(outgoing=doc, action="issued").latest("pk")
    assert event.details["medium"] == "paper" and event.details["digital_signature"] is False
    detail = api("clerk").get(f"{BASE}/outgoing/{doc.pk}").json()
    assert detail["medium"] == "paper"


def test_register_records_the_medium_in_page_and_exports(api, docs_org):
    o = docs_org
    doc = approved(o)
    assert _post(api("clerk"), f"{BASE}/outgoing/{doc.pk}/issue",
                 {"medium": "paper"}).status_code == 200
    doc.refresh_from_db()
    page = reg.outgoing_register_rows(actor=o["clerk"], agency=o["province"], year=doc.year,
                                      filters=reg.parse_filters({}), cursor=None, limit=10)
    (row,) = page.items
    notes = {c.key: v for c, v in row.cells}["notes"]
    assert "Bản gốc giấy" in notes
    from egov.documents import exports

    xlsx = exports.table_xlsx([row], reg.OUTGOING_COLUMNS, {"title": "Sổ", "year": doc.year})
    import io

    from openpyxl import load_workbook

    cells = [c for r in load_workbook(io.BytesIO(xlsx)).active.iter_rows(values_only=True)
             for c in r if c]
    assert any("Bản gốc giấy" in str(c) for c in cells)


def test_public_page_says_original_on_paper_and_never_invalid(api, docs_org, client):
    o = docs_org
    doc = approved(o)
    assert _post(api("clerk"), f"{BASE}/outgoing/{doc.pk}/issue",
                 {"medium": "paper"}).status_code == 200
    from egov.documents.verification_codes import codes_of

    vc = codes_of(OutgoingDocument.objects.get(pk=doc.pk)).get()
    client.cookies["egov_language"] = "en"
    html = client.get(f"/verify/c/{vc.code}/").content.decode()
    assert "original of this document was issued on paper" in html
    assert "carries no digital signature" in html
    assert "✘" not in html and "Not valid" not in html
    client.cookies["egov_language"] = "vi"
    html_vi = client.get(f"/verify/c/{vc.code}/").content.decode()
    assert "bản giấy" in html_vi and "không có chữ ký số" in html_vi


@pytest.mark.parametrize("raw, status, code", [("{", 400, "malformed_body"),
                                               ("[1]", 422, "invalid"),
                                               ('"paper"', 422, "invalid")])
def test_broken_issue_bodies_are_4xx_and_change_nothing(api, docs_org, raw, status, code):
    doc = approved(docs_org)
    clerk = api("clerk")
    before = _snapshot(doc)
    response = _post(clerk, f"{BASE}/outgoing/{doc.pk}/issue", raw=raw)
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert _snapshot(doc) == before


def test_form_encoded_medium_is_read_too(api, docs_org):
    doc = approved(docs_org)
    response = api("clerk").post(f"{BASE}/outgoing/{doc.pk}/issue", {"medium": "paper"})
    assert response.status_code == 200, response.content
    assert response.json()["medium"] == "paper"


def test_public_api_gives_the_medium(api, docs_org, client):
    doc = approved(docs_org)
    assert _post(api("clerk"), f"{BASE}/outgoing/{doc.pk}/issue",
                 {"medium": "paper"}).status_code == 200
    from egov.documents.verification_codes import codes_of

    vc = codes_of(OutgoingDocument.objects.get(pk=doc.pk)).get()
    body = client.get(f"/api/v1/signing/verify/{vc.code}").json()
    assert body["document"]["medium"] == "paper"
    assert body["report"]["signatures"] == []
