"""The interface of an upward-sync adapter: push one status change to one endpoint.

An adapter returns when the endpoint has the change (received now, or before: an answer that
says the idempotency key is known counts as received) and raises

- :class:`RetryableSyncError` when trying again later may work (down, timed out, 5xx,
  throttled, not configured yet): the change stays queued with a backoff;
- :class:`PermanentSyncError` when the endpoint refused this change for good (4xx): it is
  recorded failed with the answer, for an administrator to see.

Any other exception is treated as retryable. Adapters are registered by name
(:func:`register`); `SyncTarget.adapter` names one. A test double must implement this same
interface (tests use the real https_json adapter against a loopback server).
"""

from __future__ import annotations

from collections.abc import Callable


class SyncError(Exception):
    """The change did not go through."""


class RetryableSyncError(SyncError):
    """Try again later."""


class PermanentSyncError(SyncError):
    """The endpoint refused this change: retrying the same payload cannot help."""


class SyncAdapter:
    """Push one change (`SyncChange`: payload, idempotency_key) to one target (`SyncTarget`:
    url, token_env)."""

    name = ""

    def push(self, target, change) -> None:  # pragma: no cover - interface
        raise NotImplementedError


_registry: dict[str, Callable[[], SyncAdapter]] = {}


def register(name: str, factory: Callable[[], SyncAdapter]) -> None:
    """Make an adapter available under `name` (registering again replaces it)."""
    _registry[name] = factory


def names() -> list[str]:
    _load_builtins()
    return sorted(_registry)


def get_adapter(name: str) -> SyncAdapter:
    """A new adapter of the name; RetryableSyncError when there is none (a configuration to
    fix: the change waits, it is not lost)."""
    _load_builtins()
    factory = _registry.get(name)
    if factory is None:
        raise RetryableSyncError(f"no sync adapter named {name!r}")
    return factory()


def _load_builtins() -> None:
    if "https_json" not in _registry:
        from . import https_json  # noqa: F401 - registers itself
