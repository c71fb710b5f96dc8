"""The slips and registers as PDFs (egov.onestop.pdf), opened inline so the browser's print
works at once ("the counter prints Mẫu 01 in one click"):

- /onestop/slips/<pk>.pdf — Mẫu 01–05, rendered and stored on the first download, served from
  storage afterwards;
- /onestop/dossiers/<code>/control-sheet.pdf — Mẫu 06 from the current hand-over rows;
- /onestop/register.pdf?from=YYYY-MM-DD&to=YYYY-MM-DD[&agency=ID] — Mẫu 07.

Whoever may not see the dossier (or the agency) gets 404.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.views.decorators.http import require_http_methods

from egov.core.errors import InvalidInput, NotFound, PermissionDenied
from egov.core.files import file_response

from .. import pdf
from ..selectors import slips as sel


def _inline(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "HEAD"])
def slip_pdf(request, pk: int):
    try:
        slip = sel.slip_get(actor=request.user, pk=pk)
    except NotFound:
        raise Http404 from None
    if slip.form not in pdf.STORED_FORMS:
        raise Http404
    stored = pdf.slip_pdf_file(slip, actor=request.user)
    response = file_response(stored, inline=True)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "HEAD"])
def control_sheet_pdf(request, code: str):
    try:
        dossier = sel.dossier_for_print(actor=request.user, code=code)
    except NotFound:
        raise Http404 from None
    return _inline(pdf.render_control_sheet(dossier), f"mau-06-{dossier.code}.pdf")


@login_required
@require_http_methods(["GET", "HEAD"])
def register_pdf(request):
    try:
        agency, start, end = sel.register_scope(
            actor=request.user, agency_id=request.GET.get("agency"),
            date_from=request.GET.get("from"), date_to=request.GET.get("to"))
    except NotFound:
        raise Http404 from None
    except PermissionDenied:
        return HttpResponse(status=403)
    except InvalidInput as exc:
        return HttpResponseBadRequest(str(exc),
                                      content_type="text/plain; charset=utf-8")
    return _inline(pdf.render_register(agency, start, end),
                   f"mau-07-{start:%Y%m%d}-{end:%Y%m%d}.pdf")
