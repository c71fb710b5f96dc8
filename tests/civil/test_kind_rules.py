"""Law as data (issue 13): the kinds of events are catalogue rows with their book, duty period,
handling limit, validity, legal basis and effective dates; the services read the row in force on
the registration date, and refuse (422 no_rule_in_force) when none is."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from egov.civil.catalog import kind_rule, kind_rule_latest, kind_rules_in_force
from egov.civil.models import KindRule
from egov.civil.rules_dates import registering_as_of
from egov.civil.services.events import certify_marital_status
from egov.civil.services.records import register_birth
from egov.core import tokens
from egov.core.calendar import LOCAL_TZ

from .test_events_kit import rec, refused, today

pytestmark = pytest.mark.django_db


def test_the_rules_in_force_now_are_seeded_from_the_law():
    rules = {r.kind: r for r in kind_rules_in_force(dt.date(2026, 1, 15))}
    assert rules["birth"].duty_days == 60 and rules["death"].duty_days == 15
    assert rules["marriage"].duty_days is None and rules["marriage"].verification_days == 5
    assert rules["marital_status"].validity_months == 6
    assert (rules["recognition"].limit_working_days, rules["recognition"].verification_days) \
        == (3, 5)
    assert (rules["change"].limit_working_days, rules["change"].verification_days) == (3, 3)
    assert rules["guardianship"].limit_working_days == 3
    assert rules["guardianship_end"].limit_working_days == 2
    assert rules["reregistration"].limit_working_days == 5
    assert rules["birth"].limit_working_days == 0  # the same day, 15:00 rule
    for rule in rules.values():
        assert rule.effective_from == dt.date(2025, 7, 1)
        assert rule.effective_to == dt.date(2027, 2, 28)
        assert "NĐ 120/2025" in rule.legal_basis
    assert "Điều 15" in rules["birth"].legal_basis
    assert rules["birth"].book_name == "Sổ đăng ký khai sinh"


def test_the_row_valid_on_the_date_is_read_and_none_after_the_law_ends():
    before = kind_rule("birth", dt.date(2020, 5, 5))
    assert before.effective_from == dt.date(2016, 1, 1) and "NĐ 120" not in before.legal_basis
    assert kind_rule("birth", dt.date(2027, 2, 28)).effective_from == dt.date(2025, 7, 1)
    err = refused("no_rule_in_force", kind_rule, kind="birth", on=dt.date(2027, 3, 1))
    assert err.status == 422 and "01/03/2027" in err.message
    refused("no_rule_in_force", kind_rule, kind="birth", on=dt.date(2015, 12, 31))
    refused("no_rule_in_force", kind_rule, kind="no_such_kind")
    assert kind_rules_in_force(dt.date(2027, 3, 1)) == []


def test_a_registration_with_no_rule_in_force_is_refused(civ):
    KindRule.objects.filter(kind="birth").delete()
    refused("no_rule_in_force", register_birth, actor=civ["registrar"],
            child={"full_name": "Trẻ", "sex": "male", "birth_date": today().isoformat()})


def test_the_services_read_the_duty_period_from_the_row(civ):
    KindRule.objects.filter(kind="birth").update(duty_days=30)
    born = today() - dt.timedelta(days=31)
    event = register_birth(actor=civ["registrar"], child={
        "full_name": "Trẻ Ba Mốt", "sex": "male", "birth_date": born.isoformat()})
    assert event.late
    # A newer row in force from today wins over the older one still open.
    KindRule.objects.create(kind="birth", book_name="Sổ khai sinh mới", duty_days=90,
                            limit_working_days=0, legal_basis="Thử", effective_from=today())
    event = register_birth(actor=civ["registrar"], child={
        "full_name": "Trẻ Bảy Mươi", "sex": "male",
        "birth_date": (today() - dt.timedelta(days=70)).isoformat()})
    assert not event.late


def test_a_past_registration_date_uses_the_rule_of_that_date(civ):
    day = dt.date(2025, 3, 10)
    with registering_as_of(day):  # history as of that day (rules_dates)
        event = register_birth(actor=civ["registrar"], registered_on=day, child={
            "full_name": "Trẻ Năm 2025", "sex": "female",
            "birth_date": (day - dt.timedelta(days=61)).isoformat()})
    assert event.late and event.book.year == 2025


def test_book_name_and_validity_come_from_the_rows(civ):
    KindRule.objects.filter(kind="marital_status").update(book_name="Sổ thử", validity_months=3)
    who = rec(civ, "Ngô Văn Độc Thân", "male")
    with registering_as_of(dt.date(2026, 11, 30)):
        event = certify_marital_status(actor=civ["registrar"], person={"id": who.pk},
                                       registered_on=dt.date(2026, 11, 30))
    assert event.book.name == "Sổ thử"
    assert event.marital_status.valid_until == dt.date(2027, 2, 28)


def test_the_handling_limit_of_a_rule():
    guardianship = kind_rule("guardianship", dt.date(2026, 6, 8))
    monday = dt.datetime(2026, 6, 8, 10, 0, tzinfo=LOCAL_TZ)
    assert guardianship.due_at(monday).date() == dt.date(2026, 6, 11)
    change = kind_rule("change", dt.date(2026, 6, 8))
    assert change.due_at(monday, verification=True).date() == dt.date(2026, 6, 16)
    birth = kind_rule("birth", dt.date(2026, 6, 8))
    assert birth.due_at(monday).date() == dt.date(2026, 6, 8)
    # Received after 15:00: the next working day (Luật Hộ tịch 2014, Điều 5.3).
    late_in_day = dt.datetime(2026, 6, 8, 16, 0, tzinfo=LOCAL_TZ)
    assert birth.due_at(late_in_day).date() == dt.date(2026, 6, 9)


def test_the_api_lists_the_rules_in_force(client, civ, make_user):
    def get(user, **params):
        _t, raw = tokens.token_create(actor=user, name="t")
        return client.get("/api/v1/civil/kind-rules", params,
                          HTTP_AUTHORIZATION=f"Bearer {raw}")

    r = get(civ["registrar"])
    assert r.status_code == 200
    rows = {row["kind"]: row for row in r.json()}
    assert rows["birth"]["duty_days"] == 60 and rows["marital_status"]["validity_months"] == 6
    assert get(civ["supervisor"], on="2020-01-01").json()[0]["effective_from"] == "2016-01-01"
    assert get(civ["registrar"], on="2027-03-01").json() == []
    assert get(civ["registrar"], on="not-a-date").status_code == 422
    outsider = make_user("ketoan", civ["finance"], "clerk")
    assert get(outsider).status_code == 403
    assert client.get("/api/v1/civil/kind-rules").status_code == 401
    assert json.dumps(rows)  # plain JSON


def test_the_latest_rule_serves_periods_past_or_before_the_rules_seeded():
    assert kind_rule_latest("birth", dt.date(2026, 1, 15)).effective_from == dt.date(2025, 7, 1)
    # past the last row's end (Luật Hộ tịch 2026 not seeded): the latest row still counts
    assert kind_rule_latest("birth", dt.date(2028, 1, 1)).effective_from == dt.date(2025, 7, 1)
    # before the first row: the first one
    assert kind_rule_latest("birth", dt.date(2010, 1, 1)).effective_from == dt.date(2016, 1, 1)
    # the variant asked for, and nothing for a kind without that variant
    assert kind_rule_latest("marriage", dt.date(2026, 1, 15), foreign=True).variant == "foreign"
    assert kind_rule_latest("birth", dt.date(2026, 1, 15), foreign=True) is None
