"""Slip PDFs: /petitions/slips/<pk>.pdf (`petitions:slip_pdf`), inline so the browser prints it.
Whoever may not see the petition — or, for a slip to the petitioner, may not read the
identity — gets 404 (selectors.slips)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.views.decorators.http import require_http_methods

from egov.core.errors import NotFound

from ..selectors import slips as sel


@login_required
@require_http_methods(["GET", "HEAD"])
def slip_pdf(request, pk: int):
    try:
        return sel.slip_pdf_response(actor=request.user, pk=pk)
    except NotFound:
        raise Http404 from None
