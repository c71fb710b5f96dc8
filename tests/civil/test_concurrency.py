"""Eight registrars' births at the same moment in one commune (PostgreSQL): the first makes
the book, every entry number is used once and none is skipped (numbering kernel)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from egov.civil.models import CivilEvent, RegistryBook
from egov.civil.services.records import register_birth
from tests.concurrency import run_threads

pytestmark = pytest.mark.postgres


def test_concurrent_births_share_one_book_with_gapless_entries(transactional_db, civ):
    born = (timezone.localdate() - dt.timedelta(days=3)).isoformat()

    def one(i: int) -> None:
        register_birth(actor=civ["registrar"], child={"full_name": f"Trẻ Số {i}", "sex": "male",
                                                      "birth_date": born})

    assert run_threads(one, 8) == []
    assert RegistryBook.objects.count() == 1
    assert sorted(CivilEvent.objects.values_list("entry_number", flat=True)) == list(range(1, 9))
