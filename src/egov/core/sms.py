"""SMS gateways are plugins behind one small interface (a real operator's HTTP API in
production; the console/outbox gateways for the demo and tests, since no operator is reachable
here). Select one with EGOV_SMS_GATEWAY=dotted.path.Class."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.module_loading import import_string

from .errors import InvalidInput

log = logging.getLogger("egov.sms")

# Vietnamese mobile numbers: 0 + 9 digits, or +84 + 9 digits.
_PHONE = re.compile(r"^(?:\+84|0)(\d{9})$")


def normalise_phone(number: str) -> str:
    digits = re.sub(r"[\s.\-()]", "", number or "")
    m = _PHONE.match(digits)
    if not m:
        from django.utils.translation import gettext

        raise InvalidInput(gettext("Not a Vietnamese mobile number."),
                           fields={"phone": [gettext("Enter 10 digits starting with 0.")]},
                           code="bad_phone")
    return "+84" + m.group(1)


class SmsGateway:
    """Base class: send one message to one number; return the operator's message id."""

    def send(self, *, to: str, text: str) -> str:  # pragma: no cover - interface
        raise NotImplementedError


class ConsoleSmsGateway(SmsGateway):
    """Writes messages to the log (the demo's gateway)."""

    def send(self, *, to: str, text: str) -> str:
        log.info("SMS to %s: %s", to, text)
        return "console"


@dataclass
class OutboxSmsGateway(SmsGateway):
    """Keeps messages in memory: the test double for an operator that cannot run here."""

    outbox: list[tuple[str, str]] = field(default_factory=list)

    def send(self, *, to: str, text: str) -> str:
        self.outbox.append((to, text))
        return f"outbox-{len(self.outbox)}"


_gateway: SmsGateway | None = None


def get_gateway() -> SmsGateway:
    global _gateway
    path = getattr(settings, "EGOV_SMS_GATEWAY", "egov.core.sms.ConsoleSmsGateway")
    if _gateway is None or f"{type(_gateway).__module__}.{type(_gateway).__name__}" != path:
        _gateway = import_string(path)()
    return _gateway


def sms_send(*, to: str, text: str) -> str:
    return get_gateway().send(to=normalise_phone(to), text=text)
