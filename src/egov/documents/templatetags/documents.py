from django import template

from egov.documents.trail import trail_label as _trail_label

register = template.Library()


@register.filter
def trail_label(action: str) -> str:
    return _trail_label(action)
