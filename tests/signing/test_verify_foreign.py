"""The verifier on signed PDFs made elsewhere (issue 9 §3): every class of file that made the
public API answer 500, or refused a sound file, or gave a blanket "cannot read", generated here."""

from __future__ import annotations

import io
import json
import pickle

import pytest
from cryptography.x509 import load_der_x509_certificate
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from egov.signing.models import TrustAnchor
from egov.signing.verify import NotAPdf, verify_pdf

from ._foreign_pdfs import (
    _signer_key,
    add_dss,
    dangling_reference_pdf,
    encrypted_empty_password_pdf,
    hybrid_reference_pdf,
    non_der_certificate,
    pkcs7_sha1,
    shrinking_sizes_pdf,
    sign_encrypted,
    sign_with,
    two_signer_infos,
    unreadable_last_xref,
)
from ._verify_fixtures import (
    append_annotation,
    blank_pdf,
    document_timestamp,
    make_pki,
    replace_page_content,
    sign,
    to_asn1,
)


@pytest.fixture(scope="module")
def pki():
    return make_pki()


@pytest.fixture(scope="module")
def non_der_signed(pki):
    cert, key = non_der_certificate(pki)
    return sign_with(blank_pdf(), cert, key, pki)


def _ours(pki, data: bytes) -> bytes:
    """Signed by the test signer through a tolerant writer (pyHanko's strict one refuses to sign
    hybrid files)."""
    return sign_with(data, to_asn1(pki.signer_cert), _signer_key(pki), pki, strict=False)


def _anchor(pki):
    root = pki.root_asn1
    return TrustAnchor.objects.create(name="Test Root", certificate_der=root.dump(),
                                      fingerprint_sha256=root.sha256.hex())


def _cli(path):
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify", str(path), stdout=out, stderr=err)
    return exit_info.value.code, out.getvalue(), err.getvalue()


# --- certificates that are not strict DER --------------------------------------------------------


def test_non_der_certificate_is_read(pki, non_der_signed):
    cert, _key = non_der_certificate(pki)
    with pytest.raises(ValueError):
        load_der_x509_certificate(cert.dump())  # what made verify.py crash
    report = verify_pdf(non_der_signed, roots=[pki.root_asn1])
    [sig] = report.signatures
    assert sig.intact and sig.trusted and report.valid, report.reasons
    assert sig.subject == "CN=Lê Thị Bình,O=UBND tỉnh Thử nghiệm,C=VN"
    assert sig.issuer.startswith("CN=Test Root CA eGov")
    assert sig.signer == "Lê Thị Bình"


@pytest.mark.django_db
def test_non_der_certificate_api_and_cli(pki, non_der_signed, client, tmp_path):
    _anchor(pki)
    response = client.post("/api/v1/signing/verify", {"file": SimpleUploadedFile(
        "vb.pdf", non_der_signed, "application/pdf")})
    assert response.status_code == 200, response.content
    assert response.json()["signatures"][0]["signer"] == "Lê Thị Bình"
    path = tmp_path / "vb.pdf"
    path.write_bytes(non_der_signed)
    code, out, err = _cli(path)
    assert code == 0 and "Traceback" not in out + err and "Lê Thị Bình" in out


# --- long-term files: signature, DSS, document timestamp, DSS -----------------------------------


@pytest.fixture(scope="module")
def lta(pki):
    data = sign(blank_pdf(), pki, timestamp=True)
    data = add_dss(data, [to_asn1(pki.signer_cert), pki.root_asn1])
    data = document_timestamp(data, pki)
    return add_dss(data, [to_asn1(pki.tsa_cert)])


def test_document_timestamp_followed_by_dss_update_is_intact(pki, lta):
    report = verify_pdf(lta, roots=[pki.root_asn1])
    assert report.valid is True, report.reasons
    sig, doc_ts = report.signatures
    assert doc_ts.kind == "document_timestamp"
    assert (doc_ts.modification, doc_ts.docmdp_ok, doc_ts.whole_file) == (
        "LTA_UPDATES", True, True)
    assert sig.valid and doc_ts.valid


def test_document_timestamp_then_a_second_timestamp(pki, lta):
    report = verify_pdf(document_timestamp(lta, pki), roots=[pki.root_asn1])
    assert report.valid is True, report.reasons
    assert [s.kind for s in report.signatures] == ["signature", "document_timestamp",
                                                    "document_timestamp"]


def test_content_changed_after_document_timestamp_is_refused(pki, lta):
    report = verify_pdf(replace_page_content(lta), roots=[pki.root_asn1])
    assert report.valid is False
    assert all(not s.valid and not s.docmdp_ok for s in report.signatures)
    report = verify_pdf(append_annotation(lta), roots=[pki.root_asn1])
    assert report.valid is False  # only validation data may follow the last signature


# --- unusual structure, read tolerantly --------------------------------------------------------


@pytest.mark.parametrize("build, warning", [
    (hybrid_reference_pdf, "hybrid"),
    (shrinking_sizes_pdf, "nondecreasing"),
])
def test_unusual_structure_is_read_with_a_warning(pki, build, warning):
    from django.utils import translation

    signed = _ours(pki, build())
    with translation.override("en"):
        report = verify_pdf(signed, roots=[pki.root_asn1])
    assert report.valid is True, report.reasons
    assert any(warning in w for w in report.warnings), report.warnings
    assert report.as_dict()["warnings"] == report.warnings


def test_tolerant_read_keeps_integrity_strict(pki):
    signed = _ours(pki, hybrid_reference_pdf())
    offset = signed.index(b"Quyet dinh 01")
    tampered = signed[:offset] + b"Quyet dinh 02" + signed[offset + 13:]
    report = verify_pdf(tampered, roots=[pki.root_asn1])
    assert report.valid is False and report.signatures[0].intact is False
    report = verify_pdf(replace_page_content(signed), roots=[pki.root_asn1])
    assert report.valid is False and report.signatures[0].modification == "OTHER"


