"""The leader's statistics page /onestop/stats/ (url name onestop:stats): filters (period, unit,
procedure, channel, grouping), the table of counts — each count links to the desk's list of the
dossiers behind it (/onestop/desk/?bucket=…, docs/onestop.md) — a server-drawn SVG chart, the
QĐ 766 indicators with their formulas, and the same figures as XLSX (?format=xlsx)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_http_methods

from egov.core import policy
from egov.core.errors import InvalidInput, PermissionDenied
from egov.core.forms import EgovForm, apply_app_error
from egov.core.models import OrgUnit

from ..models import Channel, Procedure
from ..selectors import stats as sel
from ..selectors.indicators import indicators
from ..stats_export import stats_xlsx

TABLE = ("received", "new", "carried_over", "early", "on_time", "late", "in_time", "overdue",
         "supplemented", "stopped", "withdrawn", "refused")


def visible_units(actor) -> list[OrgUnit]:
    """The units the actor may ask statistics for (their onestop.reports grants)."""
    qs = OrgUnit.objects.all()
    if not actor.is_superuser:
        grants = [g for g in policy.grants_for(actor) if g.action == "onestop.reports"]
        if not grants:
            return []
        if not any(g.scope == "all" for g in grants):
            q = Q(pk__in=[])
            for g in grants:
                if g.scope == "unit":
                    q |= Q(path__startswith=g.unit_path)
                elif g.agency_id:
                    q |= Q(agency_id=g.agency_id) | Q(pk=g.agency_id)
            qs = qs.filter(q)
    return list(qs.order_by("path")[:500])


class StatsForm(EgovForm):
    def __init__(self, data, *, units):
        super().__init__(data)
        date = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        self.fields["from"] = forms.DateField(label=gettext_lazy("From"), **date)
        self.fields["to"] = forms.DateField(label=gettext_lazy("To"), **date)
        self.fields["unit"] = forms.ChoiceField(
            label=gettext_lazy("Unit"), required=False,
            choices=[("", _("All units"))] + [(str(u.pk), u.name) for u in units])
        self.fields["procedure"] = forms.ChoiceField(
            label=pgettext_lazy("stats", "Procedure"), required=False,
            choices=[("", _("All procedures"))] + [
                (str(pk), f"{code} {name}"[:120]) for pk, code, name in
                Procedure.objects.order_by("code").values_list("id", "code", "name")[:500]])
        self.fields["channel"] = forms.ChoiceField(
            label=pgettext_lazy("stats", "Channel"), required=False,
            choices=[("", _("All channels"))] + list(Channel.choices))
        self.fields["group"] = forms.ChoiceField(
            label=pgettext_lazy("stats", "Rows"), choices=[
                ("unit", pgettext_lazy("stats", "Competent unit")), ("agency", pgettext_lazy("stats", "Receiving centre")),
                ("procedure", pgettext_lazy("stats", "Procedure")), ("channel", pgettext_lazy("stats", "Channel"))])


def chart_bars(report) -> list[dict]:
    """One stacked bar per row (the five buckets), widths in a 100-wide viewBox."""
    labels = sel.count_labels()
    biggest = max([r["received"] for r in report.rows] + [0])
    bars = []
    for row in report.rows:
        x, segs = 0.0, []
        for j in sel.JUDGED:
            width = 100.0 * row[j] / biggest if biggest else 0.0
            if row[j]:
                segs.append({"bucket": j, "x": round(x, 3), "width": round(width, 3)})
            x += width
        aria = f"{row.name}: " + "; ".join(f"{labels[j]} {row[j]}" for j in sel.JUDGED)
        bars.append({"name": row.name, "total": row["received"], "segments": segs,
                     "aria": aria})
    return bars


@login_required
@require_http_methods(["GET", "HEAD"])
def stats_page(request):
    units = visible_units(request.user)
    if not units:
        raise DjangoPermissionDenied
    today = timezone.localdate()
    data = request.GET.copy()
    data.setdefault("from", dt.date(today.year, 1, 1).isoformat())
    data.setdefault("to", today.isoformat())
    data.setdefault("group", "unit")
    form = StatsForm(data, units=units)
    report = None
    if form.is_valid():
        try:
            flt = sel.filter_from_params(data)
            report = sel.stats_report(actor=request.user, flt=flt)
        except PermissionDenied:
            raise DjangoPermissionDenied from None
        except InvalidInput as err:
            apply_app_error(form, err)
    if report is not None and request.GET.get("format") == "xlsx":
        response = HttpResponse(
            stats_xlsx(report),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = (
            f'attachment; filename="thong-ke-{report.filter.start}-{report.filter.end}.xlsx"')
        return response
    labels = sel.count_labels()
    context = {"form": form, "report": report, "labels": labels, "table": TABLE}
    if report is not None:
        flt = report.filter
        # (count, link, column label): the label heads the cell when a row is a card (360 px)
        context["rows"] = [
            {"row": row, "cells": [(row[c], sel.list_url(flt, c, row.key) if row[c] else None,
                                    labels[c]) for c in TABLE]} for row in report.rows]
        context["total_cells"] = [(report.totals[c],
                                   sel.list_url(flt, c) if report.totals[c] else None,
                                   labels[c]) for c in TABLE]
        context["bars"] = chart_bars(report)
        context["buckets"] = sel.JUDGED
        context["indicators"] = indicators(report)
        params = data.copy()
        params["format"] = "xlsx"
        context["xlsx_query"] = params.urlencode()
    return render(request, "onestop/stats/stats.html", context)


urlpatterns = [path("stats/", stats_page, name="stats")]
