"""Schemas of the petitions staff API, shared by its parts: the petition as the actions return
it (the detail schema of i11-reports extends it), and the action bodies (InputSchema: text is
cleaned). Identity never appears here: the detail endpoint adds it for those allowed."""

from __future__ import annotations

import datetime as dt

from ninja import Schema

from egov.core.schemas import InputSchema


class PartOut(Schema):
    id: int
    code: str
    kind: str


class DeadlineOut(Schema):
    step: str
    rule: str = ""
    legal_basis: str = ""
    started_at: dt.datetime
    due_at: dt.datetime
    done_at: dt.datetime | None = None
    outcome: str = ""


class PetitionOut(Schema):
    id: int
    code: str
    state: str
    due_at: dt.datetime | None = None
    kind: str = ""
    eligible: bool | None = None
    ineligible_reason: str = ""
    competent: bool | None = None
    anonymous: bool = False
    duplicate_of_id: int | None = None
    signers: int = 1
    complexity: str = "normal"
    complexity_reasons: list[str] = []
    remote_area: bool = False
    complaint_subject: str = ""
    decision_known_on: dt.date | None = None
    instance: int = 1
    previous_id: int | None = None
    split_from_id: int | None = None
    handling_unit_id: int | None = None
    handler_id: int | None = None
    received_at: dt.datetime | None = None
    classified_at: dt.datetime | None = None
    accepted_at: dt.datetime | None = None
    extensions: int = 0
    resolved_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    outcome: str = ""
    result_summary: str = ""
    result_document_id: int | None = None
    transfer_to: str = ""
    not_accepted_ground: str = ""
    parts: list[PartOut] = []
    deadlines: list[DeadlineOut] = []


# --- action bodies (the services check values and name the fields in their 422) ----------------


class NoteIn(InputSchema):
    note: str = ""


class ClassifyIn(InputSchema):
    kind: str = ""
    eligible: bool | None = None
    ineligible_reason: str = ""
    competent: bool | None = None
    anonymous: bool = False
    duplicate_of: int | None = None
    signers: int = 1
    complexity_reasons: list[str] = []
    remote_area: bool = False
    complaint_subject: str = ""
    decision_known_on: dt.date | None = None
    limitation_excuse: str = ""
    subject: str = ""
    respondent: str = ""
    note: str = ""


class SplitPartIn(InputSchema):
    kind: str = ""
    content: str = ""
    subject: str = ""


class SplitIn(InputSchema):
    parts: list[SplitPartIn] = []
    note: str = ""


class AssignIn(InputSchema):
    unit_id: int | None = None
    handler_id: int | None = None
    note: str = ""


class NotAcceptIn(InputSchema):
    ground: str = ""
    note: str = ""


class TransferIn(InputSchema):
    to: str = ""
    mode: str = "forward"
    note: str = ""


class ExtendIn(InputSchema):
    days: int | None = None
    reason: str = ""
    decision_number: str = ""


class ReasonIn(InputSchema):
    reason: str = ""


class ResolveIn(InputSchema):
    summary: str = ""
    document_id: int | None = None


class FileIn(InputSchema):
    reason: str = ""
    management_check: bool = False


class ReopenIn(InputSchema):
    agency_id: int | None = None
    decision_received_on: dt.date | None = None
    content: str = ""
    note: str = ""


ACTION_INPUTS: dict[str, type[InputSchema]] = {
    "register": NoteIn, "classify": ClassifyIn, "split": SplitIn, "assign": AssignIn,
    "accept": NoteIn, "not_accept": NotAcceptIn, "transfer": TransferIn, "extend": ExtendIn,
    "suspend": ReasonIn, "resume": NoteIn, "resolve": ResolveIn, "close": NoteIn,
    "withdraw": ReasonIn, "file": FileIn, "reopen": ReopenIn,
}


def petition_out(p, *, parts=()) -> dict:
    """The petition as the actions return it (times in Vietnamese time)."""
    from egov.core.calendar import localtime

    def t(v):
        return localtime(v) if isinstance(v, dt.datetime) else v

    out = {k: t(getattr(p, k)) for k in PetitionOut.model_fields
           if k not in ("parts", "deadlines")}
    out["complexity_reasons"] = list(p.complexity_reasons or [])
    out["parts"] = [{"id": x.pk, "code": x.code, "kind": x.kind} for x in parts]
    out["deadlines"] = [
        {"step": d.step, "rule": d.rule.code if d.rule_id else "",
         "legal_basis": d.rule.legal_basis if d.rule_id else "", "started_at": t(d.started_at),
         "due_at": t(d.due_at), "done_at": t(d.done_at), "outcome": d.outcome}
        for d in p.deadlines.select_related("rule").order_by("started_at", "id")]
    return out
