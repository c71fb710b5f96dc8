"""Online application pages (no login): /public/apply/<procedure code>/ — the procedure's
components (a file each), the applicant, the receiving centre, how the result is delivered —
and /public/confirm/<token>/, the link e-mailed to the applicant (egov.onestop.services.online).

Chosen files survive the form's errors (egov.core.pending_uploads): the pending files of an
anonymous visitor belong to the browser's CSRF secret (the only thing that identifies it
without an account). Every POST counts against the per-client limit (egov.portal.limits).
"""

from __future__ import annotations

import hashlib
from types import SimpleNamespace

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from egov.core.errors import AppError, InvalidInput
from egov.core.forms import apply_app_error
from egov.core.pending_uploads import KeptFile
from egov.onestop.services import online as svc

from . import limits
from .forms_onestop import ApplyForm


def _kept_owner(request) -> SimpleNamespace:
    """What KeptFile needs of the request for an anonymous visitor: the POST data and an owner
    whose id is a hash of the browser's CSRF secret (set and checked by the CSRF middleware)."""
    secret = request.META.get("CSRF_COOKIE") or ""
    owner = SimpleNamespace(pk="anon:" + hashlib.sha256(secret.encode()).hexdigest()[:32]
                            if secret else "anon:none")
    return SimpleNamespace(POST=request.POST, user=owner)


def _limited(request):
    verdict = limits.hit(request, "apply")
    if verdict.allowed:
        return None
    response = render(request, "portal/apply/limited.html",
                      {"retry_minutes": max(1, (verdict.retry_after + 59) // 60)}, status=429)
    response["Retry-After"] = str(verdict.retry_after)
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def apply(request, code: str):
    try:
        version = svc.online_version(code)
    except InvalidInput as err:
        return render(request, "portal/apply/unavailable.html",
                      {"code": code[:40], "message": err.message}, status=404)
    centres = svc.receiving_centres(version.level)
    components = svc.components_of(version)
    status = 200
    shim = _kept_owner(request)
    kept: dict[str, KeptFile] = {}
    if request.method == "POST":
        limited = _limited(request)
        if limited is not None:
            return limited
        form = ApplyForm(request.POST, request.FILES, centres=centres, components=components)
        form.is_valid()  # parsing only; the service checks
        data = getattr(form, "cleaned_data", {})
        uploads = {}
        for name, _comp in form.component_fields:
            kept[name] = KeptFile(shim, name)
            uploads[name] = kept[name].upload(data.get(name) or request.FILES.get(name))
        field_of = {f"component:{comp.code}": name for name, comp in form.component_fields}
        try:
            if form.errors:
                raise InvalidInput(_("Check the highlighted fields."), fields={})
            svc.online_submit(
                procedure_code=version.procedure.code, agency_id=data.get("agency"),
                applicant={k: data.get(k, "") for k in ("kind", "full_name", "personal_id",
                                                        "address", "phone", "email")},
                components=[{"code": comp.code, "file": uploads[name]}
                            for name, comp in form.component_fields],
                request_content=data.get("request_content", ""),
                result_delivery=data.get("result_delivery") or "online",
                language=translation.get_language())
        except AppError as err:
            err.fields = {field_of.get(k, k): v for k, v in err.fields.items()}
            if err.fields or not form.errors:
                apply_app_error(form, err)
            for name, keeper in kept.items():
                if name in err.fields or name in form.errors:
                    keeper.drop()
                else:
                    keeper.keep(uploads[name])
                if keeper.expired and name not in form.errors:
                    form.add_error(name, keeper.context()["kept_expired_message"])
            status = 503 if err.status == 503 else 422
        else:
            for keeper in kept.values():
                keeper.done()
            return redirect("public:apply_sent", code=version.procedure.code)
    else:
        form = ApplyForm(centres=centres, components=components)
    fields = [(form[name], kept[name].pending if name in kept else None,
               kept[name].expired if name in kept else False, comp)
              for name, comp in form.component_fields]
    return render(request, "portal/apply/form.html", {
        "form": form, "version": version, "components": fields, "centres": centres,
        "fees": version.fees or [],
    }, status=status)


@require_http_methods(["GET", "HEAD"])
def apply_sent(request, code: str):
    return render(request, "portal/apply/sent.html",
                  {"hours": svc.confirm_hours(), "code": code[:40]})


@require_http_methods(["GET", "HEAD"])
def apply_confirm(request, token: str):
    """The e-mailed link: the dossier is created the first time; later clicks show it again."""
    if len(token) > 200:
        raise Http404
    try:
        confirmed = svc.online_confirm(token=token)
    except AppError as err:
        return render(request, "portal/apply/confirm_failed.html",
                      {"message": err.message, "expired": err.code == "link_expired"},
                      status=err.status)
    dossier = confirmed.dossier
    return render(request, "portal/apply/confirmed.html", {
        "dossier": dossier, "created": confirmed.created,
        "procedure_name": dossier.version.name, "agency_name": dossier.agency.name,
    })
