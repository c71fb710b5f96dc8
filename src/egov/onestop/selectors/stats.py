"""Statistics of the one-stop desk and the national index's on-time rate (services.md §1.6, §1.9).

Which dossiers a period counts ("dossiers received or processed in the period", QĐ 766 formula
sheet): every dossier received (NgayTiepNhan, `received_at`) by the period's end and not ended
(NgayKetThucXuLy, `ended_at`) before its start — `new` when received in the period,
`carried_over` when received before it. Dossiers never received (guidance, refused at the
check, online submissions waiting for the officer) are not counted; refusals are shown apart.

Each counted dossier falls in exactly one bucket of `rules.index_judgement`, judged at `as_of`
(the end of the period's last day, or now while the period runs):

    early / on_time / late   ended by `as_of` (resolved, returned, stopped or withdrawn: the
                             first terminal state is NgayKetThucXuLy), against `due_at`, which
                             already has the supplement pauses added;
    in_time / overdue        unfinished at `as_of`; a dossier waiting on a supplement is
                             measured at the request date (`paused_since`) and is overdue when a
                             supplement was requested more than once.

on_time_rate = (early + on_time + in_time) / counted — Tỷ lệ đúng hạn of QĐ 766 indicator 2.1.

The SQL CASE below is the rule's if-chain, branch for branch; tests/onestop/test_stats.py
checks with generated dossiers that both give the same bucket for every dossier.

The dossiers that ended on the period's past days are judged once and for all: their counts
come from the summary kept by the dossier services (selectors/stats_summary.py,
services/stats_summary.py). The others — still open, or ended after the summary's last day —
are judged live by ONE grouped statement (the bucket is a GROUP BY key, the other counts are
FILTER aggregates); on PostgreSQL indicator 2.2's sums are FILTER aggregates of the same
statement (see `_solving_aggregates`), on SQLite one more (see `_solving_days`).
tests/onestop/test_stats_property.py checks that the report through the summary equals the
purely live report (`stats_report(live=True)`) for random histories.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db import connection, transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    FilteredRelation,
    IntegerField,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core import calendar, policy
from egov.core.errors import InvalidInput, PermissionDenied
from egov.core.models import OrgUnit

from .. import rules
from ..models import Channel, Dossier, DossierState, Procedure, ResultMedium
from . import stats_summary as summary

JUDGED = (rules.EARLY, rules.ON_TIME, rules.LATE, rules.IN_TIME, rules.OVERDUE)
# Every count of a row, in the order of the table, the export and the API.
COUNTS = ("received", "new", "carried_over", *JUDGED, "resolved", "supplemented", "stopped",
          "withdrawn", "refused")
# Counts behind the QĐ 766 indicators (not columns of the table).
EXTRA = ("dissatisfied", "online", "online_counted", "electronic", "finished")
GROUPS = {"unit": "competent_unit", "agency": "agency", "procedure": "procedure",
          "channel": "channel"}
MAX_PERIOD_DAYS = 3660
DESK_LIST = "/onestop/desk/"  # the desk's dossier list (docs/onestop.md "Statistics links")

# Vietnamese headings of the counts (the export; the page translates its own labels).
HEADINGS_VI = {
    "received": "Tổng số hồ sơ", "new": "Tiếp nhận mới trong kỳ",
    "carried_over": "Kỳ trước chuyển qua", "early": "Đã giải quyết trước hạn",
    "on_time": "Đã giải quyết đúng hạn", "late": "Đã giải quyết quá hạn",
    "in_time": "Đang giải quyết trong hạn", "overdue": "Đang giải quyết quá hạn",
    "resolved": "Trong đó: có kết quả", "supplemented": "Có yêu cầu bổ sung",
    "stopped": "Dừng xử lý", "withdrawn": "Công dân rút hồ sơ",
    "refused": "Không được tiếp nhận", "on_time_rate": "Tỷ lệ đúng hạn (%)",
}


def count_labels() -> dict[str, str]:
    return {
        "received": _("Counted"), "new": _("Received in the period"),
        "carried_over": _("Carried over"), "early": _("Finished early"),
        "on_time": _("Finished on time"), "late": _("Finished late"),
        "in_time": _("In progress, in time"), "overdue": _("In progress, overdue"),
        "resolved": _("With a result"), "supplemented": _("Supplement requested"),
        "stopped": _("Stopped on request"), "withdrawn": _("Withdrawn by the applicant"),
        "refused": _("Refused at the check"),
    }


@dataclass
class StatsRow:
    key: object  # unit id, procedure id or channel code; None for the totals
    name: str
    counts: dict[str, int] = field(default_factory=dict)

    def __getitem__(self, name: str) -> int:
        return self.counts.get(name, 0)

    @property
    def on_time_rate(self) -> float | None:
        total = self["received"]
        if not total:
            return None
        return (self["early"] + self["on_time"] + self["in_time"]) / total

    def as_dict(self) -> dict:
        return {"key": self.key, "name": self.name, **{c: self[c] for c in COUNTS},
                "on_time_rate": self.on_time_rate}


@dataclass
class StatsFilter:
    start: dt.date
    end: dt.date
    unit: OrgUnit | None = None
    procedure: Procedure | None = None
    channel: str = ""
    group: str = "unit"

    def params(self) -> dict[str, str]:
        out = {"from": self.start.isoformat(), "to": self.end.isoformat()}
        if self.unit is not None:
            out["unit"] = str(self.unit.pk)
        if self.procedure is not None:
            out["procedure"] = str(self.procedure.pk)
        if self.channel:
            out["channel"] = self.channel
        return out


@dataclass
class StatsReport:
    filter: StatsFilter
    as_of: dt.datetime
    rows: list[StatsRow]
    totals: StatsRow
    extra: dict[str, int]
    solving: list[dict]  # indicator 2.2 per procedure

    @property
    def on_time_rate(self) -> float | None:
        return self.totals.on_time_rate


# --- period and filters ------------------------------------------------------------------------


def parse_day(value, name: str, errors: dict) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        errors[name] = [_("Enter a date as YYYY-MM-DD.")]
        return None


def check_period(start: dt.date | None, end: dt.date | None, errors: dict | None = None,
                 ) -> tuple[dt.date, dt.date]:
    errors = dict(errors or {})
    if start is None and "from" not in errors:
        errors["from"] = [_("Enter the first day of the period.")]
    if end is None and "to" not in errors:
        errors["to"] = [_("Enter the last day of the period.")]
    if not errors and end < start:
        errors["to"] = [_("The end date is before the start date.")]
    if not errors and (end - start).days > MAX_PERIOD_DAYS:
        errors["to"] = [_("The period may be at most ten years.")]
    if errors:
        raise InvalidInput(_("Check the period."), fields=errors)
    return start, end


def local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=calendar.LOCAL_TZ)


def period_bounds(start: dt.date, end: dt.date, now: dt.datetime | None = None,
                  ) -> tuple[dt.datetime, dt.datetime]:
    """(first instant, as_of): as_of is the last instant of the last day (a microsecond before
    the local midnight after it, so that a dossier received at that midnight belongs to the next
    period), or now while the period runs — the instant an unfinished dossier is measured at."""
    now = now or timezone.now()
    last = local_midnight(end + dt.timedelta(days=1)) - dt.timedelta(microseconds=1)
    return local_midnight(start), min(last, now)


# --- the rule in SQL ---------------------------------------------------------------------------


def judgement_sql(as_of: dt.datetime) -> Case:
    """`rules.index_judgement` as one CASE, branch for branch (first match wins). Needs the
    annotations `end_day` and `due_day` (local dates)."""
    ended = Q(ended_at__isnull=False, ended_at__lte=as_of)
    waiting = Q(paused_since__isnull=False, paused_since__lte=as_of)
    return Case(
        When(ended & Q(ended_at__gt=F("due_at")), then=Value(rules.LATE)),
        When(ended & Q(end_day__lt=F("due_day")), then=Value(rules.EARLY)),
        When(ended, then=Value(rules.ON_TIME)),
        When(waiting & Q(supplement_requests__gt=1), then=Value(rules.OVERDUE)),
        When(waiting & Q(paused_since__gt=F("due_at")), then=Value(rules.OVERDUE)),
        When(waiting, then=Value(rules.IN_TIME)),
        When(due_at__lt=as_of, then=Value(rules.OVERDUE)),
        default=Value(rules.IN_TIME), output_field=CharField(),
    )


def counted_q(first: dt.datetime, as_of: dt.datetime) -> Q:
    """Received by `as_of` (with a promised time) and not ended before the period."""
    return (Q(received_at__isnull=False, received_at__lte=as_of, due_at__isnull=False)
            & (Q(ended_at__isnull=True) | Q(ended_at__gte=first)))


def judged(qs, as_of: dt.datetime):
    return qs.annotate(
        end_day=TruncDate("ended_at", tzinfo=calendar.LOCAL_TZ),
        due_day=TruncDate("due_at", tzinfo=calendar.LOCAL_TZ),
    ).annotate(judgement=judgement_sql(as_of))


def scope_q(actor) -> Q:
    """The dossiers whose statistics the actor may see: received by or for a unit their
    `onestop.reports` grant covers (scope unit / agency / all)."""
    return (policy.unit_q(actor, "onestop.reports", "competent_unit")
            | policy.unit_q(actor, "onestop.reports", "agency"))


def require_stats(actor, unit: OrgUnit | None) -> None:
    if not policy.can(actor, "onestop.reports", unit):
        raise PermissionDenied()


def _filtered(actor, flt: StatsFilter):
    qs = Dossier.objects.filter(scope_q(actor))
    if flt.unit is not None:
        qs = qs.filter(Q(competent_unit=flt.unit) | Q(agency=flt.unit))
    if flt.procedure is not None:
        qs = qs.filter(procedure=flt.procedure)
    if flt.channel:
        qs = qs.filter(channel=flt.channel)
    return qs


# --- the report ---------------------------------------------------------------------------------

_RESOLVED = (DossierState.RESOLVED, DossierState.RETURNED)


def _aggregates(first: dt.datetime, as_of: dt.datetime) -> dict:
    ended = Q(ended_at__isnull=False, ended_at__lte=as_of)
    new = Q(received_at__gte=first)
    return {
        "n": Count("id"),
        "new": Count("id", filter=new),
        "resolved": Count("id", filter=ended & Q(state__in=_RESOLVED)),
        "supplemented": Count("id", filter=Q(supplement_requests__gte=1)),
        "stopped": Count("id", filter=ended & Q(state=DossierState.STOPPED)),
        "withdrawn": Count("id", filter=ended & Q(state=DossierState.WITHDRAWN)),
        "finished": Count("id", filter=ended),
        "dissatisfied": Count("unhappy"),
        "online": Count("id", filter=new & Q(channel=Channel.ONLINE)),
        # QĐ 766 3.3: for a paper result, online counts only when the result is electronic too.
        "online_counted": Count("id", filter=new & Q(channel=Channel.ONLINE)
                                & ~Q(result_medium=ResultMedium.PAPER)),
        "electronic": Count("id", filter=ended & Q(state__in=_RESOLVED,
                                                    result_medium=ResultMedium.ELECTRONIC)),
    }


def stats_report(*, actor, flt: StatsFilter, now: dt.datetime | None = None,
                 live: bool = False) -> StatsReport:
    """The statistics of the period for the dossiers the actor may see, grouped by `flt.group`
    (see the module doc). The dossiers that ended on the period's past days come from the
    summary (selectors/stats_summary.py: one statement over its rows, one for those of them
    received before the period); the others are judged live by one grouped statement on
    PostgreSQL, two on SQLite (+ one for the refusals, one or two for the names).

    `live=True` judges every dossier live, without the summary: the reference the summary is
    tested against (tests/onestop/test_stats_property.py), and a check of a suspect summary."""
    require_stats(actor, flt.unit)
    if flt.group not in GROUPS:
        raise InvalidInput(_("Check the grouping."),
                           fields={"group": [_("Choose unit, agency, procedure or channel.")]})
    check_period(flt.start, flt.end)
    first, as_of = period_bounds(flt.start, flt.end, now)
    base = _filtered(actor, flt)
    key = GROUPS[flt.group]
    if live:
        parts, last, cut = [base], None, first
    else:
        last, cut = summary.summary_days(flt.start, flt.end, first, as_of)
        parts = summary.live_parts(base, cut, as_of)
    one_pass = connection.vendor == "postgresql"
    keys = (key, "judgement")
    aggregates = _aggregates(first, as_of)
    if one_pass:
        # Indicator 2.2's sums ride along in the same statement (grouped by procedure too),
        # instead of a second pass over the dossiers (bench: −0.35 s of ~1.1 s).
        keys = keys if key == "procedure" else (*keys, "procedure")
        aggregates.update(_solving_aggregates(first, as_of))
    # Only the dissatisfied ratings are joined (a small hash), not every rating.
    grouped = [judged(part.filter(counted_q(first, as_of)).annotate(
        unhappy=FilteredRelation("rating", condition=Q(rating__satisfied=False))), as_of)
        .values(*keys).annotate(**aggregates).order_by() for part in parts]
    ended = carried = ()
    if last is not None:
        skeys = (key, "kind") if key == "procedure" else (key, "kind", "procedure")
        ended = summary.summary_grouped(scope_q(actor), flt, skeys, flt.start, last)
        carried = summary.carried_grouped(base, key, first, cut)
    with transaction.atomic():
        _tune()
        report = _report(flt, key, grouped, base, parts, first, as_of, one_pass, ended,
                         carried)
    return report


def _tune() -> None:
    """PostgreSQL: a report groups a few hundred rows out of up to a million — enough memory
    for an in-memory sort/hash and no JIT compilation (it costs more than it saves here); SET
    LOCAL ends with the transaction."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SET LOCAL work_mem = '64MB'")
            cur.execute("SET LOCAL jit = off")


