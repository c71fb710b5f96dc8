"""Signature timestamps (PAdES B-T) from the loopback RFC 3161 TSA of egov.signing.tsa, checked by
pyHanko, by egov.signing.verify and independently by poppler's pdfsig; and long-term validation
data (PAdES B-LT: a DSS dictionary with the certificates and the CA's CRL)."""

from __future__ import annotations

import io
import socket
import time

import pytest
from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from cryptography.x509.oid import ExtendedKeyUsageOID, ExtensionOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields
from pyhanko.sign import signers as ph_signers
from pyhanko.sign.timestamps import HTTPTimeStamper, TimestampRequestError
from pyhanko_certvalidator import ValidationContext

from egov.signing import pades, tsa
from egov.signing.signers import get_signer
from egov.signing.timestamps import add_long_term_validation, timestamper_from_settings
from egov.signing.verify import verify_pdf

from .conftest import pdfsig, validate_with_pyhanko

PDFSIG_VALID = "Signature Validation: Signature is Valid."
PDFSIG_TRUSTED = "Certificate Validation: Certificate is Trusted."
TSA_CN = "eGov Test TSA"


@pytest.fixture(scope="module")
def tsa_cert(test_pki):
    return tsa.issue_tsa_certificate(test_pki.root, TSA_CN)


@pytest.fixture(scope="module")
def root_crl(test_pki) -> bytes:
    return tsa.make_crl(test_pki.root)


@pytest.fixture(scope="module")
def tsa_url(test_pki, tsa_cert, root_crl):
    url, stop = tsa.serve_tsa(test_pki.root, tsa=tsa_cert, crl=root_crl)
    yield url
    stop()


def _signer(test_pki, which="leader"):
    return get_signer("key_file", pkcs12=getattr(test_pki, f"{which}_p12"),
                      password=test_pki.password)


def _root_asn1(test_pki):
    return asn1_x509.Certificate.load(test_pki.root.der)


def test_tsa_certificate_has_critical_timestamping_eku(test_pki, tsa_cert):
    ext = tsa_cert.certificate.extensions.get_extension_for_oid(
        ExtensionOID.EXTENDED_KEY_USAGE)
    assert ext.critical
    assert list(ext.value) == [ExtendedKeyUsageOID.TIME_STAMPING]
    assert tsa_cert.certificate.issuer == test_pki.root.certificate.subject


@pytest.mark.parametrize("which", ["leader", "org"])
def test_b_t_signature_is_valid_everywhere(sample_pdf, test_pki, nssdb, tmp_path, tsa_url,
                                           which):
    signed = pades.sign_pdf(sample_pdf, _signer(test_pki, which), field_name="ChuKy",
                            reason="Phê duyệt", timestamper=HTTPTimeStamper(tsa_url))
    # pyHanko, trusting only the test CA: a valid and trusted signature timestamp.
    (status,) = validate_with_pyhanko(signed, test_pki.root)
    assert status.intact and status.valid and status.trusted and status.bottom_line
    ts = status.timestamp_validity
    assert ts is not None, status.pretty_print_details()
    assert ts.intact and ts.valid and ts.trusted
    assert ts.signing_cert.subject.native["common_name"] == TSA_CN
    # egov's verification report.
    report = verify_pdf(signed, roots=[_root_asn1(test_pki)])
    assert report.valid, report.reasons
    (sig,) = report.signatures
    assert sig.timestamp is not None
    assert sig.timestamp.intact and sig.timestamp.trusted
    assert f"CN={TSA_CN}" in sig.timestamp.tsa
    assert sig.timestamp.time.startswith(str(ts.timestamp.year))
    # poppler: still a valid, trusted signature.
    out = pdfsig(signed, nssdb, tmp_path)
    assert PDFSIG_VALID in out and PDFSIG_TRUSTED in out, out


def test_timestamper_from_settings(settings, sample_pdf, test_pki, tsa_cert, root_crl):
    settings.EGOV_TSA_URL = ""
    assert timestamper_from_settings() is None
    url, stop = tsa.serve_tsa(test_pki.root, tsa=tsa_cert, credentials=("egov", "bi-mat"))
    try:
        settings.EGOV_TSA_URL = url
        settings.EGOV_TSA_USER = "egov"
        settings.EGOV_TSA_PASSWORD = "bi-mat"
        signed = pades.sign_pdf(sample_pdf, _signer(test_pki), field_name="ChuKy",
                                timestamper=timestamper_from_settings())
        (sig,) = verify_pdf(signed, roots=[_root_asn1(test_pki)]).signatures
        assert sig.valid and sig.timestamp is not None and sig.timestamp.trusted
        # Wrong password: the TSA answers 401 and signing fails with a clear error.
        settings.EGOV_TSA_PASSWORD = "sai"
        with pytest.raises(TimestampRequestError):
            pades.sign_pdf(sample_pdf, _signer(test_pki), field_name="ChuKy",
                           timestamper=timestamper_from_settings())
    finally:
        stop()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_tsa_down_is_a_clear_error(sample_pdf, test_pki):
    url = f"http://127.0.0.1:{_free_port()}/tsa"  # nothing listens there
    started = time.monotonic()
    with pytest.raises(TimestampRequestError):
        pades.sign_pdf(sample_pdf, _signer(test_pki), field_name="ChuKy",
                       timestamper=HTTPTimeStamper(url, timeout=2))
    assert time.monotonic() - started < 5


