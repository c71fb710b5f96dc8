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
from pyhanko.sign.general import SigningError

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
FONT_DIRS = ("/usr/share/fonts/truetype/liberation2", "/usr/share/fonts/truetype/liberation")
FONT_FILE = "LiberationSerif-Regular.ttf"
DEFAULT_BOX = (330, 380, 560, 460)


@dataclass(frozen=True)
class StampSpec:
    """A visible signature: the text stamp and an optional PNG.

    Three looks (NĐ 30/2020 Phụ lục I §II.7–8, documents.md §11.2):

    - the competent person's signature (ô 7c): ``image_png`` = the handwritten signature, drawn
      large and centred, with name, title and time in small text (``font_size``) below it;
    - the agency's seal (ô 8): ``image_png`` with ``image_only`` — the seal fills the box, which is
      the seal's real size;
    - text only (no image; attachments, electronic copies, or no image registered): ``lines``
      when given, else name / title / "Ký ngày …".
    """

    name: str
    title: str = ""
    box: tuple[float, float, float, float] = DEFAULT_BOX
    page: int = 0
    image_png: bytes | None = None
    signed_at: dt.datetime | None = None
    font_size: int = 9
    lines: tuple[str, ...] | None = None
    image_only: bool = False
    image_stretch: bool = True   # image_only: fill the box exactly (it is the real size)
    align_right: bool = False

    def when(self) -> dt.datetime:
        return (self.signed_at or dt.datetime.now(dt.UTC)).astimezone(VN_TZ)

    def text(self) -> str:
        if self.lines is not None:
            return "\n".join(self.lines)
        when = self.when()
        if self.image_png:
            # Small caption under the handwritten signature image.
            head = f"{self.name} - {self.title}" if self.title else self.name
            return head + "\nKý ngày " + when.strftime("%d/%m/%Y %H:%M:%S")
        lines = [self.name]
        if self.title:
            lines.append(self.title)
        # Document content, not UI: the stamp is part of the Vietnamese legal document whatever the
        # viewer's language (NĐ 30/2020 Điều 8, Phụ lục I), so it is not translated.
        lines.append("Ký ngày " + when.strftime("%d/%m/%Y %H:%M"))
        return "\n".join(lines)


def iso_time(when: dt.datetime) -> str:
    """ISO 8601 in Vietnam time, to the second: 2026-11-22T19:05:33+07:00 (PL I §II.8.b)."""
    return when.astimezone(VN_TZ).replace(microsecond=0).isoformat()


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

def _pdf_image(png: bytes):
    from PIL import Image
    from pyhanko.pdf_utils import images

    # RGBA: pyHanko turns the alpha channel into an /SMask (a palette PNG with tRNS would lose
    # its transparency otherwise).
    return images.PdfImage(Image.open(io.BytesIO(png)).convert("RGBA"))


# ---------------------------------------------------------------- font engine with a subset cache

# Characters always put in the embedded subset: with them, the glyph set of a stamp depends
# only on the letters of names and places, not on the digits of dates, numbers and codes — so
# consecutive documents hit the cache below (a batch of a thousand signatures subsets the font
# a handful of times instead of a thousand).
_PAD_CHARS = ("0123456789 ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
              ".,:;-/()+%#&@_=?!'\"ĐđÂâĂăÊêÔôƠơƯư")
_SUBSET_CACHE_SIZE = 256
_subset_lock = threading.Lock()
_subset_cache: dict[tuple[str, frozenset[int]], bytes] = {}
_pad_gids: dict[str, frozenset[int]] = {}
_font_data: dict[str, bytes] = {}


def _font_bytes(path: str) -> bytes:
    with _subset_lock:
        data = _font_data.get(path)
    if data is None:
        data = Path(path).read_bytes()
        with _subset_lock:
            _font_data[path] = data
    return data


