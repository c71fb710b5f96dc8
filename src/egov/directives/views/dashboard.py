"""The dashboards under /directives/dashboard/: the leader's (directives the agency gave, by lead
unit and bucket, a server-rendered SVG chart, the overdue list) and the unit's (directives the
unit received, as lead and as support, by bucket). Every count is a link to the list behind it:
this module's list (`directives:dashboard_list?role=&bucket=&unit=&agency=`), which shows
exactly the rows `selectors.dashboard.count_qs` counts (see `list_url`)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from egov.core.errors import AppError, InvalidInput, PermissionDenied
from egov.core.pagination import keyset_page

from ..models import Bucket
from ..selectors import dashboard as sel

BUCKET_COLOURS = {"done_on_time": "#2e7d32", "done_late": "#8d6e00",
                  "open_on_time": "#2e6da4", "open_late": "#b42318"}
TABLE_ROWS = 100
CHART_ROWS = 15
BAR_HEIGHT, GAP, LABEL_W, CHART_W = 22, 10, 200, 420


def list_url(**params) -> str:
    """The list behind a count (None values left out). Always this module's list: the
    directives list of i12-core/i12-pages counts other things (`role=given` there is "given
    by me", sub-directives and every agency included), so its rows would not be the count's."""
    base = reverse("directives:dashboard_list")
    return base + "?" + urlencode({k: v for k, v in params.items() if v is not None})


def _int(value: str | None, name: str) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    if not value.isdigit() or len(value) > 12:
        raise InvalidInput(_("Choose an item from the list."),
                           fields={name: [_("Choose an item from the list.")]})
    return int(value)


def error_page(request, exc: AppError):
    if isinstance(exc, PermissionDenied):
        return render(request, "directives/reports/error.html",
                      {"message": _("You may not see the directive reports of this unit.")},
                      status=403)
    return render(request, "directives/reports/error.html", {"message": exc.message},
                  status=exc.status)


def buckets_labels() -> list[tuple[str, str]]:
    return [(b.value, str(b.label)) for b in Bucket]


def leader_chart(dash: sel.LeaderDashboard) -> dict:
    """Horizontal stacked bars (one segment per bucket) of the units with the most overdue."""
    rows = dash.rows[:CHART_ROWS]
    top = max([r.total for r in rows] + [1])
    bars = []
    for i, r in enumerate(rows):
        y = i * (BAR_HEIGHT + GAP)
        x = LABEL_W
        segments = []
        for b in sel.BUCKETS:
            n = r.counts[b]
            w = round(CHART_W * n / top)
            if w:
                segments.append({"x": x, "w": w, "n": n, "fill": BUCKET_COLOURS[b],
                                 "label": str(Bucket(b).label),
                                 "url": list_url(role="given", agency=dash.agency.pk,
                                                 unit=r.unit_id, bucket=b)})
            x += w
        bars.append({"row": r, "y": y, "ty": y + BAR_HEIGHT - 6, "segments": segments,
                     "x_text": x + 6,
                     "url": list_url(role="given", agency=dash.agency.pk, unit=r.unit_id)})
    return {"bars": bars, "height": max(len(rows), 1) * (BAR_HEIGHT + GAP),
            "width": LABEL_W + CHART_W + 60, "label_x": LABEL_W - 8,
            "legend": [(str(Bucket(b).label), b) for b in sel.BUCKETS]}


@login_required
@require_http_methods(["GET", "HEAD"])
def leader_page(request):
    try:
        agency = sel.agency_for(request.user, _int(request.GET.get("agency"), "agency"))
        dash = sel.leader_dashboard(actor=request.user, agency=agency,
                                    after=request.GET.get("after") or None)
    except AppError as exc:
        return error_page(request, exc)
    a = agency.pk
    labels = dict(buckets_labels())
    table = [{"row": r, "cells": [(r.counts[b], list_url(role="given", agency=a, unit=r.unit_id,
                                                         bucket=b), labels[b])
                                  for b in sel.BUCKETS],
              "url": list_url(role="given", agency=a, unit=r.unit_id)}
             for r in dash.rows[:TABLE_ROWS]]
    totals = [(dash.totals[b], list_url(role="given", agency=a, bucket=b), labels[b])
              for b in sel.BUCKETS]
    return render(request, "directives/dashboard/leader.html", {
        "dash": dash, "agency": agency, "agencies": sel.report_agencies(request.user),
        "buckets": buckets_labels(), "table": table, "totals": totals,
        "all_url": list_url(role="given", agency=a), "more_units": len(dash.rows) > TABLE_ROWS,
        "chart": leader_chart(dash),
        "overdue": [(d, sel.days_late(d, dash.today)) for d in dash.overdue],
        "overdue_url": list_url(role="given", agency=a, bucket=Bucket.OPEN_LATE.value),
    })


@login_required
@require_http_methods(["GET", "HEAD"])
def unit_page(request):
    try:
        unit = sel.unit_for(request.user, _int(request.GET.get("unit"), "unit"))
        dash = sel.unit_dashboard(actor=request.user, unit=unit,
                                  after=request.GET.get("after") or None)
    except AppError as exc:
        return error_page(request, exc)
    roles = []
    labels = dict(buckets_labels())
    for role, label in (("lead", _("As lead (chủ trì)")), ("support", _("As support (phối hợp)"))):
        counts = dash.by_role[role]
        roles.append({"role": role, "label": label,
                      "cells": [(counts[b], list_url(role=role, unit=unit.pk, bucket=b),
                                 labels[b]) for b in sel.BUCKETS],
                      "total": (sum(counts.values()), list_url(role=role, unit=unit.pk))})
    return render(request, "directives/dashboard/unit.html", {
        "dash": dash, "unit": unit, "units": sel.report_units(request.user),
        "buckets": buckets_labels(), "roles": roles,
        "overdue": [(d, sel.days_late(d, dash.today)) for d in dash.overdue],
        "overdue_url": list_url(role="lead", unit=unit.pk, bucket=Bucket.OPEN_LATE.value),
    })


@login_required
@require_http_methods(["GET", "HEAD"])
def counted_list(request):
    """The list behind a count (until the directives list page takes these parameters)."""
    g = request.GET
    try:
        role = (g.get("role") or "given").strip()
        bucket = (g.get("bucket") or "").strip() or None
        unit_id, agency_id = _int(g.get("unit"), "unit"), _int(g.get("agency"), "agency")
        if role == "given":
            agency = sel.agency_for(request.user, agency_id)
            agency_id = agency.pk
            if unit_id is not None and not sel.may_report_agency(request.user, agency):
                raise PermissionDenied()
        else:
            unit = sel.unit_for(request.user, unit_id)
            unit_id = unit.pk
        today = timezone.localdate()
        qs = (sel.count_qs(role=role, bucket=bucket, unit_id=unit_id, agency_id=agency_id,
                           today=today).select_related("lead_unit", "lead_user"))
        page = keyset_page(qs, order=("-id",), cursor=g.get("after") or None, limit=50)
    except AppError as exc:
        return error_page(request, exc)
    from .. import buckets

    rows = [(d, buckets.directive_bucket(d, today)) for d in page.items]
    labels = dict(buckets_labels())
    nxt = None
    if page.next:
        nxt = list_url(role=role, bucket=bucket, unit=unit_id,
                       agency=agency_id if role == "given" else None, after=page.next)
    return render(request, "directives/dashboard/list.html", {
        "rows": [(d, labels.get(b, "")) for d, b in rows], "next_url": nxt,
        "bucket_label": labels.get(bucket or "", ""), "role": role})
