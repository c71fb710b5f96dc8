"""The web shell's navigation and the labels the inbox shows for every module.

A module adds its menu entry with `register_nav(NavEntry(...))` (in its `AppConfig.ready`) and
the name its work items show with `register_module("documents", _("Documents"))`. An entry names
the policy action it needs; users who may not use it do not see it (the view checks again).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavEntry:
    key: str
    label: object
    url_name: str
    action: str | None = None  # policy action required; None = every signed-in user
    staff_only: bool = False
    order: int = 100


NAV: list[NavEntry] = [
    NavEntry("inbox", _("My work"), "inbox", order=0),
    NavEntry("notifications", _("Notifications"), "notifications", order=10),
    # Admin screens also need is_staff (Django's admin lets only staff in).
    NavEntry("orgs", _("Organisation"), "admin:core_orgunit_changelist", action="core.manage_orgs",
             staff_only=True, order=800),
    NavEntry("calendar", _("Calendar"), "admin:core_calendarday_changelist",
             action="core.manage_calendar", staff_only=True, order=810),
    NavEntry("audit", _("Audit trail"), "audit_log", action="core.view_audit", order=820),
    NavEntry("tokens", _("API tokens"), "api_tokens", order=900),
]


def register_nav(entry: NavEntry) -> None:
    """Add (or replace, by key) a navigation entry."""
    NAV[:] = [e for e in NAV if e.key != entry.key] + [entry]


# Names of the modules that create work items (WorkItem.module).
MODULE_LABELS: dict[str, object] = {
    "core": _("System"),
    "documents": _("Documents"),
    "signing": _("Signing"),
    "onestop": _("One-stop desk"),
    "petitions": _("Petitions"),
    "directives": _("Directives"),
    "civil": _("Civil status"),
    "exchange": _("Exchange"),
}

# WorkItem.urgency codes (độ khẩn); "" and "normal" show no flag.
URGENCY_LABELS: dict[str, object] = {
    "urgent": _("Urgent"),
    "very_urgent": _("Very urgent"),
    "flash": _("Flash"),
    "flash_timed": _("Flash, timed"),
}
NOT_URGENT = {"", "normal"}


def register_module(code: str, label) -> None:
    MODULE_LABELS[code] = label


def module_label(code: str):
    return MODULE_LABELS.get(code, code)


def urgency_label(code: str):
    if (code or "") in NOT_URGENT:
        return ""
    return URGENCY_LABELS.get(code, code)


def _is_active(path: str, url: str) -> bool:
    if url == "/":
        return path == "/"
    return path == url or path.startswith(url)


def navigation_for(request) -> list[dict]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    from .policy import ACTIONS, can

    items = []
    path = request.path
    for entry in sorted(NAV, key=lambda e: e.order):
        if entry.staff_only and not user.is_staff:
            continue
        if entry.action and (entry.action not in ACTIONS or not can(user, entry.action)):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        items.append({"key": entry.key, "label": entry.label, "url": url,
                      "active": _is_active(path, url)})
    return items
