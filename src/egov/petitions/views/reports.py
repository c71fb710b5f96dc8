"""The reports pages under /petitions/reports/: the periodic report (page and XLSX), the
registers (sổ tiếp công dân Mẫu 03/TCD, sổ theo dõi đơn) as XLSX and PDF, and the leader's
page with the overdue petitions per unit against their legal deadlines (a server-rendered SVG
chart; every number links to the list behind it).

The registers carry names, addresses and ID numbers only when the exporter is the head of the
agency (`selectors.reports.may_read_identities`); such an export is written to the audit trail
(`petition.identity.export`). Everyone else gets the same register with those cells redacted."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from egov.core.audit import audit_log
from egov.core.errors import AppError, InvalidInput, PermissionDenied

from .. import reports_export as export
from ..selectors import reports as sel

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _date(value: str | None, name: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        raise InvalidInput(_("Enter a valid date."), fields={name: [_("Enter a valid date.")]},
                           code="invalid") from None


def _agency_id(value: str | None) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    if not value.isdigit() or len(value) > 12:
        raise InvalidInput(_("Choose an agency from the list."),
                           fields={"agency": [_("Choose an agency from the list.")]})
    return int(value)


def period_from(request) -> sel.Period:
    g = request.GET
    return sel.period_for(actor=request.user, agency_id=_agency_id(g.get("agency")),
                          start=_date(g.get("start"), "start"), end=_date(g.get("end"), "end"))


def _error_page(request, exc: AppError):
    """A refused period: the form again with each message by its field (422), or 403."""
    if isinstance(exc, PermissionDenied):
        return render(request, "petitions/reports/error.html",
                      {"message": _("You may not see petition reports of this agency.")},
                      status=403)
    g = request.GET
    values = {"start": (g.get("start") or "")[:10], "end": (g.get("end") or "")[:10],
              "agency": int(g["agency"]) if (g.get("agency") or "").isdigit()
              and len(g["agency"]) <= 12 else None}
    errors = {k: v for k, v in (exc.fields or {}).items() if k in values}
    return render(request, "petitions/reports/error.html", {
        "message": exc.message, "agencies": sel.report_agencies(request.user),
        "period_values": values, "period_errors": errors,
    }, status=exc.status)


def _values(period: sel.Period) -> dict:
    return {"agency": period.agency.pk, "start": period.start.isoformat(),
            "end": period.end.isoformat()}


def _query(period: sel.Period) -> str:
    return urlencode({"agency": period.agency.pk, "start": period.start.isoformat(),
                      "end": period.end.isoformat()})


@login_required
@require_http_methods(["GET", "HEAD"])
def report_page(request):
    try:
        period = period_from(request)
    except AppError as exc:
        return _error_page(request, exc)
    report = sel.periodic_report(period)
    columns = [(key, label) for key, label in sel.COLUMNS]
    # Each number with its column's label (the cell's data-label: a card per row at 360 px).
    groups = [(key, label, [(row, [(lbl, row.values[c]) for c, lbl in columns])
                            for row in report.groups.get(key, [])])
              for key, label in sel.GROUPS]
    return render(request, "petitions/reports/report.html", {
        "period": period, "report": report, "columns": columns, "groups": groups,
        "totals": [(lbl, report.totals[c]) for c, lbl in columns],
        "agencies": sel.report_agencies(request.user), "query": _query(period),
        "period_values": _values(period),
        "with_identity": sel.may_read_identities(request.user, period.agency),
    })


@login_required
@require_http_methods(["GET", "HEAD"])
def report_xlsx(request):
    try:
        period = period_from(request)
    except AppError as exc:
        return _error_page(request, exc)
    body = export.report_xlsx(sel.periodic_report(period))
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="bao-cao-don-{period.start:%Y%m%d}-{period.end:%Y%m%d}.xlsx"')
    return response


@login_required
@require_http_methods(["GET", "HEAD"])
def register_export(request, register: str, fmt: str):
    if register not in export.REGISTERS or fmt not in ("xlsx", "pdf"):
        raise Http404
    try:
        period = period_from(request)
    except AppError as exc:
        return _error_page(request, exc)
    with_identity = sel.may_read_identities(request.user, period.agency)
    if fmt == "xlsx":
        body = export.register_xlsx(register, period, with_identity=with_identity)
        content_type = XLSX
    else:
        body = export.register_pdf(register, period, with_identity=with_identity)
        content_type = "application/pdf"
    if with_identity:
        # Luật Tố cáo 25/2018 Art.47.2: every disclosure of identities is traceable.
        with transaction.atomic():
            audit_log(actor=request.user, action="petition.identity.export", obj=period.agency,
                      details={"register": register, "format": fmt,
                               "start": period.start.isoformat(),
                               "end": period.end.isoformat()})
    response = HttpResponse(body, content_type=content_type)
    name = {"reception": "so-tiep-cong-dan", "tracking": "so-theo-doi-don"}[register]
    response["Content-Disposition"] = (
        f'attachment; filename="{name}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.{fmt}"')
    return response


# --- the leader's page -------------------------------------------------------------------------

BAR_HEIGHT, GAP, LABEL_W, CHART_W = 22, 10, 220, 420


def chart(loads: list, agency) -> dict:
    """Geometry of the horizontal stacked bars (overdue, in time) drawn by the template."""
    top = max([u.open for u in loads] + [1])
    bars = []
    for i, u in enumerate(loads):
        y = i * (BAR_HEIGHT + GAP)
        w_over = round(CHART_W * u.overdue / top)
        w_in = round(CHART_W * u.in_time / top)
        base = {"agency": u.unit_id} if u.unit_id else {"agency": agency.pk,
                                                         "unassigned": "1"}
        base["open"] = "1"
        bars.append({
            "unit": u, "y": y, "ty": y + BAR_HEIGHT - 6, "x_in": LABEL_W + w_over,
            "w_over": w_over, "w_in": w_in, "x_text": LABEL_W + w_over + w_in + 6,
            "open_url": reverse("petitions:list") + "?" + urlencode(base),
            "overdue_url": reverse("petitions:list") + "?" + urlencode({**base,
                                                                        "overdue": "1"}),
            "soon_url": reverse("petitions:list") + "?" + urlencode({**base,
                                                                     "due_soon": "1"}),
        })
    listing = reverse("petitions:list") + "?"
    return {"bars": bars, "height": max(len(loads), 1) * (BAR_HEIGHT + GAP),
            "all_url": listing + urlencode({"agency": agency.pk, "open": "1"}),
            "all_overdue_url": listing + urlencode({"agency": agency.pk, "overdue": "1"}),
            "all_soon_url": listing + urlencode({"agency": agency.pk, "due_soon": "1"}),
            "width": LABEL_W + CHART_W + 80, "label_w": LABEL_W - 8}


@login_required
@require_http_methods(["GET", "HEAD"])
def leader_page(request):
    try:
        period = period_from(request)
        loads = sel.overdue_by_unit(actor=request.user, agency=period.agency)
    except AppError as exc:
        return _error_page(request, exc)
    return render(request, "petitions/reports/leader.html", {
        "period": period, "loads": loads, "chart": chart(loads, period.agency),
        "agencies": sel.report_agencies(request.user), "query": _query(period),
        "period_values": _values(period),
        "totals": {"open": sum(u.open for u in loads),
                   "overdue": sum(u.overdue for u in loads),
                   "due_soon": sum(u.due_soon for u in loads)},
    })
