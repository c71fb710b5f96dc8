"""The signing module's verifier of incoming PDFs (egov.signing.incoming_verifier), plugged into
the documents module's registration hook by SigningConfig.ready(): real PDFs signed with pyHanko
over a test PKI, registered through the real incoming service."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from egov.documents import verification
from egov.signing.incoming_verifier import verify_stored_pdf
from egov.signing.models import TrustAnchor
from tests.documents import conftest as documents_fixtures

from ._verify_fixtures import blank_pdf, make_pki, replace_page_content, sign

# The documents module's fixtures (an organisation with a clerk, and its registration helper).
docs_org = documents_fixtures.docs_org
register_incoming = documents_fixtures.register_incoming


@pytest.fixture(scope="module")
def pki():
    return make_pki()


def _anchor(pki):
    return TrustAnchor.objects.create(name="Test Root", certificate_der=pki.root_asn1.dump(),
                                      is_active=True,
                                      fingerprint_sha256=pki.root_asn1.sha256.hex())


def test_the_verifier_is_registered_by_the_app():
    assert verify_stored_pdf in verification._verifiers


def test_signed_pdf_with_a_trusted_ca_is_valid(pki, register_incoming):
    _anchor(pki)
    doc = register_incoming(pdf=sign(blank_pdf("Van ban 1"), pki, timestamp=True))
    doc.refresh_from_db()
    assert doc.signature_status == "valid"
    assert doc.signature_report["valid"] is True
    [sig] = doc.signature_report["signatures"]
    assert sig["signer"] == "Nguyễn Văn An" and sig["trusted"] and sig["intact"]


def test_signed_pdf_with_an_unknown_ca_is_indeterminate(pki, register_incoming):
    doc = register_incoming(pdf=sign(blank_pdf("Van ban 2"), pki))
    doc.refresh_from_db()
    assert doc.signature_status == "indeterminate"
    [sig] = doc.signature_report["signatures"]
    assert sig["intact"] is True and sig["trusted"] is False


def test_tampered_pdf_is_invalid(pki, register_incoming):
    _anchor(pki)
    tampered = replace_page_content(sign(blank_pdf("Van ban 3"), pki), "FORGED")
    doc = register_incoming(pdf=tampered)
    doc.refresh_from_db()
    assert doc.signature_status == "invalid"
    assert doc.signature_report["valid"] is False and doc.signature_report["reasons"]


def test_tampered_pdf_with_an_unknown_ca_is_invalid_not_indeterminate(pki, register_incoming):
    doc = register_incoming(pdf=replace_page_content(sign(blank_pdf("Van ban 4"), pki)))
    assert doc.signature_status == "invalid"


def test_unsigned_pdf_is_unsigned(register_incoming):
    doc = register_incoming(pdf=blank_pdf("Van ban 5"))
    assert doc.signature_status == "unsigned"
    assert doc.signature_report["signatures"] == []


def test_a_damaged_pdf_is_an_error_not_a_crash(register_incoming):
    doc = register_incoming(pdf=blank_pdf("Van ban 6"))
    doc.file.file.save("hong.pdf", ContentFile(b"%PDF-1.7\nnot really a pdf"), save=True)
    status, report = verify_stored_pdf(doc.file)
    assert status == "error" and report["reason"] == "the PDF file could not be read"


def test_other_files_are_left_to_the_previous_verifier(register_incoming):
    doc = register_incoming(pdf=blank_pdf("Van ban 7"))
    doc.file.content_type = "image/png"
    doc.file.original_name = "anh.png"
    assert verify_stored_pdf(doc.file) is None
