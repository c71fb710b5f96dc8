"""Public petition pages (no login): /public/petitions/new/ (the form), /public/petitions/sent/
(the code, the check, the receipt and its QR), /public/petitions/lookup/ (code + check; the
receipt's QR opens it with both filled in) and /public/petitions/<code>/receipt.pdf?check=…
(the receipt, Mẫu 02/TCD). Sending and look-ups count against per-client limits
(egov.portal.limits_petitions)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from egov.core.errors import AppError
from egov.core.files import file_response
from egov.core.forms import apply_app_error
from egov.core.throttle import client_ip
from egov.petitions import pdf_receipt
from egov.petitions.selectors import public as public_sel
from egov.petitions.services import intake

from . import limits_petitions as limits
from .api_petitions import receipt_url
from .forms_petitions import ATTACHMENTS, PetitionForm, PetitionLookupForm

SESSION_KEY = "petitions.sent"


def _limited(request, scope: str):
    verdict = limits.hit(request, scope)
    if verdict.allowed:
        return None
    response = render(request, "portal/rate_limited.html",
                      {"retry_minutes": max(1, (verdict.retry_after + 59) // 60)}, status=429)
    response["Retry-After"] = str(verdict.retry_after)
    return response


def _field_of(name: str) -> str:
    """The service's field name → the form's (files.N → attachment_N+1)."""
    if name.startswith("files."):
        index = name.split(".", 1)[1]
        if index.isdigit() and int(index) < len(ATTACHMENTS):
            return ATTACHMENTS[int(index)]
    return {"agency_id": "agency"}.get(name, name)


@require_http_methods(["GET", "HEAD", "POST"])
def petition_new(request):
    agencies = intake.portal_agencies()
    status = 200
    if request.method == "POST":
        limited = _limited(request, "submit")
        if limited is not None:
            return limited
        form = PetitionForm(request.POST, request.FILES, agencies=agencies)
        form.is_valid()  # parsing only; the service checks
        data = getattr(form, "cleaned_data", {})
        try:
            if form.errors:
                raise AppError("invalid", _("Check the highlighted fields."))
            files = [data[name] for name in ATTACHMENTS if data.get(name)]
            petition = intake.submit_online(
                full_name=data.get("full_name"), personal_id=data.get("personal_id"),
                phone=data.get("phone"), email=data.get("email"),
                address=data.get("address"), content=data.get("content"),
                kind=data.get("kind"), agency_id=data.get("agency") or None, files=files,
                language=translation.get_language() or "vi", ip=client_ip(request))
        except AppError as err:
            err.fields = {_field_of(k): v for k, v in err.fields.items()}
            if err.fields or not form.errors:
                apply_app_error(form, err)
            status = 503 if err.status == 503 else 422
        else:
            request.session[SESSION_KEY] = {"code": petition.code,
                                            "check": petition.lookup_check}
            return redirect("public:petition_sent")
    else:
        form = PetitionForm(agencies=agencies)
    return render(request, "portal/petitions/new.html",
                  {"form": form, "attachments": [form[n] for n in ATTACHMENTS]},
                  status=status)


@require_http_methods(["GET", "HEAD"])
def petition_sent(request):
    sent = request.session.get(SESSION_KEY)
    if not isinstance(sent, dict) or not sent.get("code"):
        return redirect("public:petition_new")
    code, check = str(sent["code"]), str(sent.get("check", ""))
    url = pdf_receipt.lookup_url(code, check)
    return render(request, "portal/petitions/sent.html", {
        "code": code, "check": check, "receipt_url": receipt_url(code, check),
        "lookup_url": url, "qr": pdf_receipt.qr_data_uri(url)})


@require_http_methods(["GET", "HEAD", "POST"])
def petition_lookup(request):
    """GET: the form (with ?code=&check=, from the receipt's QR: the status at once);
    POST: look up. An unknown code and a wrong check give the same answer."""
    source = request.POST if request.method == "POST" else request.GET
    form = PetitionLookupForm(source if "code" in source else None)
    context = {"form": form}
    status = 200
    if form.is_bound and form.is_valid():
        limited = _limited(request, "lookup")
        if limited is not None:
            return limited
        found = public_sel.public_status(form.cleaned_data["code"], form.cleaned_data["check"])
        if found is None:
            context["not_found"] = True
            status = 404
        else:
            context["t"] = found
    elif form.is_bound:
        status = 422
    return render(request, "portal/petitions/lookup.html", context, status=status)


@require_http_methods(["GET", "HEAD"])
def petition_receipt(request, code: str):
    """The petitioner's receipt PDF, with the code and the check (?check=)."""
    limited = _limited(request, "lookup")
    if limited is not None:
        return limited
    slip = public_sel.public_receipt(code, request.GET.get("check"))
    if slip is None:
        raise Http404
    return file_response(pdf_receipt.receipt_pdf_file(slip), inline=True)
