"""Output schemas of the petitions staff API for reading (lists, detail, reports; the actions'
schemas are in schemas.py). No schema here holds the petitioner's identity except
`IdentityOut`, filled only through `access.identity_for()` for the receiving officer, the
handler and the head of the agency (null for everyone else)."""

from __future__ import annotations

import datetime as dt

from ninja import Schema


class PetitionRowOut(Schema):
    id: int
    code: str
    state: str
    state_label: str
    kind: str = ""
    channel: str
    subject: str = ""
    agency: str
    handling_unit: str = ""
    handler: str = ""
    received_at: dt.datetime
    due_at: dt.datetime | None = None
    overdue: bool = False
    url: str


class PetitionPageOut(Schema):
    items: list[PetitionRowOut]
    next: str | None = None


class IdentityOut(Schema):
    full_name: str = ""
    personal_id: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    others: list[dict] = []
    original_content: str = ""
    confidentiality_waived: bool = False


class EventOut(Schema):
    at: dt.datetime
    kind: str
    state: str
    note: str = ""
    public: bool = True


class FileOut(Schema):
    id: int
    name: str
    description: str = ""
    url: str


class PetitionDetailOut(Schema):
    id: int
    code: str
    state: str
    state_label: str
    agency: str
    channel: str
    kind: str = ""
    eligible: bool | None = None
    ineligible_reason: str = ""
    competent: bool | None = None
    anonymous: bool = False
    duplicate_of: str | None = None
    signers: int = 1
    complexity: str = ""
    remote_area: bool = False
    instance: int = 1
    subject: str = ""
    content: str
    respondent: str = ""
    handling_unit: str = ""
    handler: str = ""
    received_at: dt.datetime
    accepted_at: dt.datetime | None = None
    due_at: dt.datetime | None = None
    extensions: int = 0
    resolved_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    outcome: str = ""
    result_summary: str = ""
    transfer_to: str = ""
    overdue: bool = False
    # The petitioner's identity: present (an object) only for the receiving officer, the
    # handler and the head of the agency; null for everyone else (Luật Tố cáo Art.47, 56).
    identity: IdentityOut | None = None
    files: list[FileOut] = []
    identity_files: list[FileOut] = []
    events: list[EventOut] = []


class ReportRowOut(Schema):
    key: str
    label: str
    values: dict[str, int]


class ReportOut(Schema):
    agency: str
    start: dt.date
    end: dt.date
    columns: list[dict]
    groups: dict[str, list[ReportRowOut]]
    totals: dict[str, int]
    satisfaction: dict[str, int]