def _report(flt, key, grouped, base, parts, first, as_of, one_pass, ended, carried,
            ) -> StatsReport:
    rows: dict[object, StatsRow] = {}
    extra = dict.fromkeys(EXTRA, 0)
    solving_acc: dict[int, list[int]] = {}  # procedure → [dossiers, working days]
    for rec in ended:  # the summary: ended dossiers, judged once and for all
        n = rec["t_n"]
        if rec["t_resolved"]:
            slot = solving_acc.setdefault(rec["procedure"], [0, 0])
            slot[0] += rec["t_resolved"]
            slot[1] += rec["t_solved_days"]
        c = rows.setdefault(rec[key], StatsRow(rec[key], "")).counts
        for name, value in ((rec["kind"], n), ("received", n), ("new", n),
                            *((m, rec[f"t_{m}"]) for m in ("resolved", "supplemented",
                                                           "stopped", "withdrawn"))):
            c[name] = c.get(name, 0) + value
        extra["finished"] += n
        for name in ("dissatisfied", "online", "online_counted", "electronic"):
            extra[name] += rec[f"t_{name}"]
    for rec in carried:  # of those, the ones received before the period are not new
        c = rows.setdefault(rec[key], StatsRow(rec[key], "")).counts
        c["new"] = c.get("new", 0) - rec["n"]
        c["carried_over"] = c.get("carried_over", 0) + rec["n"]
        extra["online"] -= rec["online"]
        extra["online_counted"] -= rec["online_counted"]
    for rec in (rec for statement in grouped for rec in statement):
        if one_pass and rec["resolved"]:
            slot = solving_acc.setdefault(rec["procedure"], [0, 0])
            slot[0] += rec["resolved"]
            slot[1] += int(rec["end_w"]) - int(rec["recv_w"]) - int(rec["paused"] or 0)
        row = rows.setdefault(rec[key], StatsRow(rec[key], ""))
        c = row.counts
        c[rec["judgement"]] = c.get(rec["judgement"], 0) + rec["n"]
        c["received"] = c.get("received", 0) + rec["n"]
        c["new"] = c.get("new", 0) + rec["new"]
        c["carried_over"] = c.get("carried_over", 0) + rec["n"] - rec["new"]
        for name in ("resolved", "supplemented", "stopped", "withdrawn"):
            c[name] = c.get(name, 0) + rec[name]
        for name in EXTRA:
            extra[name] += rec[name]
    # Refused at the check (Mẫu 03): never received, so outside the counted dossiers.
    refused = (base.filter(state=DossierState.REFUSED, submitted_at__gte=first,
                           submitted_at__lte=as_of)
               .values(key).annotate(n=Count("id")).order_by())
    for rec in refused:
        row = rows.setdefault(rec[key], StatsRow(rec[key], ""))
        row.counts["refused"] = row.counts.get("refused", 0) + rec["n"]
    _name_rows(flt.group, rows)
    ordered = sorted(rows.values(), key=lambda r: (r.name.casefold(), str(r.key)))
    totals = StatsRow(None, _("Total"), {c: sum(r[c] for r in ordered) for c in COUNTS})
    for part in () if one_pass else parts:
        for pk, (n, days) in _solving_acc(part, first, as_of).items():
            slot = solving_acc.setdefault(pk, [0, 0])
            slot[0] += n
            slot[1] += days
    solving = _solving_rows(solving_acc)
    return StatsReport(filter=flt, as_of=as_of, rows=ordered, totals=totals, extra=extra,
                       solving=solving)


