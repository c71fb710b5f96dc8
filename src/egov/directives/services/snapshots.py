"""Sending a periodic report upward: the report is frozen as a `ReportSnapshot` (its figures and
overdue list as JSON, the title, who sent it and when). Reopening a snapshot — page, XLSX or
PDF — renders from that JSON only, so it shows what was reported even after the directives
changed (issue 12: "a report sent upward is frozen as a snapshot").

Who may send: whoever may see the report (`directives.reports` on the unit or the agency,
selectors/dashboard.py). Who may reopen: the same rule on the snapshot's unit or agency, or
the sender. One audit event per snapshot (`directive.report.send`)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from egov.core.audit import audit_log
from egov.core.errors import NotFound

from ..models import ReportSnapshot
from ..selectors import dashboard
from ..selectors import reports as sel


def report_title(period: sel.Period) -> str:
    """Vietnamese, as the report goes upward in Vietnamese whatever the sender's language."""
    return (f"Báo cáo tình hình thực hiện nhiệm vụ — {period.subject.name} — "
            f"từ {period.start:%d/%m/%Y} đến {period.end:%d/%m/%Y}")


def snapshot_send(*, actor, period: sel.Period, today: dt.date | None = None) -> ReportSnapshot:
    """Freeze the report of `period` (already checked by `sel.period_for`) and mark it sent."""
    report = sel.periodic_report(period, today=today)
    agency = period.agency or (period.unit.agency if period.unit.agency_id else period.unit)
    now = timezone.now()
    with transaction.atomic():
        snap = ReportSnapshot.objects.create(
            agency=agency, unit=period.unit, period_from=period.start, period_to=period.end,
            title=report_title(period), data=report.as_json(), created_by=actor,
            created_at=now, sent_at=now)
        audit_log(actor=actor, action="directive.report.send", obj=snap,
                  details={"from": period.start, "to": period.end,
                           "unit": period.unit.pk if period.unit else None,
                           "agency": agency.pk, **{b: report.counts[b]
                                                   for b in dashboard.BUCKETS}})
    return snap


def may_see(actor, snap: ReportSnapshot) -> bool:
    if snap.created_by_id == getattr(actor, "pk", None):
        return True
    if snap.unit_id is not None:
        return dashboard.may_report_unit(actor, snap.unit)
    return dashboard.may_report_agency(actor, snap.agency)


def snapshot_get(*, actor, pk: int) -> ReportSnapshot:
    snap = (ReportSnapshot.objects.select_related("agency", "unit", "created_by")
            .filter(pk=pk).first())
    if snap is None or not dashboard.active(actor) or not may_see(actor, snap):
        raise NotFound()
    return snap


def snapshot_list(*, actor, after: str | None = None, limit: int = 50):
    """Snapshots the actor may reopen, newest first (keyset): those they sent, those of the
    units and agencies their `reports` grants cover."""
    from django.db.models import Q

    from egov.core import policy
    from egov.core.models import OrgUnit
    from egov.core.pagination import keyset_page

    if not dashboard.active(actor):
        return keyset_page(ReportSnapshot.objects.none(), order=("-id",), cursor=None,
                           limit=limit)
    qs = ReportSnapshot.objects.select_related("agency", "unit", "created_by")
    if not dashboard._sees_all(actor):
        grants = dashboard._grants(actor)
        agency_ids = sorted({g.agency_id for g in grants if g.scope == "agency"
                             and g.agency_id})
        unit_paths = sorted({g.unit_path for g in grants if g.scope == "unit"})
        cond = Q(created_by=actor) | policy.unit_q(actor, dashboard.REPORTS, "unit")
        if agency_ids:
            cond |= Q(agency_id__in=agency_ids)
            # A leader follows the units of the agency's subtree (dashboard.may_report_unit).
            for path in OrgUnit.objects.filter(pk__in=agency_ids).values_list("path", flat=True):
                cond |= Q(unit__path__startswith=path)
        for path in unit_paths:
            cond |= Q(unit__isnull=True, agency__path__startswith=path)
        qs = qs.filter(cond)
    return keyset_page(qs, order=("-id",), cursor=after, limit=limit)
