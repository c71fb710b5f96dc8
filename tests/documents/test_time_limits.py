"""The decree's time limits (issue 9 §2; NĐ 30/2020, documents.md §6), each over the
working-day calendar: the issuing deadline after signature (Điều 18.1, no 15:00 cut-off), urgent
incoming documents handled immediately (Điều 24.2), the Phụ lục VI lengths on outgoing documents
and the duplicate warning within the same year (Phụ lục VI §III.1.h)."""

from __future__ import annotations

import datetime as dt
import json
from contextlib import contextmanager
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps as django_apps
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from egov.core import calendar as cal
from egov.core import tokens
from egov.core.errors import InvalidInput
from egov.core.models import StoredFile, WorkItem, WorkState
from egov.documents import deadlines
from egov.documents.catalog import OLD_URGENCY_DEADLINES, fix_urgent_deadlines
from egov.documents.models import IncomingDocument, OutgoingDocument, UrgencyDeadline
from egov.documents.services import outgoing as svc
from tests.documents.conftest import unique_pdf
from tests.documents.test_outgoing_support import approved, db_counts, draft_data, make_draft

pytestmark = pytest.mark.django_db

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def vn(y, m, d, hh=0, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=HCM)


@contextmanager
def frozen(*args):
    when = vn(*args)
    with mock.patch("django.utils.timezone.now", return_value=when):
        yield when


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    cal.invalidate()
    yield
    cal.invalidate()


def issue_items(doc) -> list[WorkItem]:
    ct = ContentType.objects.get_for_model(OutgoingDocument)
    return list(WorkItem.objects.filter(subject_type=ct, subject_id=str(doc.pk),
                                        kind=svc.KIND_ISSUE, state=WorkState.OPEN))


# --- Issuing after signature (Điều 18.1) ---------------------------------------------------------


def test_issue_deadline_is_next_working_day_without_the_15h_cutoff():
    # Tuesday 3/3/2026 at 16:30 (after the one-stop 15:00 cut-off): Wednesday, not Thursday.
    assert deadlines.issue_due(vn(2026, 3, 3, 16, 30), "normal") == vn(2026, 3, 4, 17, 0)
    assert deadlines.issue_due(vn(2026, 3, 3, 9, 0), "normal") == vn(2026, 3, 4, 17, 0)
    # Friday 13/2/2026 before Tết (16–20/2 off): Monday 23/2.
    assert deadlines.issue_due(vn(2026, 2, 13, 16, 30), "normal") == vn(2026, 2, 23, 17, 0)
    # Wednesday 31/12/2025: 1/1 and 2/1/2026 are off (VPCP 12729/VPCP-KGVX) → Monday 5/1.
    assert deadlines.issue_due(vn(2025, 12, 31, 16, 0), "normal") == vn(2026, 1, 5, 17, 0)
    # Friday 9/1/2026: Saturday 10/1 is a make-up working day.
    assert deadlines.issue_due(vn(2026, 1, 9, 16, 30), "normal") == vn(2026, 1, 10, 17, 0)


@pytest.mark.parametrize("urgency", ["urgent", "very_urgent", "flash"])
def test_urgent_documents_are_issued_the_same_working_day(urgency):
    assert deadlines.issue_due(vn(2026, 3, 3, 16, 30), urgency) == vn(2026, 3, 3, 17, 0)
    # Signed after closing: immediately (the signing instant), never the next day.
    assert deadlines.issue_due(vn(2026, 3, 3, 18, 5), urgency) == vn(2026, 3, 3, 18, 5)
    # Signed on a day off (Sunday 1/3/2026): the first working day.
    assert deadlines.issue_due(vn(2026, 3, 1, 10, 0), urgency) == vn(2026, 3, 2, 17, 0)


