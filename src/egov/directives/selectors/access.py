"""Who may see and act on a directive.

- See: holders of `directives.view_all` on the giver's agency; the giver; the lead (person, or
  `directives.handle` on the lead unit); every participant (person, or `directives.handle` on
  the participant's unit); holders of `directives.reports` on a participant's unit; superusers.
- Give: `directives.give` on the giver's agency; the lead unit must lie in that agency's
  subtree (a provincial leader gives to departments and communes, a commune leader to the
  commune's divisions).
- Report progress / ask for an extension / report completion: the lead person, or
  `directives.handle` on the lead unit. A supporting participant reports on its own row.
- Decide an extension, accept or return a completion: the giver, or `directives.give` on the
  agency (a deputy standing in).
- Split into sub-directives: `directives.assign` on the lead unit (the lead unit's head).
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from egov.core import policy
from egov.core.errors import NotFound

from ..models import Directive, DirectiveAssignee

GIVE, HANDLE, ASSIGN, VIEW_ALL, REPORTS, MANAGE = (
    "directives.give", "directives.handle", "directives.assign", "directives.view_all",
    "directives.reports", "directives.manage")


def active(actor) -> bool:
    return bool(actor is not None and getattr(actor, "is_authenticated", False)
                and actor.is_active)


def visible_q(actor) -> Q:
    """A filter keeping the directives the actor may see."""
    if not active(actor):
        return policy.NOTHING
    if actor.is_superuser:
        return policy.EVERYTHING
    participant = DirectiveAssignee.objects.filter(directive=OuterRef("pk")).filter(
        Q(user=actor) | policy.unit_q(actor, HANDLE, "unit") | policy.unit_q(actor, REPORTS, "unit"))
    return (policy.unit_q(actor, VIEW_ALL, "agency") | policy.unit_q(actor, HANDLE, "lead_unit")
            | Q(given_by=actor) | Q(lead_user=actor) | Exists(participant))


def may_view(actor, directive: Directive) -> bool:
    if not active(actor):
        return False
    return Directive.objects.filter(visible_q(actor), pk=directive.pk).exists()


def may_give(actor, agency) -> bool:
    return active(actor) and policy.can(actor, GIVE, agency)


def may_handle(actor, directive: Directive) -> bool:
    """The lead: report progress, ask for an extension, report completion."""
    if not active(actor):
        return False
    if directive.lead_user_id is not None and directive.lead_user_id == actor.pk:
        return True
    return policy.can(actor, HANDLE, directive.lead_unit)


def may_decide(actor, directive: Directive) -> bool:
    """The giver (or a holder of `directives.give` on the agency): decide extensions, accept or
    return a completion."""
    if not active(actor):
        return False
    return directive.given_by_id == actor.pk or policy.can(actor, GIVE, directive.agency)


def may_split(actor, directive: Directive) -> bool:
    return active(actor) and policy.can(actor, ASSIGN, directive.lead_unit)


def participant_rows_for(actor, directive: Directive) -> list[DirectiveAssignee]:
    """The supporting rows the actor may report on (their person, or `handle` on the unit)."""
    if not active(actor):
        return []
    rows = list(directive.assignees.filter(role="support").select_related("unit"))
    return [r for r in rows
            if r.user_id == actor.pk or (r.user_id is None and policy.can(actor, HANDLE, r.unit))]


def directive_get(*, actor, pk: int) -> Directive:
    """The directive if the actor may see it; 404 otherwise (no hint that it exists)."""
    d = (Directive.objects.filter(visible_q(actor), pk=pk)
         .select_related("agency", "lead_unit", "lead_user", "given_by", "parent", "series")
         .first())
    if d is None:
        raise NotFound()
    return d
