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


# Changes written in bulk (a plan's tasks imported from a file): a subscriber may register a
# batch variant, called once with every (directive, event) pair instead of once per pair.
_batch_subscribers: dict[str, Callable[..., None]] = {}


def subscribe_batch(name: str, fn: Callable[..., None]) -> None:
    """Register `fn(pairs=[(directive, event), ...])` for the subscriber `name` (i12-import)."""
    _batch_subscribers[name] = fn


def directives_changed_many(pairs) -> None:
    """Tell every subscriber about many changes at once: the batch variant when it has one,
    else the per-change function for each pair, in order."""
    pairs = list(pairs)
    for name, fn in list(_subscribers.items()):
        many = _batch_subscribers.get(name)
        if many is not None:
            many(pairs=pairs)
        else:
            for directive, event in pairs:
                fn(directive=directive, event=event)
