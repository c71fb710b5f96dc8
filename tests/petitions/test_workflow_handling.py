"""Accept, not accept, transfer (once), extend (limits), suspend/resume (the deadline moves),
resolve (on time / late, the issued document), close, withdraw, file, the second instance, and
the messages to the petitioner (code, status and dates only)."""

from __future__ import annotations

import datetime as dt

import pytest

from egov.core.calendar import LOCAL_TZ
from egov.core.models import OutboundMessage, WorkItem, WorkState
from egov.petitions.models import Extension, Petition, PetitionSlip, PetitionState
from egov.petitions.services import workflow as wf

from . import flow_support
from .conftest import IDENTITY
from .flow_support import at, classify
from .test_workflow_classify import refused

clock = flow_support.clock  # a fixture
pytestmark = pytest.mark.django_db
S = PetitionState
EOD = dt.time(23, 59, 59)


def eod(y, m, d) -> dt.datetime:
    return dt.datetime.combine(dt.date(y, m, d), EOD, tzinfo=LOCAL_TZ)


def accepted(make_petition, pet, *, kind="denunciation", **classification):
    p = classify(make_petition(kind=kind), pet["reception"], kind=kind, **classification)
    return wf.run("accept", actor=pet["head"], petition_id=p.pk, data={})


# --- accept / not accept ------------------------------------------------------------------------


def test_accept_sets_the_resolution_deadline_and_closes_the_earlier_steps(make_petition, pet,
                                                                         clock):
    clock(at(2026, 12, 1, 9))
    p = classify(make_petition(kind="complaint"), pet["reception"], kind="complaint")
    clock(at(2026, 12, 3, 14))
    p = wf.run("accept", actor=pet["head"], petition_id=p.pk, data={})
    assert p.state == S.ACCEPTED and p.accepted_at == at(2026, 12, 3, 14)
    assert p.due_at == eod(2027, 1, 2)  # 30 days from thụ lý (Luật KN Art.28)
    rows = {d.step: d for d in p.deadlines.all()}
    assert rows["acceptance"].outcome == "on_time" and rows["processing"].outcome == "on_time"
    assert WorkItem.objects.get(pk=rows["acceptance"].work_item_id).state == WorkState.DONE
    assert rows["resolution"].rule.code == "kn1-resolution" and rows["resolution"].done_at is None
    assert p.slips.filter(form="kn_03").exists()


def test_accept_variants_remote_and_complex(make_petition, pet, clock):
    clock(at(2026, 12, 1, 9))
    p = accepted(make_petition, pet, kind="complaint", remote_area=True,
                 complexity_reasons=["places"])
    assert p.due_at == eod(2027, 1, 30)  # 60 days
    q = accepted(make_petition, pet, kind="denunciation", remote_area=True)
    assert q.due_at == eod(2026, 12, 31)  # 30 days, no remote variant for denunciations


def test_accept_refusals(make_petition, pet, clock):
    p = make_petition()
    refused(p, pet["head"], "accept", {}, status=409, code="invalid_state")  # not classified
    p = classify(p, pet["reception"], eligible=False, ineligible_reason="Không ký tên")
    refused(p, pet["reception"], "accept", {}, status=403)
    refused(p, pet["head"], "accept", {}, status=409, code="not_eligible")
    p = classify(p, pet["reception"], competent=False)
    refused(p, pet["head"], "accept", {}, status=409, code="not_eligible")
    refused(p, pet["head"], "accept", {"note": "x" * 3000}, status=422)


