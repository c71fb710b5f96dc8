"""Outgoing documents: drafting, versions, review order, issuing, recall and replacement
(services)."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from egov.core.errors import AppError, InvalidInput, PermissionDenied
from egov.core.models import AuditEvent, OrgUnit, OrgUnitKind, StoredFile, WorkItem, WorkState
from egov.documents.models import (
    Approval,
    DocumentEvent,
    IncomingState,
    OutgoingDocument,
    OutgoingState,
)
from egov.documents.selectors import outgoing as sel
from egov.documents.services import outgoing as svc
from tests.documents.test_outgoing_support import (
    advance,
    approve,
    approved,
    db_counts,
    issued,
    make_draft,
    pdf_upload,
)

pytestmark = pytest.mark.django_db


def _items(doc, kind=None, state=WorkState.OPEN):
    qs = WorkItem.objects.filter(subject_type=ContentType.objects.get_for_model(OutgoingDocument),
                                 subject_id=str(doc.pk), state=state)
    return qs.filter(kind=kind) if kind else qs


# --- drafting -----------------------------------------------------------------------------------


def test_create_draft_records_version_recipients_and_trail(docs_org):
    o = docs_org
    doc = make_draft(o, recipients=[{"unit_id": o["justice"].pk},
                                    {"name": "Công ty TNHH Ánh Dương", "email": "ad@example.com"},
                                    {"name": "Báo Thử Nghiệm"}],
                     attachments=[("phu-luc.pdf", pdf_upload("phu-luc")[1])], copies=3,
                     due_date=(timezone.localdate().replace(year=timezone.localdate().year + 1))
                     .isoformat(), urgency="urgent")
    assert doc.state == OutgoingState.DRAFT
    assert doc.agency == o["province"] and doc.drafting_unit == o["economy"]
    assert doc.drafter == o["officer"] and doc.signer == o["leader"]
    assert doc.signer_position == "Chủ tịch"  # taken from the signer's post
    assert doc.field_abbreviation == "KT"  # the drafting unit's abbreviation
    assert doc.number is None and doc.code == "" and doc.issued_date is None  # Điều 15.3
    version = doc.versions.get()
    assert version.number == 1 and version.file.content_type == "application/pdf"
    assert version.pdf_id == version.file_id  # a PDF draft is its own PDF
    recipients = list(doc.recipients.order_by("id").values_list("unit_id", "name", "email"))
    assert recipients == [(o["justice"].pk, "Sở Tư pháp", ""),
                          (None, "Công ty TNHH Ánh Dương", "ad@example.com"),
                          (None, "Báo Thử Nghiệm", "")]
    assert doc.attachments.get().title == "phu-luc.pdf"
    assert doc.copies == 3 and doc.urgency == "urgent"
    assert list(DocumentEvent.objects.filter(outgoing=doc).values_list("action", flat=True)) == [
        "drafted"]
    assert AuditEvent.objects.filter(action="documents.outgoing.create",
                                     object_id=str(doc.pk)).exists()
    assert not DBTaskResult.objects.filter(  # nothing to convert
        task_path="egov.documents.tasks.convert_draft_version").exists()


def test_docx_draft_is_converted_by_a_slow_job(docs_org, django_capture_on_commit_callbacks):
    from tests.documents.test_outgoing_conversion import make_docx

    with django_capture_on_commit_callbacks(execute=True):
        doc = make_draft(docs_org, file=("du-thao.docx", make_docx("Quyết định")))
    version = doc.versions.get()
    assert version.pdf_id is None and version.file.content_type.endswith("document")
    task = DBTaskResult.objects.get(task_path="egov.documents.tasks.convert_draft_version")
    assert task.queue_name == "slow" and task.args_kwargs["args"] == [version.pk]


@pytest.mark.parametrize("data, field", [
    ({"type_code": "XX"}, "type_code"),
    ({"subject": "  "}, "subject"),
    ({"signer_id": None}, "signer_id"),
    ({"signer_id": "abc"}, "signer_id"),
    ({"urgency": "asap"}, "urgency"),
    ({"signer_capacity": "XYZ"}, "signer_capacity"),
    ({"due_date": "2020-01-01"}, "due_date"),
    ({"due_date": "31/12/2030"}, "due_date"),
    ({"recipients": "Sở Tư pháp"}, "recipients"),
    ({"recipients": [{"name": "A", "email": "not-an-email"}]}, "recipients.0.email"),
    ({"recipients": [{"unit_id": 999999}]}, "recipients"),
    ({"in_reply_to": [999999]}, "in_reply_to"),
    ({"copies": 0}, "copies"),
    ({"surprise": 1}, "__all__"),
])
def test_create_refuses_bad_data_and_writes_nothing(docs_org, data, field):
    before = db_counts()
    with pytest.raises(InvalidInput) as exc:
        make_draft(docs_org, **data)
    assert field in exc.value.fields
    assert db_counts() == before


def test_signer_must_sign_for_the_agency(docs_org):
    o = docs_org
    for signer in (o["unit_head"], o["justice_leader"]):
        with pytest.raises(InvalidInput) as exc:
            make_draft(o, signer_id=signer.pk)
        assert "signer_id" in exc.value.fields


def test_recipient_inside_the_issuing_agency_is_refused(docs_org):
    with pytest.raises(InvalidInput) as exc:
        make_draft(docs_org, recipients=[{"unit_id": docs_org["office"].pk}])
    assert "recipients" in exc.value.fields


def test_wrong_file_type_is_refused_before_anything_is_written(docs_org):
    before = db_counts()
    with pytest.raises(InvalidInput) as exc:
        make_draft(docs_org, file=("du-thao.pdf", b"plain text, not a PDF"))
    assert exc.value.code == "file_type" and "file" in exc.value.fields
    with pytest.raises(InvalidInput) as exc:
        make_draft(docs_org, attachments=[("a.exe", b"MZ\x90\x00binary\x00")])
    assert "attachments" in exc.value.fields
    assert db_counts() == before


def test_secret_content_is_refused(docs_org):
    with pytest.raises(InvalidInput) as exc:
        make_draft(docs_org, secrecy="secret")
    assert exc.value.code == "secret_document"


def test_cong_van_needs_a_field_abbreviation_when_the_unit_has_none(docs_org, make_user):
    o = docs_org
    # A drafter in the agency itself: no division abbreviation to fall back on.
    drafter = make_user("cv-agency", o["province"], "officer")
    with pytest.raises(InvalidInput) as exc:
        make_draft(o, actor=drafter, type_code="CV")
    assert "field_abbreviation" in exc.value.fields
    doc = make_draft(o, actor=drafter, type_code="CV", field_abbreviation="vp")
    assert doc.field_abbreviation == "VP"


def test_drafting_needs_the_draft_permission(docs_org, make_user):
    outsider = make_user("nobody", docs_org["economy"])  # a post without roles
    with pytest.raises(PermissionDenied):
        make_draft(docs_org, actor=outsider)
    with pytest.raises(PermissionDenied):
        make_draft(docs_org, actor=make_user("noposts"))


# --- review -------------------------------------------------------------------------------------


def test_review_goes_content_format_signer_in_that_order(docs_org):
    o = docs_org
    doc = make_draft(o)
    with pytest.raises(AppError) as exc:  # not submitted yet
        svc.outgoing_review(actor=o["unit_head"], document=doc, step="content",
                            decision="approved")
    assert exc.value.code == "wrong_state"
    svc.outgoing_submit(actor=o["officer"], document=doc)
    assert doc.state == OutgoingState.IN_REVIEW
    assert [i.assignee_user for i in _items(doc, "outgoing.review_content")] == [o["unit_head"]]

    with pytest.raises(AppError) as exc:
        svc.outgoing_review(actor=o["clerk"], document=doc, step="format", decision="approved")
    assert exc.value.code == "wrong_step" and exc.value.status == 409
    with pytest.raises(PermissionDenied):  # the officer cannot approve content
        svc.outgoing_review(actor=o["officer2"], document=doc, step="content",
                            decision="approved")

    svc.outgoing_review(actor=o["unit_head"], document=doc, step="content", decision="approved")
    assert _items(doc, "outgoing.review_content", WorkState.DONE).count() == 1
    assert [i.assignee_user for i in _items(doc, "outgoing.review_format")] == [o["clerk"]]
    with pytest.raises(AppError) as exc:
        svc.outgoing_review(actor=o["leader"], document=doc, step="signer", decision="approved")
    assert exc.value.code == "wrong_step"

    svc.outgoing_review(actor=o["clerk"], document=doc, step="format", decision="approved")
    assert [i.assignee_user for i in _items(doc, "outgoing.review_signer")] == [o["leader"]]
    with pytest.raises(PermissionDenied):  # another leader is not the named signer
        svc.outgoing_review(actor=o["justice_leader"], document=doc, step="signer",
                            decision="approved")

    svc.outgoing_review(actor=o["leader"], document=doc, step="signer", decision="approved")
    doc.refresh_from_db()
    assert doc.state == OutgoingState.APPROVED
    assert [i.assignee_user for i in _items(doc, "outgoing.issue")] == [o["clerk"]]
    assert list(doc.approvals.order_by("at").values_list("step", "by__username")) == [
        ("content", "truongphong"), ("format", "vanthu"), ("signer", "chutich")]
    signer_event = DocumentEvent.objects.filter(outgoing=doc, action="approved").last()
    assert signer_event.details["step"] == "signer"
    assert signer_event.details["digital_signature"] is False  # issue 4 signs


def test_return_needs_a_comment_and_a_new_version(docs_org):
    o = docs_org
    doc = make_draft(o)
    svc.outgoing_submit(actor=o["officer"], document=doc)
    svc.outgoing_review(actor=o["unit_head"], document=doc, step="content", decision="approved")
    with pytest.raises(InvalidInput) as exc:
        svc.outgoing_review(actor=o["clerk"], document=doc, step="format", decision="returned")
    assert "comment" in exc.value.fields
    svc.outgoing_review(actor=o["clerk"], document=doc, step="format", decision="returned",
                        comment="Sai thể thức: thiếu nơi nhận.")
    doc.refresh_from_db()
    assert doc.state == OutgoingState.RETURNED
    revise = _items(doc, "outgoing.revise").get()
    assert revise.assignee_user == o["officer"]
    assert not _items(doc, "outgoing.review_format").exists()
    event = DocumentEvent.objects.filter(outgoing=doc, action="returned").get()
    assert event.details["reason"] == "Sai thể thức: thiếu nơi nhận."

    with pytest.raises(AppError) as exc:
        svc.outgoing_submit(actor=o["officer"], document=doc)
    assert exc.value.code == "new_version_required"

    version = svc.outgoing_add_version(actor=o["officer"], document=doc, file=pdf_upload("v2"),
                                       note="Bổ sung nơi nhận")
    assert version.number == 2 and doc.state == OutgoingState.RETURNED
    svc.outgoing_submit(actor=o["officer"], document=doc)
    revise.refresh_from_db()
    assert revise.state == WorkState.DONE
    # The content approval of version 1 does not carry over: the review starts again.
    assert sel.review_next_step(doc) == "content"


def test_new_version_resets_the_approvals(docs_org):
    o = docs_org
    doc = make_draft(o)
    svc.outgoing_submit(actor=o["officer"], document=doc)
    svc.outgoing_review(actor=o["unit_head"], document=doc, step="content", decision="approved")
    svc.outgoing_review(actor=o["clerk"], document=doc, step="format", decision="approved")
    assert sel.review_next_step(doc) == "signer"
    # The signer corrects the draft himself (Điều 10): any change goes back through review.
    svc.outgoing_add_version(actor=o["leader"], document=doc, file=pdf_upload("v2"))
    doc.refresh_from_db()
    assert doc.state == OutgoingState.IN_REVIEW
    assert sel.review_next_step(doc) == "content"
    assert not _items(doc, "outgoing.review_signer").exists()
    assert _items(doc, "outgoing.review_content").count() == 1
    assert Approval.objects.filter(document=doc).count() == 2  # kept, no longer current
    assert sel.current_approvals(doc) == {}
    # ... also after the signer's approval.
    approve_rest = [("content", o["unit_head"]), ("format", o["clerk"]), ("signer", o["leader"])]
    for step, actor in approve_rest:
        svc.outgoing_review(actor=actor, document=doc, step=step, decision="approved")
    doc.refresh_from_db()
    assert doc.state == OutgoingState.APPROVED
    svc.outgoing_add_version(actor=o["officer"], document=doc, file=pdf_upload("v3"))
    doc.refresh_from_db()
    assert doc.state == OutgoingState.IN_REVIEW and sel.review_next_step(doc) == "content"
    assert not _items(doc, "outgoing.issue").exists()


def test_only_the_drafter_or_reviewers_add_versions(docs_org):
    o = docs_org
    doc = make_draft(o)
    with pytest.raises(PermissionDenied):
        svc.outgoing_add_version(actor=o["officer2"], document=doc, file=pdf_upload())
    with pytest.raises(PermissionDenied):
        svc.outgoing_submit(actor=o["officer2"], document=doc)


def test_comments_on_versions(docs_org):
    o = docs_org
    doc = make_draft(o)
    version = doc.versions.get()
    comment = svc.outgoing_comment(actor=o["unit_head"], document=doc, version=version,
                                   text="Đề nghị rà soát lại căn cứ pháp lý.")
    assert comment.version == version and comment.author == o["unit_head"]
    with pytest.raises(InvalidInput):
        svc.outgoing_comment(actor=o["unit_head"], document=doc, text="  ")
    from egov.core.errors import NotFound

    with pytest.raises(NotFound):  # cannot see the draft
        svc.outgoing_comment(actor=o["justice_clerk"], document=doc, text="?")


# --- issuing ------------------------------------------------------------------------------------


def test_issue_numbers_dates_and_registers(docs_org):
    o = docs_org
    doc = approved(o)
    svc.outgoing_issue(actor=o["clerk"], document=doc, medium="paper")
    doc.refresh_from_db()
    today = timezone.localdate()
    assert (doc.state, doc.number, doc.notation, doc.code) == ("issued", 1, "QĐ-UBND",
                                                               "01/QĐ-UBND")
    assert doc.issued_date == today and doc.year == today.year
    assert doc.issued_by == o["clerk"] and doc.register.kind == "shared"
    # issued as paper (no digital signature): the PDF kept is the version's PDF with the number
    # and date written in (issue 9 §1)
    assert doc.medium == "paper" and doc.issued_file.derivation == "paper_copy"
    assert doc.issued_file.derived_from == doc.versions.get().pdf
    assert not _items(doc).exists()  # every open item is closed
    assert AuditEvent.objects.filter(action="documents.outgoing.issue",
                                     object_id=str(doc.pk)).get().details["code"] == "01/QĐ-UBND"
    with pytest.raises(AppError) as exc:
        svc.outgoing_issue(actor=o["clerk"], document=doc, medium="paper")
    assert exc.value.code == "wrong_state"


def test_leading_zero_only_below_ten(docs_org):
    o = docs_org
    advance(o["province"], "QD", 8)
    assert issued(o).code == "09/QĐ-UBND"
    assert issued(o).code == "10/QĐ-UBND"


def test_notation_of_a_cong_van(docs_org):
    o = docs_org
    advance(o["province"], "CV", 11)
    doc = issued(o, type_code="CV", field_abbreviation="VP",
                 subject="V/v rà soát thủ tục hành chính")
    assert doc.code == "12/UBND-VP" and doc.notation == "UBND-VP"


def test_notation_of_a_copy_has_its_own_series(docs_org):
    o = docs_org
    issued(o)  # 01/QĐ-UBND in the shared series
    advance(o["province"], "SY", 6)
    doc = issued(o, type_code="SY", subject="Bản sao y Quyết định số 01/QĐ-UBND")
    assert doc.code == "07/SY-UBND" and doc.register.kind == "copy"
    # Every kind of copy shares that series.
    assert issued(o, type_code="TRS", subject="Bản trích sao").code == "08/TrS-UBND"


def test_notation_of_a_legal_normative_document(docs_org):
    o = docs_org
    year = timezone.localdate().year
    advance(o["province"], "QD_QPPL", 14)
    doc = issued(o, type_code="QD_QPPL", subject="Quyết định ban hành Quy chế làm việc")
    assert doc.code == f"15/{year}/QĐ-UBND" and doc.register.kind == "legal_normative"
    assert doc.register.year_in_notation
    # An administrative Quyết định keeps its own series: 01, not 16.
    assert issued(o).code == "01/QĐ-UBND"


def test_numbering_restarts_on_the_first_of_january(docs_org, monkeypatch):
    from tests.documents.test_outgoing_support import local

    o = docs_org
    first = approved(o)
    second = approved(o)
    third = approved(o)
    monkeypatch.setattr(timezone, "now", lambda: local(2026, 12, 31, 16, 59))
    svc.outgoing_issue(actor=o["clerk"], document=first, medium="paper")
    svc.outgoing_issue(actor=o["clerk"], document=second, medium="paper")
    # 00:30 on 1 January in Vietnam is still 31 December in UTC: the local year counts.
    monkeypatch.setattr(timezone, "now", lambda: local(2027, 1, 1, 0, 30))
    svc.outgoing_issue(actor=o["clerk"], document=third, medium="paper")
    rows = {d.pk: (d.code, d.year, d.issued_date.isoformat())
            for d in OutgoingDocument.objects.filter(pk__in=[first.pk, second.pk, third.pk])}
    assert rows[first.pk] == ("01/QĐ-UBND", 2026, "2026-12-31")
    assert rows[second.pk] == ("02/QĐ-UBND", 2026, "2026-12-31")
    assert rows[third.pk] == ("01/QĐ-UBND", 2027, "2027-01-01")


def test_cong_van_without_field_abbreviation_is_refused_at_issue(docs_org):
    o = docs_org
    doc = approved(o, type_code="CV", field_abbreviation="VP")
    OutgoingDocument.objects.filter(pk=doc.pk).update(field_abbreviation="")
    doc.refresh_from_db()
    before = db_counts()
    with pytest.raises(InvalidInput) as exc:
        svc.outgoing_issue(actor=o["clerk"], document=doc, medium="paper")
    assert exc.value.code == "field_abbreviation" and "field_abbreviation" in exc.value.fields
    assert db_counts() == before
    doc.refresh_from_db()
    assert doc.state == OutgoingState.APPROVED and doc.number is None


def test_issue_needs_the_issue_permission_of_the_agency(docs_org):
    o = docs_org
    doc = approved(o)
    for actor in (o["officer"], o["unit_head"], o["leader"], o["justice_clerk"]):
        with pytest.raises(PermissionDenied):
            svc.outgoing_issue(actor=actor, document=doc, medium="paper")
    doc.refresh_from_db()
    assert doc.state == OutgoingState.APPROVED


def test_an_unapproved_draft_cannot_be_issued(docs_org):
    o = docs_org
    doc = make_draft(o)
    with pytest.raises(AppError) as exc:
        svc.outgoing_issue(actor=o["clerk"], document=doc, medium="paper")
    assert exc.value.code == "wrong_state"


def test_signing_seam_marks_the_document_signed(docs_org):
    o = docs_org
    doc = approved(o)
    signed = StoredFile.objects.get(pk=doc.versions.get().pdf_id)
    with pytest.raises(PermissionDenied):
        svc.outgoing_mark_signed(actor=o["clerk"], document=doc, signed_file=signed)
    svc.outgoing_mark_signed(actor=o["leader"], document=doc, signed_file=signed)
    assert doc.state == OutgoingState.SIGNED and doc.signed_file == signed
    assert [d.pk for d in sel.outgoing_clerk_queue(actor=o["clerk"]).items] == [doc.pk]
    svc.outgoing_issue(actor=o["clerk"], document=doc, medium="paper")
    event = DocumentEvent.objects.get(outgoing=doc, action="issued")
    assert event.details["digital_signature"] is True


def test_advisory_body_has_its_own_series_and_notation(docs_org):
    from egov.documents.services.registers import register_create

    o = docs_org
    register_create(actor=o["clerk"], agency=o["province"], kind="advisory",
                    name="Sổ văn bản Hội đồng thi đua khen thưởng", issuer_abbreviation="HĐTĐKT")
    issued(o)  # 01/QĐ-UBND
    doc = issued(o, advisory_body="HĐTĐKT", subject="Quyết định của Hội đồng")
    assert doc.code == "01/QĐ-HĐTĐKT" and doc.register.kind == "advisory"
    with pytest.raises(InvalidInput) as exc:
        make_draft(o, advisory_body="KHONGCO")
    assert exc.value.code == "invalid" and "advisory_body" in exc.value.fields


# --- recall and replacement ---------------------------------------------------------------------


def test_recall_freezes_the_document(docs_org, django_capture_on_commit_callbacks):
    o = docs_org
    with django_capture_on_commit_callbacks(execute=True):
        doc = issued(o, recipients=[{"unit_id": o["justice"].pk}])
    incoming = doc.recipients.get().delivered_incoming
    assert incoming is not None and incoming.state != IncomingState.CANCELLED
    with pytest.raises(PermissionDenied):
        svc.outgoing_recall(actor=o["officer"], document=doc, reason="Sai nội dung")
    with pytest.raises(InvalidInput):
        svc.outgoing_recall(actor=o["clerk"], document=doc, reason="")
    with django_capture_on_commit_callbacks(execute=True):
        svc.outgoing_recall(actor=o["clerk"], document=doc, reason="Sai căn cứ pháp lý")
    doc.refresh_from_db()
    assert doc.state == OutgoingState.RECALLED and doc.recall_reason == "Sai căn cứ pháp lý"
    assert doc.code == "01/QĐ-UBND" and doc.issued_date  # the metadata is kept
    incoming.refresh_from_db()
    assert incoming.state == IncomingState.CANCELLED
    assert incoming.cancel_reason == "Sai căn cứ pháp lý"
    assert doc.recipients.get().cancelled_at is not None

    version = doc.versions.get()
    attempts = [
        lambda: svc.outgoing_add_version(actor=o["officer"], document=doc, file=pdf_upload()),
        lambda: svc.outgoing_comment(actor=o["officer"], document=doc, version=version,
                                     text="?"),
        lambda: svc.outgoing_submit(actor=o["officer"], document=doc),
        lambda: svc.outgoing_review(actor=o["unit_head"], document=doc, step="content",
                                    decision="approved"),
        lambda: svc.outgoing_issue(actor=o["clerk"], document=doc, medium="paper"),
        lambda: svc.outgoing_recall(actor=o["clerk"], document=doc, reason="lần nữa"),
        lambda: svc.outgoing_retry_dispatch(actor=o["clerk"], document=doc),
        lambda: svc.outgoing_update(actor=o["officer"], document=doc, data={"subject": "x"}),
        lambda: svc.outgoing_mark_signed(actor=o["leader"], document=doc),
    ]
    before = db_counts()
    for attempt in attempts:
        with pytest.raises(AppError) as exc:
            attempt()
        assert exc.value.code == "frozen", attempt
    assert db_counts() == before


def test_replacement_replaces_on_issue(docs_org, django_capture_on_commit_callbacks):
    o = docs_org
    with django_capture_on_commit_callbacks(execute=True):
        old = issued(o, recipients=[{"unit_id": o["justice"].pk}])
    old_copy = old.recipients.get().delivered_incoming
    with pytest.raises(InvalidInput) as exc:  # same form as the replaced document
        make_draft(o, replaces_id=old.pk, type_code="TB")
    assert "type_code" in exc.value.fields
    new = make_draft(o, replaces_id=old.pk, subject="Quyết định thay thế")
    assert new.replaces == old
    assert [r.unit_id for r in new.recipients.all()] == [o["justice"].pk]  # copied over
    approve(o, new)
    with django_capture_on_commit_callbacks(execute=True):
        svc.outgoing_issue(actor=o["clerk"], document=new, medium="paper")
    old.refresh_from_db()
    new.refresh_from_db()
    assert new.code == "02/QĐ-UBND" and old.state == OutgoingState.REPLACED
    old_copy.refresh_from_db()
    assert old_copy.state == IncomingState.CANCELLED and "02/QĐ-UBND" in old_copy.cancel_reason
    new_copy = new.recipients.get().delivered_incoming
    assert new_copy.state != IncomingState.CANCELLED and new_copy.source == new
    with pytest.raises(AppError) as exc:
        svc.outgoing_add_version(actor=o["officer"], document=old, file=pdf_upload())
    assert exc.value.code == "frozen"


def test_replace_links_an_existing_draft(docs_org):
    o = docs_org
    old = issued(o)
    draft = make_draft(o, subject="Bản thay thế")
    with pytest.raises(PermissionDenied):
        svc.outgoing_replace(actor=o["officer"], document=old, new_document=draft)
    svc.outgoing_replace(actor=o["clerk"], document=old, new_document=draft)
    draft.refresh_from_db()
    assert draft.replaces == old
    other = make_draft(o, type_code="TB", subject="Thông báo")
    with pytest.raises(InvalidInput):
        svc.outgoing_replace(actor=o["clerk"], document=old, new_document=other)


def test_update_a_draft(docs_org):
    o = docs_org
    doc = make_draft(o)
    svc.outgoing_update(actor=o["officer"], document=doc,
                        data={"subject": "Trích yếu mới", "recipients": [
                            {"unit_id": o["finance"].pk}]})
    doc.refresh_from_db()
    assert doc.subject == "Trích yếu mới"
    assert [r.unit_id for r in doc.recipients.all()] == [o["finance"].pk]
    with pytest.raises(PermissionDenied):
        svc.outgoing_update(actor=o["unit_head"], document=doc, data={"subject": "x"})
    svc.outgoing_submit(actor=o["officer"], document=doc)
    with pytest.raises(AppError) as exc:
        svc.outgoing_update(actor=o["officer"], document=doc, data={"subject": "x"})
    assert exc.value.code == "wrong_state"


# --- selectors ----------------------------------------------------------------------------------


def test_review_queue_shows_what_waits_for_each_reviewer(docs_org):
    o = docs_org
    doc = make_draft(o)

    def queue(user):
        return [d.pk for d in sel.outgoing_review_queue(actor=user).items]

    assert queue(o["unit_head"]) == []
    svc.outgoing_submit(actor=o["officer"], document=doc)
    assert queue(o["unit_head"]) == [doc.pk] and queue(o["clerk"]) == []
    svc.outgoing_review(actor=o["unit_head"], document=doc, step="content", decision="approved")
    assert queue(o["unit_head"]) == [] and queue(o["clerk"]) == [doc.pk]
    assert queue(o["leader"]) == []
    svc.outgoing_review(actor=o["clerk"], document=doc, step="format", decision="approved")
    assert queue(o["clerk"]) == [] and queue(o["leader"]) == [doc.pk]
    assert queue(o["justice_leader"]) == []
    svc.outgoing_review(actor=o["leader"], document=doc, step="signer", decision="approved")
    assert queue(o["leader"]) == []
    assert [d.pk for d in sel.outgoing_clerk_queue(actor=o["clerk"]).items] == [doc.pk]
    assert sel.outgoing_clerk_queue(actor=o["justice_clerk"]).items == []


def test_list_visibility_and_keyset_pages(docs_org, django_assert_max_num_queries):
    o = docs_org
    docs = [make_draft(o, subject=f"Dự thảo số {i}") for i in range(5)]
    other = make_draft(o, actor=o["officer2"])
    mine = sel.outgoing_list(actor=o["officer"], limit=3, filters={"mine": True})
    assert [d.pk for d in mine.items] == [d.pk for d in reversed(docs)][:3]
    rest = sel.outgoing_list(actor=o["officer"], limit=3, cursor=mine.next,
                             filters={"mine": True})
    assert [d.pk for d in rest.items] == [docs[1].pk, docs[0].pk] and rest.next is None
    # The officer sees his own drafts only; the unit head sees the unit's; the other agency none.
    assert other.pk not in [d.pk for d in sel.outgoing_list(actor=o["officer"]).items]
    assert other.pk in [d.pk for d in sel.outgoing_list(actor=o["unit_head"]).items]
    assert sel.outgoing_list(actor=o["justice_clerk"]).items == []
    with django_assert_max_num_queries(4):
        page = sel.outgoing_list(actor=o["leader"], limit=50)
        [(d.doc_type.name, d.signer.get_full_name(), d.drafter.pk) for d in page.items]
    with pytest.raises(InvalidInput) as exc:
        sel.outgoing_list(actor=o["leader"], cursor="%%%")
    assert exc.value.code == "bad_cursor"
    with pytest.raises(InvalidInput):
        sel.outgoing_list(actor=o["leader"], filters={"state": "bogus"})


def test_detail_is_a_fixed_number_of_queries(docs_org, django_assert_max_num_queries):
    o = docs_org

    def load(doc):
        d = sel.outgoing_get(actor=o["leader"], document_id=doc.pk)
        return (list(d.versions.all()), list(d.approvals.all()), list(d.comments.all()),
                list(d.recipients.all()), list(d.attachments.all()), sel.review_next_step(d),
                sel.current_approvals(d), sel.latest_version(d))

    small = make_draft(o)
    big = approved(o, recipients=[{"unit_id": o["justice"].pk}, {"unit_id": o["finance"].pk},
                                  {"name": "A", "email": "a@example.com"}])
    for i in range(3):
        svc.outgoing_comment(actor=o["leader"], document=big, text=f"Ý kiến {i}")
    with django_assert_max_num_queries(12) as small_ctx:
        load(small)
    with django_assert_max_num_queries(len(small_ctx.captured_queries)):
        load(big)


def test_action_holders_follow_the_policy(docs_org, make_user):
    o = docs_org
    assert sel.action_holders("documents.review_content", o["economy"]) == [o["unit_head"]]
    assert sel.action_holders("documents.issue", o["province"]) == [o["clerk"]]
    assert sel.action_holders("documents.sign", o["justice"]) == [o["justice_leader"]]
    sub = OrgUnit.objects.create(kind=OrgUnitKind.DIVISION, name="Tổ Kinh tế số",
                                 abbreviation="KTS", parent=o["economy"])
    # "unit" scope covers the units below.
    assert sel.action_holders("documents.review_content", sub) == [o["unit_head"]]

