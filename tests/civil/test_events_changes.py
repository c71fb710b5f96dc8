"""Change, correction and supplement of civil-status data (Luật Hộ tịch 2014, Điều 26–29): one
field of the record, its old and new values and the ground in the event, the consents a minor's
name change needs, the personal ID's history, and each refusal."""

from __future__ import annotations

import datetime as dt

import pytest

from egov.civil.models import PersonalIdChange
from egov.civil.services.events import register_change

from .test_events_kit import rec, refused, today

pytestmark = pytest.mark.django_db


def change(civ, who, change_type, field, new_value, ground="Theo yêu cầu", **kw):
    return register_change(actor=civ["registrar"], person={"id": who.pk},
                           change_type=change_type, field=field, new_value=new_value,
                           ground=ground, **kw)


def test_change_of_name_keeps_old_and_new(civ):
    who = rec(civ, "Phạm Văn Tèo", "male", 30)
    event = change(civ, who, "change", "full_name", "Phạm  Văn Thành", "Tên gây nhầm lẫn")
    who.refresh_from_db()
    assert who.full_name == "Phạm Văn Thành" and who.name_folded == "pham van thanh"
    assert event.kind == "change" and event.details == {
        "type": "change", "field": "full_name", "old": "Phạm Văn Tèo", "new": "Phạm Văn Thành",
        "ground": "Tên gây nhầm lẫn"}
    assert event.parties.get().role == "person"


def test_a_minors_name_change_needs_the_consents(civ):
    child = rec(civ, "Lê Văn Tí", "male", 10)
    refused("parents_consent_required", change, civ=civ, who=child, change_type="change",
            field="full_name", new_value="Lê Văn Tài")
    err = refused("person_consent_required", change, civ=civ, who=child, change_type="change",
                  field="full_name", new_value="Lê Văn Tài", parents_consent=True)
    assert "Điều 28.2" in err.message
    change(civ, child, "change", "full_name", "Lê Văn Tài", parents_consent=True,
           person_consent=True)
    # Under 9: the parents' consent is enough.
    small = rec(civ, "Lê Thị Bé", "female", 8)
    change(civ, small, "change", "full_name", "Lê Thị Bích", parents_consent=True)
    # Ethnicity: the person's own consent from 15.
    teen = rec(civ, "Hà Văn Mười Bốn", "male", 14, ethnicity="Kinh")
    change(civ, teen, "change", "ethnicity", "Tày", parents_consent=True)
    teen15 = rec(civ, "Hà Văn Mười Lăm", "male", 15, ethnicity="Kinh")
    refused("person_consent_required", change, civ=civ, who=teen15, change_type="change",
            field="ethnicity", new_value="Tày", parents_consent=True)


def test_correction_of_the_birth_date_and_supplement(civ):
    who = rec(civ, "Võ Thị Sai", "female", 40, birth_place="")
    event = change(civ, who, "correction", "birth_date", "1986-05-04", "Ghi sai khi đăng ký")
    who.refresh_from_db()
    assert who.birth_date == dt.date(1986, 5, 4) and event.details["new"] == "1986-05-04"
    refused("not_recorded", change, civ=civ, who=who, change_type="correction",
            field="birth_place", new_value="Hà Nội")
    change(civ, who, "supplement", "birth_place", "Trạm y tế xã An Bình")
    refused("not_missing", change, civ=civ, who=who, change_type="supplement",
            field="birth_place", new_value="Khác")
    refused("no_change", change, civ=civ, who=who, change_type="correction",
            field="birth_place", new_value="Trạm y tế xã An Bình")


def test_the_personal_id_keeps_its_history(civ):
    who = rec(civ, "Đoàn Văn Số", "male", 30, personal_id="001096001234")
    event = change(civ, who, "correction", "personal_id", "001094001234",
                   "Năm sinh được cải chính (NĐ 70/2024, Điều 11.7.a)")
    who.refresh_from_db()
    assert who.personal_id == "001094001234"
    row = PersonalIdChange.objects.get(person=who)
    assert (row.old_id, row.new_id, row.event, row.changed_on) == (
        "001096001234", "001094001234", event, today())
    nobody = rec(civ, "Chưa Có Số", "female", 2)
    change(civ, nobody, "supplement", "personal_id", "001324001111")
    assert PersonalIdChange.objects.get(person=nobody).old_id == ""
    # Another record's ID, or not 12 digits: refused by the field.
    for value in ("001094001234", "12345", "00109400123x"):
        err = refused("invalid", change, civ=civ, who=rec(civ, "Ai Đó", "male"),
                      change_type="correction", field="personal_id", new_value=value)
        assert "new_value" in err.fields


def test_change_refusals(civ):
    who = rec(civ, "Người Thay Đổi", "male", 30)
    for kw in ({"change_type": "rename", "field": "full_name"},
               {"change_type": "change", "field": "sex"},
               {"change_type": "change", "field": "birth_date"},
               {"change_type": "supplement", "field": "full_name"}):
        err = refused("invalid", change, civ=civ, who=who, new_value="X", **kw)
        assert set(err.fields) & {"change_type", "field"}
    err = refused("invalid", change, civ=civ, who=who, change_type="change", field="full_name",
                  new_value="Tên Mới", ground="")
    assert "ground" in err.fields
    refused("invalid", change, civ=civ, who=who, change_type="correction", field="birth_date",
            new_value=(today() + dt.timedelta(days=1)).isoformat())
    refused("invalid", change, civ=civ, who=who, change_type="correction", field="birth_date",
            new_value="04/05/1986")
    dead = rec(civ, "Người Đã Khuất", "male", 70, death_date=today())
    refused("person_deceased", change, civ=civ, who=dead, change_type="change",
            field="full_name", new_value="Tên Khác")
    stranger = rec(civ, "Người Xã Bên", "male", 30, where="other")
    refused("invalid", change, civ=civ, who=stranger, change_type="change", field="full_name",
            new_value="Tên Khác")
    stranger.refresh_from_db()
    who.refresh_from_db()
    assert stranger.full_name == "Người Xã Bên" and who.full_name == "Người Thay Đổi"