def _name_rows(group: str, rows: dict[object, StatsRow]) -> None:
    if group in ("unit", "agency"):
        names = dict(OrgUnit.objects.filter(pk__in=list(rows)).values_list("id", "name"))
    elif group == "procedure":
        names = {pk: f"{code} {name}" for pk, code, name in
                 Procedure.objects.filter(pk__in=list(rows)).values_list("id", "code", "name")}
    else:
        names = {c.value: str(c.label) for c in Channel}
    for key, row in rows.items():
        row.name = names.get(key, str(key))


def _solving_days(base, first: dt.datetime, as_of: dt.datetime) -> list[dict]:
    """Indicator 2.2 per procedure over `base` alone, as rows (see `_solving_acc`)."""
    return _solving_rows(_solving_acc(base, first, as_of))


def _solving_acc(base, first: dt.datetime, as_of: dt.datetime) -> dict[int, list[int]]:
    """QĐ 766 indicator 2.2 per procedure, over the dossiers with a result in the period:
    average of (working days from the receipt date to the end date − working days paused).

    working_days_between(a, b) = W(b) − W(a) where W(d) counts the working days up to d, so the
    sum over dossiers is Σ W(end day) − Σ W(receipt day): one statement grouped by procedure
    and day (at most a few hundred days per procedure), never a row per dossier."""
    resolved = base.filter(counted_q(first, as_of), ended_at__isnull=False,
                           ended_at__lte=as_of, state__in=_RESOLVED)
    recv = (resolved.annotate(day=TruncDate("received_at", tzinfo=calendar.LOCAL_TZ),
                              kind=Value(0))
            .values("procedure", "day", "kind")
            .annotate(n=Count("id"), paused=Sum("paused_days")).order_by())
    ends = (resolved.annotate(day=TruncDate("ended_at", tzinfo=calendar.LOCAL_TZ),
                              kind=Value(1))
            .values("procedure", "day", "kind")
            .annotate(n=Count("id"), paused=Value(0)).order_by())
    parts = list(recv.union(ends, all=True))
    if not parts:
        return {}
    lo = min(p["day"] for p in parts)
    acc: dict[int, list[int]] = {}  # procedure → [dossiers, Σ W(end) − Σ W(recv) − Σ paused]
    for p in parts:
        w = calendar.working_days_between(lo, p["day"])
        slot = acc.setdefault(p["procedure"], [0, 0])
        if p["kind"] == 0:
            slot[0] += p["n"]
            slot[1] -= w * p["n"] + int(p["paused"] or 0)
        else:
            slot[1] += w * p["n"]
    return acc


