"""Free space on a PDF page (issue 9 §1: "nothing is ever stamped over text").

Rectangles are in PDF points (x1, y1, x2, y2) with the origin at the bottom left, as the word
boxes of :func:`egov.signing.appearance.page_lines`. :func:`collisions` says which words a box
would cover; :func:`find_free` searches a place for a box of a given size where it covers no
word and stays inside the page.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

Rect = tuple[float, float, float, float]

TOLERANCE = 1.0   # points; glyph boxes include the font's ascent/descent


def overlap(a: Rect, b: Rect) -> tuple[float, float]:
    """(width, height) of the intersection of ``a`` and ``b`` (0 when apart)."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return max(0.0, w), max(0.0, h)


def intersects(a: Rect, b: Rect, tolerance: float = TOLERANCE) -> bool:
    w, h = overlap(a, b)
    return w > tolerance and h > tolerance


def inside(inner: Rect, outer: Rect, slack: float = 0.5) -> bool:
    return (inner[0] >= outer[0] - slack and inner[1] >= outer[1] - slack
            and inner[2] <= outer[2] + slack and inner[3] <= outer[3] + slack)


def collisions(box: Rect, words: Iterable[tuple], *, allow: Sequence[Rect] = (),
               covered_ok: bool = False, tolerance: float = TOLERANCE) -> list[str]:
    """The texts of the ``words`` ((text, x1, y1, x2, y2)) that ``box`` would cover.

    ``allow``: words inside one of these rectangles do not count (e.g. the signer's own title
    and name under the seal); ``covered_ok``: words entirely inside ``box`` do not count (the
    white box of "Số: …" replaces exactly the printed placeholder it covers)."""
    hits = []
    for word in words:
        rect = tuple(word[1:5])
        if not intersects(box, rect, tolerance):
            continue
        if covered_ok and inside(rect, box):
            continue
        if any(inside(rect, a) for a in allow):
            continue
        hits.append(word[0])
    return hits


def find_free(width: float, height: float, *, page: Rect, obstacles: Sequence[Rect],
              preferred: Sequence[tuple[float, float]] = (), bands: Sequence[tuple[float, float]]
              = (), margin: float = 8.0, step: float = 4.0) -> Rect | None:
    """A ``width`` × ``height`` rectangle on ``page`` that meets none of ``obstacles``: first
    one of the ``preferred`` top-left corners (x, y_top), then a scan of each band (y_top_max,
    y_bottom_min) from its top, left to right; None when there is no room."""
    px1, py1, px2, py2 = page

    def ok(rect: Rect) -> bool:
        if rect[0] < px1 + margin - 0.01 or rect[2] > px2 - margin + 0.01:
            return False
        if rect[1] < py1 + 2 or rect[3] > py2 - 2:
            return False
        return not any(intersects(rect, o, 0.0) for o in obstacles)

    for x, top in preferred:
        rect = (x, top - height, x + width, top)
        if ok(rect):
            return rect
    for band_top, band_bottom in bands:
        top = band_top
        while top - height >= band_bottom - 0.01:
            x = px1 + margin
            while x + width <= px2 - margin + 0.01:
                rect = (x, top - height, x + width, top)
                if ok(rect):
                    return tuple(round(v, 2) for v in rect)
                x += step
            top -= step
    return None
