"""Certificates of civil-status events (Luật Hộ tịch 60/2014/QH13; services.md §3.4): the birth
certificate (Điều 14), the marriage certificate (Điều 17.2), the extract (trích lục) of any other
event and certified copies of extracts (Điều 62–64), as PDFs in the legal layout
(civil/certificate_pdf.py), signed with the commune's ORGANISATION signature through the signing
service (egov.signing.stamping: the commune's registered certificate, a text stamp top right of
page 1), stored (egov.core.files), each with a public verification code and its QR code.

- :func:`issue_certificate` — the one original of a registration (Điều 62–64: one original per
  registration; a birth gets a birth certificate, a marriage a marriage certificate, any other
  event an extract); a second original while the first is in force → 409 ``original_issued``.
- :func:`certified_copy` — a copy of the extract, any number of times.
- :func:`revoke_certificate` — the certificate is no longer valid (its page then says so).
- :func:`certificate_get` — a certificate to download, audited.
- :func:`verify_certificate` — the public facts of a code: {valid, type, number, date, issuer}
  and nothing else (no personal data).

Permission: ``civil.register`` in the event's commune to issue or revoke (403 otherwise),
``civil.read`` to download. Audit events carry ids only.
"""

from __future__ import annotations

import io

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core import policy
from egov.core.audit import audit_log
from egov.core.errors import AppError, InvalidInput, NotFound, PermissionDenied

from .. import certificate_pdf
from ..models import CivilEvent, EventKind
from ..models_certificates import Certificate, CertificateType
from . import copies

REGISTER = "civil.register"
READ = "civil.read"
BIGINT = 2**63 - 1
REASON_MAX = 500

# Luật Hộ tịch 2014, Điều 62–64: the original each kind of registration gets.
ORIGINAL_FOR = {EventKind.BIRTH: CertificateType.BIRTH,
                EventKind.MARRIAGE: CertificateType.MARRIAGE}
REASONS = {  # the signature's /Reason (Vietnamese: the PDF is a Vietnamese document)
    CertificateType.BIRTH: "Cấp Giấy khai sinh",
    CertificateType.MARRIAGE: "Cấp Giấy chứng nhận kết hôn",
    CertificateType.EXTRACT: "Cấp Trích lục hộ tịch",
    CertificateType.COPY: "Cấp bản sao Trích lục hộ tịch",
}


def original_type(event: CivilEvent) -> str:
    return ORIGINAL_FOR.get(event.kind, CertificateType.EXTRACT)


