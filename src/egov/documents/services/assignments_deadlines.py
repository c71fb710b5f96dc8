"""Deadlines of the leader's assignment (ý kiến chỉ đạo, NĐ 30/2020 Điều 23.2; Phiếu giải quyết
văn bản đến, Phụ lục IV: "a deadline for each" unit chủ trì and phối hợp).

Rules decided here (docs/documents.md, "Deadlines of an assignment"):

- Each supporting unit (phối hợp) may get its own deadline. Without one it gets the lead's
  (chủ trì) deadline — the lead named in the same instruction, or the document's open lead.
- A supporting unit's deadline may be earlier or later than the lead's: the Phụ lục IV slip
  gives "a deadline for each" and sets no order between them (a supporting unit may be asked for
  its input first, or for a follow-up part after the lead's report). It may not be before today
  (checked with every deadline).
- The document's handling deadline (`IncomingDocument.handling_due_date`, shown in the page's
  header, the lists and the registers) is the deadline of its lead: when the leader names the
  lead with a deadline, the document's deadline becomes that date.
"""

from __future__ import annotations

import datetime as dt

from egov.core.models import WorkRole

from ..models import Assignment, IncomingDocument


def lead_due(parsed: list[dict], open_lead_due: dt.date | None) -> dt.date | None:
    """The lead's deadline: the lead named now (its parsed due date) or the open lead's."""
    for x in parsed:
        if x["role"] == WorkRole.LEAD:
            return x["due"]
    return open_lead_due


def apply_support_deadlines(parsed: list[dict], *, open_lead_due: dt.date | None) -> None:
    """Give supporting lines sent without a deadline the lead's."""
    lead = lead_due(parsed, open_lead_due)
    if lead is None:
        return
    for x in parsed:
        if x["role"] == WorkRole.SUPPORT and x.get("given") is None:
            x["due"] = lead


def sync_handling_due(document: IncomingDocument, created: list[Assignment]) -> bool:
    """The document's deadline follows its lead (the caller holds the document's row lock and
    saves nothing else on it). True when it changed."""
    for a in created:
        if a.role == WorkRole.LEAD and a.parent_id is None and a.due_date is not None:
            if document.handling_due_date != a.due_date:
                document.handling_due_date = a.due_date
                document.save(update_fields=["handling_due_date"])
                return True
            return False
    return False