def test_dangling_reference_in_a_form_field(pki):
    report = verify_pdf(_ours(pki, dangling_reference_pdf()), roots=[pki.root_asn1])
    assert report.valid is True, report.reasons


# --- encryption, legacy formats, damaged containers ---------------------------------------------


def test_encrypted_with_empty_user_password_is_verified(pki):
    signed = sign_encrypted(encrypted_empty_password_pdf(), pki)
    report = verify_pdf(signed, roots=[pki.root_asn1])
    assert report.valid is True, report.reasons
    assert report.signatures[0].signer == "Nguyễn Văn An"


def test_encrypted_with_a_real_password_is_refused(pki):
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.pdf_utils.writer import copy_into_new_writer

    writer = copy_into_new_writer(PdfFileReader(io.BytesIO(blank_pdf())))
    writer.encrypt("chu-so-huu", "mat-khau")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(NotAPdf):
        verify_pdf(out.getvalue(), roots=[pki.root_asn1])


def test_legacy_pkcs7_sha1_signature(pki):
    signed = pkcs7_sha1(pki)
    assert b"/adbe.pkcs7.sha1" in signed
    report = verify_pdf(signed, roots=[pki.root_asn1])
    [sig] = report.signatures
    assert sig.intact and sig.trusted and report.valid, report.reasons
    assert sig.warnings and "SHA-1" in sig.warnings[0]

    offset = signed.index(b"Quyet dinh so 01")
    tampered = signed[:offset] + b"Quyet dinh so 02" + signed[offset + 16:]
    report = verify_pdf(tampered, roots=[pki.root_asn1])
    assert report.signatures[0].intact is False and report.valid is False


@pytest.mark.django_db
def test_two_signer_infos_are_reported_per_signature(pki, tmp_path):
    _anchor(pki)
    first = sign(blank_pdf(), pki, field="ChuKyLanhDao")
    data = two_signer_infos(sign(first, pki, field="ChuKyCoQuan", org=True))
    report = verify_pdf(data)
    leader, organisation = report.signatures
    assert leader.field == "ChuKyLanhDao" and leader.intact
    assert organisation.field == "ChuKyCoQuan" and not organisation.valid
    assert any("SignerInfo" in reason for reason in organisation.reasons)
    path = tmp_path / "two.pdf"
    path.write_bytes(data)
    code, out, err = _cli(path)
    assert code == 1 and "ChuKyCoQuan" in out and "SignerInfo" in out and "Traceback" not in err


@pytest.mark.django_db
def test_unreadable_last_xref_reports_each_signature(pki, tmp_path):
    _anchor(pki)
    data = unreadable_last_xref(sign(blank_pdf(), pki))
    report = verify_pdf(data)
    [sig] = report.signatures
    assert sig.field == "ChuKy1" and sig.intact and sig.trusted
    assert sig.valid is False and report.valid is False
    assert report.warnings
    path = tmp_path / "broken.pdf"
    path.write_bytes(data)
    code, out, _err = _cli(path)
    assert code == 1 and "ChuKy1" in out


# --- the report is plain data; the trust anchors are read once ----------------------------------


def test_report_pickles_small_and_free_of_pyhanko(pki, lta):
    report = verify_pdf(lta, roots=[pki.root_asn1])
    raw = pickle.dumps(report)
    assert len(raw) < 20_000, len(raw)
    assert b"pyhanko" not in raw and b"asn1crypto" not in raw
    json.dumps(report.as_dict())
    for sig in report.signatures:
        assert type(sig.field) is str and type(sig.signer) is str
        assert all(type(reason) is str for reason in sig.reasons)


@pytest.mark.django_db
def test_trust_anchors_are_read_once_per_verification(pki, lta, django_assert_num_queries):
    _anchor(pki)
    data = document_timestamp(sign(sign(blank_pdf(), pki, field="A", timestamp=True), pki,
                                   field="B", org=True, timestamp=True), pki)
    with django_assert_num_queries(1):
        report = verify_pdf(data)
    assert report.valid is True, report.reasons
    assert len(report.signatures) == 3


@pytest.mark.django_db
def test_trust_anchors_cached_between_verifications(pki, settings, django_assert_num_queries):
    from egov.signing.trust import forget_trust_roots

    settings.EGOV_TRUST_ROOTS_CACHE_SECONDS = 30
    forget_trust_roots()
    anchor = _anchor(pki)
    data = sign(blank_pdf(), pki)
    try:
        assert verify_pdf(data).valid is True
        with django_assert_num_queries(0):
            assert verify_pdf(data).valid is True
        anchor.is_active = False
        anchor.save()  # clears the cache of this process at once
        assert verify_pdf(data).signatures[0].trusted is False
    finally:
        forget_trust_roots()


@pytest.mark.django_db
def test_unforeseen_failure_is_a_4xx_not_a_500(client, monkeypatch, tmp_path):
    def explode(data, **kwargs):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr("egov.signing.api.verify_pdf", explode)
    response = client.post("/api/v1/signing/verify", {"file": SimpleUploadedFile(
        "vb.pdf", blank_pdf(), "application/pdf")})
    assert response.status_code == 422
    assert response.json()["code"] == "not_pdf" and response.json()["fields"]["file"]

    monkeypatch.setattr("egov.signing.management.commands.verify.verify_pdf", explode)
    path = tmp_path / "vb.pdf"
    path.write_bytes(blank_pdf())
    code, out, err = _cli(path)
    assert code == 2 and "Traceback" not in out + err
