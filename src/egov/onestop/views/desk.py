"""The one-stop desk's pages under /onestop/desk/: the list of dossiers by state (tabs, filters,
keyset "Xem tiếp") and the intake at the counter (choose the procedure, then the applicant, the
components with their scans, "Tiếp nhận" or "Từ chối"). Thin: parse, call one service or
selector, render. Every page works without JavaScript."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from egov.core.errors import AppError, InvalidInput
from egov.core.pending_uploads import KeptFile

from ..forms import INTAKE_FIELD_ALIASES, IntakeForm, ListFilterForm, ProcedureSearchForm
from ..services import intake as intake_svc
from ..services import records
from . import support

PAGE_SIZE = 50


# --- the list -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD"])
def dossier_list(request):
    if not support.may_use_desk(request.user):
        raise DjangoPermissionDenied
    tabs = support.tabs()
    keys = {t["key"] for t in tabs}
    tab = request.GET.get("tab") or support.default_tab(request.user)
    if tab not in keys:
        tab = support.default_tab(request.user)
    form = ListFilterForm(request.GET or None, procedures=support.procedure_choices(request.user))
    filters = {}
    if form.is_bound and form.is_valid():
        filters = {k: v for k, v in form.cleaned_data.items() if v}
    cursor = (request.GET.get("cursor") or "").strip() or None
    if request.GET.get("bucket"):
        return _bucket_list(request, tabs, tab, form, cursor)
    try:
        page = support.dossier_page(actor=request.user, tab=tab, filters=filters, cursor=cursor,
                                   limit=PAGE_SIZE)
    except InvalidInput as err:
        if err.code != "bad_cursor":
            raise
        messages.warning(request, err.message)
        query = request.GET.copy()
        query.pop("cursor", None)
        return redirect(reverse("onestop:desk") + "?" + query.urlencode())
    query = request.GET.copy()
    query.pop("cursor", None)
    query["tab"] = tab
    return render(request, "onestop/desk/list.html", {
        "tabs": tabs, "tab": tab, "tab_label": dict((t["key"], t["label"]) for t in tabs)[tab],
        "form": form, "page": page, "dossiers": page.items, "cursor": cursor,
        "filter_query": query.urlencode(), "filter_query_user": bool(filters),
        "can_receive": bool(support.receive_agencies(request.user)),
    })


def _bucket_list(request, tabs, tab, form, cursor):
    """The list behind a count of the statistics page (selectors.stats.list_url)."""
    try:
        page = support.bucket_page(actor=request.user, params=request.GET, cursor=cursor,
                                   limit=PAGE_SIZE)
    except AppError as err:
        if err.status == 403:
            raise DjangoPermissionDenied from err
        messages.warning(request, err.message)
        return redirect(reverse("onestop:desk"))
    query = request.GET.copy()
    query.pop("cursor", None)
    return render(request, "onestop/desk/list.html", {
        "tabs": tabs, "tab": "", "tab_label": _("Dossiers behind the statistics"),
        "form": form, "page": page, "dossiers": page.items, "cursor": cursor,
        "filter_query": query.urlencode(), "filter_query_user": True,
        "can_receive": bool(support.receive_agencies(request.user)),
    })


# --- intake at the counter ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD"])
def intake_pick(request):
    """Step 1: the procedure, found by its code or words of its name (links; no JavaScript)."""
    if not support.receive_agencies(request.user):
        raise DjangoPermissionDenied
    form = ProcedureSearchForm(request.GET or None)
    q = form.cleaned_data.get("q", "") if form.is_bound and form.is_valid() else ""
    return render(request, "onestop/desk/pick.html", {
        "form": form, "procedures": support.procedure_search(q), "tabs": support.tabs(),
        "tab": "new", "can_receive": True,
    })


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def intake(request, code: str):
    """Step 2: the applicant, the components (each with its scan) and the decision. A file
    chosen survives the form's errors (core.pending_uploads); bad input changes nothing."""
    agencies = support.receive_agencies(request.user)
    if not agencies:
        raise DjangoPermissionDenied
    try:
        procedure = records.procedure_by_code(code)
        version = records.version_in_force(procedure, timezone.localdate())
    except InvalidInput:
        raise Http404 from None
    components = list(version.components.all())
    agency = agencies[0]
    if request.method == "POST" and len(agencies) > 1:
        wanted = request.POST.get("agency") or ""
        agency = next((a for a in agencies if str(a.pk) == wanted), agencies[0])
    kept = {c.pk: KeptFile(request, f"file_{c.pk}") for c in components}
    status = 200
    if request.method == "POST":
        form = IntakeForm(request.POST, request.FILES, components=components)
        if form.is_valid():
            uploads = {c.pk: kept[c.pk].upload(form.cleaned_data.get(f"file_{c.pk}"))
                       for c in components}
            refuse = request.POST.get("decision") == "refuse"
            d = form.cleaned_data
            try:
                if refuse and not d.get("refusal_reason"):
                    raise InvalidInput(_("Check the highlighted fields."), fields={
                        "refusal_reason": [_("Give the reason for the refusal.")]})
                result = intake_svc.dossier_intake(
                    actor=request.user, agency=agency, procedure_code=procedure.code,
                    applicant=form.applicant(), representative=form.representative() or None,
                    components=[{"code": c.code, "provided": bool(d.get(f"comp_{c.pk}"))}
                                for c in components],
                    channel=d["channel"], request_content=d.get("request_content") or "",
                    copies=d.get("copies") or 1, result_delivery=d["result_delivery"],
                    refuse_reason=(d.get("refusal_reason") or "") if refuse else "",
                    files={c.code: uploads[c.pk] for c in components if uploads.get(c.pk)})
            except AppError as err:
                if err.status == 403:
                    raise DjangoPermissionDenied from None
                bad_files = _apply_intake_error(form, err, components)
                for c in components:
                    if c.pk in bad_files:
                        kept[c.pk].drop()
                    else:
                        kept[c.pk].keep(uploads.get(c.pk))
            else:
                for k in kept.values():
                    k.done()
                return redirect(reverse("onestop:dossier", args=[result.dossier.code])
                                + "?new=1")
        else:
            for c in components:
                if f"file_{c.pk}" not in form.errors:
                    kept[c.pk].keep(kept[c.pk].upload(request.FILES.get(f"file_{c.pk}")))
        status = 422
    else:
        form = IntakeForm(components=components)
    kept_files = [{"field": f"file_{pk}", "pending": k.pending, "expired": k.expired}
                  for pk, k in kept.items()]
    return render(request, "onestop/desk/intake.html", {
        "form": form, "procedure": procedure, "version": version, "agency": agency,
        "agency_choices": agencies if len(agencies) > 1 else [], "kept_files": kept_files,
        "tabs": support.tabs(), "tab": "new", "can_receive": True,
    }, status=status)


def _component_of(name: str, by_code: dict):
    """The component a service field name points at: "files.<code>", "components.<code>",
    "file:<code>" or "components.<code>.file"."""
    for sep in (".", ":"):
        head, _sep, rest = name.partition(sep)
        if _sep and head in ("files", "file", "components"):
            code = rest.split(".")[0]
            if code in by_code:
                return by_code[code], head != "components" or rest.endswith(".file")
    return None, False


def _apply_intake_error(form, err: AppError, components) -> set[int]:
    """The service's messages by the fields; returns the components whose file was refused
    (dropped, not kept for the next try)."""
    by_code = {c.code: c for c in components}
    bad_files: set[int] = set()
    placed = False
    for name, msgs in (err.fields or {}).items():
        component, is_file = _component_of(name, by_code)
        if component is not None:
            target = f"file_{component.pk}" if is_file else f"comp_{component.pk}"
            if is_file:
                bad_files.add(component.pk)
        else:
            target = INTAKE_FIELD_ALIASES.get(name, name)
        if target and target in form.fields:
            for msg in msgs:
                form.add_error(target, msg)
            placed = True
    if not placed:
        form.add_error(None, err.message)
    return bad_files
