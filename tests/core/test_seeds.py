"""The catalogues the migrations seed, put back after a flush (egov.core.seeds): a seed runs
only when its table is empty, and never touches rows that are there."""

from __future__ import annotations

from egov.core import seeds
from egov.petitions.models import DeadlineRule
from egov.petitions.rules import RULES


def test_nothing_runs_on_a_migrated_database(db):
    assert seeds.reseed_after_flush() == []


def test_an_emptied_table_is_seeded_again_and_only_its_seeds_run(db):
    DeadlineRule.objects.all().delete()
    assert seeds.reseed_after_flush() == ["petitions.deadline_rules"]
    assert DeadlineRule.objects.count() == len(RULES)


def test_the_rows_an_administrator_left_are_kept(db):
    kept = DeadlineRule.objects.order_by("pk").first()
    DeadlineRule.objects.exclude(pk=kept.pk).delete()
    assert seeds.reseed_after_flush() == []
    assert list(DeadlineRule.objects.values_list("pk", flat=True)) == [kept.pk]


def test_every_app_registers_its_catalogues():
    assert {"core.Role", "core.RoleGrant", "civil.KindRule", "petitions.DeadlineRule",
            "documents.DocumentType"} <= seeds.seeded_models()
