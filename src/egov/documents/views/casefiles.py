"""Pages of the case files (hồ sơ) under /documents/files/: the year's plan and files with the
due-for-transfer warning; a file with its documents in order, adding a document by its số, ký
hiệu, closing, transfer and export."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from egov.core.errors import AppError, InvalidInput, NotFound, PermissionDenied
from egov.core.forms import EgovForm, apply_app_error

from ..models import CaseFileState, IncomingDocument, OutgoingDocument
from ..selectors import casefiles as sel
from ..selectors.registers import recent_exports
from ..services import casefiles as svc

PAGE_SIZE = 50
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(format="%Y-%m-%d")


class ListFilterForm(EgovForm):
    agency = forms.TypedChoiceField(label=gettext_lazy("Agency"), coerce=int, required=False)
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=1900, max_value=9999,
                              required=False)

    def __init__(self, data, *, agencies):
        super().__init__(data)
        self.fields["agency"].choices = [(a.pk, a.name) for a in agencies]


class PlanForm(EgovForm):
    title = forms.CharField(label=gettext_lazy("Title of the plan"), max_length=255)
    approved_by = forms.CharField(label=gettext_lazy("Approved by"), max_length=200,
                                  required=False)
    approved_on = forms.DateField(label=gettext_lazy("Approved on"), required=False,
                                  input_formats=DATE_FORMATS, widget=DateInput())


class CaseFileForm(EgovForm):
    notation = forms.CharField(label=gettext_lazy("Number and notation"), max_length=20,
                               help_text=gettext_lazy("For example 01.TCCB"))
    title = forms.CharField(label=gettext_lazy("Title"), max_length=500)
    heading = forms.CharField(label=gettext_lazy("Heading"), max_length=255, required=False)
    retention_years = forms.IntegerField(
        label=gettext_lazy("Retention (years)"), min_value=1, max_value=999, required=False,
        help_text=gettext_lazy("Leave empty for permanent."))
    rights = forms.CharField(label=gettext_lazy("Access regime"), max_length=30,
                             required=False)
    is_construction = forms.BooleanField(label=gettext_lazy("Construction project file"),
                                         required=False)
    in_plan = forms.BooleanField(label=gettext_lazy("Part of the year's plan"), required=False,
                                 initial=True)


class CloseForm(EgovForm):
    end_date = forms.DateField(label=gettext_lazy("End date"), input_formats=DATE_FORMATS,
                               widget=DateInput())


def _agencies(request) -> list:
    agencies = sel.manageable_agencies(request.user)
    if not agencies:
        raise DjangoPermissionDenied
    return agencies


def _pick(agencies, raw):
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


def _list_context(request, agencies, agency, year, *, plan_form=None, file_form=None):
    cursor = (request.GET.get("cursor") or "").strip() or None
    try:
        page = sel.casefile_list(actor=request.user, agency=agency, year=year, cursor=cursor,
                                 limit=PAGE_SIZE)
    except InvalidInput:
        messages.warning(request, _("The page cursor is not valid. Start again from the first "
                                    "page."))
        cursor = None
        page = sel.casefile_list(actor=request.user, agency=agency, year=year, limit=PAGE_SIZE)
    plans = sel.casefile_plans(actor=request.user, agency=agency)
    plan = next((p for p in plans if p.year == year), None)
    today = timezone.localdate()
    due = list(sel.casefiles_due_for_transfer(actor=request.user, today=today)
               .filter(agency=agency)[:20])
    return {
        "agencies": agencies, "agency": agency, "year": year, "plan": plan, "page": page,
        "files": [(cf, sel.transfer_warning(cf, today)) for cf in page.items],
        "cursor": cursor, "due": due,
        "may_manage_agency": sel.may_manage_agency(request.user, agency),
        "filter_form": ListFilterForm({"agency": agency.pk, "year": year}, agencies=agencies),
        "plan_form": plan_form or PlanForm(prefix="plan", initial={
            "title": _("Case file plan %(year)s") % {"year": year}}),
        "file_form": file_form or CaseFileForm(prefix="file"),
    }


def _year(raw) -> int:
    try:
        year = int(raw)
    except (TypeError, ValueError):
        return timezone.localdate().year
    return year if 1900 <= year <= 9999 else timezone.localdate().year


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def casefile_list(request):
    agencies = _agencies(request)
    source = request.POST if request.method == "POST" else request.GET
    agency = _pick(agencies, source.get("agency"))
    year = _year(source.get("year"))
    plan_form = file_form = None
    status = 200
    if request.method == "POST":
        op = request.POST.get("op")
        if op == "plan":
            plan_form = PlanForm(request.POST, prefix="plan")
            if plan_form.is_valid():
                try:
                    svc.casefile_plan_create(actor=request.user, agency=agency, year=year,
                                             **plan_form.cleaned_data)
                except PermissionDenied:
                    raise DjangoPermissionDenied from None
                except AppError as err:
                    apply_app_error(plan_form, err)
                else:
                    messages.success(request, _("The plan is created."))
                    return redirect(f"{reverse('documents:casefile_list')}?agency={agency.pk}"
                                    f"&year={year}")
        elif op == "file":
            file_form = CaseFileForm(request.POST, prefix="file")
            if file_form.is_valid():
                data = dict(file_form.cleaned_data)
                in_plan = data.pop("in_plan")
                plan = next((p for p in sel.casefile_plans(actor=request.user, agency=agency)
                             if p.year == year), None) if in_plan else None
                if in_plan and plan is None:
                    file_form.add_error("in_plan", _("There is no plan for this year yet."))
                else:
                    try:
                        cf = svc.casefile_create(actor=request.user, agency=agency, plan=plan,
                                                 year=year, **data)
                    except PermissionDenied:
                        raise DjangoPermissionDenied from None
                    except AppError as err:
                        apply_app_error(file_form, err)
                    else:
                        messages.success(request, _("The case file is created."))
                        return redirect("documents:casefile_detail", pk=cf.pk)
        status = 422
    context = _list_context(request, agencies, agency, year, plan_form=plan_form,
                            file_form=file_form)
    return render(request, "documents/casefiles/list.html", context, status=status)


def _get(request, pk):
    try:
        return sel.casefile_get(actor=request.user, case_file_id=pk)
    except NotFound:
        raise Http404 from None


@login_required
@require_http_methods(["GET", "HEAD"])
def casefile_detail(request, pk: int):
    cf = _get(request, pk)
    code = (request.GET.get("code") or "").strip()
    matches = (sel.document_lookup(actor=request.user, code=code, agency=cf.agency)
               if code else None)
    return render(request, "documents/casefiles/detail.html", {
        "cf": cf, "items": sel.casefile_items(case_file=cf), "code": code, "matches": matches,
        "warning": sel.transfer_warning(cf), "may_manage": sel.may_manage_file(request.user, cf),
        "close_form": CloseForm(initial={"end_date": timezone.localdate()}),
        "exports": [j for j in recent_exports(actor=request.user, limit=20)
                    if j.kind == "case_file" and j.params.get("case_file_id") == cf.pk][:3],
        "states": CaseFileState,
    })


def _act(request, pk, action):
    """Run one service call for a POST on a file page; errors become messages."""
    cf = _get(request, pk)
    try:
        done = action(cf)
    except PermissionDenied:
        raise DjangoPermissionDenied from None
    except NotFound:
        raise Http404 from None
    except AppError as err:
        messages.error(request, err.message)
    else:
        if done:
            messages.success(request, done)
    return redirect("documents:casefile_detail", pk=cf.pk)


@login_required
@require_POST
def casefile_add(request, pk: int):
    def action(cf):
        kind, _sep, raw = (request.POST.get("document") or "").partition(":")
        model = {"incoming": IncomingDocument, "outgoing": OutgoingDocument}.get(kind)
        try:
            doc = model.objects.filter(pk=int(raw)).first() if model else None
        except ValueError:
            doc = None
        if doc is None:
            raise NotFound()
        svc.casefile_add_document(actor=request.user, case_file=cf,
                                  **{kind: doc})
        return _("The document is added to the file.")

    return _act(request, pk, action)


@login_required
@require_POST
def casefile_remove(request, pk: int):
    def action(cf):
        try:
            item_id = int(request.POST.get("item", ""))
        except ValueError:
            raise NotFound() from None
        svc.casefile_remove_document(actor=request.user, case_file=cf, item_id=item_id)
        return _("The document is removed from the file.")

    return _act(request, pk, action)


@login_required
@require_POST
def casefile_open(request, pk: int):
    return _act(request, pk, lambda cf: svc.casefile_open(actor=request.user, case_file=cf)
                and _("The file is open."))


@login_required
@require_POST
def casefile_close(request, pk: int):
    def action(cf):
        form = CloseForm(request.POST)
        if not form.is_valid():
            raise InvalidInput(_("Enter the end date."))
        svc.casefile_close(actor=request.user, case_file=cf,
                           end_date=form.cleaned_data["end_date"])
        return _("The file is closed.")

    return _act(request, pk, action)


@login_required
@require_POST
def casefile_transfer(request, pk: int):
    return _act(request, pk, lambda cf: svc.casefile_transfer(actor=request.user, case_file=cf)
                and _("The file is recorded as transferred to the archive."))


urlpatterns = [
    path("", casefile_list, name="casefile_list"),
    path("<int:pk>/", casefile_detail, name="casefile_detail"),
    path("<int:pk>/add/", casefile_add, name="casefile_add"),
    path("<int:pk>/remove/", casefile_remove, name="casefile_remove"),
    path("<int:pk>/open/", casefile_open, name="casefile_open"),
    path("<int:pk>/close/", casefile_close, name="casefile_close"),
    path("<int:pk>/transfer/", casefile_transfer, name="casefile_transfer"),
]
