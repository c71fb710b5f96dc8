"""Print views of two working slips (issue 9 §5), as an HTML page with a print stylesheet (A4)
and as a PDF made with WeasyPrint from the same markup:

- Phiếu giải quyết văn bản đến (NĐ 30/2020 Phụ lục IV; documents.md §9): the incoming
  document's facts (type, số/ký hiệu, date, issuer, trích yếu, arrival number and date), then
  (1) the agency leader's opinion — ý kiến chỉ đạo, unit/person chủ trì, phối hợp and để biết,
  a deadline for each, the date and the leader; (2) the unit leader's opinion — the person
  assigned inside the unit, deadline, date; (3) the handler's result and date; and the handling
  record (the document's trail).
- Phiếu trình (the drafting unit's submission slip; practice — NĐ 30 has no form for it): the
  draft's facts (type, trích yếu, urgency, drafting unit, drafter, version), the reviewers'
  opinions in the order of Điều 11–12 (content, format), the comments, the signer and the
  signer's decision.

The slip itself is a Vietnamese administrative form: it is always rendered in Vietnamese (the
surrounding page follows the reader's language), like the registers' PDF exports.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import AssignmentState, IncomingDocument, OutgoingDocument

ROLE_WORDS = {"lead": "Chủ trì", "support": "Phối hợp", "inform": "Để biết"}
STATE_WORDS = {
    AssignmentState.OPEN: "Đang giải quyết", AssignmentState.DONE: "Đã hoàn thành",
    AssignmentState.FORWARDED: "Đã chuyển", AssignmentState.RETURNED: "Đã trả lại",
    AssignmentState.CANCELLED: "Đã hủy",
}


def _agency_lines(agency) -> dict[str, str]:
    parent = agency.parent if getattr(agency, "parent_id", None) else None
    return {"parent_name": parent.name if parent else "", "agency_name": agency.name}


def _line(a) -> dict[str, Any]:
    return {"role": ROLE_WORDS.get(a.role, a.role),
            "assignee": (a.assignee_user.get_full_name() if a.assignee_user_id
                         else a.assignee_unit.name),
            "unit": a.assignee_unit.name if a.assignee_user_id and a.assignee_unit_id else "",
            "due_date": a.due_date, "state": STATE_WORDS.get(a.state, a.state),
            "assigned_by": a.assigned_by.get_full_name(), "assigned_at": a.assigned_at,
            "instruction": a.instruction, "result": a.result, "finished_at": a.finished_at}


def incoming_slip_context(document: IncomingDocument, events: list) -> dict[str, Any]:
    """`document` from selectors.incoming.incoming_get (assignments prefetched)."""
    assignments = list(document.assignments.all())
    top = [a for a in assignments if a.parent_id is None]
    # (1) the agency leader's opinions: one group per instruction given (leader, time).
    opinions: list[dict[str, Any]] = []
    for a in top:
        key = (a.assigned_by_id, a.assigned_at.replace(microsecond=0), a.instruction)
        if not opinions or opinions[-1]["key"] != key:
            opinions.append({"key": key, "by": a.assigned_by.get_full_name(),
                             "at": a.assigned_at, "instruction": a.instruction, "lines": []})
        opinions[-1]["lines"].append(_line(a))
    # (2) the unit leaders' opinions: assignments passed on inside a unit.
    unit_opinions = [_line(a) for a in assignments if a.parent_id is not None]
    # (3) the handlers' results.
    results = [_line(a) for a in assignments if a.result or a.state == AssignmentState.DONE]
    return {**_agency_lines(document.agency), "doc": document, "opinions": opinions,
            "unit_opinions": unit_opinions, "results": results, "events": events,
            "printed_at": timezone.now()}


def submission_slip_context(document: OutgoingDocument, events: list) -> dict[str, Any]:
    """`document` from selectors.outgoing.outgoing_get (versions, approvals, comments
    prefetched)."""
    versions = list(document.versions.all())
    approvals = list(document.approvals.all())
    reviews = [a for a in approvals if a.step != "signer"]
    signer = [a for a in approvals if a.step == "signer"]
    return {**_agency_lines(document.agency), "doc": document,
            "latest": versions[-1] if versions else None, "reviews": reviews,
            "signer_decisions": signer, "comments": list(document.comments.all()),
            "replies_to": list(document.in_reply_to.all()),
            "recipients": list(document.recipients.all()), "events": events,
            "printed_at": timezone.now()}


def render_slip(template: str, context: dict[str, Any]) -> str:
    """The slip's markup, in Vietnamese whatever the reader's language."""
    with translation.override("vi"):
        return render_to_string(template, context)


def slip_pdf(body: str, title: str) -> bytes:
    from django.contrib.staticfiles import finders
    from weasyprint import HTML

    with open(finders.find("egov/slip.css"), encoding="utf-8") as fh:
        css = fh.read()
    with translation.override("vi"):
        html = render_to_string("documents/pdf/slip.html",
                                {"body": body, "title": title, "css": css})
    return HTML(string=html, base_url=None).write_pdf()
