"""The page "Return to the sender" of an electronic incoming document (NĐ 30/2020 Điều 21.2):
a form with the mandatory reason; works without JavaScript. The service is
egov.documents.services.returning."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from egov.core.errors import AppError, InvalidInput, NotFound, PermissionDenied
from egov.core.forms import EgovForm

from ..models import Assignment
from ..selectors import incoming as sel
from ..services import returning as svc


class ReturnToSenderForm(EgovForm):
    reason = forms.CharField(
        label=gettext_lazy("Reason for returning"), required=False,
        help_text=gettext_lazy("Required. The sender sees it, e.g. “sent to the wrong agency” "
                               "or “the digital signature is not valid”."),
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": svc.MAX_REASON}))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def incoming_return_view(request, pk: int):
    try:
        document = sel.incoming_get(actor=request.user, id=pk)
    except NotFound:
        raise Http404 from None
    detail = reverse("documents:incoming_detail", args=[document.pk])
    if not svc.policy.can(request.user, svc.REGISTER, document.agency):
        raise DjangoPermissionDenied
    refusal = svc.return_refusal(
        document, has_assignments=Assignment.objects.filter(document=document).exists())
    status = 200
    if request.method == "POST":
        form = ReturnToSenderForm(request.POST)
        if form.is_valid():
            try:
                svc.incoming_return(actor=request.user, document=document,
                                    reason=form.cleaned_data["reason"])
            except PermissionDenied:
                raise DjangoPermissionDenied from None
            except InvalidInput as err:
                for field, errors in err.fields.items():
                    for message in errors:
                        form.add_error(field if field in form.fields else None, message)
                status = 422
            except AppError as err:
                messages.error(request, err.message)
                return redirect(detail)
            else:
                messages.success(request, _("The document was returned to its sender."))
                return redirect(detail)
        else:
            status = 422
    else:
        if refusal is not None:
            messages.error(request, refusal.message)
            return redirect(detail)
        form = ReturnToSenderForm()
    return render(request, "documents/incoming/return.html",
                  {"doc": document, "form": form, "detail_url": detail}, status=status)


urlpatterns = [
    path("<int:pk>/return/", incoming_return_view, name="incoming_return"),
]
