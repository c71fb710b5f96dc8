"""Reading slips and what the slip PDFs print, filtered by what the actor may see: staff with
`onestop.view_all` or `onestop.receive` on the dossier's receiving centre or competent unit, or
`onestop.process` on the competent unit (the Mẫu 06 rows are theirs)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from egov.core import policy
from egov.core.errors import InvalidInput, NotFound, PermissionDenied
from egov.core.models import OrgUnit

from ..models import Dossier, Slip

VIEW_ALL, RECEIVE, PROCESS = "onestop.view_all", "onestop.receive", "onestop.process"
# Mẫu 07 is printed for at most a year at a time.
REGISTER_MAX_DAYS = 366


def may_see_dossier(actor, dossier: Dossier) -> bool:
    """The dossier's own visibility rule (selectors.dossiers.may_view: view_all / receive, or an
    assignee of its work items), plus `onestop.process` on the competent unit."""
    from .dossiers import may_view

    return policy.can(actor, PROCESS, dossier.competent_unit) or may_view(actor, dossier)


def slip_get(*, actor, pk: int) -> Slip:
    """A slip (Mẫu 01–05) the actor may see: through its dossier, or — a refusal given before a
    dossier existed — `view_all` / `receive` on the slip's agency. 404 otherwise."""
    slip = (Slip.objects.select_related("agency", "agency__parent", "file", "dossier",
                                        "dossier__agency", "dossier__competent_unit",
                                        "dossier__version", "dossier__procedure")
            .filter(pk=pk).first())
    if slip is None:
        raise NotFound()
    if slip.dossier_id:
        if not may_see_dossier(actor, slip.dossier):
            raise NotFound()
    elif not any(policy.can(actor, a, slip.agency) for a in (VIEW_ALL, RECEIVE)):
        raise NotFound()
    return slip


def dossier_for_print(*, actor, code: str) -> Dossier:
    dossier = (Dossier.objects.select_related("agency", "agency__parent", "competent_unit",
                                              "version", "procedure")
               .filter(code=(code or "").strip()).first())
    if dossier is None or not may_see_dossier(actor, dossier):
        raise NotFound()
    return dossier


def _day(raw: str | None, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat((raw or "").strip())
    except ValueError:
        message = _("Enter a date as YYYY-MM-DD.")
        raise InvalidInput(message, fields={name: [message]}) from None


def register_scope(*, actor, agency_id: str | None, date_from: str | None,
                   date_to: str | None) -> tuple[OrgUnit, dt.date, dt.date]:
    """The agency and period of a Mẫu 07 print. The agency defaults to the actor's only agency
    with `view_all` or `receive`; 403 for an actor with neither anywhere, 404 for an agency the
    actor may not see; 422 for bad dates or a period longer than a year."""
    if not (policy.can(actor, VIEW_ALL) or policy.can(actor, RECEIVE)):
        raise PermissionDenied()
    start, end = _day(date_from, "from"), _day(date_to, "to")
    if end < start or (end - start).days >= REGISTER_MAX_DAYS:
        message = _("The period must run forward and cover at most a year.")
        raise InvalidInput(message, fields={"to": [message]})
    if agency_id:
        try:
            agency = OrgUnit.objects.select_related("parent").filter(pk=int(agency_id)).first()
        except ValueError:
            agency = None
    else:
        ids = sorted(set(policy.agencies_for(actor, VIEW_ALL))
                     | set(policy.agencies_for(actor, RECEIVE)))
        agency = (OrgUnit.objects.select_related("parent").filter(pk=ids[0]).first()
                  if len(ids) == 1 else None)
        if agency is None:
            message = _("Choose the agency.")
            raise InvalidInput(message, fields={"agency": [message]})
    if agency is None or not any(policy.can(actor, a, agency) for a in (VIEW_ALL, RECEIVE)):
        raise NotFound()
    return agency, start, end