# Receipts up to ten years before the period are placed exactly; older ones count from then.
_SOLVING_SPAN_DAYS = 3660


def _working_day_sql(first: dt.datetime, as_of: dt.datetime):
    """PostgreSQL: W(day) of a timestamp column as SQL — W is passed as an int array indexed by
    the day's offset from `lo`."""
    lo = calendar.localtime(first).date() - dt.timedelta(days=_SOLVING_SPAN_DAYS)
    hi = calendar.localtime(as_of).date()
    w, n = [], 0
    for i in range((hi - lo).days + 1):
        day = lo + dt.timedelta(days=i)
        if i and calendar.is_working_day(day):
            n += 1
        w.append(n)

    def at_day(column: str) -> RawSQL:
        return RawSQL(
            f"(%s::int[])[LEAST(GREATEST(0, ((\"onestop_dossier\".\"{column}\" AT TIME ZONE "
            f"%s)::date - %s::date)), %s) + 1]",
            (w, str(calendar.LOCAL_TZ), lo, len(w) - 1), output_field=IntegerField())

    return at_day


def _solving_aggregates(first: dt.datetime, as_of: dt.datetime) -> dict:
    """Indicator 2.2's sums as FILTER aggregates of the report's grouped statement (PostgreSQL):
    over the counted dossiers ended by `as_of` with a result — the `resolved` count."""
    at_day = _working_day_sql(first, as_of)
    done = Q(ended_at__isnull=False, ended_at__lte=as_of, state__in=_RESOLVED)
    return {"end_w": Sum(at_day("ended_at"), filter=done, default=0),
            "recv_w": Sum(at_day("received_at"), filter=done, default=0),
            "paused": Sum("paused_days", filter=done, default=0)}


