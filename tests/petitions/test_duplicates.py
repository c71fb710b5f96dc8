"""Duplicate suggestion (selectors.duplicates; GET /api/v1/petitions/{id}/duplicates; the box on
the petition page), on SQLite (FTS5) and PostgreSQL (full-text + pg_trgm): the same person's
reworded letter and another person's letter with the same content are found; unrelated letters —
even the same person's — are not; only earlier petitions of the same agency the user may see;
the answer holds no identity; those who do not classify get 403 / no box."""

from __future__ import annotations

import json

import pytest
from django.db import transaction
from django.urls import reverse

from egov.core.models import Role, RoleGrant
from egov.petitions.selectors import duplicates as dup
from egov.petitions.services.records import petition_create

from .conftest import CONTENT, IDENTITY

OTHER = {"full_name": "Phạm Văn Tài", "personal_id": "001088001122", "phone": "0912000111",
         "email": "", "address": "thôn Bắc, xã An Bình"}
THIRD = {"full_name": "Đỗ Thị Mai", "personal_id": "001077003344", "phone": "0903111222",
         "email": "", "address": "thôn Nam, xã An Bình"}
REWORDED = ("Kính gửi Chủ tịch xã. Tôi là Trần Thị Bích Ngọc, tiếp tục phản ánh việc cán bộ địa "
            "chính Lê Văn Hùng thu tiền của người dân rồi làm giấy tờ hợp thức hóa cho những thửa "
            "đất bị lấn chiếm. Đề nghị xã xem xét xử lý.")
SAME_CONTENT = ("Tôi là Phạm Văn Tài, tố cáo ông Lê Văn Hùng, cán bộ địa chính xã, đã nhận tiền để "
                "hợp thức hóa đất lấn chiếm của nhiều hộ.")
ROAD = ("Tôi là Phạm Văn Tài, đề nghị Ủy ban nhân dân xã sửa chữa đoạn đường bê tông liên thôn "
        "Bắc bị sụt lún sau mưa lớn, gây nguy hiểm cho học sinh đi học.")
LIGHTS = ("Tôi là Trần Thị Bích Ngọc, kiến nghị xã lắp thêm đèn chiếu sáng ở ngõ 5 thôn Đông vì "
          "buổi tối rất tối, người dân đi lại khó khăn.")
MARKET = ("Tôi là Đỗ Thị Mai, phản ánh chợ tạm trước cổng trường tiểu học họp cả buổi sáng, xe "
          "máy đỗ tràn lòng đường, đề nghị sắp xếp lại khu vực buôn bán.")


@pytest.fixture
def letters(pet, make_petition):
    first = make_petition(kind="denunciation")                         # CONTENT, IDENTITY
    road = make_petition(kind="proposal", identity=OTHER, content=ROAD)
    lights = make_petition(kind="proposal", content=LIGHTS)            # same person, unrelated
    elsewhere = make_petition(kind="denunciation", agency=pet["other"],
                              actor=pet["other_reception"], content=CONTENT)
    return {"first": first, "road": road, "lights": lights, "elsewhere": elsewhere}


def codes(items):
    return [i["code"] for i in items]


def test_same_person_reworded_is_found(pet, make_petition, letters):
    again = make_petition(kind="denunciation", content=REWORDED)
    items = dup.duplicates_for(actor=pet["reception"], petition=again)
    assert codes(items) == [letters["first"].code]
    assert 0 < items[0]["score"] <= 1


def test_same_content_from_another_person_is_found(pet, make_petition, letters):
    other = make_petition(kind="denunciation", identity=OTHER, content=SAME_CONTENT)
    items = dup.duplicates_for(actor=pet["reception"], petition=other)
    assert codes(items) == [letters["first"].code]


def test_unrelated_letters_are_not_suggested(pet, make_petition, letters):
    market = make_petition(kind="feedback", identity=THIRD, content=MARKET)
    assert dup.duplicates_for(actor=pet["reception"], petition=market) == []
    # The same person's unrelated letter (lights) is not a duplicate of the first one, nor the
    # other way round; the petitioner's other letters are not suggested for the road either.
    assert letters["first"].code not in codes(
        dup.duplicates_for(actor=pet["reception"], petition=letters["lights"]))
    assert dup.duplicates_for(actor=pet["reception"], petition=letters["road"]) == []


