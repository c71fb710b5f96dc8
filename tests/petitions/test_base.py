"""The shared base: codes, the separate identity, redaction, and who may read the identity."""

from __future__ import annotations

import re

import pytest

from egov.core.models import AuditEvent
from egov.petitions.models import Petition, PetitionIdentity, PetitionState
from egov.petitions.redaction import REDACTED, redact
from egov.petitions.selectors import access

from .conftest import CONTENT, IDENTITY

pytestmark = pytest.mark.django_db


def test_code_is_gapless_per_agency_and_year(make_petition, pet):
    a = make_petition()
    b = make_petition()
    c = make_petition(agency=pet["other"])
    assert re.fullmatch(r"000\.01\.00\.T99-DT\d\d-00001", a.code)
    assert b.code.endswith("-00002")
    assert c.code.startswith("000.02.00.T99-DT") and c.code.endswith("-00001")
    assert len(a.lookup_check) == 8 and a.lookup_check != b.lookup_check


def test_identity_stored_apart_and_content_redacted(make_petition):
    p = make_petition()
    row = Petition.objects.values().get(pk=p.pk)
    flat = " ".join(str(v) for v in row.values())
    for value in ("Trần Thị Bích Ngọc", "001199012345", "0987", "ngoc.tran"):
        assert value not in flat
    assert REDACTED in p.content and "Lê Văn Hùng" in p.content  # the accused stays
    ident = PetitionIdentity.objects.get(petition=p)
    assert ident.full_name == IDENTITY["full_name"] and ident.original_content == CONTENT


@pytest.mark.parametrize("text", [
    "Tôi, TRAN THI BICH NGOC, xin trình bày",      # without diacritics, upper case
    "Tôi, trần thị  bích ngọc, xin trình bày",      # lower case, two spaces
    "liên hệ 0987.654.321 hoặc +84 987 654 321",   # numbers however written
    "e-mail: NGOC.TRAN@example.vn",
])
def test_redaction_catches_the_identity_however_written(text):
    out = redact(text, IDENTITY)
    assert "ngoc" not in out.lower().replace("ngọc", "ngoc") or REDACTED in out
    assert not re.search(r"\d{3}[\s.]?\d{3}[\s.]?\d{3}", out)
    assert "bích" not in out.lower() and "bich" not in out.lower()


def test_who_may_read_the_identity(make_petition, pet):
    p = make_petition()
    p.handler = pet["handler"]
    p.handling_unit = pet["division"]
    p.save()
    allowed = {"reception", "handler", "head"}
    for name in ("reception", "handler", "head", "onestop", "colleague", "unit_head", "admin",
                 "superuser", "other_reception", "other_head", "nobody"):
        assert access.may_see_identity(pet[name], p) is (name in allowed), name


def test_identity_reads_are_audited_and_refusals_return_nothing(make_petition, pet):
    p = make_petition()
    before = AuditEvent.objects.filter(action="petition.identity.read").count()
    assert access.identity_for(pet["superuser"], p, purpose="page") is None
    assert access.identity_for(pet["admin"], p, purpose="page") is None
    assert AuditEvent.objects.filter(action="petition.identity.read").count() == before
    ident = access.identity_for(pet["head"], p, purpose="page")
    assert ident is not None and ident.full_name == IDENTITY["full_name"]
    ev = AuditEvent.objects.filter(action="petition.identity.read").order_by("-seq").first()
    assert ev.actor_id == pet["head"].pk and ev.details["purpose"] == "page"
    assert ev.object_id == str(p.pk)


def test_draft_has_no_receiver(make_petition, pet):
    p = make_petition(state=PetitionState.DRAFT)
    assert p.received_by_id is None
    assert not access.may_see_identity(pet["reception"], p)
    assert access.may_view(pet["reception"], p)


def test_superuser_and_scope_all_see_every_petition_in_lists(make_petition, pet):
    """`Q() | Q(x)` is Q(x): a superuser (or a grant of scope "all") must not shrink to "mine"."""
    from egov.core.models import Role, RoleGrant

    a = make_petition()
    b = make_petition(agency=pet["other"], actor=pet["other_reception"])
    assert set(Petition.objects.filter(access.visible_q(pet["superuser"]))
               .values_list("pk", flat=True)) >= {a.pk, b.pk}
    role = Role.objects.create(code="inspector_all", name="Thanh tra")
    RoleGrant.objects.create(role=role, action="petitions.view_all", scope="all")
    pet["nobody"].positions.first().roles.add(role)
    nobody = type(pet["nobody"]).objects.get(pk=pet["nobody"].pk)
    seen = set(Petition.objects.filter(access.visible_q(nobody)).values_list("pk", flat=True))
    assert {a.pk, b.pk} <= seen
    assert not access.may_see_identity(nobody, a) and not access.may_see_identity(nobody, b)


def test_one_stop_officer_at_a_centre_receives_for_the_committee_it_serves(pet, make_user):
    """The one-stop counter of a public-service centre records a petition for the committee
    the centre serves: its head (not the centre's) then reads the identity."""
    from egov.core.models import OrgUnit, OrgUnitKind
    from egov.petitions.services import intake

    centre = OrgUnit.objects.create(kind=OrgUnitKind.SERVICE_CENTRE, parent=pet["commune"],
                                    name="Trung tâm Phục vụ hành chính công xã An Bình",
                                    abbreviation="TTPVHCC", place_name="An Bình")
    officer = make_user("motcuatt", centre, "onestop_officer")
    assert [a.pk for a in intake.desk_agencies(officer)] == [pet["commune"].pk]
    assert not intake.desk_agencies(pet["nobody"])
    p = intake.receive_at_desk(actor=officer, agency=pet["commune"], channel="onestop",
                               identity=dict(IDENTITY), content=CONTENT, kind="proposal")
    assert p.agency_id == pet["commune"].pk and p.received_by_id == officer.pk
    assert access.may_see_identity(pet["head"], p)
    from egov.core.errors import AppError

    with pytest.raises(AppError) as err:
        intake.receive_at_desk(actor=officer, agency=pet["other"], channel="onestop",
                               identity=dict(IDENTITY), content=CONTENT, kind="proposal")
    assert err.value.status == 403