def _subset_font(path: str, gids: frozenset[int]) -> bytes:
    """The TrueType subset of ``path`` holding ``gids`` (glyph ids kept: pyHanko writes raw
    glyph ids as CIDs), memoised per process."""
    key = (path, gids)
    with _subset_lock:
        data = _subset_cache.get(key)
    if data is not None:
        return data
    from fontTools import subset
    from fontTools.ttLib import TTFont

    tt = TTFont(io.BytesIO(_font_bytes(path)))
    # The options of pyHanko's GlyphAccumulator._extract_subset (0.38).
    options = subset.Options(layout_closure=False)
    options.drop_tables += ["GPOS", "GDEF", "GSUB"]
    options.retain_gids = True
    subsetter = subset.Subsetter(options=options)
    subsetter.populate(gids=sorted(gids))
    subsetter.subset(tt)
    out = io.BytesIO()
    tt.save(out)
    data = out.getvalue()
    with _subset_lock:
        if len(_subset_cache) >= _SUBSET_CACHE_SIZE:
            _subset_cache.pop(next(iter(_subset_cache)))
        _subset_cache[key] = data
    return data


def _make_engine_class():
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulator

    class CachedSubsetGlyphAccumulator(GlyphAccumulator):
        """pyHanko's glyph accumulator, but the embedded font subset comes from a per-process
        cache keyed by the glyph set (plus :data:`_PAD_CHARS`) instead of being computed with
        fontTools for every signature — the costliest step of a visible signature."""

        font_path: str = ""

        def _extract_subset(self, options=None):  # noqa: ARG002 - pyHanko's signature
            path = self.font_path
            pad = _pad_gids.get(path)
            if pad is None:
                cmap = self.tt.getBestCmap()
                order = self.tt.getGlyphOrder()
                index = {name: i for i, name in enumerate(order)}
                pad = frozenset(index[cmap[ord(c)]] for c in _PAD_CHARS
                                if ord(c) in cmap and cmap[ord(c)] in index)
                _pad_gids[path] = pad
            data = _subset_font(path, frozenset(self._glyphs) | pad)
            cidfont = self.cidfont_obj

            def set_font_file(writer):
                stream = generic.StreamObject(stream_data=data)
                stream.compress()
                ref = writer.add_object(stream)
                cidfont._font_descriptor[generic.NameObject("/FontFile2")] = ref
                return ref

            cidfont.set_font_file = set_font_file

    return CachedSubsetGlyphAccumulator


_engine_class = None


def font_engine_factory(path: str | None = None):
    """A pyHanko font-engine factory for the stamp font (default :func:`stamp_font_path`) whose
    engines embed cached subsets (see :class:`CachedSubsetGlyphAccumulator`)."""
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory

    global _engine_class
    if _engine_class is None:
        _engine_class = _make_engine_class()
    font_path = path or stamp_font_path()
    engine_class = _engine_class

    class _Factory(GlyphAccumulatorFactory):
        def create_font_engine(self, writer, obj_stream=None):
            if obj_stream is None and writer.stream_xrefs and self.create_objstream_if_needed:
                obj_stream = writer.prepare_object_stream()
            engine = engine_class(writer=writer, font_handle=io.BytesIO(_font_bytes(font_path)),
                                  font_size=self.font_size, obj_stream=obj_stream)
            engine.font_path = font_path
            return engine

    return _Factory(font_path)


def text_box_style(font_size: int, *, tight: bool = False):
    """Text in the stamp font; ``tight``: 1 pt around the text instead of pyHanko's 10 pt
    (small boxes: the caption under a signature image, the top-right stamps, form fields)."""
    from pyhanko.pdf_utils import layout
    from pyhanko.pdf_utils.text import TextBoxStyle

    rule = None
    if tight:
        rule = layout.SimpleBoxLayoutRule(x_align=layout.AxisAlignment.ALIGN_MID,
                                          y_align=layout.AxisAlignment.ALIGN_MID,
                                          margins=layout.Margins.uniform(1))
    return TextBoxStyle(font=font_engine_factory(), font_size=font_size,
                        box_layout_rule=rule)


def _caption_height(font_size: int) -> int:
    return round(2 * font_size * 1.25 + 2)


def image_span(box, png: bytes, font_size: int) -> tuple[float, float]:
    """The horizontal extent (x1, x2) of the signature image as :func:`stamp_style` draws it in
    ``box`` (centred, shrunk to fit above the caption, aspect kept)."""
    from PIL import Image

    x1, y1, x2, y2 = box
    px_w, px_h = Image.open(io.BytesIO(png)).size
    avail_w = (x2 - x1) - 4
    avail_h = (y2 - y1) - 1 - _caption_height(font_size)
    width = min(avail_w, max(avail_h, 1) * px_w / px_h)
    centre = (x1 + x2) / 2
    return centre - width / 2, centre + width / 2


