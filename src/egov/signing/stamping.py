"""Sign a PDF for a certificate holder with an appearance: the signing service any module calls
(docs/architecture.md: signing knows no module; the module's own flow — who signs, when, the
numbering — lives in the module, e.g. :mod:`egov.documents.signing_flow`).

The building blocks follow the layout of Vietnamese administrative documents (NĐ 30/2020 Phụ lục
I; documents.md §11.2), which every module's output shares:

- :func:`prepare_fields` — one incremental revision with the empty signature fields
  ``leader_signature`` (ô 7c) and ``org_signature`` (ô 8), the empty text fields ``so_ky_hieu``
  (number and notation) and ``ngay_ban_hanh`` (place and date), and optionally the verification
  mark (a code and its QR code, :mod:`egov.signing.verification_codes`), drawn before any
  signature so every signature covers them. The positions come from the text of the PDF
  (:func:`signature_boxes`; :mod:`egov.signing.appearance` reads it with poppler): the
  leader's field between the title line and the signer's name on the last page
  (:data:`LEADER_BOX` when the name is not found), the organisation's field the seal's real size
  over the left third of the signature image (:data:`ORG_BOX` without a seal image), the number
  and date fields over the printed "Số: …" and "…, ngày … tháng … năm …" of page 1
  (:data:`CODE_BOX` / :data:`DATE_BOX` otherwise).
- :func:`holder_stamp` — the holder's handwritten-signature image with name, title and time in
  small text (ô 7c); :func:`seal_stamp` — the seal image at real size (ô 8);
  :func:`text_only_stamp` — a text-only stamp at the top right of page 1 (attachments,
  electronic copies).
- :func:`sign_for_holder` — fill text fields and sign one field (existing or new) with the
  holder's server-side certificate in ONE incremental update, timestamped and made long-term
  when configured. A certifying signature with DocMDP FILL_FORMS leaves filling the fields and
  signing the prepared field allowed afterwards (PDF 32000-1 §12.8.2.2).
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
from pyhanko.sign.general import SigningError

from egov.core.errors import InvalidInput

from . import pades
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


def no_certificate() -> InvalidInput:
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


def prepare_fields(data: bytes, *, mark_code: str | None = None, signer_name: str = "",
                   seal=None, signature=None, mark_at: tuple[float, float] | None = None
                   ) -> bytes:
    """``data`` plus one incremental revision with the empty fields of the issue stage and,
    with ``mark_code``, that verification code and its QR code in the top margin (drawn before
    any signature, so every signature covers them). ``signer_name``, ``seal`` and ``signature``
    (AppearanceImage rows or None) place the fields (:func:`signature_boxes`); ``mark_at``
    (x, y_top) places the mark in free space found by the caller instead of its usual place.

    The leader's field comes first and the organisation's second, so viewers draw the seal on
    top of the handwritten signature (widgets are painted in /Annots order), as on paper
    (NĐ 30/2020 Điều 33.1)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    if mark_code:
        from .verification_codes import add_verification_mark

        add_verification_mark(writer, mark_code, at=mark_at)
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




def fill_reference_copy(data: bytes, values: dict[str, str], *,
                        mark_code: str | None = None) -> bytes:
    """``data`` plus one incremental revision that writes ``values`` ({:data:`FIELD_CODE` or
    :data:`FIELD_DATE`: text}) over the printed "Số: …" and date line of page 1 (the boxes of
    :func:`signature_boxes`) and, with ``mark_code``, the verification mark — and NO signature:
    the electronic reference copy of a document whose original is issued on paper. The fields
    are read-only once filled."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    if mark_code:
        from .verification_codes import add_verification_mark

        add_verification_mark(writer, mark_code)
    if "/AcroForm" not in writer.root:
        writer.root[generic.NameObject("/AcroForm")] = generic.DictionaryObject({
            generic.NameObject("/Fields"): generic.ArrayObject()})
        writer.update_root()
    existing = {str(ref.get_object().get("/T", ""))
                for ref in writer.root["/AcroForm"].get("/Fields", [])}
    boxes = signature_boxes(data)
    for name in values:
        if name not in existing:
            _text_field(writer, name, 0, boxes["code" if name == FIELD_CODE else "date"])
    _fill_text_fields(writer, values)
    for ref in writer.root["/AcroForm"]["/Fields"]:
        field = ref.get_object()
        if str(field.get("/T", "")) in values:
            field[generic.NameObject("/Ff")] = generic.NumberObject(1)  # ReadOnly
            writer.mark_update(ref)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# ---------------------------------------------------------------- appearances

def holder_stamp(*, user, title: str = "", signed_at=None) -> pades.StampSpec:
    """The visible appearance of a person's signature (Phụ lục I §II.7, ô 7c): the holder's
    handwritten-signature image (blue, transparent PNG) with name, title and time in small text
    under it; without an image, the text stamp. The box is the field's (:func:`prepare_fields`
    places it between the title and the name)."""
    from .selectors import appearance_image_for

    image = appearance_image_for(user=user, kind="signature")
    return pades.StampSpec(name=user.get_full_name() or user.get_username(), title=title,
                           box=LEADER_BOX, page=-1, signed_at=signed_at or timezone.now(),
                           image_png=bytes(image.image_png) if image is not None else None,
                           font_size=LEADER_CAPTION_SIZE if image is not None else 9)


def field_rect(writer, name: str):
    """The /Rect of the form field ``name``, or None."""
    for ref in writer.root["/AcroForm"]["/Fields"]:
        field = ref.get_object()
        if str(field.get("/T", "")) == name:
            return tuple(float(v) for v in field["/Rect"])
    return None


def seal_stamp(writer, *, unit, signed_at, field: str = FIELD_ORG) -> pades.StampSpec:
    """The organisation's appearance (ô 8): the unit's seal (red, transparent PNG) at its real
    size when :func:`prepare_fields` placed ``field`` for it — a field placed before the seal
    image existed keeps its box, the seal is then only fitted into it (aspect kept) —; the
    unit's name as text without a seal image."""
    from .appearance import mm_to_pt
    from .selectors import appearance_image_for

    seal = appearance_image_for(unit=unit, kind="seal")
    if seal is None:
        return pades.StampSpec(name=unit.name, signed_at=signed_at)
    rect = field_rect(writer, field)
    real = rect is not None and abs((rect[2] - rect[0]) - mm_to_pt(seal.width_mm)) < 1 \
        and abs((rect[3] - rect[1]) - mm_to_pt(seal.height_mm)) < 1
    return pades.StampSpec(name=unit.name, signed_at=signed_at, image_png=bytes(seal.image_png),
                           image_only=True, image_stretch=real)


