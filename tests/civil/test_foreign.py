"""Events with a foreign element (có yếu tố nước ngoài; issue 13: "marriage, with a foreign party
too"): the catalogue's foreign rows of both periods and their limits (calendar days under the
2014 law, working days under NĐ 120/2025), the variant picked by the services, a foreign party's
nationality and identity document (422 by the field), the marriage conditions that still apply
(Luật Hôn nhân và gia đình 2014, Điều 126), the API, the same book, the statistics and the
marriage certificate."""

from __future__ import annotations

import datetime as dt
import json
import subprocess

import pytest
from django.utils import timezone

from egov.civil import certificate_pdf
from egov.civil.catalog import kind_rule, kind_rules_in_force
from egov.civil.models import CivilEvent, KindRule, Person
from egov.civil.rules_dates import registering_as_of
from egov.civil.selectors import stats as sel
from egov.civil.services import foreign
from egov.civil.services.events import recognize, register_guardianship
from egov.civil.services.records import register_marriage
from egov.core import tokens
from egov.core.calendar import LOCAL_TZ
from egov.core.models import User

from .conftest import years_ago
from .test_events_kit import rec, refused

pytestmark = pytest.mark.django_db

OLD_LAW = dt.date(2020, 5, 5)        # Luật Hộ tịch 2014 + NĐ 123/2015
NEW_RULES = dt.date(2026, 1, 15)     # + NĐ 120/2025 (1/7/2025 – 28/2/2027)


def korean_wife(**extra) -> dict:
    return {"full_name": "Kim Ji Yeon", "sex": "female",
            "birth_date": years_ago(26).isoformat(), "nationality": "Hàn Quốc",
            "identity_document": "Hộ chiếu M12345678", "residence": "Seoul, Hàn Quốc", **extra}


def husband(**extra) -> dict:
    return {"full_name": "Nguyễn Văn Hùng", "sex": "male", "birth_date": years_ago(29).isoformat(),
            "personal_id": "036098007777", **extra}


# --- the catalogue ------------------------------------------------------------------------------


def test_the_foreign_rows_of_both_periods():
    old = {k: kind_rule(k, OLD_LAW, foreign=True) for k in ("marriage", "recognition",
                                                             "guardianship")}
    # Luật Hộ tịch 2014, Điều 38, 44: 15 "ngày" (calendar days, kept as such); Điều 40: 05
    # working days.
    assert (old["marriage"].limit_working_days, old["marriage"].limit_unit) == (15, "days")
    assert (old["recognition"].limit_working_days, old["recognition"].limit_unit) == (15, "days")
    assert (old["guardianship"].limit_working_days, old["guardianship"].limit_unit) \
        == (5, "working_days")
    assert "Điều 37, 38" in old["marriage"].legal_basis
    assert "07 ngày" in old["recognition"].legal_basis
    assert "Điều 39, 40" in old["guardianship"].legal_basis
    new = {k: kind_rule(k, NEW_RULES, foreign=True) for k in old}
    assert (new["marriage"].limit_working_days, new["marriage"].verification_days,
            new["marriage"].limit_unit) == (5, 5, "working_days")  # up to 10 with verification
    assert "mục I.1.b" in new["marriage"].legal_basis
    assert new["recognition"].limit_working_days == 10
    assert "mục I.1.c" in new["recognition"].legal_basis
    assert new["guardianship"].limit_working_days == 5
    for rule in new.values():
        assert rule.variant == "foreign" and rule.effective_from == dt.date(2025, 7, 1)
        assert rule.effective_to == dt.date(2027, 2, 28) and "NĐ 120/2025" in rule.legal_basis
        # Luật Hộ tịch 2014, Điều 58: one book per kind — the ordinary row's book.
        assert rule.book_name == kind_rule(rule.kind, NEW_RULES).book_name
    for rule in old.values():
        assert rule.effective_to == dt.date(2025, 6, 30) and "NĐ 120" not in rule.legal_basis


