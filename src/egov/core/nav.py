"""The web shell's navigation. Modules add entries to NAV; each names the action it needs."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavEntry:
    key: str
    label: object
    url_name: str
    action: str | None = None  # policy action required; None = every signed-in user
    staff_only: bool = False


NAV: list[NavEntry] = [
    NavEntry("inbox", _("My work"), "inbox"),
    NavEntry("notifications", _("Notifications"), "notifications"),
    NavEntry("tokens", _("API tokens"), "api_tokens"),
    NavEntry("orgs", _("Organisation"), "admin:core_orgunit_changelist", action="core.manage_orgs"),
    NavEntry("calendar", _("Calendar"), "admin:core_calendarday_changelist",
             action="core.manage_calendar"),
    NavEntry("audit", _("Audit trail"), "audit_log", action="core.view_audit"),
]


def navigation_for(request) -> list[dict]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    from .policy import can

    items = []
    path = request.path
    for entry in NAV:
        if entry.action and not can(user, entry.action):
            continue
        url = reverse(entry.url_name)
        items.append({"key": entry.key, "label": entry.label, "url": url,
                      "active": path == url or (url != "/" and path.startswith(url))})
    return items
