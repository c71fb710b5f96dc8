"""Long-term validation at verification time: a signature whose certificate has expired (or was
revoked) since it was made stays valid when a trusted RFC 3161 timestamp proves it was made while
the certificate was valid; without a timestamp, or with a timestamp after the expiry or the
revocation, it is not valid."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation.dss import DocumentSecurityStore

from egov.signing import pades, pki, tsa
from egov.signing.signers import get_signer
from egov.signing.verify import verify_pdf
from tests.signing.conftest import pdfsig

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


def _certificate(ca: pki.Issued, cn: str, not_before: dt.datetime,
                 not_after: dt.datetime) -> pki.Issued:
    key = pki.new_key("rsa")
    cert = (
        x509.CertificateBuilder()
        .subject_name(pki.make_name(cn, "UBND tỉnh Minh Phong"))
        .issuer_name(ca.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before).not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=True, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
            ca.certificate.public_key()), critical=False)
        # Revocation is checked where the certificate declares where to find it (soft-fail
        # mode, egov.signing.trust); the URL is never fetched (offline), the CRL is in the DSS.
        .add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
            full_name=[x509.UniformResourceIdentifier("http://127.0.0.1:9/root.crl")],
            relative_name=None, reasons=None, crl_issuer=None)]), critical=False)
        .sign(ca.key, hashes.SHA256())
    )
    return pki.Issued(cert, key)


@pytest.fixture(scope="module")
def tsa_cert(test_pki):
    return tsa.issue_tsa_certificate(test_pki.root, "eGov Test TSA")


def _sign(test_pki, issued: pki.Issued, pdf: bytes, *, stamped_at=None, tsa_cert=None) -> bytes:
    signer = get_signer("key_file", pkcs12=pki.export_pkcs12(
        issued, "pw", chain=[test_pki.root.certificate]), password="pw")
    stamper = None
    if tsa_cert is not None:
        stamper = tsa.dummy_timestamper(test_pki.root, tsa_cert)
        stamper.fixed_dt = stamped_at
    return pades.sign_pdf(pdf, signer, field_name="ChuKy", timestamper=stamper)


def _with_crl(signed: bytes, crl: bytes) -> bytes:
    """B-LT by hand: the CA's CRL (revoking the signer) in the document security store. (egov's
    add_long_term_validation refuses to embed data for a revoked certificate, rightly.)"""
    reader = PdfFileReader(io.BytesIO(signed))
    contents = reader.embedded_signatures[-1].pkcs7_content
    out = io.BytesIO(signed)
    DocumentSecurityStore.add_dss(out, contents, crls=[asn1_crl.CertificateList.load(crl)])
    return out.getvalue()


def _roots(test_pki):
    return [asn1_x509.Certificate.load(test_pki.root.der)]


def test_expired_since_but_timestamped_while_valid_is_valid(test_pki, tsa_cert, sample_pdf,
                                                            nssdb, tmp_path):
    expired = _certificate(test_pki.root, "Lê Thị Hết Hạn", NOW - dt.timedelta(days=30),
                           NOW - dt.timedelta(days=1))
    signed = _sign(test_pki, expired, sample_pdf, tsa_cert=tsa_cert,
                   stamped_at=NOW - dt.timedelta(days=5))
    report = verify_pdf(signed, roots=_roots(test_pki))
    assert report.valid, report.reasons
    (sig,) = report.signatures
    assert sig.trusted and sig.intact and sig.validated_at_timestamp
    assert sig.timestamp.time.startswith((NOW - dt.timedelta(days=5)).date().isoformat())
    assert report.as_dict()["signatures"][0]["validated_at_timestamp"] is True
    # poppler has no long-term validation: it checks the signature itself and reports the
    # expired certificate — the reason egov's verifier is the reference here.
    out = pdfsig(signed, nssdb, tmp_path)
    assert "Signature is Valid" in out and "Certificate has Expired" in out, out


def test_expired_without_timestamp_is_not_valid(test_pki, sample_pdf):
    expired = _certificate(test_pki.root, "Lê Thị Hết Hạn", NOW - dt.timedelta(days=30),
                           NOW - dt.timedelta(days=1))
    report = verify_pdf(_sign(test_pki, expired, sample_pdf), roots=_roots(test_pki))
    assert not report.valid
    (sig,) = report.signatures
    assert sig.intact and not sig.trusted and not sig.validated_at_timestamp


def test_timestamp_after_expiry_does_not_help(test_pki, tsa_cert, sample_pdf):
    expired = _certificate(test_pki.root, "Lê Thị Hết Hạn", NOW - dt.timedelta(days=30),
                           NOW - dt.timedelta(days=10))
    signed = _sign(test_pki, expired, sample_pdf, tsa_cert=tsa_cert,
                   stamped_at=NOW - dt.timedelta(days=2))
    report = verify_pdf(signed, roots=_roots(test_pki))
    assert not report.valid
    assert not report.signatures[0].trusted


def test_revocation_in_the_document_before_the_timestamp_is_invalid(test_pki, tsa_cert,
                                                                    sample_pdf):
    """B-LT: the CA's CRL in the DSS revokes the certificate one minute ago; the signature's
    timestamp is now (after the revocation) → not valid."""
    cert = _certificate(test_pki.root, "Phạm Văn Thu Hồi", NOW - dt.timedelta(days=30),
                        NOW + dt.timedelta(days=300))
    signed = _sign(test_pki, cert, sample_pdf, tsa_cert=tsa_cert, stamped_at=None)
    crl = tsa.make_crl(test_pki.root, revoked=(cert.certificate.serial_number,))
    lt = _with_crl(signed, crl)
    report = verify_pdf(lt, roots=_roots(test_pki))
    assert not report.valid
    assert not report.signatures[0].trusted


def test_revocation_after_the_timestamp_keeps_the_signature_valid(test_pki, tsa_cert,
                                                                  sample_pdf):
    """Revoked one minute ago, but timestamped five days ago: the signature was made while the
    certificate was good (validation at the timestamp's time)."""
    cert = _certificate(test_pki.root, "Phạm Văn Thu Hồi", NOW - dt.timedelta(days=30),
                        NOW + dt.timedelta(days=300))
    signed = _sign(test_pki, cert, sample_pdf, tsa_cert=tsa_cert,
                   stamped_at=NOW - dt.timedelta(days=5))
    crl = tsa.make_crl(test_pki.root, revoked=(cert.certificate.serial_number,))
    lt = _with_crl(signed, crl)
    report = verify_pdf(lt, roots=_roots(test_pki))
    assert report.valid, report.reasons
    assert report.signatures[0].validated_at_timestamp


def test_revocation_without_timestamp_is_invalid(test_pki, sample_pdf):
    cert = _certificate(test_pki.root, "Phạm Văn Thu Hồi", NOW - dt.timedelta(days=30),
                        NOW + dt.timedelta(days=300))
    signed = _sign(test_pki, cert, sample_pdf)
    crl = tsa.make_crl(test_pki.root, revoked=(cert.certificate.serial_number,))
    lt = _with_crl(signed, crl)
    report = verify_pdf(lt, roots=_roots(test_pki))
    assert not report.valid and not report.signatures[0].trusted


def test_portal_says_the_certificate_was_valid_at_the_timestamp(test_pki, tsa_cert, sample_pdf,
                                                                client, db):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from egov.signing.models import TrustAnchor

    TrustAnchor.objects.create(name="Test root", certificate_der=test_pki.root.der,
                               fingerprint_sha256=test_pki.root.fingerprint_sha256)
    expired = _certificate(test_pki.root, "Lê Thị Hết Hạn", NOW - dt.timedelta(days=30),
                           NOW - dt.timedelta(days=1))
    signed = _sign(test_pki, expired, sample_pdf, tsa_cert=tsa_cert,
                   stamped_at=NOW - dt.timedelta(days=5))
    response = client.post("/verify/", {"file": SimpleUploadedFile("vb.pdf", signed,
                                                                   "application/pdf")})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-check="long-term"' in html
    assert "còn hiệu lực tại thời điểm ghi trong dấu thời gian" in html