def test_not_accept_with_a_ground_from_the_legal_list(make_petition, pet, clock):
    p = classify(make_petition(kind="complaint"), pet["reception"], kind="complaint")
    e = refused(p, pet["head"], "not_accept", {"ground": "tc29.form"}, status=422)
    assert "ground" in e.fields
    refused(p, pet["head"], "not_accept", {}, status=422)
    refused(p, pet["reception"], "not_accept", {"ground": "kn11.5"}, status=403)
    p = wf.run("not_accept", actor=pet["head"], petition_id=p.pk, data={"ground": "kn11.5"})
    assert p.state == S.NOT_ACCEPTED and p.not_accepted_ground.startswith("kn11.5: ")
    slip = p.slips.get(form="kn_04")
    assert slip.to_petitioner and slip.data["case"] == 5 and slip.number
    assert slip.data["ground_code"] == "kn11.5"
    assert not p.deadlines.filter(done_at__isnull=True).exists()
    refused(p, pet["head"], "not_accept", {"ground": "kn11.5"}, status=409,
            code="invalid_state")
    d = classify(make_petition(), pet["reception"])
    d = wf.run("not_accept", actor=pet["head"], petition_id=d.pk, data={"ground": "tc29.basis"})
    assert d.not_accepted_ground.startswith("tc29.basis")
    f = classify(make_petition(kind="feedback"), pet["reception"], kind="feedback")
    refused(f, pet["head"], "not_accept", {"ground": "kn11.1"}, status=409,
            code="not_applicable")


# --- transfer once ------------------------------------------------------------------------------


def test_transfer_once_only(make_petition, pet, clock):
    p = classify(make_petition(), pet["reception"], competent=False)
    refused(p, pet["head"], "transfer", {}, status=422)
    refused(p, pet["reception"], "transfer", {"to": "Công an tỉnh"}, status=403)
    p = wf.run("transfer", actor=pet["head"], petition_id=p.pk,
               data={"to": "Công an tỉnh", "mode": "forward"})
    assert p.state == S.TRANSFERRED and p.transfer_to == "Công an tỉnh"
    assert p.slips.filter(form="transfer").exists()
    assert p.deadlines.get(step="forward").outcome == "on_time"
    refused(p, pet["head"], "transfer", {"to": "Thanh tra tỉnh"}, status=409,
            code="already_transferred")
    # the same content sent again: a duplicate of the transferred letter is not transferred
    dup = classify(make_petition(), pet["reception"], competent=False, duplicate_of=p.pk)
    refused(dup, pet["head"], "transfer", {"to": "Công an tỉnh"}, status=409,
            code="already_transferred")
    # guidance counts as the one transfer too
    g = classify(make_petition(kind="complaint"), pet["reception"], kind="complaint",
                 competent=False)
    g = wf.run("transfer", actor=pet["head"], petition_id=g.pk,
               data={"to": "UBND tỉnh", "mode": "guide"})
    assert g.events.filter(kind="guide").exists() and g.slips.filter(form="guidance").exists()
    refused(g, pet["head"], "transfer", {"to": "Sở TN&MT", "mode": "guide"}, status=409,
            code="already_transferred")


def test_transfer_refused_within_competence(make_petition, pet, clock):
    p = classify(make_petition(), pet["reception"])
    refused(p, pet["head"], "transfer", {"to": "X"}, status=409, code="competent")


# --- extend -------------------------------------------------------------------------------------


def test_extension_limits(make_petition, pet, clock):
    clock(at(2026, 12, 1, 9))
    normal = accepted(make_petition, pet)
    refused(normal, pet["head"], "extend", {"days": 30, "reason": "x"}, status=409,
            code="extension_not_allowed")
    complaint = accepted(make_petition, pet, kind="complaint", complexity_reasons=["places"])
    refused(complaint, pet["head"], "extend", {"days": 10, "reason": "x"}, status=409,
            code="extension_not_allowed")

    once = accepted(make_petition, pet, complexity_reasons=["places"])
    assert once.due_at == eod(2026, 12, 31)
    e = refused(once, pet["head"], "extend", {"days": 31, "reason": "x"}, status=422)
    assert "days" in e.fields
    refused(once, pet["head"], "extend", {"days": 10}, status=422)
    refused(once, pet["reception"], "extend", {"days": 10, "reason": "x"}, status=403)
    once = wf.run("extend", actor=pet["head"], petition_id=once.pk,
                  data={"days": 30, "reason": "Xác minh nhiều nơi", "decision_number": "12/QĐ"})
    assert once.extensions == 1 and once.due_at == eod(2027, 1, 30)
    ext = Extension.objects.get(petition=once)
    assert (ext.number, ext.days, ext.old_due_at, ext.new_due_at) == (
        1, 30, eod(2026, 12, 31), eod(2027, 1, 30))
    assert once.deadlines.get(step="resolution").due_at == eod(2027, 1, 30)
    item = WorkItem.objects.get(pk=once.deadlines.get(step="resolution").work_item_id)
    assert item.due_at == eod(2027, 1, 30)
    assert once.slips.filter(form="tc_01").count() == 1
    refused(once, pet["head"], "extend", {"days": 5, "reason": "x"}, status=409,
            code="extension_not_allowed")

    twice = accepted(make_petition, pet, complexity_reasons=["places", "foreign"])
    for _ in range(2):
        twice = wf.run("extend", actor=pet["head"], petition_id=twice.pk,
                       data={"days": 30, "reason": "Đặc biệt phức tạp"})
    assert twice.extensions == 2 and twice.due_at == eod(2027, 3, 1)  # 90 days in all
    refused(twice, pet["head"], "extend", {"days": 1, "reason": "x"}, status=409,
            code="extension_not_allowed")


