"""The registrar's pages for the other events (issue 13): each form registers its event and
redirects to the event's page; bad input comes back by the field with the values kept and
nothing written; a refusal of the law is shown with its article; another commune's person cannot
be chosen; the pages from the home and person pages, prefilled; Vietnamese and English."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse

from egov.civil.models import CivilEvent, Guardianship, MaritalStatusCertificate, Person
from egov.civil.services.events import add_months, register_guardianship
from egov.civil.services.records import register_marriage
from egov.civil.views.other_events import PAGES

from .test_events_kit import couple, rec, today

pytestmark = pytest.mark.django_db
DECISION = {"authority": "Tòa án nhân dân khu vực 2", "decision_number": "45/2026/QĐ-TA"}


@pytest.fixture
def as_registrar(client, civ):
    client.force_login(civ["registrar"])
    return client


def url(kind: str) -> str:
    return reverse("civil:event_new", args=[kind])


def done(answer) -> CivilEvent:
    """The answer is the redirect to the page of the one new event."""
    assert answer.status_code == 302, answer.context and (
        answer.context["form"].errors.as_data())
    event = CivilEvent.objects.order_by("-id").first()
    assert answer["Location"] == reverse("civil:event", args=[event.pk])
    return event


def refused(answer, article: str) -> None:
    assert answer.status_code == 422
    assert article in " ".join(answer.context["form"].non_field_errors()), \
        answer.context["form"].errors


def bad(answer, *fields: str) -> None:
    assert answer.status_code == 422
    errors = answer.context["form"].errors
    for name in fields:
        assert errors.get(name), (name, errors)


def test_home_links_every_page_and_each_page_opens(as_registrar):
    html = as_registrar.get(reverse("civil:home")).content.decode()
    for kind in PAGES:
        assert f'href="{url(kind)}"' in html, kind
        page = as_registrar.get(url(kind))
        assert page.status_code == 200, kind
        assert 'id="event-form"' in page.content.decode()
    assert as_registrar.get(url("baptism")).status_code == 404


def test_pages_need_civil_register(client, civ):
    client.force_login(civ["supervisor"])  # reads every commune, registers in none
    assert client.get(url("marital-status")).status_code == 403
    assert f'href="{url("divorce")}"' not in client.get(reverse("civil:home")).content.decode()


# --- the marital-status certificate -----------------------------------------------------------


def test_marital_status_certificate_shows_status_and_validity(as_registrar, civ):
    person = rec(civ, "Ngô Thị Độc Thân", "female", 26)
    event = done(as_registrar.post(url("marital-status"), {
        "person_id": str(person.pk), "purpose": "Để kết hôn"}))
    cert = MaritalStatusCertificate.objects.get(event=event)
    assert cert.person == person and cert.status == "single"
    html = as_registrar.get(reverse("civil:event", args=[event.pk])).content.decode()
    until = add_months(today(), 6)
    assert 'id="event-valid-until"' in html and until.strftime("%d/%m/%Y") in html
    assert 'id="event-marital-status">Chưa đăng ký kết hôn với ai' in html  # Vietnamese first
    assert "Để kết hôn" in html


def test_marital_status_errors_by_the_field(as_registrar, civ):
    answer = as_registrar.post(url("marital-status"), {"purpose": "x" * 301,
                                                       "registered_on": "2026-02-30"})
    bad(answer, "person_id", "purpose", "registered_on")
    assert not CivilEvent.objects.exists()
    # The service's own message by the field: no such record.
    bad(as_registrar.post(url("marital-status"), {"person_id": "999999"}), "person_id")
    assert not CivilEvent.objects.exists()
    # The person chosen stays shown by name next to the other field's error.
    person = rec(civ, "Ngô Thị Chọn", "female", 26)
    answer = as_registrar.post(url("marital-status"), {"person_id": str(person.pk),
                                                       "purpose": "x" * 301})
    bad(answer, "purpose")
    assert 'id="chosen-person"' in answer.content.decode() and "Ngô Thị Chọn" in \
        answer.content.decode()


def test_marital_status_refused_for_a_deceased_person(as_registrar, civ):
    person = rec(civ, "Vũ Văn Đã Mất", "male", 70, death_date=today() - dt.timedelta(days=3))
    refused(as_registrar.post(url("marital-status"), {"person_id": str(person.pk)}),
            "Điều 34.2")
    assert not CivilEvent.objects.exists()


# --- recognition ------------------------------------------------------------------------------


def test_recognition_with_a_new_parent(as_registrar, civ):
    child = rec(civ, "Trần Văn Con", "male", 6)
    event = done(as_registrar.post(url("recognition"), {
        "child_id": str(child.pk), "role": "father", "parent_mode": "new",
        "parent_full_name": "Trần Văn Cha", "parent_birth_date": "1990-05-04"}))
    child.refresh_from_db()
    assert child.father.full_name == "Trần Văn Cha" and child.father.sex == "male"
    assert {p.role for p in event.parties.all()} == {"child", "father"}


def test_recognition_errors_and_refusal(as_registrar, civ):
    child = rec(civ, "Trần Văn Con", "male", 6)
    answer = as_registrar.post(url("recognition"), {
        "child_id": str(child.pk), "parent_mode": "new", "parent_birth_date": "1990-05-04"})
    bad(answer, "role", "parent_full_name")
    assert 'value="1990-05-04"' in answer.content.decode()  # kept
    refused(as_registrar.post(url("recognition"), {
        "child_id": str(child.pk), "role": "mother", "parent_mode": "new",
        "parent_full_name": "Lê Thị Trẻ", "parent_birth_date": today().isoformat()}), "Điều 24")
    assert not CivilEvent.objects.exists() and Person.objects.count() == 1


# --- guardianship and its end -----------------------------------------------------------------


def _guardianship_post(ward, **extra):
    data = {"ward_id": str(ward.pk), "guardian_mode": "new", "guardian_full_name": "Phan Văn Bác",
            "guardian_sex": "male", "guardian_birth_date": "1970-01-02", "mode": "appointed",
            "guardian_capable": "on"}
    data.update(extra)
    return data


def test_guardianship_registered_and_ended(as_registrar, civ):
    ward = rec(civ, "Phan Thị Nhỏ", "female", 8)
    event = done(as_registrar.post(url("guardianship"), _guardianship_post(ward)))
    found = Guardianship.objects.get(event=event)
    assert found.ward == ward and found.guardian.full_name == "Phan Văn Bác"
    # The person page offers the end, prefilled.
    html = as_registrar.get(reverse("civil:person", args=[ward.pk])).content.decode()
    assert f'{url("guardianship-end")}?guardianship={found.pk}' in html
    page = as_registrar.get(url("guardianship-end"), {"guardianship": found.pk})
    assert page.context["form"].initial["guardianship_id"] == str(found.pk)
    end = done(as_registrar.post(url("guardianship-end"), {
        "guardianship_id": str(found.pk), "ground": "Người được giám hộ đã thành niên"}))
    found.refresh_from_db()
    assert found.end_event == end and found.ended_on == today()
    assert "Người được giám hộ đã thành niên" in as_registrar.get(
        reverse("civil:event", args=[end.pk])).content.decode()
    # Ended: no longer offered.
    bad(as_registrar.post(url("guardianship-end"), {"guardianship_id": str(found.pk),
                                                   "ground": "x"}), "guardianship_id")


def test_guardianship_errors_and_refusal(as_registrar, civ):
    ward = rec(civ, "Phan Thị Nhỏ", "female", 8)
    answer = as_registrar.post(url("guardianship"), _guardianship_post(
        ward, guardian_sex="", guardian_full_name=""))
    bad(answer, "guardian_sex", "guardian_full_name")
    refused(as_registrar.post(url("guardianship"), _guardianship_post(
        ward, guardian_birth_date=(today() - dt.timedelta(days=365 * 15)).isoformat())),
        "Điều 49.1")
    assert not CivilEvent.objects.exists() and Person.objects.count() == 1


def test_guardianship_end_errors(as_registrar, civ):
    ward = rec(civ, "Phan Thị Nhỏ", "female", 8)
    found = Guardianship.objects.get(event=register_guardianship(
        actor=civ["registrar"], guardian={"id": rec(civ, "Bác", "male", 50).pk},
        ward={"id": ward.pk}))
    bad(as_registrar.post(url("guardianship-end"), {"guardianship_id": str(found.pk)}),
        "ground")
    answer = as_registrar.post(url("guardianship-end"), {
        "guardianship_id": str(found.pk), "ground": "Thành niên",
        "registered_on": (today() - dt.timedelta(days=1)).isoformat()})
    assert answer.status_code == 422 and answer.context["form"].errors["registered_on"]
    assert CivilEvent.objects.count() == 1


# --- change, correction, supplement -----------------------------------------------------------


def test_correction_from_the_person_page(as_registrar, civ):
    person = rec(civ, "Nguyen Van Sai", "male", 40)
    html = as_registrar.get(reverse("civil:person", args=[person.pk])).content.decode()
    link = f'{url("change")}?person={person.pk}&amp;change_type=correction'
    assert link in html
    page = as_registrar.get(url("change"), {"person": person.pk, "change_type": "correction"})
    assert 'id="chosen-person"' in page.content.decode()
    event = done(as_registrar.post(url("change"), {
        "person_id": str(person.pk), "change_type": "correction", "field": "full_name",
        "new_value": "Nguyễn Văn Đúng", "ground": "Viết sai dấu"}))
    person.refresh_from_db()
    assert person.full_name == "Nguyễn Văn Đúng"
    html = as_registrar.get(reverse("civil:event", args=[event.pk])).content.decode()
    assert 'id="event-old">Nguyen Van Sai' in html and 'id="event-new">Nguyễn Văn Đúng' in html


def test_change_errors_and_refusal(as_registrar, civ):
    kid = rec(civ, "Lò Văn Bé", "male", 12)
    answer = as_registrar.post(url("change"), {"person_id": str(kid.pk),
                                               "change_type": "change", "ground": "Đổi tên"})
    bad(answer, "field", "new_value")
    assert 'value="Đổi tên"' in answer.content.decode()
    refused(as_registrar.post(url("change"), {
        "person_id": str(kid.pk), "change_type": "change", "field": "full_name",
        "new_value": "Lò Văn Lớn", "ground": "Đổi tên"}), "Điều 7.1")
    # A date typed as dd/mm/yyyy is read; a supplement of recorded data is refused.
    refused(as_registrar.post(url("change"), {
        "person_id": str(kid.pk), "change_type": "supplement", "field": "birth_date",
        "new_value": "01/02/2014", "ground": "Bổ sung"}), "Điều 26.1")
    kid.refresh_from_db()
    assert kid.full_name == "Lò Văn Bé" and not CivilEvent.objects.exists()


# --- noted: divorce, adoption, a court's declaration of death ---------------------------------


def test_divorce_prefilled_from_the_person_page(as_registrar, civ):
    marriage = register_marriage(
        actor=civ["registrar"], husband={"id": rec(civ, "Hồ Văn Chồng", "male", 35).pk},
        wife={"id": rec(civ, "Lý Thị Vợ", "female", 33).pk})
    man = marriage.parties.get(role="husband").person
    woman = marriage.parties.get(role="wife").person
    html = as_registrar.get(reverse("civil:person", args=[woman.pk])).content.decode()
    assert f'{url("divorce")}?husband={man.pk}&amp;wife={woman.pk}' in html
    event = done(as_registrar.post(url("divorce"), {
        "husband_id": str(man.pk), "wife_id": str(woman.pk), **DECISION,
        "decision_date": (today() - dt.timedelta(days=2)).isoformat()}))
    man.refresh_from_db()
    assert man.spouse_id is None and event.kind == "divorce"
    assert "45/2026/QĐ-TA" in as_registrar.get(
        reverse("civil:event", args=[event.pk])).content.decode()


def test_divorce_errors_and_refusal(as_registrar, civ):
    man, woman = rec(civ, "Anh Độc Thân", "male"), rec(civ, "Chị Độc Thân", "female")
    bad(as_registrar.post(url("divorce"), {
        "husband_id": str(man.pk), "wife_id": str(woman.pk), "authority": "",
        "decision_number": "x" * 51}), "authority", "decision_number", "decision_date")
    refused(as_registrar.post(url("divorce"), {
        "husband_id": str(man.pk), "wife_id": str(woman.pk), **DECISION,
        "decision_date": today().isoformat()}), "Điều 57")
    assert not CivilEvent.objects.exists()


def test_adoption(as_registrar, civ):
    child = rec(civ, "Mai Văn Nuôi", "male", 5)
    post = {"child_id": str(child.pk), "adoptive_father_mode": "new",
            "adoptive_father_full_name": "Mai Văn Bố", "adoptive_father_birth_date": "1980-03-03",
            "adoptive_mother_mode": "none", **DECISION, "decision_date": today().isoformat()}
    bad(as_registrar.post(url("adoption"), {**post, "decision_date": ""}), "decision_date")
    old = rec(civ, "Mai Văn Lớn", "male", 17)
    refused(as_registrar.post(url("adoption"), {**post, "child_id": str(old.pk)}), "Điều 8")
    assert not CivilEvent.objects.exists() and Person.objects.count() == 2
    event = done(as_registrar.post(url("adoption"), post))
    assert {p.role for p in event.parties.all()} == {"child", "adoptive_father"}


def test_death_declaration(as_registrar, civ):
    person = rec(civ, "Đinh Văn Mất Tích", "male", 60)
    post = {"person_id": str(person.pk), **DECISION, "decision_date": today().isoformat(),
            "death_date": (today() - dt.timedelta(days=400)).isoformat()}
    bad(as_registrar.post(url("death-declaration"), {**post, "death_date": "x"}), "death_date")
    event = done(as_registrar.post(url("death-declaration"), post))
    person.refresh_from_db()
    assert person.death_date == today() - dt.timedelta(days=400)
    assert event.kind == "death_declared"
    refused(as_registrar.post(url("death-declaration"), post), "Điều 34.2")
    assert CivilEvent.objects.count() == 1


# --- re-registration --------------------------------------------------------------------------


def test_reregister_a_birth(as_registrar, civ):
    post = {"child_full_name": "Hà Văn Cũ", "child_sex": "male",
            "child_birth_date": "2005-04-05", "mother_mode": "none", "father_mode": "none",
            "original_registered_on": "2005-05-01", "original_place": "UBND xã Cũ",
            "book_lost": "on"}
    bad(as_registrar.post(url("reregister-birth"), {**post, "original_place": ""}),
        "original_place")
    refused(as_registrar.post(url("reregister-birth"), {
        **post, "original_registered_on": "2017-01-01"}), "Điều 24.1")
    assert not CivilEvent.objects.exists() and not Person.objects.exists()
    event = done(as_registrar.post(url("reregister-birth"), post))
    assert event.kind == "birth" and not event.late
    html = as_registrar.get(reverse("civil:event", args=[event.pk])).content.decode()
    assert 'id="event-reregistration"' in html and "01/05/2005" in html


# --- another commune's persons ----------------------------------------------------------------


@pytest.mark.parametrize("kind,post", [
    ("marital-status", lambda p: {"person_id": p}),
    ("change", lambda p: {"person_id": p, "change_type": "correction", "field": "full_name",
                          "new_value": "Tên Khác", "ground": "Sai"}),
    ("recognition", lambda p: {"child_id": p, "role": "father", "parent_mode": "new",
                               "parent_full_name": "Cha", "parent_birth_date": "1980-01-01"}),
    ("guardianship", lambda p: {"ward_id": p, "guardian_mode": "new", "guardian_sex": "male",
                                "guardian_full_name": "Bác", "guardian_birth_date": "1970-01-01",
                                "mode": "appointed", "guardian_capable": "on"}),
    ("death-declaration", lambda p: {"person_id": p, **DECISION, "death_date": "2024-01-01",
                                     "decision_date": "2025-01-01"}),
])
def test_another_communes_person_cannot_be_chosen(as_registrar, civ, kind, post):
    stranger = rec(civ, "Cao Văn Xa", "male", 10, where="other")
    party = next(iter(PAGES[kind].form.REF_ONLY))
    # Prefilled or picked: not shown as chosen.
    page = as_registrar.get(url(kind), {party: stranger.pk})
    assert "Cao Văn Xa" not in page.content.decode()
    found = as_registrar.post(url(kind), {f"{party}_q": "cao van xa", "find": party})
    assert "Cao Văn Xa" not in found.content.decode()
    answer = as_registrar.post(url(kind), post(str(stranger.pk)))
    bad(answer, f"{party}_id")
    assert not CivilEvent.objects.exists()


def test_another_communes_guardianship_is_not_offered(as_registrar, client, civ):
    ward = rec(civ, "Cao Thị Xa", "female", 9, where="other")
    found = Guardianship.objects.get(event=register_guardianship(
        actor=civ["other_registrar"], guardian={"id": rec(civ, "Cao Văn Bác", "male", 50,
                                                          where="other").pk},
        ward={"id": ward.pk}))
    page = as_registrar.get(url("guardianship-end"))
    assert "Cao Thị Xa" not in page.content.decode()
    bad(as_registrar.post(url("guardianship-end"), {"guardianship_id": str(found.pk),
                                                   "ground": "x"}), "guardianship_id")
    assert CivilEvent.objects.count() == 1


def test_divorce_with_another_communes_spouse(as_registrar, civ):
    man, woman = rec(civ, "Hồ Văn Đây", "male"), rec(civ, "Lý Thị Kia", "female", where="other")
    couple(civ, man, woman)
    bad(as_registrar.post(url("divorce"), {"husband_id": str(man.pk), "wife_id": str(woman.pk),
                                          **DECISION, "decision_date": today().isoformat()}),
        "wife_id")
    assert not CivilEvent.objects.exists()


# --- languages and the search on the page -----------------------------------------------------


@pytest.mark.parametrize("lang,title,label", [
    ("vi", "Xác nhận tình trạng hôn nhân", "Mục đích"),
    ("en", "Certify marital status", "Purpose of the certificate"),
])
def test_pages_in_vietnamese_and_english(as_registrar, lang, title, label):
    as_registrar.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    html = as_registrar.get(url("marital-status")).content.decode()
    assert title in html and label in html
    html = as_registrar.get(reverse("civil:home")).content.decode()
    assert title in html


def test_find_and_choose_a_person_on_the_page(as_registrar, civ):
    person = rec(civ, "Đỗ Thị Tìm", "female", 30)
    found = as_registrar.post(url("marital-status"), {"person_q": "do thi tim", "find": "person",
                                                      "purpose": "Kết hôn"})
    html = found.content.decode()
    assert found.status_code == 200 and f'value="person:{person.pk}"' in html
    assert 'value="Kết hôn"' in html
    chosen = as_registrar.post(url("marital-status"), {"pick": f"person:{person.pk}"})
    assert 'id="chosen-person"' in chosen.content.decode()
    assert not CivilEvent.objects.exists()
