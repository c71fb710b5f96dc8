"""Register, classify (each axis with its legal consequence), split and assign: the happy paths
and each refusal — wrong state 409, missing grant 403, bad input 422 — with nothing changed."""

from __future__ import annotations

import pytest

from egov.core.errors import AppError
from egov.core.models import WorkItem, WorkState
from egov.petitions.models import Petition, PetitionIdentity, PetitionState
from egov.petitions.services import workflow as wf

from . import flow_support
from .conftest import IDENTITY
from .flow_support import at, classify, snapshot

clock = flow_support.clock  # a fixture
pytestmark = pytest.mark.django_db
S = PetitionState


def refused(p, actor, action, data, *, status, code=None):
    """The action fails with `status` (and `code`) and changes nothing."""
    before = snapshot(p)
    with pytest.raises(AppError) as exc:
        wf.run(action, actor=actor, petition_id=p.pk, data=data)
    assert exc.value.status == status, exc.value.as_dict()
    if code:
        assert exc.value.code == code, exc.value.as_dict()
    assert snapshot(p) == before
    return exc.value


# --- register -----------------------------------------------------------------------------------


def test_register_makes_the_officer_the_receiver_and_starts_processing(make_petition, pet,
                                                                      clock):
    clock(at(2026, 12, 1, 10))
    p = make_petition(state=S.DRAFT, channel="portal", kind="")
    refused(p, pet["handler"], "register", {}, status=403)
    p = wf.run("register", actor=pet["reception"], petition_id=p.pk, data={})
    assert p.state == S.RECEIVED and p.received_by_id == pet["reception"].pk
    d = p.deadlines.get()
    assert d.step == "processing" and d.rule.code == "xld-processing"
    assert p.due_at == d.due_at == at(2026, 12, 15, 10)
    item = WorkItem.objects.get(pk=d.work_item_id)
    assert item.module == "petitions" and item.assignee_unit_id == pet["commune"].pk
    assert item.due_at == d.due_at and p.code in item.title
    assert p.events.filter(kind="register").exists()
    refused(p, pet["reception"], "register", {}, status=409, code="invalid_state")


# --- classify -----------------------------------------------------------------------------------


def test_classify_sets_every_axis(make_petition, pet, clock):
    p = make_petition(kind="")
    p = classify(p, pet["reception"], kind="denunciation", signers=3, remote_area=True,
                 complexity_reasons=["places", "evidence"], respondent="Ông L.V.H.")
    assert p.state == S.CLASSIFIED and p.classified_at is not None
    assert (p.kind, p.eligible, p.competent, p.signers, p.remote_area) == (
        "denunciation", True, True, 3, True)
    assert p.complexity == "very_complex"  # two criteria → especially complex
    assert p.complexity_reasons == ["evidence", "places"]
    ev = p.events.get(kind="classify")
    assert not ev.public and ev.details["complexity"] == "very_complex"
    # one criterion → complex; a complaint knows one level only
    p = classify(p, pet["reception"], kind="denunciation", complexity_reasons=["places"])
    assert p.complexity == "complex"
    q = classify(make_petition(kind="complaint"), pet["reception"], kind="complaint",
                 complexity_reasons=["places", "foreign"])
    assert q.complexity == "complex"


def test_anonymous_denunciation_is_not_processed_as_a_denunciation(make_petition, pet, clock):
    p = classify(make_petition(), pet["reception"], kind="denunciation", anonymous=True)
    assert p.eligible is False and "Điều 25" in p.ineligible_reason
    e = refused(p, pet["head"], "accept", {}, status=409, code="anonymous_denunciation")
    assert "Art.25" in e.message or "Điều 25" in e.message
    # it can be filed, or turned into a check for management purposes
    p = wf.run("file", actor=pet["reception"], petition_id=p.pk,
               data={"reason": "Đơn nặc danh, nội dung rõ: kiểm tra phục vụ quản lý",
                     "management_check": True})
    assert p.state == S.FILED
    assert p.events.get(kind="file").details["management_check"] is True


def test_complaint_past_the_limitation_can_only_be_not_accepted(make_petition, pet, clock):
    clock(at(2026, 12, 1))
    p = classify(make_petition(kind="complaint"), pet["reception"], kind="complaint",
                 decision_known_on="2026-09-01")  # the 90th day was 30/11
    ev = p.events.get(kind="classify")
    assert ev.details["limitation_expired"] is True
    assert ev.details["limitation_last_day"] == "2026-11-30"
    refused(p, pet["head"], "accept", {}, status=409, code="limitation_expired")
    p = wf.run("not_accept", actor=pet["head"], petition_id=p.pk, data={"ground": "kn11.6"})
    assert p.state == S.NOT_ACCEPTED and p.not_accepted_ground.startswith("kn11.6")


