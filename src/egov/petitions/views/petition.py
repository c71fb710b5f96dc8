"""The petition page under /petitions/<id>/: the facts (redacted content, classification,
deadlines), the identity box for those who may read it (each view of it is audited), files,
slips, the timeline and the action forms the state and the user's grants allow."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

from egov.core.errors import NotFound

from ..selectors import access
from ..selectors import petitions as sel
from . import actions as act


def get_petition(request, pk: int):
    """The petition if the user may see it; 404 otherwise (same answer for an unknown id)."""
    try:
        return access.petition_get(actor=request.user, pk=pk)
    except NotFound:
        raise Http404 from None


def render_petition(request, petition, *, bound: dict | None = None, status: int = 200):
    # The detail (i11-reports): identity and identity files only for those who may read them.
    d = sel.petition_detail(actor=request.user, pk=petition.pk, purpose="page")
    context = {
        "petition": d.petition,
        "identity": d.identity,
        "identity_files": d.identity_files,
        "events": d.events,
        "files": d.files,
        "slips": d.slips,
        "deadlines": d.deadlines,
        "actions": act.available(actor=request.user, petition=petition, bound=bound),
    }
    return render(request, "petitions/petition/detail.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD"])
def petition_detail(request, pk: int):
    return render_petition(request, get_petition(request, pk))


@login_required
@require_POST
def petition_action(request, pk: int, action: str):
    petition = get_petition(request, pk)
    response = act.handle_post(request, petition, action)
    if response is None:
        raise Http404
    return response
