"""Signed PDFs as other producers make them, built for the verifier's tests: certificates that
are not strict DER, long-term files (DSS + document timestamp + DSS), hybrid-reference files,
shrinking xref sizes, dangling references, empty-password encryption, legacy adbe.pkcs7.sha1,
two SignerInfos, an unreadable last cross-reference section."""

from __future__ import annotations

import asyncio
import hashlib
import io
import re

from asn1crypto import cms
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import copy_into_new_writer
from pyhanko.sign import fields, signers
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko_certvalidator.registry import SimpleCertificateStore

from ._verify_fixtures import VerifyPki, _cert, _name, blank_pdf, to_asn1


def _der_length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def _header_len(data: bytes) -> int:
    return 2 if data[1] < 0x80 else 2 + (data[1] & 0x7F)


def non_der_certificate(pki: VerifyPki, cn: str = "Lê Thị Bình"):
    """(asn1crypto certificate, private key): a signer certificate issued by the test root whose
    serial number is written with a BER long-form length (02 81 LL …) — not DER; asn1crypto and
    pyHanko read it, cryptography's strict DER parser does not."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = _cert(_name(cn), pki.root.subject, key.public_key(), pki.root_key)
    der = cert.public_bytes(serialization.Encoding.DER)
    tbs = asn1_x509.Certificate.load(der)["tbs_certificate"].dump()
    body = tbs[_header_len(tbs):]
    assert body[:5] == b"\xa0\x03\x02\x01\x02"  # [0] version v3
    serial_len = body[6]
    assert body[5] == 0x02 and serial_len < 0x80
    body = body[:5] + b"\x02\x81" + bytes([serial_len]) + body[7:]
    new_tbs = b"\x30" + _der_length(len(body)) + body
    signature = pki.root_key.sign(new_tbs, padding.PKCS1v15(), hashes.SHA256())
    sig_alg = asn1_x509.Certificate.load(der)["signature_algorithm"].dump()
    bit_string = b"\x03" + _der_length(len(signature) + 1) + b"\x00" + signature
    content = new_tbs + sig_alg + bit_string
    raw = b"\x30" + _der_length(len(content)) + content
    return asn1_x509.Certificate.load(raw), key


def _key_info(key) -> asn1_keys.PrivateKeyInfo:
    return asn1_keys.PrivateKeyInfo.load(key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))


def sign_with(data: bytes, cert: asn1_x509.Certificate, key, pki: VerifyPki, *,
              field: str = "ChuKy1", subfilter=fields.SigSeedSubFilter.PADES,
              strict: bool = True) -> bytes:
    signer = signers.SimpleSigner(signing_cert=cert, signing_key=_key_info(key),
                                  cert_registry=SimpleCertificateStore.from_certs(
                                      [pki.root_asn1]))
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=strict)
    meta = signers.PdfSignatureMetadata(field_name=field, subfilter=subfilter)
    return signers.PdfSigner(meta, signer=signer).sign_pdf(writer).getvalue()


def add_dss(data: bytes, certs) -> bytes:
    """A plain DSS update (validation data only) in a new revision."""
    out = io.BytesIO(data)
    DocumentSecurityStore.add_dss(out, None, certs=list(certs), force_write=True)
    return out.getvalue()


# --- unusual structure --------------------------------------------------------------------------


def _objects_pdf(objects: list[bytes], trailer_extra: bytes = b"", *, size: int | None = None,
                 xref_stream: bool = False) -> bytes:
    """A PDF with ``objects`` (1…n) and a classic xref table; with ``xref_stream`` a hybrid-
    reference file: an extra cross-reference stream (object n+1) listing itself, referenced
    from the trailer by /XRefStm (PDF 32000-1 §7.5.8.4)."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    count = len(objects) + 1
    if xref_stream:
        number = len(objects) + 1
        offset = out.tell()
        row = b"\x01" + offset.to_bytes(4, "big") + b"\x00\x00"
        out.write(b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Index [%d 1] /Length %d >>\n"
                  b"stream\n" % (number, number + 1, number, len(row)) + row
                  + b"\nendstream\nendobj\n")
        trailer_extra += b" /XRefStm %d" % offset
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % count)
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n"
              % (size or count + (1 if xref_stream else 0), trailer_extra, xref))
    return out.getvalue()


_PAGE_OBJECTS = [
    b"<< /Type /Catalog /Pages 2 0 R >>",
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
    b"/Resources << /Font << /F1 5 0 R >> >> >>",
    b"<< /Length 44 >>\nstream\nBT /F1 14 Tf 72 750 Td (Quyet dinh 01) Tj ET\nendstream",
    b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
]


def hybrid_reference_pdf() -> bytes:
    return _objects_pdf(_PAGE_OBJECTS, xref_stream=True)


