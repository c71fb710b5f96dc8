"""A small test PKI (root CA, signer, TSA) built with `cryptography`, and PDFs signed with pyHanko
directly, for the verification tests (independent of egov.signing's signing code)."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers, timestamps
from pyhanko_certvalidator.registry import SimpleCertificateStore

P12_PASSWORD = b"mat-khau-p12"


def _name(cn: str, org: str = "UBND tỉnh Thử nghiệm") -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
        x509.NameAttribute(NameOID.COMMON_NAME, cn),
    ])


def _cert(subject, issuer, public_key, issuer_key, *, ca=False, tsa=False, days=365):
    now = dt.datetime.now(dt.UTC)
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
               .public_key(public_key).serial_number(x509.random_serial_number())
               .not_valid_before(now - dt.timedelta(days=1))
               .not_valid_after(now + dt.timedelta(days=days))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False))
    if ca:
        usage = dict(digital_signature=False, content_commitment=False, key_cert_sign=True,
                     crl_sign=True)
    else:
        usage = dict(digital_signature=True, content_commitment=not tsa, key_cert_sign=False,
                     crl_sign=False)
    builder = builder.add_extension(x509.KeyUsage(
        key_encipherment=False, data_encipherment=False, key_agreement=False,
        encipher_only=False, decipher_only=False, **usage), critical=True)
    if tsa:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
    if not ca or subject != issuer:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def to_asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


@dataclass
class VerifyPki:
    root: x509.Certificate
    root_key: rsa.RSAPrivateKey
    signer_cert: x509.Certificate
    signer_p12: bytes
    org_cert: x509.Certificate
    org_p12: bytes
    tsa_cert: x509.Certificate
    tsa_key: rsa.RSAPrivateKey

    @property
    def root_asn1(self) -> asn1_x509.Certificate:
        return to_asn1(self.root)

    def root_pem(self) -> bytes:
        return self.root.public_bytes(serialization.Encoding.PEM)

    def signer(self, org: bool = False) -> signers.SimpleSigner:
        data = self.org_p12 if org else self.signer_p12
        return signers.SimpleSigner.load_pkcs12_data(data, other_certs=[self.root_asn1],
                                                      passphrase=P12_PASSWORD)

    def timestamper(self) -> timestamps.DummyTimeStamper:
        key = asn1_keys.PrivateKeyInfo.load(self.tsa_key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()))
        return timestamps.DummyTimeStamper(
            tsa_cert=to_asn1(self.tsa_cert), tsa_key=key,
            certs_to_embed=SimpleCertificateStore.from_certs([self.root_asn1]))


def make_pki(root_cn: str = "Test Root CA eGov") -> VerifyPki:
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root = _cert(_name(root_cn), _name(root_cn), root_key.public_key(), root_key, ca=True,
                 days=3650)
    signer_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    signer_cert = _cert(_name("Nguyễn Văn An"), root.subject, signer_key.public_key(), root_key)
    org_key = ec.generate_private_key(ec.SECP256R1())
    org_cert = _cert(_name("UBND tỉnh Thử nghiệm"), root.subject, org_key.public_key(), root_key)
    tsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    tsa_cert = _cert(_name("Test TSA eGov"), root.subject, tsa_key.public_key(), root_key,
                     tsa=True)
    enc = serialization.BestAvailableEncryption(P12_PASSWORD)
    return VerifyPki(
        root=root, root_key=root_key, signer_cert=signer_cert,
        signer_p12=pkcs12.serialize_key_and_certificates(b"signer", signer_key, signer_cert,
                                                         [root], enc),
        org_cert=org_cert,
        org_p12=pkcs12.serialize_key_and_certificates(b"org", org_key, org_cert, [root], enc),
        tsa_cert=tsa_cert, tsa_key=tsa_key,
    )


def blank_pdf(text: str = "Quyet dinh so 01/QD-UBND") -> bytes:
    """A one-page PDF with a Helvetica text line, written by hand (correct xref offsets)."""
    return content_pdf(f"BT /F1 14 Tf 72 750 Td ({text}) Tj ET".encode())


def content_pdf(content: bytes, *, inherit_mediabox: bool = False) -> bytes:
    """A one-page A4 PDF whose page draws ``content`` (Helvetica as /F1), written by hand with
    correct xref offsets; ``inherit_mediabox`` puts the MediaBox on the page tree instead of the
    page (inherited, PDF 32000-1 §7.7.3.4)."""
    box = b"/MediaBox [0 0 595 842]"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1%s >>" % (b" " + box if inherit_mediabox
                                                           else b""),
        b"<< /Type /Page /Parent 2 0 R%s /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>" % (b"" if inherit_mediabox
                                                        else b" " + box),
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, xref))
    return out.getvalue()


def sign(data: bytes, pki: VerifyPki, *, field: str = "ChuKy1", org: bool = False,
         certify: bool = False, empty_field: str | None = None, timestamp: bool = False) -> bytes:
    """Sign `data` in a new incremental revision (certifying with FILL_FORMS if asked; adding
    an empty signature field `empty_field` for a later signer first)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    if empty_field:
        fields.append_signature_field(
            writer, fields.SigFieldSpec(empty_field, on_page=0, box=(300, 60, 500, 120)))
    meta = signers.PdfSignatureMetadata(
        field_name=field, certify=certify,
        docmdp_permissions=fields.MDPPerm.FILL_FORMS if certify else None,
        subfilter=fields.SigSeedSubFilter.PADES,
    )
    if not certify:
        meta = signers.PdfSignatureMetadata(field_name=field,
                                            subfilter=fields.SigSeedSubFilter.PADES)
    pdf_signer = signers.PdfSigner(meta, signer=pki.signer(org=org),
                                   timestamper=pki.timestamper() if timestamp else None,
                                   new_field_spec=None if field == empty_field else
                                   fields.SigFieldSpec(field, on_page=0, box=(60, 60, 260, 120)))
    return pdf_signer.sign_pdf(writer).getvalue()


