"""The directive lists: "Nhiệm vụ tôi giao" (given by me) and "Nhiệm vụ đơn vị" (received:
lead, supporting, for information), with filters (status bucket, lead unit, words, deadline
range) and keyset pages ("Xem thêm"); never a count of all rows."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from egov.core import policy
from egov.core.errors import InvalidInput

from ..forms import ListFilterForm
from ..selectors import access
from ..selectors import directives as sel
from . import common

ROLES = {
    "lead": gettext_lazy("Lead (chủ trì)"),
    "support": gettext_lazy("Support (phối hợp)"),
    "inform": gettext_lazy("For information (để biết)"),
    # Every directive the user may see (văn phòng theo dõi: `directives.view_all`).
    "all": gettext_lazy("All I follow"),
}
PAGE = 50


def _render_list(request, *, role: str, units, title, template_vars: dict):
    form = ListFilterForm(request.GET or None, units=units)
    cursor = (request.GET.get("cursor") or "")[:500] or None
    directives, next_cursor, status = [], None, 200
    params: dict = {}
    if form.is_bound and not form.is_valid():
        status = 400
    else:
        c = form.cleaned_data if form.is_bound else {}
        params = {k: v for k, v in {
            "bucket": c.get("bucket") or "", "unit": c.get("unit") or "", "q": c.get("q") or "",
            "due_from": c.get("due_from") or "", "due_to": c.get("due_to") or ""}.items() if v}
        kwargs = {"actor": request.user, "role": None if role == "all" else role, "bucket": c.get("bucket") or None,
                  "unit_id": c.get("unit"), "q": " ".join((c.get("q") or "").split()),
                  "due_from": c.get("due_from"), "due_to": c.get("due_to"), "limit": PAGE}
        try:
            directives, next_cursor = sel.directive_list(after=cursor, **kwargs)
        except InvalidInput as err:
            if cursor is None:
                status = 400
                form.add_error(None, err.message)
            else:  # a bad or stale cursor: the first page and a warning (docs/ui.md)
                messages.warning(request, _("The list was reloaded from the first page."))
                cursor = None
                directives, next_cursor = sel.directive_list(after=None, **kwargs)
    if role in ROLES:
        params["role"] = role
    query = urlencode({k: (v.isoformat() if hasattr(v, "isoformat") else v)
                       for k, v in params.items()})
    context = {
        "form": form, "directives": common.with_status(directives), "next_cursor": next_cursor,
        "cursor": cursor, "filter_query": query, "title": title, "role": role,
        "may_give": common.may_give_somewhere(request.user), **template_vars,
    }
    return render(request, "directives/list.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD"])
def given_list(request):
    if not common.may_give_somewhere(request.user):
        raise DjangoPermissionDenied(_("You may not give directives."))
    units = []
    for agency in common.give_agencies(request.user):
        units += common.units_under(agency, limit=500)
    return _render_list(request, role="given", units=units, title=_("Directives I gave"),
                        template_vars={"list_url": "directives:given", "tabs": []})


@login_required
@require_http_methods(["GET", "HEAD"])
def received_list(request):
    role = request.GET.get("role") or ""
    if role not in ROLES:
        # Those who carry directives out start on "chủ trì"; those who only follow them
        # (văn phòng, leaders) on everything they see.
        handles = request.user.is_superuser or any(
            g.action == access.HANDLE for g in policy.grants_for(request.user))
        role = "lead" if handles else "all"
    tabs = [{"role": r, "label": label, "current": r == role} for r, label in ROLES.items()]
    return _render_list(request, role=role, units=common.handled_units(request.user),
                        title=_("Directives of my unit"),
                        template_vars={"list_url": "directives:received", "tabs": tabs,
                                       "role_label": ROLES[role]})