def test_the_variant_is_picked_and_the_ordinary_rows_stay_the_default():
    assert kind_rule("marriage", NEW_RULES).variant == ""
    assert kind_rule("marriage", NEW_RULES).limit_working_days == 0
    assert kind_rule("guardianship", NEW_RULES).limit_working_days == 3
    assert {r.kind for r in kind_rules_in_force(NEW_RULES, foreign=True)} \
        == {"marriage", "recognition", "guardianship"}
    assert all(r.variant == "" for r in kind_rules_in_force(NEW_RULES))
    refused("no_rule_in_force", kind_rule, kind="birth", on=NEW_RULES, foreign=True)
    refused("no_rule_in_force", kind_rule, kind="marriage", on=dt.date(2027, 3, 1), foreign=True)
    # (kind, variant, effective_from) is unique: a second foreign row of a day is refused.
    from django.db import IntegrityError, transaction
    with pytest.raises(IntegrityError), transaction.atomic():
        KindRule.objects.create(kind="marriage", variant="foreign", book_name="x",
                                legal_basis="x", effective_from=dt.date(2025, 7, 1))


def test_the_limits_in_days_and_in_working_days():
    tuesday = dt.datetime(2020, 5, 5, 10, 0, tzinfo=LOCAL_TZ)
    marriage_2014 = kind_rule("marriage", OLD_LAW, foreign=True)
    # 15 calendar days, the first not counted (BLDS 2015, Điều 147): Wednesday 20/5/2020.
    assert marriage_2014.due_at(tuesday).date() == dt.date(2020, 5, 20)
    # A last day that is a Sunday moves to the Monday (BLDS 2015, Điều 148.5).
    saturday = dt.datetime(2020, 5, 2, 9, 0, tzinfo=LOCAL_TZ)
    assert marriage_2014.due_at(saturday).date() == dt.date(2020, 5, 18)
    monday = dt.datetime(2026, 6, 8, 10, 0, tzinfo=LOCAL_TZ)
    marriage_now = kind_rule("marriage", dt.date(2026, 6, 8), foreign=True)
    assert marriage_now.due_at(monday).date() == dt.date(2026, 6, 15)
    assert marriage_now.due_at(monday, verification=True).date() == dt.date(2026, 6, 22)
    ordinary = kind_rule("marriage", dt.date(2026, 6, 8))
    assert ordinary.due_at(monday).date() == dt.date(2026, 6, 8)


def test_nationalities():
    assert foreign.is_vietnamese("") and foreign.is_vietnamese("Việt Nam")
    assert foreign.is_vietnamese("viet nam") and foreign.is_vietnamese("Việt Nam, Pháp")
    assert not foreign.is_vietnamese("Hàn Quốc") and not foreign.is_vietnamese("Pháp")


# --- the services -------------------------------------------------------------------------------


def test_a_marriage_with_a_foreign_party_in_the_same_book(civ):
    reg = civ["registrar"]
    ordinary = register_marriage(actor=reg, husband=husband(personal_id="036098001111"),
                                 wife={"full_name": "Lê Thị Mai", "sex": "female",
                                       "birth_date": years_ago(24).isoformat()})
    assert ordinary.foreign_element is False
    event = register_marriage(actor=reg, husband=husband(), wife=korean_wife())
    assert event.foreign_element is True
    assert event.book_id == ordinary.book_id and event.entry_number == 2
    wife = event.parties.get(role="wife").person
    assert (wife.nationality, wife.identity_document, wife.identity_document_country) \
        == ("Hàn Quốc", "Hộ chiếu M12345678", "Hàn Quốc")
    assert wife.personal_id is None and wife.spouse_id == event.parties.get(
        role="husband").person_id


def test_the_registrars_flag_alone_makes_it_foreign(civ):
    # A Vietnamese citizen settled abroad: no foreign nationality, the registrar's flag.
    event = register_marriage(actor=civ["registrar"], husband=husband(),
                              wife={"full_name": "Trần Thị Kiều", "sex": "female",
                                    "birth_date": years_ago(30).isoformat(),
                                    "residence": "Paris, Pháp"}, foreign_element=True)
    assert event.foreign_element is True


