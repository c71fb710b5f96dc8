"""Báo cáo tình hình giải quyết văn bản đến (NĐ 30/2020 Phụ lục VI §V): per unit and period, the
lead assignments in the four buckets of the VPCP reporting vocabulary (documents.md §19, design
consequence 13):

    done_on_time  hoàn thành đúng hạn        done_late  hoàn thành quá hạn
    open_on_time  chưa hoàn thành trong hạn   open_late  chưa hoàn thành quá hạn

Rules (decided here, tested in tests/documents/test_reports.py):

- Which items: lead assignments (role "lead") of the agency's incoming documents, given in the
  period (assigned_at's Vietnamese date between `start` and `end`), in state open or done — a
  forwarded, returned or cancelled assignment is replaced by another one or dropped — and only
  the most specific one: a lead assignment re-assigned inside the unit (a child lead assignment
  that is open or done) is counted through its child. Documents cancelled by the issuer's recall
  are left out.
- Unit: the assignee unit; for an assignment to a person only, the unit of that person's primary
  post (valid at the cut-off).
- Cut-off ("as of"): the end of the period's last day, or now if the period is not over.
  An item is done if it was finished by the cut-off; an item finished later counts as open.
- The deadline is the end of the due date (Vietnamese time). A due date that is not a working day
  runs to the end of the next working day (BLDS 2015 Điều 148.5), taken from egov.core.calendar.
  No due date = never late.
- on_time_rate = (done_on_time + open_on_time) / total — the complement of the overdue ratio
  VPCP reports; None when there are no items.

The counts come from ONE grouped SQL query with conditional sums (Sum(Case(When…))) — no Python
loop over assignments.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    BigIntegerField,
    Case,
    DateField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core import calendar
from egov.core.errors import InvalidInput
from egov.core.models import OrgUnit, Position

from ..models import Assignment, AssignmentState, IncomingState
from .registers import require_reports

BUCKETS = ("done_on_time", "done_late", "open_on_time", "open_late")

# Legal wording of the buckets (printed in exports; the page translates its own labels).
BUCKET_HEADINGS = {
    "done_on_time": "Hoàn thành đúng hạn",
    "done_late": "Hoàn thành quá hạn",
    "open_on_time": "Chưa hoàn thành trong hạn",
    "open_late": "Chưa hoàn thành quá hạn",
}

MAX_PERIOD_DAYS = 3660


@dataclass
class HandlingRow:
    unit_id: int | None
    unit_name: str
    done_on_time: int = 0
    done_late: int = 0
    open_on_time: int = 0
    open_late: int = 0

    @property
    def total(self) -> int:
        return self.done_on_time + self.done_late + self.open_on_time + self.open_late

    @property
    def done(self) -> int:
        return self.done_on_time + self.done_late

    @property
    def on_time_rate(self) -> float | None:
        """Share of the items that are not late (done on time or still in time)."""
        return (self.done_on_time + self.open_on_time) / self.total if self.total else None

    def as_dict(self) -> dict:
        return {"unit_id": self.unit_id, "unit_name": self.unit_name,
                **{b: getattr(self, b) for b in BUCKETS}, "total": self.total,
                "on_time_rate": self.on_time_rate}


@dataclass
class HandlingReport:
    agency: OrgUnit
    start: dt.date
    end: dt.date
    as_of: dt.datetime
    rows: list[HandlingRow] = field(default_factory=list)
    totals: HandlingRow = field(default_factory=lambda: HandlingRow(None, ""))

    @property
    def on_time_rate(self) -> float | None:
        return self.totals.on_time_rate


def check_period(start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    errors: dict[str, list[str]] = {}
    if start is None:
        errors["start"] = [_("Enter the first day of the period.")]
    if end is None:
        errors["end"] = [_("Enter the last day of the period.")]
    if not errors and end < start:
        errors["end"] = [_("The end date is before the start date.")]
    if not errors and (end - start).days > MAX_PERIOD_DAYS:
        errors["end"] = [_("The period may be at most ten years.")]
    if errors:
        raise InvalidInput(_("Check the period."), fields=errors)
    return start, end


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=calendar.LOCAL_TZ)


def _effective_due(due_dates) -> Case | F:
    """The due date moved past non-working days (BLDS 2015 Điều 148.5) as an SQL expression:
    a CASE over the few distinct due dates that are not working days."""
    rolled = {d: calendar.next_working_day(d, include=True)
              for d in due_dates if not calendar.is_working_day(d)}
    if not rolled:
        return F("due_date")
    return Case(*[When(due_date=d, then=Value(r)) for d, r in sorted(rolled.items())],
                default=F("due_date"), output_field=DateField())


def _one(condition: Q) -> Case:
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


@dataclass
class LeadItems:
    """The report's items (see the module doc) annotated with `unit`, `eff_due` and
    `finished_day`, and the SQL condition of each bucket: shared by the report's counts and the
    lists the dashboard links to (the same rules, so a count and its list agree)."""

    items: Any
    buckets: dict[str, Q]
    as_of: dt.datetime


def lead_items(*, agency: OrgUnit, start: dt.date, end: dt.date,
               now: dt.datetime | None = None) -> LeadItems:
    """No permission check: the callers check (handling_report, the dashboard, the list)."""
    now = now or timezone.now()
    as_of = min(_local_midnight(end + dt.timedelta(days=1)), now)
    as_of_date = timezone.localtime(as_of, calendar.LOCAL_TZ).date()
    if as_of == now and as_of < _local_midnight(end + dt.timedelta(days=1)):
        cutoff_date = as_of_date  # the period is current: open items are judged against today
    else:
        cutoff_date = end  # judged at the end of the last day: due that day is still in time

    superseded = Assignment.objects.filter(
        parent=OuterRef("pk"), role="lead",
        state__in=[AssignmentState.OPEN, AssignmentState.DONE])
    base = (
        Assignment.objects.filter(
            document__agency=agency, role="lead",
            state__in=[AssignmentState.OPEN, AssignmentState.DONE],
            assigned_at__gte=_local_midnight(start),
            assigned_at__lt=_local_midnight(end + dt.timedelta(days=1)),
        )
        .exclude(document__state=IncomingState.CANCELLED)
        .exclude(Exists(superseded))
    )
    due_dates = list(base.filter(due_date__isnull=False).order_by()
                     .values_list("due_date", flat=True).distinct())
    person_unit = (
        Position.objects.filter(user=OuterRef("assignee_user"), valid_from__lte=as_of_date)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=as_of_date))
        .order_by("-is_primary", "id").values("org_unit")[:1]
    )
    done = Q(state=AssignmentState.DONE, finished_at__isnull=False, finished_at__lte=as_of)
    no_due = Q(due_date__isnull=True)
    items = base.annotate(
        unit=Coalesce(F("assignee_unit_id"), Subquery(person_unit),
                      output_field=BigIntegerField()),
        eff_due=_effective_due(due_dates),
        finished_day=TruncDate("finished_at", tzinfo=calendar.LOCAL_TZ),
    )
    buckets = {
        "done_on_time": done & (no_due | Q(finished_day__lte=F("eff_due"))),
        "done_late": done & Q(finished_day__gt=F("eff_due")),
        "open_on_time": ~done & (no_due | Q(eff_due__gte=cutoff_date)),
        "open_late": ~done & Q(eff_due__lt=cutoff_date),
    }
    return LeadItems(items=items, buckets=buckets, as_of=as_of)


def handling_report(*, actor, agency: OrgUnit, start: dt.date, end: dt.date,
                    now: dt.datetime | None = None) -> HandlingReport:
    """The handling report of `agency` for the period [start, end] (see the module doc)."""
    require_reports(actor, agency)
    return handling_counts(agency=agency, start=start, end=end, now=now)


def handling_counts(*, agency: OrgUnit, start: dt.date, end: dt.date,
                    now: dt.datetime | None = None) -> HandlingReport:
    """handling_report without the permission check (the caller checks)."""
    start, end = check_period(start, end)
    leads = lead_items(agency=agency, start=start, end=end, now=now)
    as_of = leads.as_of
    grouped = (
        leads.items.values("unit")
        .annotate(**{b: Sum(_one(leads.buckets[b])) for b in BUCKETS})
        .order_by()
    )
    counts = list(grouped)
    units = {pk: (name, path) for pk, name, path in OrgUnit.objects.filter(
        pk__in=[c["unit"] for c in counts if c["unit"]]).values_list("id", "name", "path")}
    names = {pk: v[0] for pk, v in units.items()}
    paths = {pk: v[1] for pk, v in units.items()}
    rows = [
        HandlingRow(c["unit"], names.get(c["unit"], "") or _("No unit"),
                    **{b: int(c[b] or 0) for b in BUCKETS})
        for c in counts
    ]
    rows.sort(key=lambda r: (r.unit_id is None, paths.get(r.unit_id, ""), r.unit_name))
    totals = HandlingRow(None, _("Total"), **{b: sum(getattr(r, b) for r in rows)
                                               for b in BUCKETS})
    return HandlingReport(agency=agency, start=start, end=end, as_of=as_of, rows=rows,
                          totals=totals)
