"""The dossier page under /onestop/dossiers/<code>/: header (code, procedure, state, national
status, promised time, pauses, supplement requests, apology), components with their scans, the
steps and hand-overs (Mẫu 06 rows), the events, the slips, and the action forms the state and
the user's permissions allow. Each action posts to /onestop/dossiers/<code>/<action>/; a form
error re-renders the page with that form open and its messages by the fields (422), and bad
input changes nothing (the services refuse it in one transaction)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from egov.core.errors import AppError, NotFound
from egov.core.errors import PermissionDenied as AppPermissionDenied
from egov.core.files import file_response
from egov.core.pending_uploads import KeptFile

from ..models import DossierComponent, SlipForm
from . import actions as act
from . import support


def _get(request, code: str):
    """The dossier if the user may see it; 404 otherwise (another agency's dossier is not
    told apart from an unknown code)."""
    try:
        return act.dossier_for(actor=request.user, code=code)
    except (NotFound, AppPermissionDenied):
        raise Http404 from None


def _slips(dossier) -> list[dict]:
    return [{"slip": s, "url": support.slip_url(s)}
            for s in dossier.slips.order_by("-created_at", "-id")]


def _render(request, dossier, *, bound: dict | None = None, status: int = 200, kept=None):
    bound = bound or {}
    support.decorate([dossier])
    slips = _slips(dossier)
    latest = {}
    for s in slips:
        latest.setdefault(s["slip"].form, s)
    # The slip the desk hands over now: Mẫu 01 just after receipt, Mẫu 02 / 03 at intake.
    cta = {}
    if dossier.state == "received" and SlipForm.RECEIPT in latest:
        cta["receipt_slip"] = latest[SlipForm.RECEIPT]
    elif dossier.state == "guidance" and SlipForm.SUPPLEMENT in latest:
        cta["guidance_slip"] = latest[SlipForm.SUPPLEMENT]
    elif dossier.state == "refused" and SlipForm.REFUSAL in latest:
        cta["refusal_slip"] = latest[SlipForm.REFUSAL]
    actions = act.available(actor=request.user, dossier=dossier, bound=bound)
    context = {
        "dossier": dossier, "actions": actions, "slips": slips,
        "components": list(dossier.components.select_related("file")),
        "handovers": list(dossier.handovers.select_related("unit").order_by("received_at",
                                                                           "id")),
        "events": act.event_rows(dossier),
        "control_sheet_url": support.control_sheet_url(dossier), **cta,
    }
    if kept is not None:
        context.update({"kept_file": kept.pending, "kept_file_expired": kept.expired,
                        "kept_name": kept.field})
    return render(request, "onestop/dossier/detail.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD"])
def dossier_detail(request, code: str):
    return _render(request, _get(request, code))


@login_required
@require_POST
def dossier_action(request, code: str, action: str):
    dossier = _get(request, code)
    spec = act.SPECS.get(action)
    if spec is None:
        raise Http404
    if action not in {a["key"] for a in act.available(actor=request.user, dossier=dossier)}:
        # Not offered in this state or to this user: the service would refuse it too.
        messages.error(request, act.not_offered_message(dossier, spec))
        return redirect(support.dossier_url(dossier))
    form = act.make_form(spec, dossier, request.POST, request.FILES)
    kept = KeptFile(request, f"{action}-file") if spec.multipart else None
    if form.is_valid() and act.confirmed(spec, form):
        upload = kept.upload(form.cleaned_data.get("file")) if kept else None
        try:
            act.run(action, actor=request.user, dossier=dossier, form=form, upload=upload)
        except AppError as err:
            if err.status == 404:
                raise Http404 from None
            act.apply_error(form, err)
            if kept is not None:
                if {"file", "upload"} & set(err.fields or {}):
                    kept.drop()
                else:
                    kept.keep(upload)
            dossier.refresh_from_db()
        else:
            if kept is not None:
                kept.done()
            messages.success(request, spec.done)
            return redirect(support.dossier_url(dossier))
    elif kept is not None and "file" not in form.errors:
        kept.keep(kept.upload(request.FILES.get(f"{action}-file")))
    return _render(request, dossier, bound={action: form}, status=422, kept=kept)


@login_required
@require_http_methods(["GET", "HEAD"])
def component_file(request, code: str, pk: int):
    dossier = _get(request, code)
    comp = (DossierComponent.objects.filter(dossier=dossier, pk=pk, file__isnull=False)
            .select_related("file").first())
    if comp is None:
        raise Http404
    return file_response(comp.file, inline=True)


@login_required
@require_http_methods(["GET", "HEAD"])
def result_file(request, code: str):
    dossier = _get(request, code)
    if dossier.result_file_id is None:
        raise Http404
    return file_response(dossier.result_file, inline=True)
