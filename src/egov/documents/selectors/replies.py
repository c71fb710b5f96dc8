"""The answers drafted to an incoming document (OutgoingDocument.in_reply_to), for its page, and
whether the reader may draft one ("Soạn văn bản trả lời", documents.replying)."""

from __future__ import annotations

from egov.core import policy

from ..models import IncomingDocument, IncomingState, OutgoingDocument
from .visibility import outgoing_visible_q

DRAFT = "documents.draft"


def replies_of(*, actor, document: IncomingDocument) -> list[OutgoingDocument]:
    """The outgoing documents answering `document` that the actor may see (one query)."""
    return list(OutgoingDocument.objects.filter(outgoing_visible_q(actor),
                                                in_reply_to=document)
                .only("pk", "code", "subject", "state").order_by("created_at", "pk"))


def may_reply(actor, document: IncomingDocument) -> bool:
    """A drafter may answer an incoming document that is still to be handled or done (not
    recalled by its issuer)."""
    if document.state == IncomingState.CANCELLED:
        return False
    return policy.can(actor, DRAFT)
