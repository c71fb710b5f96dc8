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
from egov.core.forms import apply_app_error
from egov.core.pending_uploads import KeptFile

from ..forms import INTAKE_FIELD_ALIASES, IntakeForm, ListFilterForm, ProcedureSearchForm
from ..services import records
from . import support as access

PAGE_SIZE = 50


# --- the list -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD"])
def dossier_list(request):
    if not access.may_use_desk(request.user):
        raise DjangoPermissionDenied
    tabs = access.tabs()
    keys = {t["key"] for t in tabs}
    tab = request.GET.get("tab") or access.default_tab(request.user)
    if tab not in keys:
        tab = access.default_tab(request.user)
    form = ListFilterForm(request.GET or None, procedures=access.procedure_choices(request.user))
    filters = {}
    if form.is_bound and form.is_valid():
        filters = {k: v for k, v in form.cleaned_data.items() if v}
    cursor = (request.GET.get("cursor") or "").strip() or None
    try:
        page = access.dossier_page(actor=request.user, tab=tab, filters=filters, cursor=cursor,
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
        "can_receive": bool(access.receive_agencies(request.user)),
    })


# --- intake at the counter ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD"])
def intake_pick(request):
    """Step 1: the procedure, found by its code or words of its name (links; no JavaScript)."""
    if not access.receive_agencies(request.user):
        raise DjangoPermissionDenied
    form = ProcedureSearchForm(request.GET or None)
    q = form.cleaned_data.get("q", "") if form.is_bound and form.is_valid() else ""
    return render(request, "onestop/desk/pick.html", {
        "form": form, "procedures": access.procedure_search(q), "tabs": access.tabs(),
        "tab": "new", "can_receive": True,
    })


def _component_payload(form, components, uploads) -> list[dict]:
    return [{"code": c.code, "component": c, "provided": bool(form.cleaned_data.get(f"comp_{c.pk}")),
             "file": uploads.get(c.pk)} for c in components]


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def intake(request, code: str):
    """Step 2: the applicant, the components (each with its scan) and the decision. A file
    chosen survives the form's errors (core.pending_uploads); bad input changes nothing."""
    agencies = access.receive_agencies(request.user)
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
        uploads = {}
        if form.is_valid():
            uploads = {c.pk: kept[c.pk].upload(form.cleaned_data.get(f"file_{c.pk}"))
                       for c in components}
            refuse = request.POST.get("decision") == "refuse"
            try:
                result = access.intake_submit(
                    actor=request.user, agency=agency, procedure=procedure, refuse=refuse,
                    applicant=form.applicant(), representative=form.representative(),
                    components=_component_payload(form, components, uploads),
                    channel=form.cleaned_data["channel"],
                    result_delivery=form.cleaned_data["result_delivery"],
                    request_content=form.cleaned_data.get("request_content") or "",
                    copies=form.cleaned_data.get("copies") or 1,
                    reason=form.cleaned_data.get("refusal_reason") or "")
            except AppError as err:
                _apply_intake_error(form, err, components)
                bad_files = _files_named(err, components)
                for c in components:
                    if c.pk in bad_files:
                        kept[c.pk].drop()
                    else:
                        kept[c.pk].keep(uploads.get(c.pk))
            else:
                for k in kept.values():
                    k.done()
                return redirect(result)
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
        "tabs": access.tabs(), "tab": "new", "can_receive": True,
    }, status=status)


def _apply_intake_error(form, err: AppError, components) -> None:
    fields = {}
    by_code = {c.code: c for c in components}
    for name, msgs in (err.fields or {}).items():
        target = INTAKE_FIELD_ALIASES.get(name, name)
        if name.startswith("components.") or name.startswith("file:"):
            code = name.split(".", 1)[-1].split(":", 1)[-1].split(".")[0]
            c = by_code.get(code)
            target = f"file_{c.pk}" if c and name.endswith("file") or (
                c and name.startswith("file:")) else (f"comp_{c.pk}" if c else None)
        if target and target in form.fields:
            fields.setdefault(target, []).extend(msgs)
        else:
            fields.setdefault("__all__", []).extend(msgs)
    if not fields:
        form.add_error(None, err.message)
        return
    for name, msgs in fields.items():
        for msg in msgs:
            form.add_error(None if name == "__all__" else name, msg)


def _files_named(err: AppError, components) -> set[int]:
    """The components whose file the service refused (dropped, not kept)."""
    by_code = {c.code: c.pk for c in components}
    out = set()
    for name in (err.fields or {}):
        if name.startswith("file:"):
            code = name.split(":", 1)[1]
        elif name.startswith("components.") and name.endswith(".file"):
            code = name.split(".")[1]
        else:
            continue
        if code in by_code:
            out.add(by_code[code])
    return out
