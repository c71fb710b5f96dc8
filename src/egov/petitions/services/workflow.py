"""The petition workflow in one place: every action by name (the API and the petition page
call `run`). The services live per use case in `classify.py` (register, classify, split,
assign) and `handling.py` (accept … reopen); deadlines in `deadlines.py`."""

from __future__ import annotations

from .classify import petition_assign, petition_classify, petition_register, petition_split
from .handling import (
    petition_accept,
    petition_close,
    petition_extend,
    petition_file,
    petition_not_accept,
    petition_reopen,
    petition_resolve,
    petition_resume,
    petition_suspend,
    petition_transfer,
    petition_withdraw,
)

# action name → (service, the body keys it takes)
ACTIONS = {
    "register": (petition_register, ("note",)),
    "classify": (petition_classify, None),  # the whole body is the classification
    "split": (petition_split, ("parts", "note")),
    "assign": (petition_assign, ("unit_id", "handler_id", "note")),
    "accept": (petition_accept, ("note",)),
    "not_accept": (petition_not_accept, ("ground", "note")),
    "transfer": (petition_transfer, ("to", "mode", "note")),
    "extend": (petition_extend, ("days", "reason", "decision_number")),
    "suspend": (petition_suspend, ("reason",)),
    "resume": (petition_resume, ("note",)),
    "resolve": (petition_resolve, ("summary", "document_id")),
    "close": (petition_close, ("note",)),
    "withdraw": (petition_withdraw, ("reason",)),
    "file": (petition_file, ("reason", "management_check")),
    "reopen": (petition_reopen, ("agency_id", "decision_received_on", "content", "note")),
}
# keys a service requires as arguments (given as empty when the body leaves them out, so the
# service answers 422 naming the field)
REQUIRED = {"not_accept": ("ground",), "transfer": ("to",), "extend": ("days", "reason"),
            "suspend": ("reason",), "resolve": ("summary",), "withdraw": ("reason",),
            "file": ("reason",), "reopen": ("agency_id",), "split": ("parts",)}


def run(action: str, *, actor, petition_id: int, data: dict):
    """Perform `action` with `data` (a dict); returns what the service returns (the petition,
    the new petition for `reopen`, the list of parts for `split`). KeyError for an unknown
    action."""
    fn, keys = ACTIONS[action]
    if keys is None:
        return fn(actor=actor, petition_id=petition_id, data=data)
    kwargs = {k: None for k in REQUIRED.get(action, ())}
    kwargs.update({k: data[k] for k in keys if k in data})
    return fn(actor=actor, petition_id=petition_id, **kwargs)
