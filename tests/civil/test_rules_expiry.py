"""The warning of rules about to lapse (law as data): the kinds' rows in force ending within 90
days with no row taking over the next day are shown on the civil home page to the registrar and
the manager — from that day registrations of those kinds are refused (no_rule_in_force)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from egov.civil.catalog import KIND_RULES
from egov.civil.models import KindRule
from egov.civil.selectors.rules_expiry import lapsing_rules

from .test_events_kit import today

pytestmark = pytest.mark.django_db


def test_the_seeded_rows_lapse_on_28_february_2027():
    lapses = lapsing_rules(dt.date(2026, 12, 7))
    assert [lp.ends_on for lp in lapses] == [dt.date(2027, 2, 28)]
    assert set(lapses[0].kinds) == set(KIND_RULES) and lapses[0].refused_from == \
        dt.date(2027, 3, 1)
    assert lapsing_rules(dt.date(2026, 11, 29)) == []  # 91 days before: not yet
    assert [lp.kinds for lp in lapsing_rules(dt.date(2026, 11, 30))] == [lapses[0].kinds]


def test_a_successor_row_lifts_the_warning_for_its_kind():
    for kind in ("birth", "death"):
        KindRule.objects.create(kind=kind, book_name="Sổ mới", limit_working_days=0,
                                legal_basis="Luật Hộ tịch 03/2026/QH16 (thử)",
                                effective_from=dt.date(2027, 3, 1))
    # A row starting later leaves a gap: still a warning.
    KindRule.objects.create(kind="marriage", book_name="Sổ mới", limit_working_days=0,
                            legal_basis="thử", effective_from=dt.date(2027, 3, 5))
    kinds = lapsing_rules(dt.date(2026, 12, 7))[0].kinds
    assert "birth" not in kinds and "death" not in kinds and "marriage" in kinds


def test_the_home_page_warns_the_registrar_and_the_manager_only(client, civ, make_user):
    end = today() + dt.timedelta(days=30)
    KindRule.objects.filter(effective_from__lte=today(), effective_to__gte=today()) \
        .update(effective_to=end)
    client.force_login(civ["registrar"])
    html = client.get(reverse("civil:home")).content.decode()
    assert 'id="rules-lapse-1"' in html and end.strftime("%d/%m/%Y") in html
    assert (end + dt.timedelta(days=1)).isoformat() in html
    client.force_login(make_user("quantri", civ["province"], "admin"))  # the manager's page
    assert 'id="rules-lapse-1"' in client.get(reverse("civil:officer_links")).content.decode()
    client.force_login(civ["leader"])  # reads only: not their concern
    assert 'id="rules-lapse-1"' not in client.get(reverse("civil:home")).content.decode()
    KindRule.objects.filter(effective_to=end).update(effective_to=today() + dt.timedelta(91))
    client.force_login(civ["registrar"])
    assert 'id="rules-lapse-1"' not in client.get(reverse("civil:home")).content.decode()


def test_the_warning_names_each_kind_once_capitalised(civ, client):
    """A walk found the warning listing "Kết hôn, Kết hôn", "Giám hộ, Giám hộ" (a kind's
    foreign-element row lapses too) and ending on a lower-case "đăng ký lại"."""
    from django.utils import translation

    from egov.civil.views.pages import lapses

    end = today() + dt.timedelta(days=30)
    KindRule.objects.filter(effective_from__lte=today(), effective_to__gte=today()) \
        .update(effective_to=end)
    with translation.override("vi"):
        kinds = lapses(civ["registrar"])[0]["kinds"]
    assert len(kinds) == len(set(kinds)) == len(set(KIND_RULES))
    assert "Kết hôn" in kinds and "Đăng ký lại" in kinds
    assert all(k[0].isupper() for k in kinds)
    # The long list is folded under a summary saying how many kinds (the warning stays short).
    client.force_login(civ["registrar"])
    html = client.get(reverse("civil:home")).content.decode()
    assert f"<summary>Các loại việc hộ tịch bị ảnh hưởng ({len(kinds)})</summary>" in html


def test_a_kind_is_named_once_and_only_its_own_variants_successor_lifts_it():
    lapses = lapsing_rules(dt.date(2026, 12, 7))[0].kinds
    assert len(lapses) == len(set(lapses))  # marriage has two rows (ordinary, foreign): once
    KindRule.objects.create(kind="marriage", book_name="Sổ mới", limit_working_days=0,
                            legal_basis="thử", effective_from=dt.date(2027, 3, 1))
    # the ordinary row has a successor, the foreign-element one not: still named
    assert "marriage" in lapsing_rules(dt.date(2026, 12, 7))[0].kinds
    KindRule.objects.create(kind="marriage", variant="foreign", book_name="Sổ mới",
                            limit_working_days=5, legal_basis="thử",
                            effective_from=dt.date(2027, 3, 1))
    assert "marriage" not in lapsing_rules(dt.date(2026, 12, 7))[0].kinds