def test_only_earlier_petitions_of_the_agency(pet, make_petition, letters):
    # The first petition has no earlier one; the other agency's copy is never suggested.
    assert dup.duplicates_for(actor=pet["reception"], petition=letters["first"]) == []
    again = make_petition(kind="denunciation", content=REWORDED)
    found = dup.duplicates_for(actor=pet["reception"], petition=again)
    assert letters["elsewhere"].code not in codes(found)
    assert codes(dup.duplicates_for(actor=pet["other_reception"],
                                    petition=letters["elsewhere"])) == []


def test_draft_at_the_intake_form(pet, letters):
    items = dup.duplicates_for_draft(actor=pet["reception"], agency=pet["commune"],
                                     content=REWORDED, identity=IDENTITY)
    assert codes(items) == [letters["first"].code]
    items = dup.duplicates_for_draft(actor=pet["reception"], agency=pet["commune"],
                                     content=MARKET, identity=THIRD)
    assert items == []


def test_answer_holds_no_identity(pet, make_petition, letters):
    again = make_petition(kind="denunciation", content=REWORDED)
    text = json.dumps(dup.duplicates_for(actor=pet["reception"], petition=again), default=str,
                      ensure_ascii=False)
    for value in IDENTITY.values():
        assert value not in text
    assert "Ngọc" not in text and "0987 654 321" not in text
    assert "Lê Văn Hùng" in text  # the snippet is the redacted content


def test_query_count_is_constant(pet, make_petition, letters):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(petition):
        with CaptureQueriesContext(connection) as ctx:
            items = dup.duplicates_for(actor=pet["reception"], petition=petition)
        return len(ctx), len(items)

    first = make_petition(kind="denunciation", content=REWORDED)
    count(first)  # the user's grants are cached after the first call
    few = count(first)
    for _ in range(7):
        make_petition(kind="denunciation", content=CONTENT)
    many = count(make_petition(kind="denunciation", content=REWORDED))
    assert few[1] == 1 and many[1] == 5  # at most 5 suggestions
    assert many[0] == few[0] <= 12


def api(client, user, petition):
    client.force_login(user)
    return client.get(f"/api/v1/petitions/{petition.pk}/duplicates")


def test_api(client, pet, make_petition, make_user, letters):
    again = make_petition(kind="denunciation", content=REWORDED)
    response = api(client, pet["head"], again)
    assert response.status_code == 200
    body = response.json()
    assert [i["code"] for i in body["items"]] == [letters["first"].code]
    item = body["items"][0]
    assert set(item) == {"id", "code", "received_at", "kind", "snippet", "score"}
    assert item["id"] == letters["first"].pk and item["kind"] == "denunciation"
    assert item["received_at"].endswith("+07:00")
    assert IDENTITY["full_name"] not in response.content.decode()
    # Who cannot see the petition: 404; who sees it without classifying: 403.
    assert api(client, pet["other_head"], again).status_code == 404
    assert api(client, pet["colleague"], again).status_code == 404
    role = Role.objects.create(code="petition_auditor", name="Kiểm tra viên")
    RoleGrant.objects.create(role=role, action="petitions.view_all", scope="agency")
    auditor = make_user("kiemtra", pet["commune"], "petition_auditor")
    response = api(client, auditor, again)
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert api(client, pet["head"], type(again)(pk=987654)).status_code == 404


def test_page_box_for_those_classifying(client, pet, make_petition, make_user, letters):
    again = make_petition(kind="denunciation", content=REWORDED)
    page = reverse("petitions:petition", kwargs={"pk": again.pk})
    client.force_login(pet["reception"])
    html = client.get(page).content.decode()
    assert 'id="petition-duplicates"' in html and letters["first"].code in html
    role = Role.objects.create(code="petition_auditor", name="Kiểm tra viên")
    RoleGrant.objects.create(role=role, action="petitions.view_all", scope="agency")
    client.force_login(make_user("kiemtra", pet["commune"], "petition_auditor"))
    html = client.get(page).content.decode()
    assert 'id="petition-duplicates"' not in html


def test_index_follows_changes_of_the_content(pet, make_petition, letters):
    """The full-text structures follow an edited content (trigger / generated column)."""
    from egov.petitions.models import Petition

    Petition.objects.filter(pk=letters["road"].pk).update(content=SAME_CONTENT)
    with transaction.atomic():
        p = petition_create(actor=pet["reception"], agency=pet["commune"], channel="reception",
                            identity=dict(THIRD), content=SAME_CONTENT, kind="denunciation")
    found = codes(dup.duplicates_for(actor=pet["reception"], petition=p))
    assert letters["road"].code in found and letters["first"].code in found
