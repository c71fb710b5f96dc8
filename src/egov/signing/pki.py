"""A small PKI for tests and the demo: a root CA and end-entity signing certificates.

Real deployments use certificates from a licensed CA (Luật Giao dịch điện tử 2023, Điều 22–24;
NĐ 23/2025) and trust the national roots; this module only builds look-alikes so that signing,
validation and the demo work offline.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


@dataclass(frozen=True)
class Issued:
    """A certificate with its private key."""

    certificate: x509.Certificate
    key: PrivateKey

    @property
    def der(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.DER)

    @property
    def pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    @property
    def fingerprint_sha256(self) -> str:
        return self.certificate.fingerprint(hashes.SHA256()).hex()


def new_key(algorithm: str = "rsa") -> PrivateKey:
    """``"rsa"`` → RSA-2048; ``"ecdsa"`` → ECDSA P-256."""
    if algorithm == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if algorithm == "ecdsa":
        return ec.generate_private_key(ec.SECP256R1())
    raise ValueError(f"unknown key algorithm {algorithm!r}")


def make_name(common_name: str, organization: str = "", locality: str = "",
              country: str = "VN") -> x509.Name:
    """A subject name; Vietnamese text is stored as UTF8String by cryptography."""
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, country)]
    if locality:
        attrs.append(x509.NameAttribute(NameOID.LOCALITY_NAME, locality))
    if organization:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(attrs)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def create_root_ca(common_name: str = "eGov Demo Root CA", organization: str = "eGov Demo",
                   *, days: int = 3650, algorithm: str = "rsa") -> Issued:
    """A self-signed root CA (basicConstraints CA, keyCertSign + cRLSign)."""
    key = new_key(algorithm)
    name = make_name(common_name, organization)
    now = _now()
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=False, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(ski, critical=False)
        .sign(key, hashes.SHA256())
    )
    return Issued(cert, key)


def issue_certificate(ca: Issued, common_name: str, *, organization: str = "", locality: str = "",
                      algorithm: str = "rsa", public_key=None, days: int = 730,
                      key: PrivateKey | None = None) -> Issued:
    """Issue a signing certificate (digitalSignature + nonRepudiation).

    Pass ``public_key`` to certify a key held elsewhere (an HSM token); the returned ``key`` is
    then ``None``.
    """
    if public_key is None:
        key = key or new_key(algorithm)
        public_key = key.public_key()
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(make_name(common_name, organization, locality))
        .issuer_name(ca.certificate.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=True, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
            ca.certificate.public_key()), critical=False)
        .sign(ca.key, hashes.SHA256())
    )
    return Issued(cert, key)


def export_pkcs12(issued: Issued, password: str | bytes, *, chain: list[x509.Certificate] = (),
                  friendly_name: str | None = None) -> bytes:
    """The key, certificate and chain as PKCS#12 bytes protected by ``password``."""
    if issued.key is None:
        raise ValueError("the key of this certificate is not available")
    if isinstance(password, str):
        password = password.encode()
    name = (friendly_name or issued.certificate.subject.get_attributes_for_oid(
        NameOID.COMMON_NAME)[0].value).encode()
    return pkcs12.serialize_key_and_certificates(
        name, issued.key, issued.certificate, list(chain) or None,
        serialization.BestAvailableEncryption(password),
    )


def load_pkcs12(data: bytes, password: str | bytes):
    """(key, certificate, additional certificates) from PKCS#12 bytes."""
    if isinstance(password, str):
        password = password.encode()
    return pkcs12.load_key_and_certificates(data, password)
