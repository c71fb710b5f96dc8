"""The processing actions of a dossier (docs/onestop.md "Actions"; services.md §1.3, §1.6).

Each action: permission (catalog.py: receive for the desk's actions, process for step forwards
and supplement requests, decide for resolve / apologise / stop), the dossier row locked
(`select_for_update(no_key=True)`), the state checked (409 `invalid_state` naming the state),
the change, `records.event_write` (public note without personal data), `audit_log` last.
All take the dossier's `code` and return the updated Dossier.
"""

from __future__ import annotations

import datetime as dt

from ..models import Dossier


def dossier_forward(*, actor, code: str, note: str = "") -> Dossier:
    """Hand the dossier to the next step: from `received` (the desk, step 0) to step 1, or from
    step n to step n+1 (`processing`). Closes the current work item and hand-over row (judged
    early / on time / late) and opens the next step's work item, assigned to the step's unit (or
    the competent unit for a role step), due at the step's deadline. Past the last step use
    `dossier_resolve`."""
    raise NotImplementedError


def dossier_request_supplement(*, actor, code: str, items: list[str], reason: str = "") -> Dossier:
    """Ask the applicant for a supplement (`received`/`processing` → `supplement`): the clock
    pauses (DossierPause), `supplement_requests` + 1, Mẫu 02 listing every item at once. A
    second request is allowed but recorded as a breach of "một lần" (event details
    `breach_once`; the national index counts the dossier late)."""
    raise NotImplementedError


def dossier_supplement_received(*, actor, code: str, note: str = "",
                                files: dict | None = None) -> Dossier:
    """The supplement arrived. From `guidance` (before receipt): `received`, the clock starts
    now (Mẫu 01). From `supplement`: `processing` again, the pause closed, `due_at` moved by
    every pause's working days, `paused_days` and the open step's due time moved too."""
    raise NotImplementedError


def dossier_apologise(*, actor, code: str, new_due: dt.datetime | dt.date,
                      reason: str) -> Dossier:
    """Mẫu 04: apologise and give a new date (after `due_at`), at most once and only before
    `due_at`; the state is kept, `rescheduled_at` set. 409 otherwise."""
    raise NotImplementedError


def dossier_resolve(*, actor, code: str, medium: str = "electronic", upload=None,
                    number: str = "", note: str = "") -> Dossier:
    """The result is ready (`processing` → `resolved`): `medium` "electronic" — `upload` is a PDF
    signed with the agency's (organisation) signature through the signing service — or "paper"
    with its `number`. Sets `resolved_at`, `ended_at` and `outcome` (judged against `due_at`)."""
    raise NotImplementedError


def dossier_return(*, actor, code: str, via: str = "counter", note: str = "") -> Dossier:
    """The result was handed over (`resolved` → `returned`) at the counter, by post or online;
    `returned_at` = now."""
    raise NotImplementedError


def dossier_stop(*, actor, code: str, reason: str) -> Dossier:
    """Stop at the applicant's request (`received`/`processing`/`supplement` → `stopped`),
    Mẫu 05; `ended_at`, `outcome`."""
    raise NotImplementedError


def dossier_withdraw(*, actor, code: str, reason: str = "") -> Dossier:
    """The applicant withdraws the dossier (from submitted, guidance, received, processing or
    supplement → `withdrawn`); open work items are cancelled."""
    raise NotImplementedError


# action name (API path) → function; each takes (actor=, code=, **body)
ACTIONS = {
    "forward": dossier_forward,
    "request-supplement": dossier_request_supplement,
    "supplement-received": dossier_supplement_received,
    "apologise": dossier_apologise,
    "resolve": dossier_resolve,
    "return": dossier_return,
    "stop": dossier_stop,
    "withdraw": dossier_withdraw,
}
