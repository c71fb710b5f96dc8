"""The document trail: one append-only DocumentEvent per view, download, assignment, forward,
return, completion, approval, issue, dispatch and recall (NĐ 30/2020 Phụ lục VI §III.5.a)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import DocumentEvent, IncomingDocument, OutgoingDocument


def primary_unit_id(user) -> int | None:
    """The unit of the user's primary current position (shown in the trail)."""
    if user is None:
        return None
    cached = getattr(user, "_egov_primary_unit_id", "unset")
    if cached != "unset":
        return cached
    from egov.core.models import Position

    today = timezone.localdate()
    unit_id = (
        Position.objects.filter(user=user, valid_from__lte=today)
        .exclude(valid_to__lt=today)
        .order_by("-is_primary", "id")
        .values_list("org_unit_id", flat=True)
        .first()
    )
    user._egov_primary_unit_id = unit_id
    return unit_id


def trail_record(*, document: IncomingDocument | OutgoingDocument, action: str, actor,
                 details: dict[str, Any] | None = None) -> DocumentEvent:
    """Append one event to the document's trail (in the caller's transaction)."""
    kwargs = ({"incoming": document} if isinstance(document, IncomingDocument)
              else {"outgoing": document})
    return DocumentEvent.objects.create(
        action=action, actor=actor if getattr(actor, "pk", None) else None,
        actor_unit_id=primary_unit_id(actor) if getattr(actor, "pk", None) else None,
        details=details or {}, **kwargs,
    )


# The trail's words for each action (shown by the `trail_label` template filter).
TRAIL_LABELS = {
    "registered": _("Registered"),
    "received": _("Received electronically"),
    "presented": _("Presented for instructions"),
    "viewed": _("Viewed"),
    "downloaded": _("Downloaded"),
    "assigned": _("Assigned"),
    "reassigned": _("Passed to a person"),
    "completed": _("Completed"),
    "forwarded": _("Forwarded"),
    "returned": _("Returned"),
    "completed_by_reply": _("Completed by the reply"),
    "cancelled": _("Recalled by the issuer"),
    "created": _("Draft created"),
    "drafted": _("Draft created"),
    "version_added": _("New draft version"),
    "commented": _("Commented"),
    "submitted": _("Submitted for review"),
    "approved": _("Approved"),
    "signed": _("Signed"),
    "issued": _("Issued"),
    "dispatched": _("Dispatched"),
    "delivered": _("Delivered"),
    "delivery_failed": _("Delivery failed"),
    "recalled": _("Recalled"),
    "replaced": _("Replaced"),
    "updated": _("Draft details changed"),
    "converted": _("Converted to PDF"),
    "conversion_failed": _("Conversion to PDF failed"),
    "text_extraction_stopped": _("Text extraction stopped"),
    "notice_sent": _("Notice sent"),
    "copy_cancelled": _("Recipient's copy cancelled"),
    "replacement_of": _("Replaces an issued document"),
    "replacement_drafted": _("Replacement drafted"),
    "reply_link_failed": _("Reply could not be linked"),
    "case_file.add": _("Added to a case file"),
    "case_file.remove": _("Removed from a case file"),
    "returned_to_sender": _("Returned to the sender"),
    "returned_by_recipient": _("Returned by the recipient"),
}


def trail_label(action: str) -> str:
    """The label of a trail action; an unknown action shows its code."""
    return str(TRAIL_LABELS.get(action, action))
