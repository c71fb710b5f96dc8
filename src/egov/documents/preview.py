"""The preview of an outgoing document as it will be issued (issue 9 §1): before the leader signs
(``stage="sign"``) and before the clerk issues (``stage="issue"``).

The PDF the stamps go on — the latest version's PDF before the signature, the leader's signed
PDF after it — gets, where the issue will put them (the layout check's boxes,
:mod:`egov.documents.layout_check`, i.e. the stamping's own locator):

- the number line with a placeholder number ("Số: …/QĐ-UBND") and the date line of today, on
  white boxes over the printed placeholders;
- the signer's signature image (or text stamp) and the agency's seal at real size (or the
  agency's name), drawn as page content instead of signatures;
- the verification mark (QR code and caption) in its free place — with the document's code when
  it already has one, else a placeholder code;
- on every page, a light diagonal "BẢN XEM TRƯỚC — KHÔNG CÓ GIÁ TRỊ PHÁP LÝ" and the same line
  at the foot, so that no one takes it for an original.

Nothing is signed, no number is taken from the register, no verification code is drawn and no
audit or trail event is written: the preview only reads.
"""

from __future__ import annotations

import dataclasses
import io
import math

from django.utils import timezone
from django.utils.translation import gettext as _
from pyhanko.pdf_utils import generic, layout

from egov.core import files
from egov.core.errors import AppError, InvalidInput
from egov.signing import pades, stamping
from egov.signing import verification_codes as marks
from egov.signing.selectors import appearance_image_for

from . import draft_templates, layout_check
from .models import OutgoingState
from .selectors.outgoing import latest_version
from .verification_codes import codes_of

STAGES = ("sign", "issue")
WATERMARK = "BẢN XEM TRƯỚC — KHÔNG CÓ GIÁ TRỊ PHÁP LÝ"  # printed on the PDF, not UI
PLACEHOLDER_CODE = "0000000000"
NUMBER_PLACEHOLDER = "…"


def _source(document) -> tuple[bytes, bool]:
    """(PDF bytes, already prepared and signed by the leader)."""
    stored = document.signed_file if document.signed_file_id else None
    if stored is None:
        version = latest_version(document)
        stored = version.pdf if version is not None else None
    if stored is None:
        raise AppError("no_pdf", _("There is no PDF of the draft to preview yet."), status=409)
    with files.file_open(stored) as fh:
        return fh.read(), bool(document.signed_file_id)


def number_line(document) -> str:
    """"Số: …/<ký hiệu>": the notation the issue will give, the number left as a placeholder."""
    field_abbr = document.field_abbreviation or getattr(document.drafting_unit,
                                                        "abbreviation", "")
    notation = draft_templates._notation(document.doc_type, document.agency, field_abbr,
                                         timezone.localdate().year)
    if document.code and document.state not in (OutgoingState.APPROVED, OutgoingState.SIGNED):
        return f"Số: {document.code}"
    return f"Số: {NUMBER_PLACEHOLDER}/{notation}"


def _xobject_for(writer, spec: pades.StampSpec, box) -> object:
    width, height = box[2] - box[0], box[3] - box[1]
    style = pades.stamp_style(spec)
    stamp = style.create_stamp(writer, layout.BoxConstraints(width=width, height=height), {})
    return stamp.as_form_xobject()


def _white_text(writer, text: str, box):
    """The filled field as the issue draws it: text on an opaque white box."""
    from pyhanko import stamp
    from pyhanko.pdf_utils import content

    width, height = box[2] - box[0], box[3] - box[1]
    size = int(max(8, min(13, (height - 4) * 0.8)))
    style = stamp.TextStampStyle(
        stamp_text="%(value)s", text_box_style=pades.text_box_style(size, tight=True),
        border_width=0, background_opacity=1.0,
        background=content.RawContent(b"1 1 1 rg 0 0 %g %g re f" % (width, height),
                                      box=layout.BoxConstraints(width=width, height=height)),
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MIN, y_align=layout.AxisAlignment.ALIGN_MIN,
            margins=layout.Margins.uniform(0),
            inner_content_scaling=layout.InnerScaling.NO_SCALING),
        inner_content_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID, y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins.uniform(1)))
    return stamp.TextStamp(writer, style, text_params={"value": text.replace("%", "%%")},
                           box=layout.BoxConstraints(width=width, height=height)
                           ).as_form_xobject()


def _text(writer, text: str, width: float, height: float, size: int):
    from pyhanko import stamp
    from pyhanko.pdf_utils.text import TextBoxStyle

    style = stamp.TextStampStyle(
        stamp_text="%(text)s",
        text_box_style=TextBoxStyle(font=pades.font_engine_factory(), font_size=size),
        border_width=0, background=None,
        inner_content_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID, y_align=layout.AxisAlignment.ALIGN_MID,
            inner_content_scaling=layout.InnerScaling.SHRINK_TO_FIT))
    return stamp.TextStamp(writer, style, text_params={"text": text.replace("%", "%%")},
                           box=layout.BoxConstraints(width=width, height=height)
                           ).as_form_xobject()