def _solving_rows(acc: dict[int, list[int]]) -> list[dict]:
    procs = {pk: (code, name) for pk, code, name in
             Procedure.objects.filter(pk__in=list(acc)).values_list("id", "code", "name")}
    out = []
    for pk, (n, days) in acc.items():
        code, name = procs.get(pk, ("", ""))
        out.append({"procedure_id": pk, "code": code, "name": name, "resolved": n,
                    "working_days": days, "average_days": round(days / n, 2) if n else None})
    out.sort(key=lambda r: r["code"])
    return out


# --- the dossiers behind a count (for the desk list) --------------------------------------------


BUCKETS_LINKED = (*COUNTS,)


def bucket_queryset(*, actor, flt: StatsFilter, bucket: str, key=None,
                    now: dt.datetime | None = None):
    """The dossiers behind one count of the report (the same conditions), for the desk's list:
    `/onestop/desk/?bucket=<count>&from=&to=[&unit=][&procedure=][&channel=][&group=&key=]`
    (docs/onestop.md, "Statistics links"). Ordered by -id for keyset pagination."""
    require_stats(actor, flt.unit)
    if bucket not in COUNTS:
        raise InvalidInput(_("Unknown count."), fields={"bucket": [_("Unknown count.")]})
    check_period(flt.start, flt.end)
    first, as_of = period_bounds(flt.start, flt.end, now)
    qs = _filtered(actor, flt)
    if key is not None and flt.group in GROUPS:
        qs = qs.filter(**{GROUPS[flt.group]: key})
    ended = Q(ended_at__isnull=False, ended_at__lte=as_of)
    if bucket == "refused":
        return qs.filter(state=DossierState.REFUSED, submitted_at__gte=first,
                         submitted_at__lte=as_of).order_by("-id")
    qs = judged(qs.filter(counted_q(first, as_of)), as_of)
    conditions = {
        "received": Q(), "new": Q(received_at__gte=first),
        "carried_over": Q(received_at__lt=first),
        "resolved": ended & Q(state__in=_RESOLVED),
        "supplemented": Q(supplement_requests__gte=1),
        "stopped": ended & Q(state=DossierState.STOPPED),
        "withdrawn": ended & Q(state=DossierState.WITHDRAWN),
        **{j: Q(judgement=j) for j in JUDGED},
    }
    return qs.filter(conditions[bucket]).order_by("-id")


