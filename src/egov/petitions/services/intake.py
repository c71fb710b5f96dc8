"""Intake of petitions from every channel (services.md §2.2; Luật TCD 42/2013; NĐ 154/2026).

- :func:`submit_online` — the portal form (no login): a draft (vào sổ later by an officer, who
  becomes its receiver), channel `portal`, event `submit`;
- :func:`receive_at_desk` — the reception desk, the one-stop counter or a letter by post,
  recorded by an officer with `petitions.receive` on the agency: `received`, received_by = the
  officer, event `receive`; the oral content written down (NĐ 154/2026 Art.14.1), people with
  the same content and their representatives (Art.14.3) in `identity.others`; scans of the
  handwritten letter are identity files, other attachments petition files;
- :func:`from_incoming_document` — a letter forwarded by another agency, registered in the
  Documents module, becomes a petition (channel `forwarded`, `source_document_id` kept).

Each gives a receipt (Giấy biên nhận, Mẫu 02/TCD, NĐ 154/2026 Art.15) through
`services.receipts.receipt_issue`, with the look-up code and check. Bad input → InvalidInput
(422) with every field named, nothing written.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core import policy
from egov.core.audit import audit_log
from egov.core.errors import AppError, InvalidInput, PermissionDenied
from egov.core.models import OrgUnit, OrgUnitKind

from ..models import Channel, Petition, PetitionState
from . import intake_check as check
from . import receipts
from .records import event_write, petition_create

RECEIVE = "petitions.receive"
DESK_CHANNELS = (Channel.RECEPTION, Channel.ONESTOP, Channel.POST)
# Public notes of the timeline: data (Vietnamese), no identity, no content.
NOTE_SUBMITTED = "Đơn đã được gửi qua Cổng thông tin, chờ vào sổ"
NOTE_RECEIVED = "Đơn đã được tiếp nhận"


def portal_agencies() -> list[OrgUnit]:
    """The agencies a petition may be addressed to: the committees (commune and province level)
    and the provincial agencies, in force."""
    today = timezone.localdate()
    return list(OrgUnit.objects.filter(
        kind__in=[OrgUnitKind.COMMUNE_COMMITTEE, OrgUnitKind.PROVINCE_COMMITTEE,
                  OrgUnitKind.AGENCY],
        valid_from__lte=today).exclude(valid_to__lt=today).order_by("name", "id"))


def portal_agency(agency_id=None) -> OrgUnit:
    """The agency a portal petition goes to: the one chosen (`agency_id`), else the one named by
    EGOV_PETITIONS_PORTAL_AGENCY (electronic id), else the first committee."""
    agencies = portal_agencies()
    if agency_id not in (None, ""):
        for a in agencies:
            if str(a.pk) == str(agency_id):
                return a
        raise InvalidInput(_("Check the highlighted fields."),
                           fields={"agency_id": [_("Choose one of the agencies offered.")]})
    eid = getattr(settings, "EGOV_PETITIONS_PORTAL_AGENCY", "")
    for a in agencies:
        if eid and a.electronic_id == eid:
            return a
    if not agencies:
        raise AppError("unavailable", _("No agency receives petitions online yet."),
                       status=503)
    return agencies[0]


def _documents_of(files) -> list[dict]:
    return [{"name": getattr(f, "original_name", "") or "", "pages": None} for f in files]


def submit_online(*, full_name="", personal_id="", phone="", email="", address="",
                  content="", kind="", agency_id=None, files=(), language: str = "vi",
                  ip: str = "") -> Petition:
    """A petition from the portal (no login): a draft of channel `portal` with its code and
    check, and the receipt (Mẫu 02/TCD) the petitioner downloads with them.

    `files` are attachments (PDF, JPEG, PNG): stored as identity files, since a petitioner's own
    letter and papers may show who they are."""
    errors: check.Errors = {}
    ident = check.identity({"full_name": full_name, "personal_id": personal_id, "phone": phone,
                            "email": email, "address": address}, errors, name_required=True)
    text = check.content(content, errors)
    kind = check.kind(kind, "kind", errors)
    uploads = check.uploads(files, "files", errors)
    agency = None
    try:
        agency = portal_agency(agency_id)
    except InvalidInput as err:
        errors.update(err.fields)
    check.fail(errors)
    now = timezone.now()
    with transaction.atomic():
        stored = check.store_files(actor=None, files=uploads, name="files")
        petition = petition_create(
            actor=None, agency=agency, channel=Channel.PORTAL, identity=ident, content=text,
            kind_by_petitioner=kind, state=PetitionState.DRAFT, received_at=now,
            identity_files=stored,
            source_details={"language": (language or "vi")[:8]})
        slip = receipts.receipt_issue(petition=petition, actor=None, identity=ident,
                                      documents=_documents_of(stored), at=now)
        event_write(petition=petition, kind="submit", note=NOTE_SUBMITTED, at=now,
                    details={"channel": Channel.PORTAL, "files": len(stored), "slip": slip.pk})
        audit_log(actor=None, action="petition.submit", obj=petition,
                  details={"code": petition.code, "channel": Channel.PORTAL,
                           "files": len(stored), "ip": ip[:64]})
    return petition


def _served_by_my_centres(actor) -> set[int]:
    """Agencies served by a public-service centre where the actor receives: the one-stop
    officer at the counter records a petition handed in there for the committee the centre
    serves (its parent), whose head then handles it (NĐ 118/2025: the centre receives on the
    committee's behalf)."""
    centres = OrgUnit.objects.filter(kind=OrgUnitKind.SERVICE_CENTRE, parent__isnull=False) \
        .select_related("parent")
    return {c.parent.agency_id or c.parent_id for c in centres
            if policy.can(actor, RECEIVE, c)}


def may_receive(actor, agency: OrgUnit) -> bool:
    if not getattr(actor, "is_authenticated", False):
        return False
    return policy.can(actor, RECEIVE, agency) or agency.pk in _served_by_my_centres(actor)


def desk_agencies(actor) -> list[OrgUnit]:
    """The agencies where the actor receives petitions (`petitions.receive` on the agency, or on
    a public-service centre serving it)."""
    if not getattr(actor, "is_authenticated", False):
        return []
    served = _served_by_my_centres(actor)
    return [a for a in portal_agencies() if a.pk in served or policy.can(actor, RECEIVE, a)]


def receive_at_desk(*, actor, agency: OrgUnit, channel: str = Channel.RECEPTION,
                    identity: dict | None = None, others=None, content="", kind="",
                    oral: bool = False, subject="", respondent="", signers=None,
                    letter_scans=(), attachments=(), visit=None) -> Petition:
    """A petition received by an officer (reception desk, one-stop counter, letter by post):
    `received`, the officer is its receiver; the receipt Mẫu 02/TCD is given.

    `identity`: {"full_name", "personal_id", "phone", "email", "address"}; `others`: the
    representatives and people with the same content; `oral`: the officer wrote the content
    down from what the visitor said (NĐ 154/2026 Art.14.1: read back and signed);
    `letter_scans`: scans of the handwritten letter and papers (identity); `attachments`:
    other files (not identifying)."""
    if not may_receive(actor, agency):
        raise PermissionDenied()
    errors: check.Errors = {}
    if channel not in DESK_CHANNELS:
        check.add(errors, "channel", _("Choose one of: %(values)s.") % {
            "values": ", ".join(DESK_CHANNELS)})
    ident = check.identity(identity or {}, errors)
    ident["others"] = check.others(others, errors)
    text = check.content(content, errors)
    kind = check.kind(kind, "kind", errors)
    subject = check.text(subject, "subject", errors, max_length=500)
    respondent = check.text(respondent, "respondent", errors, max_length=500)
    if not isinstance(oral, bool):
        check.add(errors, "oral", _("Answer true or false."))
    if signers in (None, ""):
        signers = 1 + len(ident["others"])
    if isinstance(signers, bool) or not isinstance(signers, int) or not 1 <= signers <= 10000:
        check.add(errors, "signers", _("Enter a whole number from 1 to 10000."))
    scans = check.uploads(letter_scans, "letter_scans", errors)
    files = check.uploads(attachments, "attachments", errors)
    check.fail(errors)
    return _create_received(actor=actor, agency=agency, channel=channel, identity=ident,
                            content=text, kind=kind, subject=subject, respondent=respondent,
                            signers=signers, scans=scans, files=files, oral=oral,
                            visit=visit)


def _create_received(*, actor, agency, channel, identity, content, kind, subject, respondent,
                     signers, scans, files, oral=False, visit=None, stored_scans=(),
                     **fields) -> Petition:
    now = timezone.now()
    with transaction.atomic():
        id_files = list(stored_scans) + check.store_files(actor=actor, files=scans,
                                                          name="letter_scans")
        other_files = check.store_files(actor=actor, files=files, name="attachments")
        petition = petition_create(
            actor=actor, agency=agency, channel=channel, identity=identity, content=content,
            kind=kind, kind_by_petitioner=kind, subject=subject, respondent=respondent,
            state=PetitionState.RECEIVED, received_at=now, files=other_files,
            identity_files=id_files, signers=signers, **fields)
        if visit is not None:
            visit.petition = petition
            visit.save(update_fields=["petition"])
        slip = receipts.receipt_issue(
            petition=petition, actor=actor, identity=identity, at=now, oral=bool(oral),
            documents=_documents_of(id_files + other_files))
        details = {"channel": channel, "oral": bool(oral), "signers": signers,
                   "files": len(other_files), "identity_files": len(id_files),
                   "slip": slip.pk}
        if fields.get("source_document_id"):
            details["source_document_id"] = fields["source_document_id"]
        if visit is not None:
            details["visit"] = visit.pk
        event_write(petition=petition, kind="receive", actor=actor, unit=agency,
                    note=NOTE_RECEIVED, at=now, details=details)
        audit_log(actor=actor, action="petition.receive", obj=petition,
                  details={"code": petition.code, **details})
    return petition


def from_incoming_document(*, actor, document_id, identity: dict | None = None, others=None,
                           content="", kind="", respondent="", attachments=()) -> Petition:
    """An incoming document of the Documents module (a letter forwarded by another agency)
    becomes a petition of the document's agency: channel `forwarded`, `source_document_id` and
    `source_agency` kept, the document's file filed as the letter (identity). The actor must see
    the document (Documents' visibility) and receive petitions at its agency. A document is
    turned into one petition only (409 `already_converted`)."""
    from egov.documents.selectors.incoming import incoming_get

    try:
        doc_pk = int(document_id)
    except (TypeError, ValueError):
        raise InvalidInput(_("Check the highlighted fields."),
                           fields={"document_id": [_("Enter a whole number.")]}) from None
    document = incoming_get(actor=actor, id=doc_pk)  # NotFound (404) when hidden or unknown
    agency = document.agency
    if not may_receive(actor, agency):
        raise PermissionDenied()
    existing = Petition.objects.filter(source_document_id=document.pk).only("code").first()
    if existing is not None:
        raise AppError("already_converted",
                       _("This document is already the petition %(code)s.") % {
                           "code": existing.code}, status=409)
    errors: check.Errors = {}
    ident = check.identity(identity or {}, errors)
    ident["others"] = check.others(others, errors)
    text = check.content(content or document.subject, errors)
    kind = check.kind(kind, "kind", errors)
    respondent = check.text(respondent, "respondent", errors, max_length=500)
    files = check.uploads(attachments, "attachments", errors)
    check.fail(errors)
    return _create_received(
        actor=actor, agency=agency, channel=Channel.FORWARDED, identity=ident, content=text,
        kind=kind, subject=document.subject, respondent=respondent,
        signers=1 + len(ident["others"]), scans=[], files=files,
        stored_scans=[document.file] if document.file_id else [],
        source_document_id=document.pk,
        source_agency=(document.issuer_name or "")[:255])