def shrinking_sizes_pdf() -> bytes:
    """The first xref section declares /Size 40 (larger than its objects); an update declares
    the real size, smaller — "XRef section sizes must be nondecreasing"."""
    base = _objects_pdf(_PAGE_OBJECTS, size=40)
    prev = int(base.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    xref = len(base)
    return base + (b"xref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size 6 /Root 1 0 R /Prev %d >>"
                   b"\nstartxref\n%d\n%%%%EOF\n" % (prev, xref))


def dangling_reference_pdf() -> bytes:
    """A form field whose /Kids name an object (9 0 R) that the file does not contain."""
    objects = list(_PAGE_OBJECTS)
    objects[0] = b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [6 0 R] >> >>"
    objects.append(b"<< /T (Nhom) /Kids [9 0 R] >>")
    return _objects_pdf(objects)


def shrink_last_size(data: bytes, size: int) -> bytes:
    """Rewrite the /Size of the last trailer (same length, padded) — after signing, outside the
    signed bytes only when the trailer follows the signature; used on unsigned bases."""
    matches = list(re.finditer(rb"/Size (\d+)", data))
    match = matches[-1]
    new = str(size).encode().ljust(len(match.group(1)))
    return data[:match.start(1)] + new + data[match.end(1):]


def encrypted_empty_password_pdf(data: bytes | None = None) -> bytes:
    """An RC4/AES-encrypted copy whose user password is empty (anyone may open it)."""
    writer = copy_into_new_writer(PdfFileReader(io.BytesIO(data or blank_pdf())))
    writer.encrypt("chu-so-huu", "")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def sign_encrypted(data: bytes, pki: VerifyPki) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    writer.encrypt("")
    meta = signers.PdfSignatureMetadata(field_name="ChuKy1",
                                        subfilter=fields.SigSeedSubFilter.PADES)
    return signers.PdfSigner(meta, signer=pki.signer()).sign_pdf(writer).getvalue()


# --- CMS surgery --------------------------------------------------------------------------------


def _contents_span(data: bytes) -> tuple[int, int]:
    start = data.rindex(b"/Contents <") + len(b"/Contents <")
    return start, data.index(b">", start)


def _put_contents(data: bytes, der: bytes) -> bytes:
    start, end = _contents_span(data)
    hex_der = der.hex().encode()
    assert len(hex_der) <= end - start, "the signature does not fit its placeholder"
    return data[:start] + hex_der.ljust(end - start, b"0") + data[end:]


def _byte_range(data: bytes) -> list[int]:
    match = list(re.finditer(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", data))[-1]
    return [int(g) for g in match.groups()]


def _signed_bytes(data: bytes) -> bytes:
    a, b, c, d = _byte_range(data)
    return data[a:a + b] + data[c:c + d]


def pkcs7_sha1(pki: VerifyPki, data: bytes | None = None) -> bytes:
    """A legacy adbe.pkcs7.sha1 signature: pyHanko signs as adbe.pkcs7.detached, the /SubFilter
    is renamed (same length, padded), then the CMS is rebuilt over the final byte ranges with
    the SHA-1 digest encapsulated (PDF 32000-1 §12.8.3.3.1)."""
    signed = sign_with(data or blank_pdf(), to_asn1(pki.signer_cert), _signer_key(pki), pki,
                       subfilter=fields.SigSeedSubFilter.ADOBE_PKCS7_DETACHED)
    old, new = b"/adbe.pkcs7.detached", b"/adbe.pkcs7.sha1"
    position = signed.rindex(old)
    signed = signed[:position] + new + b" " * (len(old) - len(new)) + signed[position + len(old):]
    digest = hashlib.sha1(_signed_bytes(signed)).digest()  # noqa: S324 - the legacy format
    signer = signers.SimpleSigner(signing_cert=to_asn1(pki.signer_cert),
                                  signing_key=_key_info(_signer_key(pki)),
                                  cert_registry=SimpleCertificateStore.from_certs(
                                      [pki.root_asn1]))
    content_info = asyncio.run(signer.async_sign_general_data(digest, "sha256", detached=False))
    return _put_contents(signed, content_info.dump())


def _signer_key(pki: VerifyPki):
    from cryptography.hazmat.primitives.serialization import pkcs12

    from ._verify_fixtures import P12_PASSWORD

    key, _cert_, _extra = pkcs12.load_key_and_certificates(pki.signer_p12, P12_PASSWORD)
    return key


def two_signer_infos(signed: bytes) -> bytes:
    """The last signature's CMS with its SignerInfo listed twice."""
    start, end = _contents_span(signed)
    info = cms.ContentInfo.load(bytes.fromhex(signed[start:end].decode()), strict=False)
    signed_data = info["content"]
    first = signed_data["signer_infos"][0]
    signed_data["signer_infos"] = cms.SignerInfos([first, cms.SignerInfo.load(first.dump())])
    new = cms.ContentInfo({"content_type": "signed_data", "content": signed_data})
    return _put_contents(signed, new.dump(force=True))


def unreadable_last_xref(signed: bytes) -> bytes:
    """An update appended after the signature whose startxref points into nothing."""
    return signed + b"\n1 0 obj\n<< /Type /Catalog >>\nendobj\nstartxref\n%d\n%%%%EOF\n" % (
        len(signed) + 5000)
