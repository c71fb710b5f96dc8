"""Signing fixtures reused across the signing tests: a test PKI, a SoftHSM2 token, an NSS database
for poppler's pdfsig, a small PDF, and validation helpers."""

from __future__ import annotations

import io
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from egov.signing import pki

P12_PASSWORD = "Mat-khau-khoa-2026"
HSM_MODULE = "/usr/lib/softhsm/libsofthsm2.so"
HSM_TOKEN = "egov-test"
HSM_PIN = "123456"
HSM_SO_PIN = "12345678"


@dataclass(frozen=True)
class TestPki:
    root: pki.Issued
    leader: pki.Issued        # RSA-2048 "Trần Văn Lãnh"
    org: pki.Issued           # ECDSA P-256 "UBND tỉnh Minh Phong"
    leader_p12: bytes
    org_p12: bytes
    password: str = P12_PASSWORD

    @property
    def ecdsa(self) -> pki.Issued:
        return self.org

    @property
    def ecdsa_p12(self) -> bytes:
        return self.org_p12


# Other test packages import these session fixtures (`from tests.signing.conftest import
# softhsm_token`); pytest then keeps one instance per importing module. A PKCS#11 library reads
# SOFTHSM2_CONF once per process, so a second token would be invisible: share one per process.
_SHARED: dict[str, object] = {}


@pytest.fixture(scope="session")
def test_pki() -> TestPki:
    if "test_pki" in _SHARED:
        return _SHARED["test_pki"]
    _SHARED["test_pki"] = _make_test_pki()
    return _SHARED["test_pki"]


def _make_test_pki() -> TestPki:
    root = pki.create_root_ca("eGov Test Root CA", "eGov Kiểm thử")
    leader = pki.issue_certificate(root, "Trần Văn Lãnh", organization="UBND tỉnh Minh Phong",
                                   locality="Minh Phong", algorithm="rsa")
    org = pki.issue_certificate(root, "UBND tỉnh Minh Phong", organization="UBND tỉnh Minh Phong",
                                locality="Minh Phong", algorithm="ecdsa")
    return TestPki(
        root=root, leader=leader, org=org,
        leader_p12=pki.export_pkcs12(leader, P12_PASSWORD, chain=[root.certificate]),
        org_p12=pki.export_pkcs12(org, P12_PASSWORD, chain=[root.certificate]),
    )


@dataclass(frozen=True)
class HsmToken:
    module: str
    label: str
    pin: str
    rsa_label: str
    ec_label: str
    rsa: pki.Issued     # certificate only (key lives on the token)
    ec: pki.Issued

    def config(self, key_label: str) -> dict:
        return {"module": self.module, "token_label": self.label, "pin": self.pin,
                "key_label": key_label, "other_certs_to_pull": ["root-ca"]}


def _run(*args: str, **kw) -> str:
    res = subprocess.run(args, capture_output=True, text=True, **kw)
    if res.returncode != 0:
        raise RuntimeError(f"{args[0]} failed: {res.stdout}\n{res.stderr}")
    return res.stdout


