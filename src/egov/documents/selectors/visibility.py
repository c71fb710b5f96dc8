"""What may this actor see? One place for the documents module's visibility filters, used by
lists, search, registers and detail pages alike (ARCHITECTURE.md §3 Permissions)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from egov.core import policy
from egov.core.models import Position

from ..models import Assignment


def current_unit_ids(actor) -> list[int]:
    """Units where the actor holds a post today, own or delegated to them."""
    cached = getattr(actor, "_egov_current_units", None)
    if cached is not None:
        return cached
    units = policy.position_unit_ids(actor)  # the same posts the grants were read from
    if units is not None:
        return units
    today = timezone.localdate()
    valid = Q(valid_from__lte=today) & (Q(valid_to__isnull=True) | Q(valid_to__gte=today))
    mine = Q(user=actor) | Q(delegations__delegate=actor, delegations__start__lte=today,
                             delegations__end__gte=today)
    units = sorted(set(Position.objects.filter(valid & mine).values_list("org_unit_id",
                                                                         flat=True)))
    actor._egov_current_units = units
    return units


def incoming_visible_q(actor) -> Q:
    """Incoming documents the actor may see: every document of an agency where they hold
    documents.view_all (clerk, leader), and any document assigned to them or to a unit where
    they hold a post."""
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return Q(pk__in=[])
    if actor.is_superuser:
        return Q()
    q = policy.unit_q(actor, "documents.view_all", "agency")
    assigned = Assignment.objects.filter(document=OuterRef("pk")).filter(
        Q(assignee_user=actor) | Q(assignee_unit_id__in=current_unit_ids(actor))
    )
    return q | Q(Exists(assigned))


def outgoing_visible_q(actor) -> Q:
    """Outgoing documents the actor may see: every document of an agency where they hold
    documents.view_all; drafts of their drafting unit where they review content; documents they
    drafted or are to sign; and any issued document addressed to a unit where they hold a post
    is seen through its incoming copy instead."""
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return Q(pk__in=[])
    if actor.is_superuser:
        return Q()
    return (
        policy.unit_q(actor, "documents.view_all", "agency")
        | policy.unit_q(actor, "documents.review_content", "drafting_unit")
        | policy.unit_q(actor, "documents.review_format", "agency")
        | policy.unit_q(actor, "documents.issue", "agency")
        | Q(drafter=actor)
        | Q(signer=actor)
    )
