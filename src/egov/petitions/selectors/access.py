"""Who may see a petition, and who may read the petitioner's identity.

A petition (always without identity: see models) is visible to holders of
`petitions.view_all` / `petitions.receive` on its agency, `petitions.process` on its handling
unit, its handler and its receiver, and superusers.

The identity (Luật Tố cáo 25/2018 Art.47.2, 56; NĐ 154/2026 Art.12; services.md §2.5) is
readable ONLY by the officer who received the petition (`received_by`), the assigned handler
and the head of the agency (`petitions.head` on the petition's agency). There is deliberately
no superuser, administrator, auditor or investigator exception: `policy.can` lets superusers
do anything, so this module checks the grant itself. The rule is the same for every kind,
because a letter's kind is only known after classification and may change. Every read goes
through `identity_for()`, which writes it to the audit trail.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q

from egov.core import policy
from egov.core.audit import audit_log
from egov.core.errors import NotFound

from ..models import Petition, PetitionIdentity

RECEIVE, PROCESS, VIEW_ALL, HEAD = ("petitions.receive", "petitions.process",
                                    "petitions.view_all", "petitions.head")


def _active(actor) -> bool:
    return bool(actor is not None and getattr(actor, "is_authenticated", False)
                and actor.is_active)


def visible_q(actor) -> Q:
    """A filter keeping the petitions the actor may see (never identity)."""
    if not _active(actor):
        return Q(pk__in=[])
    q = (policy.unit_q(actor, VIEW_ALL, "agency") | policy.unit_q(actor, RECEIVE, "agency")
         | policy.unit_q(actor, PROCESS, "handling_unit"))
    return q | Q(handler=actor) | Q(received_by=actor)


def may_view(actor, petition: Petition) -> bool:
    if not _active(actor):
        return False
    if actor.pk in (petition.handler_id, petition.received_by_id):
        return True
    if any(policy.can(actor, a, petition.agency) for a in (VIEW_ALL, RECEIVE)):
        return True
    return petition.handling_unit_id is not None and policy.can(actor, PROCESS,
                                                                 petition.handling_unit)


def is_agency_head(actor, petition: Petition) -> bool:
    """Holds `petitions.head` covering the petition's agency — checked on the grants themselves,
    with no superuser exception."""
    if not _active(actor):
        return False
    agency = petition.agency
    for g in policy.grants_for(actor):
        if g.action != HEAD:
            continue
        if g.scope == "all" or (g.scope == "agency" and g.agency_id == agency.agency_id) \
                or (g.scope == "unit" and agency.path.startswith(g.unit_path)):
            return True
    return False


def may_see_identity(actor, petition: Petition) -> bool:
    """The receiving officer, the assigned handler and the head of the agency; nobody else."""
    if not _active(actor):
        return False
    if actor.pk is not None and actor.pk in (petition.received_by_id, petition.handler_id):
        return True
    return is_agency_head(actor, petition)


def identity_for(actor, petition: Petition, *, purpose: str) -> PetitionIdentity | None:
    """The identity if the actor may read it (None otherwise); every read is written to the
    audit trail ("petition.identity.read", with the purpose: "page", "api", "export"…)."""
    if not may_see_identity(actor, petition):
        return None
    identity = PetitionIdentity.objects.filter(petition=petition).first()
    if identity is not None:
        with transaction.atomic():
            audit_log(actor=actor, action="petition.identity.read", obj=petition,
                      details={"code": petition.code, "purpose": purpose})
    return identity


def identity_for_system(petition: Petition, *, purpose: str) -> PetitionIdentity | None:
    """The identity for the system itself (an acknowledgement or a notice sent to the
    petitioner): logged with no actor. Callers write it only into the outgoing message."""
    identity = PetitionIdentity.objects.filter(petition=petition).first()
    if identity is not None:
        with transaction.atomic():
            audit_log(actor=None, action="petition.identity.read", obj=petition,
                      details={"code": petition.code, "purpose": purpose})
    return identity


def petition_get(*, actor, pk: int) -> Petition:
    """The petition if the actor may see it; 404 `not_found` otherwise (same answer for an
    unknown id)."""
    petition = (Petition.objects.select_related("agency", "handling_unit", "handler",
                                                "received_by")
                .filter(pk=pk).first())
    if petition is None or not may_view(actor, petition):
        raise NotFound()
    return petition
