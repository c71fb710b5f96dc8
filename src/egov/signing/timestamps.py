"""The signature-timestamp client configured by the site settings (PAdES baseline B-T).

A signature timestamp from an RFC 3161 time-stamp authority proves when the signature was made,
so that validation can check the signer's certificate at signing time (NĐ 130/2018 Điều 9) and
the signature stays verifiable after the certificate expires. Without a TSA the signature is
PAdES B-B and its time is only the signer's claim (the /M entry).

Settings (read with ``getattr``, all optional):

``EGOV_TSA_URL``
    URL of the RFC 3161 service (HTTP POST ``application/timestamp-query``), e.g. a licensed
    provider's timestamp service, or the loopback TSA of :mod:`egov.signing.tsa` in the demo.
    Empty (the default): no timestamp, :func:`timestamper_from_settings` returns ``None``.
``EGOV_TSA_USER`` / ``EGOV_TSA_PASSWORD``
    HTTP basic-authentication credentials, if the service requires them.
``EGOV_TSA_TIMEOUT``
    Seconds to wait for the service (default 10). A service that is down or does not answer
    makes signing fail with ``pyhanko.sign.timestamps.TimestampRequestError`` after at most
    this long; it never hangs.

Use: ``pades.sign_pdf(data, signer, ..., timestamper=timestamper_from_settings())``.

Long-term validation (PAdES baseline B-LT): :func:`add_long_term_validation` appends, in a new
incremental revision, a document security store (DSS) holding the certificates of the last
signature and of its timestamp, and the CRLs / OCSP responses that validated them, so the
signature can be checked later without the CA being reachable. Verification reports that
revision as ``LTA_UPDATES`` (allowed after the last signature).
"""

from __future__ import annotations

import base64
import io
import logging

from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.timestamps import HTTPTimeStamper, TimestampRequestError
from pyhanko.sign.validation import add_validation_info
from pyhanko_certvalidator import ValidationContext

__all__ = ["DEFAULT_TIMEOUT", "TimestampRequestError", "add_long_term_validation",
           "long_term_if_configured", "timestamper_from_settings"]

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 10


def timestamper_from_settings() -> HTTPTimeStamper | None:
    """An ``HTTPTimeStamper`` for ``settings.EGOV_TSA_URL``, or ``None`` when it is not set."""
    url = (getattr(settings, "EGOV_TSA_URL", "") or "").strip()
    if not url:
        return None
    user = getattr(settings, "EGOV_TSA_USER", "") or ""
    password = getattr(settings, "EGOV_TSA_PASSWORD", "") or ""
    timeout = float(getattr(settings, "EGOV_TSA_TIMEOUT", DEFAULT_TIMEOUT) or DEFAULT_TIMEOUT)
    headers = None
    if user:
        # Basic authentication as a header: aiohttp deprecates the ``auth=`` parameter.
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        headers = {"Authorization": f"Basic {token}"}
    return HTTPTimeStamper(url, timeout=timeout, headers=headers)


def add_long_term_validation(data: bytes, *, roots: list[asn1_x509.Certificate],
                             crls: list[bytes] | tuple[bytes, ...] = (),
                             allow_fetching: bool = False) -> bytes:
    """Add the validation data of the last signature of ``data`` (its certificate path, its
    timestamp's path and revocation information) in a DSS revision: PAdES B-T → B-LT.

    ``roots`` are the trust anchors, ``crls`` DER CRLs known in advance; with
    ``allow_fetching`` the CRL distribution points and OCSP responders named in the
    certificates are queried too. Raises ``ValueError`` if ``data`` has no signature.
    """
    reader = PdfFileReader(io.BytesIO(data))
    signatures = reader.embedded_signatures
    if not signatures:
        raise ValueError("the document has no signature")
    vc = ValidationContext(
        trust_roots=list(roots), crls=[asn1_crl.CertificateList.load(c) for c in crls],
        allow_fetching=allow_fetching, revocation_mode="soft-fail")
    out = io.BytesIO()
    add_validation_info(signatures[-1], vc, output=out)
    return out.getvalue()


def long_term_if_configured(data: bytes) -> bytes:
    """PAdES B-LT where it can be made: when a timestamp authority is configured (the last
    signature of ``data`` is then B-T) and ``EGOV_PADES_LT`` is on, add the validation data of
    that signature (:func:`add_long_term_validation` over the trust anchors; CRLs/OCSP fetched
    from the CAs only with ``EGOV_REVOCATION_FETCH``). If that fails — a CA unreachable, a
    certificate path that cannot be built — the B-T document is kept and the reason logged:
    the signature itself stays valid."""
    if timestamper_from_settings() is None or not getattr(settings, "EGOV_PADES_LT", True):
        return data
    from .trust import trust_roots

    try:
        return add_long_term_validation(
            data, roots=trust_roots(),
            allow_fetching=bool(getattr(settings, "EGOV_REVOCATION_FETCH", False)))
    except Exception as exc:  # noqa: BLE001 - B-T stays valid; B-LT is an improvement
        log.warning("long-term validation data not added: %s", exc)
        return data
