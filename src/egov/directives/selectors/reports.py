"""The periodic report of directives (per unit, or per giving agency, and per period): the four
buckets and the overdue list — what `GET /api/v1/directives/report`, the report page, its
XLSX/PDF and a snapshot sent upward all show.

Which directives a period [from, to] reports (documents.md §19: VPCP reports the tasks "đến
hạn" — falling due — as "đã hoàn thành đúng hạn / quá hạn" and the tasks "chưa hoàn thành" as
"trong hạn / quá hạn"; Báo cáo 1270/BC-TCTTTg):

- the directives that fall due in the period: status deadline (`judged_due_date`) within
  [from, to];
- plus those carried over: due before `from` and not done before `from` (still open when the
  period began, or done on or after `from`);
- plus, for directives without a deadline, those given on or before `to` and not done before
  `from`;
- always: countable (`buckets.countable_q`) and given on or before `to`.

Their bucket is judged as of `as_of = min(to, today)` — the end of the period, or today for a
period not yet over:

- done by `as_of` (state done, `done_on <= as_of`): done on time if `done_on <=
  judged_due_date`, else done late;
- otherwise (open, reported done awaiting acceptance, or done after `as_of`): in time if
  `as_of <= judged_due_date` (or no deadline), else overdue.

So a report of a period already over says what was true at its end, and says it again when
asked later (unless the records themselves change — that is what a snapshot freezes). The
overdue list holds the overdue directives, most overdue first. Known limit: an extension
approved after `to` that moved the status deadline is seen (the deadline is not versioned).

Scope: `unit` given → directives led by that unit (any giver); else the directives given by
the agency. Period at most three years (a yearly report is the largest asked for).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core.errors import InvalidInput, PermissionDenied
from egov.core.models import OrgUnit

from .. import buckets
from ..models import Bucket, Directive, DirectiveState
from . import dashboard

MAX_DAYS = 3 * 366
OVERDUE_LIMIT = 500
DONE = DirectiveState.DONE
NOT_DONE = [DirectiveState.OPEN, DirectiveState.SUBMITTED]


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    agency: OrgUnit | None = None
    unit: OrgUnit | None = None

    @property
    def subject(self) -> OrgUnit:
        return self.unit or self.agency  # type: ignore[return-value]

    def as_of(self, today: dt.date) -> dt.date:
        return min(self.end, today)


def period_for(*, actor, start: dt.date | None, end: dt.date | None,
               unit_id: int | None = None, agency_id: int | None = None,
               today: dt.date | None = None) -> Period:
    """The period asked for, checked (422 with fields) and allowed (403)."""
    today = today or timezone.localdate()
    start = start or today.replace(month=1, day=1)
    end = end or today
    if end < start:
        raise InvalidInput(_("The end of the period is before its start."),
                           fields={"to": [_("Choose a day after the start.")]})
    if (end - start).days > MAX_DAYS:
        raise InvalidInput(_("The period is too long (at most three years)."),
                           fields={"from": [_("Choose a shorter period.")]})
    if unit_id is not None:
        unit = OrgUnit.objects.filter(pk=unit_id).first()
        if unit is None:
            raise InvalidInput(_("Choose a unit from the list."),
                               fields={"unit": [_("Choose a unit from the list.")]})
        if not dashboard.may_report_unit(actor, unit):
            raise PermissionDenied()
        return Period(start=start, end=end, unit=unit)
    if agency_id is None and not dashboard.report_agencies(actor):
        # A unit head reports on their own unit (no agency-wide right): default to it.
        units = dashboard.report_units(actor)
        if units:
            return Period(start=start, end=end, unit=units[0])
    return Period(start=start, end=end, agency=dashboard.agency_for(actor, agency_id))


def period_qs(period: Period):
    """The directives the period reports (see the module's docstring)."""
    start, end = period.start, period.end
    qs = Directive.objects.filter(buckets.countable_q(), given_on__lte=end)
    if period.unit is not None:
        qs = qs.filter(lead_unit=period.unit)
    else:
        qs = qs.filter(agency=period.agency)
    not_done_before_start = Q(state__in=NOT_DONE) | Q(state=DONE, done_on__gte=start)
    return qs.filter(
        Q(judged_due_date__gte=start, judged_due_date__lte=end)
        | (Q(judged_due_date__lt=start) & not_done_before_start)
        | (Q(judged_due_date__isnull=True) & not_done_before_start))


def bucket_q_as_of(bucket: str, as_of: dt.date) -> Q:
    """The bucket of a directive as of a day (see the module's docstring)."""
    done_by = Q(state=DONE, done_on__lte=as_of)
    no_due = Q(judged_due_date__isnull=True)
    if bucket == Bucket.DONE_ON_TIME:
        return done_by & (no_due | Q(done_on__lte=F("judged_due_date")))
    if bucket == Bucket.DONE_LATE:
        return done_by & Q(done_on__gt=F("judged_due_date"))
    # ~done_by must not drop NULL done_on rows: spell "not done by as_of" out.
    not_done_by = Q(state__in=NOT_DONE) | Q(state=DONE, done_on__gt=as_of)
    if bucket == Bucket.OPEN_ON_TIME:
        return not_done_by & (no_due | Q(judged_due_date__gte=as_of))
    if bucket == Bucket.OPEN_LATE:
        return not_done_by & Q(judged_due_date__lt=as_of)
    raise ValueError(bucket)


def bucket_as_of(d: Directive, as_of: dt.date) -> str | None:
    """The same rule in Python, for one directive."""
    if d.state == DONE and d.done_on is not None and d.done_on <= as_of:
        return buckets.bucket_of(state=DONE, done_on=d.done_on,
                                 judged_due_date=d.judged_due_date, today=as_of)
    if d.state in NOT_DONE or d.state == DONE:
        return buckets.bucket_of(state=DirectiveState.OPEN, done_on=None,
                                 judged_due_date=d.judged_due_date, today=as_of)
    return None


@dataclass
class OverdueRow:
    id: int
    code: str
    title: str
    lead_unit: str
    lead_user: str
    given_on: dt.date
    due_date: dt.date | None
    judged_due_date: dt.date
    days_late: int
    progress: int

    def as_json(self) -> dict:
        return {"id": self.id, "code": self.code, "title": self.title,
                "lead_unit": self.lead_unit, "lead_user": self.lead_user,
                "given_on": self.given_on.isoformat(),
                "due_date": self.due_date.isoformat() if self.due_date else None,
                "judged_due_date": self.judged_due_date.isoformat(),
                "days_late": self.days_late, "progress": self.progress}


@dataclass
class PeriodicReport:
    period: Period
    as_of: dt.date
    counts: dict[str, int] = field(default_factory=dict)
    overdue: list[OverdueRow] = field(default_factory=list)
    overdue_truncated: bool = False

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def as_json(self) -> dict:
        """The shape of the API answer and of a snapshot's data."""
        p = self.period
        return {
            "from": p.start.isoformat(), "to": p.end.isoformat(),
            "as_of": self.as_of.isoformat(),
            "unit": {"id": p.unit.pk, "name": p.unit.name} if p.unit else None,
            "agency": {"id": p.agency.pk, "name": p.agency.name} if p.agency else None,
            **{b: self.counts.get(b, 0) for b in dashboard.BUCKETS},
            "total": self.total,
            "overdue": [r.as_json() for r in self.overdue],
            "overdue_truncated": self.overdue_truncated,
        }


def periodic_report(period: Period, *, today: dt.date | None = None,
                    overdue_limit: int = OVERDUE_LIMIT) -> PeriodicReport:
    """Two statements: the four counts, the overdue list (most overdue first, at most
    `overdue_limit` rows; the counts always cover all)."""
    today = today or timezone.localdate()
    as_of = period.as_of(today)
    qs = period_qs(period).order_by()
    got = qs.aggregate(**{f"n_{b}": Count("id", filter=bucket_q_as_of(b, as_of))
                          for b in dashboard.BUCKETS})
    report = PeriodicReport(period=period, as_of=as_of,
                            counts={b: got[f"n_{b}"] or 0 for b in dashboard.BUCKETS})
    late = list(qs.filter(bucket_q_as_of(Bucket.OPEN_LATE, as_of))
                .order_by("judged_due_date", "id")
                .values("id", "code", "title", "lead_unit__name", "lead_user__full_name",
                        "given_on", "due_date", "judged_due_date", "progress")
                [:overdue_limit + 1])
    report.overdue_truncated = len(late) > overdue_limit
    report.overdue = [OverdueRow(
        id=r["id"], code=r["code"], title=r["title"], lead_unit=r["lead_unit__name"] or "",
        lead_user=r["lead_user__full_name"] or "", given_on=r["given_on"],
        due_date=r["due_date"], judged_due_date=r["judged_due_date"],
        days_late=(as_of - r["judged_due_date"]).days, progress=r["progress"])
        for r in late[:overdue_limit]]
    return report
