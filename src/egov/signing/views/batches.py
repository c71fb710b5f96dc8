"""Web pages of batch signing (under /signing/batches/): the documents awaiting my signature
with checkboxes and "Sign the selected documents"; my last batches; a batch's page with its
progress (htmx polling every second while it runs, a plain refresh link without JavaScript)
and the list of failures."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from egov.core.errors import AppError, InvalidInput, NotFound, PermissionDenied

from .. import batch, second_factor
from ..models import BatchState
from ..selectors import usable_certificate

PAGE_SIZE = 100
RECENT = 10


def _ids_from_post(request) -> list:
    """The checked ids as ints; anything that is not a whole number is refused by the service."""
    values = []
    for raw in request.POST.getlist("document_ids"):
        try:
            values.append(int(raw))
        except (TypeError, ValueError):
            values.append(raw)
    return values


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def index(request):
    error, error_fields, selected, otp_errors = None, [], set(), []
    if request.method == "POST":
        ids = _ids_from_post(request)
        try:
            job = batch.batch_create(actor=request.user, document_ids=ids,
                                     otp=(request.POST.get("otp") or "")[:12])
        except PermissionDenied:
            raise DjangoPermissionDenied from None
        except AppError as err:
            error = err.message
            error_fields = [m for msgs in err.fields.values() for m in msgs][:20] \
                if isinstance(err, InvalidInput) and err.code == "not_signable" else []
            otp_errors = err.fields.get("otp", [])
            selected = {i for i in ids if isinstance(i, int)}
        else:
            messages.success(request, _("The batch has started. You can leave this page; you "
                                        "will be notified when it is finished."))
            return redirect("signing:batch_detail", pk=job.pk)
    cursor = (request.GET.get("cursor") or "").strip() or None
    try:
        page = batch.awaiting_my_signature(actor=request.user, cursor=cursor, limit=PAGE_SIZE)
    except InvalidInput:  # a broken cursor: start again from the first page
        return redirect("signing:batch")
    response = render(request, "signing/batch.html", {
        "page": page, "items": page.items, "cursor": cursor, "selected": selected,
        "error": error, "error_fields": error_fields,
        "has_certificate": usable_certificate(user=request.user) is not None,
        "jobs": batch.batch_recent(actor=request.user, limit=RECENT),
        "max_documents": batch.MAX_DOCUMENTS,
        "second_factor": second_factor.required_for_user(request.user),
        "otp_errors": otp_errors,
    })
    if error:
        response.status_code = 422
    return response


@login_required
@require_http_methods(["GET", "HEAD"])
def detail(request, pk: int):
    try:
        job = batch.batch_get(actor=request.user, job_id=pk)
    except NotFound:
        raise Http404 from None
    running = job.state in (BatchState.QUEUED, BatchState.RUNNING)
    context = {"job": job, "running": running, "progress": batch.progress(job),
               "failures": [] if running and not job.errors else batch.failed_documents(job),
               "detail_url": reverse("signing:batch_detail", args=[job.pk])}
    template = ("signing/_batch_status.html" if getattr(request, "htmx", False)
                else "signing/batch_detail.html")
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    response["Cache-Control"] = "no-store"
    return response


urlpatterns = [
    path("", index, name="batch"),
    path("<int:pk>/", detail, name="batch_detail"),
]
