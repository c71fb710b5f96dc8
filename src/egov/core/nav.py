"""The web shell's navigation and the labels the inbox shows for every module.

A module adds its menu entry with `register_nav(NavEntry(...))` (in its `AppConfig.ready`) and
the name its work items show with `register_module("documents", _("Documents"))`. An entry names
the policy action it needs; users who may not use it do not see it (the view checks again).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

# Menu counts stop at this many rows ("99+"): a badge never counts a whole table.
COUNT_LIMIT = 100


@dataclass(frozen=True)
class NavEntry:
    key: str
    label: object
    url_name: str
    action: str | None = None  # policy action required; None = every signed-in user
    staff_only: bool = False
    order: int = 100
    # counter(user) → a QuerySet of the rows the badge counts (at most COUNT_LIMIT are read);
    # every entry's counter runs in one SQL statement (menu_counts).
    counter: Callable | None = None
    # visible(user) → bool: the view's own precondition beyond `action` (e.g. "leads some
    # agency"), so nobody is shown an entry that answers 403.
    visible: Callable | None = None


def _inbox_rows(user):
    from django.db.models import Q
    from django.utils import timezone

    from .models import Position, WorkItem, WorkState

    today = timezone.localdate()
    units = Position.objects.filter(
        Q(valid_from__lte=today) & (Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        & (Q(user=user) | Q(delegations__delegate=user, delegations__start__lte=today,
                            delegations__end__gte=today))
    ).values("org_unit_id")
    return WorkItem.objects.filter(
        Q(assignee_user=user) | Q(assignee_user__isnull=True, assignee_unit_id__in=units),
        state=WorkState.OPEN,
    )


def _unread_rows(user):
    from .models import Notification

    return Notification.objects.filter(user=user, read_at__isnull=True)


NAV: list[NavEntry] = [
    NavEntry("inbox", _("My work"), "inbox", order=0, counter=_inbox_rows),
    NavEntry("notifications", _("Notifications"), "notifications", order=10,
             counter=_unread_rows),
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


def menu_counts(user, entries) -> dict[str, int]:
    """{entry key: number of rows, at most COUNT_LIMIT} for the entries with a counter, in ONE
    statement that reads at most COUNT_LIMIT keys per entry and never counts a table:
    SELECT 0 FROM (… LIMIT 100) UNION ALL SELECT 1 FROM (… LIMIT 100) …"""
    parts, params, keys = [], [], []
    for entry in entries:
        if entry.counter is None:
            continue
        qs = entry.counter(user).order_by().values("pk")[:COUNT_LIMIT]
        sql, p = qs.query.sql_with_params()
        n = len(keys)
        parts.append(f"SELECT {n} AS k FROM ({sql}) AS menu_count_{n}")
        params.extend(p)
        keys.append(entry.key)
    if not keys:
        return {}
    counts = dict.fromkeys(keys, 0)
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for (n,) in cursor.fetchall():
            counts[keys[n]] += 1
    return counts


def count_label(count: int | None) -> str:
    """"" for none, the number, or "99+" when the limit was reached."""
    if not count:
        return ""
    return f"{COUNT_LIMIT - 1}+" if count >= COUNT_LIMIT else str(count)


def navigation_for(request) -> list[dict]:
    """The entries the user may use, each with its count (one query for all counts; kept on
    the request so the header's unread badge reuses it)."""
    cached = getattr(request, "_egov_nav", None)
    if cached is not None:
        return cached
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    from .policy import ACTIONS, can

    visible = []
    path = request.path
    for entry in sorted(NAV, key=lambda e: e.order):
        if entry.staff_only and not user.is_staff:
            continue
        if entry.action and (entry.action not in ACTIONS or not can(user, entry.action)):
            continue
        if entry.visible is not None and not entry.visible(user):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        visible.append((entry, url))
    counts = menu_counts(user, [entry for entry, _url in visible])
    items = [{"key": entry.key, "label": entry.label, "url": url,
              "active": _is_active(path, url), "count": counts.get(entry.key, 0),
              "count_label": count_label(counts.get(entry.key, 0))}
             for entry, url in visible]
    request._egov_nav = items
    return items


def unread_count_label(request) -> str:
    """The header's unread-notifications badge ("" when none), from the menu's counts."""
    for item in navigation_for(request):
        if item["key"] == "notifications":
            return item["count_label"]
    return ""