def test_tsa_not_answering_times_out(sample_pdf, test_pki):
    # A socket that accepts connections (kernel backlog) but never answers.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/tsa"
        started = time.monotonic()
        with pytest.raises(TimestampRequestError):
            pades.sign_pdf(sample_pdf, _signer(test_pki), field_name="ChuKy",
                           timestamper=HTTPTimeStamper(url, timeout=1))
        assert time.monotonic() - started < 5


def test_tsa_rejects_garbage(tsa_url):
    import urllib.error
    import urllib.request

    req = urllib.request.Request(tsa_url, data=b"not DER",
                                 headers={"Content-Type": "application/timestamp-query"})
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=5)
    err.value.close()
    assert err.value.code == 400


def test_tsa_serves_the_crl(tsa_url, root_crl):
    import urllib.request

    crl_url = tsa_url.rsplit("/", 1)[0] + tsa.CRL_PATH
    with urllib.request.urlopen(crl_url, timeout=5) as resp:
        assert resp.headers["Content-Type"] == "application/pkix-crl"
        assert resp.read() == root_crl


def _dss(signed: bytes):
    dss = PdfFileReader(io.BytesIO(signed)).root["/DSS"]
    certs = [asn1_x509.Certificate.load(ref.get_object().data) for ref in dss["/Certs"]]
    crls = [ref.get_object().data for ref in dss.get("/CRLs", [])]
    return {c.subject.native["common_name"] for c in certs}, crls


def test_b_lt_after_signing(sample_pdf, test_pki, nssdb, tmp_path, tsa_url, root_crl):
    """B-T with egov's writer, then B-LT: the DSS in an incremental revision."""
    signed = pades.sign_pdf(sample_pdf, _signer(test_pki, "org"), field_name="ChuKy",
                            timestamper=HTTPTimeStamper(tsa_url))
    lt = add_long_term_validation(signed, roots=[_root_asn1(test_pki)], crls=[root_crl])
    assert lt.startswith(signed)
    names, crls = _dss(lt)
    assert {"eGov Test Root CA", TSA_CN, "UBND tỉnh Minh Phong"} <= names
    assert root_crl in crls
    report = verify_pdf(lt, roots=[_root_asn1(test_pki)])
    assert report.valid, report.reasons
    (sig,) = report.signatures
    assert sig.modification == "LTA_UPDATES" and sig.timestamp.trusted
    out = pdfsig(lt, nssdb, tmp_path)
    assert PDFSIG_VALID in out and PDFSIG_TRUSTED in out, out


def test_b_lt_needs_a_signature(sample_pdf, test_pki):
    with pytest.raises(ValueError):
        add_long_term_validation(sample_pdf, roots=[_root_asn1(test_pki)])


def test_b_lt_while_signing(sample_pdf, test_pki, nssdb, tmp_path, tsa_url, root_crl):
    """PAdES B-LT in one go with pyHanko's embed_validation_info: the certificates and the CA's
    CRL in the document security store (DSS)."""
    crl = asn1_crl.CertificateList.load(root_crl)
    vc = ValidationContext(trust_roots=[_root_asn1(test_pki)], crls=[crl], allow_fetching=False,
                           revocation_mode="soft-fail")
    meta = ph_signers.PdfSignatureMetadata(
        field_name="ChuKy", subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256",
        embed_validation_info=True, validation_context=vc)
    out = io.BytesIO()
    ph_signers.PdfSigner(meta, _signer(test_pki), timestamper=HTTPTimeStamper(tsa_url)).sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(sample_pdf)), output=out)
    signed = out.getvalue()
    names, crls = _dss(signed)
    assert {"eGov Test Root CA", TSA_CN, "Trần Văn Lãnh"} <= names
    assert root_crl in crls
    report = verify_pdf(signed, roots=[_root_asn1(test_pki)])
    assert report.valid, report.reasons
    (sig,) = report.signatures
    assert sig.modification == "LTA_UPDATES" and sig.timestamp.trusted
    out_text = pdfsig(signed, nssdb, tmp_path)
    assert PDFSIG_VALID in out_text and PDFSIG_TRUSTED in out_text, out_text
