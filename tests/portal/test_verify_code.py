"""The public page of a verification code /verify/c/<code>/ (the QR code's target), the code
form on /verify/, the API GET /api/v1/signing/verify/{code} and their rate limits."""

from __future__ import annotations

import hashlib

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from egov.core import throttle
from egov.documents import signing_flow as flow
from egov.documents.models import OutgoingState
from egov.documents.services import outgoing as svc
from egov.signing import verification_codes as vcodes
from egov.signing.models import VerificationCode
from tests.documents.conftest import docs_org  # noqa: F401 (fixture)
from tests.documents.test_outgoing_support import approved, issued
from tests.signing._verify_fixtures import blank_pdf
from tests.signing.conftest import test_pki  # noqa: F401 (fixture)
from tests.signing.test_documents_flow import _read, signing_org  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate-limit counters and cached reports live in the (database) cache."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def english(client):
    client.cookies["egov_language"] = "en"
    return client


@pytest.fixture
def signed_issued(signing_org):  # noqa: F811
    """An outgoing document signed by the leader and issued with the agency's signature."""
    o = signing_org
    doc = approved(o)
    flow.sign_approval(actor=o["leader"], document=doc)
    doc.refresh_from_db()
    svc.outgoing_issue(actor=o["clerk"], document=doc)
    doc.refresh_from_db()
    return doc


def _vc(doc) -> VerificationCode:
    return VerificationCode.objects.get(subject_kind="documents.outgoing", subject_id=doc.pk)


def _page(code: str) -> str:
    return f"/verify/c/{code}/"


def _upload(data: bytes, name: str = "ban-cua-toi.pdf"):
    return {"file": SimpleUploadedFile(name, data, "application/pdf")}


# ---------------------------------------------------------------- the page


def test_code_page_shows_the_document_and_the_report(english, signed_issued):
    doc = signed_issued
    vc = _vc(doc)
    r = english.get(_page(vc.code))
    assert r.status_code == 200
    html = r.content.decode()
    assert f'data-field="code">{vcodes.display(vc.code)}<' in html
    assert 'data-field="number">01/QĐ-UBND<' in html
    assert f'data-field="issued_date">{doc.issued_date:%d/%m/%Y}<' in html
    assert f'data-field="agency">{doc.agency.name}<' in html
    assert f'data-field="type">{doc.doc_type.name}<' in html
    assert doc.subject in html
    assert f'data-field="sha256">{doc.issued_file.sha256}<' in html
    assert doc.issued_file.sha256 == hashlib.sha256(_read(doc.issued_file)).hexdigest()
    assert 'data-state="issued"' in html and 'data-testid="state-issued"' in html
    # the same report as the upload form: both signatures, valid and trusted
    assert 'data-verdict="valid"' in html
    assert html.count('class="panel signature-report" data-valid="true"') == 2
    assert "Trần Văn Lãnh" in html and "UBND tỉnh Minh Phong" in html
    # the PDF itself is not published
    from django.urls import reverse

    assert reverse("documents:outgoing_issued_file", args=[doc.pk]) not in html
    assert doc.issued_file.file.name not in html and doc.issued_file.original_name not in html
    assert r.context["issued"]["report"].valid


def test_code_page_in_vietnamese_by_default(client, signed_issued):
    r = client.get(_page(_vc(signed_issued).code))
    assert r.status_code == 200
    assert '<html lang="vi">' in r.content.decode()


def test_typed_code_is_normalised_and_redirected(client, signed_issued):
    code = _vc(signed_issued).code
    typed = vcodes.display(code).lower().replace("1", "l").replace("0", "o")
    r = client.get(_page(typed))
    assert r.status_code == 302 and r["Location"] == _page(code)
    # the code form on /verify/
    r = client.get("/verify/", {"code": f"  {vcodes.display(code).lower()} "})
    assert r.status_code == 302 and r["Location"] == _page(code)


