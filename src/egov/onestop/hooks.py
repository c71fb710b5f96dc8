"""Subscribers to dossier changes, inside the writing transaction.

The dossier services call :func:`dossier_changed` after every change of state, inside their
transaction, so that what a subscriber writes (the applicant's outbox messages, the national
portal's sync queue) commits or rolls back with the change itself: nothing is sent for a change
that did not happen, and nothing is lost for one that did. Subscribers must only write rows;
sending happens in background jobs after the commit.
"""

from __future__ import annotations

from collections.abc import Callable

Subscriber = Callable[..., None]

_subscribers: dict[str, Subscriber] = {}


def subscribe(name: str, fn: Subscriber) -> None:
    """Register `fn(dossier=..., event=...)` under `name` (registering a name again replaces it,
    so app reloads do not double it)."""
    _subscribers[name] = fn


def dossier_changed(*, dossier, event) -> None:
    """Tell every subscriber; `event` is the DossierEvent just written."""
    for fn in list(_subscribers.values()):
        fn(dossier=dossier, event=event)
