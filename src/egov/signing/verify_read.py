"""Reading a signed PDF for verification (egov.signing.verify): strict first, tolerant when a
careful validator would still read the file, and plain names out of certificates.

Structure may be read tolerantly; integrity never is. Files from other producers often have a
structure pyHanko's strict reader refuses although every signature in them is sound: hybrid-
reference files (a classic xref table pointing to an xref stream through /XRefStm, PDF 32000-1
§7.5.8.4), xref sections whose /Size shrinks, a reference to an object that does not exist.
They are read again with ``strict=False``; the byte ranges, the digests and pyHanko's difference
analysis of the later revisions stay exactly as strict, and the report carries a warning saying
what was unusual.

Encrypted files whose user password is empty are readable by everyone (PDF 32000-1 §7.6.3.1);
they are opened with the empty password and verified. Other encrypted files are refused.
"""

from __future__ import annotations

import io
import re

from asn1crypto import x509
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.crypt import AuthStatus
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import enumerate_sig_fields


class NotAPdf(ValueError):
    """The data is not a PDF file pyHanko can read (or the PDF is encrypted or broken)."""


# RFC 4514 §3: short names of the usual attribute types (as cryptography prints them).
_SHORT_NAMES = {
    "common_name": "CN", "organization_name": "O", "organizational_unit_name": "OU",
    "country_name": "C", "state_or_province_name": "ST", "locality_name": "L",
    "street_address": "STREET", "domain_component": "DC", "user_id": "UID",
}
_ESCAPE = re.compile(r'([,+"\\<>;])')


def _escape(value: str) -> str:
    value = _ESCAPE.sub(r"\\\1", value)
    if value.startswith(("#", " ")):
        value = "\\" + value
    if value.endswith(" ") and len(value) > 1:
        value = value[:-1] + "\\ "
    return value


def rfc4514(name: x509.Name) -> str:
    """The RFC 4514 string of a certificate name, read with asn1crypto (which reads the BER that
    many real certificates carry, where ``cryptography`` insists on strict DER)."""
    try:
        rdns = []
        for rdn in reversed(list(name.chosen)):
            parts = []
            for attribute in rdn:
                kind = attribute["type"]
                key = _SHORT_NAMES.get(kind.native) or kind.dotted
                try:
                    value = attribute["value"].native
                except Exception:  # noqa: BLE001 - an undecodable value: its hex, as RFC 4514
                    parts.append(f"{key}=#{attribute['value'].dump().hex()}")
                    continue
                parts.append(f"{key}={_escape(str(value))}")
            rdns.append("+".join(parts))
        return ",".join(rdns)
    except Exception:  # noqa: BLE001 - never fail a report on a name
        return ""


def name_attr(cert: x509.Certificate, attr: str) -> str:
    try:
        value = cert.subject.native.get(attr, "")
    except Exception:  # noqa: BLE001
        return ""
    return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value or "")


def _read(data: bytes, *, strict: bool) -> PdfFileReader:
    reader = PdfFileReader(io.BytesIO(data), strict=strict)
    if reader.encrypted:
        # PDF 32000-1 §7.6.3.1: an empty user password means anyone may open the file.
        try:
            result = reader.decrypt("")
        except Exception as exc:  # noqa: BLE001 - public-key or unknown security handler
            raise NotAPdf(_("The PDF document is encrypted; it cannot be verified.")) from exc
        if result.status == AuthStatus.FAILED:
            raise NotAPdf(_("The PDF document is encrypted; it cannot be verified."))
    reader.root.get("/Pages")  # force parsing of the document catalogue
    reader._egov_fields = list(enumerate_sig_fields(reader, filled_status=True))  # type: ignore[attr-defined]
    return reader


def open_pdf(data: bytes) -> tuple[PdfFileReader, list[str]]:
    """(reader, structure warnings). Strict first; tolerant on the structural problems a careful
    validator accepts. Raises NotAPdf when neither can read the file."""
    if not data or b"%PDF-" not in data[:1024]:
        raise NotAPdf(_("The file is not a PDF document."))
    try:
        reader = _read(data, strict=True)
    except NotAPdf:
        raise
    except Exception as strict_error:  # noqa: BLE001 - PdfStrictReadError, missing objects…
        try:
            reader = _read(data, strict=False)
        except NotAPdf:
            raise
        except Exception as exc:  # noqa: BLE001 - PdfError, ValueError, KeyError, RecursionError…
            raise NotAPdf(_("The PDF document is damaged and cannot be read: %(error)s")
                          % {"error": exc}) from exc
        return reader, [_("The file's structure does not follow the PDF standard strictly "
                          "(%(error)s); it was read tolerantly. The signed bytes and the "
                          "changes after each signature were checked as usual.")
                        % {"error": strict_error}]
    if reader.xrefs.hybrid_xrefs_present:
        # pyHanko refuses to validate signatures in hybrid-reference files when strict.
        return _read(data, strict=False), [_(
            "The file uses hybrid cross-references (a classic table and a cross-reference "
            "stream); it was read tolerantly. The signed bytes and the changes after each "
            "signature were checked as usual.")]
    return reader, []


def reopen_tolerant(data: bytes) -> PdfFileReader | None:
    try:
        return _read(data, strict=False)
    except Exception:  # noqa: BLE001
        return None


_BYTE_RANGE = re.compile(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]")


def signed_prefixes(data: bytes) -> list[bytes]:
    """The signed revisions of a file whose later structure cannot be read: for every /ByteRange
    in the raw bytes, the file up to its end (the revision that signature covers), shortest
    first."""
    ends = set()
    for match in _BYTE_RANGE.finditer(data):
        start, _len1, offset2, len2 = (int(g) for g in match.groups())
        end = offset2 + len2
        if start == 0 and 0 < end <= len(data):
            ends.add(end)
    return [data[:end] for end in sorted(ends)]
