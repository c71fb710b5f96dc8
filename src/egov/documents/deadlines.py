"""The decree's time limits on documents (NĐ 30/2020; domain reference documents.md §6), counted
over the working-day calendar (egov.core.calendar).

Documents are not one-stop dossiers: the 15:00 cut-off of the one-stop shop (NĐ 61/2018, now
NĐ 118/2025; `calendar.effective_start`) does NOT apply here. A document signed at 16:30 on a
working day is due for issuing at the end of the next working day, not the one after.

* Issuing after signature (Điều 18.1): on the day it is signed, at the latest the next working
  day — due at the office closing time (settings.EGOV_OFFICE_CLOSES) of the next working day
  after the signing day. Hỏa tốc, thượng khẩn and khẩn documents are issued immediately: due the
  same working day (the first working day when signed on a day off), at closing time or at the
  signing instant when that is later.
* Handling urgent incoming documents (Điều 24.2): immediately — 0 working days in the
  UrgencyDeadline catalogue, i.e. the arrival day, or the first working day when the document
  arrives on a day off (`egov.documents.services.incoming._handling_due`).
"""

from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from egov.core import calendar
from egov.core.models import WorkItem, WorkState

from .models import URGENT_LEVELS, OutgoingDocument

KIND_ISSUE = "outgoing.issue"  # the clerk's "issue" work item (services.outgoing.KIND_ISSUE)


def issue_due(signed_at: dt.datetime, urgency: str) -> dt.datetime:
    """The instant by which a document signed at `signed_at` must be issued (NĐ 30/2020
    Điều 18.1); aware, Asia/Ho_Chi_Minh. No 15:00 cut-off (see the module docstring)."""
    local = calendar.localtime(signed_at)
    day, closes = local.date(), calendar.office_closes()
    if urgency in URGENT_LEVELS:
        # Điều 18.1: urgent documents are issued immediately after signing.
        due_day = calendar.next_working_day(day, include=True)
        due = dt.datetime.combine(due_day, closes, tzinfo=calendar.LOCAL_TZ)
        return max(due, local) if due_day == day else due
    # Điều 18.1: the same day, at the latest the next working day.
    due_day = calendar.add_working_days(day, 1)
    return dt.datetime.combine(due_day, closes, tzinfo=calendar.LOCAL_TZ)


def redate_issue_items(document: OutgoingDocument, signed_at: dt.datetime) -> dt.datetime:
    """Set the open "issue" work items of `document` to the deadline counted from its signature
    (they were created at the signer's approval). Returns the deadline."""
    due = issue_due(signed_at, document.urgency)
    items = WorkItem.objects.filter(
        subject_type=ContentType.objects.get_for_model(OutgoingDocument),
        subject_id=str(document.pk), kind=KIND_ISSUE, state=WorkState.OPEN)
    for item in items:
        item.due_at = due
        item.save()  # save(): WorkItem keeps its sort key (due_sort) in step with due_at
    return due


def issue_due_map(documents) -> dict[int, dt.datetime]:
    """{document id: issuing deadline} from the open "issue" work items of `documents` (the
    documents awaiting issue). One query."""
    ids = [str(d.pk) for d in documents]
    if not ids:
        return {}
    rows = (WorkItem.objects.filter(
        subject_type=ContentType.objects.get_for_model(OutgoingDocument), subject_id__in=ids,
        kind=KIND_ISSUE, state=WorkState.OPEN, due_at__isnull=False)
        .values_list("subject_id", "due_at"))
    out: dict[int, dt.datetime] = {}
    for subject_id, due_at in rows:
        pk = int(subject_id)
        out[pk] = min(out.get(pk, due_at), due_at)
    return out


def annotate_issue_due(documents, now: dt.datetime | None = None) -> None:
    """Set `issue_due` and `issue_due_state` (calendar.deadline_state) on each document."""
    dues = issue_due_map(documents)
    now = now or timezone.now()
    for d in documents:
        d.issue_due = dues.get(d.pk)
        d.issue_due_state = calendar.deadline_state(d.issue_due, now) if d.issue_due else ""
