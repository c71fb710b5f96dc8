"""`egov demo` loads the one-stop desk's demo (a commune centre, three accounts, about ten
dossiers in varied states through the real services), once, and prints the accounts."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from egov.core.demo import DEMO_PASSWORD
from egov.core.models import OrgUnit, User
from egov.onestop.demo import ACCOUNTS, CENTRE_EID, COMMUNE_EID
from egov.onestop.models import Dossier, DossierEvent, Slip

pytestmark = pytest.mark.django_db


def _counts():
    return (Dossier.objects.count(), Slip.objects.count(), DossierEvent.objects.count(),
            User.objects.count(), OrgUnit.objects.count())


def test_demo_once_with_varied_states(django_capture_on_commit_callbacks):
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("demo", stdout=out)
    first = _counts()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("demo", "--quiet-accounts")
    assert _counts() == first

    centre = OrgUnit.objects.get(electronic_id=CENTRE_EID)
    assert centre.parent.electronic_id == COMMUNE_EID and centre.is_demo
    dossiers = list(Dossier.objects.filter(agency=centre))
    assert len(dossiers) >= 10
    states = {d.state for d in dossiers}
    assert {"received", "guidance", "refused", "processing", "supplement", "resolved",
            "returned", "withdrawn"} <= states
    assert all("(mẫu)" in d.applicant_name for d in dossiers)
    assert all(d.code.startswith(CENTRE_EID + "-") for d in dossiers)
    assert {"post", "counter"} <= {d.channel for d in dossiers}
    supplemented = [d for d in dossiers if d.supplement_requests and d.state == "processing"]
    assert supplemented and supplemented[0].paused_since is None
    text = out.getvalue()
    for username in ACCOUNTS:
        assert username in text
        assert User.objects.get(username=username).check_password(DEMO_PASSWORD)
