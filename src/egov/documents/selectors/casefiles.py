"""Reads of case files (hồ sơ, NĐ 30/2020 Điều 28–31; Phụ lục V; Phụ lục VI §III.4–5).

Who sees what (`documents.manage_case_files`):
- a holder whose grant covers the file's agency (clerk: agency scope; a leader posted at the
  agency itself) sees and manages every file of the agency and its Danh mục hồ sơ;
- a holder posted inside the agency (officer, unit head: unit scope on a division) sees and
  manages the files they create themselves (người lập hồ sơ).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from egov.core import policy
from egov.core.errors import NotFound
from egov.core.models import OrgUnit, OrgUnitKind
from egov.core.numbering import format_number
from egov.core.pagination import Page, keyset_page

from ..exports import CaseFileEntry
from ..models import (
    Assignment,
    CaseFile,
    CaseFileItem,
    CaseFilePlan,
    CaseFileState,
    IncomingDocument,
    IncomingState,
    OutgoingDocument,
    Recipient,
    Urgency,
)
from .registers import ISSUED_STATES
from .visibility import incoming_visible_q, outgoing_visible_q

MANAGE = "documents.manage_case_files"
WARN_DAYS = 30  # Phụ lục VI §III.5.b: warn 30 days before the transfer to the archive is due
LIST_ORDER = ("-year", "notation", "id")

# edXML / Phụ lục VI Priority: 0 thường, 1 khẩn, 2 thượng khẩn, 3 hỏa tốc, 4 hỏa tốc hẹn giờ.
PRIORITY = {Urgency.NORMAL: 0, Urgency.URGENT: 1, Urgency.VERY_URGENT: 2, Urgency.FLASH: 3,
            Urgency.FLASH_TIMED: 4}


# --- permission ---------------------------------------------------------------------------------


def may_manage_agency(actor, agency: OrgUnit) -> bool:
    """Manage every file and the plan of the agency."""
    return policy.can(actor, MANAGE, agency)


def may_create_own(actor, agency: OrgUnit) -> bool:
    """Create and manage one's own files in the agency (posted in it with the action)."""
    if may_manage_agency(actor, agency):
        return True
    return agency.pk in policy.agencies_for(actor, MANAGE)


def may_manage_file(actor, case_file: CaseFile) -> bool:
    if may_manage_agency(actor, case_file.agency):
        return True
    return case_file.creator_id == getattr(actor, "pk", None) and may_create_own(
        actor, case_file.agency)


def casefile_visible_q(actor) -> Q:
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return Q(pk__in=[])
    if actor.is_superuser:
        return Q()
    own = Q(creator=actor, agency_id__in=policy.agencies_for(actor, MANAGE))
    return policy.unit_q(actor, MANAGE, "agency") | own


def manageable_agencies(actor) -> list[OrgUnit]:
    """Agencies where the actor may open files (for the forms' choice)."""
    if not policy.can(actor, MANAGE):
        return []
    scope = policy.unit_q(actor, MANAGE, "agency")
    qs = OrgUnit.objects.exclude(kind=OrgUnitKind.DIVISION)
    if scope:  # an empty Q() means every unit (superuser, "all" grant): `Q(…) | Q()` would
        # drop it and leave only the first part (the administrator got a 403, issue 9 §5)
        qs = qs.filter(Q(pk__in=policy.agencies_for(actor, MANAGE)) | scope)
    return [u for u in qs.order_by("path")[:500] if may_create_own(actor, u)]


# --- lists and details --------------------------------------------------------------------------


def casefile_list(*, actor, agency: OrgUnit | None = None, year: int | None = None,
                  cursor: str | None = None, limit: int = 50) -> Page:
    """The files the actor may see, newest year first, then by notation (2 queries)."""
    qs = CaseFile.objects.filter(casefile_visible_q(actor)).select_related("creator", "agency")
    if agency is not None:
        qs = qs.filter(agency=agency)
    if year is not None:
        qs = qs.filter(year=year)
    return keyset_page(qs, order=LIST_ORDER, cursor=cursor, limit=limit)


