"""The dashboards of directives: the leader's view (directives given by the agency, by lead unit
and bucket, the overdue list, a chart) and the unit's view (directives a unit received, as lead
or support, by bucket). Buckets are those of `buckets.py`, judged on `today`; only directives
`countable_q` admits are counted (not sub-directives, not recurring templates, not cancelled).

Every figure is one grouped statement (index-only on `directive_counts` for the leader's view);
every count has a list behind it, and `count_qs` is that list's filter: the fallback list page
(views/dashboard.py) and the tests use it, so "the number" and "the rows" cannot disagree.

Who may see what (`directives.reports`, catalog.py):
- an agency's dashboard (directives it gave): a `reports` grant covering the agency itself
  (the leader, scope agency) — `may_report_agency`;
- a unit's dashboard and report (directives the unit received): a `reports` grant covering the
  unit, or one on an agency whose subtree holds the unit (the leader follows every unit it
  gives to, as `access` lets a leader give only inside the agency's subtree) — `may_report_unit`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import CharField, Count, F, Q, Value
from django.utils import timezone

from egov.core import policy
from egov.core.errors import InvalidInput, PermissionDenied
from egov.core.models import OrgUnit
from egov.core.pagination import keyset_page

from .. import buckets
from ..models import (
    AssigneeRole,
    Bucket,
    Directive,
    DirectiveAssignee,
    DirectiveCount,
    Recurrence,
)
from .access import REPORTS, active

BUCKETS = [b.value for b in Bucket]
ROLES = ("given", "lead", "support")
OVERDUE_ORDER = ("judged_due_date", "id")


# --- permission -------------------------------------------------------------------------------


def _grants(actor):
    return [g for g in policy.grants_for(actor) if g.action == REPORTS]


def _sees_all(actor) -> bool:
    return bool(active(actor) and (actor.is_superuser
                                   or any(g.scope == "all" for g in _grants(actor))))


def may_report_agency(actor, agency: OrgUnit) -> bool:
    return active(actor) and policy.can(actor, REPORTS, agency)


def may_report_unit(actor, unit: OrgUnit) -> bool:
    if not active(actor):
        return False
    if policy.can(actor, REPORTS, unit):
        return True
    agency_ids = {g.agency_id for g in _grants(actor) if g.scope == "agency" and g.agency_id}
    if not agency_ids:
        return False
    paths = OrgUnit.objects.filter(pk__in=agency_ids).values_list("path", flat=True)
    return any(unit.path.startswith(p) for p in paths)


def report_agencies(actor) -> list[OrgUnit]:
    """The agencies whose leader's dashboard the actor may open."""
    if not active(actor):
        return []
    if _sees_all(actor):
        return list(OrgUnit.objects.filter(agency_id=F("pk")).order_by("name", "id"))
    ids = {g.agency_id for g in _grants(actor) if g.scope == "agency" and g.agency_id}
    ids |= {g.unit_id for g in _grants(actor) if g.scope == "unit"}
    units = OrgUnit.objects.filter(pk__in=ids, agency_id__isnull=False).order_by("name", "id")
    return [u for u in units if u.agency_id == u.pk]


def report_units(actor) -> list[OrgUnit]:
    """Units whose dashboard the actor opens by default: the units of their `reports` grants
    (for an agency-wide grant, the agency itself)."""
    if not active(actor):
        return []
    ids = set()
    for g in _grants(actor):
        ids.add(g.unit_id if g.scope == "unit" else (g.agency_id or g.unit_id))
    if actor.is_superuser and not ids:
        ids = set(OrgUnit.objects.filter(agency_id=F("pk")).values_list("pk", flat=True)[:50])
    return list(OrgUnit.objects.filter(pk__in=ids).order_by("name", "id"))


def agency_for(actor, agency_id: int | None) -> OrgUnit:
    if agency_id is None:
        found = report_agencies(actor)
        agency = found[0] if found else None
    else:
        agency = OrgUnit.objects.filter(pk=agency_id).first()
    if agency is None or not may_report_agency(actor, agency):
        raise PermissionDenied()
    return agency


def unit_for(actor, unit_id: int | None) -> OrgUnit:
    if unit_id is None:
        found = report_units(actor)
        unit = found[0] if found else None
    else:
        unit = OrgUnit.objects.filter(pk=unit_id).first()
    if unit is None or not may_report_unit(actor, unit):
        raise PermissionDenied()
    return unit


