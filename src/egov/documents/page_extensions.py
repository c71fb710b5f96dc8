"""Extra panels other modules add to a document's page, without the documents module knowing
them (documents is below the modules in the layers, pyproject [tool.importlinter]).

A module registers a provider in its AppConfig.ready():

    register_panel("incoming", fn)   # or "outgoing"

`fn(actor, document)` returns None (nothing to show to this person) or a `Panel`: a heading,
links to act on the document (`actions`), and rows made from it (`items`, each a label, a link
and a note). The document's page renders every panel with documents/_extra_panels.html.
Providers run in registration order; they must use a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

KINDS = ("incoming", "outgoing")


@dataclass
class Link:
    label: str
    url: str
    note: str = ""


@dataclass
class Panel:
    key: str
    title: str
    actions: list[Link] = field(default_factory=list)
    items: list[Link] = field(default_factory=list)
    empty: str = ""


Provider = Callable[..., "Panel | None"]
_providers: dict[str, dict[str, Provider]] = {kind: {} for kind in KINDS}


def register_panel(kind: str, key: str, fn: Provider) -> None:
    """Add (or replace, by key) a provider of a panel on the `kind` document page."""
    if kind not in KINDS:
        raise ValueError(f"unknown document page {kind!r}")
    _providers[kind][key] = fn


def unregister_panel(kind: str, key: str) -> None:
    _providers.get(kind, {}).pop(key, None)


def panels_for(kind: str, *, actor, document) -> list[Panel]:
    """The panels to show this person on this document's page."""
    out = []
    for fn in list(_providers.get(kind, {}).values()):
        panel = fn(actor, document)
        if panel is not None:
            out.append(panel)
    return out