def test_a_foreign_party_without_an_identity_document_is_refused_by_the_field(civ):
    err = refused("identity_document_required", register_marriage, actor=civ["registrar"],
                  husband=husband(), wife=korean_wife(identity_document=""))
    assert set(err.fields) == {"wife.identity_document"} and "Điều 17.2" in err.message
    assert not Person.objects.exists()
    # A party declared foreign gives a nationality other than Việt Nam.
    err = refused("identity_document_required", register_marriage, actor=civ["registrar"],
                  husband=husband(foreign=True), wife=korean_wife())
    assert set(err.fields) == {"husband.nationality", "husband.identity_document"}
    err = refused("foreign_nationality_required", register_marriage, actor=civ["registrar"],
                  husband=husband(foreign=True, identity_document="Hộ chiếu B1"),
                  wife=korean_wife())
    assert set(err.fields) == {"husband.nationality"}
    # A record of the registry of another nationality, with no document on it.
    known = rec(civ, "Park Min Ho", "male", 31, nationality="Hàn Quốc")
    err = refused("identity_document_required", register_marriage, actor=civ["registrar"],
                  husband={"id": known.pk}, wife={"full_name": "Đỗ Thị Hoa", "sex": "female",
                                                  "birth_date": years_ago(25).isoformat()})
    assert set(err.fields) == {"husband.identity_document"}


@pytest.mark.parametrize("change, code, article", [
    ({"wife": {"birth_date": years_ago(17).isoformat()}}, "under_age", "Điều 8"),
    ({"both_present": False}, "parties_absent", "Điều 18.2"),
    ({"wife": {"sex": "male"}}, "same_sex", "Điều 8.2"),
])
def test_the_marriage_conditions_apply_to_the_foreign_party(civ, change, code, article):
    """Luật Hôn nhân và gia đình 2014, Điều 126.1: registered in Việt Nam, the foreign party also
    meets the conditions of Vietnamese law — the same checks, Điều 126 cited."""
    err = refused(code, register_marriage, actor=civ["registrar"], husband=husband(),
                  wife=korean_wife(**change.get("wife", {})),
                  both_present=change.get("both_present", True))
    assert article in err.message and "Điều 126" in err.message
    assert not Person.objects.exists()


def test_a_foreign_party_already_married_in_the_registry(civ):
    known = rec(civ, "Lee Soo Jin", "female", 30, nationality="Hàn Quốc",
                identity_document="Hộ chiếu M7", identity_document_country="Hàn Quốc")
    other = rec(civ, "Phạm Văn Cũ", "male", 33)
    Person.objects.filter(pk=known.pk).update(spouse=other)
    err = refused("already_married", register_marriage, actor=civ["registrar"],
                  husband=husband(), wife={"id": known.pk})
    assert "Điều 5.2.c" in err.message and "Điều 126" in err.message
    # The same refusal of an ordinary marriage does not cite Điều 126.
    Person.objects.filter(pk=known.pk).update(nationality="Việt Nam")
    err = refused("already_married", register_marriage, actor=civ["registrar"],
                  husband=husband(), wife={"id": known.pk})
    assert "Điều 126" not in err.message


def test_a_recognition_with_a_foreign_parent(civ):
    child = rec(civ, "Nguyễn Minh An", "male", 4)
    event = recognize(actor=civ["registrar"], child={"id": child.pk}, role="father",
                      parent={"full_name": "John Smith", "birth_date": "1985-03-02",
                              "nationality": "Hoa Kỳ", "identity_document": "Passport 5551234",
                              "identity_document_country": "Hoa Kỳ"})
    assert event.foreign_element and event.kind == "recognition"
    child.refresh_from_db()
    assert child.father.identity_document == "Passport 5551234"
    err = refused("identity_document_required", recognize, actor=civ["registrar"],
                  child={"id": rec(civ, "Nguyễn Minh Bình", "female", 5).pk}, role="father",
                  parent={"full_name": "Jean Dupont", "birth_date": "1980-01-01",
                          "nationality": "Pháp"})
    assert set(err.fields) == {"parent.identity_document"}