# --- suspend / resume ---------------------------------------------------------------------------


def test_suspension_moves_the_deadline_by_the_paused_time(make_petition, pet, clock):
    clock(at(2026, 12, 1, 9))
    p = accepted(make_petition, pet, kind="complaint")
    assert p.due_at == eod(2026, 12, 31)
    clock(at(2026, 12, 10, 9))
    refused(p, pet["head"], "suspend", {}, status=422)
    p = wf.run("suspend", actor=pet["head"], petition_id=p.pk,
               data={"reason": "Chờ kết quả giám định"})
    assert p.state == S.SUSPENDED
    refused(p, pet["head"], "resolve", {"summary": "x"}, status=409, code="invalid_state")
    clock(at(2026, 12, 22, 15))
    p = wf.run("resume", actor=pet["head"], petition_id=p.pk, data={})
    assert p.state == S.ACCEPTED and p.due_at == eod(2027, 1, 12)  # 12 days paused
    assert p.deadlines.get(step="resolution").due_at == eod(2027, 1, 12)
    refused(p, pet["head"], "resume", {}, status=409, code="invalid_state")
    d = accepted(make_petition, pet)
    refused(d, pet["head"], "suspend", {"reason": "x"}, status=409, code="not_applicable")


# --- resolve / close / withdraw / file ----------------------------------------------------------


def test_resolve_on_time_and_late_then_close(make_petition, pet, clock):
    clock(at(2026, 12, 1, 9))
    p = accepted(make_petition, pet)
    refused(p, pet["head"], "resolve", {}, status=422)
    e = refused(p, pet["head"], "resolve", {"summary": "Kết luận", "document_id": 999999},
                status=422)
    assert "document_id" in e.fields
    refused(p, pet["handler"], "resolve", {"summary": "Kết luận"}, status=403)
    clock(at(2026, 12, 30, 9))
    p = wf.run("resolve", actor=pet["head"], petition_id=p.pk,
               data={"summary": "Kết luận nội dung tố cáo: đúng một phần"})
    assert p.state == S.RESOLVED and p.outcome == "on_time"
    assert p.deadlines.get(step="resolution").outcome == "on_time"
    p = wf.run("close", actor=pet["head"], petition_id=p.pk, data={})
    assert p.state == S.CLOSED and p.closed_at == at(2026, 12, 30, 9)
    refused(p, pet["head"], "close", {}, status=409, code="invalid_state")

    clock(at(2026, 12, 1, 9))
    late = accepted(make_petition, pet)
    clock(at(2027, 1, 4, 9))
    late = wf.run("resolve", actor=pet["head"], petition_id=late.pk, data={"summary": "KL"})
    assert late.outcome == "late" and late.deadlines.get(step="resolution").outcome == "late"


