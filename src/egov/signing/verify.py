"""Verification of any signed PDF: every embedded signature, its certificate path, its integrity
and what was changed in the file after it was made.

Law: Luật Giao dịch điện tử 2023 Điều 22-24 (a digital signature is secure when it was created
with the signer's key, the certificate is valid and trusted, and any change to the data message
after signing can be detected); NĐ 130/2018 Điều 9 (checking a digital signature: the certificate
path, its validity at signing time, and the integrity of the signed message); NĐ 30/2020 Phụ lục I
(the presentation of digital signatures on electronic documents).

pyHanko does the work: the CMS signature over the /ByteRange (intact), the certificate path to a
trust anchor (trusted, egov.signing.trust) and the difference analysis of the revisions added
after each signature (modification level and DocMDP). poppler's pdfsig only checks bytes: it
accepts an unsigned revision appended after the last signature ("Not total document signed"),
so the overall verdict here also requires that nothing but long-term-validation data (DSS,
document timestamps) follows the last signature.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from asn1crypto import x509
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.dss import DocumentSecurityStore, NoDSSFoundError
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import SignatureCoverageLevel

from . import verify_legacy
from .trust import trust_roots, validation_context
from .verify_read import NotAPdf, name_attr, open_pdf, reopen_tolerant, rfc4514, signed_prefixes

__all__ = ["MODIFICATION_LABELS", "NotAPdf", "SignatureReport", "TimestampInfo",
           "VerificationReport", "verify_pdf"]

# The levels of pyHanko's difference analysis (ModificationLevel), for people.
MODIFICATION_LABELS = {
    "NONE": gettext_lazy("none"),
    "LTA_UPDATES": gettext_lazy("long-term validation data only (DSS, document timestamps)"),
    "FORM_FILLING": gettext_lazy("form filling or signing of prepared fields"),
    "ANNOTATIONS": gettext_lazy("comments / annotations"),
    "OTHER": gettext_lazy("other changes to the content"),
}


@dataclass
class TimestampInfo:
    time: str
    tsa: str
    intact: bool
    trusted: bool


@dataclass
class SignatureReport:
    field: str
    signer: str
    organisation: str
    subject: str
    issuer: str
    serial: str
    signed_at: str | None
    timestamp: TimestampInfo | None
    intact: bool
    trusted: bool
    modification: str
    coverage: str
    whole_file: bool
    docmdp_ok: bool
    valid: bool
    kind: str = "signature"  # or "document_timestamp"
    certifying: bool = False
    # True when the certificate is no longer valid today and the signature was validated at the
    # time of its trusted timestamp (long-term validation).
    validated_at_timestamp: bool = False
    reasons: list[str] = field(default_factory=list)
    # Not a reason to reject: a weak legacy algorithm (SHA-1), an unusual encoding.
    warnings: list[str] = field(default_factory=list)


@dataclass
class VerificationReport:
    valid: bool
    signatures: list[SignatureReport]
    reasons: list[str] = field(default_factory=list)
    revisions: int = 0
    # The file's structure was unusual and read tolerantly (the signatures still checked).
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "signatures": [asdict(sig) for sig in self.signatures],
            "reasons": list(self.reasons),
            "revisions": self.revisions,
            "warnings": list(self.warnings),
        }


def _name_attr(cert: x509.Certificate, attr: str) -> str:
    return name_attr(cert, attr)


def _names(cert: x509.Certificate) -> tuple[str, str]:
    """(subject, issuer) as RFC 4514 strings, read with asn1crypto: certificates whose encoding
    is not strict DER (pyHanko reads them) must not crash the report."""
    return rfc4514(cert.subject), rfc4514(cert.issuer)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _modification(status) -> ModificationLevel | None:
    try:
        return status.modification_level
    except Exception:  # noqa: BLE001 - a suspicious diff result already means OTHER
        return ModificationLevel.OTHER


def _timestamp(ts_status) -> TimestampInfo | None:
    if ts_status is None:
        return None
    return TimestampInfo(
        time=_iso(ts_status.timestamp) or "",
        tsa=_names(ts_status.signing_cert)[0],
        intact=bool(ts_status.intact and ts_status.valid),
        trusted=bool(ts_status.trusted),
    )


def _byte_range_end(sig_obj) -> int:
    try:
        byte_range = sig_obj.get_object()["/ByteRange"]
        return int(byte_range[2]) + int(byte_range[3])
    except Exception:  # noqa: BLE001 - a missing or odd /ByteRange sorts last
        return 2**63


def _broken(field_name: str, kind: str, error: object) -> SignatureReport:
    return SignatureReport(
        field=str(field_name), signer="", organisation="", subject="", issuer="", serial="",
        signed_at=None, timestamp=None, intact=False, trusted=False,
        modification=ModificationLevel.OTHER.name, coverage=SignatureCoverageLevel.UNCLEAR.name,
        whole_file=False, docmdp_ok=False, valid=False, kind=kind,
        reasons=[_("The signature could not be validated: %(error)s") % {"error": error}],
    )


_SUPPORTED = {sf.value for sf in SigSeedSubFilter}


def _collect(reader: PdfFileReader) -> list[tuple[int, EmbeddedPdfSignature | SignatureReport]]:
    """Every filled signature field, in file order; one that pyHanko cannot load (damaged CMS,
    several SignerInfos, unsupported /SubFilter such as adbe.x509.rsa_sha1) becomes an invalid
    entry naming its field and the reason instead of being skipped or crashing."""
    entries: list[tuple[int, EmbeddedPdfSignature | SignatureReport]] = []
    for fq_name, sig_obj, sig_field in reader._egov_fields:  # type: ignore[attr-defined]
        fq_name = str(fq_name)
        end = _byte_range_end(sig_obj)
        kind = "signature"
        try:
            kind = ("document_timestamp" if sig_obj.get_object().get("/Type") == "/DocTimeStamp"
                    else "signature")
            subfilter = sig_obj.get_object().get("/SubFilter")
            if subfilter not in _SUPPORTED and subfilter != verify_legacy.PKCS7_SHA1:
                entries.append((end, _broken(fq_name, kind, _(
                    "unsupported signature format %(subfilter)s") % {"subfilter": subfilter})))
                continue
            entries.append((end, EmbeddedPdfSignature(reader, sig_field, fq_name)))
        except Exception as exc:  # noqa: BLE001 - a damaged signature is reported, never a crash
            if "signer_infos" in str(exc):
                exc = _("the signature container holds %(count)s signer entries (SignerInfo) "
                        "instead of one") % {"count": _signer_info_count(sig_obj)}
            entries.append((end, _broken(fq_name, kind, exc)))
    entries.sort(key=lambda entry: entry[0])
    return entries


def _signer_info_count(sig_obj) -> str:
    try:
        from asn1crypto import cms

        info = cms.ContentInfo.load(bytes(sig_obj.get_object()["/Contents"]))
        return str(len(info["content"]["signer_infos"]))
    except Exception:  # noqa: BLE001
        return "?"


def _read_dss(reader: PdfFileReader):
    """The document security store (certificates, CRLs, OCSP answers of PAdES B-LT), or None."""
    try:
        return DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        return None
    except Exception:  # noqa: BLE001 - a broken DSS is ignored (the signatures are still checked)
        return None


def _timestamp_ok(ts_status) -> bool:
    return bool(ts_status is not None and ts_status.intact and ts_status.valid
                and ts_status.trusted and ts_status.timestamp is not None)


def _validate(embedded, anchors, dss, moment=None):
    signer_vc = validation_context(roots=anchors, dss=dss, moment=moment)
    ts_vc = validation_context(roots=anchors, dss=dss)
    if verify_legacy.is_legacy(embedded):
        return verify_legacy.validate(embedded, signer_vc, ts_vc)
    return validate_pdf_signature(embedded, signer_validation_context=signer_vc,
                                  ts_validation_context=ts_vc)


def _check_one(embedded, anchors, dss=None) -> SignatureReport:
    is_doc_ts = embedded.sig_object_type == "/DocTimeStamp"
    field_name = str(embedded.field_name or "")
    reasons: list[str] = []
    warnings: list[str] = []
    try:
        if is_doc_ts:
            status = validate_pdf_timestamp(
                embedded, validation_context=validation_context(roots=anchors, dss=dss))
        else:
            status = _validate(embedded, anchors, dss)
    except Exception as exc:  # noqa: BLE001 - a malformed signature is reported, never a crash
        return _broken(field_name, "document_timestamp" if is_doc_ts else "signature", exc)

    validated_at_timestamp = False
    if (not is_doc_ts and status.intact and status.valid and not status.trusted
            and _timestamp_ok(status.timestamp_validity)):
        # Long-term validation (ETSI EN 319 102-1 §5.6, validation of a past signature): the
        # certificate has expired (or was revoked) since, but a trusted RFC 3161 timestamp
        # proves the signature existed at a time when the path was valid — validate the path
        # at that time (Luật Giao dịch điện tử 2023 Điều 23: valid "at the time of signing").
        try:
            at_ts = _validate(embedded, anchors, dss, moment=status.timestamp_validity.timestamp)
        except Exception:  # noqa: BLE001 - keep the first result
            at_ts = None
        if at_ts is not None and at_ts.trusted:
            status, validated_at_timestamp = at_ts, True

    cert = status.signing_cert
    intact = bool(status.intact and status.valid)
    trusted = bool(status.trusted)
    level = _modification(status)
    coverage = status.coverage or SignatureCoverageLevel.UNCLEAR
    whole_file = coverage == SignatureCoverageLevel.ENTIRE_FILE or (
        coverage == SignatureCoverageLevel.ENTIRE_REVISION and level is not None
        and level <= ModificationLevel.LTA_UPDATES)
    if is_doc_ts:
        # pyHanko leaves docmdp_ok None for document timestamps (a timestamp carries no DocMDP
        # permissions). Its difference analysis of the later revisions still applies: DSS
        # updates, later document timestamps and the signing of fields (PAdES B-LTA, ETSI EN
        # 319 142-1 §5.5) are what may follow a timestamp; anything beyond is not.
        docmdp_ok = coverage == SignatureCoverageLevel.ENTIRE_FILE or (
            coverage == SignatureCoverageLevel.ENTIRE_REVISION and level is not None
            and level <= ModificationLevel.FORM_FILLING)
    else:
        docmdp_ok = bool(status.docmdp_ok) if status.docmdp_ok is not None else (
            coverage == SignatureCoverageLevel.ENTIRE_FILE)
    if not intact:
        reasons.append(_("The signed content was changed after signing (digest mismatch)."))
    if not trusted:
        reasons.append(_("The certificate does not lead to a trusted root certificate."))
    if not docmdp_ok:
        reasons.append(_("The document was changed after this signature in a way that is not "
                         "allowed."))
    if not is_doc_ts and verify_legacy.is_legacy(embedded):
        warnings.append(_("Legacy signature format adbe.pkcs7.sha1: the signed content is "
                          "identified by a SHA-1 digest, which is no longer considered secure."))
    timestamp = None
    signed_at = None
    if is_doc_ts:
        timestamp = _timestamp(status)
        signed_at = _iso(status.timestamp)
    else:
        timestamp = _timestamp(status.timestamp_validity)
        signed_at = _iso(status.signer_reported_dt)
        if timestamp is not None and not (timestamp.intact and timestamp.trusted):
            reasons.append(_("The signature timestamp is not valid or not trusted."))
    if not is_doc_ts and not reasons and not status.bottom_line:
        # e.g. the seed-value constraints of a prepared signature field were not respected
        reasons.append(_("The signature does not meet the constraints of its signature field."))
    valid = intact and trusted and docmdp_ok and not reasons
    subject, issuer = _names(cert)
    return SignatureReport(
        field=field_name,
        signer=_name_attr(cert, "common_name"),
        organisation=_name_attr(cert, "organization_name"),
        subject=subject,
        issuer=issuer,
        serial=format(int(cert.serial_number), "x"),
        signed_at=signed_at,
        timestamp=timestamp,
        intact=intact,
        trusted=trusted,
        modification=level.name if level is not None else ModificationLevel.NONE.name,
        coverage=coverage.name,
        whole_file=bool(whole_file),
        docmdp_ok=bool(docmdp_ok),
        valid=bool(valid),
        kind="document_timestamp" if is_doc_ts else "signature",
        certifying=bool(not is_doc_ts and embedded.docmdp_level is not None),
        validated_at_timestamp=validated_at_timestamp,
        reasons=[str(reason) for reason in reasons],
        warnings=[str(warning) for warning in warnings],
    )


def _analyse(reader: PdfFileReader, anchors) -> tuple[list[SignatureReport], int]:
    """(reports in file order, how many signatures raised while being checked)."""
    entries = _collect(reader)
    dss = _read_dss(reader)
    reports = []
    crashed = 0
    for _end, entry in entries:
        if isinstance(entry, SignatureReport):
            reports.append(entry)
            continue
        report = _check_one(entry, anchors, dss)
        crashed += report.coverage == SignatureCoverageLevel.UNCLEAR.name and not report.signer
        reports.append(report)
    return reports, crashed


def _unreadable_tail(data: bytes, anchors) -> VerificationReport | None:
    """The file cannot be read as a whole (e.g. its last cross-reference section is broken), but
    the revisions its signatures cover may be: check each signature in the revision it signed,
    and report that what follows cannot be analysed — per signature, not a blanket refusal."""
    reports: list[SignatureReport] = []
    for prefix in signed_prefixes(data):
        try:
            reader, _warnings = open_pdf(prefix)
        except NotAPdf:
            continue
        found, _crashed = _analyse(reader, anchors)
        if not found:
            continue
        report = found[-1]  # the signature that ends this prefix
        if any(known.field == report.field for known in reports):
            continue
        report.whole_file = False
        report.docmdp_ok = False
        report.valid = False
        report.modification = ModificationLevel.OTHER.name
        report.reasons.append(_("The part of the file added after this signature cannot be "
                                "read; the changes made after signing cannot be checked."))
        reports.append(report)
    if not reports:
        return None
    reasons = [_("Signature %(field)s is not valid.") % {"field": r.field} for r in reports]
    return VerificationReport(
        valid=False, signatures=reports, reasons=reasons, revisions=0,
        warnings=[_("The file's cross-reference data after the signed revisions cannot be "
                    "read.")])


def verify_pdf(data: bytes, *, roots: list[x509.Certificate] | None = None) -> VerificationReport:
    """Verify every signature of the PDF `data` against `roots` (default: the active trust
    anchors, read once per call). Raises NotAPdf if the data is not a readable PDF. The report
    holds plain Python values only (it is cached and pickled)."""
    anchors = list(trust_roots() if roots is None else roots)
    try:
        reader, warnings = open_pdf(data)
    except NotAPdf:
        partial = _unreadable_tail(data, anchors)
        if partial is None:
            raise
        return partial
    reports, crashed = _analyse(reader, anchors)
    if crashed and reader.strict:
        # e.g. a reference to a missing object in a later revision: read tolerantly instead
        tolerant = reopen_tolerant(data)
        if tolerant is not None:
            retried, still_crashed = _analyse(tolerant, anchors)
            if still_crashed < crashed and len(retried) == len(reports):
                reader, reports = tolerant, retried
                warnings = [*warnings, _(
                    "The file's structure does not follow the PDF standard strictly; it was "
                    "read tolerantly. The signed bytes and the changes after each signature "
                    "were checked as usual.")]
    revisions = reader.xrefs.total_revisions
    warnings = [str(warning) for warning in warnings]
    if not reports:
        return VerificationReport(valid=False, signatures=[], revisions=revisions,
                                  reasons=[_("The document has no digital signature.")],
                                  warnings=warnings)
    reasons: list[str] = []
    for report in reports:
        if not report.valid:
            reasons.append(_("Signature %(field)s is not valid.") % {"field": report.field})
    last = reports[-1]
    if not last.whole_file:
        # Only DSS / document-timestamp updates may follow the last signature (pdfsig misses this).
        reasons.append(_("Changes were added to the document after the last signature: "
                         "%(label)s [%(modification)s].") % {
            "label": MODIFICATION_LABELS.get(last.modification, last.modification),
            "modification": last.modification})
    return VerificationReport(valid=not reasons, signatures=reports,
                              reasons=[str(reason) for reason in reasons],
                              revisions=int(revisions), warnings=warnings)