def test_a_guardianship_with_a_foreign_guardian(civ):
    ward = rec(civ, "Lê Thị Nhỏ", "female", 9)
    event = register_guardianship(
        actor=civ["registrar"], ward={"id": ward.pk},
        guardian={"full_name": "Tanaka Hiroshi", "sex": "male", "birth_date": "1975-07-07",
                  "nationality": "Nhật Bản", "identity_document": "Hộ chiếu TK0001"})
    assert event.foreign_element and event.guardianship.guardian.nationality == "Nhật Bản"
    ordinary = register_guardianship(actor=civ["registrar"],
                                     ward={"id": rec(civ, "Lê Văn Bé", "male", 7).pk},
                                     guardian={"full_name": "Lê Văn Chú", "sex": "male",
                                               "birth_date": "1979-01-01"})
    assert not ordinary.foreign_element and ordinary.book_id == event.book_id
    refused("guardian_minor", register_guardianship, actor=civ["registrar"],
            ward={"id": rec(civ, "Lê Thị Út", "female", 6).pk},
            guardian={"full_name": "Kim Young", "sex": "male",
                      "birth_date": years_ago(17).isoformat(), "nationality": "Hàn Quốc",
                      "identity_document": "Hộ chiếu M9"})


def test_a_past_registration_reads_the_2014_foreign_row(civ):
    with registering_as_of(dt.date(2025, 3, 10)):  # a book of that year, written then
        event = register_marriage(actor=civ["registrar"], husband=husband(),
                                  wife=korean_wife(), registered_on=dt.date(2025, 3, 10))
    assert event.foreign_element and event.book.year == 2025
    assert event.book.name == kind_rule("marriage", dt.date(2025, 3, 10), foreign=True).book_name


# --- the API ------------------------------------------------------------------------------------


