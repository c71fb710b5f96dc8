"""Confirmation pages before the irreversible steps of an outgoing document (issue 9 §1):

- ``/documents/outgoing/<pk>/sign/`` — GET: the PDF as it will be signed (preview), the
  one-time code when the agency requires a second factor; POST: "Ký số" (an APPROVED document)
  or "Ký duyệt" (the signer's approval is due: approve and sign in one step).
- ``/documents/outgoing/<pk>/issue/`` — GET: the preview and what issuing does; a document
  without a digital signature can only be issued as a paper original, chosen explicitly with a
  confirmation box; POST: issue.

Both work without JavaScript (plain forms); errors are shown by their field.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from egov.core import policy
from egov.core.errors import AppError, NotFound, PermissionDenied
from egov.core.text import clean_field
from egov.signing import second_factor

from ..models import OutgoingState
from ..selectors import outgoing as sel
from ..services import outgoing as svc
from ..services.issuing_paper import ELECTRONIC, PAPER, digitally_signed
from ..services.signing_confirm import (
    can_approve_and_sign,
    outgoing_approve_and_sign,
    outgoing_sign_confirmed,
)


def _get(request, pk: int):
    try:
        return sel.outgoing_get(actor=request.user, document_id=pk)
    except NotFound as err:
        raise Http404 from err


def _errors(err: AppError) -> dict[str, list[str]]:
    if isinstance(err, PermissionDenied):
        raise DjangoPermissionDenied(err.message)
    return {name: list(msgs) for name, msgs in err.fields.items()} or {"__all__": [err.message]}


def _status(err: AppError) -> int:
    return err.status if 400 <= err.status < 500 else 400


# --- signing ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def outgoing_sign_confirm(request, pk: int):
    document = _get(request, pk)
    user = request.user
    approve = can_approve_and_sign(user, document)
    if not approve and not (document.state == OutgoingState.APPROVED
                            and user.pk == document.signer_id):
        messages.error(request, _("There is nothing for you to sign on this document now."))
        return redirect("documents:outgoing_detail", pk=pk)
    method = second_factor.required_for(document.agency)
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST" and request.POST.get("action") == "send_code":
        try:  # a code by SMS (the agency's method is "sms")
            phone = clean_field(request.POST.get("phone", ""), "phone")[:20] or None
            second_factor.send_sms_code(user=user, phone=phone)
            messages.info(request, _("A code was sent to your phone by SMS."))
        except AppError as err:
            errors, status = _errors(err), _status(err)
    elif request.method == "POST":
        otp = clean_field(request.POST.get("otp", ""), "otp")[:12]
        comment = clean_field(request.POST.get("comment", ""), "comment")[:5000]
        try:
            if approve:
                outgoing_approve_and_sign(actor=user, document=document, comment=comment,
                                          otp=otp)
            else:
                outgoing_sign_confirmed(actor=user, document=document, otp=otp)
        except AppError as err:
            errors, status = _errors(err), _status(err)
        else:
            messages.success(request, _("Approved and signed. The office can now issue the "
                                        "document.") if approve else
                             _("Signed. The office can now issue the document."))
            return redirect("documents:outgoing_detail", pk=pk)
    context = {
        "document": document, "approve": approve, "second_factor": method,
        "enrolled": second_factor.is_enrolled(user) if method else True,
        "errors": errors, "otp_errors": errors.get("otp", []),
        "phone_errors": errors.get("phone", []),
        "other_errors": [m for k, v in errors.items() if k not in ("otp", "phone") for m in v],
    }
    return render(request, "documents/outgoing/confirm_sign.html", context, status=status)


# --- issuing ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def outgoing_issue_confirm(request, pk: int):
    document = _get(request, pk)
    if not (document.state in sel.AWAITING_ISSUE
            and policy.can(request.user, "documents.issue", document.agency)):
        messages.error(request, _("This document cannot be issued now."))
        return redirect("documents:outgoing_detail", pk=pk)
    signed = digitally_signed(document)
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        medium = request.POST.get("medium", "") or ("" if not signed else ELECTRONIC)
        if medium == PAPER and request.POST.get("confirm_paper") != "1":
            errors = {"confirm_paper": [_("Confirm that the original is the printed copy, "
                                          "signed by hand and sealed.")]}
            status = 422
        else:
            try:
                svc.outgoing_issue(actor=request.user, document=document, medium=medium)
            except AppError as err:
                errors, status = _errors(err), _status(err)
            else:
                document.refresh_from_db()
                messages.success(request, _("Issued as %(code)s.") % {"code": document.code})
                return redirect("documents:outgoing_detail", pk=pk)
    context = {"document": document, "signed": signed, "errors": errors,
               "medium_errors": errors.get("medium", []) + errors.get("unsigned", []),
               "confirm_errors": errors.get("confirm_paper", []),
               "other_errors": [m for k, v in errors.items()
                                if k not in ("medium", "confirm_paper") for m in v]}
    return render(request, "documents/outgoing/confirm_issue.html", context, status=status)


urlpatterns = [
    path("<int:pk>/sign/", outgoing_sign_confirm, name="outgoing_sign"),
    path("<int:pk>/issue/", outgoing_issue_confirm, name="outgoing_issue"),
]