@pytest.fixture(scope="session")
def softhsm_token(tmp_path_factory, test_pki) -> HsmToken:
    """A SoftHSM2 token in a temporary directory with an RSA and an ECDSA key imported, their
    certificates (same id and label) and the root CA."""
    if "softhsm_token" in _SHARED:
        yield _SHARED["softhsm_token"]
        return
    base = tmp_path_factory.mktemp("softhsm")
    (base / "tokens").mkdir()
    conf = base / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {base / 'tokens'}\nobjectstore.backend = file\n"
                    "log.level = ERROR\n")
    previous_conf = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)  # read by libsofthsm2 at C_Initialize
    _run("softhsm2-util", "--init-token", "--free", "--label", HSM_TOKEN, "--pin", HSM_PIN,
         "--so-pin", HSM_SO_PIN)
    root = test_pki.root
    rsa = pki.issue_certificate(root, "Trần Văn Lãnh", organization="UBND tỉnh Minh Phong",
                                locality="Minh Phong", algorithm="rsa")
    ec = pki.issue_certificate(root, "UBND tỉnh Minh Phong", organization="UBND tỉnh Minh Phong",
                               locality="Minh Phong", algorithm="ecdsa")
    for issued, key_id, label in ((rsa, "01", "leader-rsa"), (ec, "02", "org-ec")):
        key_pem = base / f"{label}.pem"
        key_pem.write_bytes(issued.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()))
        _run("softhsm2-util", "--import", str(key_pem), "--token", HSM_TOKEN, "--label", label,
             "--id", key_id, "--pin", HSM_PIN)
        key_pem.unlink()
        cert_der = base / f"{label}.der"
        cert_der.write_bytes(issued.der)
        _run("pkcs11-tool", "--module", HSM_MODULE, "--token-label", HSM_TOKEN, "--login",
             "--pin", HSM_PIN, "--write-object", str(cert_der), "--type", "cert", "--id", key_id,
             "--label", label)
    root_der = base / "root.der"
    root_der.write_bytes(root.der)
    _run("pkcs11-tool", "--module", HSM_MODULE, "--token-label", HSM_TOKEN, "--login", "--pin",
         HSM_PIN, "--write-object", str(root_der), "--type", "cert", "--id", "10", "--label",
         "root-ca")
    token = HsmToken(HSM_MODULE, HSM_TOKEN, HSM_PIN, "leader-rsa", "org-ec",
                     pki.Issued(rsa.certificate, None), pki.Issued(ec.certificate, None))
    _SHARED["softhsm_token"] = token
    yield token
    _SHARED.pop("softhsm_token", None)
    from egov.signing.signers import Pkcs11Source

    Pkcs11Source.close_all()
    if previous_conf is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = previous_conf


@pytest.fixture(scope="session")
def nssdb(tmp_path_factory, test_pki) -> str:
    """An NSS database trusting the test root, for ``pdfsig -nssdir``."""
    d = tmp_path_factory.mktemp("nssdb")
    _run("certutil", "-N", "-d", f"sql:{d}", "--empty-password")
    root_pem = d / "root.pem"
    root_pem.write_bytes(test_pki.root.pem)
    _run("certutil", "-A", "-d", f"sql:{d}", "-n", "eGov Test Root CA", "-t", "CT,C,C",
         "-i", str(root_pem))
    return f"sql:{d}"


@pytest.fixture(scope="session")
def sample_pdf() -> bytes:
    """A one-page A4 PDF with Vietnamese text (WeasyPrint)."""
    from weasyprint import HTML

    html = """<html lang="vi"><head><style>
      @page { size: A4; margin: 2cm }
      body { font-family: 'Liberation Serif'; font-size: 13pt }
    </style></head><body>
      <p style="text-align:center"><b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b><br>
      Độc lập - Tự do - Hạnh phúc</p>
      <h1 style="text-align:center">QUYẾT ĐỊNH</h1>
      <p>Về việc phê duyệt kế hoạch chuyển đổi số năm 2026.</p>
    </body></html>"""
    return HTML(string=html).write_pdf()


# ---------------------------------------------------------------- validation helpers

def validate_with_pyhanko(pdf: bytes, root: pki.Issued) -> list:
    """pyHanko status of every embedded signature, trusting only ``root``."""
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    vc = ValidationContext(trust_roots=[asn1_x509.Certificate.load(root.der)],
                           allow_fetching=False, revocation_mode="soft-fail")
    reader = PdfFileReader(io.BytesIO(pdf))
    return [validate_pdf_signature(sig, vc) for sig in reader.embedded_signatures]


def pdfsig(pdf: bytes, nssdir: str, tmp_path: Path) -> str:
    path = tmp_path / "signed.pdf"
    path.write_bytes(pdf)
    res = subprocess.run(["pdfsig", "-nssdir", nssdir, str(path)], capture_output=True, text=True)
    return res.stdout + res.stderr
