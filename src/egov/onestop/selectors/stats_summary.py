"""The report's reading of the statistics summary (services/stats_summary.py keeps it).

A period's counted dossiers (selectors/stats.py) split in two:

- ENDED on a day the summary covers (`summary_days`: the period's days up to the last one that
  has entirely passed by `as_of`) — their judgement is fixed, so their counts are the sums of
  the `StatsDay` rows of those days. Only "new" (received in the period) depends on the period's
  start: it is the sum less the dossiers received before the start (`carried_grouped`: the few
  dossiers open across the period's first instant);
- every other counted dossier (not ended, or ended after the summary's last day) is judged live
  by the rule's SQL (`live_q`): the few dossiers open across the end of the period.

On PostgreSQL these small sets are found through two indexes of migration 0006 instead of a
scan of the dossier table: the open dossiers by receipt time (an index-only scan), and a GiST
index on the span [received_at, ended_at] of the ended ones (`span_hint`).
"""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import BooleanField, Count, F, Q, Sum, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThanOrEqual, LessThan

from egov.core import calendar

from ..models import Channel, ResultMedium, StatsDay

# The indexed expression of migration 0006 (dossier_span_gist), written the same way.
SPAN_SQL = ("tstzrange(\"onestop_dossier\".\"received_at\", "
            "GREATEST(\"onestop_dossier\".\"ended_at\", \"onestop_dossier\".\"received_at\"), "
            "'[]')")
SUMMED = ("n", "resolved", "supplemented", "stopped", "withdrawn", "dissatisfied", "electronic")


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=calendar.LOCAL_TZ)


def summary_days(start: dt.date, end: dt.date, first: dt.datetime, as_of: dt.datetime,
                 ) -> tuple[dt.date | None, dt.datetime]:
    """(last day read from the summary or None, `cut`): the summary covers the dossiers that
    ended in [first, cut) — the period's days whose last instant is not after `as_of`."""
    last = calendar.localtime(as_of).date()
    if _midnight(last + dt.timedelta(days=1)) - dt.timedelta(microseconds=1) > as_of:
        last -= dt.timedelta(days=1)  # today is still running
    last = min(last, end)
    if last < start:
        return None, first
    return last, _midnight(last + dt.timedelta(days=1))


def span_hint(lo: dt.datetime, hi: dt.datetime):
    """PostgreSQL: a condition implied by the exact ones that lets the planner take the span
    index — the ended dossier was received by `hi` and had not ended before `lo` (the caller
    also says `ended_at IS NOT NULL`, the index's condition). Q() elsewhere."""
    if connection.vendor != "postgresql":
        return Q()
    return RawSQL(f"{SPAN_SQL} && tstzrange(%s, %s, '[]')", (min(lo, hi), hi),
                  output_field=BooleanField())


# ended_at with "never" for a dossier that has not ended. Written this way the conditions on the
# end time are exact but not a range of the `ended_at` index: on PostgreSQL the planner then
# takes the span index alone instead of AND-ing it with a bitmap of every dossier ended after
# the period (0.2–0.3 s of 2M dossiers, measured).
_NEVER = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)


def _end_or_never():
    return Coalesce(F("ended_at"), Value(_NEVER))


def live_q(cut: dt.datetime):
    """The counted dossiers the summary does not hold: not ended, or ended from `cut` on."""
    return GreaterThanOrEqual(_end_or_never(), Value(cut))


def live_parts(base, cut: dt.datetime, as_of: dt.datetime) -> list:
    """`base` ∩ `live_q(cut)` as two querysets, each the shape of one index: the open dossiers,
    and the ones that ended from `cut` on (received by `as_of`: the span index)."""
    return [base.filter(ended_at__isnull=True),
            base.filter(live_q(cut), span_hint(cut, as_of), ended_at__isnull=False)]


def summary_grouped(scope: Q, flt, keys: tuple[str, ...], start: dt.date, last: dt.date):
    """The summary rows of the days [start, last] the filters keep, grouped by `keys` (a group
    key and "kind", plus "procedure" for indicator 2.2); each sum is named `t_<count>`."""
    # n > 0: a row a correction emptied counts nothing (and must not show as a table row)
    qs = StatsDay.objects.filter(scope, day__gte=start, day__lte=last, n__gt=0)
    if flt.unit is not None:
        qs = qs.filter(Q(competent_unit=flt.unit) | Q(agency=flt.unit))
    if flt.procedure is not None:
        qs = qs.filter(procedure=flt.procedure)
    if flt.channel:
        qs = qs.filter(channel=flt.channel)
    online = Q(channel=Channel.ONLINE)
    return (qs.values(*keys)
            .annotate(**{f"t_{m}": Sum(m) for m in SUMMED},
                      t_online=Sum("n", filter=online, default=0),
                      t_online_counted=Sum("not_paper", filter=online, default=0),
                      t_solved_days=Sum("solved_days"))
            .order_by())


def carried_grouped(base, key: str, first: dt.datetime, cut: dt.datetime):
    """Of the dossiers the summary holds for the period (ended in [first, cut)), those received
    before the period (carried over, not new), per group key: how many, and how many online
    (QĐ 766 3.3 counts the new ones only)."""
    online = Q(channel=Channel.ONLINE)
    return (base.filter(span_hint(first, first), GreaterThanOrEqual(_end_or_never(),
                                                                    Value(first)),
                        LessThan(_end_or_never(), Value(cut)), received_at__isnull=False,
                        due_at__isnull=False, ended_at__isnull=False, received_at__lt=first)
            .values(key)
            .annotate(n=Count("id"), online=Count("id", filter=online),
                      online_counted=Count("id", filter=online
                                           & ~Q(result_medium=ResultMedium.PAPER)))
            .order_by())
