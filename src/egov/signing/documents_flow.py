"""The two signatures of an outgoing document (components.md §1.2; documents.md §11).

Stage 1 — :func:`sign_approval`: the signer (the leader who approved the document) signs the PDF
of the latest version with a *certifying* signature. Before it, in its own incremental revision,
the PDF gets the empty signature fields ``leader_signature`` and ``org_signature`` and the
empty text fields ``so_ky_hieu`` (number and notation) and ``ngay_ban_hanh`` (place and date). The DocMDP
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

Positions (documents.md §11.2; :mod:`egov.signing.appearance` reads the text of the PDF with
poppler): the leader's field lies in the gap between the title line (ô 7a) and the signer's name
(ô 7b) on the last page, centred on the name — :data:`LEADER_BOX` when the name is not found; its
appearance is the signer's handwritten-signature image with name, title and time in small text
(ô 7c). The organisation's field is the seal's real size, over the left third of the signature
image (ô 8) — :data:`ORG_BOX` when the agency has no seal image. The number and date fields lie
over the printed "Số: …" and "…, ngày … tháng … năm …" of page 1 (:data:`CODE_BOX` /
:data:`DATE_BOX` otherwise). Attachments in separate files and electronic copies get a
text-only signature at the top right of page 1 (:func:`sign_issue`).
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
from .timestamps import long_term_if_configured, timestamper_from_settings

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
LEADER_CAPTION_SIZE = 7   # name, title and time under the signature image


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


def _page_count(writer) -> int:
    return int(writer.root["/Pages"]["/Count"])


def _page_size(writer, page_ix: int) -> tuple[float, float]:
    page = writer.find_page_for_modification(page_ix)[0].get_object()
    while page is not None and "/MediaBox" not in page:
        page = page.get("/Parent")
        page = page.get_object() if page is not None else None
    if page is None:
        return 595.0, 842.0
    x1, y1, x2, y2 = (float(v) for v in page["/MediaBox"])
    return x2 - x1, y2 - y1


def signature_boxes(data: bytes, *, signer_name: str = "", seal=None, signature=None,
                    pages: int | None = None) -> dict[str, tuple]:
    """Where the fields go, from the text of the PDF (poppler): "leader" (ô 7c: in the gap above
    the signer's name on the last page, else :data:`LEADER_BOX`), "org" (ô 8: the seal
    image ``seal`` at real size over the left third of the leader's ``signature`` image — or of
    the leader box without one —, else :data:`ORG_BOX`),
    "code" and "date" (over "Số: …" and the date line of page 1, else :data:`CODE_BOX` /
    :data:`DATE_BOX`)."""
    from .appearance import leader_box_from_lines, number_date_boxes, page_lines, seal_box

    leader, first = None, None
    if signer_name and pages:
        width, height, lines = page_lines(data, pages)
        leader = leader_box_from_lines(width, lines, signer_name)
        if pages == 1:
            first = (width, height, lines)
    boxes = {"leader": leader or LEADER_BOX}
    span = (pades.image_span(boxes["leader"], bytes(signature.image_png), LEADER_CAPTION_SIZE)
            if signature is not None else None)
    boxes["org"] = (seal_box(boxes["leader"], seal.width_mm, seal.height_mm, span=span)
                    if seal is not None else ORG_BOX)
    if first is None:
        first = page_lines(data, 1)
    found = number_date_boxes(first[2], first[1] or 842.0)
    boxes["code"] = found.get("code", CODE_BOX)
    boxes["date"] = found.get("date", DATE_BOX)
    return boxes


def prepare_fields(data: bytes, *, document=None) -> bytes:
    """``data`` plus one incremental revision with the empty fields of the issue stage and,
    for a ``document``, its verification code and QR code in the top margin (drawn before any
    signature, so every signature covers them).

    The leader's field comes first and the organisation's second, so viewers draw the seal on
    top of the handwritten signature (widgets are painted in /Annots order), as on paper
    (NĐ 30/2020 Điều 33.1)."""
    from .selectors import appearance_image_for

    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    signer_name, seal, signature = "", None, None
    if document is not None:
        from .verification_codes import add_verification_mark

        add_verification_mark(writer, document)
        signer = document.signer
        signer_name = (signer.get_full_name() or signer.get_username()) if signer else ""
        seal = appearance_image_for(unit=document.agency, kind="seal")
        if signer is not None:
            signature = appearance_image_for(user=signer, kind="signature")
    boxes = signature_boxes(data, signer_name=signer_name, seal=seal, signature=signature,
                            pages=_page_count(writer))
    fields.append_signature_field(writer, fields.SigFieldSpec(FIELD_LEADER, on_page=-1,
                                                              box=boxes["leader"]))
    fields.append_signature_field(writer, fields.SigFieldSpec(FIELD_ORG, on_page=-1,
                                                              box=boxes["org"]))
    _text_field(writer, FIELD_CODE, 0, boxes["code"])
    _text_field(writer, FIELD_DATE, 0, boxes["date"])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _fill_text_fields(writer: IncrementalPdfFileWriter, values: dict[str, str]) -> None:
    """Set /V and a /AP appearance (the stamp font, Vietnamese glyphs) of the named fields."""
    from pyhanko import stamp
    from pyhanko.pdf_utils import content

    remaining = dict(values)
    for ref in writer.root["/AcroForm"]["/Fields"]:
        field = ref.get_object()
        name = str(field.get("/T", ""))
        if name not in remaining:
            continue
        x1, y1, x2, y2 = (float(v) for v in field["/Rect"])
        width, height = x2 - x1, y2 - y1
        # The field lies over the printed "Số: …" / date placeholder when it was found there:
        # an opaque white background replaces the placeholder by the filled line.
        size = int(max(8, min(13, (height - 4) * 0.8)))
        style = stamp.TextStampStyle(
            stamp_text="%(value)s",
            text_box_style=pades.text_box_style(size, tight=True),
            border_width=0, background_opacity=1.0,
            background=content.RawContent(b"1 1 1 rg 0 0 %g %g re f" % (width, height),
                                          box=layout.BoxConstraints(width=width,
                                                                    height=height)),
            background_layout=layout.SimpleBoxLayoutRule(
                x_align=layout.AxisAlignment.ALIGN_MIN, y_align=layout.AxisAlignment.ALIGN_MIN,
                margins=layout.Margins.uniform(0),
                inner_content_scaling=layout.InnerScaling.NO_SCALING),
            inner_content_layout=layout.SimpleBoxLayoutRule(
                x_align=layout.AxisAlignment.ALIGN_MID, y_align=layout.AxisAlignment.ALIGN_MID,
                margins=layout.Margins.uniform(1)),
        )
        text = remaining.pop(name)
        box = layout.BoxConstraints(width=width, height=height)
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
    """The visible appearance of the signer's signature (Phụ lục I §II.7, ô 7c): the signer's
    handwritten-signature image (blue, transparent PNG) with name, title and time in small text
    under it; without an image, the text stamp. The box is the field's, placed by
    :func:`prepare_fields` between the title and the name."""
    from .selectors import appearance_image_for

    image = appearance_image_for(user=actor, kind="signature")
    return pades.StampSpec(name=actor.get_full_name() or actor.get_username(),
                           title=document.signer_position, box=LEADER_BOX, page=-1,
                           signed_at=signed_at or timezone.now(),
                           image_png=bytes(image.image_png) if image is not None else None,
                           font_size=LEADER_CAPTION_SIZE if image is not None else 9)


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
    signed = long_term_if_configured(signed)
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


def _org_signer(certificate, agency, spec: pades.StampSpec, *, new_field=None):
    return ph_signers.PdfSigner(
        pades.signature_metadata(FIELD_ORG, reason="Ban hành", location=agency.place_name),
        signer_for(certificate), timestamper=timestamper_from_settings(),
        stamp_style=pades.stamp_style(spec), new_field_spec=new_field)


def _field_rect(writer, name: str):
    for ref in writer.root["/AcroForm"]["/Fields"]:
        field = ref.get_object()
        if str(field.get("/T", "")) == name:
            return tuple(float(v) for v in field["/Rect"])
    return None


def _text_only(writer, lines: tuple[str, ...], when) -> tuple[pades.StampSpec, fields.SigFieldSpec]:
    """A text-only stamp in the top right corner of page 1 (PL I §II.8.b and Phần II §I: Times
    New Roman — here its metric twin Liberation Serif —, regular, 10 pt, black, no image)."""
    from .appearance import top_right_box

    width, height = _page_size(writer, 0)
    box = top_right_box(width, height, lines=len(lines))
    spec = pades.StampSpec(name="", lines=lines, box=box, page=0, signed_at=when,
                           font_size=10, align_right=True)
    return spec, fields.SigFieldSpec(FIELD_ORG, on_page=0, box=box)


def _sign_signed(document, certificate, actor, when):
    """Stage 2 on the leader's certified PDF: number, date and the seal signature."""
    from .selectors import appearance_image_for

    with files.file_open(document.signed_file) as fh:
        data = fh.read()
    agency = document.agency
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    _fill_text_fields(writer, {
        FIELD_CODE: f"Số: {document.code}",
        FIELD_DATE: issue_date_line(agency.place_name, document.issued_date),
    })
    seal = appearance_image_for(unit=agency, kind="seal")
    if seal is not None:
        # ô 8: the seal (red, transparent PNG) at its real size; the field was placed by
        # prepare_fields over the left third of the leader's signature.
        from .appearance import mm_to_pt

        rect = _field_rect(writer, FIELD_ORG)
        real = rect is not None and abs((rect[2] - rect[0]) - mm_to_pt(seal.width_mm)) < 1 \
            and abs((rect[3] - rect[1]) - mm_to_pt(seal.height_mm)) < 1
        # A field placed before the seal image existed keeps its box: the seal is then only
        # fitted into it (aspect kept), not stretched.
        spec = pades.StampSpec(name=agency.name, signed_at=when, image_png=bytes(seal.image_png),
                               image_only=True, image_stretch=real)
    else:
        spec = pades.StampSpec(name=agency.name, signed_at=when)
    out = io.BytesIO()
    _org_signer(certificate, agency, spec).sign_pdf(writer, output=out,
                                                    existing_fields_only=True)
    return files.file_store(actor=actor,
                            upload=(_signed_name(document.signed_file, "ban-hanh"),
                                    long_term_if_configured(out.getvalue())),
                            require={files.PDF}, derived_from=document.signed_file,
                            derivation="issued")


