"""Legacy ``adbe.pkcs7.sha1`` signatures (PDF 32000-1 §12.8.3.3.1): the CMS SignedData
encapsulates the SHA-1 digest of the signed byte ranges, and the signer signs that digest.

pyHanko refuses this /SubFilter. It is still produced by old signing software, so it is checked
here with pyHanko's own parts: the byte ranges and the difference analysis of later revisions
(compute_integrity_info, exactly as for other signatures), the SHA-1 of the byte ranges against
the encapsulated digest, and the CMS signature over it with the certificate path
(cms_basic_validation). SHA-1 is no longer collision resistant: the report carries a warning.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib

from asn1crypto import core
from pyhanko.sign.validation import generic_cms
from pyhanko.sign.validation.status import PdfSignatureStatus
from pyhanko.sign.validation.utils import CMSAlgorithmUsagePolicy
from pyhanko_certvalidator.policy_decl import DisallowWeakAlgorithmsPolicy

PKCS7_SHA1 = "/adbe.pkcs7.sha1"

# SHA-1 is accepted for this legacy format only (it is reported as weak).
_LEGACY_POLICY = CMSAlgorithmUsagePolicy.lift_policy(
    DisallowWeakAlgorithmsPolicy(weak_hash_algos=frozenset({"md2", "md5"})))


def is_legacy(embedded) -> bool:
    return embedded.sig_object.get("/SubFilter") == PKCS7_SHA1


def _byte_range_sha1(embedded) -> bytes:
    stream = embedded.reader.stream
    digest = hashlib.sha1()  # noqa: S324 - the legacy format is defined over SHA-1
    byte_range = [int(value) for value in embedded.byte_range]
    for offset, length in zip(byte_range[::2], byte_range[1::2], strict=True):
        stream.seek(offset)
        digest.update(stream.read(length))
    return digest.digest()


async def _validate(embedded, validation_context, ts_validation_context) -> PdfSignatureStatus:
    embedded.compute_integrity_info()
    status_kwargs = embedded.summarise_integrity_info()
    status_kwargs.update(await generic_cms.collect_timing_info(
        embedded.signer_info, ts_validation_context, raw_digest=None,
        algorithm_policy=_LEGACY_POLICY))
    if "signer_reported_dt" not in status_kwargs and embedded.self_reported_timestamp:
        status_kwargs["signer_reported_dt"] = embedded.self_reported_timestamp
    status_kwargs = await generic_cms.cms_basic_validation(
        embedded.signed_data, raw_digest=None, validation_context=validation_context,
        status_kwargs=status_kwargs,
        key_usage_settings=PdfSignatureStatus.default_usage_constraints(None),
        algorithm_policy=_LEGACY_POLICY)
    status = PdfSignatureStatus(**status_kwargs)
    if _byte_range_sha1(embedded) not in _encapsulated_digests(embedded):
        status = dataclasses.replace(status, intact=False)
    return status


def _encapsulated_digests(embedded) -> set[bytes]:
    """The encapsulated data: the 20 octets of the digest (or, as some producers write it, a DER
    OCTET STRING holding them)."""
    raw = bytes(embedded.signed_data["encap_content_info"]["content"])
    found = {raw}
    try:
        found.add(core.OctetString.load(raw).native)
    except Exception:  # noqa: BLE001 - plain octets
        pass
    return found


def validate(embedded, validation_context, ts_validation_context) -> PdfSignatureStatus:
    """pyHanko's PdfSignatureStatus of an adbe.pkcs7.sha1 signature."""
    return asyncio.run(_validate(embedded, validation_context, ts_validation_context))
