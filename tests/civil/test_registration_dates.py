"""The registration date's bounds (rules_dates; Luật Hộ tịch 2014, Điều 58): today or at most
five days back within the year of the open book, never in the future — one 422
`registered_on_out_of_range` by the field for every register and note path (API, page,
service), nothing written, no book opened; history is written only "as of" its own day."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from egov.civil.models import CivilEvent, Person, RegistryBook
from egov.civil.rules_dates import (
    BACKDATE_DAYS,
    registering_as_of,
    registration_date_refusal,
)
from egov.civil.services.events import certify_marital_status
from egov.civil.services.records import register_birth

from .test_api import person, post
from .test_events_kit import rec, refused, today
from .test_pages import _birth_post

pytestmark = pytest.mark.django_db


def test_the_bounds_of_the_rule():
    day = dt.date(2026, 12, 7)
    assert registration_date_refusal(day, day) is None
    assert registration_date_refusal(day - dt.timedelta(days=BACKDATE_DAYS), day) is None
    for bad in (day - dt.timedelta(days=BACKDATE_DAYS + 1), day + dt.timedelta(days=1),
                dt.date(2000, 1, 1)):
        refusal = registration_date_refusal(bad, day)
        assert refusal.code == "registered_on_out_of_range" and "Điều 58" in refusal.message
    # 3 January: 31 December belongs to last year's book, closed at year end (Điều 58).
    assert registration_date_refusal(dt.date(2027, 1, 1), dt.date(2027, 1, 3)) is None
    assert registration_date_refusal(dt.date(2026, 12, 31), dt.date(2027, 1, 3)) is not None


def test_the_api_refuses_a_death_dated_2000_and_opens_no_book(client, civ):
    answer = post(client, civ["registrar"], "deaths", {
        "person": person("Trần Văn Cũ", "male", 80), "death_date": "2000-01-02",
        "registered_on": "2000-01-03"})
    assert answer.status_code == 422, answer.content
    body = answer.json()
    assert body["code"] == "registered_on_out_of_range" and "registered_on" in body["fields"]
    assert not RegistryBook.objects.exists() and not Person.objects.exists()
    future = (today() + dt.timedelta(days=1)).isoformat()
    answer = post(client, civ["registrar"], "births", {
        "child": person("Bé Mai Sau", "female", 0), "registered_on": future})
    assert answer.status_code == 422 and answer.json()["code"] == "registered_on_out_of_range"


def test_a_few_days_back_is_accepted_one_more_is_not(civ):
    def birth(days_back):
        day = today() - dt.timedelta(days=days_back)
        return register_birth(actor=civ["registrar"], registered_on=day, child={
            "full_name": f"Trẻ {days_back}", "sex": "male",
            "birth_date": (today() - dt.timedelta(days=20)).isoformat()})

    if (today() - dt.timedelta(days=BACKDATE_DAYS)).year == today().year:
        assert birth(BACKDATE_DAYS).registered_on == today() - dt.timedelta(days=BACKDATE_DAYS)
    refused("registered_on_out_of_range", birth, days_back=BACKDATE_DAYS + 1)


def test_the_other_events_go_through_the_same_check(civ):
    who = rec(civ, "Ngô Văn Độc", "male")
    err = refused("registered_on_out_of_range", certify_marital_status, actor=civ["registrar"],
                  person={"id": who.pk}, registered_on=dt.date(2019, 5, 5))
    assert err.status == 422 and "registered_on" in err.fields


def test_history_as_of_its_own_day(civ):
    day = dt.date(2025, 3, 10)
    with registering_as_of(day):
        event = register_birth(actor=civ["registrar"], registered_on=day, child={
            "full_name": "Trẻ Năm 2025", "sex": "female", "birth_date": "2025-03-01"})
    assert event.book.year == 2025
    refused("registered_on_out_of_range", register_birth, actor=civ["registrar"],
            registered_on=day, child={"full_name": "Trẻ Khác", "sex": "female",
                                      "birth_date": "2025-03-01"})


def test_the_page_shows_it_by_the_field(client, civ):
    client.force_login(civ["registrar"])
    answer = client.post(reverse("civil:birth_new"), _birth_post(registered_on="2000-01-03"))
    assert answer.status_code == 422
    assert "Điều 58" in " ".join(answer.context["form"].errors["registered_on"])
    assert not CivilEvent.objects.exists()
