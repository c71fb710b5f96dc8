"""Trust anchors and the certificate validation context used to verify signed PDFs.

A signature is "trusted" when pyhanko-certvalidator builds a path from the signer's certificate
to one of these roots (Luật Giao dịch điện tử 2023 Điều 23-24: a secure digital signature is one
whose certificate is issued by a licensed provider; NĐ 23/2025 on the root CA of the Ban Cơ yếu
Chính phủ / NEAC). The administrator keeps the list in TrustAnchor rows; PEM or DER files in the
optional directory settings.EGOV_TRUST_ANCHORS_DIR are added to it.

Revocation: this deployment runs with the network closed, so the context never fetches CRLs or
OCSP responses (allow_fetching=False) and uses the "soft-fail" revocation mode (a missing
revocation answer does not fail the path; a revocation found in embedded data does). A
production installation with network access may set allow_fetching=True and the "hard-fail"
mode, so that OCSP/CRL answers from the CAs are checked at verification time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from pathlib import Path

from asn1crypto import pem, x509
from django.conf import settings
from pyhanko_certvalidator import ValidationContext

REVOCATION_MODE = "soft-fail"


def _load_certificates(raw: bytes) -> list[x509.Certificate]:
    if pem.detect(raw):
        return [x509.Certificate.load(der) for _type, _headers, der in pem.unarmor(raw, multiple=True)
                if _type == "CERTIFICATE"]
    return [x509.Certificate.load(raw)]


def _directory_roots() -> list[x509.Certificate]:
    directory = getattr(settings, "EGOV_TRUST_ANCHORS_DIR", None)
    if not directory:
        return []
    roots: list[x509.Certificate] = []
    for path in sorted(Path(directory).glob("*")):
        if path.suffix.lower() in {".pem", ".crt", ".cer", ".der"} and path.is_file():
            roots.extend(_load_certificates(path.read_bytes()))
    return roots


# The parsed anchors, kept for settings.EGOV_TRUST_ROOTS_CACHE_SECONDS (default 30) per process:
# the public verifier must not pay a query and the parsing of every root per request (issue 9
# §4). A change of a TrustAnchor row clears it at once in the process that made it (signals,
# connected in SigningConfig.ready()); other processes see it within the cache time.
_cache: dict[str, object] = {}
_cache_lock = threading.Lock()


def forget_trust_roots(**_kwargs) -> None:
    with _cache_lock:
        _cache.clear()


def trust_roots() -> list[x509.Certificate]:
    """The active trust anchors (database rows first, then the files of EGOV_TRUST_ANCHORS_DIR),
    cached briefly (see above)."""
    seconds = float(getattr(settings, "EGOV_TRUST_ROOTS_CACHE_SECONDS", 30))
    key = str(getattr(settings, "EGOV_TRUST_ANCHORS_DIR", "") or "")
    now = time.monotonic()
    with _cache_lock:
        if seconds > 0 and _cache.get("key") == key and now < float(_cache.get("until", 0)):
            return list(_cache["roots"])  # type: ignore[call-overload]
    roots = _read_trust_roots()
    if seconds > 0:
        with _cache_lock:
            _cache.update(key=key, until=now + seconds, roots=tuple(roots))
    return roots


def _read_trust_roots() -> list[x509.Certificate]:
    from .models import TrustAnchor

    roots = [x509.Certificate.load(bytes(der)) for der in
             TrustAnchor.objects.filter(is_active=True).order_by("pk")
             .values_list("certificate_der", flat=True)]
    roots.extend(_directory_roots())
    seen: set[bytes] = set()
    unique = []
    for cert in roots:
        if cert.sha256 not in seen:
            seen.add(cert.sha256)
            unique.append(cert)
    return unique


def validation_context(extra_roots: Iterable[x509.Certificate] = (), *,
                       roots: Iterable[x509.Certificate] | None = None,
                       moment=None, dss=None) -> ValidationContext:
    """A ValidationContext over `roots` (default: trust_roots()) plus `extra_roots`; offline.
    ``moment`` validates the paths at that time instead of now (a timestamped past signature);
    ``dss`` (the PDF's document security store) adds its certificates, CRLs and OCSP answers, so
    a revocation recorded in the document is seen (PAdES B-LT)."""
    anchors = list(trust_roots() if roots is None else roots) + list(extra_roots)
    kwargs = {"trust_roots": anchors, "allow_fetching": False,
              "revocation_mode": REVOCATION_MODE}
    if moment is not None:
        # A CRL issued after ``moment`` still tells whether the certificate was revoked before
        # it (its revocation dates); accept such newer revocation data for the past moment.
        kwargs["moment"] = moment
        kwargs["retroactive_revinfo"] = True
    if dss is not None:
        return dss.as_validation_context(kwargs)
    return ValidationContext(**kwargs)
