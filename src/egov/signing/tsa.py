"""A small RFC 3161 time-stamp authority on loopback, for tests and the demo.

A signature timestamp (PAdES baseline B-T, ETSI EN 319 142-1) proves that the signature existed
at a given time, so it stays verifiable after the signer's certificate expires or is revoked
(NĐ 130/2018 Điều 9: a digital signature is checked against the certificate's validity *at
signing time*). Real deployments use the timestamp service (dịch vụ cấp dấu thời gian) of a
licensed trust-service provider (Luật Giao dịch điện tử 2023; NĐ 23/2025) through
``EGOV_TSA_URL`` (see :mod:`egov.signing.timestamps`); this module only stands one up locally so
that signing and validation work offline.

Protocol (RFC 3161 §3.4, time-stamp protocol via HTTP): ``POST <url>`` with
``Content-Type: application/timestamp-query`` and a DER ``TimeStampReq``; the answer is
``application/timestamp-reply`` with a DER ``TimeStampResp``. ``GET /ca.crl`` serves a CRL when
one is given (for long-term validation data, PAdES B-LT).

Usage (tests, and ``egov demo`` for a local TSA)::

    from egov.signing import pki, tsa
    ca = pki.create_root_ca()
    url, stop = tsa.serve_tsa(ca)          # e.g. http://127.0.0.1:41213/tsa
    # settings.EGOV_TSA_URL = url  -> egov.signing.timestamps.timestamper_from_settings()
    ...
    stop()

The TSA certificate is issued by ``ca`` with extended key usage id-kp-timeStamping, marked
critical as RFC 3161 §2.3 requires.
"""

from __future__ import annotations

import base64
import datetime as dt
import hmac
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import ExtendedKeyUsageOID
from pyhanko.sign.timestamps import DummyTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

from . import pki

TSA_PATH = "/tsa"
CRL_PATH = "/ca.crl"
MAX_REQUEST = 64 * 1024  # a TimeStampReq is a few hundred bytes


def issue_tsa_certificate(ca: pki.Issued, common_name: str = "eGov Demo TSA", *,
                          organization: str = "eGov Demo", days: int = 730) -> pki.Issued:
    """An RSA-2048 TSA certificate issued by ``ca``: digitalSignature, and extended key usage
    id-kp-timeStamping only, critical (RFC 3161 §2.3)."""
    key = pki.new_key("rsa")
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    cert = (
        x509.CertificateBuilder()
        .subject_name(pki.make_name(common_name, organization))
        .issuer_name(ca.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                       critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
            ca.certificate.public_key()), critical=False)
        .sign(ca.key, hashes.SHA256())
    )
    return pki.Issued(cert, key)


def make_crl(ca: pki.Issued, *, revoked: tuple[int, ...] = (), days: int = 7) -> bytes:
    """A DER CRL signed by ``ca`` listing the serial numbers ``revoked`` (empty by default)."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    builder = (x509.CertificateRevocationListBuilder()
               .issuer_name(ca.certificate.subject)
               .last_update(now - dt.timedelta(minutes=5))
               .next_update(now + dt.timedelta(days=days))
               .add_extension(x509.CRLNumber(1), critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                   ca.certificate.public_key()), critical=False))
    for serial in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(serial)
            .revocation_date(now - dt.timedelta(minutes=1)).build())
    return builder.sign(ca.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def dummy_timestamper(ca: pki.Issued, tsa: pki.Issued) -> DummyTimeStamper:
    """pyHanko's in-process TSA signing with ``tsa`` and embedding the CA certificate."""
    key = asn1_keys.PrivateKeyInfo.load(tsa.key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    return DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(tsa.der), tsa_key=key,
        certs_to_embed=SimpleCertificateStore.from_certs([asn1_x509.Certificate.load(ca.der)]))


def _handler(stamper: DummyTimeStamper, lock: threading.Lock, crl: bytes | None,
             credentials: tuple[str, str] | None):
    expected_auth = None
    if credentials:
        token = base64.b64encode(f"{credentials[0]}:{credentials[1]}".encode()).decode()
        expected_auth = f"Basic {token}"

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format, *args):  # noqa: A002 - quiet; the stdlib signature
            pass

        def _reply(self, status: int, body: bytes = b"", ctype: str = "text/plain") -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            if status == 401:
                self.send_header("WWW-Authenticate", 'Basic realm="eGov TSA"')
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):  # noqa: N802 - http.server naming
            if self.path == CRL_PATH and crl is not None:
                self._reply(200, crl, "application/pkix-crl")
            else:
                self._reply(404, b"not found")

        def do_POST(self):  # noqa: N802 - http.server naming
            if self.path != TSA_PATH:
                self._reply(404, b"not found")
                return
            if expected_auth and not hmac.compare_digest(
                    self.headers.get("Authorization", ""), expected_auth):
                self._reply(401, b"authentication required")
                return
            length = int(self.headers.get("Content-Length") or 0)
            if self.headers.get("Content-Type") != "application/timestamp-query" or not (
                    0 < length <= MAX_REQUEST):
                self._reply(400, b"expected an application/timestamp-query body")
                return
            body = self.rfile.read(length)
            try:
                req = tsp.TimeStampReq.load(body)
                _ = req.native  # parse fully now, so that garbage is a 400 and not a 500
                with lock:
                    resp = stamper.request_tsa_response(req)
            except Exception:  # noqa: BLE001 - a malformed request is the client's error
                self._reply(400, b"malformed TimeStampReq")
                return
            self._reply(200, resp.dump(), "application/timestamp-reply")

    return Handler


def serve_tsa(ca: pki.Issued, *, host: str = "127.0.0.1", port: int = 0,
              tsa: pki.Issued | None = None, crl: bytes | None = None,
              credentials: tuple[str, str] | None = None) -> tuple[str, Callable[[], None]]:
    """Start an RFC 3161 TSA in a daemon thread and return ``(url, stop)``.

    ``tsa`` is the TSA's certificate and key (default: a new one from
    :func:`issue_tsa_certificate`); ``crl`` (DER) is served at ``GET /ca.crl``; ``credentials``
    ``(user, password)`` require HTTP basic authentication. ``port=0`` picks a free port.
    ``stop()`` shuts the server down and closes its socket.
    """
    tsa = tsa or issue_tsa_certificate(ca)
    server = ThreadingHTTPServer((host, port), _handler(dummy_timestamper(ca, tsa),
                                                        threading.Lock(), crl, credentials))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="egov-tsa", daemon=True)
    thread.start()
    bound_host, bound_port = server.server_address[:2]
    url = f"http://{bound_host}:{bound_port}{TSA_PATH}"

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

    return url, stop
