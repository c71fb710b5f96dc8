"""Template tags of the petition page's slips box and possible-duplicates box (i11-slips), so the
page's view (owned by the base) needs no change: each reads through the selectors with the
request's user."""

from __future__ import annotations

from django import template

from ..selectors import duplicates as dup_sel
from ..selectors import slips as slip_sel

register = template.Library()


@register.simple_tag(takes_context=True)
def petition_slip_rows(context, petition):
    """[{"slip", "downloadable"}] for the page's user."""
    return slip_sel.slips_for(context["request"].user, petition)


@register.simple_tag(takes_context=True)
def petition_duplicates(context, petition):
    """The possible duplicates for those who classify (None for everyone else, and once the
    petition is past classification)."""
    user = context["request"].user
    if petition.state not in ("draft", "received", "classified") \
            or not dup_sel.may_suggest(user, petition):
        return None
    return dup_sel.duplicates_for(actor=user, petition=petition)
