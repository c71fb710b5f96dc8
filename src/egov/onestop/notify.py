"""Messages to the applicant about their dossier, through the core outbox (egov.core.outbox).

A subscriber of the dossier events (egov.onestop.hooks, registered in OnestopConfig.ready): each
event that concerns the applicant queues an e-mail (when they gave an address) and an SMS (when
they gave a mobile number) from an editable template (core MessageTemplate, defaults in
notify_templates.py), inside the transaction that made the change — so nothing is sent for a
change that rolled back, and a repeated event sends nothing twice (key
``onestop:<dossier code>:<event id>:<channel>``).

| event | template |
| --- | --- |
| received / accepted / supplement_received, dossier now `received` | onestop.receipt (Mẫu 01: code, promised time, look-up link) |
| guidance / accepted, dossier now `guidance` | onestop.guidance (Mẫu 02: everything missing at once) |
| supplement_requested | onestop.supplement (Mẫu 02: what is missing) |
| supplement_received, dossier back in `processing` | onestop.supplement_received (the new promised date) |
| apologised | onestop.apology (Mẫu 04: the new date) |
| resolved | onestop.result (result ready) |
| refused | onestop.refusal (Mẫu 03: the reason) |
| stopped | onestop.stop (Mẫu 05) |

Only the data the applicant gave (their name, address and number to write to) and the dossier's
own data go into a message: never the ID number or the postal address. Messages are in
Vietnamese (the applicant's language is not recorded; an event may carry
``details["language"] = "en"``).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction

from egov.core import calendar
from egov.core.errors import InvalidInput
from egov.core.outbox import outbox_enqueue

from .models import Dossier, DossierEvent, DossierPause, DossierState

log = logging.getLogger("egov.onestop.notify")

RECEIPT_KINDS = frozenset({"received", "accepted", "supplement_received"})

# The event kinds in their canonical (past-tense) form; the services may write the verb of the
# action ("receive", "refuse", "request-supplement") — both are understood.
KIND_ALIASES = {
    "receive": "received", "accept": "accepted", "guide": "guidance", "refuse": "refused",
    "forward": "forwarded", "request_supplement": "supplement_requested",
    "supplement_request": "supplement_requested", "receive_supplement": "supplement_received",
    "apologise": "apologised", "apologize": "apologised", "apologized": "apologised",
    "apology": "apologised", "resolve": "resolved", "return": "returned", "stop": "stopped",
    "withdraw": "withdrawn", "submit": "submitted",
}


def canonical_kind(kind: str) -> str:
    """"onestop.request-supplement" → "supplement_requested"."""
    kind = (kind or "").strip().lower().removeprefix("onestop.").replace("-", "_")
    return KIND_ALIASES.get(kind, kind)


def template_for(dossier: Dossier, event: DossierEvent) -> str | None:
    """The template code of the message an event sends, or None."""
    kind, state = canonical_kind(event.kind), event.state
    if state == DossierState.RECEIVED and kind in RECEIPT_KINDS:
        return "onestop.receipt"
    if state == DossierState.GUIDANCE and kind in {"guidance", "accepted"}:
        return "onestop.guidance"
    if kind == "supplement_requested":
        return "onestop.supplement"
    if kind == "supplement_received" and state == DossierState.PROCESSING:
        return "onestop.supplement_received"
    return {"apologised": "onestop.apology", "resolved": "onestop.result",
            "refused": "onestop.refusal", "stopped": "onestop.stop"}.get(kind)


def _when(value) -> str:
    return calendar.localtime(value).strftime("%H:%M %d/%m/%Y") if value else ""


def _items(values) -> list[str]:
    out = []
    if not isinstance(values, (list, tuple)):  # e.g. a count in the event's details
        return out
    for item in values:
        if isinstance(item, dict):
            item = item.get("name") or item.get("text") or ""
        item = " ".join(str(item).split())
        if item:
            out.append(item)
    return out


def _missing(dossier: Dossier, event: DossierEvent, template: str) -> tuple[list[str], str]:
    """What the applicant must bring, and the officer's reason (supplement / guidance)."""
    details = event.details or {}
    items = _items(details.get("missing") or details.get("items"))
    reason = str(details.get("reason") or "")
    if template == "onestop.supplement" and not items:
        pause = (DossierPause.objects.filter(dossier=dossier, ended_at__isnull=True)
                 .order_by("-started_at").first())
        if pause is not None:
            items, reason = _items(pause.items), reason or pause.reason
    if template == "onestop.guidance":
        # the services may list the missing components by code: the applicant reads names
        names = dict(dossier.components.values_list("code", "name"))
        items = [names.get(item, item) for item in items] or [
            name for code, name in dossier.components.filter(provided=False)
            .values_list("code", "name")]
    return items, reason


def lookup_url(dossier: Dossier) -> str:
    return f"{settings.EGOV_SITE_URL}/public/d/{dossier.public_token}/"


def message_context(dossier: Dossier, event: DossierEvent, template: str) -> dict:
    missing, reason = ([], "")
    if template in ("onestop.supplement", "onestop.guidance"):
        missing, reason = _missing(dossier, event, template)
    elif template == "onestop.refusal":
        reason = dossier.refusal_reason or event.note
    elif template == "onestop.stop":
        reason = dossier.stop_reason or event.note
    elif template == "onestop.apology":
        reason = str((event.details or {}).get("reason") or event.note or "")
    return {
        "code": dossier.code,
        "procedure": dossier.version.name or dossier.procedure.name,
        "agency": dossier.agency.name,
        "applicant": dossier.applicant_name,
        "received_at": _when(dossier.received_at),
        "due_at": _when(dossier.due_at),
        "new_date": _when(dossier.rescheduled_at),
        "missing": missing,
        "missing_text": "; ".join(missing),
        "reason": " ".join(str(reason or "").split()),
        "lookup_url": lookup_url(dossier),
    }


def on_dossier_changed(*, dossier: Dossier, event: DossierEvent) -> list:
    """The hooks subscriber: queue the applicant's messages for this event (if any)."""
    template = template_for(dossier, event)
    if template is None:
        return []
    targets = [(channel, to) for channel, to in (("email", dossier.applicant_email),
                                                 ("sms", dossier.applicant_phone)) if to]
    if not targets:
        return []
    language = (event.details or {}).get("language")
    language = language if language in ("vi", "en") else "vi"
    try:
        context = message_context(dossier, event, template)
    except Exception:  # noqa: BLE001 - the counter's work never fails for a message
        log.exception("dossier %s: no message context for %s", dossier.code, template)
        return []
    queued = []
    for channel, to in targets:
        key = f"onestop:{dossier.code}:{event.pk}:{channel}"
        try:
            # A savepoint: whatever goes wrong here (a number the gateway cannot take) costs
            # the applicant one message, never the change the officer is making.
            with transaction.atomic():
                queued.append(outbox_enqueue(
                    key=key, channel=channel, to=to, template=template, context=context,
                    language=language, module="onestop", subject=dossier))
        except InvalidInput as exc:
            log.warning("dossier %s: no %s message (%s)", dossier.code, channel, exc.message)
        except Exception:  # noqa: BLE001 - the counter's work never fails for a message
            log.exception("dossier %s: the %s message could not be queued", dossier.code,
                          channel)
    return queued
