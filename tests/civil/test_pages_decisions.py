"""The registrar's pages for the other decisions noted (views/decisions.py): each form notes its
decision and redirects to the event's page, which shows its details; bad input comes back by
the field with nothing written; the registry's contradictions above the form with their
article; the links on the home and person pages, prefilled; Vietnamese and English."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse

from egov.civil.models import CivilEvent, Person
from egov.civil.services.events_notes import note_adoption, note_death_declaration
from egov.civil.services.events_status import note_missing
from egov.civil.services.records import register_death

from .test_events_kit import couple, rec, today
from .test_pages_events import as_registrar, bad, done, refused, url  # noqa: F401

pytestmark = pytest.mark.django_db
DECISION = {"authority": "Tòa án nhân dân khu vực 5", "decision_number": "31/2026/QĐ-TA",
            "decision_date": "2026-01-05"}
SLUGS = ("adoption-end", "annulment", "nationality", "parentage", "gender", "missing",
         "missing-end", "capacity", "capacity-end", "death-undone", "abroad-marriage",
         "abroad-divorce")


def test_home_links_each_decision_page_and_each_opens(as_registrar):  # noqa: F811
    html = as_registrar.get(reverse("civil:home")).content.decode()
    for slug in SLUGS:
        assert f'href="{url(slug)}"' in html, slug
        page = as_registrar.get(url(slug))
        assert page.status_code == 200, slug
        assert 'id="id_decision_number"' in page.content.decode(), slug


def test_each_page_shows_the_errors_by_the_field(as_registrar, civ):  # noqa: F811
    for slug in SLUGS:
        answer = as_registrar.post(url(slug), {"authority": "", "decision_number": "x" * 51,
                                               "decision_date": "2026-02-30"})
        bad(answer, "authority", "decision_number", "decision_date")
        html = answer.content.decode()
        assert 'id="id_decision_number_error"' in html, slug
    assert not CivilEvent.objects.exists()


def test_annulment_page_and_its_refusal(as_registrar, civ):  # noqa: F811
    man, woman = rec(civ, "Hồ Văn Hủy", "male"), rec(civ, "Hồ Thị Hủy", "female")
    post = {"husband_id": str(man.pk), "wife_id": str(woman.pk), **DECISION}
    refused(as_registrar.post(url("annulment"), post), "Điều 11")
    answer = as_registrar.post(url("annulment"), {**post, "marriage_event_id": "999999"})
    refused(answer, "Điều 11")
    bad(answer, "marriage_event_id")
    couple(civ, man, woman)
    html = as_registrar.get(reverse("civil:person", args=[woman.pk])).content.decode()
    assert f'{url("annulment")}?husband={man.pk}&amp;wife={woman.pk}' in html
    event = done(as_registrar.post(url("annulment"), post))
    man.refresh_from_db()
    assert event.kind == "annulment" and man.spouse_id is None
    html = as_registrar.get(reverse("civil:event", args=[event.pk])).content.decode()
    assert "31/2026/QĐ-TA" in html


def test_abroad_marriage_with_a_new_spouse_then_divorce(as_registrar, civ):  # noqa: F811
    woman = rec(civ, "Trần Thị Xuất Cảnh", "female", 27)
    html = as_registrar.get(reverse("civil:person", args=[woman.pk])).content.decode()
    assert f'{url("abroad-marriage")}?wife={woman.pk}' in html
    post = {"wife_mode": "existing", "wife_id": str(woman.pk), "husband_mode": "new",
            "husband_full_name": "Tanaka Hiroshi", "husband_birth_date": "1990-01-01",
            "husband_nationality": "Nhật Bản", "country": "Nhật Bản",
            "authority": "Tòa thị chính Osaka", "decision_number": "JP-1",
            "decision_date": (today() - dt.timedelta(days=40)).isoformat()}
    bad(as_registrar.post(url("abroad-marriage"), {**post, "country": ""}), "country")
    event = done(as_registrar.post(url("abroad-marriage"), post))
    woman.refresh_from_db()
    assert woman.spouse.full_name == "Tanaka Hiroshi"
    html = as_registrar.get(reverse("civil:event", args=[event.pk])).content.decode()
    assert 'id="event-country">Nhật Bản' in html
    event = done(as_registrar.post(url("abroad-divorce"), {
        "wife_mode": "existing", "wife_id": str(woman.pk), "husband_mode": "existing",
        "husband_id": str(woman.spouse_id), "country": "Nhật Bản", "dissolution": "divorce",
        **DECISION}))
    woman.refresh_from_db()
    assert woman.spouse_id is None and event.details["dissolution"] == "divorce"


def test_adoption_end_from_the_person_page(as_registrar, civ):  # noqa: F811
    kid = rec(civ, "Phan Bé Nuôi", "male", 6)
    refused(as_registrar.post(url("adoption-end"), {"child_id": str(kid.pk), **DECISION}),
            "Điều 25")
    note_adoption(actor=civ["registrar"], child={"id": kid.pk},
                  adoptive_mother={"id": rec(civ, "Phan Mẹ Nuôi", "female", 40).pk},
                  authority="UBND xã", decision_number="1/QĐ", decision_date="2025-12-01")
    html = as_registrar.get(reverse("civil:person", args=[kid.pk])).content.decode()
    assert f'{url("adoption-end")}?child={kid.pk}' in html
    event = done(as_registrar.post(url("adoption-end"), {"child_id": str(kid.pk),
                                                         "ground": "Điều 25.c", **DECISION}))
    assert event.kind == "adoption_end"
    html = as_registrar.get(reverse("civil:event", args=[event.pk])).content.decode()
    assert 'id="event-adoption"' in html


def test_parentage_nationality_gender_pages(as_registrar, civ):  # noqa: F811
    kid = rec(civ, "Võ Bé Con", "female", 3)
    dad = rec(civ, "Võ Văn Cha", "male", 30)
    bad(as_registrar.post(url("parentage"), {"child_id": str(kid.pk), "parent_mode": "existing",
                                             "parent_id": str(dad.pk), **DECISION}), "role")
    event = done(as_registrar.post(url("parentage"), {
        "child_id": str(kid.pk), "parent_mode": "existing", "parent_id": str(dad.pk),
        "role": "father", "finding": "parent", **DECISION}))
    kid.refresh_from_db()
    assert kid.father_id == dad.pk and event.kind == "parentage"
    refused(as_registrar.post(url("nationality"), {
        "person_id": str(dad.pk), "change_type": "renounced", "nationality": "Việt Nam",
        **DECISION}), "Điều 27")
    done(as_registrar.post(url("nationality"), {
        "person_id": str(dad.pk), "change_type": "renounced", "nationality": "Canada",
        **DECISION}))
    dad.refresh_from_db()
    assert dad.nationality == "Canada"
    bad(as_registrar.post(url("gender"), {"person_id": str(dad.pk), "sex": "female",
                                          "new_personal_id": "12ab", **DECISION}),
        "new_personal_id")
    event = done(as_registrar.post(url("gender"), {"person_id": str(dad.pk), "sex": "female",
                                                   **DECISION}))
    html = as_registrar.get(reverse("civil:event", args=[event.pk])).content.decode()
    assert 'id="event-new">Nữ' in html  # Vietnamese first


def test_missing_and_capacity_pages_and_links(as_registrar, civ):  # noqa: F811
    who = rec(civ, "Lâm Văn Vắng", "male", 45)
    html = as_registrar.get(reverse("civil:person", args=[who.pk])).content.decode()
    assert f'{url("missing")}?person={who.pk}' in html and 'id="act-missing-end"' not in html
    refused(as_registrar.post(url("missing-end"), {"person_id": str(who.pk), **DECISION}),
            "Điều 70")
    done(as_registrar.post(url("missing"), {"person_id": str(who.pk), **DECISION}))
    html = as_registrar.get(reverse("civil:person", args=[who.pk])).content.decode()
    assert f'{url("missing-end")}?person={who.pk}' in html
    refused(as_registrar.post(url("missing"), {"person_id": str(who.pk), **DECISION}),
            "Điều 68")
    bad(as_registrar.post(url("capacity"), {"person_id": str(who.pk), "capacity": "some",
                                            **DECISION}), "capacity")
    event = done(as_registrar.post(url("capacity"), {"person_id": str(who.pk),
                                                     "capacity": "limited", **DECISION}))
    html = as_registrar.get(reverse("civil:event", args=[event.pk])).content.decode()
    assert 'id="event-capacity"' in html
    done(as_registrar.post(url("capacity-end"), {"person_id": str(who.pk), **DECISION}))


def test_death_undone_page_only_for_a_declared_death(as_registrar, civ):  # noqa: F811
    declared = rec(civ, "Người Được Tuyên Chết", "male", 60)
    note_death_declaration(actor=civ["registrar"], person={"id": declared.pk},
                           death_date="2024-01-01", authority="Tòa", decision_number="2/QĐ",
                           decision_date="2025-12-01")
    html = as_registrar.get(reverse("civil:person", args=[declared.pk])).content.decode()
    assert f'{url("death-undone")}?person={declared.pk}' in html
    registered = rec(civ, "Người Đã Khai Tử", "female", 80)
    register_death(actor=civ["registrar"], person={"id": registered.pk}, death_date=today())
    html = as_registrar.get(reverse("civil:person", args=[registered.pk])).content.decode()
    assert url("death-undone") not in html
    refused(as_registrar.post(url("death-undone"), {"person_id": str(registered.pk),
                                                    **DECISION}), "Điều 34.2")
    event = done(as_registrar.post(url("death-undone"), {"person_id": str(declared.pk),
                                                         **DECISION}))
    declared.refresh_from_db()
    assert declared.death_date is None and event.kind == "death_undone"
    assert 'id="event-marriage-restored"' in as_registrar.get(
        reverse("civil:event", args=[event.pk])).content.decode()


def test_another_communes_person_cannot_be_chosen(as_registrar, civ):  # noqa: F811
    theirs = rec(civ, "Người Xã Khác", "male", 40, where="other")
    note_missing(actor=civ["other_registrar"], person={"id": theirs.pk}, **DECISION)
    bad(as_registrar.post(url("missing-end"), {"person_id": str(theirs.pk), **DECISION}),
        "person_id")
    assert CivilEvent.objects.count() == 1 and Person.objects.count() == 1


@pytest.mark.parametrize("lang,title,label", [
    ("vi", "Ghi vào Sổ việc thay đổi quốc tịch", "Quốc tịch mới"),
    ("en", "Note a change of nationality", "New nationality"),
])
def test_pages_in_vietnamese_and_english(as_registrar, lang, title, label):  # noqa: F811
    as_registrar.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    html = as_registrar.get(url("nationality")).content.decode()
    assert title in html and label in html
    assert title in as_registrar.get(reverse("civil:home")).content.decode()