def post(client, user, path, body):
    _t, raw = tokens.token_create(actor=user, name="t")
    return client.post(f"/api/v1/civil/{path}", json.dumps(body, default=str),
                       content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_the_api_registers_the_foreign_variants(client, civ):
    reg = civ["registrar"]
    r = post(client, reg, "marriages", {"husband": husband(), "wife": korean_wife()})
    assert r.status_code == 201, r.content
    assert r.json()["foreign_element"] is True and r.json()["kind"] == "marriage"
    r = post(client, reg, "marriages", {
        "husband": husband(personal_id="036098002222", full_name="Vũ Văn Nam"),
        "wife": {"full_name": "Vũ Thị Lan", "sex": "female",
                 "birth_date": years_ago(23).isoformat()}, "foreign_element": True})
    assert r.status_code == 201 and r.json()["foreign_element"] is True
    r = post(client, reg, "births", {"child": {"full_name": "Bé Mới", "sex": "male",
                                               "birth_date": timezone.localdate().isoformat()}})
    assert r.status_code == 201 and r.json()["foreign_element"] is False

    child = rec(civ, "Đào Văn Nhỏ", "male", 3)
    r = post(client, reg, "recognitions", {
        "child": {"id": child.pk}, "role": "father",
        "parent": {"full_name": "Tom Brown", "birth_date": "1988-02-02", "nationality": "Anh",
                   "identity_document": "Passport 123", "foreign": True}})
    assert r.status_code == 201, r.content
    assert r.json()["foreign_element"] is True and r.json()["details"]["role"] == "father"
    ward = rec(civ, "Đào Thị Nhỏ", "female", 5)
    r = post(client, reg, "guardianships", {
        "ward": {"id": ward.pk}, "foreign_element": True,
        "guardian": {"full_name": "Đào Văn Kiều", "sex": "male", "birth_date": "1970-01-01",
                     "residence": "Sydney, Úc"}})
    assert r.status_code == 201 and r.json()["foreign_element"] is True


def test_the_api_refusals_by_the_field(client, civ):
    reg = civ["registrar"]
    r = post(client, reg, "marriages", {"husband": husband(),
                                        "wife": korean_wife(identity_document=None)})
    assert r.status_code == 422
    assert r.json()["code"] == "identity_document_required"
    assert list(r.json()["fields"]) == ["wife.identity_document"]
    r = post(client, reg, "marriages", {
        "husband": husband(), "wife": korean_wife(birth_date=years_ago(17).isoformat())})
    assert r.status_code == 422 and r.json()["code"] == "under_age"
    assert "Điều 126" in r.json()["message"]
    r = post(client, reg, "marriages", {"husband": husband(),
                                        "wife": korean_wife(identity_document="x" * 101)})
    assert r.status_code == 422
    assert not CivilEvent.objects.exists() and not Person.objects.exists()


def test_the_api_lists_the_foreign_rules(client, civ):
    _t, raw = tokens.token_create(actor=civ["registrar"], name="t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    rows = client.get("/api/v1/civil/kind-rules", {"on": "2026-01-15", "foreign": "true"},
                      **auth).json()
    by_kind = {row["kind"]: row for row in rows}
    assert set(by_kind) == {"marriage", "recognition", "guardianship"}
    assert (by_kind["marriage"]["variant"], by_kind["marriage"]["limit_working_days"],
            by_kind["marriage"]["verification_days"]) == ("foreign", 5, 5)
    old = client.get("/api/v1/civil/kind-rules", {"on": "2020-05-05", "foreign": "true"},
                     **auth).json()
    assert {(r["kind"], r["limit_working_days"], r["limit_unit"]) for r in old} == {
        ("marriage", 15, "days"), ("recognition", 15, "days"),
        ("guardianship", 5, "working_days")}
    ordinary = client.get("/api/v1/civil/kind-rules", {"on": "2026-01-15"}, **auth).json()
    assert {r["variant"] for r in ordinary} == {""}


# --- statistics and the certificate -----------------------------------------------------------


def test_the_statistics_count_the_foreign_events(civ):
    year = timezone.localdate().year - 1
    day = dt.date(year, 6, 15)
    with registering_as_of(day):  # last year's books, written then
        register_marriage(actor=civ["registrar"], husband=husband(), wife=korean_wife(),
                          registered_on=day)
        register_marriage(actor=civ["registrar"], registered_on=day,
                          husband=husband(personal_id="036098003333", full_name="Hà Văn Ba"),
                          wife={"full_name": "Hà Thị Tư", "sex": "female",
                                "birth_date": years_ago(24).isoformat()})
    report = sel.civil_stats(actor=User.objects.get(pk=civ["supervisor"].pk),
                             flt=sel.parse_filter({"year": year}))
    assert report.total.as_dict()["events"] == 2
    assert report.rows[0].by_kind["marriage"].as_dict()["events"] == 2


def test_the_marriage_certificate_shows_the_foreign_partys_nationality_and_document(civ,
                                                                                   tmp_path):
    event = register_marriage(actor=civ["registrar"], husband=husband(), wife=korean_wife())
    pdf = certificate_pdf.render(event=event, type="marriage_certificate", code="ABCD2345EFGH",
                                 issued_on=timezone.localdate(), issued_by_name="Lê Thị Hộ Tịch")
    path = tmp_path / "cert.pdf"
    path.write_bytes(pdf)
    raw = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                         text=True, check=True).stdout
    assert "\f" not in raw.rstrip("\f")  # still one A4 page
    text = " ".join(raw.split())
    for expected in ("Họ, chữ đệm, tên: KIM JI YEON", "Quốc tịch: Hàn Quốc",
                     "Giấy tờ tùy thân: Hộ chiếu M12345678 (Hàn Quốc)",
                     "Số định danh cá nhân: 036098007777"):
        assert expected in text, expected
    # The wife has no personal ID: her line is the identity document's.
    assert text.count("Số định danh cá nhân") == 1


def test_the_catalogue_put_back_after_a_flush_has_the_foreign_rows():
    from egov.core.seeds import reseed_after_flush

    KindRule.objects.all().delete()
    assert "civil.kind_rules" in reseed_after_flush()
    assert KindRule.objects.filter(variant="foreign").count() == 6
    assert kind_rule("recognition", NEW_RULES, foreign=True).limit_working_days == 10
    assert kind_rule("recognition", NEW_RULES).limit_working_days == 3
