"""What the workflow services share: the grants each action needs, input checks (422 with the
fields named), the "finish" of every change (event, then the audit event last), and the checks
whose legal consequences several actions enforce (limitation, transfer once)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext as _

from egov.core import calendar, policy
from egov.core.audit import audit_log
from egov.core.errors import AppError, InvalidInput, PermissionDenied

from .. import rules
from ..models import Petition, PetitionEvent
from .records import event_write

RECEIVE, PROCESS, ASSIGN, DECIDE = ("petitions.receive", "petitions.process",
                                    "petitions.assign", "petitions.decide")

Errors = dict[str, list[str]]


# --- grants -------------------------------------------------------------------------------------


def can_any(actor, checks) -> bool:
    return any(unit is not None and policy.can(actor, action, unit) for action, unit in checks)


def require(actor, checks) -> None:
    if not can_any(actor, checks):
        raise PermissionDenied()


def may_classify(actor, p: Petition) -> bool:
    """The receiving side (petitions.receive on the agency), the handler and the handling unit
    (petitions.process), or whoever decides (petitions.decide)."""
    if getattr(actor, "pk", None) is not None and actor.pk == p.handler_id:
        return True
    return can_any(actor, [(RECEIVE, p.agency), (PROCESS, p.handling_unit),
                           (DECIDE, p.agency)])


def may_decide(actor, p: Petition) -> bool:
    """petitions.decide on the agency (or on the handling unit)."""
    return can_any(actor, [(DECIDE, p.agency), (DECIDE, p.handling_unit)])


def may_receive(actor, p: Petition) -> bool:
    return can_any(actor, [(RECEIVE, p.agency), (DECIDE, p.agency)])


# --- input --------------------------------------------------------------------------------------


def add(errors: Errors, name: str, message: str) -> None:
    errors.setdefault(name, []).append(str(message))


def fail(errors: Errors) -> None:
    if errors:
        raise InvalidInput(_("Check the highlighted fields."), fields=errors)


def text(value: Any, name: str, errors: Errors, *, required: bool = False,
         max_length: int = 4000) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        add(errors, name, _("Enter text."))
        return ""
    value = value.strip()
    if required and not value:
        add(errors, name, _("This field is required."))
    elif len(value) > max_length:
        add(errors, name, _("At most %(n)s characters.") % {"n": max_length})
    return value


def boolean(value: Any, name: str, errors: Errors, *, nullable: bool = True) -> bool | None:
    if value is None and nullable:
        return None
    if isinstance(value, bool):
        return value
    add(errors, name, _("Choose yes or no."))
    return None


def integer(value: Any, name: str, errors: Errors, *, required: bool = False,
            lo: int = 1, hi: int = 2**31 - 1) -> int | None:
    if value is None or value == "":
        if required:
            add(errors, name, _("This field is required."))
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value))
        except (TypeError, ValueError):
            add(errors, name, _("Enter a whole number."))
            return None
    if not lo <= value <= hi:
        add(errors, name, _("Enter a number from %(lo)s to %(hi)s.") % {"lo": lo, "hi": hi})
        return None
    return value


def date(value: Any, name: str, errors: Errors, *, required: bool = False) -> dt.date | None:
    if value in (None, ""):
        if required:
            add(errors, name, _("This field is required."))
        return None
    if isinstance(value, dt.datetime):
        return calendar.localtime(value).date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        add(errors, name, _("Enter a date like 2026-12-31."))
        return None


def choice(value: Any, name: str, errors: Errors, choices, *, required: bool = False) -> str:
    value = "" if value is None else value
    if not isinstance(value, str):
        add(errors, name, _("Choose one of: %(values)s.") % {"values": ", ".join(choices)})
        return ""
    if not value:
        if required:
            add(errors, name, _("This field is required."))
        return ""
    if value not in choices:
        add(errors, name, _("Choose one of: %(values)s.") % {"values": ", ".join(choices)})
        return ""
    return value


# --- finishing a change -------------------------------------------------------------------------


def plain(details: dict) -> dict:
    """JSON-safe details (dates as ISO text)."""
    return json.loads(json.dumps(details, cls=DjangoJSONEncoder))


def finish(p: Petition, actor, kind: str, *, note: str = "", public: bool = True,
           details: dict | None = None, unit=None, at: dt.datetime | None = None) -> Petition:
    """The event (subscribers run inside the transaction), then the audit event, last."""
    details = plain(details or {})
    event_write(petition=p, kind=kind, actor=actor, unit=unit, note=note, public=public,
                details=details, at=at)
    audit_log(actor=actor, action=f"petition.{kind}", obj=p,
              details={"code": p.code, "state": p.state, **details})
    return p


def state_error(action: str, p: Petition) -> AppError:
    from .records import not_allowed

    return not_allowed(p, action)


def refuse(code: str, message: str) -> AppError:
    return AppError(code, message, status=409)


# --- legal checks several actions share ---------------------------------------------------------


def limitation(p: Petition) -> dict:
    """The complaint limitation check (Luật KN Art.9: 90 days from receipt or knowledge of the
    decision; Art.48 for disciplinary decisions): {"applies", "expired", "last_day", "rule"}."""
    if p.kind != "complaint" or p.decision_known_on is None:
        return {"applies": False, "expired": False, "last_day": None, "rule": ""}
    from .deadlines import rule_for

    rule = rule_for(p, rules.LIMITATION, p.decision_known_on)
    if rule is None:
        return {"applies": False, "expired": False, "last_day": None, "rule": ""}
    last = rules.last_day(rule, p.decision_known_on)
    received = calendar.localtime(p.received_at).date()
    return {"applies": True, "expired": received > last, "last_day": last, "rule": rule.code}


def last_classification(p: Petition) -> dict:
    event = (PetitionEvent.objects.filter(petition=p, kind="classify")
             .order_by("-at", "-id").first())
    return (event.details or {}) if event else {}


def limitation_blocks(p: Petition) -> bool:
    """An expired limitation without a good reason recorded at classification."""
    return limitation(p)["expired"] and not last_classification(p).get("limitation_excuse")


def duplicate_group(p: Petition) -> list[int]:
    """The ids of the petitions with the same content: the original and its duplicates."""
    root = p.duplicate_of_id or p.pk
    ids = set(Petition.objects.filter(duplicate_of_id=root).values_list("pk", flat=True))
    return sorted(ids | {root, p.pk})


def already_transferred(p: Petition) -> bool:
    """Forwarded or guided before — this petition or one with the same content (TT 05/2021
    Art.14: a letter with the same content is forwarded once; Luật TC Art.24.3)."""
    return PetitionEvent.objects.filter(petition_id__in=duplicate_group(p),
                                        kind__in=("transfer", "guide")).exists()
