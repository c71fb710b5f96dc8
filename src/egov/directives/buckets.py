"""The four status buckets, exactly as the Government reports them (Báo cáo 1270/BC-TCTTTg,
documents.md §19): a directive done is done on time or late; one not done is in time or
overdue. Judged against `judged_due_date` (see models), on the day of the question:

- done (`state` done): `done_on <= judged_due_date` → done_on_time, else done_late;
- not done (open, or reported done but not yet accepted): `today <= judged_due_date` →
  open_on_time, else open_late. A directive without a deadline is always in time.

`bucket_of` (Python, one directive), `bucket_expr` (SQL CASE, for annotations and GROUP BY)
and `bucket_q` (a filter, for the list behind a count) say the same thing; tests check that
they agree.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, CharField, F, Q, Value, When

from .models import Bucket, DirectiveState, Recurrence

DONE = DirectiveState.DONE
NOT_DONE = (DirectiveState.OPEN, DirectiveState.SUBMITTED)


def bucket_of(*, state: str, done_on: dt.date | None, judged_due_date: dt.date | None,
              today: dt.date) -> str | None:
    """The bucket of one directive; None for a cancelled one (not counted)."""
    if state == DONE:
        if judged_due_date is None or (done_on is not None and done_on <= judged_due_date):
            return Bucket.DONE_ON_TIME
        return Bucket.DONE_LATE
    if state in NOT_DONE:
        if judged_due_date is None or today <= judged_due_date:
            return Bucket.OPEN_ON_TIME
        return Bucket.OPEN_LATE
    return None


def directive_bucket(directive, today: dt.date) -> str | None:
    return bucket_of(state=directive.state, done_on=directive.done_on,
                     judged_due_date=directive.judged_due_date, today=today)


def bucket_q(bucket: str, today: dt.date, prefix: str = "") -> Q:
    """A filter for one bucket (`prefix` e.g. "directive__" from a related model)."""
    p = prefix
    no_due = Q(**{f"{p}judged_due_date__isnull": True})
    if bucket == Bucket.DONE_ON_TIME:
        return Q(**{f"{p}state": DONE}) & (no_due | Q(**{f"{p}done_on__lte": F(f"{p}judged_due_date")}))
    if bucket == Bucket.DONE_LATE:
        return Q(**{f"{p}state": DONE, f"{p}done_on__gt": F(f"{p}judged_due_date")})
    if bucket == Bucket.OPEN_ON_TIME:
        return Q(**{f"{p}state__in": NOT_DONE}) & (no_due | Q(**{f"{p}judged_due_date__gte": today}))
    if bucket == Bucket.OPEN_LATE:
        return Q(**{f"{p}state__in": NOT_DONE, f"{p}judged_due_date__lt": today})
    raise ValueError(f"unknown bucket {bucket!r}")


def bucket_expr(today: dt.date, prefix: str = ""):
    """The bucket as an SQL expression (NULL for cancelled)."""
    return Case(
        *(When(bucket_q(b, today, prefix), then=Value(b.value)) for b in Bucket),
        default=Value(None), output_field=CharField(),
    )


def countable_q(prefix: str = "") -> Q:
    """What the reports count: directives given (not sub-directives, which are the lead's own
    split of the work, and not the template of a recurring directive — its periods count),
    not cancelled."""
    return Q(**{f"{prefix}parent__isnull": True, f"{prefix}recurrence": Recurrence.NONE}) & \
        ~Q(**{f"{prefix}state": DirectiveState.CANCELLED})
