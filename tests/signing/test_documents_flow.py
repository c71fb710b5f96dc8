"""The two signatures of an outgoing document (components.md §1.2): the leader certifies the
approved PDF (DocMDP FILL_FORMS), the clerk issues — number and date filled and the agency's
signature applied in one incremental update — and both signatures validate (pyHanko, pdfsig)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess

import pytest
from django.test import Client

from egov.core import tokens
from egov.core.errors import InvalidInput
from egov.documents import signing_flow as flow
from egov.documents.models import DocumentEvent, OutgoingState
from egov.documents.services import outgoing as svc
from egov.signing import services
from egov.signing.models import TrustAnchor
from egov.signing.verify import verify_pdf
from tests.documents.conftest import docs_org  # noqa: F401 (fixture)
from tests.documents.test_outgoing_support import approved
from tests.signing.conftest import pdfsig

pytestmark = pytest.mark.django_db

BASE = "/api/v1/documents"


@pytest.fixture
def signing_org(docs_org, test_pki, make_user):  # noqa: F811
    """docs_org with the leader's and the province's key files registered and the test root
    trusted."""
    o = docs_org
    admin = make_user("quantri", o["province"], "admin")
    services.certificate_register_pkcs12(actor=o["leader"], owner_user=o["leader"],
                                         pkcs12=test_pki.leader_p12, password=test_pki.password)
    services.certificate_register_pkcs12(actor=admin, owner_unit=o["province"],
                                         pkcs12=test_pki.org_p12, password=test_pki.password)
    TrustAnchor.objects.create(name="Test root", certificate_der=test_pki.root.der,
                               fingerprint_sha256=test_pki.root.fingerprint_sha256)
    return {**o, "admin": admin}


def _read(stored) -> bytes:
    from egov.core.files import file_open

    with file_open(stored) as fh:
        return fh.read()


def _pdftotext(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def test_issue_date_line_follows_nd30():
    assert flow.issue_date_line("Hà Nội", dt.date(2026, 1, 5)) == "Hà Nội, ngày 05 tháng 01 năm 2026"
    assert flow.issue_date_line("Thử Nghiệm", dt.date(2026, 2, 28)) == \
        "Thử Nghiệm, ngày 28 tháng 02 năm 2026"
    assert flow.issue_date_line("Thử Nghiệm", dt.date(2026, 3, 9)) == \
        "Thử Nghiệm, ngày 09 tháng 3 năm 2026"
    assert flow.issue_date_line("", dt.date(2026, 12, 15)) == "Ngày 15 tháng 12 năm 2026"


def test_two_signatures_from_approval_to_issue(signing_org, nssdb, tmp_path):
    o = signing_org
    doc = approved(o)
    assert doc.state == OutgoingState.APPROVED

    flow.sign_approval(actor=o["leader"], document=doc)
    doc.refresh_from_db()
    assert doc.state == OutgoingState.SIGNED and doc.signed_file.derivation == "signed"
    stage1 = verify_pdf(_read(doc.signed_file))
    assert stage1.valid, stage1.reasons
    (leader,) = stage1.signatures
    assert leader.certifying and leader.trusted and leader.intact
    assert leader.signer == "Trần Văn Lãnh"

    svc.outgoing_issue(actor=o["clerk"], document=doc)
    doc.refresh_from_db()
    assert doc.state == OutgoingState.ISSUED and doc.code == "01/QĐ-UBND"
    assert doc.issued_file.derivation == "issued"
    assert doc.issued_file.derived_from_id == doc.signed_file_id
    issued = _read(doc.issued_file)

    report = verify_pdf(issued)
    assert report.valid, report.reasons
    first, second = report.signatures
    assert first.certifying and first.field == flow.FIELD_LEADER
    assert second.field == flow.FIELD_ORG and not second.certifying
    assert second.signer == "UBND tỉnh Minh Phong" and second.whole_file
    assert all(s.trusted and s.intact and s.valid for s in report.signatures)
    assert first.modification == "FORM_FILLING"

    out = pdfsig(issued, nssdb, tmp_path)
    assert out.count("Signature Validation: Signature is Valid.") == 2, out
    assert "Total document signed" in out

    text = _pdftotext(issued, tmp_path)
    assert "01/QĐ-UBND" in text
    assert flow.issue_date_line(o["province"].place_name, doc.issued_date) in text

    event = DocumentEvent.objects.filter(outgoing=doc, action="issued").latest("pk")
    assert event.details["digital_signature"] is True
    assert event.details["org_signature"] is True


def test_sign_without_certificate_is_refused(docs_org):  # noqa: F811
    doc = approved(docs_org)
    with pytest.raises(InvalidInput) as exc:
        flow.sign_approval(actor=docs_org["leader"], document=doc)
    assert exc.value.code == "no_certificate"
    doc.refresh_from_db()
    assert doc.state == OutgoingState.APPROVED and doc.signed_file_id is None


def test_issue_without_agency_certificate_keeps_leader_signature(signing_org):
    o = signing_org
    doc = approved(o)
    flow.sign_approval(actor=o["leader"], document=doc)
    o["province"].signing_certificates.all().delete()
    doc.refresh_from_db()
    svc.outgoing_issue(actor=o["clerk"], document=doc)
    doc.refresh_from_db()
    assert doc.state == OutgoingState.ISSUED and doc.issued_file_id == doc.signed_file_id
    report = verify_pdf(_read(doc.issued_file))
    assert report.valid and len(report.signatures) == 1
    event = DocumentEvent.objects.filter(outgoing=doc, action="issued").latest("pk")
    assert event.details["org_signature"] is False


def test_api_sign_then_issue_serves_both_signatures(signing_org):
    o = signing_org
    doc = approved(o)

    def client(who):
        _token, raw = tokens.token_create(actor=o[who], name="test")
        return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    leader, clerk, officer = client("leader"), client("clerk"), client("officer")
    response = officer.post(f"{BASE}/outgoing/{doc.pk}/sign", "{}",
                            content_type="application/json")
    assert response.status_code == 403, response.content
    assert set(response.json()) == {"code", "message", "fields"}
    response = leader.post(f"{BASE}/outgoing/{doc.pk}/sign", "{}",
                           content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == doc.pk and body["state"] == "signed"
    response = leader.post(f"{BASE}/outgoing/{doc.pk}/sign", "{}",
                           content_type="application/json")
    assert response.status_code == 409 and response.json()["code"] == "wrong_state"

    response = clerk.post(f"{BASE}/outgoing/{doc.pk}/issue", "{}",
                          content_type="application/json")
    assert response.status_code == 200, response.content
    response = officer.get(f"{BASE}/outgoing/{doc.pk}/file")
    assert response.status_code == 200
    pdf = b"".join(response.streaming_content)
    report = verify_pdf(pdf)
    assert report.valid and len(report.signatures) == 2


def test_api_sign_without_certificate(docs_org):  # noqa: F811
    doc = approved(docs_org)
    _token, raw = tokens.token_create(actor=docs_org["leader"], name="test")
    response = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").post(
        f"{BASE}/outgoing/{doc.pk}/sign", json.dumps({}), content_type="application/json")
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "no_certificate"


def test_page_sign_button_for_the_signer_with_a_server_key(signing_org, docs_org):  # noqa: F811
    """The document page offers the signer "Ký số" (server-held key); the button signs and the
    page then says so; others see no button and their POST changes nothing."""
    o = signing_org
    doc = approved(o)
    page = f"/documents/outgoing/{doc.pk}/"
    leader, officer = Client(), Client()
    leader.force_login(o["leader"])
    officer.force_login(o["officer"])
    assert 'data-testid="sign-server-button"' in leader.get(page).content.decode()
    assert 'data-testid="sign-server-button"' not in officer.get(page).content.decode()

    response = officer.post(f"{page}sign/")
    assert response.status_code in (302, 403)
    doc.refresh_from_db()
    assert doc.state == OutgoingState.APPROVED and doc.signed_file_id is None

    response = leader.post(f"{page}sign/", follow=True)
    assert response.status_code == 200
    doc.refresh_from_db()
    assert doc.state == OutgoingState.SIGNED
    assert verify_pdf(_read(doc.signed_file)).valid
    html = response.content.decode()
    assert "Đã ký" in html  # the flash message, in Vietnamese
    assert 'data-testid="sign-server-button"' not in html


def test_page_sign_button_hidden_without_a_server_key(docs_org):  # noqa: F811
    doc = approved(docs_org)
    leader = Client()
    leader.force_login(docs_org["leader"])
    html = leader.get(f"/documents/outgoing/{doc.pk}/").content.decode()
    assert 'data-testid="sign-server-button"' not in html
    response = leader.post(f"/documents/outgoing/{doc.pk}/sign/", follow=True)
    doc.refresh_from_db()
    assert doc.state == OutgoingState.APPROVED
    assert response.status_code in (200, 422)


@pytest.fixture
def tsa_settings(settings, test_pki):
    """The loopback RFC 3161 TSA (certificate under the trusted test root) in the settings."""
    from egov.signing import tsa

    url, stop = tsa.serve_tsa(test_pki.root, tsa=tsa.issue_tsa_certificate(test_pki.root,
                                                                           "eGov Test TSA"))
    settings.EGOV_TSA_URL = url
    yield settings
    stop()


def _has_dss(pdf: bytes) -> bool:
    import io

    from pyhanko.pdf_utils.reader import PdfFileReader

    return "/DSS" in PdfFileReader(io.BytesIO(pdf)).root


def test_with_a_tsa_both_signatures_are_timestamped_and_long_term(signing_org, tsa_settings,
                                                                  nssdb, tmp_path):
    """PAdES B-T for the leader's and the agency's signatures, and B-LT: the validation data
    (certificates of both paths and of the TSA) in a DSS revision after each signature."""
    o = signing_org
    doc = approved(o)
    flow.sign_approval(actor=o["leader"], document=doc)
    doc.refresh_from_db()
    signed = _read(doc.signed_file)
    assert _has_dss(signed)
    svc.outgoing_issue(actor=o["clerk"], document=doc)
    doc.refresh_from_db()
    issued = _read(doc.issued_file)
    assert _has_dss(issued)
    report = verify_pdf(issued)
    assert report.valid, report.reasons
    assert [s.field for s in report.signatures] == [flow.FIELD_LEADER, flow.FIELD_ORG]
    for sig in report.signatures:
        assert sig.timestamp is not None and sig.timestamp.trusted and sig.timestamp.intact
        assert "eGov Test TSA" in sig.timestamp.tsa
    assert report.signatures[1].modification == "LTA_UPDATES"  # only the DSS after it
    out = pdfsig(issued, nssdb, tmp_path)
    assert out.count("Signature Validation: Signature is Valid.") == 2, out
    assert out.count("Certificate Validation: Certificate is Trusted.") == 2, out


def test_long_term_data_can_be_switched_off(signing_org, tsa_settings):
    tsa_settings.EGOV_PADES_LT = False
    o = signing_org
    doc = approved(o)
    flow.sign_approval(actor=o["leader"], document=doc)
    doc.refresh_from_db()
    signed = _read(doc.signed_file)
    assert not _has_dss(signed)
    (sig,) = verify_pdf(signed).signatures
    assert sig.timestamp is not None and sig.valid
