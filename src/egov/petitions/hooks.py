"""Subscribers to petition changes, inside the writing transaction (as in onestop.hooks).

`services.records.event_write` calls :func:`petition_changed` after every change, inside the
transaction, so what a subscriber writes (outbox messages to the petitioner, deadline work
items, report rows) commits or rolls back with the change. Subscribers only write rows; sending
happens in background jobs after the commit. A subscriber receives the petition (no identity)
and the event; one that must reach the petitioner reads the identity through
`selectors.access.identity_for_system()` and writes it only into the outbox row.
"""

from __future__ import annotations

from collections.abc import Callable

Subscriber = Callable[..., None]

_subscribers: dict[str, Subscriber] = {}


def subscribe(name: str, fn: Subscriber) -> None:
    """Register `fn(petition=..., event=...)` under `name` (a name registered again replaces it)."""
    _subscribers[name] = fn


def petition_changed(*, petition, event) -> None:
    for fn in list(_subscribers.values()):
        fn(petition=petition, event=event)
