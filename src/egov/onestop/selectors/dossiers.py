"""Reading dossiers: one dossier for an actor who may see it, the desk's lists (keyset, a
constant number of queries), and a dossier's steps, hand-overs, pauses and events."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from egov.core.pagination import Page

from ..models import Dossier


def desk_agencies(actor) -> list:
    """The receiving centres (OrgUnits) where the actor may receive dossiers
    (`onestop.receive`), ordered by name."""
    raise NotImplementedError


def may_view(actor, dossier: Dossier) -> bool:
    """Whether the actor may see the dossier: `onestop.view_all` (or `onestop.receive`) on its
    agency or competent unit, or an assignee (person or unit) of one of its work items."""
    raise NotImplementedError


def dossier_get(*, actor, code: str) -> Dossier:
    """The dossier with this code if the actor may see it (404 `not_found` otherwise, the same
    answer for an unknown code), with its procedure, version, agency and competent unit."""
    raise NotImplementedError


def desk_list(*, actor, agency=None, state: str | None = None, cursor: str | None = None,
              limit: int = 50) -> Page:
    """The desk's list of dossiers of the agencies the actor may see (`agency` narrows to one),
    in one state or all, newest first, keyset-paginated (no COUNT, constant queries)."""
    raise NotImplementedError


@dataclass
class StepView:
    """One line of the dossier's steps: the procedure step, who holds it, its due time and,
    once handed on, when and how it ended."""

    step_no: int
    name: str
    unit_name: str
    due_at: dt.datetime | None
    received_at: dt.datetime | None = None
    handed_at: dt.datetime | None = None
    outcome: str = ""
    current: bool = False


@dataclass
class DossierDetail:
    dossier: Dossier
    steps: list[StepView] = field(default_factory=list)
    handovers: list = field(default_factory=list)
    pauses: list = field(default_factory=list)
    events: list = field(default_factory=list)
    slips: list = field(default_factory=list)
    components: list = field(default_factory=list)


def dossier_steps(dossier: Dossier) -> list[StepView]:
    """The desk (step 0) and the procedure's steps with their due times (the hand-over rows where
    a step was reached; planned due times otherwise)."""
    raise NotImplementedError


def dossier_detail(*, actor, code: str) -> DossierDetail:
    """Everything the dossier page and the API show, in a constant number of queries."""
    raise NotImplementedError
