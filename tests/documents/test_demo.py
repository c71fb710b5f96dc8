"""`egov demo` loads the documents demo through the real services, once."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from egov.core.files import PDF, file_open
from egov.core.models import OrgUnit, WorkItem, WorkState
from egov.documents.models import (
    Assignment,
    CaseFile,
    CaseFileItem,
    CaseFilePlan,
    DocumentEvent,
    IncomingDocument,
    IncomingState,
    OutgoingDocument,
    OutgoingState,
    Register,
)

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (
        IncomingDocument, OutgoingDocument, Assignment, Register, CaseFilePlan, CaseFile,
        CaseFileItem, DocumentEvent, WorkItem)}


def test_demo_loads_the_documents_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("demo", "--quiet-accounts")
    first = _counts()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("demo", "--quiet-accounts")
    assert _counts() == first  # nothing new the second time

    province = OrgUnit.objects.get(electronic_id="000.00.00.Z01")
    incoming = list(IncomingDocument.objects.filter(agency=province).order_by("arrival_number"))
    assert len(incoming) == 4
    assert [d.arrival_number for d in incoming] == [1, 2, 3, 4]
    assert {d.year for d in incoming} == {timezone.localdate().year}
    assert {d.registered_by.username for d in incoming} == {"vanthu"}
    for doc in IncomingDocument.objects.all():
        assert "(mẫu)" in doc.subject and "(mẫu)" in doc.issuer_name
        assert doc.file.content_type == PDF
        with file_open(doc.file) as f:
            assert f.read(5) == b"%PDF-"
    by_urgency = {d.urgency: d for d in incoming}
    flash = by_urgency["flash"]
    assert flash.state == IncomingState.PRESENTED  # waiting for the leader's instructions
    assert not flash.assignments.exists()

    # Assigned by the leader to the Văn phòng, passed on by its head to the officer.
    child = Assignment.objects.get(parent__isnull=False)
    assert child.assigned_by.username == "truongphong"
    assert child.assignee_user.username == "chuyenvien"
    assert child.parent.assigned_by.username == "lanhdao"
    assert child.parent.assignee_unit.electronic_id == "000.01.00.Z01"
    assert WorkItem.objects.filter(assignee_user=child.assignee_user, state=WorkState.OPEN,
                                   module="documents").exists()

    issued = OutgoingDocument.objects.get(state=OutgoingState.ISSUED, doc_type__code="CV")
    assert re.fullmatch(r"\d{2,}/UBND-VP", issued.code), issued.code
    assert issued.number == 1 and issued.issued_by.username == "vanthu"
    answered = issued.in_reply_to.get()
    answered.refresh_from_db()
    assert answered.state == IncomingState.DONE and answered.completed_by_reply == issued
    assert OutgoingDocument.objects.filter(state=OutgoingState.IN_REVIEW,
                                           drafter__username="chuyenvien").count() == 1
    assert {r.direction for r in Register.objects.filter(agency=province)} == {
        "incoming", "outgoing"}

    plan = CaseFilePlan.objects.get(agency=province, year=timezone.localdate().year)
    assert plan.files.count() == 2 and "(mẫu)" in plan.title
    assert CaseFileItem.objects.filter(case_file__plan=plan).count() == 2
    assert DocumentEvent.objects.filter(incoming=answered, action="completed_by_reply").exists()
