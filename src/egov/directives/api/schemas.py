"""Schemas of the directives API (issue 12 contract): the bodies (InputSchema: text cleaned;
the services check the values and name every bad field in one 422) and the answers. `status`
is always one of the four buckets, or "cancelled"."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.utils import timezone
from ninja import Field, Schema

from egov.core.schemas import InputSchema

from .. import buckets

BIGINT = 2**63 - 1


# --- bodies ------------------------------------------------------------------------------------


class DirectivePartyIn(InputSchema):
    unit_id: int | None = Field(None, ge=1, le=BIGINT)
    user_id: int | None = Field(None, ge=1, le=BIGINT)
    due_date: dt.date | None = None


# A participant may also be given as a bare unit id: "support": [12, 15].
UnitId = Annotated[int, Field(ge=1, le=BIGINT)]


class DirectiveIn(InputSchema):
    title: str = Field("", max_length=2000)
    content: str = Field("", max_length=100000)
    guidance: str = Field("", max_length=20000)
    source_kind: str | None = Field(None, max_length=32)
    source_document_id: int | None = Field(None, ge=1, le=BIGINT)
    source_text: str = Field("", max_length=2000)
    lead: DirectivePartyIn | None = None
    support: list[DirectivePartyIn | UnitId] = Field([], max_length=500)
    inform: list[DirectivePartyIn | UnitId] = Field([], max_length=500)
    due_date: dt.date | None = None
    given_on: dt.date | None = None
    priority: str = Field("normal", max_length=32)
    recurrence: str = Field("none", max_length=32)
    recurrence_day: int | None = Field(None, ge=-1000, le=1000)
    recurrence_until: dt.date | None = None
    agency_id: int | None = Field(None, ge=1, le=BIGINT)
    parent_id: int | None = Field(None, ge=1, le=BIGINT)
    weight: int = Field(1, ge=-1000, le=1000)


class DirectiveProgressIn(InputSchema):
    percent: int | None = Field(None, ge=-1000, le=1000)
    text: str = Field("", max_length=100000)
    assignee_id: int | None = Field(None, ge=1, le=BIGINT)


class DirectiveExtensionIn(InputSchema):
    reason: str = Field("", max_length=20000)
    proposed_date: dt.date | None = None


class DirectiveDecideIn(InputSchema):
    approve: bool | None = None
    note: str = Field("", max_length=20000)
    date: dt.date | None = None


class DirectiveCompleteIn(InputSchema):
    result_text: str = Field("", max_length=100000)
    result_document_id: int | None = Field(None, ge=1, le=BIGINT)


class DirectiveNoteIn(InputSchema):
    note: str = Field("", max_length=20000)


class DirectiveCancelIn(InputSchema):
    reason: str = Field("", max_length=20000)


def body_schema(schema: type[Schema]) -> dict:
    """`openapi_extra` documenting an optional JSON body (read with `optional_body`)."""
    js = schema.model_json_schema()
    js.pop("title", None)
    return {"requestBody": {"required": False, "content": {"application/json": {"schema": js}}}}


# --- answers ----------------------------------------------------------------------------------


class DirectiveOut(Schema):
    id: int
    code: str
    title: str
    status: str
    state: str
    progress: int
    priority: str
    given_on: dt.date
    given_by_id: int
    lead_unit_id: int
    lead_unit: str = ""
    lead_user_id: int | None = None
    due_date: dt.date | None = None
    original_due_date: dt.date | None = None
    judged_due_date: dt.date | None = None
    submitted_on: dt.date | None = None
    done_on: dt.date | None = None
    parent_id: int | None = None
    series_id: int | None = None
    period_start: dt.date | None = None
    recurrence: str = "none"


class DirectivePageOut(Schema):
    items: list[DirectiveOut]
    next: str | None = None


class DirectiveAssigneeOut(Schema):
    id: int
    role: str
    unit_id: int
    unit: str
    user_id: int | None = None
    due_date: dt.date | None = None
    progress: int
    progress_note: str = ""
    done_on: dt.date | None = None


class DirectiveProgressReportOut(Schema):
    id: int
    kind: str
    percent: int
    text: str
    assignee_id: int | None = None
    reported_by_id: int
    reported_at: dt.datetime
    files: list[int] = []


class DirectiveExtensionOut(Schema):
    id: int
    state: str
    reason: str
    proposed_date: dt.date
    due_date_before: dt.date
    requested_by_id: int
    requested_at: dt.datetime
    decided_by_id: int | None = None
    decided_at: dt.datetime | None = None
    decided_date: dt.date | None = None
    decision_note: str = ""
    moved_judged: bool = False


class DirectiveEventOut(Schema):
    at: dt.datetime
    kind: str
    state: str
    actor_id: int | None = None
    note: str = ""


class DirectiveDetailOut(DirectiveOut):
    content: str = ""
    guidance: str = ""
    source_kind: str = "none"
    source_text: str = ""
    progress_note: str = ""
    result_text: str = ""
    result_document_id: int | None = None
    weight: int = 1
    recurrence_day: int | None = None
    recurrence_until: dt.date | None = None
    assignees: list[DirectiveAssigneeOut] = []
    reports: list[DirectiveProgressReportOut] = []
    extensions: list[DirectiveExtensionOut] = []
    events: list[DirectiveEventOut] = []
    children: list[DirectiveOut] = []


class DirectiveActionOut(DirectiveOut):
    report: DirectiveProgressReportOut | None = None
    extension: DirectiveExtensionOut | None = None


def status_of(d, today: dt.date | None = None) -> str:
    b = getattr(d, "bucket", None)
    if b is None:
        b = buckets.directive_bucket(d, today or timezone.localdate())
    return str(b) if b is not None else "cancelled"


def directive_out(d, today: dt.date | None = None) -> dict:
    return {
        "id": d.pk, "code": d.code, "title": d.title, "status": status_of(d, today),
        "state": d.state, "progress": d.progress, "priority": d.priority,
        "given_on": d.given_on, "given_by_id": d.given_by_id, "lead_unit_id": d.lead_unit_id,
        "lead_unit": d.lead_unit.name if "lead_unit" in d._state.fields_cache else "",
        "lead_user_id": d.lead_user_id, "due_date": d.due_date,
        "original_due_date": d.original_due_date, "judged_due_date": d.judged_due_date,
        "submitted_on": d.submitted_on, "done_on": d.done_on, "parent_id": d.parent_id,
        "series_id": d.series_id, "period_start": d.period_start, "recurrence": d.recurrence,
    }


def report_out(r) -> dict:
    return {"id": r.pk, "kind": r.kind, "percent": r.percent, "text": r.text,
            "assignee_id": r.assignee_id, "reported_by_id": r.reported_by_id,
            "reported_at": r.reported_at,
            "files": [f.file_id for f in r.files.all()] if r.pk else []}


def extension_out(e) -> dict:
    return {k: getattr(e, k) for k in (
        "id", "state", "reason", "proposed_date", "due_date_before", "requested_by_id",
        "requested_at", "decided_by_id", "decided_at", "decided_date", "decision_note",
        "moved_judged")}


def detail_out(d) -> dict:
    out = directive_out(d)
    out.update({
        "content": d.content, "guidance": d.guidance, "source_kind": d.source_kind,
        "source_text": d.source_text, "progress_note": d.progress_note,
        "result_text": d.result_text, "result_document_id": d.result_document_id,
        "weight": d.weight, "recurrence_day": d.recurrence_day,
        "recurrence_until": d.recurrence_until,
        "assignees": [{"id": a.pk, "role": a.role, "unit_id": a.unit_id, "unit": a.unit.name,
                       "user_id": a.user_id, "due_date": a.due_date, "progress": a.progress,
                       "progress_note": a.progress_note, "done_on": a.done_on}
                      for a in d.assignees.all()],
        "reports": [report_out(r) for r in d.reports.all()],
        "extensions": [extension_out(e) for e in d.extensions.all()],
        "events": [{"at": e.at, "kind": e.kind, "state": e.state, "actor_id": e.actor_id,
                    "note": e.note} for e in d.events.all()],
        "children": [directive_out(c) for c in d.children.all()],
    })
    return out
