"""The registrar's certificate pages under /civil/certificates/ (issue 13):

- ``new/?event=<id>`` — the event (kind, Số / Quyển số, dates, the parties' names: an audited
  read) with its certificates and the issue buttons (civil/_event_certificates.html, the panel
  the event page includes); POST ``new/`` {event, type} issues the original or a certified copy
  (egov.civil.services.certificates) and opens the certificate's page; an error re-renders the
  page with the message by the choice (nothing written);
- ``<id>/`` — the certificate: type, number, date, code, the public verification address, the
  download link, and the revocation form;
- ``<id>/pdf`` — the signed PDF (civil.read in its commune; the download is audited);
- ``<id>/revoke/`` (POST) — revoke with a reason.

Another commune's event or certificate → 403; an unknown one → 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from egov.core.errors import AppError, InvalidInput, NotFound, PermissionDenied
from egov.core.files import file_response

from ..certificate_pdf import verify_url
from ..services import certificates as svc

ID_MAX_DIGITS = 18


def _int(raw) -> int | None:
    raw = str(raw or "").strip()
    return int(raw) if raw.isdigit() and len(raw) <= ID_MAX_DIGITS and int(raw) > 0 else None


def _forbidden(request, message: str):
    return render(request, "403.html", {"message": message}, status=403)


def _new_page(request, event_id, *, error: str = "", status: int = 200):
    try:
        event, parties = svc.event_for_issue(request.user, event_id)
    except NotFound:
        raise Http404 from None
    except PermissionDenied as err:
        return _forbidden(request, err.message)
    except AppError:
        raise Http404 from None
    return render(request, "civil/certificates/new.html",
                  {"event": event, "parties": parties, "error": error}, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def certificate_new(request):
    if request.method != "POST":
        return _new_page(request, _int(request.GET.get("event")) or 0)
    event_id = _int(request.POST.get("event"))
    if event_id is None:
        raise Http404
    kind = request.POST.get("type", "")
    try:
        cert = svc.issue_certificate(request.user, event_id, kind[:40])
    except NotFound:
        raise Http404 from None
    except PermissionDenied as err:
        return _forbidden(request, err.message)
    except AppError as err:
        message = (err.fields.get("type") or [err.message])[0]
        return _new_page(request, event_id, error=message, status=err.status)
    messages.success(request, _("The certificate was issued and signed."))
    return redirect("civil:certificate_detail", pk=cert.pk)


def _get(request, pk: int):
    try:
        return svc.certificate_get(request.user, pk)
    except (NotFound, InvalidInput):
        raise Http404 from None


@login_required
@require_http_methods(["GET", "HEAD"])
def certificate_detail(request, pk: int):
    try:
        cert = _get(request, pk)
    except PermissionDenied as err:
        return _forbidden(request, err.message)
    return render(request, "civil/certificates/detail.html", {
        "cert": cert, "verify_url": verify_url(cert.code),
        "code_display": f"{cert.code[:5]}-{cert.code[5:]}",
        "may_revoke": not cert.revoked and svc.may_issue(request.user, cert.event),
        "reason_error": "", "reason": ""})


@login_required
@require_http_methods(["GET", "HEAD"])
def certificate_pdf(request, pk: int):
    try:
        cert = _get(request, pk)
    except PermissionDenied as err:
        return _forbidden(request, err.message)
    response = file_response(cert.file, inline=True)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def certificate_revoke(request, pk: int):
    reason = request.POST.get("reason", "")[:2000]
    try:
        svc.revoke_certificate(request.user, pk, reason)
    except NotFound:
        raise Http404 from None
    except PermissionDenied as err:
        return _forbidden(request, err.message)
    except AppError as err:
        try:
            cert = _get(request, pk)
        except PermissionDenied as denied:
            return _forbidden(request, denied.message)
        message = (err.fields.get("reason") or [err.message])[0]
        return render(request, "civil/certificates/detail.html", {
            "cert": cert, "verify_url": verify_url(cert.code),
            "code_display": f"{cert.code[:5]}-{cert.code[5:]}",
            "may_revoke": not cert.revoked and svc.may_issue(request.user, cert.event),
            "reason_error": message, "reason": reason[:500]}, status=err.status)
    messages.success(request, _("The certificate was revoked."))
    return redirect("civil:certificate_detail", pk=pk)


