"""The two signatures of an outgoing document (components.md §1.2; documents.md §11): the
documents module's own flow, built on the signing service (:mod:`egov.signing.stamping`: sign
this PDF for this certificate holder with this appearance).

Stage 1 — :func:`sign_approval`: the signer (the leader who approved the document) signs the PDF
of the latest version with a *certifying* signature. Before it, in its own incremental revision,
the PDF gets the empty signature fields ``leader_signature`` and ``org_signature``, the empty
text fields ``so_ky_hieu`` (number and notation) and ``ngay_ban_hanh`` (place and date) and the
document's verification code with its QR code (:func:`approval_input`). The DocMDP permission is
FILL_FORMS, so filling those fields and signing the prepared field stays allowed (PDF 32000-1
§12.8.2.2; NĐ 30/2020 Điều 13.7 and Phụ lục I.II: the number and date are given by the văn thư
at issue, after the leader signed).

Stage 2 — :func:`sign_issue`: called by ``outgoing_issue`` once the number, notation and date
are allocated, inside its transaction: fill the two text fields and sign ``org_signature`` with
the agency's certificate, in ONE incremental update (the organisation's signature covers the
number and the date, NĐ 30/2020 Phụ lục I.II.2).

Decision (issue 4): an agency without a usable certificate can still issue — the leader's
certified PDF is issued as it is (without number/date fields filled and without the
organisation's signature) and the trail records ``digital_signature_org: false``; the paper
seal can then be applied to a printed copy. :func:`sign_issue` returns ``None`` in that case.

Attachments in separate files and electronic copies get a text-only signature at the top right
of page 1 (:func:`sign_issue`).
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core import files
from egov.core.errors import AppError, PermissionDenied
from egov.signing import pades, stamping
from egov.signing.selectors import appearance_image_for, usable_certificate
from egov.signing.stamping import (  # noqa: F401  (the layout names, used with this flow)
    CODE_BOX,
    DATE_BOX,
    FIELD_CODE,
    FIELD_DATE,
    FIELD_LEADER,
    FIELD_ORG,
    LEADER_BOX,
    LEADER_CAPTION_SIZE,
    ORG_BOX,
    issue_date_line,
)

from .models import Attachment, OutgoingState
from .selectors.outgoing import latest_version
from .verification_codes import code_for

REASON_APPROVAL = "Phê duyệt ban hành"  # document content (the PDF's /Reason), not UI
REASON_ISSUE = "Ban hành"


# ---------------------------------------------------------------- stage 1

def prepare_fields(data: bytes, *, document=None) -> bytes:
    """``data`` plus the revision with the empty issue-stage fields and, for a ``document``, its
    verification code and QR code in the top margin; the fields are placed for the document's
    signer (name, signature image) and its agency's seal (:func:`stamping.prepare_fields`)."""
    if document is None:
        return stamping.prepare_fields(data)
    from .layout_check import require

    # Issue 9 §1: nothing is stamped over text; the mark goes where the check found room.
    report = require(data, document=document, stage="sign")
    signer = document.signer
    return stamping.prepare_fields(
        data, mark_code=code_for(document).code, mark_at=report.mark_at,
        signer_name=(signer.get_full_name() or signer.get_username()) if signer else "",
        seal=appearance_image_for(unit=document.agency, kind="seal"),
        signature=(appearance_image_for(user=signer, kind="signature")
                   if signer is not None else None))


def approval_check(*, actor, document):
    """Refuse (raise) unless ``actor`` may sign ``document`` now; return the latest version."""
    from .services import outgoing as out_svc

    if getattr(actor, "pk", None) != document.signer_id:
        raise PermissionDenied()
    if document.state != OutgoingState.APPROVED:
        raise out_svc.wrong_state(document)
    version = latest_version(document)
    if version is None or version.pdf_id is None:
        raise AppError("no_pdf", _("There is no PDF of the approved version to sign."),
                       status=409)
    from .layout_check import require_stored

    require_stored(version.pdf, document=document, stage="sign")  # issue 9 §1 (409 layout)
    return version


def approval_input(*, actor, document) -> tuple[object, bytes]:
    """(version, PDF bytes ready for the signer's signature): the approved version's PDF plus
    the revision with the empty issue-stage fields (:func:`prepare_fields`). Whoever signs —
    a server-side key or the user's own token through the signing agent — signs these bytes
    in field :data:`FIELD_LEADER` with a certifying signature."""
    version = approval_check(actor=actor, document=document)
    with files.file_open(version.pdf) as fh:
        original = fh.read()
    return version, prepare_fields(original, document=document)


def leader_stamp(*, actor, document, signed_at=None) -> pades.StampSpec:
    """The visible appearance of the signer's signature (Phụ lục I §II.7, ô 7c)."""
    return stamping.holder_stamp(user=actor, title=document.signer_position,
                                 signed_at=signed_at)


def approval_finish(*, actor, document, version, signed: bytes):
    """Store the signer-signed PDF and move the document to SIGNED."""
    from .services import outgoing as out_svc

    stored = files.file_store(actor=actor, upload=(_signed_name(version.pdf, "ky"), signed),
                              require={files.PDF}, derived_from=version.pdf,
                              derivation="signed")
    return out_svc.outgoing_mark_signed(actor=actor, document=document, signed_file=stored)


def sign_approval(*, actor, document):
    """The signer certifies the approved PDF (DocMDP FILL_FORMS) with a visible stamp, using
    a server-side key; the document becomes SIGNED with the result as ``signed_file``."""
    approval_check(actor=actor, document=document)
    certificate = usable_certificate(user=actor)
    if certificate is None:
        raise stamping.no_certificate()
    version, prepared = approval_input(actor=actor, document=document)
    signed = stamping.sign_for_holder(
        prepared, certificate=certificate, field=FIELD_LEADER, reason=REASON_APPROVAL,
        location=document.agency.place_name,
        appearance=leader_stamp(actor=actor, document=document), certify=True)
    return approval_finish(actor=actor, document=document, version=version, signed=signed)