# --- the list behind a count --------------------------------------------------------------------


def count_qs(*, role: str, bucket: str | None, unit_id: int | None, agency_id: int | None,
             today: dt.date):
    """The directives a count counts.

    - role "given": given by `agency_id` (countable), optionally led by `unit_id`;
    - role "lead" / "support": received by `unit_id` in that role (a `DirectiveAssignee` row),
      optionally also given by `agency_id`;
    - `bucket` one of the four, or None for all four."""
    if role not in ROLES:
        raise InvalidInput("role", fields={"role": ["given, lead or support"]})
    if bucket is not None and bucket not in BUCKETS:
        raise InvalidInput("bucket", fields={"bucket": [", ".join(BUCKETS)]})
    qs = Directive.objects.filter(buckets.countable_q())
    if role == "given":
        if agency_id is None:
            raise InvalidInput("agency", fields={"agency": ["required"]})
        qs = qs.filter(agency_id=agency_id)
        if unit_id is not None:
            qs = qs.filter(lead_unit_id=unit_id)
    else:
        if unit_id is None:
            raise InvalidInput("unit", fields={"unit": ["required"]})
        if role == "lead":
            # The lead unit is always set on the directive (also when a person leads).
            qs = qs.filter(lead_unit_id=unit_id)
        else:
            # Supporting: the unit itself or one of its people (a subquery, so a directive
            # with two supporting people of the unit is one directive).
            rows = DirectiveAssignee.objects.filter(unit_id=unit_id, role=AssigneeRole.SUPPORT)
            qs = qs.filter(pk__in=rows.values("directive_id"))
        if agency_id is not None:
            qs = qs.filter(agency_id=agency_id)
    if bucket is not None:
        qs = qs.filter(buckets.bucket_q(bucket, today))
    return qs


# --- the leader's view --------------------------------------------------------------------------


def _empty() -> dict[str, int]:
    return dict.fromkeys(BUCKETS, 0)


@dataclass
class UnitRow:
    unit_id: int
    name: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class LeaderDashboard:
    agency: OrgUnit
    today: dt.date
    rows: list[UnitRow] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=_empty)
    overdue: list[Directive] = field(default_factory=list)
    overdue_next: str | None = None

    @property
    def total(self) -> int:
        return sum(self.totals.values())


def grouped_counts(qs, key: str, today: dt.date) -> dict:
    """{key value: {bucket: n}} in one GROUP BY statement."""
    out: dict = {}
    rows = (qs.order_by().annotate(bucket=buckets.bucket_expr(today))
            .values(key, "bucket").annotate(n=Count("id")))
    for r in rows:
        if r["bucket"] is None:
            continue
        out.setdefault(r[key], _empty())[r["bucket"]] = r["n"]
    return out


def bucket_counts(qs, today: dt.date) -> dict[str, int]:
    """{bucket: n} for `qs` in one statement."""
    got = qs.order_by().aggregate(**{
        f"n_{b}": Count("id", filter=buckets.bucket_q(b, today)) for b in BUCKETS})
    return {b: got[f"n_{b}"] or 0 for b in BUCKETS}


def overdue_page(qs, today: dt.date, *, after: str | None = None, limit: int = 20):
    """The overdue directives of `qs`, most overdue first (earliest status deadline), keyset."""
    qs = (qs.filter(buckets.bucket_q(Bucket.OPEN_LATE, today)).select_related("lead_unit")
          .only("id", "code", "title", "judged_due_date", "due_date", "state", "done_on",
                "lead_unit__name", "lead_unit_id"))
    return keyset_page(qs, order=OVERDUE_ORDER, cursor=after, limit=limit)


IN_TIME = "in_time"


