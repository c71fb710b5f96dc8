"""The two signatures of an outgoing document (components.md §1.2; documents.md §11).

Stage 1 — :func:`sign_approval`: the signer (the leader who approved the document) signs the PDF
of the latest version with a *certifying* signature. Before it, in its own incremental revision,
the PDF gets the empty text fields ``so_ky_hieu`` (number and notation) and ``ngay_ban_hanh``
(place and date) and the organisation's empty signature field ``org_signature``. The DocMDP
permission is FILL_FORMS, so filling those fields and signing the prepared field stays allowed
(PDF 32000-1 §12.8.2.2; NĐ 30/2020 Điều 13.7 and Phụ lục I.II: the number and date are given by
the văn thư at issue, after the leader signed).

Stage 2 — :func:`sign_issue`: called by ``outgoing_issue`` once the number, notation and date
are allocated, inside its transaction: fill the two text fields and sign ``org_signature`` with
the agency's certificate, in ONE incremental update (the organisation's signature covers the
number and the date, NĐ 30/2020 Phụ lục I.II.2).

Decision (issue 4): an agency without a usable certificate can still issue — the leader's
certified PDF is issued as it is (without number/date fields filled and without the
organisation's signature) and the trail records ``digital_signature_org: false``; the paper
seal can then be applied to a printed copy. :func:`sign_issue` returns ``None`` in that case.

Positions (to refine against Phụ lục I, documents.md §11.2): the leader's stamp is a box near
the bottom right of the last page, the organisation's field the box to its left; the number
and date fields are at the top of the first page (where "Số:" and the date line stand in the
Phụ lục I layout).
"""

from __future__ import annotations

import datetime as dt
import io

from django.utils import timezone
from django.utils.translation import gettext as _
from pyhanko.pdf_utils import generic, layout
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields
from pyhanko.sign import signers as ph_signers

from egov.core import files
from egov.core.errors import AppError, InvalidInput, PermissionDenied

from . import pades
from .selectors import usable_certificate
from .services import signer_for
from .timestamps import timestamper_from_settings

FIELD_CODE = "so_ky_hieu"
FIELD_DATE = "ngay_ban_hanh"
FIELD_ORG = "org_signature"
FIELD_LEADER = "leader_signature"

# Boxes in PDF points (x1, y1, x2, y2), origin bottom left. A4 is 595 × 842.
LEADER_BOX = (330, 60, 560, 140)       # last page, bottom right
ORG_BOX = (60, 60, 290, 140)           # last page, bottom left
CODE_BOX = (60, 770, 290, 790)         # first page, top left ("Số: …")
DATE_BOX = (300, 770, 560, 790)        # first page, top right (place and date)
FIELD_FONT_SIZE = 11


def _no_certificate() -> InvalidInput:
    return InvalidInput(_("No usable signing certificate is registered; an administrator "
                          "registers one."),
                        fields={"certificate": [_("No usable certificate.")]},
                        code="no_certificate")


# ---------------------------------------------------------------- presentation

def issue_date_line(place: str, day: dt.date) -> str:
    """"<place>, ngày dd tháng mm năm yyyy" (NĐ 30/2020 Phụ lục I.II.5: days below 10 and the
    months January and February are written with a leading zero)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    text = f"ngày {day.day:02d} tháng {month} năm {day.year}"
    return f"{place}, {text}" if place else text[0].upper() + text[1:]


# ---------------------------------------------------------------- PDF form fields

def _text_field(writer: IncrementalPdfFileWriter, name: str, page_ix: int, box) -> None:
    """An empty, single-line text field (merged field and widget) on page ``page_ix``."""
    page_ref = writer.find_page_for_modification(page_ix)[0]
    field = generic.DictionaryObject({
        generic.NameObject("/Type"): generic.NameObject("/Annot"),
        generic.NameObject("/Subtype"): generic.NameObject("/Widget"),
        generic.NameObject("/FT"): generic.NameObject("/Tx"),
        generic.NameObject("/T"): generic.TextStringObject(name),
        generic.NameObject("/F"): generic.NumberObject(4),  # printed
        generic.NameObject("/Ff"): generic.NumberObject(0),
        generic.NameObject("/Rect"): generic.ArrayObject(generic.FloatObject(v) for v in box),
        generic.NameObject("/P"): page_ref,
        generic.NameObject("/DA"): generic.TextStringObject(f"/Helv {FIELD_FONT_SIZE} Tf 0 g"),
    })
    ref = writer.add_object(field)
    page = page_ref.get_object()
    annots = page.get("/Annots")
    if annots is None:
        page[generic.NameObject("/Annots")] = generic.ArrayObject([ref])
        writer.update_container(page)
    else:
        annots.append(ref)
        writer.update_container(annots)
    form = writer.root["/AcroForm"]
    form["/Fields"].append(ref)
    writer.update_container(form["/Fields"])
    if "/DR" not in form:
        form[generic.NameObject("/DR")] = generic.DictionaryObject({
            generic.NameObject("/Font"): generic.DictionaryObject({
                generic.NameObject("/Helv"): writer.add_object(generic.DictionaryObject({
                    generic.NameObject("/Type"): generic.NameObject("/Font"),
                    generic.NameObject("/Subtype"): generic.NameObject("/Type1"),
                    generic.NameObject("/BaseFont"): generic.NameObject("/Helvetica"),
                    generic.NameObject("/Encoding"): generic.NameObject("/WinAnsiEncoding"),
                })),
            }),
        })
        writer.update_container(form)


def prepare_fields(data: bytes, *, document=None) -> bytes:
    """``data`` plus one incremental revision with the empty fields of the issue stage and,
    for a ``document``, its verification code and QR code in the top margin (drawn before any
    signature, so every signature covers them)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    if document is not None:
        from .verification_codes import add_verification_mark

        add_verification_mark(writer, document)
    fields.append_signature_field(writer, fields.SigFieldSpec(FIELD_ORG, on_page=-1,
                                                              box=ORG_BOX))
    _text_field(writer, FIELD_CODE, 0, CODE_BOX)
    _text_field(writer, FIELD_DATE, 0, DATE_BOX)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _fill_text_fields(writer: IncrementalPdfFileWriter, values: dict[str, str]) -> None:
    """Set /V and a /AP appearance (the stamp font, Vietnamese glyphs) of the named fields."""
    from pyhanko import stamp
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
    from pyhanko.pdf_utils.text import TextBoxStyle

    style = stamp.TextStampStyle(
        stamp_text="%(value)s",
        text_box_style=TextBoxStyle(font=GlyphAccumulatorFactory(pades.stamp_font_path()),
                                    font_size=FIELD_FONT_SIZE),
        border_width=0, background=None,
    )
    remaining = dict(values)
    for ref in writer.root["/AcroForm"]["/Fields"]:
        field = ref.get_object()
        name = str(field.get("/T", ""))
        if name not in remaining:
            continue
        x1, y1, x2, y2 = (float(v) for v in field["/Rect"])
        text = remaining.pop(name)
        box = layout.BoxConstraints(width=x2 - x1, height=y2 - y1)
        appearance = stamp.TextStamp(writer, style, text_params={"value": text.replace("%", "%%")},
                                     box=box).as_form_xobject()
        field[generic.NameObject("/V")] = generic.TextStringObject(text)
        field[generic.NameObject("/AP")] = generic.DictionaryObject({
            generic.NameObject("/N"): writer.add_object(appearance)})
        writer.mark_update(ref)
    if remaining:
        raise ValueError(f"the PDF has no fields {sorted(remaining)}")


