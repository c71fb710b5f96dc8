"""Signature and seal images (issue 4; documents.md §11.2).

NĐ 30/2020 Phụ lục I §II.7–8: the visible appearance of the competent person's digital signature
is the image of the handwritten signature (blue, transparent PNG); the visible appearance of the
agency's digital signature is the image of its seal (red, transparent PNG) at the seal's real
size. :func:`appearance_image_set` stores such an image; the signing flow draws it
(:mod:`egov.signing.stamping`, used by :mod:`egov.documents.signing_flow`).
"""

from __future__ import annotations

import io
import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass
from xml.etree import ElementTree

from django.db import transaction
from django.utils.translation import gettext as _

from egov.core.audit import audit_log
from egov.core.errors import InvalidInput

from .models import AppearanceImage, AppearanceKind

MAX_BYTES = 512 * 1024
MAX_PIXELS = 2000                 # per side
MIN_MM, MAX_MM = 5.0, 80.0
SIGNATURE_WIDTH_MM = 40.0         # default width of a signature image; height from the aspect
SIGNATURE_MAX_HEIGHT_MM = 20.0
# Seals of the people's committees are round (NĐ 99/2016/NĐ-CP on the management and use of
# seals, and its implementing circular on the seal forms, set the shape and size; the real
# diameter is the one of the agency's registered seal — the administrator enters it). 36 mm is
# only the default when nothing is given.
SEAL_DEFAULT_MM = 36.0


def _bad(message: str) -> InvalidInput:
    return InvalidInput(message, fields={"image": [message]}, code="invalid_image")


def _open_png(png: bytes):
    """The Pillow image of ``png`` after the checks of PL I (a transparent PNG), or raise."""
    from PIL import Image, UnidentifiedImageError

    if not png:
        raise _bad(_("Choose a PNG image."))
    if len(png) > MAX_BYTES:
        raise _bad(_("The image is larger than 512 KB."))
    try:
        image = Image.open(io.BytesIO(png))
        image.verify()                       # a truncated / corrupt file fails here
        image = Image.open(io.BytesIO(png))  # verify() leaves the image unusable
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise _bad(_("This is not a PNG image.")) from None
    if image.format != "PNG":
        raise _bad(_("This is not a PNG image."))
    width, height = image.size
    if width < 1 or height < 1 or width > MAX_PIXELS or height > MAX_PIXELS:
        raise _bad(_("The image may be at most 2000 × 2000 pixels."))
    # NĐ 30/2020 Phụ lục I §II.7–8: "định dạng PNG, nền trong suốt".
    if not (image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info):
        raise _bad(_("The image must have a transparent background."))
    return image


def _size_mm(kind: str, image, width_mm, height_mm) -> tuple[float, float]:
    def check(value, name):
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise InvalidInput(_("Enter a size in millimetres."),
                               fields={name: [_("Enter a size in millimetres.")]}) from None
        if not (MIN_MM <= value <= MAX_MM):
            msg = _("The size must be between 5 and 80 mm.")
            raise InvalidInput(msg, fields={name: [msg]})
        return value

    w = check(width_mm, "width_mm") if width_mm is not None else None
    h = check(height_mm, "height_mm") if height_mm is not None else None
    px_w, px_h = image.size
    aspect = px_h / px_w
    if w is not None and h is not None:
        return w, h
    if w is not None:
        return w, max(MIN_MM, min(MAX_MM, round(w * aspect, 2)))
    if h is not None:
        return max(MIN_MM, min(MAX_MM, round(h / aspect, 2))), h
    if kind == AppearanceKind.SEAL:
        return SEAL_DEFAULT_MM, SEAL_DEFAULT_MM
    # A signature: 40 mm wide, scaled from the pixel aspect, at most 20 mm high.
    w, h = SIGNATURE_WIDTH_MM, SIGNATURE_WIDTH_MM * aspect
    if h > SIGNATURE_MAX_HEIGHT_MM:
        w, h = SIGNATURE_MAX_HEIGHT_MM / aspect, SIGNATURE_MAX_HEIGHT_MM
    return round(max(MIN_MM, w), 2), round(max(MIN_MM, h), 2)


def _owner_check(actor, kind: str, owner_user, owner_unit) -> None:
    from .services import _owner_check as certificate_owner_check

    if kind == AppearanceKind.SEAL:
        if owner_unit is None or owner_user is not None:
            raise InvalidInput(_("A seal image belongs to a unit."),
                               fields={"owner": [_("Choose a unit.")]})
    elif owner_user is None or owner_unit is not None:
        raise InvalidInput(_("A signature image belongs to a person."),
                           fields={"owner": [_("Choose a person.")]})
    # The same rule as for certificates: a person sets their own signature; a unit's seal (and
    # somebody else's signature) needs core.manage_users on the unit.
    certificate_owner_check(actor, owner_user, owner_unit)