def test_resolve_links_an_issued_document(make_petition, pet, clock):
    from egov.documents.models import DocumentType, OutgoingDocument, OutgoingState

    def outgoing(state, number):
        return OutgoingDocument.objects.create(
            agency=pet["commune"], drafting_unit=pet["commune"], drafter=pet["head"],
            doc_type=DocumentType.objects.get(code="QD"), signer=pet["head"],
            subject="Kết luận nội dung tố cáo", state=state, year=2026, number=number,
            notation="QĐ-UBND", code=f"{number}/QĐ-UBND", issued_date=dt.date(2026, 12, 1))

    issued = outgoing(OutgoingState.ISSUED, 15)
    draft = outgoing(OutgoingState.DRAFT, 16)
    other = OutgoingDocument.objects.create(
        agency=pet["other"], drafting_unit=pet["other"], drafter=pet["other_head"],
        doc_type=DocumentType.objects.get(code="QD"), signer=pet["other_head"],
        subject="Văn bản xã khác", state=OutgoingState.ISSUED, code="1/QĐ-UBND")
    p = accepted(make_petition, pet)
    for doc in (draft, other):  # not issued; not visible to the actor
        e = refused(p, pet["head"], "resolve", {"summary": "KL", "document_id": doc.pk},
                    status=422)
        assert "document_id" in e.fields
    p = wf.run("resolve", actor=pet["head"], petition_id=p.pk,
               data={"summary": "KL", "document_id": issued.pk})
    assert p.result_document_id == issued.pk
    assert p.events.get(kind="resolve").details["document_code"] == "15/QĐ-UBND"


def test_withdraw_and_close(make_petition, pet, clock):
    p = accepted(make_petition, pet)
    refused(p, pet["reception"], "withdraw", {}, status=422)
    refused(p, pet["handler"], "withdraw", {"reason": "x"}, status=403)
    p = wf.run("withdraw", actor=pet["reception"], petition_id=p.pk,
               data={"reason": "Người tố cáo rút đơn"})
    assert p.state == S.WITHDRAWN
    assert WorkItem.objects.get(pk=p.deadlines.get(step="resolution").work_item_id).state == \
        WorkState.CANCELLED
    p = wf.run("close", actor=pet["reception"], petition_id=p.pk, data={})
    assert p.state == S.CLOSED


def test_file_refusals(make_petition, pet, clock):
    p = classify(make_petition(), pet["reception"])
    refused(p, pet["reception"], "file", {}, status=422)
    e = refused(p, pet["reception"], "file", {"reason": "x", "management_check": True},
                status=422)
    assert "management_check" in e.fields
    refused(p, pet["handler"], "file", {"reason": "x"}, status=403)
    p = wf.run("accept", actor=pet["head"], petition_id=p.pk, data={})
    refused(p, pet["reception"], "file", {"reason": "x"}, status=409, code="invalid_state")


# --- second instance ----------------------------------------------------------------------------


@pytest.fixture
def province_officer(make_user, org):
    return make_user("tiepdantinh", org["province"], "petition_officer")


def test_reopen_at_the_next_level_within_30_days(make_petition, pet, clock, province_officer,
                                                 org):
    clock(at(2026, 11, 2, 9))
    p = accepted(make_petition, pet, kind="complaint")
    clock(at(2026, 11, 20, 9))
    p = wf.run("resolve", actor=pet["head"], petition_id=p.pk, data={"summary": "QĐ lần đầu"})
    clock(at(2026, 12, 21, 9))  # 31 days after receipt of the decision on 20/11
    refused(p, province_officer, "reopen",
            {"agency_id": org["province"].pk, "decision_received_on": "2026-11-20"},
            status=409, code="second_instance_late")
    refused(p, pet["reception"], "reopen",
            {"agency_id": org["province"].pk, "decision_received_on": "2026-11-20"},
            status=403)
    refused(p, province_officer, "reopen",
            {"agency_id": org["province"].pk}, status=422)
    clock(at(2026, 12, 18, 9))
    new = wf.run("reopen", actor=province_officer, petition_id=p.pk,
                 data={"agency_id": org["province"].pk, "decision_received_on": "2026-11-20"})
    assert new.pk != p.pk and new.instance == 2 and new.previous_id == p.pk
    assert new.agency_id == org["province"].pk and new.kind == "complaint"
    assert new.state == S.RECEIVED and new.received_by_id == province_officer.pk
    assert Petition.objects.get(pk=p.pk).events.filter(kind="reopen").exists()
    assert new.identity.full_name == IDENTITY["full_name"]
    refused(p, province_officer, "reopen",
            {"agency_id": org["province"].pk, "decision_received_on": "2026-11-20"},
            status=409, code="already_reopened")
    # at the second instance: 45 days from thụ lý (Luật KN Art.37)
    new = classify(new, province_officer, kind="complaint")
    head = pet["head"]  # the commune chairman has no grant at the province
    refused(new, head, "accept", {}, status=403)


