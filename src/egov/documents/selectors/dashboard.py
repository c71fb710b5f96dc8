"""The leader's dashboard of incoming documents (issue 9 §5): handling on time and late per unit
(the four buckets of selectors.reports, one grouped query), the overdue lead assignments, and
the list filter each count links to (the same rules as the counts).

Who: a leader of the agency (documents.assign there) or whoever may see all its documents
(documents.view_all). Queries are constant: grants (cached on the actor), the due dates of the
period (1), the grouped counts (1), the unit names (1), the overdue rows (1).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core import policy
from egov.core.errors import InvalidInput, PermissionDenied
from egov.core.models import OrgUnit, OrgUnitKind

from ..models import Assignment
from ..services.incoming import parse_date
from .reports import BUCKETS, HandlingReport, check_period, handling_counts, lead_items

VIEW_ALL = "documents.view_all"
ASSIGN = "documents.assign"
OVERDUE_LIMIT = 20


def may_see_dashboard(actor, agency: OrgUnit | None = None) -> bool:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    if agency is None:
        return policy.can(actor, VIEW_ALL) or policy.can(actor, ASSIGN)
    return policy.can(actor, VIEW_ALL, agency) or policy.can(actor, ASSIGN, agency)


def dashboard_agencies(actor) -> list[OrgUnit]:
    """The agencies whose dashboard the actor may open."""
    if not may_see_dashboard(actor):
        return []
    candidates = OrgUnit.objects.exclude(kind=OrgUnitKind.DIVISION).filter(agency_id=F("pk"))
    if actor.is_superuser:
        return list(candidates.order_by("name")[:500])
    ids = {g.agency_id for g in policy.grants_for(actor)
           if g.action in (VIEW_ALL, ASSIGN) and g.agency_id}
    return [a for a in candidates.filter(pk__in=ids).order_by("name")
            if may_see_dashboard(actor, a)]


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """From 1 January to today (the year so far)."""
    today = today or timezone.localdate()
    return dt.date(today.year, 1, 1), today


@dataclass
class Dashboard:
    agency: OrgUnit
    report: HandlingReport
    overdue: list[Assignment]
    max_total: int


def dashboard(*, actor, agency: OrgUnit, start: dt.date, end: dt.date,
              now: dt.datetime | None = None) -> Dashboard:
    if not may_see_dashboard(actor, agency):
        raise PermissionDenied()
    report = handling_counts(agency=agency, start=start, end=end, now=now)
    leads = lead_items(agency=agency, start=report.start, end=report.end, now=now)
    overdue = list(
        leads.items.filter(leads.buckets["open_late"])
        .select_related("document", "assignee_unit", "assignee_user")
        .order_by("eff_due", "pk")[:OVERDUE_LIMIT])
    today = timezone.localdate()
    for a in overdue:
        a.days_late = (today - a.eff_due).days if a.eff_due else 0
    max_total = max([r.total for r in report.rows] + [1])
    return Dashboard(agency=agency, report=report, overdue=overdue, max_total=max_total)


# --- the incoming list's filter the counts link to ----------------------------------------------


def handling_filter(filters: dict[str, Any], errors: dict[str, list[str]]) -> Any | None:
    """For selectors.incoming._where: `handling` (a bucket), optional `unit` (the lead's unit),
    `period_from` / `period_to` (assignment dates; default the year so far) and the required
    `agency` → a subquery of the matching document ids, or None when `handling` is not given."""
    bucket = filters.get("handling") or ""
    if not bucket:
        return None
    if bucket not in BUCKETS:
        errors["handling"] = [_("Unknown handling state.")]
        return None
    agency_id = filters.get("agency")
    try:
        agency = OrgUnit.objects.filter(pk=int(agency_id)).first() if agency_id else None
    except (TypeError, ValueError):
        agency = None
    if agency is None:
        errors.setdefault("agency", []).append(_("Choose the agency."))
        return None
    start, end = default_period()
    start = parse_date(filters.get("period_from"), "period_from", errors) or start
    end = parse_date(filters.get("period_to"), "period_to", errors) or end
    try:
        start, end = check_period(start, end)
    except InvalidInput as err:
        errors.update({("period_to" if k == "end" else "period_from"): v
                       for k, v in err.fields.items()})
        return None
    leads = lead_items(agency=agency, start=start, end=end)
    items = leads.items.filter(leads.buckets[bucket])
    unit = filters.get("unit")
    if unit not in (None, ""):
        try:
            items = items.filter(Q(unit=int(unit)))
        except (TypeError, ValueError):
            errors["unit"] = [_("Enter a whole number.")]
            return None
    return items.values("document_id")