def test_code_form_errors_by_the_field(english):
    r = english.get("/verify/", {"code": "ABC"})
    assert r.status_code == 200
    html = r.content.decode()
    assert 'id="id_code_error"' in html and "10 letters and digits" in html
    r = english.get("/verify/")
    assert 'name="code"' in r.content.decode() and 'id="id_file"' in r.content.decode()


def test_unknown_code_is_404(english):
    r = english.get(_page("ZZZZZ99999"))
    assert r.status_code == 404
    html = r.content.decode()
    assert 'data-testid="unknown-code"' in html and "Unknown verification code" in html
    assert english.get(_page("not-a-code")).status_code == 404


def test_code_of_a_document_not_yet_issued_is_unknown(client, signing_org):  # noqa: F811
    o = signing_org
    doc = approved(o)
    flow.sign_approval(actor=o["leader"], document=doc)
    vc = _vc(doc)  # drawn at stage 1, printed in the PDF, but not issued yet
    assert client.get(_page(vc.code)).status_code == 404


def test_recalled_state_is_shown(english, docs_org):  # noqa: F811
    doc = issued(docs_org)
    svc.outgoing_recall(actor=docs_org["clerk"], document=doc, reason="Sai thẩm quyền ban hành")
    doc.refresh_from_db()
    assert doc.state == OutgoingState.RECALLED
    r = english.get(_page(_vc(doc).code))
    assert r.status_code == 200
    html = r.content.decode()
    assert 'data-state="recalled"' in html and 'data-testid="state-recalled"' in html
    assert "Sai thẩm quyền ban hành" in html
    from egov.core.templatetags.egov import vn_datetime

    assert vn_datetime(doc.recalled_at) in html
    # a document issued without a digital signature: the report says so
    assert 'data-verdict="unsigned"' in html


def test_replaced_state_links_the_new_code(english, docs_org):  # noqa: F811
    old = issued(docs_org)
    new = issued(docs_org, replaces_id=old.pk, subject="Quyết định thay thế")
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.state == OutgoingState.REPLACED
    r = english.get(_page(_vc(old).code))
    html = r.content.decode()
    assert 'data-state="replaced"' in html and new.code in html
    assert f'href="{_page(_vc(new).code)}"' in html


# ---------------------------------------------------------------- compare a copy


def test_upload_of_the_issued_file_matches(english, signed_issued):
    doc = signed_issued
    r = english.post(_page(_vc(doc).code), _upload(_read(doc.issued_file)))
    assert r.status_code == 200
    html = r.content.decode()
    assert 'data-same-file="true"' in html and 'data-testid="same-file"' in html
    assert html.count('data-verdict="valid"') == 2  # the issued file's and the upload's


def test_upload_of_another_file_does_not_match(english, signed_issued):
    doc = signed_issued
    leader_only = _read(doc.signed_file)  # a signed PDF, but not the issued one
    r = english.post(_page(_vc(doc).code), _upload(leader_only))
    html = r.content.decode()
    assert r.status_code == 200
    assert 'data-same-file="false"' in html and 'data-testid="other-file"' in html
    assert hashlib.sha256(leader_only).hexdigest() in html
    # not a PDF: an error by the field, never a 500
    r = english.post(_page(_vc(doc).code), _upload(b"hello", "ghi-chu.txt"))
    assert r.status_code == 200 and 'id="id_file_error"' in r.content.decode()
    assert "data-same-file" not in r.content.decode()


# ---------------------------------------------------------------- the API