def test_signing_at_1630_sets_the_clerks_issue_deadline_to_the_next_working_day(docs_org):
    o = docs_org
    with frozen(2026, 3, 2, 10, 0):  # Monday: approved
        doc = approved(o)
    signed = StoredFile.objects.get(pk=doc.versions.get().pdf_id)
    with frozen(2026, 3, 3, 16, 30):  # Tuesday 16:30: signed
        svc.outgoing_mark_signed(actor=o["leader"], document=doc, signed_file=signed)
    [item] = issue_items(doc)
    assert item.due_at == vn(2026, 3, 4, 17, 0)  # Wednesday, not Thursday
    assert item.due_sort == item.due_at


def test_approval_at_1630_gives_the_next_working_day_too(docs_org):
    with frozen(2026, 3, 3, 16, 30):
        doc = approved(docs_org)
    [item] = issue_items(doc)
    assert item.due_at == vn(2026, 3, 4, 17, 0)


def test_clerk_queue_and_document_page_show_the_issue_deadline(docs_org):
    o = docs_org
    with frozen(2026, 3, 2, 10, 0):
        late = approved(o, subject="Quyết định phát hành muộn")
    on_time = approved(o, subject="Quyết định phát hành đúng hạn")
    client = Client()
    client.force_login(o["clerk"])
    html = client.get("/documents/outgoing/queue/").content.decode()
    assert "03/03/2026 17:00" in html  # the late one's deadline
    row = html.split("Quyết định phát hành muộn")[1].split("</tr>")[0]
    assert "badge--danger" in row
    row = html.split("Quyết định phát hành đúng hạn")[1].split("</tr>")[0]
    assert "badge--danger" not in row
    page = client.get(f"/documents/outgoing/{late.pk}/").content.decode()
    assert 'id="issue-due"' in page and "03/03/2026 17:00" in page and "badge--danger" in page
    page = client.get(f"/documents/outgoing/{on_time.pk}/").content.decode()
    assert 'id="issue-due"' in page


# --- Urgent incoming documents handled immediately (Điều 24.2) ----------------------------------


@pytest.mark.parametrize("urgency", ["urgent", "very_urgent", "flash"])
def test_urgent_incoming_is_due_the_same_working_day(docs_org, register_incoming, urgency):
    with frozen(2026, 3, 3, 16, 30):  # Tuesday, after 15:00
        doc = register_incoming(issued_date="2026-03-02", urgency=urgency)
    assert doc.handling_due_date == dt.date(2026, 3, 3)
    with frozen(2026, 1, 2, 9, 0):  # Friday 2/1/2026, a swapped day off
        doc = register_incoming(issued_date="2025-12-30", urgency=urgency)
    assert doc.handling_due_date == dt.date(2026, 1, 5)
    with frozen(2026, 2, 14, 9, 0):  # Saturday before Tết
        doc = register_incoming(issued_date="2026-02-12", urgency=urgency)
    assert doc.handling_due_date == dt.date(2026, 2, 23)


def test_urgency_catalogue_says_immediately_with_its_legal_basis():
    for urgency in ("urgent", "very_urgent", "flash", "flash_timed"):
        row = UrgencyDeadline.objects.get(agency__isnull=True, urgency=urgency)
        assert row.working_days == 0, urgency
        assert "Điều 24 khoản 2" in row.legal_basis


def test_data_migration_fixes_old_rows_and_keeps_edited_ones():
    urgent = UrgencyDeadline.objects.get(agency__isnull=True, urgency="urgent")
    urgent.working_days, urgent.legal_basis = OLD_URGENCY_DEADLINES["urgent"]
    urgent.save()
    very = UrgencyDeadline.objects.get(agency__isnull=True, urgency="very_urgent")
    very.working_days, very.legal_basis = 3, "Quy chế làm việc của UBND tỉnh"
    very.save()
    assert fix_urgent_deadlines(django_apps) == 1
    urgent.refresh_from_db()
    very.refresh_from_db()
    assert urgent.working_days == 0 and "giải quyết ngay" in urgent.legal_basis
    assert very.working_days == 3  # an administrator's rule is kept
    assert fix_urgent_deadlines(django_apps) == 0


# --- Phụ lục VI lengths on outgoing documents ---------------------------------------------------


