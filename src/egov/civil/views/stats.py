"""The civil-status statistics page /civil/statistics/ (url name civil:statistics): the filter
(a period by dates, or a year with its quarter or month; a commune among those the user reads;
a kind of event), the table commune × kind, a server-drawn SVG bar chart of the events per
month with the same figures as a table (its text alternative), and the same figures as XLSX
(?format=xlsx, Vietnamese headings). Permission: civil.read (selectors/stats.py)."""

from __future__ import annotations

import io

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from egov.core import policy
from egov.core.errors import InvalidInput, PermissionDenied
from egov.core.forms import EgovForm, apply_app_error

from ..models import EventKind
from ..selectors import stats as sel

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHART_W, CHART_H, CHART_TOP, CHART_BOTTOM, CHART_LEFT = 720, 240, 16, 40, 44


class StatsForm(EgovForm):
    def __init__(self, data, *, communes):
        super().__init__(data)
        date = {"required": False,
                "widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        self.fields["date_from"] = forms.DateField(label=gettext_lazy("From"), **date)
        self.fields["date_to"] = forms.DateField(label=gettext_lazy("To"), **date)
        self.fields["year"] = forms.IntegerField(label=gettext_lazy("Year"), required=False,
                                                 min_value=sel.YEAR_MIN, max_value=sel.YEAR_MAX)
        self.fields["quarter"] = forms.TypedChoiceField(
            label=gettext_lazy("Quarter"), required=False, coerce=int, empty_value=None,
            choices=[("", "—")] + [(str(q), str(q)) for q in range(1, 5)])
        self.fields["month"] = forms.TypedChoiceField(
            label=gettext_lazy("Month"), required=False, coerce=int, empty_value=None,
            choices=[("", "—")] + [(str(m), str(m)) for m in range(1, 13)])
        self.fields["commune_id"] = forms.TypedChoiceField(
            label=gettext_lazy("Commune or ward"), required=False, coerce=int, empty_value=None,
            choices=[("", _("All communes"))] + [(str(u.pk), u.name) for u in communes])
        self.fields["kind"] = forms.ChoiceField(
            label=gettext_lazy("Kind of event"), required=False,
            choices=[("", _("All kinds"))] + list(EventKind.choices))


def chart(report) -> dict:
    """Geometry of the bar chart: one bar per month of the period (events registered)."""
    months = report.months
    biggest = max([m["events"] for m in months] + [0])
    inner_w = CHART_W - CHART_LEFT - 8
    inner_h = CHART_H - CHART_TOP - CHART_BOTTOM
    step = inner_w / max(len(months), 1)
    width = max(step * 0.7, 1.0)
    every = max(1, len(months) // 12)  # at most ~12 month labels under the axis
    bars = []
    for i, m in enumerate(months):
        h = inner_h * m["events"] / biggest if biggest else 0.0
        x = CHART_LEFT + i * step + (step - width) / 2
        bars.append({"x": round(x, 2), "y": round(CHART_TOP + inner_h - h, 2),
                     "w": round(width, 2), "h": round(h, 2), "n": m["events"],
                     "label": m["month"].strftime("%m/%Y"),
                     "tx": round(x + width / 2, 2), "show_label": i % every == 0})
    return {"width": CHART_W, "height": CHART_H, "bars": bars, "max": biggest,
            "axis_y": CHART_TOP + inner_h, "left": CHART_LEFT, "top": CHART_TOP,
            "right": CHART_W - 8, "label_y": CHART_TOP + inner_h + 18}


def stats_xlsx(report) -> bytes:
    """The same figures as the page, as a workbook with Vietnamese headings (openpyxl, like the
    other modules' statistics exports): a sheet commune × kind and a sheet per month."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    flt = report.filter
    wb = Workbook()
    ws = wb.active
    ws.title = "Thống kê hộ tịch"
    bold = Font(bold=True)
    with translation.override("vi"):
        kinds = {k: str(label) for k, label in EventKind.choices}
        ws.append(["THỐNG KÊ ĐĂNG KÝ HỘ TỊCH"])
        ws["A1"].font = bold
        ws.append([f"Kỳ: từ ngày {flt.start:%d/%m/%Y} đến ngày {flt.end:%d/%m/%Y}"
                   + (f"; loại việc: {kinds[flt.kind]}" if flt.kind else "")])
        ws.append([])
        ws.append(["STT", "Xã, phường", "Loại việc hộ tịch",
                   *[sel.HEADINGS_VI[c] for c in sel.COUNTS]])
        for cell in ws[ws.max_row]:
            cell.font = bold
        number = 0
        for row in report.rows:
            number += 1
            for k, counts in row.by_kind.items():
                ws.append([number, row.name, kinds[k], *[counts[c] for c in sel.COUNTS]])
        for k, counts in report.by_kind.items():
            ws.append(["", "Tổng cộng", kinds[k], *[counts[c] for c in sel.COUNTS]])
        ws.append(["", "Tổng cộng", "Tất cả", *[report.total[c] for c in sel.COUNTS]])
        for cell in ws[ws.max_row]:
            cell.font = bold
        ws.column_dimensions["B"].width = 36
        ws.column_dimensions["C"].width = 16
        per_month = wb.create_sheet("Theo tháng")
        per_month.append(["Tháng", *[kinds[k] for k, _label in report.kinds], "Tổng số"])
        for cell in per_month[1]:
            cell.font = bold
        for m in report.months:
            per_month.append([m["month"].strftime("%m/%Y"),
                              *[m["by_kind"].get(k, 0) for k, _label in report.kinds],
                              m["events"]])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def table_context(report) -> dict:
    """The page's tables. A commune lists the kinds it registered in the period (a commune
    with none says so in one row), the totals and the month table the kinds registered
    anywhere: a province's 100 communes × every kind of the catalogue were 2,300 rows, nearly
    all of zeros (2.5 s to render). The XLSX keeps every row (stats_xlsx)."""
    labels = sel.count_labels()
    kinds = dict(report.kinds)

    def cells(counts):
        return [(counts[c], labels[c]) for c in sel.COUNTS]

    rows = []
    for row in report.rows:
        registered = [(k, counts) for k, counts in row.by_kind.items() if counts["events"]]
        rows.extend({"name": row.name, "kind": kinds[k], "cells": cells(counts)}
                    for k, counts in registered)
        if not registered:
            rows.append({"name": row.name, "kind": _("No events registered"),
                         "cells": cells(row.total)})
    shown = [(k, label) for k, label in report.kinds if report.by_kind[k]["events"]]
    return {
        "rows": rows,
        "kind_totals": [{"kind": label, "cells": cells(report.by_kind[k])}
                        for k, label in shown],
        "total_cells": cells(report.total),
        "chart": chart(report),
        "month_kinds": shown,
        "month_rows": [{"label": m["month"].strftime("%m/%Y"), "events": m["events"],
                        "cells": [(m["by_kind"].get(k, 0), label) for k, label in shown]}
                       for m in report.months],
    }


@login_required
@require_http_methods(["GET", "HEAD"])
def statistics(request):
    if not policy.can(request.user, sel.READ):
        raise DjangoPermissionDenied
    communes = sel.readable_communes(request.user)
    form = StatsForm(request.GET, communes=communes)
    report = None
    if form.is_valid():
        params = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        try:
            flt = sel.parse_filter(params, today=timezone.localdate())
            report = sel.civil_stats(actor=request.user, flt=flt, communes=communes)
        except PermissionDenied:
            raise DjangoPermissionDenied from None
        except InvalidInput as err:
            apply_app_error(form, err)
    if report is not None and request.GET.get("format") == "xlsx":
        response = HttpResponse(stats_xlsx(report), content_type=XLSX_TYPE)
        flt = report.filter
        response["Content-Disposition"] = (
            f'attachment; filename="thong-ke-ho-tich-{flt.start}-{flt.end}.xlsx"')
        return response
    context = {"form": form, "report": report, "labels": sel.count_labels(),
               "counts": sel.COUNTS}
    if report is not None:
        context.update(table_context(report))
        params = request.GET.copy()
        params["format"] = "xlsx"
        context["xlsx_query"] = params.urlencode()
    # A bad filter answers 400 with the errors by their fields (nothing counted).
    return render(request, "civil/statistics/statistics.html", context,
                  status=400 if form.errors else 200)