def test_api_by_code(client, signed_issued):
    doc = signed_issued
    vc = _vc(doc)
    r = client.get(f"/api/v1/signing/verify/{vcodes.display(vc.code).lower()}")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["code"] == vcodes.display(vc.code)
    assert body["document"] == {"number": "01/QĐ-UBND",
                                "issued_date": doc.issued_date.isoformat(),
                                "agency": doc.agency.name, "type": doc.doc_type.name,
                                "subject": doc.subject, "medium": "electronic"}
    assert body["state"] == "issued" and body["replaced_by"] is None
    assert body["sha256"] == doc.issued_file.sha256
    # the same JSON as POST /api/v1/signing/verify with the issued file
    posted = client.post("/api/v1/signing/verify",
                         {"file": SimpleUploadedFile("a.pdf", _read(doc.issued_file))})
    assert posted.status_code == 200
    assert body["report"] == posted.json()
    assert body["report"]["valid"] is True and len(body["report"]["signatures"]) == 2


def test_api_unknown_code_is_404_with_the_error_shape(client):
    r = client.get("/api/v1/signing/verify/ZZZZZ-99999")
    assert r.status_code == 404
    assert set(r.json()) == {"code", "message", "fields"} and r.json()["code"] == "not_found"


# ---------------------------------------------------------------- rate limits


def test_code_lookups_are_rate_limited(english, settings, docs_org):  # noqa: F811
    settings.EGOV_VERIFY_RATE_CODE = "3/600"
    doc = issued(docs_org)
    code = _vc(doc).code
    assert english.get(_page(code)).status_code == 200
    assert english.get(_page("ZZZZZ99999")).status_code == 404  # unknown codes count
    assert english.get(f"/api/v1/signing/verify/{code}").status_code == 200  # API shares it
    r = english.get(_page(code))
    assert r.status_code == 429
    assert 0 < int(r["Retry-After"]) <= 600
    assert 'data-testid="rate-limited"' in r.content.decode()
    r = english.get(f"/api/v1/signing/verify/{code}")
    assert r.status_code == 429 and 0 < int(r["Retry-After"]) <= 600
    assert r.json()["code"] == "rate_limited" and set(r.json()) == {"code", "message", "fields"}
    # another client (REMOTE_ADDR) is not limited; X-Forwarded-For is not honoured
    other = Client(REMOTE_ADDR="203.0.113.9")
    assert other.get(_page(code)).status_code == 200
    spoof = Client(HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert spoof.get(_page(code)).status_code == 429  # 127.0.0.1 as before
    throttle.reset()  # a new window (the counters are rows of egov.core.throttle)
    assert english.get(_page(code)).status_code == 200


def test_uploads_are_rate_limited(english, settings, docs_org):  # noqa: F811
    settings.EGOV_VERIFY_RATE_UPLOAD = "2/600"
    doc = issued(docs_org)
    code = _vc(doc).code
    assert english.post("/verify/", _upload(blank_pdf())).status_code == 200
    assert english.post(_page(code), _upload(blank_pdf())).status_code == 200
    r = english.post("/verify/", _upload(blank_pdf()))
    assert r.status_code == 429 and int(r["Retry-After"]) > 0
    assert english.post(_page(code), _upload(blank_pdf())).status_code == 429
    # lookups have their own budget
    assert english.get(_page(code)).status_code == 200


def test_rate_parsing():
    from egov.signing.ratelimit import parse_rate

    assert parse_rate("30/600") == (30, 600)
    with pytest.raises(ValueError):
        parse_rate("many")


def test_staff_see_the_code_on_the_outgoing_page(client, docs_org):  # noqa: F811
    from django.urls import reverse

    doc = issued(docs_org)
    code = _vc(doc).code
    client.force_login(docs_org["clerk"])
    html = client.get(reverse("documents:outgoing_detail", args=[doc.pk])).content.decode()
    assert f'id="verification-code" href="{_page(code)}">{vcodes.display(code)}</a>' in html
    draft = approved(docs_org, subject="Chưa ban hành")
    vcodes.code_for("documents.outgoing", draft.pk)  # drawn at stage 1; not shown before the issue
    html = client.get(reverse("documents:outgoing_detail", args=[draft.pk])).content.decode()
    assert 'id="verification-code"' not in html