def _signed_name(original, suffix: str) -> str:
    stem = (original.original_name or "van-ban.pdf").rsplit(".", 1)[0]
    return f"{stem}-{suffix}.pdf"


# ---------------------------------------------------------------- stage 2

COPY_FORMS = {"SY": "SAO Y", "SL": "SAO LỤC", "TRS": "TRÍCH SAO"}


def copy_form(doc_type) -> str:
    """The copy form printed in ô 14 of an electronic copy (NĐ 30/2020 Điều 25, Phụ lục I
    Phần II §I): "SAO Y", "SAO LỤC" or "TRÍCH SAO"."""
    code = (doc_type.code or "").upper()
    if code in COPY_FORMS:
        return COPY_FORMS[code]
    name = _norm_name(doc_type.name)
    if "trích sao" in name:
        return "TRÍCH SAO"
    if "sao lục" in name:
        return "SAO LỤC"
    return "SAO Y"


def _norm_name(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFC", text or "").casefold()


def _store_issued(actor, original, data: bytes, suffix: str):
    return files.file_store(actor=actor, upload=(_signed_name(original, suffix), data),
                            require={files.PDF}, derived_from=original, derivation="issued")


def _sign_signed(document, certificate, actor, when):
    """Stage 2 on the leader's certified PDF: number, date and the seal signature (ô 8)."""
    with files.file_open(document.signed_file) as fh:
        data = fh.read()
    agency = document.agency
    writer = stamping.open_pdf(data)
    signed = stamping.sign_for_holder(
        writer, certificate=certificate, field=FIELD_ORG, reason=REASON_ISSUE,
        location=agency.place_name,
        appearance=stamping.seal_stamp(writer, unit=agency, signed_at=when),
        fill={FIELD_CODE: f"Số: {document.code}",
              FIELD_DATE: issue_date_line(agency.place_name, document.issued_date)})
    return _store_issued(actor, document.signed_file, signed, "ban-hanh")


def _sign_copy(document, certificate, actor, when):
    """An electronic copy (sao y / sao lục / trích sao) made by the agency: its PDF signed with
    the agency's key, ô 14 top right of page 1 — copy form, copying agency, number and notation,
    signing time ISO 8601 (NĐ 30/2020 Điều 25–26, Phụ lục I Phần II §I)."""
    from egov.signing.verification_codes import add_verification_mark

    version = latest_version(document)
    if version is None or version.pdf_id is None:
        return None
    with files.file_open(version.pdf) as fh:
        data = fh.read()
    agency = document.agency
    writer = stamping.open_pdf(data)
    add_verification_mark(writer, code_for(document).code)
    spec, field = stamping.text_only_stamp(writer, (copy_form(document.doc_type), agency.name,
                                                    f"Số: {document.code}",
                                                    pades.iso_time(when)), when)
    signed = stamping.sign_for_holder(writer, certificate=certificate, field=FIELD_ORG,
                                      reason=REASON_ISSUE, location=agency.place_name,
                                      appearance=spec, new_field=field)
    return _store_issued(actor, version.pdf, signed, "ban-sao")


def _sign_attachments(document, certificate, actor, when) -> int:
    """Each PDF attachment in a separate file is signed by the agency: top right of page 1,
    no image, text = number and notation + signing time ISO 8601 (+07:00), 10 pt (NĐ 30/2020
    Phụ lục I §II.8.b, §III.1.d). Other formats stay as they are."""
    signed = 0
    for attachment in (Attachment.objects.filter(document=document).select_related("file")
                       .order_by("pk")):
        if attachment.file.content_type != files.PDF:
            continue
        with files.file_open(attachment.file) as fh:
            data = fh.read()
        writer = stamping.open_pdf(data)
        spec, field = stamping.text_only_stamp(writer, (document.code, pades.iso_time(when)),
                                               when)
        out = stamping.sign_for_holder(writer, certificate=certificate, field=FIELD_ORG,
                                       reason=REASON_ISSUE,
                                       location=document.agency.place_name, appearance=spec,
                                       new_field=field)
        attachment.issued_file = _store_issued(actor, attachment.file, out, "ban-hanh")
        attachment.save(update_fields=["issued_file"])
        signed += 1
    return signed


def sign_issue(*, document, actor):
    """The agency's digital signature at issue, inside ``outgoing_issue``'s transaction, once
    the number, notation and date are allocated:

    - a document the leader signed: fill the number/notation and the date line and sign
      ``org_signature`` (the seal image at real size, ô 8) in one incremental update of
      ``document.signed_file``;
    - an electronic copy (``doc_type.is_copy``) without a leader's signature: sign its PDF with
      the text of ô 14 (:func:`_sign_copy`);
    - and, in both cases, every PDF attachment (:func:`_sign_attachments`).

    Sets (does not save) ``document.issued_file`` and returns the stored file, or ``None`` when
    the agency has no usable certificate or there is nothing the agency may sign (the module
    docstring explains the choice; NĐ 30/2020 Điều 33: the văn thư signs only documents the
    competent person signed and the agency's own copies)."""
    certificate = usable_certificate(unit=document.agency)
    if certificate is None:
        return None
    when = timezone.now()
    if document.signed_file_id:
        stored = _sign_signed(document, certificate, actor, when)
    elif document.doc_type.is_copy:
        stored = _sign_copy(document, certificate, actor, when)
    else:
        return None
    if stored is None:
        return None
    _sign_attachments(document, certificate, actor, when)
    document.issued_file = stored
    return stored