def _sign_copy(document, certificate, actor, when):
    """An electronic copy (sao y / sao lục / trích sao) made by the agency: its PDF signed with
    the agency's key, ô 14 top right of page 1 — copy form, copying agency, number and notation,
    signing time ISO 8601 (NĐ 30/2020 Điều 25–26, Phụ lục I Phần II §I)."""
    from egov.documents.selectors.outgoing import latest_version

    from .verification_codes import add_verification_mark

    version = latest_version(document)
    if version is None or version.pdf_id is None:
        return None
    with files.file_open(version.pdf) as fh:
        data = fh.read()
    agency = document.agency
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    add_verification_mark(writer, document)
    spec, field = _text_only(writer, (copy_form(document.doc_type), agency.name,
                                      f"Số: {document.code}", pades.iso_time(when)), when)
    out = io.BytesIO()
    _org_signer(certificate, agency, spec, new_field=field).sign_pdf(writer, output=out)
    return files.file_store(actor=actor, upload=(_signed_name(version.pdf, "ban-sao"),
                                                 long_term_if_configured(out.getvalue())),
                            require={files.PDF}, derived_from=version.pdf,
                            derivation="issued")


def _sign_attachments(document, certificate, actor, when) -> int:
    """Each PDF attachment in a separate file is signed by the agency: top right of page 1,
    no image, text = number and notation + signing time ISO 8601 (+07:00), 10 pt (NĐ 30/2020
    Phụ lục I §II.8.b, §III.1.d). Other formats stay as they are."""
    from egov.documents.models import Attachment

    signed = 0
    for attachment in (Attachment.objects.filter(document=document).select_related("file")
                       .order_by("pk")):
        if attachment.file.content_type != files.PDF:
            continue
        with files.file_open(attachment.file) as fh:
            data = fh.read()
        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
        spec, field = _text_only(writer, (document.code, pades.iso_time(when)), when)
        out = io.BytesIO()
        _org_signer(certificate, document.agency, spec, new_field=field).sign_pdf(
            writer, output=out)
        attachment.issued_file = files.file_store(
            actor=actor, upload=(_signed_name(attachment.file, "ban-hanh"),
                                 long_term_if_configured(out.getvalue())),
            require={files.PDF}, derived_from=attachment.file, derivation="issued")
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