def text_only_stamp(writer, lines: tuple[str, ...], when, *, field: str = FIELD_ORG,
                    ) -> tuple[pades.StampSpec, fields.SigFieldSpec]:
    """A text-only stamp in the top right corner of page 1 (PL I §II.8.b and Phần II §I: Times
    New Roman — here its metric twin Liberation Serif —, regular, 10 pt, black, no image), and
    the new field it goes in."""
    from .appearance import top_right_box

    width, height = _page_size(writer, 0)
    box = top_right_box(width, height, lines=len(lines))
    spec = pades.StampSpec(name="", lines=lines, box=box, page=0, signed_at=when,
                           font_size=10, align_right=True)
    return spec, fields.SigFieldSpec(field, on_page=0, box=box)


# ---------------------------------------------------------------- signing

def open_pdf(data: bytes) -> IncrementalPdfFileWriter:
    """An incremental writer over ``data`` (to draw a mark or compute a stamp before signing)."""
    return IncrementalPdfFileWriter(io.BytesIO(data), strict=False)


def sign_for_holder(pdf: bytes | IncrementalPdfFileWriter, *, certificate, field: str,
                    appearance: pades.StampSpec, reason: str = "", location: str = "",
                    fill: dict[str, str] | None = None,
                    new_field: fields.SigFieldSpec | None = None,
                    certify: bool = False) -> bytes:
    """Sign ``pdf`` (bytes, or a writer already holding changes such as a verification mark)
    for the holder of ``certificate`` (a SigningCertificate with a server-side key) in
    ``field`` — an existing empty field, or ``new_field`` — with the visible ``appearance``;
    the text ``fill`` ({field name: value}) is filled in the same incremental update, so the
    signature covers it. ``certify`` makes a certifying signature (DocMDP FILL_FORMS).
    Timestamped and made long-term when a timestamp authority is configured."""
    if certificate is None:
        raise no_certificate()
    if certify:
        # The first signature of a prepared PDF: nothing else changes in its revision.
        if not isinstance(pdf, bytes | bytearray) or fill or new_field is not None:
            raise ValueError("a certifying signature signs the prepared bytes as they are")
        signed = pades.sign_pdf(bytes(pdf), signer_for(certificate), field_name=field,
                                reason=reason, location=location, appearance=appearance,
                                timestamper=timestamper_from_settings(), certify=True)
        return long_term_if_configured(signed)
    signer, timestamper = signer_for(certificate), timestamper_from_settings()

    def attempt(reserve: int | None) -> bytes:
        writer = open_pdf(pdf) if isinstance(pdf, bytes | bytearray) else pdf
        if fill:
            _fill_text_fields(writer, fill)
        out = io.BytesIO()
        ph_signers.PdfSigner(
            pades.signature_metadata(field, reason=reason, location=location),
            signer, timestamper=timestamper,
            stamp_style=pades.stamp_style(appearance), new_field_spec=new_field,
        ).sign_pdf(writer, output=out, existing_fields_only=new_field is None,
                   bytes_reserved=reserve)
        return out.getvalue()

    # The room for the signature reserved up front (pades.signature_reserve): pyHanko then
    # makes no trial signature to measure it — a sixth of a certificate's issue time. Not with
    # a timestamp authority on a writer the caller prepared: a TSA's token is the one size
    # guessed, and such a writer cannot be signed a second time.
    bytes_given = isinstance(pdf, bytes | bytearray)
    try:
        signed = attempt(pades.signature_reserve(signer, timestamper)
                         if bytes_given or timestamper is None else None)
    except SigningError as exc:
        # Too small (an unusually long chain): measured instead — from the bytes only, as a
        # writer given by the caller has been used by the first attempt.
        if "larger than expected" not in str(exc) or not bytes_given:
            raise
        signed = attempt(None)
    return long_term_if_configured(signed)
