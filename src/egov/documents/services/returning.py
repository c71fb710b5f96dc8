"""Returning an electronic incoming document to its sender (NĐ 30/2020 Điều 21.2; issue 9 §2).

Điều 21.2: the receiving văn thư checks an electronic document's authenticity and integrity and
returns invalid or wrongly addressed documents to the sender through the System. In eGov an
electronic delivery is received and numbered at once (the số đến series is gapless and shared
with paper), so "returning" acts on the received record:

* Who: a holder of documents.register for the receiving agency (the văn thư).
* What: an electronic document (channel "electronic") nobody has acted on yet — state
  REGISTERED or PRESENTED with no assignment. It becomes RETURNED with the time and the
  mandatory reason; it keeps its arrival number, and the register shows "Đã trả lại nơi gửi".
  The leaders' open "give instructions" items are cancelled.
* Refused with 409: a paper document (`not_electronic`), one already returned
  (`already_returned`), recalled by the issuer (`wrong_state`), or already handled — a leader
  gave instructions or it is done (`already_handled`). An empty reason is 422 on `reason`.
  Nothing changes on a refusal.
* The sender: when the document came from an agency of this installation (`source`, the
  outgoing document whose dispatch created it), the sender's Recipient row records the return
  (time and reason), the outgoing document's page shows "Bị trả lại" for that recipient, its
  trail gets a "returned_by_recipient" event, and the sender's văn thư (documents.issue holders
  of the issuing agency) and the drafter are notified.
* Locks (docs/architecture.md, "Row locks and the audit head"): the sender's Recipient row first,
  then the incoming document — the order of the issuer's recall (`_withdraw_copies`) — both
  `select_for_update(no_key=True)`, and the audit head last (`audit_log` at the end).
"""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from egov.core import policy
from egov.core.audit import audit_log
from egov.core.errors import AppError, InvalidInput
from egov.core.models import User, WorkItem, WorkState
from egov.core.msgtext import Msg
from egov.core.notifications import notify

from ..models import Assignment, Channel, IncomingDocument, IncomingState, Recipient
from ..selectors.outgoing import action_holders
from ..trail import trail_record
from .incoming import REGISTER, _label, _subject_q

LEGAL_BASIS = "Nghị định 30/2020/NĐ-CP, Điều 21 khoản 2"
MAX_REASON = 500
RETURNABLE_STATES = (IncomingState.REGISTERED, IncomingState.PRESENTED)


def _clean_reason(reason) -> str:
    text = " ".join(str(reason or "").split()) if isinstance(reason, str) else ""
    if not text:
        message = _("Give the reason for returning the document to its sender.")
        raise InvalidInput(message, fields={"reason": [message]})
    if len(text) > MAX_REASON:
        message = _("At most %(max)d characters.") % {"max": MAX_REASON}
        raise InvalidInput(message, fields={"reason": [message]})
    return text


def return_refusal(document: IncomingDocument, *, has_assignments: bool) -> AppError | None:
    """Why `document` cannot be returned now (an AppError with status 409), or None."""
    if document.channel != Channel.ELECTRONIC:
        return AppError("not_electronic", _("Only an electronic document is returned to its "
                                            "sender through the system; a paper document is "
                                            "sent back on paper."), status=409)
    if document.state == IncomingState.RETURNED:
        return AppError("already_returned", _("This document was already returned to its "
                                              "sender."), status=409)
    if document.state == IncomingState.CANCELLED:
        return AppError("wrong_state", _("The issuer recalled this document."), status=409)
    if document.state not in RETURNABLE_STATES or has_assignments:
        return AppError("already_handled", _("Instructions were already given on this "
                                             "document: it can no longer be returned."),
                        status=409)
    return None


def may_return(actor, document: IncomingDocument) -> bool:
    """Whether the page offers "Return to the sender" to `actor` (no query beyond the grants
    and one existence check)."""
    if document.channel != Channel.ELECTRONIC or document.state not in RETURNABLE_STATES:
        return False
    if not policy.can(actor, REGISTER, document.agency):
        return False
    return not Assignment.objects.filter(document=document).exists()


def _sender_people(recipient: Recipient | None) -> list[User]:
    if recipient is None:
        return []
    source = recipient.document
    people = list(action_holders("documents.issue", source.agency))
    if source.drafter_id and source.drafter.is_active:
        people.append(source.drafter)
    return people


def incoming_return(*, actor, document: IncomingDocument, reason) -> IncomingDocument:
    """Return `document` to its sender with `reason` (see the module docstring)."""
    policy.require(actor, REGISTER, document.agency)
    reason = _clean_reason(reason)
    with transaction.atomic():
        recipient = None
        if document.source_id:
            recipient = (Recipient.objects.select_for_update(of=("self",), no_key=True)
                         .select_related("document__agency", "document__drafter")
                         .filter(document_id=document.source_id, delivered_incoming=document)
                         .first())
        locked = (IncomingDocument.objects.select_for_update(of=("self",), no_key=True)
                  .select_related("agency").get(pk=document.pk))
        refusal = return_refusal(
            locked, has_assignments=Assignment.objects.filter(document=locked).exists())
        if refusal is not None:
            raise refusal
        now = timezone.now()
        items = WorkItem.objects.filter(_subject_q(locked), state=WorkState.OPEN)
        item_ids = list(items.values_list("pk", flat=True))
        WorkItem.objects.filter(pk__in=item_ids).update(state=WorkState.CANCELLED,
                                                        finished_at=now)
        locked.state = IncomingState.RETURNED
        locked.returned_at = now
        locked.return_reason = reason
        locked.save(update_fields=["state", "returned_at", "return_reason"])
        details = {"reason": reason, "work_items": item_ids, "source": locked.source_id,
                   "legal_basis": LEGAL_BASIS}
        trail_record(document=locked, action="returned_to_sender", actor=actor, details=details)
        if recipient is not None:
            recipient.returned_at = now
            recipient.return_reason = reason
            recipient.save(update_fields=["returned_at", "return_reason"])
            source = recipient.document
            trail_record(document=source, action="returned_by_recipient", actor=actor, details={
                "recipient": recipient.name, "unit": recipient.unit_id,
                "incoming": locked.pk, "reason": reason, "legal_basis": LEGAL_BASIS})
            people = _sender_people(recipient)
            if people:
                # Rendered in each reader's language (egov.core.msgtext).
                subject = Msg(N_("Returned by %(agency)s: %(doc)s"),
                              agency=locked.agency.name, doc=source.code or source.subject)
                notify(users=people, subject=subject, body=reason,
                       url=reverse("documents:outgoing_detail", args=[source.pk]))
        audit_log(actor=actor, action="documents.incoming.return", obj=locked,
                  details={"reason": reason, "source": locked.source_id,
                           "recipient": recipient.pk if recipient else None,
                           "label": _label(locked)})
    document.state, document.returned_at, document.return_reason = (
        locked.state, locked.returned_at, locked.return_reason)
    return locked
