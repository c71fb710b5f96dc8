"""Incoming documents, services: registration (numbering, validation, secrecy, duplicates,
deadlines, presenting, urgent notices, signature hook), electronic receipt, assignment and
handling, reply, recall, access history."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType

from egov.core.errors import AppError, InvalidInput, PermissionDenied
from egov.core.models import (
    AuditEvent,
    Delegation,
    Notification,
    Position,
    Role,
    Sequence,
    StoredFile,
    WorkItem,
    WorkState,
)
from egov.documents import verification
from egov.documents.models import (
    Assignment,
    DocumentEvent,
    IncomingDocument,
    OutgoingDocument,
    Register,
    RegisterKind,
    UrgencyDeadline,
)
from egov.documents.services import incoming as svc
from tests.documents.conftest import incoming_data, unique_pdf

pytestmark = pytest.mark.django_db

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


@contextmanager
def frozen(*args):
    """Freeze timezone.now() at a Vietnamese local time."""
    when = dt.datetime(*args, tzinfo=HCM)
    with mock.patch("django.utils.timezone.now", return_value=when):
        yield when


def snapshot() -> dict:
    return {
        "documents": IncomingDocument.objects.count(),
        "files": StoredFile.objects.count(),
        "sequences": list(Sequence.objects.values_list("scope", "series", "year", "last_value")),
        "events": DocumentEvent.objects.count(),
        "work": WorkItem.objects.count(),
        "audit": AuditEvent.objects.count(),
        "notifications": Notification.objects.count(),
        "assignments": list(Assignment.objects.values_list("pk", "state")),
        "registers": Register.objects.count(),
    }


def present_items(doc) -> list[WorkItem]:
    ct = ContentType.objects.get_for_model(IncomingDocument)
    return list(WorkItem.objects.filter(subject_type=ct, subject_id=str(doc.pk),
                                        kind=svc.KIND_PRESENT).order_by("pk"))


def assign_lead(doc, actor, unit, **extra):
    return svc.incoming_assign(actor=actor, document=doc, instruction="Đề nghị xử lý",
                               assignments=[{"unit_id": unit.pk, "role": "lead", **extra}])


# --- registration -------------------------------------------------------------------------------


def test_register_fills_the_appendix_fields_and_presents(docs_org, register_incoming):
    doc = register_incoming(number="15", notation="QĐ-UBND", page_count=3,
                            due_date="2026-03-01", description="Bản chụp")
    doc.refresh_from_db()
    assert doc.agency == docs_org["province"]
    assert doc.arrival_number == 1 and doc.code == "15/QĐ-UBND"
    assert doc.state == "presented" and doc.channel == "paper"
    assert doc.register.kind == RegisterKind.INCOMING
    assert doc.register.name == "Sổ đăng ký văn bản đến"
    assert doc.file.content_type == "application/pdf" and doc.file_sha256 == doc.file.sha256
    # egov.signing's verifier checks the PDF: it carries no digital signature
    assert doc.signature_status == "unsigned"
    assert doc.signature_report["signatures"] == []
    assert doc.registered_by == docs_org["clerk"]
    assert doc.page_count == 3 and doc.due_date == dt.date(2026, 3, 1)
    items = present_items(doc)
    assert [i.assignee_user for i in items] == [docs_org["leader"]]
    assert items[0].url == f"/documents/incoming/{doc.pk}/"
    assert list(doc.events.values_list("action", flat=True)) == ["registered", "presented"]
    audit = AuditEvent.objects.filter(action="documents.incoming.register").get()
    assert audit.object_id == str(doc.pk) and audit.details["arrival_number"] == 1


def test_arrival_numbers_are_shared_by_paper_and_electronic_and_gapless(docs_org,
                                                                         register_incoming):
    numbers = [register_incoming(channel=ch).arrival_number
               for ch in ["paper", "electronic", "paper", "electronic"]]
    assert numbers == [1, 2, 3, 4]
    # A refused registration (bad data) takes no number.
    with pytest.raises(InvalidInput):
        register_incoming(subject="")
    assert register_incoming().arrival_number == 5
    # Another agency has its own register and series.
    other = register_incoming(actor=docs_org["justice_clerk"], agency=docs_org["justice"])
    assert other.arrival_number == 1 and other.register != IncomingDocument.objects.get(
        arrival_number=5).register


def test_arrival_numbers_restart_on_1_january(docs_org, register_incoming):
    with frozen(2026, 12, 31, 23, 50):
        first = register_incoming(issued_date="2026-12-30")
        second = register_incoming(issued_date="2026-12-30")
    with frozen(2027, 1, 1, 0, 5):
        new_year = register_incoming(issued_date="2026-12-30")
    assert (first.year, first.arrival_number) == (2026, 1)
    assert (second.year, second.arrival_number) == (2026, 2)
    assert (new_year.year, new_year.arrival_number) == (2027, 1)


def test_utc_evening_of_31_december_is_already_the_new_year_in_vietnam(docs_org,
                                                                          register_incoming):
    with frozen(2026, 12, 31, 10, 0):
        register_incoming(issued_date="2026-12-30")
    # 31/12 18:30 UTC = 1/1 01:30 in Hà Nội.
    utc = dt.datetime(2026, 12, 31, 18, 30, tzinfo=dt.UTC)
    with mock.patch("django.utils.timezone.now", return_value=utc):
        doc = register_incoming(issued_date="2026-12-30")
    assert (doc.year, doc.arrival_number) == (2027, 1)


@pytest.mark.parametrize("secrecy", ["confidential", "secret", "top_secret", "mật", "x"])
def test_secret_documents_are_refused_and_nothing_is_written(docs_org, register_incoming,
                                                             secrecy):
    register_incoming()  # a register and a sequence exist already
    before = snapshot()
    with pytest.raises(InvalidInput) as exc:
        register_incoming(secrecy=secrecy)
    assert exc.value.code == "secret_document"
    assert "Điều 5" in exc.value.message and "Bảo vệ bí mật nhà nước" in exc.value.message
    assert exc.value.fields["secrecy"]
    assert snapshot() == before


def test_secret_refusal_comes_before_other_errors_and_writes_no_register(docs_org):
    before = snapshot()
    with pytest.raises(InvalidInput) as exc:
        svc.incoming_register(actor=docs_org["clerk"], agency=docs_org["province"],
                              file=("x.pdf", b"not even a pdf"),
                              data={"secrecy": "top_secret"})
    assert exc.value.code == "secret_document"
    assert snapshot() == before


def test_validation_errors_by_field_and_nothing_written(docs_org, register_incoming):
    register_incoming()
    before = snapshot()
    bad = incoming_data(issuer_name="", subject="x" * 501, number="1" * 12,
                        notation="N" * 31, signer_name="S" * 51, signer_position="P" * 101,
                        issued_date="2999-01-01", type_code="NOPE", urgency="soon",
                        channel="fax", page_count=0, due_date="31/12/2026",
                        issuer_electronic_id="X" * 14)
    with pytest.raises(InvalidInput) as exc:
        svc.incoming_register(actor=docs_org["clerk"], agency=docs_org["province"],
                              file=("a.pdf", unique_pdf()), data=bad)
    assert set(exc.value.fields) == {
        "issuer_name", "subject", "number", "notation", "signer_name", "signer_position",
        "issued_date", "type_code", "urgency", "channel", "page_count", "due_date",
        "issuer_electronic_id"}
    assert snapshot() == before


def test_missing_required_fields_and_wrong_types(docs_org):
    with pytest.raises(InvalidInput) as exc:
        svc.incoming_register(actor=docs_org["clerk"], agency=docs_org["province"],
                              file=("a.pdf", unique_pdf()),
                              data={"issuer_name": ["list"], "page_count": "ba"})
    assert {"issuer_name", "subject", "issued_date", "type_code", "page_count"} <= set(
        exc.value.fields)
    with pytest.raises(InvalidInput) as exc:
        svc.incoming_register(actor=docs_org["clerk"], agency=docs_org["province"],
                              file=("a.pdf", unique_pdf()), data="not a dict")
    assert "data" in exc.value.fields


def test_expired_document_type_is_refused(docs_org, register_incoming):
    from egov.documents.models import DocumentType

    DocumentType.objects.filter(code="CT").update(valid_to=dt.date(2020, 12, 31))
    with pytest.raises(InvalidInput) as exc:
        register_incoming(type_code="CT")
    assert "type_code" in exc.value.fields


def test_reply_due_before_document_date_is_refused(docs_org, register_incoming):
    with pytest.raises(InvalidInput) as exc:
        register_incoming(issued_date="2026-01-05", due_date="2026-01-04")
    assert "due_date" in exc.value.fields


def test_a_file_that_is_not_a_pdf_is_refused_with_nothing_written(docs_org, register_incoming):
    register_incoming()
    before = snapshot()
    with pytest.raises(InvalidInput) as exc:
        register_incoming(pdf=b"PK\x03\x04 this is a zip, not a pdf")
    assert exc.value.code == "file_type" and "file" in exc.value.fields
    assert snapshot() == before
    with pytest.raises(InvalidInput) as exc:
        svc.incoming_register(actor=docs_org["clerk"], agency=docs_org["province"], file=None,
                              data=incoming_data())
    assert "file" in exc.value.fields
    assert snapshot() == before


def test_duplicate_by_issuer_number_and_date_warns_then_registers_when_confirmed(
        docs_org, register_incoming):
    first = register_incoming(issuer_name="Bộ Nội vụ", number="12", notation="BNV-VP",
                              issued_date="2026-01-05")
    before = snapshot()
    with pytest.raises(InvalidInput) as exc:
        # Same issuer in other capitals and spacing, same number and date, another file.
        register_incoming(issuer_name="BỘ  NỘI VỤ", number="12", notation="BNV-VP",
                          issued_date="2026-01-05")
    assert exc.value.code == "duplicate"
    assert exc.value.fields["duplicate_of"] == [str(first.pk)]
    assert "number" in exc.value.fields and str(first.pk) in exc.value.message
    assert snapshot() == before
    again = register_incoming(issuer_name="BỘ NỘI VỤ", number="12", notation="BNV-VP",
                              issued_date="2026-01-05", confirm_duplicate=True)
    assert again.duplicate_of == first and again.arrival_number == 2
    # Another year is not a duplicate: numbers restart every year (a different date within the
    # same year is — Phụ lục VI §III.1.h; tests/documents/test_time_limits.py).
    other = register_incoming(issuer_name="Bộ Nội vụ", number="12", notation="BNV-VP",
                              issued_date="2025-01-06")
    assert other.duplicate_of is None


def test_duplicate_by_file_hash(docs_org, register_incoming):
    pdf = unique_pdf("same file")
    first = register_incoming(pdf=pdf)
    before = snapshot()
    with pytest.raises(InvalidInput) as exc:
        register_incoming(pdf=pdf)  # other number, same bytes
    assert exc.value.code == "duplicate" and "file" in exc.value.fields
    assert exc.value.fields["duplicate_of"] == [str(first.pk)]
    assert snapshot() == before
    confirmed = register_incoming(pdf=pdf, confirm_duplicate=True)
    assert confirmed.duplicate_of == first
    # Duplicates are per agency: the same file in another agency is fine.
    elsewhere = register_incoming(pdf=pdf, actor=docs_org["justice_clerk"],
                                  agency=docs_org["justice"])
    assert elsewhere.duplicate_of is None


def test_handling_deadline_from_the_urgency_rules_across_tet(docs_org, register_incoming):
    # Friday 13/02/2026; Tết Bính Ngọ: 16–20/02/2026 are days off.
    with frozen(2026, 2, 13, 9, 0):
        normal = register_incoming(issued_date="2026-02-12")
        urgent = register_incoming(issued_date="2026-02-12", urgency="urgent")
        flash = register_incoming(issued_date="2026-02-12", urgency="flash")
    assert normal.handling_due_date == dt.date(2026, 3, 6)  # 10 working days, Tết skipped
    assert urgent.handling_due_date == dt.date(2026, 2, 13)  # khẩn: at once (Điều 24.2)
    assert flash.handling_due_date == dt.date(2026, 2, 13)  # at once
    # Presenting: at the latest the next working day (Điều 23.1) — Monday after Tết;
    # an urgent document the same day.
    assert present_items(normal)[0].due_at == dt.datetime(2026, 2, 23, 17, 0, tzinfo=HCM)
    assert present_items(urgent)[0].due_at == dt.datetime(2026, 2, 13, 17, 0, tzinfo=HCM)


def test_agency_rule_overrides_the_default(docs_org, register_incoming):
    UrgencyDeadline.objects.create(agency=docs_org["province"], urgency="normal",
                                   working_days=5, legal_basis="Quy chế làm việc")
    with frozen(2026, 3, 2, 9, 0):  # Monday
        doc = register_incoming(issued_date="2026-02-27")
        other = register_incoming(actor=docs_org["justice_clerk"], agency=docs_org["justice"],
                                  issued_date="2026-02-27")
    assert doc.handling_due_date == dt.date(2026, 3, 9)
    assert other.handling_due_date == dt.date(2026, 3, 16)


def test_urgent_documents_notify_the_leaders_at_once(docs_org, register_incoming, make_user):
    deputy = make_user("phochutich", docs_org["province"], "leader", title="Phó Chủ tịch")
    register_incoming()  # normal: no notification
    assert not Notification.objects.exists()
    doc = register_incoming(urgency="very_urgent")
    notes = Notification.objects.filter(url=f"/documents/incoming/{doc.pk}/")
    assert {n.user for n in notes} == {docs_org["leader"], deputy}
    assert all("Thượng khẩn" in n.subject for n in notes)
    # Every leader has a work item to give instructions; the clerk and officers do not.
    assert {i.assignee_user for i in present_items(doc)} == {docs_org["leader"], deputy}
    assert all(i.urgency == "very_urgent" for i in present_items(doc))


def test_delegated_leader_gets_the_work(docs_org, register_incoming):
    post = Position.objects.get(user=docs_org["leader"])
    today = dt.date.today()
    Delegation.objects.create(position=post, delegate=docs_org["officer2"], start=today,
                              end=today + dt.timedelta(days=3))
    doc = register_incoming()
    assert {i.assignee_user for i in present_items(doc)} == {docs_org["leader"],
                                                             docs_org["officer2"]}


def test_without_a_leader_the_work_goes_to_the_agency(docs_org, register_incoming):
    doc = register_incoming(actor=docs_org["justice_clerk"], agency=docs_org["justice"])
    assert [i.assignee_user for i in present_items(doc)] == [docs_org["justice_leader"]]
    Position.objects.filter(user=docs_org["justice_leader"]).update(
        valid_to=dt.date(2020, 1, 1))
    doc = register_incoming(actor=docs_org["justice_clerk"], agency=docs_org["justice"])
    items = present_items(doc)
    assert len(items) == 1 and items[0].assignee_user is None
    assert items[0].assignee_unit == docs_org["justice"]


def test_the_signature_hook_is_called_and_stored(docs_org, register_incoming):
    seen = []

    def fake(stored):
        seen.append(stored.pk)
        return "valid", {"signers": ["UBND tỉnh Thử Nghiệm"]}

    with verification.use_verifier(fake):
        doc = register_incoming()
    assert seen == [doc.file_id]
    assert doc.signature_status == "valid"
    assert doc.signature_report == {"signers": ["UBND tỉnh Thử Nghiệm"]}

    def broken(stored):
        raise RuntimeError("certificate store unreachable")

    with verification.use_verifier(broken):
        doc = register_incoming()
    assert doc.signature_status == "error"
    assert "unreachable" in doc.signature_report["error"]

    def abstain(stored):
        return None

    with verification.use_verifier(fake), verification.use_verifier(abstain):
        assert verification.verify_incoming_pdf(doc.file) == ("valid", {
            "signers": ["UBND tỉnh Thử Nghiệm"]})
    assert verification.verify_incoming_pdf(doc.file)[0] == "unsigned"


def test_register_for_creates_one_register_and_reuses_it(docs_org):
    first = svc.incoming_register_for(docs_org["province"])
    # A division stands for its agency.
    assert svc.incoming_register_for(docs_org["office"]) == first
    assert Register.objects.filter(agency=docs_org["province"]).count() == 1
    Register.objects.filter(pk=first.pk).update(is_active=False)
    second = svc.incoming_register_for(docs_org["province"])
    assert second != first and second.is_active


# --- permissions of registration ----------------------------------------------------------------


@pytest.mark.parametrize("who", ["officer", "leader", "unit_head", "justice_clerk"])
def test_only_the_agency_clerk_registers(docs_org, register_incoming, who):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        register_incoming(actor=docs_org[who])
    assert snapshot() == before


# --- electronic receipt -------------------------------------------------------------------------


@pytest.fixture
def issued(docs_org):
    """An outgoing document issued by the Department of Justice (made directly: the outgoing
    services are another area's)."""
    from egov.core.files import file_store
    from egov.documents.models import DocumentType, OutgoingState

    stored = file_store(actor=docs_org["justice_clerk"],
                        upload=("05-QD-STP.pdf", unique_pdf("issued")), require={"application/pdf"})
    return OutgoingDocument.objects.create(
        agency=docs_org["justice"], drafting_unit=docs_org["justice"],
        drafter=docs_org["justice_leader"], doc_type=DocumentType.objects.get(code="QD"),
        subject="Quyết định về việc kiểm tra công tác văn thư", urgency="urgent",
        signer=docs_org["justice_leader"], signer_position="Giám đốc", state=OutgoingState.ISSUED,
        year=2026, number=5, notation="QĐ-STP", code="05/QĐ-STP",
        issued_date=dt.date(2026, 1, 5), issued_by=docs_org["justice_clerk"],
        issued_file=stored, page_count=2,
    )


def test_receive_electronic_registers_in_the_recipient_agency(docs_org, register_incoming,
                                                              issued):
    paper = register_incoming()
    doc = svc.incoming_receive_electronic(agency=docs_org["office"], source=issued,
                                          file=issued.issued_file, data={})
    assert doc.agency == docs_org["province"] and doc.channel == "electronic"
    assert doc.arrival_number == paper.arrival_number + 1  # shared series
    assert doc.issuer_unit == docs_org["justice"] and doc.source == issued
    assert doc.issuer_name == "Sở Tư pháp" and doc.code == "05/QĐ-STP"
    assert doc.issued_date == dt.date(2026, 1, 5) and doc.doc_type.code == "QD"
    assert doc.signer_name == docs_org["justice_leader"].get_full_name()
    assert doc.file == issued.issued_file  # linked, not copied
    assert doc.urgency == "urgent" and doc.state == "presented"
    assert doc.registered_by == docs_org["justice_clerk"]
    assert doc.events.first().action == "received" and doc.events.first().actor is None
    audit = AuditEvent.objects.get(action="documents.incoming.register", object_id=str(doc.pk))
    assert audit.actor_id is None and audit.actor_name == "system"
    assert Notification.objects.filter(user=docs_org["leader"]).exists()  # urgent


def test_receive_electronic_is_idempotent_per_source(docs_org, issued):
    first = svc.incoming_receive_electronic(agency=docs_org["province"], source=issued,
                                            file=issued.issued_file, data={})
    before = snapshot()
    again = svc.incoming_receive_electronic(agency=docs_org["province"], source=issued,
                                            file=issued.issued_file, data={"subject": "x"})
    assert again == first and snapshot() == before
    # Another recipient agency gets its own copy.
    other = svc.incoming_receive_electronic(agency=docs_org["finance"], source=issued,
                                            file=("copy.pdf", unique_pdf()), data={})
    assert other.agency == docs_org["finance"] and other.arrival_number == 1


def test_receive_electronic_marks_duplicates_instead_of_refusing(docs_org, register_incoming,
                                                                 issued):
    paper = register_incoming(issuer_name="Sở Tư pháp", number="05", notation="QĐ-STP",
                              issued_date="2026-01-05")
    doc = svc.incoming_receive_electronic(agency=docs_org["province"], source=issued,
                                          file=issued.issued_file, data={})
    assert doc.duplicate_of == paper


def test_receive_electronic_refuses_secret_content(docs_org, issued):
    before = snapshot()
    with pytest.raises(InvalidInput) as exc:
        svc.incoming_receive_electronic(agency=docs_org["province"], source=issued,
                                        file=issued.issued_file, data={"secrecy": "secret"})
    assert exc.value.code == "secret_document" and snapshot() == before


# --- assignment ---------------------------------------------------------------------------------


def test_leader_assigns_lead_support_and_inform(docs_org, register_incoming, make_user):
    from egov.core.models import OrgUnit, OrgUnitKind

    culture = OrgUnit.objects.create(kind=OrgUnitKind.DIVISION, name="Phòng Văn hóa",
                                     parent=docs_org["province"])
    with frozen(2026, 3, 2, 9, 0):
        doc = register_incoming(issued_date="2026-02-27", urgency="urgent")
        created = svc.incoming_assign(
            actor=docs_org["leader"], document=doc, instruction="Phòng KT chủ trì, báo cáo.",
            assignments=[
                {"unit_id": docs_org["economy"].pk, "role": "lead"},
                {"unit_id": culture.pk, "role": "support", "due_date": "2026-03-03"},
                {"unit_id": docs_org["justice"].pk, "role": "inform",
                 "due_date": "2026-03-20"},
                {"user_id": docs_org["clerk"].pk, "role": "inform"},
            ])
    doc.refresh_from_db()
    assert doc.state == "in_progress"
    lead, support, inform, clerk = created
    assert lead.due_date == doc.handling_due_date == dt.date(2026, 3, 2)  # urgent: at once
    assert support.due_date == dt.date(2026, 3, 3)
    assert inform.due_date is None and clerk.due_date is None  # inform has no deadline
    assert lead.work_item.due_at == dt.datetime(2026, 3, 2, 17, 0, tzinfo=HCM)
    assert lead.work_item.assignee_unit == docs_org["economy"]
    assert lead.work_item.assignee_user is None and lead.work_item.role == "lead"
    assert inform.work_item.due_at is None and clerk.work_item.assignee_user == docs_org["clerk"]
    assert all(a.instruction == "Phòng KT chủ trì, báo cáo." for a in created)
    # The leader's "give instructions" item is done.
    assert [i.state for i in present_items(doc)] == [WorkState.DONE]
    # The unit head of Phòng Kinh tế and the clerk are told; urgent subjects are flagged.
    notes = Notification.objects.filter(url=f"/documents/incoming/{doc.pk}/")
    users = {n.user for n in notes}
    assert docs_org["unit_head"] in users and docs_org["clerk"] in users
    assert docs_org["officer"] not in users  # the unit head distributes inside the unit
    assert all(n.subject.startswith("[Khẩn]") or "Khẩn" in n.subject
               for n in notes if n.user != docs_org["leader"])
    ev = doc.events.get(action="assigned")
    assert ev.actor == docs_org["leader"] and len(ev.details["assignments"]) == 4


def test_other_leaders_present_items_are_cancelled(docs_org, register_incoming, make_user):
    deputy = make_user("phochutich", docs_org["province"], "leader", title="Phó Chủ tịch")
    doc = register_incoming()
    assign_lead(doc, deputy, docs_org["economy"])
    states = {i.assignee_user: i.state for i in present_items(doc)}
    assert states == {deputy: WorkState.DONE, docs_org["leader"]: WorkState.CANCELLED}


def test_assignment_rules(docs_org, register_incoming, make_user):
    nobody = make_user("khongchucvu")  # holds no post
    doc = register_incoming()
    leader = docs_org["leader"]
    before = snapshot()
    cases = [
        ([], "assignments"),
        ([{"unit_id": docs_org["economy"].pk, "role": "support"}], "assignments"),
        ([{"unit_id": docs_org["economy"].pk, "role": "lead"},
          {"unit_id": docs_org["office"].pk, "role": "lead"}], "assignments.1.role"),
        ([{"unit_id": 999999, "role": "lead"}], "assignments.0.unit_id"),
        ([{"unit_id": docs_org["economy"].pk, "user_id": docs_org["officer"].pk,
           "role": "lead"}], "assignments.0.unit_id"),
        ([{"role": "lead"}], "assignments.0.unit_id"),
        ([{"unit_id": "abc", "role": "lead"}], "assignments.0.unit_id"),
        ([{"unit_id": docs_org["economy"].pk, "role": "boss"}], "assignments.0.role"),
        ([{"unit_id": docs_org["economy"].pk, "role": "lead", "due_date": "2020-01-01"}],
         "assignments.0.due_date"),
        ([{"unit_id": docs_org["economy"].pk, "role": "lead", "due_date": "tomorrow"}],
         "assignments.0.due_date"),
        ([{"unit_id": docs_org["province"].pk, "role": "lead"}], "assignments.0.unit_id"),
        ([{"unit_id": docs_org["economy"].pk, "role": "lead"},
          {"unit_id": docs_org["economy"].pk, "role": "support"}], "assignments.1.unit_id"),
        ([{"user_id": nobody.pk, "role": "lead"}], "assignments.0.user_id"),
        ([{"user_id": 999999, "role": "lead"}], "assignments.0.user_id"),
        (["not an object"], "assignments.0"),
    ]
    for lines, field in cases:
        with pytest.raises(InvalidInput) as exc:
            svc.incoming_assign(actor=leader, document=doc, instruction="", assignments=lines)
        assert field in exc.value.fields, (lines, exc.value.fields)
    with pytest.raises(InvalidInput) as exc:
        svc.incoming_assign(actor=leader, document=doc, instruction="x" * 2001,
                            assignments=[{"unit_id": docs_org["economy"].pk, "role": "lead"}])
    assert "instruction" in exc.value.fields
    assert snapshot() == before


def test_units_below_the_agency_may_be_assigned_but_closed_ones_not(docs_org, register_incoming):
    doc = register_incoming()
    docs_org["finance"].valid_to = dt.date(2025, 12, 31)
    docs_org["finance"].valid_from = dt.date(2025, 1, 1)
    docs_org["finance"].save()
    with pytest.raises(InvalidInput) as exc:
        svc.incoming_assign(actor=docs_org["leader"], document=doc, instruction="",
                            assignments=[{"unit_id": docs_org["finance"].pk, "role": "lead"}])
    assert "assignments.0.unit_id" in exc.value.fields
    # The Department of Justice is an agency under the province committee: allowed.
    created = svc.incoming_assign(actor=docs_org["leader"], document=doc, instruction="",
                                  assignments=[{"unit_id": docs_org["justice"].pk,
                                                "role": "lead"}])
    assert created[0].assignee_unit == docs_org["justice"]


def test_second_assignment_adds_support_but_no_second_lead(docs_org, register_incoming):
    doc = register_incoming()
    assign_lead(doc, docs_org["leader"], docs_org["economy"])
    with pytest.raises(InvalidInput) as exc:
        assign_lead(doc, docs_org["leader"], docs_org["office"])
    assert "assignments.0.role" in exc.value.fields
    more = svc.incoming_assign(actor=docs_org["leader"], document=doc, instruction="Phối hợp",
                               assignments=[{"unit_id": docs_org["office"].pk,
                                             "role": "support"}])
    assert more[0].role == "support"


@pytest.mark.parametrize("who", ["clerk", "unit_head", "officer", "justice_leader"])
def test_only_the_agency_leader_assigns(docs_org, register_incoming, who):
    doc = register_incoming()
    before = snapshot()
    with pytest.raises(PermissionDenied):
        assign_lead(doc, docs_org[who], docs_org["economy"])
    assert snapshot() == before


# --- handling -----------------------------------------------------------------------------------


@pytest.fixture
def assigned(docs_org, register_incoming):
    doc = register_incoming()
    lead = assign_lead(doc, docs_org["leader"], docs_org["economy"])[0]
    return doc, lead


def test_unit_head_reassigns_to_an_officer_and_the_work_item_moves(docs_org, assigned):
    doc, lead = assigned
    item_id = lead.work_item_id
    child = svc.assignment_reassign(actor=docs_org["unit_head"], assignment=lead,
                                    to_user_id=docs_org["officer"].pk, instruction="Em xử lý")
    lead.refresh_from_db()
    assert child.parent == lead and child.assignee_user == docs_org["officer"]
    assert child.role == "lead" and child.due_date == lead.due_date
    assert lead.state == "open" and lead.work_item_id is None
    assert child.work_item_id == item_id
    item = WorkItem.objects.get(pk=item_id)
    assert item.assignee_user == docs_org["officer"] and item.assignee_unit == docs_org["economy"]
    assert Notification.objects.filter(user=docs_org["officer"]).exists()
    ev = doc.events.get(action="reassigned")
    assert ev.actor == docs_org["unit_head"] and ev.details["to_user"] == docs_org["officer"].pk
    # Passing it again takes it back from the first person.
    second = svc.assignment_reassign(actor=docs_org["unit_head"], assignment=lead,
                                     to_user_id=docs_org["officer2"].pk)
    child.refresh_from_db()
    assert child.state == "cancelled" and second.work_item_id == item_id
    assert WorkItem.objects.get(pk=item_id).assignee_user == docs_org["officer2"]


def test_reassign_rules(docs_org, assigned, make_user):
    doc, lead = assigned
    outsider = make_user("nguoingoai", docs_org["justice"], "officer")
    # The unit head (unit scope) or a leader of the agency (agency scope) — not an officer,
    # the clerk, or another agency's leader.
    for who in ["officer", "officer2", "clerk", "justice_leader"]:
        with pytest.raises(PermissionDenied):
            svc.assignment_reassign(actor=docs_org[who], assignment=lead,
                                    to_user_id=docs_org["officer"].pk)
    with pytest.raises(InvalidInput) as exc:  # only inside the unit
        svc.assignment_reassign(actor=docs_org["unit_head"], assignment=lead,
                                to_user_id=outsider.pk)
    assert "to_user_id" in exc.value.fields
    with pytest.raises(InvalidInput) as exc:
        svc.assignment_reassign(actor=docs_org["unit_head"], assignment=lead,
                                to_user_id=docs_org["officer"].pk,
                                due_date=lead.due_date + dt.timedelta(days=30))
    assert "due_date" in exc.value.fields
    child = svc.assignment_reassign(actor=docs_org["unit_head"], assignment=lead,
                                    to_user_id=docs_org["officer"].pk)
    with pytest.raises(AppError) as exc:  # a person's assignment is not passed on again
        svc.assignment_reassign(actor=docs_org["unit_head"], assignment=child,
                                to_user_id=docs_org["officer2"].pk)
    assert exc.value.status == 409


def test_officer_completes_and_the_document_is_done(docs_org, assigned):
    doc, lead = assigned
    svc.incoming_assign(actor=docs_org["leader"], document=doc, instruction="",
                        assignments=[{"unit_id": docs_org["office"].pk, "role": "support"}])
    child = svc.assignment_reassign(actor=docs_org["unit_head"], assignment=lead,
                                    to_user_id=docs_org["officer"].pk)
    # The unit assignment is with the officer now: nobody acts on the parent directly.
    with pytest.raises(AppError) as exc:
        svc.assignment_complete(actor=docs_org["unit_head"], assignment=lead, result="x")
    assert exc.value.status == 409
    with pytest.raises(PermissionDenied):
        svc.assignment_complete(actor=docs_org["officer2"], assignment=child, result="x")
    with pytest.raises(InvalidInput) as exc:  # a lead needs a result or a reply
        svc.assignment_complete(actor=docs_org["officer"], assignment=child, result="  ")
    assert "result" in exc.value.fields
    svc.assignment_complete(actor=docs_org["officer"], assignment=child,
                            result="Đã báo cáo UBND tỉnh")
    child.refresh_from_db()
    lead.refresh_from_db()
    doc.refresh_from_db()
    assert child.state == lead.state == "done"
    assert lead.result == "Đã báo cáo UBND tỉnh"
    assert WorkItem.objects.get(pk=child.work_item_id).state == WorkState.DONE
    assert doc.state == "done" and doc.completed_at is not None  # support does not block
    assert Notification.objects.filter(user=docs_org["leader"],
                                       subject__contains=doc.code).exists()
    with pytest.raises(AppError):
        svc.assignment_complete(actor=docs_org["officer"], assignment=child, result="again")


def test_any_person_of_the_unit_may_act_on_a_unit_assignment(docs_org, assigned):
    doc, lead = assigned
    svc.assignment_complete(actor=docs_org["officer2"], assignment=lead, result="Xong")
    doc.refresh_from_db()
    assert doc.state == "done"


def test_forward_to_another_unit(docs_org, assigned):
    doc, lead = assigned
    with pytest.raises(InvalidInput) as exc:
        svc.assignment_forward(actor=docs_org["unit_head"], assignment=lead,
                               to_unit_id=docs_org["economy"].pk)
    assert "to_unit_id" in exc.value.fields
    with pytest.raises(InvalidInput):
        svc.assignment_forward(actor=docs_org["unit_head"], assignment=lead)
    new = svc.assignment_forward(actor=docs_org["unit_head"], assignment=lead,
                                 to_unit_id=docs_org["office"].pk,
                                 reason="Thuộc chức năng của Văn phòng")
    lead.refresh_from_db()
    assert lead.state == "forwarded"
    assert WorkItem.objects.get(pk=lead.work_item_id).state == WorkState.CANCELLED
    assert new.role == "lead" and new.assignee_unit == docs_org["office"]
    assert new.due_date == lead.due_date and new.state == "open"
    assert doc.events.filter(action="forwarded").get().details["reason"]
    # The office's clerk may act on it now; the economy people no longer.
    with pytest.raises(PermissionDenied):
        svc.assignment_complete(actor=docs_org["officer"], assignment=new, result="x")
    svc.assignment_complete(actor=docs_org["clerk"], assignment=new, result="Xong")
    doc.refresh_from_db()
    assert doc.state == "done"


def test_return_of_a_persons_assignment_goes_back_to_the_unit(docs_org, assigned):
    doc, lead = assigned
    child = svc.assignment_reassign(actor=docs_org["unit_head"], assignment=lead,
                                    to_user_id=docs_org["officer"].pk)
    with pytest.raises(InvalidInput) as exc:
        svc.assignment_return(actor=docs_org["officer"], assignment=child, reason=" ")
    assert "reason" in exc.value.fields
    svc.assignment_return(actor=docs_org["officer"], assignment=child, reason="Em đi công tác")
    child.refresh_from_db()
    lead.refresh_from_db()
    assert child.state == "returned" and lead.state == "open"
    item = WorkItem.objects.get(pk=lead.work_item_id)
    assert item.state == WorkState.OPEN and item.assignee_user is None
    assert Notification.objects.filter(user=docs_org["unit_head"],
                                       body="Em đi công tác").exists()
    again = svc.assignment_reassign(actor=docs_org["unit_head"], assignment=lead,
                                    to_user_id=docs_org["officer2"].pk)
    assert again.work_item_id == item.pk


def test_return_of_a_lead_goes_back_to_the_leader(docs_org, assigned):
    doc, lead = assigned
    svc.assignment_return(actor=docs_org["unit_head"], assignment=lead,
                          reason="Không thuộc chức năng của phòng")
    doc.refresh_from_db()
    lead.refresh_from_db()
    assert lead.state == "returned" and doc.state == "presented"
    items = present_items(doc)
    assert items[-1].state == WorkState.OPEN and items[-1].assignee_user == docs_org["leader"]
    # The leader assigns a new lead.
    new = assign_lead(doc, docs_org["leader"], docs_org["office"])[0]
    doc.refresh_from_db()
    assert doc.state == "in_progress" and new.assignee_unit == docs_org["office"]
    assert present_items(doc)[-1].state == WorkState.DONE


def test_complete_by_reply(docs_org, assigned, issued):
    doc, lead = assigned
    svc.assignment_reassign(actor=docs_org["unit_head"], assignment=lead,
                            to_user_id=docs_org["officer"].pk)
    svc.incoming_complete_by_reply(document=doc, reply=issued, actor=docs_org["justice_clerk"])
    doc.refresh_from_db()
    assert doc.state == "done" and doc.completed_by_reply == issued
    assert set(doc.assignments.values_list("state", flat=True)) == {"done"}
    assert all(a.reply == issued for a in doc.assignments.all())
    assert not WorkItem.objects.filter(state=WorkState.OPEN, kind=svc.KIND_HANDLE).exists()
    assert doc.events.filter(action="completed_by_reply").exists()
    issued.state = "draft"
    with pytest.raises(InvalidInput):
        svc.incoming_complete_by_reply(document=doc, reply=issued, actor=None)


def test_complete_by_reply_before_any_assignment(docs_org, register_incoming, issued):
    doc = register_incoming()
    svc.incoming_complete_by_reply(document=doc, reply=issued, actor=None)
    doc.refresh_from_db()
    assert doc.state == "done"
    assert {i.state for i in present_items(doc)} == {WorkState.CANCELLED}


def test_assignee_completes_with_the_reply(docs_org, assigned, issued):
    doc, lead = assigned
    svc.assignment_complete(actor=docs_org["unit_head"], assignment=lead, reply=issued)
    lead.refresh_from_db()
    assert lead.reply == issued and lead.state == "done"


def test_cancel_on_recall(docs_org, assigned):
    doc, lead = assigned
    svc.assignment_reassign(actor=docs_org["unit_head"], assignment=lead,
                            to_user_id=docs_org["officer"].pk)
    Notification.objects.all().delete()
    with pytest.raises(InvalidInput):
        svc.incoming_cancel(document=doc, reason="")
    svc.incoming_cancel(document=doc, reason="Văn bản bị thu hồi do sai sót")
    doc.refresh_from_db()
    assert doc.state == "cancelled" and doc.cancel_reason == "Văn bản bị thu hồi do sai sót"
    assert set(doc.assignments.values_list("state", flat=True)) == {"cancelled"}
    ct = ContentType.objects.get_for_model(IncomingDocument)
    assert not WorkItem.objects.filter(subject_type=ct, subject_id=str(doc.pk),
                                       state=WorkState.OPEN).exists()
    assert Notification.objects.filter(user=docs_org["officer"]).exists()
    ev = doc.events.get(action="cancelled")
    assert ev.actor is None and ev.details["reason"] == "Văn bản bị thu hồi do sai sót"
    assert IncomingDocument.objects.filter(pk=doc.pk).exists()  # rows kept for the trail
    # Idempotent; nothing more can happen to it.
    before = snapshot()
    svc.incoming_cancel(document=doc, reason="again")
    assert snapshot() == before
    with pytest.raises(AppError):
        assign_lead(doc, docs_org["leader"], docs_org["office"])


# --- access history -----------------------------------------------------------------------------


def test_views_and_downloads_are_recorded_and_first_view_is_kept(docs_org, assigned):
    from egov.documents.selectors.incoming import incoming_get

    doc, lead = assigned
    svc.incoming_viewed(actor=docs_org["clerk"], document=doc)
    lead.refresh_from_db()
    assert lead.first_viewed_at is None  # the clerk is not the assignee
    loaded = incoming_get(actor=docs_org["officer"], id=doc.pk)
    svc.incoming_viewed(actor=docs_org["officer"], document=loaded)
    lead.refresh_from_db()
    first = lead.first_viewed_at
    assert first is not None
    assert WorkItem.objects.get(pk=lead.work_item_id).opened_at == first
    svc.incoming_viewed(actor=docs_org["unit_head"], document=doc)  # the non-prefetched path
    lead.refresh_from_db()
    assert lead.first_viewed_at == first
    svc.incoming_downloaded(actor=docs_org["officer"], document=doc)
    actions = list(doc.events.order_by("at", "pk").values_list("action", "actor__username"))
    assert actions[-4:] == [("viewed", "vanthu"), ("viewed", "chuyenvien"),
                            ("viewed", "truongphong"), ("downloaded", "chuyenvien")]


def test_first_view_by_the_person_of_a_reassigned_assignment(docs_org, assigned):
    doc, lead = assigned
    child = svc.assignment_reassign(actor=docs_org["unit_head"], assignment=lead,
                                    to_user_id=docs_org["officer"].pk)
    svc.incoming_viewed(actor=docs_org["officer2"], document=doc)
    child.refresh_from_db()
    assert child.first_viewed_at is None
    svc.incoming_viewed(actor=docs_org["officer"], document=doc)
    child.refresh_from_db()
    assert child.first_viewed_at is not None
    assert WorkItem.objects.get(pk=child.work_item_id).opened_at == child.first_viewed_at


def test_role_seed_is_what_the_tests_assume():
    assert Role.objects.filter(code__in=["clerk", "leader", "unit_head", "officer"]).count() == 4


# --- tracking -----------------------------------------------------------------------------------


def test_assignee_states_and_delivery_status_for_the_sender(docs_org, issued):
    from egov.documents.selectors.incoming import delivery_status, incoming_assignee_states

    with frozen(2026, 3, 2, 9, 0):  # Monday
        doc = svc.incoming_receive_electronic(agency=docs_org["province"], source=issued,
                                              file=issued.issued_file, data={})
        lead, support = svc.incoming_assign(
            actor=docs_org["leader"], document=doc, instruction="",
            assignments=[{"unit_id": docs_org["economy"].pk, "role": "lead",
                          "due_date": "2026-03-03"},
                         {"unit_id": docs_org["office"].pk, "role": "support",
                          "due_date": "2026-03-05"}])
        child = svc.assignment_reassign(actor=docs_org["unit_head"], assignment=lead,
                                        to_user_id=docs_org["officer"].pk)
    with frozen(2026, 3, 4, 10, 0):  # a day after the lead's deadline
        svc.incoming_viewed(actor=docs_org["officer"], document=doc)
        states = {a.pk: a for a in incoming_assignee_states(doc)}
        assert states[child.pk].outcome == "open_late"
        assert states[child.pk].deadline_state == "overdue"
        assert states[support.pk].outcome == "open_on_time"
        assert states[child.pk].depth == 1 and states[lead.pk].depth == 0
        svc.assignment_complete(actor=docs_org["officer"], assignment=child, result="Xong")
    states = {a.pk: a for a in incoming_assignee_states(doc)}
    assert states[child.pk].outcome == "done_late" and states[lead.pk].outcome == "done_late"
    assert states[child.pk].first_viewed_at is not None

    status = delivery_status(issued)
    assert len(status) == 1
    row = status[0]
    assert row["agency"] == {"id": docs_org["province"].pk, "name": docs_org["province"].name}
    assert row["registered"] and row["arrival_number"] == doc.arrival_number
    assert row["state"] == "done" and row["incoming_id"] == doc.pk
    by_who = {a["assignee"]: a for a in row["assignments"]}
    assert by_who["Phòng Kinh tế"]["outcome"] == "done_late"
    assert by_who[docs_org["officer"].get_full_name()]["first_viewed_at"] is not None
    assert by_who[docs_org["office"].name]["state"] == "open"
