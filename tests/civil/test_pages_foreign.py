"""The registrar's pages for the events with a foreign element: the marriage, recognition and
guardianship forms take a foreign party's nationality and identity document (errors by the
field, values kept, nothing written), the registrar's flag, and the event page shows "Có yếu tố
nước ngoài" with the parties' nationality and document."""

from __future__ import annotations

import pytest
from django.urls import reverse

from egov.civil.models import CivilEvent, Person

from .conftest import years_ago
from .test_events_kit import rec

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_registrar(client, civ):
    client.force_login(civ["registrar"])
    return client


def marriage_post(**wife) -> dict:
    return {"husband_mode": "new", "husband_full_name": "Nguyễn Văn Hùng",
            "husband_birth_date": years_ago(29).isoformat(), "both_present": "on",
            "wife_mode": "new", "wife_full_name": "Kim Ji Yeon",
            "wife_birth_date": years_ago(26).isoformat(), "wife_nationality": "Hàn Quốc",
            **wife}


def event_page(client, answer) -> str:
    assert answer.status_code == 302, answer.context and answer.context["form"].errors
    event = CivilEvent.objects.order_by("-id").first()
    assert answer["Location"] == reverse("civil:event", args=[event.pk])
    return client.get(answer["Location"]).content.decode()


def test_the_marriage_form_with_a_foreign_wife(as_registrar):
    page = as_registrar.get(reverse("civil:marriage_new")).content.decode()
    assert 'name="wife_identity_document"' in page and 'name="foreign_element"' in page
    answer = as_registrar.post(reverse("civil:marriage_new"), marriage_post())
    assert answer.status_code == 422
    form = answer.context["form"]
    assert "Điều 17.2" in " ".join(form.errors["wife_identity_document"])
    assert 'value="Hàn Quốc"' in answer.content.decode()  # kept
    assert not Person.objects.exists()
    answer = as_registrar.post(reverse("civil:marriage_new"), marriage_post(
        wife_identity_document="Hộ chiếu M12345678", wife_identity_document_country="Hàn Quốc"))
    page = event_page(as_registrar, answer)
    assert "Có yếu tố nước ngoài" in page and 'id="event-foreign"' in page
    assert "Hộ chiếu M12345678 (Hàn Quốc)" in page
    assert CivilEvent.objects.get().foreign_element


def test_an_under_age_foreign_party_on_the_page_cites_article_126(as_registrar):
    answer = as_registrar.post(reverse("civil:marriage_new"), marriage_post(
        wife_birth_date=years_ago(17).isoformat(), wife_identity_document="Hộ chiếu M1"))
    assert answer.status_code == 422
    form = answer.context["form"]
    assert form.errors["wife_birth_date"]
    assert "Điều 126" in " ".join(form.non_field_errors())
    assert not CivilEvent.objects.exists()


def test_the_registrars_flag_on_the_marriage_form(as_registrar):
    page = event_page(as_registrar, as_registrar.post(reverse("civil:marriage_new"), {
        **marriage_post(wife_nationality="", wife_full_name="Trần Thị Kiều"),
        "foreign_element": "on"}))
    assert "Có yếu tố nước ngoài" in page
    plain = event_page(as_registrar, as_registrar.post(reverse("civil:marriage_new"), {
        "husband_mode": "new", "husband_full_name": "Lê Văn Ba",
        "husband_birth_date": years_ago(30).isoformat(), "both_present": "on",
        "wife_mode": "new", "wife_full_name": "Lê Thị Tư",
        "wife_birth_date": years_ago(30).isoformat()}))
    assert 'id="event-foreign"' not in plain


def test_the_recognition_form_with_a_foreign_parent(as_registrar, civ):
    child = rec(civ, "Nguyễn Minh An", "male", 4)
    url = reverse("civil:event_new", args=["recognition"])
    data = {"child_id": str(child.pk), "role": "father", "parent_mode": "new",
            "parent_full_name": "John Smith", "parent_birth_date": "1985-03-02",
            "parent_nationality": "Hoa Kỳ"}
    answer = as_registrar.post(url, data)
    assert answer.status_code == 422
    assert answer.context["form"].errors["parent_identity_document"]
    page = event_page(as_registrar, as_registrar.post(url, {
        **data, "parent_identity_document": "Passport 5551234"}))
    assert "Có yếu tố nước ngoài" in page and "Passport 5551234 (Hoa Kỳ)" in page


def test_the_guardianship_form_with_a_foreign_guardian(as_registrar, civ):
    ward = rec(civ, "Lê Thị Nhỏ", "female", 9)
    url = reverse("civil:event_new", args=["guardianship"])
    data = {"ward_id": str(ward.pk), "guardian_mode": "new", "guardian_full_name": "Tanaka Hiroshi",
            "guardian_sex": "male", "guardian_birth_date": "1975-07-07",
            "guardian_nationality": "Nhật Bản", "mode": "appointed", "guardian_capable": "on"}
    answer = as_registrar.post(url, data)
    assert answer.status_code == 422
    assert answer.context["form"].errors["guardian_identity_document"]
    assert not CivilEvent.objects.exists()
    page = event_page(as_registrar, as_registrar.post(url, {
        **data, "guardian_identity_document": "Hộ chiếu TK0001"}))
    assert "Có yếu tố nước ngoài" in page and "Nhật Bản" in page


def test_the_error_summary_names_each_fields_party(as_registrar):
    """A walk found the marriage form's summary listing "Họ và tên: Trường này là bắt buộc." twice
    (the husband's and the wife's): each line now names its party and links to its field."""
    answer = as_registrar.post(reverse("civil:marriage_new"),
                               marriage_post(husband_full_name="", wife_full_name=""))
    assert answer.status_code == 422
    html = answer.content.decode()
    summary = html[html.index('id="form-errors"'):html.index("</ul>", html.index('id="form-errors"'))]
    assert 'href="#id_husband_full_name">Chồng — Họ và tên: ' in summary
    assert 'href="#id_wife_full_name">Vợ — Họ và tên: ' in summary
    assert not Person.objects.exists()