def appearance_image_set(*, actor, kind: str, png: bytes, owner_user=None, owner_unit=None,
                         width_mm: float | None = None, height_mm: float | None = None
                         ) -> AppearanceImage:
    """Store ``png`` as the active ``kind`` image ("signature" of ``owner_user`` or "seal" of
    ``owner_unit``); the previous active image of that owner and kind becomes inactive."""
    if kind not in AppearanceKind.values:
        raise InvalidInput(_("Unknown image kind."), fields={"kind": [_("Unknown image kind.")]})
    if kind == AppearanceKind.SIGNATURE and owner_user is None and owner_unit is None:
        owner_user = actor
    _owner_check(actor, kind, owner_user, owner_unit)
    image = _open_png(bytes(png) if png is not None else b"")
    w_mm, h_mm = _size_mm(kind, image, width_mm, height_mm)
    owner = {"owner_user": owner_user} if owner_user is not None else {"owner_unit": owner_unit}
    with transaction.atomic():
        previous = list(AppearanceImage.objects.select_for_update()
                        .filter(**owner, kind=kind, is_active=True).values_list("pk", flat=True))
        AppearanceImage.objects.filter(pk__in=previous).update(is_active=False)
        row = AppearanceImage.objects.create(
            **owner, kind=kind, image_png=bytes(png), width_mm=w_mm, height_mm=h_mm,
            is_active=True, uploaded_by=actor if getattr(actor, "pk", None) else None)
        audit_log(actor=actor, action="signing.appearance_image.set", obj=row,
                  details={"kind": kind, "owner_user": getattr(owner_user, "pk", None),
                           "owner_unit": getattr(owner_unit, "pk", None),
                           "width_mm": w_mm, "height_mm": h_mm, "pixels": list(image.size),
                           "replaced": previous})
    return row


# ---------------------------------------------------------------- where the signatures go