def append_annotation(data: bytes) -> bytes:
    """An unsigned incremental revision adding a text annotation to page 1."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    page_ref = writer.root["/Pages"]["/Kids"][0]
    page = page_ref.get_object()
    annot = writer.add_object(generic.DictionaryObject({
        generic.NameObject("/Type"): generic.NameObject("/Annot"),
        generic.NameObject("/Subtype"): generic.NameObject("/Text"),
        generic.NameObject("/Rect"): generic.ArrayObject(
            [generic.NumberObject(n) for n in (100, 600, 120, 620)]),
        generic.NameObject("/Contents"): generic.TextStringObject("Ghi chu them sau khi ky"),
    }))
    annots = page.get("/Annots")
    if annots is None:
        page[generic.NameObject("/Annots")] = generic.ArrayObject([annot])
    else:
        annots.get_object().append(annot)
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def replace_page_content(data: bytes, text: str = "FORGED") -> bytes:
    """An unsigned incremental revision replacing page 1's content stream."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    stream = generic.StreamObject(stream_data=f"BT /F1 14 Tf 72 750 Td ({text}) Tj ET".encode())
    page[generic.NameObject("/Contents")] = writer.add_object(stream)
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def append_empty_signature_field(data: bytes, name: str = "ThemSau") -> bytes:
    """An unsigned incremental revision that only adds an empty signature field."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    fields.append_signature_field(writer, fields.SigFieldSpec(name, on_page=0,
                                                              box=(10, 10, 50, 50)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def document_timestamp(data: bytes, pki: VerifyPki) -> bytes:
    """A document timestamp (/DocTimeStamp, PAdES B-LTA style) in a new revision."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    return signers.PdfTimeStamper(pki.timestamper()).timestamp_pdf(writer, "sha256").getvalue()


def corrupt_cms(data: bytes) -> bytes:
    """Break the DER of the (last) signature's CMS blob, outside the signed byte range."""
    start = data.rindex(b"/Contents <") + len(b"/Contents <")
    assert data[start:start + 4].lower() == b"3082"
    return data[:start] + b"ff" + data[start + 2:]
