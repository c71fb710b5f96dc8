"""The dashboard's bar chart, drawn on the server as SVG (no JavaScript library, CSP-safe: the
colours come from classes in documents.css, no style attribute). One stacked bar per unit, the
four handling buckets side by side in a 100-unit-wide viewBox; each bar carries an aria-label
with its numbers, and the page shows the same numbers in a table next to it."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from .selectors.reports import BUCKETS


def bucket_labels() -> dict[str, str]:
    return {"done_on_time": _("Done on time"), "done_late": _("Done late"),
            "open_on_time": _("Open, in time"), "open_late": _("Open, overdue")}


@dataclass
class Segment:
    bucket: str
    label: str
    count: int
    x: float
    width: float
    url: str | None


@dataclass
class Bar:
    unit_id: int | None
    unit_name: str
    total: int
    segments: list[Segment]
    aria_label: str
    scale: float  # the bar's length, share of the longest bar (0–100)


def list_url(*, agency_id: int, bucket: str, unit_id: int | None, start, end) -> str:
    """The incoming list filtered to the items of one count (selectors.dashboard)."""
    params = {"agency": agency_id, "handling": bucket, "period_from": start.isoformat(),
              "period_to": end.isoformat()}
    if unit_id is not None:
        params["unit"] = unit_id
    return reverse("documents:incoming_list") + "?" + urlencode(params)


def bars(report, max_total: int) -> list[Bar]:
    labels = bucket_labels()
    out = []
    for row in report.rows:
        x = 0.0
        segments = []
        scale = 100.0 * row.total / max_total if max_total else 0.0
        for bucket in BUCKETS:
            count = getattr(row, bucket)
            width = (scale * count / row.total) if row.total else 0.0
            url = (list_url(agency_id=report.agency.pk, bucket=bucket, unit_id=row.unit_id,
                            start=report.start, end=report.end)
                   if count and row.unit_id is not None else None)
            segments.append(Segment(bucket, labels[bucket], count, round(x, 3),
                                    round(width, 3), url))
            x += width
        aria = f"{row.unit_name}: " + "; ".join(
            f"{labels[b]} {getattr(row, b)}" for b in BUCKETS)
        out.append(Bar(row.unit_id, row.unit_name, row.total, segments, aria, round(scale, 3)))
    return out


def count_links(report) -> dict:
    """{(unit id or "total", bucket): url} for the table's counts."""
    links = {}
    for row in [*report.rows, report.totals]:
        key = row.unit_id if row is not report.totals else None
        if row is not report.totals and row.unit_id is None:
            continue
        for bucket in BUCKETS:
            if getattr(row, bucket):
                links[(key if key is not None else "total", bucket)] = list_url(
                    agency_id=report.agency.pk, bucket=bucket, unit_id=key,
                    start=report.start, end=report.end)
    return links