def list_url(flt: StatsFilter, bucket: str, key=None) -> str:
    params = {**flt.params(), "bucket": bucket}
    if key is not None:
        params["group"] = flt.group
        params["key"] = str(key)
    return DESK_LIST + "?" + urlencode(params)


def filter_from_params(params) -> StatsFilter:
    """A StatsFilter from query parameters (strings): from, to (YYYY-MM-DD), unit, procedure
    (id or code), channel, group. Bad input → InvalidInput naming every bad field."""
    errors: dict[str, list[str]] = {}
    start = parse_day(params.get("from"), "from", errors) if params.get("from") else None
    end = parse_day(params.get("to"), "to", errors) if params.get("to") else None
    unit = procedure = None
    raw_unit = str(params.get("unit") or "").strip()
    if raw_unit:
        pk = int(raw_unit) if raw_unit.isdigit() and len(raw_unit) < 19 else 0
        unit = OrgUnit.objects.filter(pk=pk).first() if pk else None
        if unit is None:
            errors["unit"] = [_("Unknown unit.")]
    raw_proc = str(params.get("procedure") or "").strip()
    if raw_proc:
        if raw_proc.isdigit() and len(raw_proc) < 19:
            procedure = Procedure.objects.filter(pk=int(raw_proc)).first()
        else:
            procedure = Procedure.objects.filter(code=raw_proc[:20]).first()
        if procedure is None:
            errors["procedure"] = [_("Unknown procedure.")]
    channel = str(params.get("channel") or "").strip()
    if channel and channel not in Channel.values:
        errors["channel"] = [_("Choose counter, online or post.")]
    group = str(params.get("group") or "unit").strip()
    if group not in GROUPS:
        errors["group"] = [_("Choose unit, agency, procedure or channel.")]
    start, end = check_period(start, end, errors)
    return StatsFilter(start=start, end=end, unit=unit, procedure=procedure, channel=channel,
                       group=group)