def counts_by_lead_unit(agency: OrgUnit, today: dt.date) -> dict[int, dict[str, int]]:
    """{lead unit id: {bucket: n}} of the directives the agency gave, in one statement whose
    parts do not grow with the number of directives done: the trigger-kept `DirectiveCount` (done on
    time, done late, not done — a row per unit and kind) and, among those not done, the ones
    still in time (deadline today or later, or none: a range of the `directive_open_judged`
    index); overdue = not done − in time. Equal to `grouped_counts` over the directives
    (tests and the bench check it)."""
    out: dict[int, dict[str, int]] = {}
    open_n: dict[int, int] = {}
    in_time_n: dict[int, int] = {}
    counts = (DirectiveCount.objects.filter(agency=agency, n__gt=0).order_by()
              .values_list("lead_unit_id", "kind", "n"))
    not_done = Directive.objects.filter(agency=agency, state__in=buckets.NOT_DONE,
                                        parent__isnull=True, recurrence=Recurrence.NONE)
    # The in-time ones as two index ranges, not an OR (which PostgreSQL reads as a filter over
    # every entry of the agency); all three parts in one statement (UNION ALL).
    later, no_due = (not_done.filter(flt).order_by().values("lead_unit_id")
                     .annotate(n=Count("id"), k=Value(IN_TIME, output_field=CharField()))
                     .values_list("lead_unit_id", "k", "n")
                     for flt in (Q(judged_due_date__gte=today), Q(judged_due_date__isnull=True)))
    for unit_id, kind, n in counts.union(later, no_due, all=True):
        if kind == IN_TIME:
            in_time_n[unit_id] = in_time_n.get(unit_id, 0) + n
        elif kind == "open":
            open_n[unit_id] = n
        else:
            out.setdefault(unit_id, _empty())[kind] = n
    for unit_id, n in open_n.items():
        row = out.setdefault(unit_id, _empty())
        row[Bucket.OPEN_ON_TIME] = in_time_n.get(unit_id, 0)
        row[Bucket.OPEN_LATE] = n - in_time_n.get(unit_id, 0)
    return out


def leader_dashboard(*, actor, agency: OrgUnit, today: dt.date | None = None,
                     after: str | None = None, limit: int = 20,
                     named: int | None = 100) -> LeaderDashboard:
    """Directives given by the agency, by lead unit and bucket, with totals and the overdue
    list. Queries: the grants (cached on the actor), the counts (two statements), the units'
    names, the overdue page — whatever the number of units or directives."""
    if not may_report_agency(actor, agency):
        raise PermissionDenied()
    today = today or timezone.localdate()
    base = Directive.objects.filter(buckets.countable_q(), agency=agency)
    by_unit = counts_by_lead_unit(agency, today)
    dash = LeaderDashboard(agency=agency, today=today)
    for unit_id, counts in by_unit.items():
        dash.rows.append(UnitRow(unit_id=unit_id, name="", counts=counts))
        for b, n in counts.items():
            dash.totals[b] += n
    dash.rows.sort(key=lambda r: (-r.counts[Bucket.OPEN_LATE], -r.total, r.unit_id))
    # Names of the rows shown only (`named`, None = all): a province has hundreds of units.
    shown = dash.rows if named is None else dash.rows[:named]
    names = dict(OrgUnit.objects.filter(pk__in=[r.unit_id for r in shown])
                 .values_list("pk", "name"))
    for r in shown:
        r.name = names.get(r.unit_id, "")
    page = overdue_page(base, today, after=after, limit=limit)
    dash.overdue, dash.overdue_next = list(page.items), page.next
    return dash


# --- the unit's view ----------------------------------------------------------------------------


@dataclass
class UnitDashboard:
    unit: OrgUnit
    today: dt.date
    by_role: dict[str, dict[str, int]] = field(default_factory=dict)
    overdue: list[Directive] = field(default_factory=list)
    overdue_next: str | None = None


def unit_dashboard(*, actor, unit: OrgUnit, today: dt.date | None = None,
                   after: str | None = None, limit: int = 20) -> UnitDashboard:
    """Directives the unit received, as lead and as support, by bucket (one GROUP BY per role),
    and the overdue directives it leads."""
    if not may_report_unit(actor, unit):
        raise PermissionDenied()
    today = today or timezone.localdate()
    dash = UnitDashboard(unit=unit, today=today)
    for role in (AssigneeRole.LEAD.value, AssigneeRole.SUPPORT.value):
        qs = count_qs(role=role, bucket=None, unit_id=unit.pk, agency_id=None, today=today)
        dash.by_role[role] = bucket_counts(qs, today)
    led = count_qs(role="lead", bucket=None, unit_id=unit.pk, agency_id=None, today=today)
    page = overdue_page(led, today, after=after, limit=limit)
    dash.overdue, dash.overdue_next = list(page.items), page.next
    return dash


def days_late(d: Directive, today: dt.date) -> int:
    return (today - d.judged_due_date).days if d.judged_due_date else 0

