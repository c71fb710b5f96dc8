"""The document trail: one append-only DocumentEvent per view, download, assignment, forward,
return, completion, approval, issue, dispatch and recall (NĐ 30/2020 Phụ lục VI §III.5.a)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

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
