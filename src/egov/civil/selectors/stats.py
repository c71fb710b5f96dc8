"""Statistics of the civil-status registrations (issue 13): counts per commune × kind of event,
by sex, registered on time or late, and — for births — the completeness buckets.

What is counted: the events REGISTERED in the period (`registered_on` between the two dates,
both included), in the communes the actor may read (`policy.unit_q(actor, "civil.read",
field="commune")`: the registrar's own commune; a province supervisor reads all).

- events      the events written in the books;
- on_time / late   `CivilEvent.late`, set at registration from the catalogue's duty period
              (Luật Hộ tịch 2014, Điều 15.1: a birth within 60 days; Điều 33.1: a death within
              15 days; a marriage has none and is never late);
- male / female    the sex of the event's SUBJECT: the parties whose role is in
              `models.SUBJECT_ROLES` — the child of a birth, the deceased of a death, BOTH
              spouses of a marriage (so a marriage counts one man and one woman: male = female
              = events). A kind added later counts its parties in these roles (a recognition's
              child); a kind without such a party shows 0 and 0. The sexes are those the
              records had when the event was registered (`CivilEvent.subjects_male` /
              `subjects_female`, written with the event): a later change of a record's sex does
              not move the registrations of past periods;
- within_legal_time / within_one_year / later   births only (completeness of birth
              registration): `registered_on − event_date` ≤ the catalogue's duty period (60
              days, Luật Hộ tịch 2014, Điều 15.1), ≤ 365 days, more. None for other kinds.

Queries: a constant number whatever the number of events — one GROUP BY over the events
(commune × kind × month, the counts as FILTER aggregates, the sexes as sums of the events'
columns: no join to the parties and persons) and one for the readable communes (plus the
grants). Python only folds the grouped rows (at most communes × kinds × months), never the
events.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core import policy
from egov.core.errors import InvalidInput, PermissionDenied
from egov.core.models import OrgUnit, OrgUnitKind

from ..models import CivilEvent, EventKind

READ = "civil.read"
# Every count of a row, in the order of the table, the export and the API.
COUNTS = ("events", "male", "female", "on_time", "late", "within_legal_time",
          "within_one_year", "later")
COMPLETENESS = ("within_legal_time", "within_one_year", "later")
ONE_YEAR_DAYS = 365
MAX_PERIOD_DAYS = 3660  # ten years: bounds the chart (months) and the request
YEAR_MIN, YEAR_MAX = 1900, 2100

# Vietnamese headings (the export; the page translates its own labels).
HEADINGS_VI = {
    "events": "Tổng số sự kiện đăng ký", "male": "Nam", "female": "Nữ",
    "on_time": "Đăng ký đúng hạn", "late": "Đăng ký quá hạn",
    "within_legal_time": "Khai sinh trong thời hạn (≤ 60 ngày)",
    "within_one_year": "Khai sinh quá hạn trong 1 năm", "later": "Khai sinh sau 1 năm",
}


def count_labels() -> dict[str, str]:
    return {
        "events": _("Events registered"), "male": _("Male"), "female": _("Female"),
        "on_time": _("On time"), "late": _("Late"),
        "within_legal_time": _("Births within the legal time (60 days)"),
        "within_one_year": _("Births late, within 1 year"),
        "later": _("Births after more than 1 year"),
    }


def birth_duty_days(on: dt.date) -> int:
    """Luật Hộ tịch 2014, Điều 15.1: a birth is registered within 60 days — the catalogue row
    in force on `on`, or the nearest one (catalog.kind_rule_latest)."""
    from ..catalog import kind_rule_latest

    return kind_rule_latest(EventKind.BIRTH, on).duty_days


@dataclass(frozen=True)
class StatsFilter:
    start: dt.date
    end: dt.date
    commune_id: int | None = None
    kind: str | None = None


@dataclass
class Counts:
    kind: str | None
    values: dict[str, int | None] = field(default_factory=dict)

    def __getitem__(self, name: str) -> int | None:
        if name not in COUNTS:
            raise KeyError(name)
        if name in COMPLETENESS and self.kind != EventKind.BIRTH:
            return None
        return self.values.get(name, 0)

    def add(self, other: Counts) -> None:
        for name in COUNTS:
            self.values[name] = self.values.get(name, 0) + (other.values.get(name) or 0)

    def as_dict(self) -> dict[str, int | None]:
        return {name: self[name] for name in COUNTS}


@dataclass
class CommuneRow:
    commune_id: int
    name: str
    by_kind: dict[str, Counts]
    total: Counts


@dataclass
class StatsReport:
    filter: StatsFilter
    kinds: list[tuple[str, str]]
    rows: list[CommuneRow]
    by_kind: dict[str, Counts]
    total: Counts
    months: list[dict]  # {"month": date (1st), "events": n, "by_kind": {kind: n}}


# --- the filter -------------------------------------------------------------------------------


def _int(value, name: str, errors: dict, lo: int, hi: int) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        value = None
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = None
    if number is None or not lo <= number <= hi:
        errors.setdefault(name, []).append(
            _("Enter a whole number from %(lo)d to %(hi)d.") % {"lo": lo, "hi": hi})
        return None
    return number


def _day(value, name: str, errors: dict) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        text = str(value)
        if len(text) != 10:
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        errors.setdefault(name, []).append(_("Enter a valid date (YYYY-MM-DD)."))
        return None


def parse_filter(params: Mapping, *, today: dt.date | None = None) -> StatsFilter:
    """The period, commune and kind from request parameters: `date_from`/`date_to` (ISO dates,
    default the 1st of January to today) or `year` with an optional `quarter` or `month`;
    `commune_id`, `kind`. Errors by the field (InvalidInput)."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    start = _day(params.get("date_from"), "date_from", errors)
    end = _day(params.get("date_to"), "date_to", errors)
    year = _int(params.get("year"), "year", errors, YEAR_MIN, YEAR_MAX)
    quarter = _int(params.get("quarter"), "quarter", errors, 1, 4)
    month = _int(params.get("month"), "month", errors, 1, 12)
    commune_id = _int(params.get("commune_id"), "commune_id", errors, 1, 2**63 - 1)
    kind = params.get("kind") or None
    if kind is not None and kind not in EventKind.values:
        errors.setdefault("kind", []).append(
            _("Choose one of: %(values)s.") % {"values": ", ".join(EventKind.values)})
        kind = None
    if quarter is not None and month is not None:
        errors.setdefault("month", []).append(_("Choose a quarter or a month, not both."))
    if (quarter is not None or month is not None) and year is None and "year" not in errors:
        errors.setdefault("year", []).append(_("Choose the year of the quarter or month."))
    if year is not None and (start is not None or end is not None):
        errors.setdefault("year", []).append(_("Give either a year or dates, not both."))
    if year is not None and not errors:
        if quarter is not None:
            start = dt.date(year, 3 * quarter - 2, 1)
            end = _month_end(year, 3 * quarter)
        elif month is not None:
            start, end = dt.date(year, month, 1), _month_end(year, month)
        else:
            start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    if not errors:
        start = start or dt.date((end or today).year, 1, 1)
        end = end or max(today, start)
        if start > end:
            errors.setdefault("date_to", []).append(
                _("The end of the period is before its start."))
        elif (end - start).days >= MAX_PERIOD_DAYS:
            errors.setdefault("date_to", []).append(
                _("The period is at most %(n)d days.") % {"n": MAX_PERIOD_DAYS})
    if errors:
        raise InvalidInput(_("Check the marked fields."), fields=errors)
    return StatsFilter(start=start, end=end, commune_id=commune_id, kind=kind)


