"""Template helpers of the web shell: Vietnamese dates, deadline badges, module labels."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from egov.core import nav

register = template.Library()

DEADLINE_STATES: dict[str, tuple[object, str]] = {
    "none": (_("No deadline"), "badge--neutral"),
    "in_time": (_("In time"), "badge--ok"),
    "due_today": (_("Due today"), "badge--warn"),
    "overdue": (_("Overdue"), "badge--danger"),
    # Urgent work without a deadline of its own (WorkItem.is_immediate).
    "immediate": (_("Handle immediately"), "badge--danger"),
}


def _local(value):
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value, ZoneInfo(settings.TIME_ZONE))
    return value


@register.filter
def vn_datetime(value) -> str:
    """dd/mm/yyyy HH:MM in Asia/Ho_Chi_Minh (the same in every language)."""
    if not value:
        return ""
    value = _local(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    return value.strftime("%d/%m/%Y")


@register.filter
def vn_date(value) -> str:
    if not value:
        return ""
    return _local(value).strftime("%d/%m/%Y")


@register.filter
def iso_datetime(value) -> str:
    """Machine-readable value for <time datetime="…">."""
    if not value:
        return ""
    return _local(value).isoformat(timespec="minutes")


@register.inclusion_tag("egov/_deadline_badge.html")
def deadline_badge(state):
    label, css = DEADLINE_STATES.get(state or "none", DEADLINE_STATES["none"])
    return {"label": label, "css": css, "state": state or "none"}


@register.filter
def module_label(code) -> str:
    return nav.module_label(code or "")


@register.filter
def urgency_label(code) -> str:
    return nav.urgency_label(code or "")


@register.filter
def compact_json(value) -> str:
    if not value:
        return ""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)



@register.filter
def safe_href(value) -> str:
    """A link target from the database, kept only if it is a local path or an http(s) URL
    (never `javascript:` or `//other.host`)."""
    url = str(value or "").strip()
    if url.startswith("/") and not url.startswith("//") and "\\" not in url:
        return url
    if url.lower().startswith(("https://", "http://")):
        return url
    return ""
