"""The leader's dashboard of incoming documents under /documents/dashboard/ (issue 9 §5):
handling on time and late per unit with a server-drawn chart and the same numbers in a table,
the overdue lead assignments; each count links to the incoming list filtered to its items."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from egov.core.errors import InvalidInput, PermissionDenied
from egov.core.forms import EgovForm, apply_app_error

from .. import dashboard as chart
from ..selectors import dashboard as sel
from ..selectors.reports import BUCKETS


class DashboardForm(EgovForm):
    agency = forms.TypedChoiceField(label=gettext_lazy("Agency"), coerce=int)
    start = forms.DateField(label=gettext_lazy("From"),
                            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    end = forms.DateField(label=gettext_lazy("To"),
                          widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, data, *, agencies):
        super().__init__(data)
        self.fields["agency"].choices = [(a.pk, a.name) for a in agencies]


@login_required
@require_http_methods(["GET", "HEAD"])
def dashboard(request):
    agencies = sel.dashboard_agencies(request.user)
    if not agencies:
        raise DjangoPermissionDenied
    wanted = request.GET.get("agency")
    if wanted and wanted not in {str(a.pk) for a in agencies}:
        raise DjangoPermissionDenied
    start, end = sel.default_period()
    data = request.GET.copy()
    data.setdefault("agency", str(agencies[0].pk))
    data.setdefault("start", start.isoformat())
    data.setdefault("end", end.isoformat())
    form = DashboardForm(data, agencies=agencies)
    board = None
    if form.is_valid():
        agency = next(a for a in agencies if a.pk == form.cleaned_data["agency"])
        try:
            board = sel.dashboard(actor=request.user, agency=agency,
                                  start=form.cleaned_data["start"], end=form.cleaned_data["end"])
        except PermissionDenied:
            raise DjangoPermissionDenied from None
        except InvalidInput as err:
            apply_app_error(form, err)
    context = {"form": form, "board": board, "buckets": BUCKETS,
               "labels": chart.bucket_labels()}
    if board is not None:
        context["bars"] = chart.bars(board.report, board.max_total)
        links = chart.count_links(board.report)
        context["rows"] = [
            {"row": row, "cells": [(b, getattr(row, b), links.get((row.unit_id, b)))
                                   for b in BUCKETS]}
            for row in board.report.rows]
        context["total_cells"] = [(b, getattr(board.report.totals, b), links.get(("total", b)))
                                  for b in BUCKETS]
        context["overdue_url"] = links.get(("total", "open_late"))
    return render(request, "documents/dashboard/dashboard.html", context)


urlpatterns = [
    path("", dashboard, name="dashboard"),
]
