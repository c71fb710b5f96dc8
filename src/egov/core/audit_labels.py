"""Words for the audit trail page: event code → label, object type → the model's name, and the
details as "label: value" lines instead of raw JSON (issue 9 §5).

Modules register the labels of their own codes in `AppConfig.ready()` with
`register_audit_labels({...})`; a code without a label is shown as it is. How events are
written (core.audit) does not change: this is display only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.apps import apps
from django.utils.translation import gettext_lazy as _

AUDIT_LABELS: dict[str, Any] = {
    "auth.login": _("Signed in"),
    "auth.login_failed": _("Failed sign-in"),
    "auth.locked": _("Account locked"),
    "auth.throttled": _("Sign-in attempts limited"),
    "auth.logout": _("Signed out"),
    "api_token.create": _("API token created"),
    "api_token.revoke": _("API token revoked"),
    "orgunit.create": _("Unit created"),
    "orgunit.update": _("Unit changed"),
    "orgunit.rename": _("Unit renamed"),
    "orgunit.merge": _("Units merged"),
    "orgunit.merge_into": _("Unit merged into another"),
    "orgunit.import": _("Units imported"),
    "position.assign": _("Post assigned"),
    "position.end": _("Post ended"),
    "delegation.create": _("Delegation created"),
    "workitem.create": _("Work item created"),
    "workitem.open": _("Work item opened"),
    "workitem.finish": _("Work item done"),
    "workitem.cancel": _("Work item cancelled"),
    "file.store": _("File stored"),
}

# Group names of the select (the code's first part).
AUDIT_GROUPS: dict[str, Any] = {
    "auth": _("Sign-in"),
    "api_token": _("API tokens"),
    "orgunit": _("Organisation"),
    "position": _("Organisation"),
    "delegation": _("Organisation"),
    "workitem": _("Work items"),
    "file": _("Files"),
}

# Keys of `details` with a label (others are shown with their key).
DETAIL_LABELS: dict[str, Any] = {
    "reason": _("Reason"),
    "username": _("Username"),
    "ip": _("IP address"),
    "user_agent": _("Browser"),
    "title": _("Title"),
    "name": _("Name"),
    "role": _("Role"),
    "module": _("Module"),
    "kind": _("Kind"),
    "due_at": _("Deadline"),
    "assignee_user": _("Assigned person"),
    "assignee_unit": _("Assigned unit"),
    "code": _("Code"),
    "number": _("Number"),
    "comment": _("Comment"),
    "decision": _("Decision"),
    "state": _("State"),
}


def register_audit_labels(labels: dict[str, Any], groups: dict[str, Any] | None = None) -> None:
    AUDIT_LABELS.update(labels)
    AUDIT_GROUPS.update(groups or {})


def audit_label(code: str):
    """The label of an event code, or "" when it has none (the page then shows the code)."""
    return AUDIT_LABELS.get(code or "", "")


def action_choices(current: str = "") -> list:
    """Choices of the event-type select: grouped by module, each group first offering all its
    events (the prefix "auth." …), then each event by label. `current`, when it is no known
    code (an old or foreign code typed into the address), is kept as a choice."""
    groups: dict[str, list] = {}
    for code, label in AUDIT_LABELS.items():
        prefix = code.rsplit(".", 1)[0] if code.count(".") > 1 else code.split(".", 1)[0]
        groups.setdefault(prefix, []).append((code, label))
    choices: list = [("", _("All events"))]
    known = {""}
    for prefix in sorted(groups, key=lambda p: str(_group_label(p))):
        items = sorted(groups[prefix], key=lambda c: str(c[1]))
        name = _group_label(prefix)
        entries = [(prefix + ".", _("All: %(group)s") % {"group": name})] + items
        known.update(code for code, _label in entries)
        choices.append((name, entries))
    if current and current not in known:
        choices.append((current, current))
    return choices


def _group_label(prefix: str):
    if prefix in AUDIT_GROUPS:
        return AUDIT_GROUPS[prefix]
    head = prefix.split(".", 1)[0]
    try:
        config = apps.get_app_config(head)
    except LookupError:
        return prefix
    return f"{config.verbose_name} ({prefix})" if "." in prefix else config.verbose_name


def object_type_label(label_lower: str):
    """The model's verbose name for "app.model" (the value stored in object_type)."""
    if not label_lower or "." not in label_lower:
        return label_lower
    try:
        return apps.get_model(label_lower)._meta.verbose_name
    except (LookupError, ValueError):
        return label_lower


def object_type_choices(current: str = "") -> list:
    models = sorted(((m._meta.label_lower, m._meta.verbose_name)
                     for m in apps.get_models() if m._meta.app_label not in
                     {"admin", "sessions", "contenttypes"}),
                    key=lambda c: str(c[1]).lower())
    choices = [("", _("Any object"))] + [(code, f"{name}") for code, name in models]
    if current and current not in {c for c, _n in choices}:
        choices.append((current, current))
    return choices


def _value(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, list):
        return ", ".join(_value(v) for v in value) or "—"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_value(v)}" for k, v in value.items())
    if isinstance(value, str) and len(value) >= 16 and value[4:5] == "-" and "T" in value:
        try:
            from django.utils import timezone

            parsed = dt.datetime.fromisoformat(value)
            if timezone.is_aware(parsed):
                parsed = timezone.localtime(parsed)
            return parsed.strftime("%d/%m/%Y %H:%M")
        except ValueError:
            return value
    return str(value)


def detail_items(details) -> list[tuple[str, str]]:
    """[(label, text)] of an event's details, in a stable order."""
    if not isinstance(details, dict):
        return [("", _value(details))] if details else []
    return [(str(DETAIL_LABELS.get(key, key.replace("_", " "))), _value(value)[:300])
            for key, value in sorted(details.items())]