def casefile_get(*, actor, case_file_id: Any) -> CaseFile:
    try:
        pk = int(case_file_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    if not 0 < pk < 2**63:
        raise NotFound()
    cf = (CaseFile.objects.filter(casefile_visible_q(actor), pk=pk)
          .select_related("creator", "agency", "agency__parent", "plan").first())
    if cf is None:
        raise NotFound()
    return cf


def casefile_plan_get(*, actor, plan_id: Any) -> CaseFilePlan:
    try:
        pk = int(plan_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    plan = CaseFilePlan.objects.select_related("agency").filter(pk=pk).first() \
        if 0 < pk < 2**63 else None
    if plan is None or not may_create_own(actor, plan.agency):
        raise NotFound()
    return plan


def casefile_plans(*, actor, agency: OrgUnit | None = None) -> list[CaseFilePlan]:
    """Danh mục hồ sơ the actor may see (agencies where they hold the action), newest first."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return []
    qs = CaseFilePlan.objects.select_related("agency")
    if not actor.is_superuser:
        qs = qs.filter(Q(agency_id__in=policy.agencies_for(actor, MANAGE))
                       | policy.unit_q(actor, MANAGE, "agency"))
    if agency is not None:
        qs = qs.filter(agency=agency)
    return list(qs.order_by("-year", "agency__path", "id")[:200])


def casefile_items(*, case_file: CaseFile) -> list[CaseFileItem]:
    """The documents of a file in ordinal order (1 query)."""
    return list(
        CaseFileItem.objects.filter(case_file=case_file)
        .select_related("incoming", "incoming__doc_type", "outgoing", "outgoing__doc_type",
                        "added_by")
        .order_by("ordinal")
    )


def casefiles_due_for_transfer(*, within_days: int = WARN_DAYS, today: dt.date | None = None,
                               actor=None) -> QuerySet:
    """Closed files whose transfer to the archive is due within `within_days` days (or already
    overdue) — Phụ lục VI §III.5.b. Limited to what `actor` may see when given."""
    today = today or timezone.localdate()
    qs = CaseFile.objects.filter(state=CaseFileState.CLOSED, transfer_due__isnull=False,
                                 transfer_due__lte=today + dt.timedelta(days=within_days))
    if actor is not None:
        qs = qs.filter(casefile_visible_q(actor))
    return qs.select_related("creator", "agency").order_by("transfer_due", "id")


def transfer_warning(case_file: CaseFile, today: dt.date | None = None) -> str | None:
    """"due" (within 30 days), "overdue", or None — for the badge on the pages."""
    if case_file.state != CaseFileState.CLOSED or case_file.transfer_due is None:
        return None
    today = today or timezone.localdate()
    if case_file.transfer_due < today:
        return "overdue"
    if case_file.transfer_due <= today + dt.timedelta(days=WARN_DAYS):
        return "due"
    return None


def document_lookup(*, actor, code: str, agency: OrgUnit | None = None,
                    limit: int = 10) -> dict[str, list]:
    """Documents the actor may see whose số, ký hiệu is `code` — the "add a document" box of a
    case file. Matched exactly as typed or in capitals (both use the index on `code`), and
    case-insensitively among the documents of `agency`. Issued outgoing documents only;
    documents cancelled by the issuer's recall are left out."""
    code = (code or "").strip()
    if not code or len(code) > 42:
        return {"incoming": [], "outgoing": []}
    match = Q(code__in=sorted({code, code.upper()}))
    if agency is not None:
        match |= Q(agency=agency, code__iexact=code)
    incoming = list(
        IncomingDocument.objects.filter(incoming_visible_q(actor)).filter(match)
        .exclude(state=IncomingState.CANCELLED).select_related("doc_type")
        .order_by("-arrival_date", "-id")[:limit])
    outgoing = list(
        OutgoingDocument.objects.filter(outgoing_visible_q(actor), state__in=ISSUED_STATES)
        .filter(match).select_related("doc_type").order_by("-issued_at", "-id")[:limit])
    return {"incoming": incoming, "outgoing": outgoing}


# --- export entries (Phụ lục VI metadata) -------------------------------------------------------


def _trace_text(assignments: list[Assignment]) -> str:
    """TraceHeaderList: the instructions and handling states, one line per assignment."""
    lines = []
    for a in assignments:
        who = a.assignee_user.get_full_name() if a.assignee_user_id else a.assignee_unit.name
        when = timezone.localtime(a.assigned_at).strftime("%d/%m/%Y %H:%M")
        line = f"{when} {a.assigned_by.get_full_name()} → {who} ({a.get_role_display()})"
        if a.instruction:
            line += f": {a.instruction}"
        line += f" [{a.get_state_display()}]"
        lines.append(line)
    return "\n".join(lines)


def _incoming_entry(item: CaseFileItem) -> CaseFileEntry:
    doc = item.incoming
    assignments = list(doc.assignments.all())
    to_places = "; ".join(dict.fromkeys(
        a.assignee_user.get_full_name() if a.assignee_user_id else a.assignee_unit.name
        for a in assignments))
    metadata = [
        ("TypeName", doc.doc_type.name),
        ("CodeNumber", doc.number),
        ("CodeNotation", doc.notation),
        ("IssuedDate", doc.issued_date),
        ("OrganName", doc.issuer_name),
        ("Subject", doc.subject),
        ("Language", doc.language),
        ("PageAmount", doc.page_count if doc.page_count is not None else ""),
        ("Description", doc.description),
        ("ArrivalDate", timezone.localtime(doc.arrival_date).date()),
        ("ArrivalNumber", doc.arrival_number),
        ("SignerInfo", {"Position": doc.signer_position, "FullName": doc.signer_name}),
        ("Priority", PRIORITY.get(doc.urgency, 0)),
        ("ToPlaces", to_places),
        ("TraceHeaderList", _trace_text(assignments)),
        ("DueDate", doc.due_date or ""),
    ]
    notes = "Đã hủy do bị thu hồi" if doc.state == IncomingState.CANCELLED else ""
    return CaseFileEntry(
        ordinal=item.ordinal, direction="incoming", code=doc.code, date=doc.issued_date,
        type_subject=f"{doc.doc_type.name} {doc.subject}".strip(), author=doc.issuer_name,
        pages=doc.page_count, notes=notes, metadata=metadata)


def _outgoing_entry(item: CaseFileItem) -> CaseFileEntry:
    doc = item.outgoing
    recipients: list[Recipient] = list(doc.recipients.all())
    metadata: list[tuple[str, Any]] = [
        ("TypeName", doc.doc_type.name),
        ("CodeNumber", format_number(doc.number) if doc.number else ""),
        ("CodeNotation", doc.notation),
        ("IssuedDate", doc.issued_date or ""),
        ("OrganName", doc.agency.name),
        ("Subject", doc.subject),
        ("Language", "Tiếng Việt"),
        ("PageAmount", doc.page_count if doc.page_count is not None else ""),
        ("Description", doc.recall_reason if doc.recalled_at else ""),
        ("SignerInfo", {"Position": doc.signer_position,
                        "FullName": doc.signer.get_full_name()}),
    ]
    for r in recipients:
        metadata.append(("To", {"OrganId": (r.unit.electronic_id or "") if r.unit_id else "",
                                "OrganName": r.name}))
    metadata += [
        ("Priority", PRIORITY.get(doc.urgency, 0)),
        ("IssuedAmount", doc.copies),
        ("DueDate", doc.due_date or ""),
    ]
    notes = {"recalled": "Đã thu hồi", "replaced": "Đã được thay thế"}.get(doc.state, "")
    return CaseFileEntry(
        ordinal=item.ordinal, direction="outgoing", code=doc.code, date=doc.issued_date,
        type_subject=f"{doc.doc_type.name} {doc.subject}".strip(), author=doc.agency.name,
        pages=doc.page_count, notes=notes, metadata=metadata)


def chronological_key(item: CaseFileItem) -> tuple:
    """Documents of a file in chronological order: document date, then arrival / issue
    instant, then the order they were added."""
    doc = item.incoming or item.outgoing
    date = doc.issued_date or dt.date.max
    instant = (item.incoming.arrival_date if item.incoming_id else item.outgoing.issued_at)
    return (date, instant or dt.datetime.max.replace(tzinfo=dt.UTC), item.ordinal)


def casefile_entries(*, case_file: CaseFile) -> tuple[list[CaseFileEntry], list[CaseFileItem]]:
    """(entries, items) of a file in chronological order with their Phụ lục VI metadata
    (constant queries: items, assignments, recipients)."""
    assignments = Prefetch(
        "incoming__assignments",
        queryset=Assignment.objects.select_related("assignee_unit", "assignee_user",
                                                   "assigned_by").order_by("assigned_at", "id"))
    recipients = Prefetch("outgoing__recipients",
                          queryset=Recipient.objects.select_related("unit").order_by("id"))
    items = list(
        CaseFileItem.objects.filter(case_file=case_file)
        .select_related("incoming", "incoming__doc_type", "incoming__file",
                        "outgoing", "outgoing__doc_type", "outgoing__agency",
                        "outgoing__signer", "outgoing__issued_file", "outgoing__signed_file")
        .prefetch_related(assignments, recipients)
    )
    items.sort(key=chronological_key)
    entries = [_incoming_entry(i) if i.incoming_id else _outgoing_entry(i) for i in items]
    return entries, items


def item_pdf(item: CaseFileItem):
    """The StoredFile holding a filed document's PDF (the issued version of an outgoing one)."""
    if item.incoming_id:
        return item.incoming.file
    return item.outgoing.issued_file or item.outgoing.signed_file
