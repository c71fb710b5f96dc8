"""Slip numbers come from the numbering kernel: a yearly series per agency and form, gapless —
a rolled-back issue gives its number back; two officers issuing at once get consecutive numbers
without duplicates (row lock on the sequence; PostgreSQL in the --create-db run)."""

from __future__ import annotations

import pytest
from django.db import transaction

from egov.petitions.models import Petition, PetitionSlip, SlipForm
from egov.petitions.services import slips
from tests.concurrency import run_threads


def issue(petition, form, actor):
    with transaction.atomic():
        return slips.slip_issue(petition=petition, form=form, actor=actor,
                                data={"summary": "Nội dung."})


def test_numbers_per_form_and_agency_and_rollback_gives_the_number_back(pet, make_petition):
    here = make_petition(kind="complaint")
    there = make_petition(kind="complaint", agency=pet["other"], actor=pet["other_reception"])
    assert issue(here, SlipForm.ACCEPT_NOTICE, pet["reception"]).number == "01/TB-TL-UBND"
    assert issue(here, SlipForm.TRANSFER, pet["reception"]).number == "01/PCĐ-UBND"
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        slips.slip_issue(petition=here, form=SlipForm.ACCEPT_NOTICE, actor=pet["reception"],
                         data={})
        raise ZeroDivisionError  # the caller's transaction fails after the slip
    assert issue(here, SlipForm.ACCEPT_NOTICE, pet["reception"]).number == "02/TB-TL-UBND"
    assert issue(there, SlipForm.ACCEPT_NOTICE, pet["other_reception"]).number == \
        "01/TB-TL-UBND"
    assert PetitionSlip.objects.filter(petition=here).count() == 3


@pytest.mark.postgres
def test_two_concurrent_issues_get_consecutive_numbers(transactional_db, pet, make_petition):
    petitions = [make_petition(kind="denunciation") for _ in range(2)]
    rounds = 3

    def worker(i: int) -> None:
        petition = Petition.objects.get(pk=petitions[i].pk)
        for _ in range(rounds):
            issue(petition, SlipForm.TRANSFER, pet["reception"])

    errors = run_threads(worker, 2)
    assert not errors, errors
    numbers = sorted(int(n.split("/")[0]) for n in
                     PetitionSlip.objects.filter(form=SlipForm.TRANSFER)
                     .values_list("number", flat=True))
    assert numbers == list(range(1, 2 * rounds + 1))
