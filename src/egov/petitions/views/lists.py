"""The petition list under /petitions/: what the user may see, with a search box (code, words of
the content without diacritics, the petitioner's name only where the user may read the
identity) and filters (state, kind, channel, overdue, mine); keyset pages, no counts."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from egov.core import policy
from egov.core.errors import InvalidInput

from ..models import Channel, PetitionKind, PetitionState
from ..selectors import access
from ..selectors import petitions as sel


def may_use_list(user) -> bool:
    """Whether the user may see some petitions: a petitions grant anywhere, or a handler /
    receiver of one (the menu entry and the page)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if any(g.action in (access.VIEW_ALL, access.RECEIVE, access.PROCESS, access.HEAD)
           for g in policy.grants_for(user)):
        return True
    return user.is_superuser


def _flag(value: str | None) -> bool:
    return (value or "") in ("1", "on", "true", "yes")


def list_filter(params) -> sel.ListFilter:
    agency = params.get("agency") or ""
    return sel.ListFilter(
        q=" ".join((params.get("q") or "").split())[:200],
        state=params.get("state") or "", kind=params.get("kind") or "",
        channel=params.get("channel") or "", overdue=_flag(params.get("overdue")),
        mine=_flag(params.get("mine")), due_soon=_flag(params.get("due_soon")),
        open_only=_flag(params.get("open")), unassigned=_flag(params.get("unassigned")),
        agency_id=int(agency) if agency.isdigit() and len(agency) < 12 else None)


def narrowed(flt: sel.ListFilter) -> list[str]:
    """The filters the search form has no control for (the leader's chart links to the list
    with them), named so the reader knows the list is narrowed."""
    out = []
    if flt.agency_id:
        from egov.core.models import OrgUnit

        name = OrgUnit.objects.filter(pk=flt.agency_id).values_list("name", flat=True).first()
        out.append(_("unit: %(name)s") % {"name": name or flt.agency_id})
    if flt.open_only:
        out.append(_("not yet settled"))
    if flt.unassigned:
        out.append(_("no handling unit yet"))
    if flt.due_soon:
        out.append(_("due within %(days)d days") % {"days": sel.DUE_SOON_DAYS})
    return out


@login_required
@require_http_methods(["GET", "HEAD"])
def petition_list(request):
    flt = list_filter(request.GET)
    cursor = request.GET.get("cursor") or None
    status, error, page = 200, "", None
    try:
        page = sel.petition_list(actor=request.user, flt=flt, cursor=cursor, limit=50)
    except InvalidInput as exc:
        status, error = 400, exc.message
    context = {
        "page": page, "petitions": page.items if page else [], "flt": flt,
        "filter_query": flt.query_string(), "cursor": cursor, "error": error,
        "states": PetitionState.choices, "kinds": PetitionKind.choices,
        "channels": Channel.choices, "title": _("Petitions"), "narrowed": narrowed(flt),
    }
    return render(request, "petitions/lists/list.html", context, status=status)
