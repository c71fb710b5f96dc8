"""Shared helpers of the registrar's pages: who may see them, the person and event reads (each
person read is an audit event, ids only), and the menu's visibility."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from egov.core import policy
from egov.core.audit import audit_log

from ..models import CivilEvent, Person

READ = "civil.read"
REGISTER = "civil.register"


def may_read(user) -> bool:
    return policy.can(user, READ)


def may_register(user) -> bool:
    return policy.can(user, REGISTER)


def require_read(user) -> None:
    if not may_read(user):
        raise DjangoPermissionDenied(_("You may not read civil-status records."))


def require_register(user) -> None:
    if not may_register(user):
        raise DjangoPermissionDenied(_("You may not register civil-status events."))


def person_get(user, pk: int, *, purpose: str = "view") -> Person:
    """A person record the user may read (else 404: another commune's records are not shown to
    exist); the read is an audit event `civil.person.read` with its purpose, ids only."""
    require_read(user)
    person = (Person.objects.select_related("commune", "father", "mother", "spouse")
              .filter(pk=pk).first()) if 0 < pk < 2**63 else None
    if person is None or not policy.can(user, READ, person.commune):
        raise Http404
    audit_log(actor=user, action="civil.person.read", obj=person,
              details={"purpose": purpose, "ids": [person.pk]})
    return person


def event_get(user, pk: int) -> CivilEvent:
    """An event the user may read, with its parties; naming them is a person read (audited,
    purpose "event", ids only)."""
    require_read(user)
    event = (CivilEvent.objects.select_related("book", "commune", "registrar")
             .prefetch_related("parties__person").filter(pk=pk).first()) if 0 < pk < 2**63 \
        else None
    if event is None or not policy.can(user, READ, event.commune):
        raise Http404
    ids = [p.person_id for p in event.parties.all()]
    audit_log(actor=user, action="civil.person.read", object_type="civil.person",
              details={"purpose": "event", "event": event.pk, "ids": ids})
    return event


def visible_events(user):
    return CivilEvent.objects.filter(policy.unit_q(user, READ, field="commune"))


def fee_details(cleaned: dict) -> dict | None:
    """The ground of exemption from the fee chosen on a form (Luật Hộ tịch 2014, Điều 11.1.a),
    as the registration's details (services/fees.py reads it)."""
    ground = cleaned.get("fee_exemption")
    return {"fee_exemption": ground} if ground else None
