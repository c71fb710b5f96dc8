"""The public look-up of a petition by code + check (no login): status and dates only — no
content, no identity, never an officer's note (issue 11 "Public lookup"). A wrong or missing
check answers exactly like an unknown code (None → the caller's 404).

The timeline shows only `PetitionEvent` rows with `public=True`, each as its kind's label and
date.
"""

from __future__ import annotations

import secrets

from django.utils.translation import gettext_lazy as _

from ..models import Petition, PetitionEvent, PetitionSlip, PetitionState, SlipForm

# Event kinds (the shared verbs of docs/petitions.md) → the label the public sees.
EVENT_LABELS = {
    "submit": _("Petition sent online"),
    "receive": _("Petition received"),
    "register": _("Petition registered"),
    "classify": _("Petition classified"),
    "split": _("Petition split by content"),
    "assign": _("Assigned for handling"),
    "accept": _("Accepted for resolution"),
    "not_accept": _("Not accepted"),
    "transfer": _("Transferred to the competent body"),
    "guide": _("Guidance given"),
    "file": _("Filed"),
    "extend": _("Time limit extended"),
    "suspend": _("Resolution suspended"),
    "resume": _("Resolution resumed"),
    "resolve": _("Resolved"),
    "notify": _("Result notified"),
    "close": _("Closed"),
    "withdraw": _("Withdrawn"),
    "reopen": _("Second-instance complaint"),
    "reply": _("Further letter received"),
    "satisfaction": _("Feedback received"),
}
# States as the public sees them (the staff labels name internal steps).
STATE_LABELS = {
    PetitionState.DRAFT: _("Sent, waiting to be registered"),
    PetitionState.RECEIVED: _("Received"),
    PetitionState.CLASSIFIED: _("Being examined"),
    PetitionState.ACCEPTED: _("Accepted for resolution"),
    PetitionState.SUSPENDED: _("Resolution suspended"),
    PetitionState.RESOLVED: _("Resolved"),
    PetitionState.TRANSFERRED: _("Transferred or guided elsewhere"),
    PetitionState.NOT_ACCEPTED: _("Not accepted"),
    PetitionState.FILED: _("Filed"),
    PetitionState.WITHDRAWN: _("Withdrawn"),
    PetitionState.CLOSED: _("Closed"),
}
CODE_MAX = 64
CHECK_MAX = 16


def _normal_check(check) -> str:
    return str(check or "").strip().upper()[:CHECK_MAX]


def petition_by_code_check(code, check) -> Petition | None:
    """The petition if `check` matches (compared in constant time); None for an unknown code,
    a wrong check and a missing one alike."""
    code = str(code or "").strip()
    check = _normal_check(check)
    if not code or len(code) > CODE_MAX or not check:
        return None
    petition = (Petition.objects.only("id", "code", "lookup_check", "state", "received_at",
                                      "due_at", "agency_id")
                .filter(code=code).first())
    if petition is None:
        secrets.compare_digest(check.encode(), b"X" * len(check))  # the same work either way
        return None
    if not secrets.compare_digest(check.encode(), petition.lookup_check.encode()):
        return None
    return petition


def public_status(code, check) -> dict | None:
    """{"code", "state", "state_label", "received_at", "timeline": [{"at", "kind", "label"}],
    "due_at"?} — or None (unknown code or wrong check)."""
    petition = petition_by_code_check(code, check)
    if petition is None:
        return None
    events = (PetitionEvent.objects.filter(petition_id=petition.pk, public=True)
              .order_by("at", "id").values_list("at", "kind"))
    out = {
        "code": petition.code, "state": petition.state,
        "state_label": str(STATE_LABELS.get(petition.state, petition.state)),
        "received_at": petition.received_at,
        "timeline": [{"at": at, "kind": kind, "label": str(EVENT_LABELS.get(kind, kind))}
                     for at, kind in events],
    }
    if petition.due_at is not None:
        out["due_at"] = petition.due_at
    return out


def public_receipt(code, check) -> PetitionSlip | None:
    """The petitioner's receipt (Mẫu 02/TCD) for the code + check; None otherwise."""
    petition = petition_by_code_check(code, check)
    if petition is None:
        return None
    return receipt_of(petition)


def receipt_of(petition: Petition) -> PetitionSlip | None:
    return (PetitionSlip.objects.select_related("petition__agency__parent", "file")
            .filter(petition_id=petition.pk, form=SlipForm.RECEIPT)
            .order_by("created_at", "id").first())
