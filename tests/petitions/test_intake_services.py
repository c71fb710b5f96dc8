"""Intake services (issue 11 "Intake"): the portal draft, the desk, the one-stop counter, the
forwarded letter; every validation error with its field and nothing written; the identity
stored apart and redacted from the petition; the receipt slip; the events and audit."""

from __future__ import annotations

import pytest
from django.utils import translation

from egov.core.errors import AppError, InvalidInput, PermissionDenied
from egov.core.models import AuditEvent, StoredFile
from egov.petitions.models import (
    Petition,
    PetitionEvent,
    PetitionFile,
    PetitionIdentity,
    PetitionIdentityFile,
    PetitionSlip,
)
from egov.petitions.redaction import REDACTED
from egov.petitions.selectors import access
from egov.petitions.services import intake

from .conftest import CONTENT, IDENTITY
from .intake_support import PNG, VALID, portal_agency_fixture, upload  # noqa: F401

pytestmark = pytest.mark.django_db


def _counts():
    return (Petition.objects.count(), PetitionIdentity.objects.count(),
            PetitionSlip.objects.count(), PetitionEvent.objects.count(),
            StoredFile.objects.count())


def test_submit_online_is_a_draft_with_code_check_receipt(portal_agency):
    p = intake.submit_online(**VALID, files=[upload()])
    assert p.state == "draft" and p.channel == "portal" and p.received_by_id is None
    assert p.agency == portal_agency and p.kind == "" and p.kind_by_petitioner == "proposal"
    assert len(p.lookup_check) == 8
    ident = PetitionIdentity.objects.get(petition=p)
    assert ident.full_name == VALID["full_name"] and ident.personal_id == VALID["personal_id"]
    assert PetitionIdentityFile.objects.filter(petition=p).count() == 1  # letter = identity
    assert not PetitionFile.objects.filter(petition=p).exists()
    slip = PetitionSlip.objects.get(petition=p)
    assert slip.form == "02_tcd" and slip.to_petitioner and slip.number.endswith("/BN-TCD")
    assert slip.data["code"] == p.code and slip.data["check"] == p.lookup_check
    ev = PetitionEvent.objects.get(petition=p)
    assert ev.kind == "submit" and ev.public and ev.actor_id is None
    assert AuditEvent.objects.filter(action="petition.submit", object_id=str(p.pk)).exists()


@pytest.mark.parametrize("field,value,expected", [
    ("personal_id", "12345678901", "exactly 12 digits"),
    ("personal_id", "0011990123456", "exactly 12 digits"),
    ("personal_id", "00119901234a", "exactly 12 digits"),
    ("email", "ngoc.tran@", "valid e-mail"),
    ("email", "not an address", "valid e-mail"),
    ("phone", "09876abc21", "phone number"),
    ("phone", "12345", "phone number"),
    ("content", "", "required"),
    ("content", "   ", "required"),
    ("content", "x" * 20001, "At most 20000"),
    ("full_name", "", "required"),
    ("kind", "gossip", "Choose one of"),
    ("full_name", "Tên\u202eđảo", "direction"),
])
def test_every_validation_error_names_its_field_and_writes_nothing(portal_agency, field, value,
                                                                   expected):
    before = _counts()
    with translation.override("en"), pytest.raises(InvalidInput) as err:
        intake.submit_online(**{**VALID, field: value})
    assert err.value.status == 422
    assert field in err.value.fields, err.value.fields
    assert expected.lower() in " ".join(err.value.fields[field]).lower()
    assert _counts() == before


def test_all_errors_at_once(portal_agency):
    with pytest.raises(InvalidInput) as err:
        intake.submit_online(full_name="", personal_id="1", phone="x", email="y", content="")
    assert set(err.value.fields) == {"full_name", "personal_id", "phone", "email", "content"}


def test_phone_kept_as_digits_and_optional_fields(portal_agency):
    p = intake.submit_online(full_name="Nguyễn Văn An", content="Phản ánh đường hỏng.",
                             phone="+84 912.345.678")
    ident = PetitionIdentity.objects.get(petition=p)
    assert ident.phone == "0912345678" and ident.personal_id == "" and ident.email == ""


def test_wrong_file_type_and_size_refused(portal_agency, settings):
    before = _counts()
    with pytest.raises(InvalidInput) as err:
        intake.submit_online(**VALID, files=[upload("a.txt", b"plain text", "text/plain")])
    assert "files.0" in err.value.fields and err.value.code == "file_type"
    settings.EGOV_MAX_UPLOAD_BYTES = 100
    with pytest.raises(InvalidInput) as err:
        intake.submit_online(**VALID, files=[upload("a.png", PNG * 10, "image/png")])
    assert "files.0" in err.value.fields and err.value.code == "file_too_large"
    assert _counts()[:4] == before[:4]


def test_damaged_pdf_refused(portal_agency):
    with pytest.raises(InvalidInput) as err:
        intake.submit_online(**VALID, files=[upload("a.pdf", b"%PDF-1.7\n garbage")])
    assert err.value.code == "pdf_damaged" and "files.0" in err.value.fields
    assert not Petition.objects.exists()


