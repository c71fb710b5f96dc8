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
