"""Helpers of the workflow tests: a frozen clock, petitions brought to a state through the
services, and the state snapshot that proves nothing changed after a refused action."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from egov.core.calendar import LOCAL_TZ
from egov.core.models import AuditEvent, WorkItem
from egov.petitions.models import Petition, PetitionDeadline, PetitionEvent, PetitionSlip
from egov.petitions.services import workflow as wf


def at(y, m, d, hh=9, mm=0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=LOCAL_TZ)


@pytest.fixture
def clock(monkeypatch):
    """clock(when) freezes timezone.now() (and localdate) at `when`."""
    state = {}

    def _set(when: dt.datetime):
        state["now"] = when

    def _now():
        return state["now"]

    monkeypatch.setattr(timezone, "now", _now)
    _set(at(2026, 12, 1))
    return _set


def classify(p, actor, **data):
    body = {"kind": p.kind or "denunciation", "eligible": True, "competent": True, **data}
    return wf.run("classify", actor=actor, petition_id=p.pk, data=body)


def snapshot(p) -> tuple:
    """Everything an action may change, to prove a refused one changed nothing."""
    row = Petition.objects.values().get(pk=p.pk)
    row.pop("updated_at", None)
    return (row, PetitionEvent.objects.filter(petition=p).count(),
            PetitionDeadline.objects.filter(petition=p).count(),
            list(PetitionDeadline.objects.filter(petition=p).values_list("due_at", "done_at")),
            PetitionSlip.objects.filter(petition=p).count(), WorkItem.objects.count(),
            AuditEvent.objects.filter(action__startswith="petition.").exclude(
                action="petition.identity.read").count(),
            Petition.objects.count())

