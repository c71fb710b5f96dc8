"""Fixtures of the petitions tests (every file in tests/petitions gets them): a commune with a
division, the reception officer, a one-stop officer, a handler, the division head, the chairman
(head of the agency, `petitions.head`), an administrator, a superuser, an auditor, the same
roles at another commune, and `make_petition()`."""

from __future__ import annotations

import pytest
from django.db import transaction

from egov.core.models import OrgUnit, OrgUnitKind
from egov.petitions.models import Channel, PetitionState
from egov.petitions.services.records import event_write, petition_create

IDENTITY = {"full_name": "Trần Thị Bích Ngọc", "personal_id": "001199012345",
            "phone": "0987654321", "email": "ngoc.tran@example.vn",
            "address": "Số 12 đường Lê Lợi, thôn Đông, xã An Bình"}
CONTENT = ("Tôi là Trần Thị Bích Ngọc, CCCD 001199012345, điện thoại 0987 654 321, tố cáo ông "
           "Lê Văn Hùng, cán bộ địa chính xã, nhận tiền để hợp thức hóa đất lấn chiếm.")


@pytest.fixture
def pet(org, make_user):
    commune = org["commune"]
    division = OrgUnit.objects.create(kind=OrgUnitKind.DIVISION, name="Công chức Tư pháp - Hộ tịch",
                                      abbreviation="TP", parent=commune, place_name="An Bình")
    other = OrgUnit.objects.create(kind=OrgUnitKind.COMMUNE_COMMITTEE,
                                   name="Ủy ban nhân dân xã Bình Minh", abbreviation="UBND",
                                   parent=org["province"], electronic_id="000.02.00.T99",
                                   place_name="Bình Minh")
    su = make_user("root", None, is_superuser=True, is_staff=True)
    return {
        "commune": commune, "division": division, "other": other,
        "reception": make_user("tiepdan", commune, "petition_officer"),
        "onestop": make_user("motcua", commune, "onestop_officer"),
        "handler": make_user("xuly", division, "officer"),
        "colleague": make_user("dongnghiep", division, "officer"),
        "unit_head": make_user("truongbp", division, "unit_head"),
        "head": make_user("chutich", commune, "leader", title="Chủ tịch"),
        "admin": make_user("quantri", commune, "admin"),
        "superuser": su,
        "other_reception": make_user("tiepdan2", other, "petition_officer"),
        "other_head": make_user("chutich2", other, "leader", title="Chủ tịch"),
        "nobody": make_user("khach", commune),
    }


@pytest.fixture
def make_petition(pet):
    """make_petition(kind="denunciation", channel=..., state=..., actor=..., **fields) → a
    petition received at the commune by the reception officer (identity IDENTITY)."""

    def _make(*, kind: str = "denunciation", channel: str = Channel.RECEPTION,
              state: str = PetitionState.RECEIVED, actor=None, identity=None,
              content: str = CONTENT, agency=None, **fields):
        actor = actor or pet["reception"]
        with transaction.atomic():
            p = petition_create(actor=actor, agency=agency or pet["commune"], channel=channel,
                                identity=dict(identity or IDENTITY), content=content, kind=kind,
                                state=state, **fields)
            event_write(petition=p, kind="receive", actor=actor, note="")
        return p

    return _make
