"""Print views under /documents/print/ (documents.printing): the phiếu giải quyết văn bản đến
of an incoming document and the phiếu trình of a draft, as a printable page (A4 print
stylesheet) or, with ?format=pdf, as a PDF. Whoever may see the document may print its slip."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods

from egov.core.errors import NotFound

from .. import printing
from ..models import IncomingState
from ..selectors import incoming as incoming_sel
from ..selectors import outgoing as outgoing_sel


def _answer(request, *, body: str, title: str, filename: str, back: str):
    if request.GET.get("format") == "pdf":
        response = HttpResponse(printing.slip_pdf(body, title), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{filename}.pdf"'
        return response
    return render(request, "documents/print/page.html", {
        "slip": mark_safe(body), "title": title, "back": back,  # noqa: S308 - our template
    })


@login_required
@require_http_methods(["GET", "HEAD"])
def incoming_slip(request, pk: int):
    try:
        document = incoming_sel.incoming_get(actor=request.user, id=pk)
    except NotFound:
        raise Http404 from None
    if document.state == IncomingState.CANCELLED:
        raise Http404  # recalled by the issuer: its content is withdrawn
    events = incoming_sel.incoming_trail(actor=request.user, document=document)
    body = printing.render_slip("documents/print/incoming_slip.html",
                                printing.incoming_slip_context(document, events))
    return _answer(request, body=body, title="Phiếu giải quyết văn bản đến",
                   filename=f"phieu-giai-quyet-{document.arrival_number}",
                   back=f"/documents/incoming/{document.pk}/")


@login_required
@require_http_methods(["GET", "HEAD"])
def submission_slip(request, pk: int):
    try:
        document = outgoing_sel.outgoing_get(actor=request.user, document_id=pk)
    except NotFound:
        raise Http404 from None
    events = outgoing_sel.outgoing_trail(actor=request.user, document=document)
    body = printing.render_slip("documents/print/submission_slip.html",
                                printing.submission_slip_context(document, events))
    return _answer(request, body=body, title="Phiếu trình", filename=f"phieu-trinh-{document.pk}",
                   back=f"/documents/outgoing/{document.pk}/")


urlpatterns = [
    path("incoming/<int:pk>/", incoming_slip, name="print_incoming_slip"),
    path("outgoing/<int:pk>/", submission_slip, name="print_submission_slip"),
]
