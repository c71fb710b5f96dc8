"""Fees (Luật Hộ tịch 2014, Điều 11): exempt for on-time births and deaths, guardianship and the
marriage of residents (11.1.b), for the grounds of 11.1.a given with the registration; other
matters and copies charged at the rate the province set, in force on the day; no rate → "no
rate" recorded, never a refusal; the fee in the API answer and on the event page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from egov.civil.models import CivilEvent, FeeRate, RecordedFee
from egov.civil.services.events import certify_marital_status, register_guardianship
from egov.civil.services.records import register_birth, register_death, register_marriage
from egov.core.models import OrgUnit, OrgUnitKind

from .test_api import person, post
from .test_events_kit import rec, refused, today
from .test_events_notes import rereg

pytestmark = pytest.mark.django_db
BASIS = "Nghị quyết thử của HĐND tỉnh"


def rate(civ, kind, amount, *, start=dt.date(2025, 7, 1), end=None, province=None):
    return FeeRate.objects.create(province=province or civ["province"], kind=kind,
                                  amount=amount, legal_basis=BASIS, effective_from=start,
                                  effective_to=end)


def child(days_old, name="Trẻ Thử"):
    return {"full_name": name, "sex": "male",
            "birth_date": (today() - dt.timedelta(days=days_old)).isoformat()}


def test_on_time_birth_and_death_guardianship_and_marriage_are_exempt(civ):
    rate(civ, "birth", 5000)
    rate(civ, "death", 5000)
    rate(civ, "marriage", 30000)
    r = civ["registrar"]
    fee = register_birth(actor=r, child=child(60)).fee
    assert (fee.status, fee.ground, fee.amount) == ("exempt", "on_time_birth", 0)
    assert fee.legal_basis.endswith("Điều 11.1.b")
    died = register_death(actor=r, person=person("Cụ Thử", "male", 80),
                          death_date=today() - dt.timedelta(days=15))
    assert died.fee.ground == "on_time_death"
    wed = register_marriage(actor=r, husband=person("Anh Thử", "male", 25),
                            wife=person("Chị Thử", "female", 23))
    assert wed.fee.ground == "domestic_marriage"
    guard = register_guardianship(actor=r, guardian={"id": rec(civ, "Bác", "male", 50).pk},
                                  ward={"id": rec(civ, "Cháu", "female", 8).pk})
    assert guard.fee.status == "exempt" and guard.fee.ground == "guardianship"


def test_late_registration_and_other_matters_are_charged_at_the_provinces_rate(civ):
    rate(civ, "birth", 4000, start=dt.date(2024, 1, 1), end=dt.date(2025, 6, 30))  # expired
    current = rate(civ, "birth", 5000)
    other = OrgUnit.objects.create(kind=OrgUnitKind.PROVINCE_COMMITTEE, name="Tỉnh Khác",
                                   electronic_id="000.00.00.T98")
    rate(civ, "marital_status", 99000, province=other)  # another province's: not applied
    fee = register_birth(actor=civ["registrar"], child=child(61)).fee
    assert (fee.status, fee.amount, fee.rate, fee.legal_basis) == ("charged", 5000, current,
                                                                   BASIS)
    fee = certify_marital_status(actor=civ["registrar"],
                                 person={"id": rec(civ, "Độc Thân", "male").pk}).fee
    assert (fee.status, fee.amount, fee.rate) == ("no_rate", 0, None)
    assert "Điều 11.2" in fee.legal_basis


def test_a_personal_ground_exempts_and_a_bad_one_writes_nothing(civ):
    rate(civ, "birth", 5000)
    fee = register_birth(actor=civ["registrar"], child=child(90),
                         details={"fee_exemption": "poor_household"}).fee
    assert (fee.status, fee.ground) == ("exempt", "poor_household")
    assert fee.legal_basis.endswith("Điều 11.1.a")
    refused("fee_exemption", register_birth, actor=civ["registrar"], child=child(90, "Khác"),
            details={"fee_exemption": "rich"})
    assert RecordedFee.objects.count() == CivilEvent.objects.count() == 1


def test_a_reregistration_is_charged_as_such(civ):
    rate(civ, "reregistration", 10000)
    event = rereg(civ, "birth", {"child": {"full_name": "Người Đăng Ký Lại", "sex": "male",
                                           "birth_date": "1990-01-01"}})
    assert (event.fee.kind, event.fee.status, event.fee.amount) == ("reregistration",
                                                                    "charged", 10000)


def test_the_api_answer_and_the_event_page(client, civ):
    rate(civ, "birth", 5000)
    answer = post(client, civ["registrar"], "births", {"child": child(100)})
    assert answer.status_code == 201, answer.content
    assert answer.json()["fee"] == {"status": "charged", "amount": 5000, "currency": "VND",
                                    "ground": None, "legal_basis": BASIS}
    answer = post(client, civ["registrar"], "births", {"child": child(100, "Bé Hai"),
                                                       "fee_exemption": "disability"})
    assert answer.json()["fee"]["ground"] == "disability"
    bad = post(client, civ["registrar"], "births", {"child": child(100, "Bé Ba"),
                                                    "fee_exemption": "rich"})
    assert bad.status_code == 422 and CivilEvent.objects.count() == 2
    client.force_login(civ["registrar"])
    event = CivilEvent.objects.order_by("id").first()
    page = client.get(reverse("civil:event", args=[event.pk])).content.decode()
    assert 'id="event-fee"' in page and "5.000 đồng" in page and BASIS in page
    # In English the currency is "VND" (a walk found "5.000 đồng" on the English page).
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("civil:event", args=[event.pk])).content.decode()
    assert "5.000 VND" in page and "đồng" not in page


def test_the_birth_form_records_a_ground_of_exemption(client, civ):
    from .test_pages import _birth_post

    rate(civ, "birth", 5000)
    client.force_login(civ["registrar"])
    page = client.get(reverse("civil:birth_new")).content.decode()
    assert 'name="fee_exemption"' in page and "Điều 11.1.a" in page
    bad = client.post(reverse("civil:birth_new"), _birth_post(fee_exemption="rich"))
    assert bad.status_code == 422 and bad.context["form"].errors["fee_exemption"]
    answer = client.post(reverse("civil:birth_new"), _birth_post(fee_exemption="disability"))
    assert answer.status_code == 302
    assert CivilEvent.objects.get().fee.ground == "disability"


def test_the_other_events_take_a_ground_of_exemption_on_their_forms_and_api(client, civ):
    """Điều 11.1.a exempts the person, whatever the matter: the other events' forms and API
    (here a marital-status certificate and a noted decision) take the ground too."""
    rate(civ, "marital_status", 3000)
    rate(civ, "nationality", 3000)
    single = rec(civ, "Đào Thị Một", "female", 30)
    answer = post(client, civ["registrar"], "marital-status",
                  {"person": {"id": single.pk}, "fee_exemption": "poor_household"})
    assert answer.status_code == 201, answer.content
    assert answer.json()["fee"]["status"] == "exempt"
    assert answer.json()["fee"]["ground"] == "poor_household"
    bad = post(client, civ["registrar"], "marital-status",
               {"person": {"id": single.pk}, "fee_exemption": "rich"})
    assert bad.status_code == 422 and CivilEvent.objects.count() == 1
    other = rec(civ, "Đào Văn Hai", "male", 40)
    noted = post(client, civ["registrar"], "notes", {
        "kind": "nationality", "person": {"id": other.pk}, "change_type": "renounced",
        "nationality": "Singapore", "authority": "Chủ tịch nước",
        "decision_number": "12/QĐ-CTN", "decision_date": today().isoformat(),
        "fee_exemption": "disability"})
    assert noted.status_code == 201, noted.content
    assert noted.json()["fee"]["ground"] == "disability"
    client.force_login(civ["registrar"])
    url = reverse("civil:event_new", args=["marital-status"])
    page = client.get(url).content.decode()
    assert 'name="fee_exemption"' in page
    answer = client.post(url, {"person_id": str(single.pk), "purpose": "Để kết hôn",
                               "fee_exemption": "meritorious_family"})
    assert answer.status_code == 302, answer.context and answer.context["form"].errors
    assert CivilEvent.objects.order_by("-id").first().fee.ground == "meritorious_family"
