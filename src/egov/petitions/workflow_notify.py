"""Messages to the petitioner on state changes, through the core outbox (a subscriber of
`hooks`, registered in PetitionsConfig.ready): accept, not_accept, transfer / guide, extend,
resolve, close queue an e-mail (when the petitioner gave an address) and an SMS (when they gave
a mobile number), inside the transaction of the change — nothing is sent for a change that
rolled back, and a repeated event sends nothing twice (key
``petitions:<code>:<event id>:<channel>``).

The address is read by `access.identity_for_system(purpose="notify")` (audited) and written
only into the outbox row; the message carries the code, the new status and dates — never the
content of the petition or the identity (templates: workflow_templates.py)."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import translation

from egov.core import calendar
from egov.core.errors import InvalidInput
from egov.core.outbox import outbox_enqueue

from .models import PetitionState

log = logging.getLogger("egov.petitions.notify")

TEMPLATES = {"accept": "petitions.accepted", "not_accept": "petitions.not_accepted",
             "transfer": "petitions.transferred", "guide": "petitions.transferred",
             "extend": "petitions.extended", "resolve": "petitions.resolved",
             "close": "petitions.closed"}


def _day(value) -> str:
    return calendar.localtime(value).strftime("%d/%m/%Y") if value else ""


def message_context(petition, event) -> dict:
    with translation.override("vi"):
        status = str(PetitionState(petition.state).label)
    return {"code": petition.code, "status": status, "agency": petition.agency.name,
            "received_at": _day(petition.received_at), "due_at": _day(petition.due_at),
            "date": _day(event.at), "extension_days": (event.details or {}).get("days", "")}


def on_petition_changed(*, petition, event) -> list:
    template = TEMPLATES.get(event.kind)
    if template is None:
        return []
    from .selectors.access import identity_for_system

    identity = identity_for_system(petition, purpose="notify")
    if identity is None:
        return []
    targets = [(c, to) for c, to in (("email", identity.email), ("sms", identity.phone)) if to]
    if not targets:
        return []
    context = message_context(petition, event)
    queued = []
    for channel, to in targets:
        try:
            # A savepoint: a number the gateway cannot take costs one message, never the change.
            with transaction.atomic():
                queued.append(outbox_enqueue(
                    key=f"petitions:{petition.code}:{event.pk}:{channel}", channel=channel,
                    to=to, template=template, context=context, language="vi",
                    module="petitions", subject=petition))
        except InvalidInput as exc:
            log.warning("petition %s: no %s message (%s)", petition.code, channel, exc.message)
        except Exception:  # noqa: BLE001 - the officer's work never fails for a message
            log.exception("petition %s: the %s message could not be queued", petition.code,
                          channel)
    return queued
