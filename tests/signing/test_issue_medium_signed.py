"""Issue 9 §1, a digitally signed document: issued with `{}` or `{"medium": "electronic"}` as an
electronic original; `{"medium": "paper"}` is accepted too (the register records paper, the PDF
keeps both digital signatures)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from egov.core import tokens
from egov.documents import signing_flow as flow
from egov.documents.selectors import registers as reg
from egov.signing.verify import verify_pdf
from tests.documents.conftest import docs_org  # noqa: F401 (fixture)
from tests.documents.test_outgoing_support import approved
from tests.signing.test_documents_flow import signing_org  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def _issue(o, doc, body):
    _token, raw = tokens.token_create(actor=o["clerk"], name="t")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}").post(
        f"/api/v1/documents/outgoing/{doc.pk}/issue", body, content_type="application/json")


def _read(stored) -> bytes:
    from egov.core.files import file_open

    with file_open(stored) as fh:
        return fh.read()


@pytest.mark.parametrize("body", ["", "{}", json.dumps({"medium": "electronic"})])
def test_signed_document_is_issued_electronically(signing_org, body):  # noqa: F811
    o = signing_org
    doc = approved(o)
    flow.sign_approval(actor=o["leader"], document=doc)
    response = _issue(o, doc, body)
    assert response.status_code == 200, response.content
    assert response.json()["medium"] == "electronic"
    doc.refresh_from_db()
    assert doc.medium == "electronic"
    page = reg.outgoing_register_rows(actor=o["clerk"], agency=o["province"], year=doc.year,
                                      filters=reg.parse_filters({}), cursor=None, limit=5)
    notes = {c.key: v for c, v in page.items[0].cells}["notes"]
    assert "Văn bản điện tử" in notes


def test_signed_document_may_be_issued_on_paper(signing_org):  # noqa: F811
    o = signing_org
    doc = approved(o)
    flow.sign_approval(actor=o["leader"], document=doc)
    response = _issue(o, doc, json.dumps({"medium": "paper"}))
    assert response.status_code == 200, response.content
    doc.refresh_from_db()
    assert doc.medium == "paper"
    report = verify_pdf(_read(doc.issued_file))
    assert report.valid and len(report.signatures) == 2
