"""Template filters of the petition page's deadlines."""

from django import template
from django.utils.translation import gettext_lazy as _

from egov.core import calendar

from .. import rules

register = template.Library()

STEP_LABELS = {
    rules.PROCESSING: _("Processing the letter"),
    rules.ACCEPTANCE: _("Acceptance decision (thụ lý)"),
    rules.FORWARD: _("Forwarding"),
    rules.RESOLUTION: _("Resolution"),
}


@register.filter
def step_label(step: str) -> str:
    return str(STEP_LABELS.get(step, step))


@register.filter
def deadline_state(due_at) -> str:
    return calendar.deadline_state(due_at)