@pytest.fixture
def api(docs_org):
    def _client(who: str) -> Client:
        _token, raw = tokens.token_create(actor=docs_org[who], name="test")
        return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    return _client


def test_outgoing_page_count_has_at_most_three_digits_api(api, docs_org):
    o = docs_org
    officer = api("officer")
    before = db_counts()
    response = officer.post("/api/v1/documents/outgoing", {
        "file": SimpleUploadedFile("d.pdf", unique_pdf("pc"), content_type="application/pdf"),
        "data": json.dumps(draft_data(o, page_count=1000))})
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "invalid" and "page_count" in body["fields"]
    assert db_counts() == before
    response = officer.post("/api/v1/documents/outgoing", {
        "file": SimpleUploadedFile("d.pdf", unique_pdf("pc2"), content_type="application/pdf"),
        "data": json.dumps(draft_data(o, page_count=999))})
    assert response.status_code == 201, response.content
    doc = make_draft(o)
    with pytest.raises(InvalidInput) as exc:
        svc.outgoing_update(actor=o["officer"], document=doc, data={"page_count": 1000})
    assert "page_count" in exc.value.fields


@pytest.mark.parametrize("field,value", [
    ("subject", "x" * 501), ("signer_position", "x" * 101), ("copies", 1000),
])
def test_other_phu_luc_vi_lengths_on_outgoing(docs_org, field, value):
    with pytest.raises(InvalidInput) as exc:
        make_draft(docs_org, **{field: value})
    assert field in exc.value.fields


def test_outgoing_form_shows_the_page_count_error(docs_org):
    o = docs_org
    client = Client()
    client.force_login(o["officer"])
    response = client.post("/documents/outgoing/new/", {
        "type_code": "QD", "subject": "Quyết định thử số trang",
        "file": SimpleUploadedFile("d.pdf", unique_pdf("form-pc"), "application/pdf"),
        "signer_id": str(o["leader"].pk), "signer_capacity": "", "urgency": "normal",
        "copies": "1", "page_count": "1000"})
    assert response.status_code == 422
    assert 'id="id_page_count_error"' in response.content.decode()
    assert not OutgoingDocument.objects.exists()


# --- Duplicate warning within the year (Phụ lục VI §III.1.h) ------------------------------------


def test_duplicate_warns_for_same_number_and_issuer_on_another_date_of_the_year(
        docs_org, register_incoming):
    first = register_incoming(issuer_name="Bộ Nội vụ", number="57", notation="BNV-VP",
                              issued_date="2026-01-05")
    count = IncomingDocument.objects.count()
    with pytest.raises(InvalidInput) as exc:
        register_incoming(issuer_name="Bộ Nội vụ", number="57", notation="BNV-VP",
                          issued_date="2026-03-20")
    assert exc.value.code == "duplicate" and exc.value.fields["duplicate_of"] == [str(first.pk)]
    assert "number" in exc.value.fields
    assert IncomingDocument.objects.count() == count
    # Another issuer or another year: no warning.
    assert register_incoming(issuer_name="Bộ Tài chính", number="57", notation="BNV-VP",
                             issued_date="2026-03-20").duplicate_of is None
    assert register_incoming(issuer_name="Bộ Nội vụ", number="57", notation="BNV-VP",
                             issued_date="2025-12-31").duplicate_of is None


def test_duplicate_within_the_year_through_the_api(docs_org, register_incoming, api):
    register_incoming(issuer_name="Bộ Nội vụ", number="58", notation="BNV-VP",
                      issued_date="2026-01-05")
    from tests.documents.conftest import incoming_data

    data = incoming_data(issuer_name="Bộ Nội vụ", number="58", notation="BNV-VP",
                         issued_date="2026-02-10")
    response = api("clerk").post("/api/v1/documents/incoming", {
        "file": SimpleUploadedFile("d.pdf", unique_pdf("dup"), content_type="application/pdf"),
        "data": json.dumps(data)})
    assert response.status_code in (409, 422), response.content
    assert response.json()["code"] == "duplicate"