class _Painter:
    """Draws form XObjects as page content (one stream per page, wrapped in q … Q)."""

    def __init__(self, writer):
        self.writer = writer
        self.ops: dict[int, list[bytes]] = {}
        self.resources: dict[int, dict] = {}
        self.count = 0

    def place(self, page_ix: int, xobject, matrix: tuple, *, prefix: bytes = b"") -> None:
        self.count += 1
        name = f"/EgovPreview{self.count}"
        self.resources.setdefault(page_ix, {})[name] = self.writer.add_object(xobject)
        self.ops.setdefault(page_ix, []).append(
            b"q %s %s cm %s Do Q" % (prefix, " ".join(f"{v:.4f}" for v in matrix).encode(),
                                     name.encode()))

    def at(self, page_ix: int, xobject, box) -> None:
        self.place(page_ix, xobject, (1, 0, 0, 1, box[0], box[1]))

    def flush(self) -> None:
        for page_ix, ops in self.ops.items():
            self.writer.add_stream_to_page(
                page_ix, self.writer.add_object(generic.StreamObject(stream_data=b"q\n")),
                prepend=True)
            resources = generic.DictionaryObject({
                generic.NameObject("/XObject"): generic.DictionaryObject({
                    generic.NameObject(k): v for k, v in self.resources[page_ix].items()})})
            data = b"\n".join([b"Q", *ops, b""])
            self.writer.add_stream_to_page(
                page_ix, self.writer.add_object(generic.StreamObject(stream_data=data)),
                resources=resources)


def _watermark(painter: _Painter, writer, pages: int) -> None:
    for page_ix in range(pages):
        width, height = stamping._page_size(writer, page_ix)
        diagonal = _text(writer, WATERMARK.replace(" — ", "\n"), 520, 120, 30)
        angle = math.atan2(height, width)
        cos, sin = math.cos(angle), math.sin(angle)
        # The centre of the 520 × 120 text at the centre of the page, along the diagonal.
        cx, cy = width / 2, height / 2
        tx = cx - (260 * cos - 60 * sin)
        ty = cy - (260 * sin + 60 * cos)
        painter.place(page_ix, diagonal, (cos, sin, -sin, cos, tx, ty),
                      prefix=b"0.80 0.80 0.80 rg")
        foot = _text(writer, WATERMARK, width - 40, 14, 10)
        painter.place(page_ix, foot, (1, 0, 0, 1, 20, 2), prefix=b"0.75 0 0 rg")


def preview_pdf(*, document, stage: str) -> bytes:
    """The preview PDF (see the module docstring). Raises 422 for an unknown ``stage`` and
    409 ``layout`` when the PDF does not follow the layout (nothing could be placed)."""
    if stage not in STAGES:
        message = _("Choose one of: %(values)s.") % {"values": ", ".join(STAGES)}
        raise InvalidInput(message, fields={"stage": [message]})
    data, signed = _source(document)
    report = layout_check.inspect(data, document=document,
                                  stage="issue" if signed else "sign")
    if layout_check.applies(document) and not report.ok:
        raise layout_check.refusal(report)
    writer = stamping.open_pdf(data)
    pages = stamping._page_count(writer)
    last = pages - 1
    agency, signer = document.agency, document.signer
    now = timezone.now()
    boxes = report.boxes or stamping.signature_boxes(data, pages=pages)
    if not signed:
        existing = codes_of(document).order_by("pk").first()
        marks.add_verification_mark(writer, existing.code if existing else PLACEHOLDER_CODE,
                                    at=report.mark_at)
    painter = _Painter(writer)
    if not signed and signer is not None:
        spec = stamping.holder_stamp(user=signer, title=document.signer_position, signed_at=now)
        spec = dataclasses.replace(spec, box=boxes["leader"])
        painter.at(last, _xobject_for(writer, spec, boxes["leader"]), boxes["leader"])
    seal = appearance_image_for(unit=agency, kind="seal")
    org = boxes.get("org", stamping.ORG_BOX)
    seal_spec = (pades.StampSpec(name=agency.name, signed_at=now,
                                 image_png=bytes(seal.image_png), image_only=True)
                 if seal is not None else pades.StampSpec(name=agency.name, signed_at=now))
    painter.at(last, _xobject_for(writer, seal_spec, org), org)
    code_box = boxes.get("code", stamping.CODE_BOX)
    painter.at(0, _white_text(writer, number_line(document), code_box), code_box)
    date_box = boxes.get("date", stamping.DATE_BOX)
    painter.at(0, _white_text(writer, stamping.issue_date_line(
        agency.place_name, document.issued_date or timezone.localdate(now)), date_box),
        date_box)
    _watermark(painter, writer, pages)
    painter.flush()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
