"""Subscribers to directive changes, inside the writing transaction (as in petitions.hooks).

`services.records.event_write` calls :func:`directive_changed` after every change, inside the
transaction, so what a subscriber writes (sync rows for the provincial endpoint, inbox items,
notifications) commits or rolls back with the change. Subscribers only write rows; sending
happens in background jobs after the commit."""

from __future__ import annotations

from collections.abc import Callable

Subscriber = Callable[..., None]

_subscribers: dict[str, Subscriber] = {}


def subscribe(name: str, fn: Subscriber) -> None:
    """Register `fn(directive=..., event=...)` under `name` (registering again replaces it)."""
    _subscribers[name] = fn


def directive_changed(*, directive, event) -> None:
    for fn in list(_subscribers.values()):
        fn(directive=directive, event=event)
