"""`egov demo` loads the petitions demo: the commune's petition officer `tiepdanxa`, petitions
of each kind and channel through the real intake services, one reception session; once; and
prints the account with the others."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from egov.core.models import User
from egov.petitions.demo import COMMUNE_EID
from egov.petitions.models import (
    Petition,
    PetitionIdentity,
    PetitionSlip,
    ReceptionSession,
    ReceptionVisit,
)
from egov.petitions.selectors import access

pytestmark = pytest.mark.django_db


def _counts():
    return (Petition.objects.count(), PetitionSlip.objects.count(),
            ReceptionVisit.objects.count(), User.objects.count())


def test_demo_once_with_kinds_channels_and_a_session(django_capture_on_commit_callbacks):
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("demo", stdout=out)
    first = _counts()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("demo", "--quiet-accounts")
    assert _counts() == first
    assert "tiepdanxa" in out.getvalue() and "petition officer (commune)" in out.getvalue()

    officer = User.objects.get(username="tiepdanxa")
    petitions = list(Petition.objects.filter(agency__electronic_id=COMMUNE_EID))
    assert {p.channel for p in petitions} >= {"portal", "reception", "onestop", "post"}
    assert {p.kind or p.kind_by_petitioner for p in petitions} >= {
        "complaint", "denunciation", "proposal", "feedback"}
    assert {p.state for p in petitions} == {"draft", "received"}
    assert all(p.is_demo for p in petitions)
    assert PetitionSlip.objects.filter(petition__in=petitions).count() == len(petitions)
    assert all("(mẫu)" in i.full_name for i in PetitionIdentity.objects.all())
    session = ReceptionSession.objects.get()
    assert session.visits.count() == 2 and session.visits.filter(refused=True).count() == 1
    received = [p for p in petitions if p.state == "received"]
    assert all(access.may_see_identity(officer, p) for p in received)
