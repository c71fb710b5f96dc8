"""Pages of the registers (under /documents/registers/): the registers with filters and export
buttons, the handling report, and the export jobs with their progress (htmx polling every 2 s,
a plain refresh link without JavaScript)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from egov.core.errors import AppError, InvalidInput, NotFound, PermissionDenied
from egov.core.files import file_open
from egov.core.forms import EgovForm, apply_app_error

from ..models import DocumentType, Urgency
from ..selectors import registers as reg
from ..selectors.reports import BUCKETS, handling_report
from ..services.exports import export_request

PAGE_SIZE = 50
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]

KIND_CHOICES = [
    (reg.INCOMING, gettext_lazy("Incoming register")),
    (reg.OUTGOING, gettext_lazy("Outgoing register")),
    (reg.TRACKING, gettext_lazy("Incoming handling log")),
]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(format="%Y-%m-%d")


class RegisterForm(EgovForm):
    kind = forms.ChoiceField(label=pgettext_lazy("noun", "Register"), choices=KIND_CHOICES,
                             required=False)
    agency = forms.TypedChoiceField(label=gettext_lazy("Agency"), coerce=int, required=False)
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=1900, max_value=9999,
                              required=False)
    register_id = forms.TypedChoiceField(label=gettext_lazy("Book"), coerce=int,
                                         required=False, empty_value=None)
    date_from = forms.DateField(label=gettext_lazy("From"), required=False,
                                input_formats=DATE_FORMATS, widget=DateInput())
    date_to = forms.DateField(label=gettext_lazy("To"), required=False,
                              input_formats=DATE_FORMATS, widget=DateInput())
    type_code = forms.ChoiceField(label=gettext_lazy("Document type"), required=False)
    urgency = forms.ChoiceField(label=gettext_lazy("Urgency"), required=False)
    number_from = forms.IntegerField(label=gettext_lazy("From number"), min_value=1,
                                     max_value=2**31 - 1, required=False)
    number_to = forms.IntegerField(label=gettext_lazy("To number"), min_value=1,
                                   max_value=2**31 - 1, required=False)

    def __init__(self, data, *, agencies, registers, types):
        super().__init__(data)
        self.fields["agency"].choices = [(a.pk, a.name) for a in agencies]
        self.fields["register_id"].choices = [("", _("All books"))] + [
            (r.pk, r.name) for r in registers]
        self.fields["type_code"].choices = [("", _("All types"))] + [
            (t.code, t.name) for t in types]
        self.fields["urgency"].choices = [("", _("All"))] + list(Urgency.choices)


def _cursor(request) -> str | None:
    return (request.GET.get("cursor") or "").strip() or None


def _require_any_reports(user) -> list:
    agencies = reg.reportable_agencies(user)
    if not agencies:
        raise DjangoPermissionDenied
    return agencies


def _pick_agency(agencies, raw):
    """The agency asked for (403 if the user may not read its registers), else the first."""
    if raw in (None, ""):
        return agencies[0]
    try:
        wanted = int(raw)
    except (TypeError, ValueError):
        return agencies[0]
    for a in agencies:
        if a.pk == wanted:
            return a
    raise DjangoPermissionDenied


@login_required
@require_http_methods(["GET", "HEAD"])
def registers(request):
    agencies = _require_any_reports(request.user)
    agency = _pick_agency(agencies, request.GET.get("agency"))
    kind = request.GET.get("kind") if request.GET.get("kind") in reg.REGISTER_KINDS \
        else reg.INCOMING
    direction = "outgoing" if kind == reg.OUTGOING else "incoming"
    books = reg.registers_of(agency, direction)
    types = list(DocumentType.objects.order_by("ordering", "name"))
    data = request.GET.copy()
    data.setdefault("kind", kind)
    data.setdefault("agency", str(agency.pk))
    data.setdefault("year", str(timezone.localdate().year))
    form = RegisterForm(data, agencies=agencies, registers=books, types=types)
    page, filters, year = None, None, timezone.localdate().year
    cursor = _cursor(request)
    if form.is_valid():
        year = form.cleaned_data["year"] or year
        try:
            filters = reg.parse_filters({k: form.cleaned_data.get(k) for k in reg.FILTER_KEYS})
            page = reg.register_rows(kind, actor=request.user, agency=agency, year=year,
                                     filters=filters, cursor=cursor, limit=PAGE_SIZE)
        except PermissionDenied:
            raise DjangoPermissionDenied from None
        except InvalidInput as err:
            if err.code == "bad_cursor":
                messages.warning(request, err.message)
                query = request.GET.copy()
                query.pop("cursor", None)
                return redirect(f"{reverse('documents:registers')}?{query.urlencode()}")
            apply_app_error(form, err)
            page = None
    query = request.GET.copy()
    query.pop("cursor", None)
    export_params = {"agency_id": agency.pk, "year": year,
                     **(filters.as_params() if filters else {})}
    response = render(request, "documents/registers/index.html", {
        "form": form, "page": page, "rows": page.items if page else [],
        "columns": reg.COLUMNS[kind], "kind": kind, "kind_label": dict(KIND_CHOICES)[kind],
        "agency": agency, "year": year, "cursor": cursor, "filter_query": query.urlencode(),
        "export_params": export_params, "exports": reg.recent_exports(actor=request.user,
                                                                      limit=5),
        "exportable": page is not None,
    })
    patch_vary_headers(response, ("HX-Request",))
    return response


class ReportForm(EgovForm):
    agency = forms.TypedChoiceField(label=gettext_lazy("Agency"), coerce=int)
    start = forms.DateField(label=gettext_lazy("From"), input_formats=DATE_FORMATS,
                            widget=DateInput())
    end = forms.DateField(label=gettext_lazy("To"), input_formats=DATE_FORMATS,
                          widget=DateInput())

    def __init__(self, data, *, agencies):
        super().__init__(data)
        self.fields["agency"].choices = [(a.pk, a.name) for a in agencies]


@login_required
@require_http_methods(["GET", "HEAD"])
def report(request):
    agencies = _require_any_reports(request.user)
    today = timezone.localdate()
    _pick_agency(agencies, request.GET.get("agency"))  # 403 for an agency not the user's
    data = request.GET.copy()
    data.setdefault("agency", str(agencies[0].pk))
    data.setdefault("start", today.replace(month=1, day=1).isoformat())
    data.setdefault("end", today.isoformat())
    form = ReportForm(data, agencies=agencies)
    result = None
    if form.is_valid():
        agency = _pick_agency(agencies, form.cleaned_data["agency"])
        try:
            result = handling_report(actor=request.user, agency=agency,
                                     start=form.cleaned_data["start"],
                                     end=form.cleaned_data["end"])
        except PermissionDenied:
            raise DjangoPermissionDenied from None
        except InvalidInput as err:
            apply_app_error(form, err)
    params = {}
    if result is not None:
        params = {"agency_id": result.agency.pk, "start": result.start.isoformat(),
                  "end": result.end.isoformat()}
    return render(request, "documents/registers/report.html", {
        "form": form, "report": result, "buckets": BUCKETS, "export_params": params,
    })


def _safe_back(request, fallback: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


@login_required
@require_POST
def export_create(request):
    kind = request.POST.get("kind", "")
    fmt = request.POST.get("format", "")
    keys = set(reg.FILTER_KEYS) | {"agency_id", "year", "start", "end", "case_file_id"}
    params = {k: request.POST.get(k) for k in keys if request.POST.get(k) not in (None, "")}
    try:
        job = export_request(actor=request.user, kind=kind, format=fmt, params=params)
    except PermissionDenied:
        raise DjangoPermissionDenied from None
    except AppError as err:
        messages.error(request, err.message)
        return redirect(_safe_back(request, reverse("documents:registers")))
    messages.success(request, _("The export has started. You can leave this page; you will "
                                "be notified when the file is ready."))
    return redirect("documents:export_detail", pk=job.pk)


@login_required
@require_http_methods(["GET", "HEAD"])
def export_detail(request, pk: int):
    try:
        job = reg.export_job_get(actor=request.user, job_id=pk)
    except NotFound:
        raise Http404 from None
    context = {"job": job, "running": job.state in ("queued", "running"),
               "kind_label": EXPORT_LABELS.get(job.kind, job.kind),
               "format": job.params.get("format", "")}
    if getattr(request, "htmx", False):
        response = render(request, "documents/registers/_export_status.html", context)
    else:
        response = render(request, "documents/registers/export.html", context)
    patch_vary_headers(response, ("HX-Request",))
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "HEAD"])
def export_download(request, pk: int):
    try:
        job = reg.export_job_get(actor=request.user, job_id=pk)
    except NotFound:
        raise Http404 from None
    if job.state != "done" or job.result is None:
        raise Http404
    stored = job.result
    return FileResponse(file_open(stored), as_attachment=True, filename=stored.original_name,
                        content_type=stored.content_type)


EXPORT_LABELS = {
    **dict(KIND_CHOICES),
    "handling_report": gettext_lazy("Handling report"),
    "case_file": gettext_lazy("Case file"),
}

urlpatterns = [
    path("", registers, name="registers"),
    path("report/", report, name="handling_report"),
    path("exports/new/", export_create, name="export_create"),
    path("exports/<int:pk>/", export_detail, name="export_detail"),
    path("exports/<int:pk>/file", export_download, name="export_download"),
]