# ---------------------------------------------------------------- stage 1

def approval_check(*, actor, document):
    """Refuse (raise) unless ``actor`` may sign ``document`` now; return the latest version."""
    from egov.documents.models import OutgoingState
    from egov.documents.selectors.outgoing import latest_version
    from egov.documents.services import outgoing as out_svc

    if getattr(actor, "pk", None) != document.signer_id:
        raise PermissionDenied()
    if document.state != OutgoingState.APPROVED:
        raise out_svc.wrong_state(document)
    version = latest_version(document)
    if version is None or version.pdf_id is None:
        raise AppError("no_pdf", _("There is no PDF of the approved version to sign."),
                       status=409)
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
    return pades.StampSpec(name=actor.get_full_name() or actor.get_username(),
                           title=document.signer_position, box=LEADER_BOX, page=-1,
                           signed_at=signed_at or timezone.now())


def approval_finish(*, actor, document, version, signed: bytes):
    """Store the signer-signed PDF and move the document to SIGNED."""
    from egov.documents.services import outgoing as out_svc

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
        raise _no_certificate()
    version, prepared = approval_input(actor=actor, document=document)
    signed = pades.sign_pdf(prepared, signer_for(certificate),
                            field_name=FIELD_LEADER, reason="Phê duyệt ban hành",
                            location=document.agency.place_name,
                            appearance=leader_stamp(actor=actor, document=document),
                            timestamper=timestamper_from_settings(), certify=True)
    return approval_finish(actor=actor, document=document, version=version, signed=signed)


def _signed_name(original, suffix: str) -> str:
    stem = (original.original_name or "van-ban.pdf").rsplit(".", 1)[0]
    return f"{stem}-{suffix}.pdf"


# ---------------------------------------------------------------- stage 2

def sign_issue(*, document, actor):
    """Fill the number/notation and the date line, and sign ``org_signature`` with the agency's
    certificate, in one incremental update of ``document.signed_file``. Sets (does not save)
    ``document.issued_file`` and returns the stored file, or ``None`` when the agency has no
    usable certificate (the module docstring explains the choice)."""
    certificate = usable_certificate(unit=document.agency)
    if certificate is None or not document.signed_file_id:
        return None
    with files.file_open(document.signed_file) as fh:
        data = fh.read()
    agency = document.agency
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    _fill_text_fields(writer, {
        FIELD_CODE: f"Số: {document.code}",
        FIELD_DATE: issue_date_line(agency.place_name, document.issued_date),
    })
    spec = pades.StampSpec(name=agency.name, signed_at=timezone.now())
    pdf_signer = ph_signers.PdfSigner(
        pades.signature_metadata(FIELD_ORG, reason="Ban hành", location=agency.place_name),
        signer_for(certificate), timestamper=timestamper_from_settings(),
        stamp_style=pades.stamp_style(spec))
    out = io.BytesIO()
    pdf_signer.sign_pdf(writer, output=out, existing_fields_only=True)
    stored = files.file_store(actor=actor,
                              upload=(_signed_name(document.signed_file, "ban-hanh"),
                                      out.getvalue()),
                              require={files.PDF}, derived_from=document.signed_file,
                              derivation="issued")
    document.issued_file = stored
    return stored