def test_reopen_refusals(make_petition, pet, clock, province_officer, org):
    d = accepted(make_petition, pet)  # a denunciation has no second instance
    refused(d, province_officer, "reopen",
            {"agency_id": org["province"].pk, "decision_received_on": "2026-11-20"},
            status=409, code="invalid_state")
    c = accepted(make_petition, pet, kind="complaint")
    e = refused(c, pet["reception"], "reopen",
                {"agency_id": pet["commune"].pk, "decision_received_on": "2026-11-20"},
                status=422)
    assert "agency_id" in e.fields


# --- messages to the petitioner -----------------------------------------------------------------


def test_petitioner_is_told_code_status_and_dates_only(make_petition, pet, clock,
                                                      monkeypatch):
    clock(at(2026, 12, 1, 9))
    p = accepted(make_petition, pet, complexity_reasons=["places"])
    p = wf.run("extend", actor=pet["head"], petition_id=p.pk, data={"days": 20, "reason": "x"})
    p = wf.run("resolve", actor=pet["head"], petition_id=p.pk, data={"summary": "KL"})
    p = wf.run("close", actor=pet["head"], petition_id=p.pk, data={})
    # (the satisfaction question after closing is the reports part's, tested there)
    msgs = list(OutboundMessage.objects.filter(module="petitions")
                .exclude(template_code="petitions.satisfaction").order_by("id"))
    assert {m.template_code for m in msgs} == {"petitions.accepted", "petitions.extended",
                                               "petitions.resolved", "petitions.closed"}
    assert {m.channel for m in msgs} == {"email", "sms"}
    assert {m.recipient for m in msgs if m.channel == "email"} == {IDENTITY["email"]}
    for m in msgs:
        text = f"{m.subject}\n{m.body}"
        assert p.code in text
        for secret in ("Trần", "Ngọc", "001199012345", "Lê Văn Hùng", "hợp thức hóa",
                       "Lê Lợi"):
            assert secret not in text, (m.template_code, text)
    ext = next(m for m in msgs if m.template_code == "petitions.extended"
               and m.channel == "email")
    assert "20" in ext.body and "20/01/2027" in ext.body
    # a change that rolls back (here: its audit write fails) leaves no message behind
    before = OutboundMessage.objects.count()
    q = classify(make_petition(), pet["reception"])
    from egov.petitions.services import flow

    def broken(**kwargs):
        raise RuntimeError("audit down")

    monkeypatch.setattr(flow, "audit_log", broken)
    with pytest.raises(RuntimeError):
        wf.run("accept", actor=pet["head"], petition_id=q.pk, data={})
    assert OutboundMessage.objects.count() == before
    assert Petition.objects.get(pk=q.pk).state == S.CLASSIFIED


def test_anonymous_petitioner_without_contact_gets_nothing(make_petition, pet, clock):
    p = make_petition(identity={"full_name": "", "personal_id": "", "phone": "", "email": "",
                                "address": ""}, content="Tố cáo cán bộ X nhận hối lộ")
    p = classify(p, pet["reception"], competent=False)
    wf.run("transfer", actor=pet["head"], petition_id=p.pk, data={"to": "Công an"})
    assert not OutboundMessage.objects.filter(module="petitions").exists()
    assert PetitionSlip.objects.filter(petition=p, form="transfer").exists()