def _id(value, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= BIGINT:
        message = _("Give the id of a record.")
        raise InvalidInput(message, fields={field: [message]})
    return value


def _event(actor, event_id, *, lock: bool = False) -> CivilEvent:
    pk = _id(event_id, "event_id")
    qs = CivilEvent.objects.select_related("book", "commune")
    if lock:
        qs = qs.select_for_update(of=("self",), no_key=True)
    event = qs.filter(pk=pk).first()
    if event is None:
        raise NotFound(_("No such civil-status event."))
    if not policy.can(actor, REGISTER, event.commune):
        raise PermissionDenied(_("You may not issue certificates of this commune's events."))
    return event


def _type(value) -> str:
    if value not in CertificateType.values:
        message = _("Choose one of: %(values)s.") % {"values": ", ".join(CertificateType.values)}
        raise InvalidInput(message, fields={"type": [message]})
    return value


def _original_exists(event: CivilEvent) -> bool:
    return Certificate.objects.filter(event=event, revoked=False).exclude(
        type=CertificateType.COPY).exists()


def _already() -> AppError:
    message = _("The original of this registration has already been issued; issue a certified "
                "copy instead (Luật Hộ tịch 2014, Điều 62–64).")
    return AppError("original_issued", message, fields={"type": [message]}, status=409)


def _sign(pdf: bytes, *, event: CivilEvent, type: str, code: str, now) -> bytes:
    """The commune's organisation signature through the signing service."""
    from egov.signing import pades, stamping
    from egov.signing.selectors import usable_certificate

    commune = event.commune
    certificate = usable_certificate(unit=commune, now=now)
    if certificate is None:
        raise stamping.no_certificate()
    writer = stamping.open_pdf(pdf)
    spec, field = stamping.text_only_stamp(
        writer, (commune.name, f"Mã xác thực: {certificate_pdf.display(code)}",
                 pades.iso_time(now)), now)
    return stamping.sign_for_holder(writer, certificate=certificate, field=stamping.FIELD_ORG,
                                    reason=REASONS[type], location=commune.place_name,
                                    appearance=spec, new_field=field)


def _issue(actor, event_id, type: str) -> Certificate:
    from egov.core.files import PDF, file_store
    from egov.signing.verification_codes import new_code

    event = _event(actor, event_id)
    if type != CertificateType.COPY:
        expected = original_type(event)
        if type != expected:
            message = _("This registration's original is a %(type)s (Luật Hộ tịch 2014, Điều "
                        "62–64).") % {"type": CertificateType(expected).label}
            raise InvalidInput(message, code="wrong_type", fields={"type": [message]})
        if _original_exists(event):
            raise _already()
    now = timezone.now()
    today = timezone.localdate(now)
    code = new_code()
    name = actor.get_full_name() or actor.get_username()

    def signed_pdf(copy_number: int | None = None) -> bytes:
        pdf = certificate_pdf.render(event=event, type=type, code=code, issued_on=today,
                                     issued_by_name=name, copy_number=copy_number)
        return _sign(pdf, event=event, type=type, code=code, now=now)

    # An original is rendered and signed before the transaction (its numbers are the event's);
    # a copy prints its number in the copies book, so it is rendered and signed in the
    # transaction that takes the number — copies of a commune are issued one after the other,
    # and a failed signature gives the number back (gapless).
    signed = signed_pdf() if type != CertificateType.COPY else b""
    try:
        with transaction.atomic():
            event = _event(actor, event.pk, lock=True)  # originals issued one at a time
            if type != CertificateType.COPY and _original_exists(event):
                raise _already()
            copy_number = None
            if type == CertificateType.COPY:
                copy_number = copies.next_copy_number(event.commune_id, today.year)
                signed = signed_pdf(copy_number)
            upload = io.BytesIO(signed)
            upload.name = f"{type.replace('_', '-')}-{code}.pdf"  # no personal data
            stored = file_store(actor=actor, upload=upload, require={PDF}, generated=True)
            certificate = Certificate.objects.create(
                event=event, type=type, code=code, number=certificate_pdf.event_number(event),
                issued_on=today, commune=event.commune, file=stored, issued_by=actor,
                issued_at=now)
            if copy_number is not None:
                copies.enter_copy(certificate, copy_number)  # its own book, its fee
            audit_log(actor=actor, action="civil.certificate.issue", obj=certificate,
                      details={"event": event.pk, "type": type, "file": stored.pk})
    except IntegrityError:  # another original (or, rarely, the same code) written meanwhile
        raise _already() from None
    return certificate


def issue_certificate(actor, event_id, type) -> Certificate:
    """Issue the certificate `type` of the event: its original (birth_certificate,
    marriage_certificate or extract, as the event's kind requires) or a certified copy."""
    return _issue(actor, event_id, _type(type))


def certified_copy(actor, event_id) -> Certificate:
    """A certified copy of the event's extract (bản sao trích lục; Luật Hộ tịch 2014, Điều 63:
    copies any number of times)."""
    return _issue(actor, event_id, CertificateType.COPY)


def _certificate(certificate_id) -> Certificate:
    pk = _id(certificate_id, "certificate_id")
    cert = (Certificate.objects.select_related("event", "commune", "file")
            .filter(pk=pk).first())
    if cert is None:
        raise NotFound(_("No such certificate."))
    return cert


def certificate_get(actor, certificate_id) -> Certificate:
    """A certificate to download (civil.read in its commune), the read audited (ids only)."""
    cert = _certificate(certificate_id)
    if not policy.can(actor, READ, cert.commune):
        raise PermissionDenied(_("You may not read this commune's civil-status records."))
    audit_log(actor=actor, action="civil.certificate.download", obj=cert,
              details={"event": cert.event_id, "file": cert.file_id})
    return cert


def revoke_certificate(actor, certificate_id, reason) -> Certificate:
    """The certificate is revoked (e.g. issued in error): the public page says "not valid";
    an original revoked may be issued again."""
    if not isinstance(reason, str) or not " ".join(reason.split()):
        message = _("Give the reason.")
        raise InvalidInput(message, fields={"reason": [message]})
    reason = " ".join(reason.split())
    if len(reason) > REASON_MAX:
        message = _("At most %(n)d characters.") % {"n": REASON_MAX}
        raise InvalidInput(message, fields={"reason": [message]})
    with transaction.atomic():
        cert = _certificate(certificate_id)
        if not policy.can(actor, REGISTER, cert.commune):
            raise PermissionDenied(_("You may not revoke this commune's certificates."))
        cert = Certificate.objects.select_for_update().get(pk=cert.pk)
        if cert.revoked:
            raise AppError("already_revoked", _("This certificate is already revoked."),
                           status=409)
        cert.revoked, cert.revoked_reason, cert.revoked_at = True, reason, timezone.now()
        cert.save(update_fields=["revoked", "revoked_reason", "revoked_at"])
        audit_log(actor=actor, action="civil.certificate.revoke", obj=cert,
                  details={"event": cert.event_id})
    return cert


def certificates_of(event: CivilEvent) -> list[Certificate]:
    """The event's certificates, newest first (for the event page the caller has checked)."""
    return list(Certificate.objects.filter(event=event).select_related("copy_entry")
                .order_by("-issued_at", "-pk"))


def verify_certificate(code) -> dict:
    """The public facts of a verification code: {"valid", "type", "number", "date", "issuer"}
    — nothing else (no names, dates of birth or IDs). Unknown or malformed → NotFound."""
    from egov.signing.verification_codes import normalise

    canonical = normalise(code) if isinstance(code, str) and len(code) <= 40 else None
    row = (Certificate.objects.filter(code=canonical)
           .values("revoked", "type", "number", "issued_on", "commune__name").first()
           if canonical else None)
    if row is None:
        raise NotFound(_("No certificate has this verification code."))
    return {"valid": not row["revoked"], "type": row["type"], "number": row["number"],
            "date": row["issued_on"], "issuer": row["commune__name"]}


def event_for_issue(actor, event_id) -> tuple[CivilEvent, list]:
    """The event and its parties for the issue page (civil.register in its commune): the
    parties' names are shown, so the read is audited (``civil.person.read``, ids only)."""
    event = _event(actor, event_id)
    parties = list(event.parties.select_related("person").order_by("pk"))
    audit_log(actor=actor, action="civil.person.read", object_type="civil.person",
              details={"purpose": "certificate", "event": event.pk,
                       "ids": [p.person_id for p in parties]})
    return event, parties


def may_issue(actor, event: CivilEvent) -> bool:
    return policy.can(actor, REGISTER, event.commune)


def active_original(event: CivilEvent) -> Certificate | None:
    return (Certificate.objects.filter(event=event, revoked=False)
            .exclude(type=CertificateType.COPY).first())
