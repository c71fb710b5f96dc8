"""Subscribers to registered civil-status events, inside the writing transaction.

The registering services call :func:`event_registered` once the event, its parties and its
audit row are written, inside their transaction, so that what a subscriber writes (the national
databases' sync queue, a one-stop dossier's result) commits or rolls back with the registration:
nothing is sent for an event that was not registered, nothing lost for one that was. Subscribers
only write rows; sending happens in background jobs after the commit.
"""

from __future__ import annotations

from collections.abc import Callable

Subscriber = Callable[..., None]

_subscribers: dict[str, Subscriber] = {}


def subscribe(name: str, fn: Subscriber) -> None:
    """Register `fn(event=...)` under `name` (registering a name again replaces it)."""
    _subscribers[name] = fn


def event_registered(*, event) -> None:
    """Tell every subscriber; `event` is the CivilEvent just written (parties included)."""
    for fn in list(_subscribers.values()):
        fn(event=event)
