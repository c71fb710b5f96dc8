"""The layout check of an outgoing document's PDF (issue 9 §1; NĐ 30/2020 Điều 8 and Phụ lục I).

Run at the văn thư's format review, again before the leader signs and before the clerk issues
(:func:`require`). It reads the text of the PDF with its positions (poppler, the locator of
:mod:`egov.signing.appearance` that the stamping uses) and finds:

- the printed "Số: …" line (ô 3) and the place-and-date line "…, ngày … tháng … năm …" (ô 4)
  in the upper part of page 1 — the issue stage writes the number and the date over them;
- the signer block on the last page (ô 7a–7c): the capacity (KT./TM./TL./Q./TUQ. when one was
  chosen, Phụ lục I §II.7.a) or title line, a space for the signature, then the signer's name;
- where the stamps would go (:func:`egov.signing.stamping.signature_boxes`: white boxes of the
  number and date, the signature image, the seal) and that none of them covers text of the
  page ("nothing is ever stamped over text"); the seal may cover the signer's own title and
  name as the paper seal does (Điều 33.1: "trùm lên khoảng 1/3 chữ ký về phía bên trái");
- a free place on page 1 for the verification mark (QR code and its caption): its usual place
  at the top left, else the first free rectangle in the top band, else in the bottom margin
  (:func:`egov.signing.free_space.find_free`); none → the check fails.

Electronic copies (sao y, sao lục, trích sao) have their own layout (Phụ lục I Phần II) and
are not checked.
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from egov.core.errors import AppError
from egov.signing import appearance, free_space, stamping
from egov.signing import verification_codes as marks
from egov.signing.selectors import appearance_image_for

# The problems, by code (the API lists them in ``fields["layout"]``).
NUMBER = "number"
DATE = "date"
SIGNER = "signer"
PLACEMENT = "placement"
MARK = "mark"
UNREADABLE = "unreadable"

SIGNATURE_SPACE = appearance.LEADER_MIN_HEIGHT + 2   # the leader box keeps 1 pt from each line
TITLE_REACH = 160.0   # points above the name where the capacity/title lines are looked for


@dataclass
class Report:
    """What the check found: ``problems`` [(code, message)], the boxes of the stamps and the
    place of the verification mark (``mark_at``: its top-left corner, for
    :func:`egov.signing.stamping.prepare_fields`)."""

    problems: list[tuple[str, str]] = field(default_factory=list)
    boxes: dict = field(default_factory=dict)
    mark_at: tuple[float, float] | None = None
    mark_box: tuple | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def missing(self) -> list[str]:
        return [code for code, _msg in self.problems]

    @property
    def messages(self) -> list[str]:
        return [msg for _code, msg in self.problems]

    def add(self, code: str, message: str) -> None:
        self.problems.append((code, message))


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text or "").casefold().split())


def page_count(data: bytes) -> int:
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        return int(PdfFileReader(io.BytesIO(data), strict=False).root["/Pages"]["/Count"])
    except Exception:  # noqa: BLE001 — an unreadable PDF is reported, never a 500
        return 0


def _words(lines) -> list[tuple]:
    return [w for line in lines for w in line.words]


def applies(document) -> bool:
    return not (document.doc_type_id and document.doc_type.is_copy)


def _signer_block(report: Report, document, lines, *, signed: bool = False) -> tuple | None:
    """Check ô 7a–7c on the last page; return the rectangle of the block's text (the seal may
    cover it) or None. ``signed``: the leader's signature already fills the space (its caption
    is text of the page now), so the space is not measured."""
    signer = document.signer
    name = (signer.get_full_name() or signer.get_username()) if signer is not None else ""
    visual = appearance._visual_lines(lines)
    runs = [run for line in visual for run in appearance._runs(line)]
    wanted = _norm(name)
    named = [r for r in runs if wanted and wanted in _norm(r.text)]
    if not named:
        report.add(SIGNER, _("The signer block is missing: the signer's name “%(name)s” is not "
                             "printed on the last page (NĐ 30/2020 Phụ lục I, ô 7b).")
                   % {"name": name or "-"})
        return None
    name_run = min(named, key=lambda r: r.box[1])
    nx1, ny1, nx2, ny2 = name_run.box
    above = sorted((r for r in runs if r.box[1] > ny2 and r.box[1] - ny2 < TITLE_REACH
                    and r.box[0] < nx2 + 40 and r.box[2] > nx1 - 40), key=lambda r: r.box[1])
    if not above:
        report.add(SIGNER, _("The signer block has no capacity or title line above the "
                             "signer's name (ô 7a)."))
        return None
    capacity = document.signer_capacity or ""
    if capacity:
        # NĐ 30/2020 Phụ lục I §II.7.a: "KT.", "TM.", "TL.", "TUQ.", "Q." before the title.
        prefix = _norm(capacity) + "."
        if not any(_norm(r.text).startswith(prefix) for r in above):
            report.add(SIGNER, _("The signer block does not begin with “%(capacity)s” although "
                                 "that capacity was chosen (ô 7a).")
                       % {"capacity": f"{capacity}."})
    if signed:
        above = [r for r in above if _norm(r.text) not in ("", wanted)]
        above = above[-1:] or above
    gap = above[0].box[1] - ny2 if above else 0.0
    if not signed and gap < SIGNATURE_SPACE:
        report.add(SIGNER, _("There is no space for the signature between the title and the "
                             "signer's name (ô 7c)."))
    block = [name_run.box, *(r.box for r in above)]
    return (min(b[0] for b in block) - 2, min(b[1] for b in block) - 2,
            max(b[2] for b in block) + 2, max(b[3] for b in block) + 2)


def _place(report: Report, boxes: dict, what: str, label: str, words, **kwargs) -> None:
    box = boxes.get(what)
    if box is None:
        return
    hits = free_space.collisions(box, words, **kwargs)
    if hits:
        report.add(PLACEMENT, _("The %(what)s would be stamped over the text “%(text)s”.")
                   % {"what": label, "text": " ".join(hits)[:80]})


def _mark_place(report: Report, width: float, height: float, words, boxes: dict) -> None:
    page = (0.0, 0.0, width or 595.0, height or 842.0)
    obstacles = [tuple(w[1:5]) for w in words]
    obstacles += [b for k, b in boxes.items() if k in ("code", "date")]
    usual = marks.mark_box(page)
    found = free_space.find_free(
        marks.MARK_WIDTH, marks.MARK_HEIGHT, page=page, obstacles=obstacles,
        preferred=[(usual[0], usual[3])],
        bands=[(page[3] - marks.MARK_TOP_GAP, page[3] * 0.7), (page[1] + 60, page[1] + 4)])
    if found is None:
        report.add(MARK, _("There is no free space on page 1 for the verification mark (the QR "
                           "code and its caption)."))
        return
    report.mark_box = found
    report.mark_at = None if found == usual else (found[0], found[3])


def inspect(data: bytes, *, document, stage: str = "sign") -> Report:
    """Check ``data`` (the PDF) of ``document``. ``stage`` "review" or "sign": the draft before
    the leader's signature (parts, and where every stamp would go); "issue": the PDF the clerk
    issues — parts, and for a PDF prepared at signing the number, date and seal fields it
    already has."""
    report = Report()
    pages = page_count(data)
    width, height, first = appearance.page_lines(data, 1) if pages else (0.0, 0.0, [])
    if not first:
        report.add(UNREADABLE, _("The text of the PDF cannot be read (a scanned page?), so its "
                                 "layout cannot be checked. Upload the PDF made from the "
                                 "draft."))
        return report
    found = appearance.number_date_boxes(first, height or 842.0)
    if "code" not in found:
        report.add(NUMBER, _("The “Số: …” line (number and notation, ô 3) is not printed at the "
                             "top of page 1."))
    if "date" not in found:
        report.add(DATE, _("The place-and-date line (“…, ngày … tháng … năm …”, ô 4) is not "
                           "printed at the top of page 1."))
    last = appearance.page_lines(data, pages)[2] if pages > 1 else first
    signed = stage == "issue" and _has_fields(data)
    block = _signer_block(report, document, last, signed=signed)
    if not report.ok:
        return report

    first_words, last_words = _words(first), _words(last)
    if signed:
        boxes = _field_boxes(data)
    else:
        signer = document.signer
        boxes = stamping.signature_boxes(
            data, signer_name=(signer.get_full_name() or signer.get_username()),
            seal=appearance_image_for(unit=document.agency, kind="seal"),
            signature=appearance_image_for(user=signer, kind="signature"), pages=pages)
    report.boxes = boxes
    _place(report, boxes, "code", _("number field"), first_words, covered_ok=True,
           tolerance=2.5)
    _place(report, boxes, "date", _("date field"), first_words, covered_ok=True,
           tolerance=2.5)
    if stage != "issue":
        _place(report, boxes, "leader", _("signature"), last_words)
        _mark_place(report, width, height, first_words, boxes)
    _place(report, boxes, "org", _("seal"), last_words,
           allow=[block] if block is not None else [])
    return report


def _has_fields(data: bytes) -> bool:
    return bool(_field_boxes(data))


def _field_boxes(data: bytes) -> dict:
    """The boxes of the fields a PDF prepared at signing carries (code, date, org)."""
    try:
        writer = stamping.open_pdf(data)
        if "/AcroForm" not in writer.root:
            return {}
        names = {"code": stamping.FIELD_CODE, "date": stamping.FIELD_DATE,
                 "org": stamping.FIELD_ORG}
        out = {k: stamping.field_rect(writer, v) for k, v in names.items()}
    except Exception:  # noqa: BLE001 — a broken form is treated as no form
        return {}
    return {k: v for k, v in out.items() if v is not None}


def refusal(report: Report) -> AppError:
    """The 409 ``layout`` error naming what is missing or misplaced."""
    return AppError(
        "layout",
        _("The PDF does not follow the layout of NĐ 30/2020 (Phụ lục I): %(problems)s")
        % {"problems": " ".join(report.messages)},
        fields={"layout": report.messages}, status=409)


def require(data: bytes, *, document, stage: str) -> Report:
    """:func:`inspect` and raise :func:`refusal` when anything is wrong (a copy is not
    checked)."""
    if not applies(document):
        return Report()
    report = inspect(data, document=document, stage=stage)
    if not report.ok:
        raise refusal(report)
    return report


def check_stored(stored, *, document, stage: str) -> Report:
    """:func:`inspect` for a StoredFile (no refusal), for the review page."""
    from egov.core import files

    if not applies(document) or stored is None:
        return Report()
    with files.file_open(stored) as fh:
        return inspect(fh.read(), document=document, stage=stage)


def require_stored(stored, *, document, stage: str) -> Report:
    from egov.core import files

    if not applies(document) or stored is None:
        return Report()
    with files.file_open(stored) as fh:
        return require(fh.read(), document=document, stage=stage)
