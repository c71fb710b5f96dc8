"""The registrar's pages (issue 13): the registration forms (errors by the field, values kept,
nothing written on an error, the law's refusals with their article, existing parties found and
chosen, the likely duplicates shown before saving), the event and person pages (the person's
page an audited read), commune isolation and the person search."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from egov.civil.models import CivilEvent, Person
from egov.civil.services import duplicates
from egov.civil.services.records import register_birth, register_marriage
from egov.core.models import AuditEvent

from .conftest import years_ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_registrar(client, civ):
    client.force_login(civ["registrar"])
    return client


def _birth_post(**extra):
    born = (timezone.localdate() - dt.timedelta(days=5)).isoformat()
    data = {"child_full_name": "Nguyễn Văn Bình", "child_sex": "male", "child_birth_date": born,
            "mother_mode": "new", "mother_full_name": "Trần Thị Hoa",
            "mother_birth_date": years_ago(28).isoformat(), "father_mode": "none"}
    data.update(extra)
    return data


def test_home_and_menu(as_registrar):
    page = as_registrar.get(reverse("civil:home"))
    assert page.status_code == 200
    html = page.content.decode()
    assert reverse("civil:birth_new") in html and reverse("civil:books") in html
    assert f'href="{reverse("civil:home")}"' in html  # the menu entry "Hộ tịch"


def test_menu_hidden_without_civil_read(client, civ, make_user, org):
    client.force_login(make_user("vanthuxa", org["commune"], "clerk"))
    assert f'href="{reverse("civil:home")}"' not in client.get("/").content.decode()
    assert client.get(reverse("civil:home")).status_code == 403
    assert client.get(reverse("civil:birth_new")).status_code == 403


def test_birth_form_success_redirects_to_the_event_page(as_registrar, civ):
    answer = as_registrar.post(reverse("civil:birth_new"), _birth_post())
    event = CivilEvent.objects.get()
    assert answer.status_code == 302 and answer["Location"] == reverse("civil:event",
                                                                       args=[event.pk])
    child = event.parties.get(role="child").person
    assert child.full_name == "Nguyễn Văn Bình" and child.mother.full_name == "Trần Thị Hoa"
    assert child.father is None
    page = as_registrar.get(answer["Location"]).content.decode()
    assert "Số: <strong>1</strong>, Quyển số: <strong>01</strong>" in page
    assert "Nguyễn Văn Bình" in page


def test_birth_form_errors_by_the_field_values_kept_nothing_written(as_registrar):
    answer = as_registrar.post(reverse("civil:birth_new"), _birth_post(
        child_full_name="", mother_personal_id="12345", child_birth_date="2020-02-30"))
    assert answer.status_code == 422
    form = answer.context["form"]
    assert "child_full_name" in form.errors and "child_birth_date" in form.errors
    html = answer.content.decode()
    assert 'value="Trần Thị Hoa"' in html  # kept
    assert not Person.objects.exists() and not CivilEvent.objects.exists()
    # The service's own message lands by its field (personal ID: exactly 12 digits).
    answer = as_registrar.post(reverse("civil:birth_new"), _birth_post(mother_personal_id="12"))
    assert answer.status_code == 422
    assert answer.context["form"].errors["mother_personal_id"]
    assert not Person.objects.exists()


def test_law_refusal_shows_the_article(as_registrar):
    answer = as_registrar.post(reverse("civil:marriage_new"), {
        "husband_mode": "new", "husband_full_name": "Lê Văn Trẻ",
        "husband_birth_date": years_ago(19).isoformat(),
        "wife_mode": "new", "wife_full_name": "Phạm Thị Lan",
        "wife_birth_date": years_ago(22).isoformat(), "both_present": "on"})
    assert answer.status_code == 422
    form = answer.context["form"]
    assert form.errors["husband_birth_date"]
    assert "Điều 8" in " ".join(form.non_field_errors())
    assert not Person.objects.exists()


def test_existing_party_found_and_chosen(as_registrar, civ):
    mum = register_birth(actor=civ["registrar"], child={
        "full_name": "Đỗ Thị Mẹ", "sex": "female",
        "birth_date": years_ago(27).isoformat()}).parties.get(role="child").person
    url = reverse("civil:birth_new")
    found = as_registrar.post(url, _birth_post(mother_mode="existing", mother_q="do thi me",
                                               find="mother"))
    assert found.status_code == 200 and not found.context["form"].is_bound
    assert f'value="mother:{mum.pk}"' in found.content.decode()
    chosen = as_registrar.post(url, _birth_post(mother_mode="new", pick=f"mother:{mum.pk}"))
    assert 'id="chosen-mother"' in chosen.content.decode()
    done = as_registrar.post(url, _birth_post(mother_mode="existing", mother_id=str(mum.pk)))
    assert done.status_code == 302
    child = Person.objects.get(full_name="Nguyễn Văn Bình")
    assert child.mother == mum and Person.objects.filter(full_name="Trần Thị Hoa").count() == 0


def test_existing_party_without_a_choice_is_an_error_by_the_field(as_registrar):
    answer = as_registrar.post(reverse("civil:birth_new"), _birth_post(mother_mode="existing"))
    assert answer.status_code == 422 and answer.context["form"].errors["mother_id"]
    assert not Person.objects.exists()


class _Dup:
    def __init__(self, person):
        self.person, self.score, self.reasons = person, 0.97, ["same name and birth date"]


def test_likely_duplicates_shown_until_confirmed(as_registrar, civ, monkeypatch):
    twin = register_birth(actor=civ["registrar"], child={
        "full_name": "Nguyễn Văn Bình", "sex": "male",
        "birth_date": timezone.localdate().isoformat()}).parties.get(role="child").person
    seen = []

    def fake(*, actor, spec, mother=None, limit=5):
        seen.append((actor, spec, mother))
        return [_Dup(twin)]

    monkeypatch.setattr(duplicates, "likely_duplicates", fake)
    url = reverse("civil:birth_new")
    answer = as_registrar.post(url, _birth_post())
    assert answer.status_code == 200 and 'id="duplicates"' in answer.content.decode()
    assert seen[0][1]["full_name"] == "Nguyễn Văn Bình" and seen[0][0] == civ["registrar"]
    assert CivilEvent.objects.count() == 1  # not saved
    answer = as_registrar.post(url, _birth_post(not_duplicate="on"))
    assert answer.status_code == 302 and CivilEvent.objects.count() == 2


def test_death_form(as_registrar, civ):
    person = register_birth(actor=civ["registrar"], child={
        "full_name": "Vũ Văn Cụ", "sex": "male",
        "birth_date": years_ago(80).isoformat()}).parties.get(role="child").person
    today = timezone.localdate().isoformat()
    answer = as_registrar.post(reverse("civil:death_new"), {
        "person_mode": "existing", "person_id": str(person.pk), "death_date": today,
        "place": "Tại nhà"})
    assert answer.status_code == 302
    person.refresh_from_db()
    assert person.death_date == timezone.localdate()
    # Again: the record is locked (Luật Hộ tịch Điều 34.2, 60) — the refusal cites it.
    answer = as_registrar.post(reverse("civil:death_new"), {
        "person_mode": "existing", "person_id": str(person.pk), "death_date": today})
    assert answer.status_code == 422
    assert "Điều 34.2" in " ".join(answer.context["form"].non_field_errors())


def test_person_page_is_an_audited_read(as_registrar, civ):
    event = register_marriage(actor=civ["registrar"], husband={
        "full_name": "Hồ Văn Chồng", "sex": "male", "birth_date": years_ago(30).isoformat()},
        wife={"full_name": "Lý Thị Vợ", "sex": "female", "birth_date": years_ago(25).isoformat()})
    man = event.parties.get(role="husband").person
    before = AuditEvent.objects.filter(action="civil.person.read").count()
    page = as_registrar.get(reverse("civil:person", args=[man.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Lý Thị Vợ" in html and reverse("civil:event", args=[event.pk]) in html
    reads = AuditEvent.objects.filter(action="civil.person.read").order_by("-seq")
    assert reads.count() == before + 1
    last = reads.first()
    assert last.details == {"purpose": "view", "ids": [man.pk]}
    assert last.object_id == str(man.pk) and "Hồ" not in str(last.details)


def test_other_commune_sees_nothing(client, civ):
    event = register_birth(actor=civ["registrar"], child={
        "full_name": "Cao Văn Xa", "sex": "male", "birth_date": timezone.localdate().isoformat()})
    child = event.parties.get(role="child").person
    client.force_login(civ["other_registrar"])
    assert client.get(reverse("civil:person", args=[child.pk])).status_code == 404
    assert client.get(reverse("civil:event", args=[event.pk])).status_code == 404
    assert client.get(reverse("civil:book", args=[event.book_id])).status_code == 404
    page = client.get(reverse("civil:person_search"), {"q": "cao van xa"})
    assert page.status_code == 200 and "Cao Văn Xa" not in page.content.decode()
    # A supervisor of the province reads every commune.
    client.force_login(civ["supervisor"])
    assert client.get(reverse("civil:person", args=[child.pk])).status_code == 200


def test_search_by_folded_name_and_id(as_registrar, civ):
    register_birth(actor=civ["registrar"], child={
        "full_name": "Đặng Thị Ánh", "sex": "female", "personal_id": "001305000123",
        "birth_date": timezone.localdate().isoformat()})
    url = reverse("civil:person_search")
    for q in ("dang thi anh", "Đặng Thị", "001305000123"):
        page = as_registrar.get(url, {"q": q})
        assert page.status_code == 200 and "Đặng Thị Ánh" in page.content.decode(), q
    page = as_registrar.get(url, {"q": "không có ai"})
    assert 'id="person-none"' in page.content.decode()
    assert as_registrar.get(url, {"q": "x" * 201}).status_code == 422