def stamp_style(spec: StampSpec):
    """The pyHanko stamp style for ``spec`` (see :class:`StampSpec` for the three looks)."""
    from pyhanko import stamp
    from pyhanko.pdf_utils import layout

    if spec.image_png and spec.image_only:
        # The seal at its real size: the box is the seal's size, the image fills it.
        return stamp.StaticStampStyle(
            background=_pdf_image(spec.image_png), border_width=0, background_opacity=1.0,
            background_layout=layout.SimpleBoxLayoutRule(
                x_align=layout.AxisAlignment.ALIGN_MID, y_align=layout.AxisAlignment.ALIGN_MID,
                margins=layout.Margins.uniform(0),
                inner_content_scaling=(layout.InnerScaling.STRETCH_FILL if spec.image_stretch
                                       else layout.InnerScaling.SHRINK_TO_FIT)))
    text_style = text_box_style(spec.font_size,
                                tight=bool(spec.image_png or spec.lines is not None))
    if spec.image_png:
        # The handwritten signature centred in the box, above a small caption (two lines).
        caption = _caption_height(spec.font_size)
        return stamp.TextStampStyle(
            stamp_text=spec.text().replace("%", "%%"),
            text_box_style=text_style, border_width=0,
            background=_pdf_image(spec.image_png), background_opacity=1.0,
            background_layout=layout.SimpleBoxLayoutRule(
                x_align=layout.AxisAlignment.ALIGN_MID, y_align=layout.AxisAlignment.ALIGN_MID,
                margins=layout.Margins(left=2, right=2, top=1, bottom=caption),
                inner_content_scaling=layout.InnerScaling.SHRINK_TO_FIT),
            inner_content_layout=layout.SimpleBoxLayoutRule(
                x_align=layout.AxisAlignment.ALIGN_MID, y_align=layout.AxisAlignment.ALIGN_MIN,
                margins=layout.Margins(left=1, right=1, top=1, bottom=1)),
        )
    inner = None
    if spec.align_right:
        inner = layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MAX, y_align=layout.AxisAlignment.ALIGN_MAX,
            margins=layout.Margins(left=2, right=2, top=2, bottom=2))
    return stamp.TextStampStyle(
        # pyHanko %-formats the stamp text: escape literal percent signs.
        stamp_text=spec.text().replace("%", "%%"),
        text_box_style=text_style,
        border_width=0,
        background=None,
        inner_content_layout=inner,
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
    reserve = signature_reserve(signer, timestamper)
    try:
        return _sign_once(data, signer, field_name=field_name, reason=reason,
                          location=location, appearance=appearance, timestamper=timestamper,
                          certify=certify, extra_fields=extra_fields, bytes_reserved=reserve)
    except SigningError as exc:
        if "larger than expected" not in str(exc):
            raise
        # Our reservation was too small (an unusually long chain): let pyHanko measure.
        return _sign_once(data, signer, field_name=field_name, reason=reason,
                          location=location, appearance=appearance, timestamper=timestamper,
                          certify=certify, extra_fields=extra_fields, bytes_reserved=None)


def signature_reserve(signer: ph_signers.Signer, timestamper=None) -> int:
    """Room to reserve for the CMS signature container, in hex digits (pyHanko's unit): the
    certificates it embeds, the signature value and signed attributes, and a timestamp token if
    any. Passing it spares pyHanko a trial signature to measure the size (a third of the signing
    time); a container that does not fit makes :func:`sign_pdf` retry with the measurement."""
    certs = [signer.signing_cert, *(signer.cert_registry or ())]
    # Measured: an RSA-2048 or ECDSA container is the certificates + ~650 bytes. Keep the room
    # tight — every reserved byte is a hex digit verifiers parse (pure Python in pyHanko).
    size = sum(len(cert.dump()) for cert in certs if cert is not None) + 1536
    if timestamper is not None:
        size += 6144  # the TSA's token with its certificate and chain
    return 2 * size


def _sign_once(data: bytes, signer, *, field_name, reason, location, appearance, timestamper,
               certify, extra_fields, bytes_reserved) -> bytes:
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
    pdf_signer.sign_pdf(writer, output=out, bytes_reserved=bytes_reserved)
    return out.getvalue()