def test_a_good_reason_recorded_lets_a_late_complaint_be_accepted(make_petition, pet, clock):
    clock(at(2026, 12, 1))
    p = classify(make_petition(kind="complaint"), pet["reception"], kind="complaint",
                 decision_known_on="2026-09-01",
                 limitation_excuse="Nằm viện từ 01/10 đến 20/10 (giấy ra viện)")
    p = wf.run("accept", actor=pet["head"], petition_id=p.pk, data={})
    assert p.state == S.ACCEPTED


def test_disciplinary_limitation_is_15_days(make_petition, pet, clock):
    clock(at(2026, 12, 1))
    p = classify(make_petition(kind="complaint"), pet["reception"], kind="complaint",
                 complaint_subject="disciplinary", decision_known_on="2026-11-15")
    assert p.events.get(kind="classify").details["limitation_expired"] is True
    p = classify(p, pet["reception"], kind="complaint", complaint_subject="disciplinary",
                 decision_known_on="2026-11-16")
    assert p.events.order_by("-id").first().details["limitation_expired"] is False


def test_duplicate_same_agency_only_then_filed_with_the_link(make_petition, pet, clock):
    first = make_petition()
    other = make_petition(agency=pet["other"], actor=pet["other_reception"])
    p = make_petition()
    e = refused(p, pet["reception"], "classify",
                {"kind": "denunciation", "eligible": True, "competent": True,
                 "duplicate_of": other.pk}, status=422)
    assert "duplicate_of" in e.fields
    refused(p, pet["reception"], "classify", {"kind": "denunciation", "duplicate_of": p.pk},
            status=422)
    p = classify(p, pet["reception"], duplicate_of=first.pk)
    assert p.duplicate_of_id == first.pk
    refused(p, pet["head"], "accept", {}, status=409, code="duplicate")
    p = wf.run("file", actor=pet["reception"], petition_id=p.pk,
               data={"reason": "Trùng nội dung"})
    assert p.state == S.FILED and p.events.get(kind="file").details["duplicate_of"] == first.pk
    # a duplicate of a duplicate links to the original
    q = classify(make_petition(), pet["reception"], duplicate_of=p.pk)
    assert q.duplicate_of_id == first.pk


def test_classify_refusals(make_petition, pet, clock):
    p = make_petition()
    refused(p, pet["nobody"], "classify", {"kind": "complaint"}, status=403)
    refused(p, pet["other_reception"], "classify", {"kind": "complaint"}, status=403)
    e = refused(p, pet["reception"], "classify", {"kind": "rumour", "signers": 0,
                                                  "complexity_reasons": ["moon"]}, status=422)
    assert {"kind", "signers", "complexity_reasons"} <= set(e.fields)
    e = refused(p, pet["reception"], "classify", {"kind": "complaint", "eligible": False},
                status=422)
    assert "ineligible_reason" in e.fields
    e = refused(p, pet["reception"], "classify",
                {"kind": "proposal", "decision_known_on": "2026-01-01"}, status=422)
    assert "decision_known_on" in e.fields
    refused(p, pet["reception"], "classify",
            {"kind": "complaint", "decision_known_on": "2099-01-01"}, status=422)
    draft = make_petition(state=S.DRAFT)
    refused(draft, pet["reception"], "classify", {"kind": "complaint"}, status=409,
            code="invalid_state")


def test_classify_starts_the_complaint_acceptance_and_the_forwarding_deadlines(
        make_petition, pet, clock):
    clock(at(2026, 12, 1, 9))
    p = classify(make_petition(kind="complaint"), pet["reception"], kind="complaint")
    steps = dict(p.deadlines.values_list("step", "due_at"))
    assert steps["acceptance"] == at(2026, 12, 10, 9)  # 7 working days (from 1/7/2026)
    assert steps["processing"] == at(2026, 12, 15, 9)
    assert p.due_at == steps["acceptance"]
    q = classify(make_petition(), pet["reception"], kind="denunciation", competent=False)
    steps = dict(q.deadlines.values_list("step", "due_at"))
    assert steps["forward"] == at(2026, 12, 8, 9)  # 5 working days (Luật TC Art.24.2)
    assert steps["processing"] == at(2026, 12, 10, 9)  # 7 working days (Art.24.1)


# --- split --------------------------------------------------------------------------------------


def test_split_a_letter_mixing_kinds(make_petition, pet, clock):
    p = make_petition(kind="")
    parts = wf.run("split", actor=pet["reception"], petition_id=p.pk, data={"parts": [
        {"kind": "complaint", "content": "Khiếu nại quyết định thu hồi đất của Trần Thị Bích "
                                         "Ngọc"},
        {"kind": "denunciation", "content": "Tố cáo cán bộ địa chính nhận tiền"}]})
    assert [x.kind for x in parts] == ["complaint", "denunciation"]
    p.refresh_from_db()
    assert p.state == S.FILED
    assert p.events.get(kind="split").details["parts"][0]["code"] == parts[0].code
    for part in parts:
        assert part.split_from_id == p.pk and part.code != p.code
        assert part.received_at == p.received_at and part.received_by_id == pet["reception"].pk
        assert part.state == S.RECEIVED and part.deadlines.filter(step="processing").exists()
        ident = PetitionIdentity.objects.get(petition=part)
        assert ident.full_name == IDENTITY["full_name"] and ident.email == IDENTITY["email"]
        assert "Bích Ngọc" not in part.content  # the identity removed from each part too
    assert not p.deadlines.filter(done_at__isnull=True).exists()
    assert len({p.code, parts[0].code, parts[1].code}) == 3