@dataclass(frozen=True)
class TextLine:
    """A line of text on a page, in PDF points with the origin at the bottom left."""

    words: tuple[tuple[str, float, float, float, float], ...]   # (text, x1, y1, x2, y2)

    @property
    def text(self) -> str:
        return " ".join(w[0] for w in self.words)

    @property
    def box(self) -> tuple[float, float, float, float]:
        return (min(w[1] for w in self.words), min(w[2] for w in self.words),
                max(w[3] for w in self.words), max(w[4] for w in self.words))


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def page_lines(pdf: bytes, page_no: int) -> tuple[float, float, list[TextLine]]:
    """(width, height, lines) of page ``page_no`` (1-based) by poppler's ``pdftotext
    -bbox-layout``; ([0, 0, []] when the text cannot be read, e.g. a scanned page)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as tmp:
        tmp.write(pdf)
        tmp.flush()
        try:
            res = subprocess.run(["pdftotext", "-q", "-bbox-layout", "-f", str(page_no), "-l",
                                  str(page_no), tmp.name, "-"], capture_output=True,
                                 timeout=30, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return 0.0, 0.0, []
    if res.returncode != 0:
        return 0.0, 0.0, []
    try:
        root = ElementTree.fromstring(res.stdout)
    except ElementTree.ParseError:
        return 0.0, 0.0, []
    page = next((e for e in root.iter() if e.tag.endswith("}page") or e.tag == "page"), None)
    if page is None:
        return 0.0, 0.0, []
    width, height = float(page.get("width", 0)), float(page.get("height", 0))
    lines = []
    for line in page.iter():
        if not line.tag.endswith("line"):
            continue
        words = tuple(
            (w.text or "", float(w.get("xMin")), height - float(w.get("yMax")),
             float(w.get("xMax")), height - float(w.get("yMin")))
            for w in line if w.tag.endswith("word") and (w.text or "").strip())
        if words:
            lines.append(TextLine(words))
    return width, height, lines


def _visual_lines(lines: list[TextLine]) -> list[TextLine]:
    """Words regrouped by baseline (poppler splits "Số:" and "/QĐ-UBND" into two lines when
    non-breaking spaces stand between them), each sorted left to right."""
    rows: list[list] = []
    for word in sorted((w for line in lines for w in line.words), key=lambda w: -w[2]):
        for row in rows:
            if abs(row[0][2] - word[2]) < 2.5:
                row.append(word)
                break
        else:
            rows.append([word])
    return [TextLine(tuple(sorted(row, key=lambda w: w[1]))) for row in rows]


def _runs(line: TextLine, gap: float = 45.0) -> list[TextLine]:
    """The line split where words are more than ``gap`` points apart (two table columns that
    poppler reads as one line: "Số: …" on the left, the date line on the right)."""
    runs, current = [], [line.words[0]]
    for word in line.words[1:]:
        if word[1] - current[-1][3] > gap:
            runs.append(TextLine(tuple(current)))
            current = []
        current.append(word)
    runs.append(TextLine(tuple(current)))
    return runs


LEADER_WIDTH = 200.0
LEADER_MIN_HEIGHT, LEADER_MAX_HEIGHT = 45.0, 100.0


def leader_box_from_lines(width: float, lines: list[TextLine], name: str
                          ) -> tuple[float, float, float, float] | None:
    """The box of the leader's signature (ô 7c, NĐ 30/2020 Phụ lục I §II.7): in the gap between
    the title line (7a) and the name (7b), centred on the name; None when the name is not on
    the page. The last occurrence wins (the signature block closes the document)."""
    wanted = _norm(name)
    if not wanted:
        return None
    lines = _visual_lines(lines)
    candidates = [run for line in lines for run in _runs(line) if wanted in _norm(run.text)]
    if not candidates:
        return None
    name_run = min(candidates, key=lambda r: r.box[1])       # the lowest on the page
    nx1, ny1, nx2, ny2 = name_run.box
    centre = (nx1 + nx2) / 2
    above = [run for line in lines for run in _runs(line)
             if run.box[1] > ny2 and run.box[0] < nx2 + 40 and run.box[2] > nx1 - 40]
    bottom = ny2 + 1
    top = min((r.box[1] for r in above), default=bottom + 80) - 1
    if top - bottom < LEADER_MIN_HEIGHT:
        middle = (top + bottom) / 2
        bottom, top = middle - LEADER_MIN_HEIGHT / 2, middle + LEADER_MIN_HEIGHT / 2
    elif top - bottom > LEADER_MAX_HEIGHT:
        bottom, top = bottom, bottom + LEADER_MAX_HEIGHT
    x1 = max(10.0, min(centre - LEADER_WIDTH / 2, (width or 595) - 10 - LEADER_WIDTH))
    return (round(x1, 2), round(bottom, 2), round(x1 + LEADER_WIDTH, 2), round(top, 2))


def mm_to_pt(mm: float) -> float:
    return mm * 72 / 25.4


def seal_box(leader_box, width_mm: float, height_mm: float, *, span=None
             ) -> tuple[float, float, float, float]:
    """The seal at real size (``width_mm`` × ``height_mm``) overlapping about the left third of
    the leader's signature: its right edge at 1/3 of the signature image (``span``, its x1 and
    x2, when known; else of the leader box), vertically centred on the box (NĐ 30/2020 Điều
    33.1 and Phụ lục I §II.8: "trùm lên khoảng 1/3 chữ ký về phía bên trái")."""
    x1, y1, x2, y2 = leader_box
    w, h = mm_to_pt(width_mm), mm_to_pt(height_mm)
    left, right_end = span if span is not None else (x1, x2)
    right = left + (right_end - left) / 3
    middle = (y1 + y2) / 2
    return (round(right - w, 2), round(middle - h / 2, 2), round(right, 2),
            round(middle + h / 2, 2))


def number_date_boxes(lines: list[TextLine], page_height: float = 842.0
                      ) -> dict[str, tuple[float, float, float, float]]:
    """Boxes over the "Số: …" run (ô 3) and the "…, ngày … tháng … năm …" run (ô 4) of page 1,
    the keys "code" and "date" for those found. Only the upper part of the page counts (the
    header, PL I §I), so that no line of the body is ever covered by a filled field."""
    found: dict[str, tuple[float, float, float, float]] = {}
    for line in _visual_lines(lines):
        for run in _runs(line):
            if run.box[1] < page_height * 0.6:
                continue
            words = [_norm(w[0]) for w in run.words]
            is_number = bool(words) and (words[0].startswith("số:") or (
                words[0] == "số" and len(words) > 1 and words[1].startswith(":")))
            if "code" not in found and is_number:
                found["code"] = run.box
            if "date" not in found and {"ngày", "tháng", "năm"} <= set(words):
                found["date"] = run.box
    return {k: (round(b[0] - 2, 2), round(b[1] - 2, 2), round(b[2] + 2, 2), round(b[3] + 2, 2))
            for k, b in found.items()}


def top_right_box(page_width: float, page_height: float, *, lines: int, width: float = 240.0,
                  font_size: float = 10.0) -> tuple[float, float, float, float]:
    """A box for ``lines`` lines of text in the top right corner of a page (ô 14; PL I §II.8.b),
    right of x = 300 (the verification QR code sits top left)."""
    height = lines * font_size * 1.25 + 6
    x2 = page_width - 20
    x1 = max(305.0, x2 - width)
    y2 = page_height - 8
    return (round(x1, 2), round(y2 - height, 2), round(x2, 2), round(y2, 2))
