"""The periodic report pages under /directives/reports/: the report form and page (the four
buckets and the overdue list of a unit or an agency over a period; semantics in
selectors/reports.py), its XLSX and PDF, "send upward" (freezes it as a snapshot), and the
snapshots sent — list, detail, XLSX, PDF — rendered from their frozen data only."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from egov.core.errors import AppError, NotFound
from egov.core.models import OrgUnit

from .. import reports_export as export
from ..api.reports import parse_params
from ..selectors import dashboard as dsel
from ..selectors import reports as sel
from ..services import snapshots
from .dashboard import buckets_labels, error_page

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def period_from(request, data=None) -> sel.Period:
    g = data if data is not None else request.GET
    args = parse_params({k: g.get(k) for k in ("from", "to", "unit", "agency")})
    return sel.period_for(actor=request.user, **args)


def _query(period: sel.Period) -> str:
    q = {"from": period.start.isoformat(), "to": period.end.isoformat()}
    if period.unit is not None:
        q["unit"] = period.unit.pk
    else:
        q["agency"] = period.agency.pk
    return urlencode(q)


def unit_choices(actor) -> list[tuple[str, str]]:
    """(value, label) for the form: each agency (its directives given), then units."""
    out = [("a" + str(a.pk), _("%(name)s — directives it gave") % {"name": a.name})
           for a in dsel.report_agencies(actor)]
    units = {u.pk: u for u in dsel.report_units(actor)}
    agency_ids = [a.pk for a in dsel.report_agencies(actor)]
    for u in OrgUnit.objects.filter(parent_id__in=agency_ids).order_by("name")[:200]:
        units.setdefault(u.pk, u)
    out += [(str(u.pk), u.name) for u in sorted(units.values(), key=lambda u: u.name)]
    return out


def _file(body: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _rows(data: dict) -> list[tuple[str, str, int]]:
    return [(key, label, data.get(key, 0)) for key, label in buckets_labels()]


@login_required
@require_http_methods(["GET", "HEAD"])
def report_page(request):
    g = request.GET.copy()
    who = g.get("who", "")
    if who.startswith("a"):
        g["agency"], g["unit"] = who[1:], ""
    elif who:
        g["unit"] = who
    try:
        period = period_from(request, g)
    except AppError as exc:
        return error_page(request, exc)
    report = sel.periodic_report(period)
    data = report.as_json()
    selected = str(period.unit.pk) if period.unit else f"a{period.agency.pk}"
    return render(request, "directives/reports/report.html", {
        "period": period, "report": report, "data": data, "rows": _rows(data),
        "choices": unit_choices(request.user), "selected": selected,
        "query": _query(period), "title": snapshots.report_title(period),
    })


@login_required
@require_http_methods(["GET", "HEAD"])
def report_file(request, fmt: str):
    if fmt not in ("xlsx", "pdf"):
        raise Http404
    try:
        period = period_from(request)
    except AppError as exc:
        return error_page(request, exc)
    data = sel.periodic_report(period).as_json()
    title = snapshots.report_title(period)
    name = f"bao-cao-nhiem-vu-{period.start:%Y%m%d}-{period.end:%Y%m%d}.{fmt}"
    if fmt == "xlsx":
        return _file(export.report_xlsx(data, title), XLSX, name)
    return _file(export.report_pdf(data, title), "application/pdf", name)


@login_required
@require_POST
def report_send(request):
    try:
        period = period_from(request, request.POST)
        snap = snapshots.snapshot_send(actor=request.user, period=period)
    except AppError as exc:
        return error_page(request, exc)
    return redirect("directives:snapshot", pk=snap.pk)


@login_required
@require_http_methods(["GET", "HEAD"])
def snapshot_list(request):
    try:
        page = snapshots.snapshot_list(actor=request.user, after=request.GET.get("after") or None)
    except AppError as exc:
        return error_page(request, exc)
    return render(request, "directives/reports/snapshots.html", {
        "snapshots": page.items,
        "next_url": "?" + urlencode({"after": page.next}) if page.next else None})


def _snapshot(request, pk: int):
    try:
        return snapshots.snapshot_get(actor=request.user, pk=pk)
    except NotFound:
        return None


@login_required
@require_http_methods(["GET", "HEAD"])
def snapshot_detail(request, pk: int):
    snap = _snapshot(request, pk)
    if snap is None:
        return render(request, "directives/reports/error.html",
                      {"message": _("This report does not exist or you may not see it.")},
                      status=404)
    return render(request, "directives/reports/snapshot.html", {
        "snap": snap, "data": snap.data, "rows": _rows(snap.data),
        "overdue": snap.data.get("overdue") or []})


@login_required
@require_http_methods(["GET", "HEAD"])
def snapshot_file(request, pk: int, fmt: str):
    if fmt not in ("xlsx", "pdf"):
        raise Http404
    snap = _snapshot(request, pk)
    if snap is None:
        return render(request, "directives/reports/error.html",
                      {"message": _("This report does not exist or you may not see it.")},
                      status=404)
    name = f"bao-cao-nhiem-vu-{snap.pk}.{fmt}"
    if fmt == "xlsx":
        return _file(export.report_xlsx(snap.data, snap.title), XLSX, name)
    return _file(export.report_pdf(snap.data, snap.title), "application/pdf", name)
