"""Transfer once under concurrency: two officers forwarding two letters with the same content at
the same moment — exactly one is forwarded, the other is refused `already_transferred` (the
original letter's row lock serialises them; PostgreSQL row locks)."""

from __future__ import annotations

import threading

import pytest
from django.db import transaction

from egov.core.errors import AppError
from egov.petitions.models import Channel, PetitionEvent, PetitionState
from egov.petitions.services import workflow as wf
from egov.petitions.services.records import event_write, petition_create
from tests.concurrency import run_threads

from .conftest import CONTENT, IDENTITY

pytestmark = pytest.mark.postgres


def test_two_letters_with_the_same_content_are_forwarded_once(transactional_db, org, make_user,
                                                             monkeypatch):
    officer = make_user("tiepdan", org["commune"], "petition_officer")
    head = make_user("chutich", org["commune"], "leader")

    def letter(dup=None):
        with transaction.atomic():
            p = petition_create(actor=officer, agency=org["commune"], channel=Channel.RECEPTION,
                                identity=dict(IDENTITY), content=CONTENT, kind="denunciation")
            event_write(petition=p, kind="receive", actor=officer)
        return wf.run("classify", actor=officer, petition_id=p.pk,
                      data={"kind": "denunciation", "eligible": True, "competent": False,
                            "duplicate_of": dup})

    first = letter()
    second = letter(first.pk)
    ids = [first.pk, second.pk]
    outcomes: list[str] = []
    # Widen the race: after its check, each transaction waits (up to 2 s) for the other to
    # have checked too. Without the lock both would pass the check and both would forward;
    # with it the second waits on the original's row and checks after the first committed.
    from egov.petitions.services import flow

    checked = [threading.Event(), threading.Event()]
    check = flow.already_transferred

    def slow_check(p):
        result = check(p)
        i = ids.index(p.pk)
        checked[i].set()
        checked[1 - i].wait(2)
        return result

    monkeypatch.setattr(flow, "already_transferred", slow_check)

    def worker(i: int) -> None:
        try:
            wf.run("transfer", actor=head, petition_id=ids[i], data={"to": "Công an tỉnh"})
            outcomes.append("transferred")
        except AppError as exc:
            outcomes.append(exc.code)

    errors = run_threads(worker, 2)
    assert not errors, errors
    assert sorted(outcomes) == ["already_transferred", "transferred"]
    assert PetitionEvent.objects.filter(petition_id__in=ids, kind="transfer").count() == 1
    from egov.petitions.models import Petition

    states = sorted(Petition.objects.filter(pk__in=ids).values_list("state", flat=True))
    assert states == sorted([PetitionState.TRANSFERRED, PetitionState.CLASSIFIED])