def _month_end(year: int, month: int) -> dt.date:
    first_next = dt.date(year + month // 12, month % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)


# --- the communes -----------------------------------------------------------------------------


def readable_communes(actor) -> list[OrgUnit]:
    """The commune committees whose civil-status records the actor may read, by name (one
    query; the grants are read once per request)."""
    if not policy.can(actor, READ):
        return []
    units = OrgUnit.objects.filter(kind=OrgUnitKind.COMMUNE_COMMITTEE).order_by("name", "pk")
    return [u for u in units if policy.can(actor, READ, u)]


# --- the figures ------------------------------------------------------------------------------


def _events(actor, flt: StatsFilter):
    qs = CivilEvent.objects.filter(policy.unit_q(actor, READ, field="commune"),
                                   registered_on__gte=flt.start, registered_on__lte=flt.end)
    if flt.commune_id is not None:
        qs = qs.filter(commune_id=flt.commune_id)
    if flt.kind is not None:
        qs = qs.filter(kind=flt.kind)
    return qs


def civil_stats(*, actor, flt: StatsFilter, communes: list[OrgUnit] | None = None
                ) -> StatsReport:
    """The figures of `flt` for `actor` (PermissionDenied without civil.read, or for a commune
    they may not read); `communes`: readable_communes(actor) when the caller has them."""
    if communes is None:
        communes = readable_communes(actor)
    if not policy.can(actor, READ):
        raise PermissionDenied(_("You may not read civil-status statistics."))
    names = {u.pk: u.name for u in communes}
    if flt.commune_id is not None:
        unit = OrgUnit.objects.filter(pk=flt.commune_id).first()
        if unit is None or not policy.can(actor, READ, unit):
            raise PermissionDenied(_("You may not read the civil-status records of this "
                                     "commune."))
        names = {unit.pk: unit.name}
    kinds = [(k, str(label)) for k, label in EventKind.choices
             if flt.kind is None or k == flt.kind]
    legal = dt.timedelta(days=birth_duty_days(flt.end))
    year = dt.timedelta(days=ONE_YEAR_DAYS)
    birth = Q(kind=EventKind.BIRTH, event_date__isnull=False)
    # One statement: commune × kind × month, every count a FILTER aggregate (CASE on SQLite);
    # the month rows make the chart, the commune × kind cells add them up.
    grouped = (_events(actor, flt)
               .alias(gap=ExpressionWrapper(F("registered_on") - F("event_date"),
                                            output_field=DurationField()))
               .annotate(month=TruncMonth("registered_on"))
               .values("commune_id", "commune__name", "kind", "month")
               .annotate(events=Count("pk"), late=Count("pk", filter=Q(late=True)),
                         within_legal_time=Count("pk", filter=birth & Q(gap__lte=legal)),
                         within_one_year=Count("pk", filter=birth & Q(gap__gt=legal,
                                                                      gap__lte=year)),
                         later=Count("pk", filter=birth & Q(gap__gt=year)),
                         male=Sum("subjects_male"), female=Sum("subjects_female"))
               .order_by())
    cells: dict[tuple[int, str], Counts] = {}
    per_month = []
    for g in grouped:
        names.setdefault(g["commune_id"], g["commune__name"])
        cell = cells.setdefault((g["commune_id"], g["kind"]), Counts(g["kind"]))
        cell.add(Counts(g["kind"], {
            "events": g["events"], "late": g["late"], "on_time": g["events"] - g["late"],
            "within_legal_time": g["within_legal_time"],
            "within_one_year": g["within_one_year"], "later": g["later"],
            "male": g["male"] or 0, "female": g["female"] or 0}))
        per_month.append({"month": g["month"], "kind": g["kind"], "n": g["events"]})
    months = _months(flt, per_month)

    rows, by_kind = [], {k: Counts(k) for k, _label in kinds}
    total = Counts(None)
    for commune_id, name in sorted(names.items(), key=lambda item: (item[1], item[0])):
        row = CommuneRow(commune_id, name, {}, Counts(None))
        for k, _label in kinds:
            cell = cells.get((commune_id, k)) or Counts(k)
            row.by_kind[k] = cell
            row.total.add(cell)
            by_kind[k].add(cell)
        total.add(row.total)
        rows.append(row)
    # Completeness is a births' figure: a total shows it when births are counted.
    total.kind = EventKind.BIRTH if EventKind.BIRTH in by_kind else None
    for row in rows:
        row.total.kind = total.kind
    return StatsReport(filter=flt, kinds=kinds, rows=rows, by_kind=by_kind, total=total,
                       months=months)


def _months(flt: StatsFilter, per_month) -> list[dict]:
    """Every month of the period (zeros included), with its events by kind."""
    out, index = [], {}
    day = flt.start.replace(day=1)
    while day <= flt.end:
        index[(day.year, day.month)] = len(out)
        out.append({"month": day, "events": 0, "by_kind": {}})
        if day.year == dt.MAXYEAR and day.month == 12:
            break
        day = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    for m in per_month:
        month = m["month"]
        if isinstance(month, dt.datetime):
            month = month.date()
        slot = out[index[(month.year, month.month)]]
        slot["events"] += m["n"]
        slot["by_kind"][m["kind"]] = slot["by_kind"].get(m["kind"], 0) + m["n"]
    return out


def as_json(report: StatsReport) -> dict:
    """The report as the API answers it (the same figures as the page and the export)."""
    flt = report.filter

    def counts(c: Counts) -> dict:
        return c.as_dict()

    return {
        "date_from": flt.start, "date_to": flt.end, "commune_id": flt.commune_id,
        "kind": flt.kind,
        "kinds": [{"code": k, "label": label} for k, label in report.kinds],
        "rows": [{"commune_id": r.commune_id, "commune": r.name, "kind": k, **counts(c)}
                 for r in report.rows for k, c in r.by_kind.items()],
        "by_kind": [{"kind": k, **counts(c)} for k, c in report.by_kind.items()],
        "total": counts(report.total),
        "months": [{"month": m["month"].strftime("%Y-%m"), "events": m["events"],
                    "by_kind": m["by_kind"]} for m in report.months],
    }
