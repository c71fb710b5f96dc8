"""Bulk progress (issue 12 "Bulk work"): a unit updates the progress (percent and text) of many
of its directives at once. Every row goes through `services.progress.progress_report` (the
same checks, event, roll-up and audit as one report); all rows are written in ONE transaction:
if any row is bad, every bad row is reported (`rows[i].percent`, `rows[i].text`, `rows[i]`)
and nothing is changed.

`open_for_bulk` is the page's list: the open directives the person leads (as the lead person or
with `directives.handle` on the lead unit), soonest deadline first, keyset-paged (two queries,
no count).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from egov.core import fieldcheck as fc
from egov.core import policy
from egov.core.errors import AppError, InvalidInput

from ..models import Directive, DirectiveState, ProgressReport, Recurrence
from ..selectors import access
from . import records

MAX_ROWS = 500
MAX_TEXT = 20000


def _lead_q(actor) -> Q:
    return policy.unit_q(actor, access.HANDLE, "lead_unit") | Q(lead_user=actor)


def open_for_bulk(*, actor, unit_id=None, after: tuple[dt.date, int] | None = None,
                  limit: int = 50) -> tuple[list[Directive], tuple | None]:
    """The open directives the actor reports on as the lead; (rows, next cursor or None)."""
    if not access.active(actor):
        return [], None
    qs = (Directive.objects.filter(_lead_q(actor), state=DirectiveState.OPEN,
                                   recurrence=Recurrence.NONE, due_date__isnull=False)
          .select_related("lead_unit").only("id", "code", "title", "due_date", "progress",
                                            "progress_note", "lead_unit__name",
                                            "judged_due_date", "state"))
    pk = records._int(unit_id)
    if pk is not None:
        qs = qs.filter(lead_unit_id=pk)
    if after is not None:
        day, last = after
        qs = qs.filter(Q(due_date__gt=day) | Q(due_date=day, id__gt=last))
    rows = list(qs.order_by("due_date", "id")[:limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, ((rows[-1].due_date, rows[-1].pk) if more and rows else None)


def progress_bulk(*, actor, rows: list[dict]) -> list[ProgressReport]:
    """rows: [{"directive_id", "percent", "text"}, …] → the reports, all or none. Raises
    InvalidInput with the fields `rows[i]…` of every bad row."""
    from .progress import percent_value, progress_report

    errors: fc.Errors = {}
    if not isinstance(rows, list) or not rows:
        fc.fail({"rows": [_("Enter the progress of at least one directive.")]})
    if len(rows) > MAX_ROWS:
        fc.fail({"rows": [_("At most %(n)d rows at once.") % {"n": MAX_ROWS}]})
    seen: set[int] = set()
    clean = []
    for i, row in enumerate(rows):
        name = f"rows[{i}]"
        if not isinstance(row, dict):
            fc.add(errors, name, _("Each row is an object."))
            continue
        pk = records._int(row.get("directive_id"))
        if pk is None:
            fc.add(errors, f"{name}.directive_id", _("Choose a directive."))
            continue
        if pk in seen:
            fc.add(errors, f"{name}.directive_id", _("This directive is in the list twice."))
            continue
        seen.add(pk)
        pct = percent_value(row.get("percent"), f"{name}.percent", errors)
        text = fc.text(row.get("text", ""), f"{name}.text", errors, max_length=MAX_TEXT)
        clean.append((i, pk, pct, text))
    fc.fail(errors)
    reports: list[ProgressReport] = []
    with transaction.atomic():
        for i, pk, pct, text in clean:
            try:
                with transaction.atomic():
                    reports.append(progress_report(actor=actor, directive_id=pk, percent=pct,
                                                   text=text))
            except AppError as err:
                placed = False
                for field, messages in (err.fields or {}).items():
                    for message in messages:
                        fc.add(errors, f"rows[{i}].{field}", message)
                        placed = True
                if not placed:
                    fc.add(errors, f"rows[{i}]", err.message or _("Not allowed."))
        if errors:
            transaction.set_rollback(True)
    if errors:
        raise InvalidInput(_("Nothing was saved: correct the rows marked."), fields=errors)
    return reports
