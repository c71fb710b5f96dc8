"""Cancelling a directive (thu hồi nhiệm vụ): the giver withdraws a directive not yet done,
with a reason. Its open sub-directives are cancelled with it, a pending extension request is
refused (the reason as its note). Cancelled directives are not counted (buckets.countable_q);
the history and the audit keep them."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core import fieldcheck as fc
from egov.core.audit import audit_log
from egov.core.errors import PermissionDenied

from ..models import Directive, DirectiveState, ExtensionRequest, ExtensionState
from ..selectors import access
from . import records
from .progress import lock_chain, lock_descendants, rollup

NOT_DONE = (DirectiveState.OPEN, DirectiveState.SUBMITTED)


def _cancel_one(d: Directive, *, actor, reason: str, details: dict) -> None:
    d.state = DirectiveState.CANCELLED
    records.touch(d, "state")
    ExtensionRequest.objects.filter(directive=d, state=ExtensionState.PENDING).update(
        state=ExtensionState.REFUSED, decided_by=actor, decided_at=timezone.now(),
        decision_note=reason)
    records.event_write(directive=d, kind="cancelled", actor=actor, note=reason, details=details)


def directive_cancel(*, actor, directive_id, reason) -> Directive:
    """Withdraw a directive that is open or reported done (409 once done or cancelled).

    A recurring directive's template may be cancelled too: no further periods open (the periods
    already opened stay, each cancelled on its own if need be)."""
    d = access.directive_get(actor=actor, pk=directive_id)
    if not access.may_decide(actor, d):
        raise PermissionDenied(_("Only the giver may cancel this directive."))
    errors: fc.Errors = {}
    reason = fc.text(reason, "reason", errors, required=True, max_length=5000)
    fc.fail(errors)
    with transaction.atomic():
        d = lock_chain(d)
        if d.state not in NOT_DONE:
            raise records.not_allowed(d, _("Cancelling"))
        parts = lock_descendants(d, NOT_DONE)  # before any write (see progress.py)
        previous = d.state
        _cancel_one(d, actor=actor, reason=reason, details={"state_before": previous})
        for part in parts:
            _cancel_one(part, actor=actor, reason=reason,
                        details={"with_parent": part.parent_id})
        cancelled = [p.pk for p in parts]
        rollup(d, actor=actor)  # the parent's figure no longer counts this part
        audit_log(actor=actor, action="directive.cancel", obj=d,
                  details={"state_before": previous, "cancelled_parts": cancelled})
    return d
