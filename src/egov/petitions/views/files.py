"""File downloads of a petition: attachments for whoever may see the petition; the scans of the
letter and identity papers (identity files) only for those who may read the identity — the
receiving officer, the handler and the head of the agency — and each such download is
audited. Everyone else gets 404, the same answer as for an unknown file."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.views.decorators.http import require_http_methods

from egov.core.errors import NotFound
from egov.core.files import file_response

from ..selectors import petitions as sel
from .petition import get_petition


@login_required
@require_http_methods(["GET", "HEAD"])
def petition_file(request, pk: int, file_id: int):
    petition = get_petition(request, pk)
    try:
        stored = sel.petition_file(actor=request.user, petition=petition, pk=file_id)
    except NotFound:
        raise Http404 from None
    return file_response(stored)


@login_required
@require_http_methods(["GET", "HEAD"])
def petition_identity_file(request, pk: int, file_id: int):
    petition = get_petition(request, pk)
    try:
        stored = sel.identity_file(actor=request.user, petition=petition, pk=file_id)
    except NotFound:
        raise Http404 from None
    return file_response(stored)