def test_split_refusals(make_petition, pet, clock):
    p = make_petition()
    two = [{"kind": "complaint", "content": "a"}, {"kind": "feedback", "content": "b"}]
    refused(p, pet["nobody"], "split", {"parts": two}, status=403)
    e = refused(p, pet["reception"], "split", {"parts": two[:1]}, status=422)
    assert "parts" in e.fields
    e = refused(p, pet["reception"], "split",
                {"parts": [{"kind": "complaint", "content": "a"},
                           {"kind": "complaint", "content": ""}]}, status=422)
    assert "parts" in e.fields and "parts.1.content" in e.fields
    p = wf.run("withdraw", actor=pet["reception"], petition_id=p.pk, data={"reason": "rút"})
    refused(p, pet["reception"], "split", {"parts": two}, status=409, code="invalid_state")


# --- assign -------------------------------------------------------------------------------------


def test_assign_moves_the_work_item(make_petition, pet, clock):
    p = classify(make_petition(), pet["reception"])
    items = [d.work_item_id for d in p.deadlines.all()]
    p = wf.run("assign", actor=pet["head"], petition_id=p.pk,
               data={"unit_id": pet["division"].pk, "handler_id": pet["handler"].pk})
    assert (p.handling_unit_id, p.handler_id) == (pet["division"].pk, pet["handler"].pk)
    for item in WorkItem.objects.filter(pk__in=items):
        assert item.assignee_user_id == pet["handler"].pk and item.state == WorkState.OPEN
    # the unit head reassigns within the unit
    p = wf.run("assign", actor=pet["unit_head"], petition_id=p.pk,
               data={"handler_id": pet["colleague"].pk})
    assert p.handler_id == pet["colleague"].pk
    assert set(WorkItem.objects.filter(pk__in=items).values_list("assignee_user_id",
                                                                 flat=True)) == {
        pet["colleague"].pk}


def test_assign_refusals(make_petition, pet, clock):
    p = make_petition()
    refused(p, pet["reception"], "assign", {"unit_id": pet["division"].pk}, status=403)
    refused(p, pet["head"], "assign", {}, status=422)
    e = refused(p, pet["head"], "assign", {"unit_id": pet["other"].pk}, status=422)
    assert "unit_id" in e.fields
    e = refused(p, pet["head"], "assign", {"unit_id": pet["division"].pk,
                                           "handler_id": pet["other_reception"].pk}, status=422)
    assert "handler_id" in e.fields
    p = wf.run("file", actor=pet["reception"], petition_id=p.pk, data={"reason": "x"})
    refused(p, pet["head"], "assign", {"unit_id": pet["division"].pk}, status=409,
            code="invalid_state")
    assert Petition.objects.filter(handling_unit__isnull=False).count() == 0


def test_reclassification_moves_the_steps_to_the_rules_that_now_apply(make_petition, pet,
                                                                      clock):
    clock(at(2026, 12, 1, 9))
    p = make_petition(state=S.DRAFT, channel="portal", kind="")
    p = wf.run("register", actor=pet["reception"], petition_id=p.pk, data={})
    proc = p.deadlines.get(step="processing")
    assert proc.rule.code == "xld-processing" and proc.due_at == at(2026, 12, 15, 9)
    p = classify(p, pet["reception"], kind="denunciation")
    proc.refresh_from_db()
    assert proc.rule.code == "tc-processing" and proc.due_at == at(2026, 12, 10, 9)
    assert WorkItem.objects.get(pk=proc.work_item_id).due_at == at(2026, 12, 10, 9)
    assert p.deadlines.count() == 1 and p.due_at == at(2026, 12, 10, 9)
    p = classify(p, pet["reception"], kind="complaint")
    acc = p.deadlines.get(step="acceptance")
    assert acc.done_at is None and p.due_at == acc.due_at == at(2026, 12, 10, 9)
    p = classify(p, pet["reception"], kind="denunciation", competent=False)
    acc.refresh_from_db()
    assert acc.done_at is not None and acc.outcome == ""
    assert WorkItem.objects.get(pk=acc.work_item_id).state == WorkState.CANCELLED
    assert p.deadlines.get(step="forward").done_at is None
    assert p.due_at == at(2026, 12, 8, 9)
