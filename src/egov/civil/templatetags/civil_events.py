"""Template tags of the pages for the other events (issue 13): may the user register, and the
person's open guardianship as a ward (for the person page's links)."""

from __future__ import annotations

from django import template

from ..models import Guardianship
from ..views import common

register = template.Library()


@register.simple_tag
def civil_may_register(user) -> bool:
    return common.may_register(user)


@register.simple_tag
def civil_open_guardianship(person) -> int | None:
    """The id of the guardianship the person is under (one at a time, Bộ luật Dân sự 2015,
    Điều 48.2), or None. The person page's reader may already read this person."""
    return (Guardianship.objects.filter(ward=person, ended_on__isnull=True)
            .values_list("pk", flat=True).first())


@register.simple_tag
def civil_declarations(person) -> dict:
    """Which noted decisions are in force on the person, for the person page's links: an
    adoption of them (its end), a declaration of missing status, on capacity, of death (its
    cancellation; a registered death has none)."""
    from ..models import CivilEvent, EventKind
    from ..services.events_decisions import adoptive_parents
    from ..services.events_status import declaration_in_force

    registered = person.death_date is not None and CivilEvent.objects.filter(
        kind=EventKind.DEATH, parties__person=person).exists()
    return {"adoption": bool(adoptive_parents(person)),
            "missing": declaration_in_force(person, EventKind.MISSING) is not None,
            "capacity": declaration_in_force(person, EventKind.CAPACITY) is not None,
            "death_declared": not registered and person.death_date is not None
            and declaration_in_force(person, EventKind.DEATH_DECLARED) is not None}
