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


@pytest.fixture
def seeded(transactional_db):
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    from egov.civil.catalog import seed_role_grants
    from egov.core.catalog import seed_roles
    from egov.core.models import Role, RoleGrant

    seed_roles(Role, RoleGrant)
    seed_role_grants(apps)
    ContentType.objects.clear_cache()


def test_concurrent_births_share_one_book_with_gapless_entries(seeded, civ):
    born = (timezone.localdate() - dt.timedelta(days=3)).isoformat()

    def one(i: int) -> None:
        register_birth(actor=civ["registrar"], child={"full_name": f"Trẻ Số {i}", "sex": "male",
                                                      "birth_date": born})

    assert run_threads(one, 8) == []
    assert RegistryBook.objects.count() == 1
    assert sorted(CivilEvent.objects.values_list("entry_number", flat=True)) == list(range(1, 9))