def test_too_many_files(portal_agency):
    with pytest.raises(InvalidInput) as err:
        intake.submit_online(**VALID, files=[upload() for _ in range(11)])
    assert "files" in err.value.fields


def test_identity_redacted_in_the_stored_petition(pet):
    p = intake.receive_at_desk(actor=pet["reception"], agency=pet["commune"],
                               identity=IDENTITY, content=CONTENT, kind="denunciation")
    row = Petition.objects.values().get(pk=p.pk)
    flat = " ".join(str(v) for v in row.values())
    for value in ("Trần Thị Bích Ngọc", "001199012345", "0987", "ngoc.tran", "Lê Lợi"):
        assert value not in flat, value
    assert REDACTED in p.content and "Lê Văn Hùng" in p.content
    for ev in PetitionEvent.objects.filter(petition=p):
        assert "Ngọc" not in ev.note and "001199012345" not in str(ev.details)
    assert PetitionIdentity.objects.get(petition=p).original_content == CONTENT


def test_desk_intake_received_by_the_officer(pet):
    others = [{"full_name": "Phạm Văn Đức", "personal_id": "001088000111", "role": "đại diện"},
              {"full_name": "Hoàng Thị Mai", "role": "cùng nội dung"}]
    p = intake.receive_at_desk(
        actor=pet["reception"], agency=pet["commune"], channel="reception",
        identity=IDENTITY, others=others, content="Ông Phạm Văn Đức và tôi phản ánh …",
        oral=True, letter_scans=[upload("scan.png", PNG, "image/png")],
        attachments=[upload("anh-hien-truong.pdf")])
    assert p.state == "received" and p.received_by == pet["reception"] and p.signers == 3
    assert "Phạm Văn Đức" not in p.content  # the co-petitioners are identity too
    ident = PetitionIdentity.objects.get(petition=p)
    assert [o["full_name"] for o in ident.others] == ["Phạm Văn Đức", "Hoàng Thị Mai"]
    assert PetitionIdentityFile.objects.filter(petition=p).count() == 1
    assert PetitionFile.objects.filter(petition=p).count() == 1
    ev = PetitionEvent.objects.get(petition=p)
    assert ev.kind == "receive" and ev.details["oral"] is True and ev.actor == pet["reception"]
    assert access.may_see_identity(pet["reception"], p)
    slip = PetitionSlip.objects.get(petition=p)
    assert slip.data["oral"] is True and slip.data["officer"]


def test_onestop_officer_records_at_the_counter(pet):
    p = intake.receive_at_desk(actor=pet["onestop"], agency=pet["commune"], channel="onestop",
                               identity=IDENTITY, content="Kiến nghị sửa đường.")
    assert p.channel == "onestop" and p.received_by == pet["onestop"]


@pytest.mark.parametrize("name", ["handler", "colleague", "nobody", "other_reception", "admin"])
def test_desk_intake_needs_receive_on_the_agency(pet, name):
    with pytest.raises(PermissionDenied):
        intake.receive_at_desk(actor=pet[name], agency=pet["commune"], identity=IDENTITY,
                               content="x")
    assert not Petition.objects.exists()


@pytest.mark.parametrize("kwargs,field", [
    ({"channel": "portal"}, "channel"),
    ({"others": "Phạm Văn Đức"}, "others"),
    ({"others": [{"full_name": ""}]}, "others.0.full_name"),
    ({"others": [{"full_name": "A B", "personal_id": "12"}]}, "others.0.personal_id"),
    ({"signers": 0}, "signers"),
    ({"oral": "yes"}, "oral"),
    ({"identity": {**IDENTITY, "personal_id": "0011990123"}}, "personal_id"),
    ({"content": ""}, "content"),
])
def test_desk_validation(pet, kwargs, field):
    args = {"actor": pet["reception"], "agency": pet["commune"], "identity": IDENTITY,
            "content": CONTENT, **kwargs}
    with pytest.raises(InvalidInput) as err:
        intake.receive_at_desk(**args)
    assert field in err.value.fields, err.value.fields
    assert not Petition.objects.exists()


def test_codes_are_gapless_after_a_refused_intake(pet):
    a = intake.receive_at_desk(actor=pet["reception"], agency=pet["commune"],
                               identity=IDENTITY, content="Một")
    with pytest.raises(InvalidInput):
        intake.receive_at_desk(actor=pet["reception"], agency=pet["commune"],
                               identity=IDENTITY, content="Hai",
                               attachments=[upload("x.txt", b"text", "text/plain")])
    b = intake.receive_at_desk(actor=pet["reception"], agency=pet["commune"],
                               identity=IDENTITY, content="Ba")
    assert int(b.code.rsplit("-", 1)[1]) == int(a.code.rsplit("-", 1)[1]) + 1


def test_unknown_portal_agency(portal_agency):
    with pytest.raises(InvalidInput) as err:
        intake.submit_online(**VALID, agency_id=999999)
    assert "agency_id" in err.value.fields


def test_errors_are_app_errors():
    assert issubclass(InvalidInput, AppError)
