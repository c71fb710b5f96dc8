"""PAdES signatures on PDF documents.

Three layers, as pyHanko (STYLE.md): what the signature says and looks like (:func:`signature_metadata`,
:func:`stamp_style`), who signs (a pyHanko ``Signer`` from :mod:`egov.signing.signers`), and the
writer (:func:`sign_pdf`, an incremental update so earlier signatures stay valid).

Signatures are PAdES baseline (SubFilter ETSI.CAdES.detached, SHA-256) — the format the national
signature validation service accepts for digital signatures under Luật Giao dịch điện tử 2023 and
NĐ 30/2020 Điều 13.7 (văn bản điện tử ký số). The visible stamp follows NĐ 30/2020 Phụ lục I.II
(signer's name, title and signing time; see documents.md §11).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields
from pyhanko.sign import signers as ph_signers

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
FONT_DIRS = ("/usr/share/fonts/truetype/liberation2", "/usr/share/fonts/truetype/liberation")
FONT_FILE = "LiberationSerif-Regular.ttf"
DEFAULT_BOX = (330, 380, 560, 460)


@dataclass(frozen=True)
class StampSpec:
    """A visible signature: the text stamp and an optional PNG (the leader's signature image)."""

    name: str
    title: str = ""
    box: tuple[int, int, int, int] = DEFAULT_BOX
    page: int = 0
    image_png: bytes | None = None
    signed_at: dt.datetime | None = None
    font_size: int = 9

    def text(self) -> str:
        when = (self.signed_at or dt.datetime.now(dt.UTC)).astimezone(VN_TZ)
        lines = [self.name]
        if self.title:
            lines.append(self.title)
        # Document content, not UI: the stamp is part of the Vietnamese legal document whatever the
        # viewer's language (NĐ 30/2020 Điều 8, Phụ lục I), so it is not translated.
        lines.append("Ký ngày " + when.strftime("%d/%m/%Y %H:%M"))
        return "\n".join(lines)


# ---------------------------------------------------------------- fonts

_font_lock = threading.Lock()
_font_path: str | None = None


def find_font() -> Path:
    """Liberation Serif 2 (complete Vietnamese coverage; 1.x misses 74 letters — components.md §0)."""
    for d in FONT_DIRS:
        p = Path(d) / FONT_FILE
        if p.exists():
            return p
    raise FileNotFoundError(f"{FONT_FILE} not found (install fonts-liberation2)")


def stamp_font_path() -> str:
    """The stamp font rescaled to 1000 units per em and reduced to the Latin/Vietnamese
    repertoire (so pyHanko's per-signature subsetting is ~10× cheaper), cached on disk.

    pyHanko 0.38 writes glyph widths in raw font units, correct only for unitsPerEm = 1000;
    Liberation has 2048 (components.md §1.3 A).
    """
    global _font_path
    with _font_lock:
        if _font_path and os.path.exists(_font_path):
            return _font_path
        src = find_font()
        digest = hashlib.sha256(src.read_bytes()).hexdigest()[:16]
        default_cache = Path(tempfile.gettempdir()) / f"egov-fonts-{os.getuid()}"
        cache = Path(os.environ.get("EGOV_FONT_CACHE", default_cache))
        target = cache / f"{src.stem}-vi-upem1000-{digest}.ttf"
        if not target.exists():
            from fontTools.ttLib import TTFont
            from fontTools.ttLib.scaleUpem import scale_upem

            cache.mkdir(mode=0o700, parents=True, exist_ok=True)
            font = TTFont(str(src))
            if font["head"].unitsPerEm != 1000:
                scale_upem(font, 1000)
            if "FFTM" in font:  # FontForge timestamp; the subsetter cannot handle it
                del font["FFTM"]
            _reduce_to_vietnamese(font)
            tmp = target.with_suffix(f".{os.getpid()}.tmp")
            font.save(str(tmp))
            os.replace(tmp, target)
        _font_path = str(target)
        return _font_path


# Basic Latin, Latin-1, Latin Extended-A/B, combining marks, Vietnamese (U+1EA0–U+1EF9),
# general punctuation, currency (₫).
_VI_RANGES = ((0x20, 0x7E), (0xA0, 0x24F), (0x300, 0x323), (0x1EA0, 0x1EF9), (0x2010, 0x2044),
              (0x20AB, 0x20AC))


def _reduce_to_vietnamese(font) -> None:
    from fontTools import subset

    options = subset.Options()
    options.layout_features = ["*"]
    options.hinting = False
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[c for a, b in _VI_RANGES for c in range(a, b + 1)])
    subsetter.subset(font)


# ---------------------------------------------------------------- appearance / metadata layer

def stamp_style(spec: StampSpec):
    """The pyHanko stamp style for ``spec``: Vietnamese text in an embedded subset font, with the
    PNG (if any) as background."""
    from pyhanko import stamp
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
    from pyhanko.pdf_utils.text import TextBoxStyle

    background = None
    if spec.image_png:
        from PIL import Image
        from pyhanko.pdf_utils import images

        background = images.PdfImage(Image.open(io.BytesIO(spec.image_png)))
    return stamp.TextStampStyle(
        # pyHanko %-formats the stamp text: escape literal percent signs.
        stamp_text=spec.text().replace("%", "%%"),
        text_box_style=TextBoxStyle(font=GlyphAccumulatorFactory(stamp_font_path()),
                                    font_size=spec.font_size),
        border_width=0,
        background=background,
        background_opacity=1.0 if background is not None else 0.6,
    )


def signature_metadata(field_name: str, *, reason: str = "", location: str = "",
                       certify: bool = False) -> ph_signers.PdfSignatureMetadata:
    from pyhanko.sign.fields import MDPPerm, SigSeedSubFilter

    return ph_signers.PdfSignatureMetadata(
        field_name=field_name,
        subfilter=SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason or None,
        location=location or None,
        certify=certify,
        # A certifying (leader) signature still lets the organisation fill the number/date
        # fields and sign afterwards (NĐ 30/2020 Điều 13.7; components.md §1.2, §1.3 B).
        docmdp_permissions=MDPPerm.FILL_FORMS,
    )


# ---------------------------------------------------------------- writer layer

def sign_pdf(data: bytes, signer: ph_signers.Signer, *, field_name: str, reason: str = "",
             location: str = "", appearance: StampSpec | None = None, timestamper=None,
             certify: bool = False, extra_fields: list | tuple = ()) -> bytes:
    """Sign ``data`` as an incremental update and return the new PDF bytes.

    Invisible unless ``appearance`` is given. If the document already has an empty signature
    field called ``field_name`` it is used. ``extra_fields`` are empty signature fields
    (``SigFieldSpec``) added in the same revision — e.g. the organisation's field when the
    leader certifies (components.md §1.3 B).
    """
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    for spec in extra_fields:
        fields.append_signature_field(writer, spec)
    existing = {name for name, _v, _r in fields.enumerate_sig_fields(writer, filled_status=False)}
    new_field_spec = None
    if field_name not in existing:
        if appearance is not None:
            new_field_spec = fields.SigFieldSpec(field_name, on_page=appearance.page,
                                                 box=appearance.box)
        else:
            new_field_spec = fields.SigFieldSpec(field_name)
    pdf_signer = ph_signers.PdfSigner(
        signature_metadata(field_name, reason=reason, location=location, certify=certify),
        signer,
        timestamper=timestamper,
        stamp_style=stamp_style(appearance) if appearance is not None else None,
        new_field_spec=new_field_spec,
    )
    out = io.BytesIO()
    pdf_signer.sign_pdf(writer, output=out)
    return out.getvalue()
