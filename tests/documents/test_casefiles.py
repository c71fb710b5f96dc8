"""Case files (hồ sơ, NĐ 30/2020 Điều 28–31, Phụ lục V–VI): the plan, the life of a file,
documents linked without copying, ordinals, transfer_due, the 30-day warning, the PDF + XML
export, permissions, the API and the pages."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import xml.etree.ElementTree as ET
import zipfile

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from egov.core import files
from egov.core.errors import InvalidInput, NotFound, PermissionDenied
from egov.core.models import AuditEvent, Notification
from egov.documents.models import (
    CaseFile,
    CaseFileItem,
    CaseFileState,
    IncomingDocument,
    IncomingState,
    OutgoingDocument,
)
from egov.documents.selectors import casefiles as sel
from egov.documents.services import casefiles as svc
from egov.documents.services.exports import export_request, exports_run
from tests.concurrency import run_threads
from tests.documents.test_registers_views import (  # noqa: F401 - the `reg` fixture
    YEAR,
    at,
    make_assignment,
    make_incoming,
    make_outgoing,
    reg_fixture,
)


def pdf_bytes(title: str, pages: int) -> bytes:
    from weasyprint import HTML

    body = "".join(f'<p style="page-break-after: always">{title} — trang {i}</p>'
                   for i in range(1, pages + 1))
    return HTML(string=f"<html><body>{body}</body></html>").write_pdf()


def attach_pdf(doc, actor, pages: int):
    stored = files.file_store(actor=actor, upload=(f"{doc.pk}.pdf", pdf_bytes(doc.subject,
                                                                               pages)),
                              require={files.PDF})
    if isinstance(doc, IncomingDocument):
        IncomingDocument.objects.filter(pk=doc.pk).update(file=stored, page_count=pages)
    else:
        OutgoingDocument.objects.filter(pk=doc.pk).update(issued_file=stored, page_count=pages)
    doc.refresh_from_db()
    return doc


@pytest.fixture
def cf(reg):
    """An open file of the clerk (outside the plan)."""
    return svc.casefile_create(actor=reg["clerk"], agency=reg["province"], year=YEAR,
                               heading="I. Tổ chức, cán bộ", notation="01.TCCB",
                               title="Hồ sơ tuyển dụng công chức năm 2026",
                               retention_years=None, rights="Hạn chế",
                               start_date=dt.date(YEAR, 1, 2))


def _ordinals(case_file) -> list[tuple[int, int]]:
    return list(CaseFileItem.objects.filter(case_file=case_file).order_by("ordinal")
                .values_list("ordinal", "incoming_id"))


# --- plan and life of a file --------------------------------------------------------------------


def test_plan_and_lifecycle(reg):
    clerk = reg["clerk"]
    plan = svc.casefile_plan_create(actor=clerk, agency=reg["province"], year=YEAR,
                                    title="Danh mục hồ sơ năm 2026",
                                    approved_by="Chủ tịch UBND tỉnh",
                                    approved_on=dt.date(YEAR, 1, 2))
    with pytest.raises(InvalidInput) as err:
        svc.casefile_plan_create(actor=clerk, agency=reg["province"], year=YEAR, title="Lần 2")
    assert err.value.code == "plan_exists"

    planned = svc.casefile_create(actor=clerk, agency=reg["province"], plan=plan, year=YEAR,
                                  notation="02.VP", title="Hồ sơ hội nghị tổng kết",
                                  retention_years=10)
    assert planned.state == CaseFileState.PLANNED and planned.start_date is None
    d1 = make_incoming(reg["incoming"], 1, by=clerk, issued=dt.date(YEAR, 3, 10))
    with pytest.raises(InvalidInput) as err:
        svc.casefile_add_document(actor=clerk, case_file=planned, incoming=d1)
    assert err.value.code == "file_not_open"

    svc.casefile_open(actor=clerk, case_file=planned, start_date=dt.date(YEAR, 3, 1))
    planned.refresh_from_db()
    assert planned.state == CaseFileState.OPEN and planned.start_date == dt.date(YEAR, 3, 1)
    with pytest.raises(InvalidInput) as err:
        svc.casefile_close(actor=clerk, case_file=planned, end_date=dt.date(YEAR, 6, 30))
    assert err.value.code == "file_empty"

    d2 = make_incoming(reg["incoming"], 2, by=clerk, issued=dt.date(YEAR, 2, 1))
    out = make_outgoing(reg["outgoing"], 9, drafter=reg["officer"], signer=reg["leader"],
                        issued=dt.date(YEAR, 4, 2))
    i1 = svc.casefile_add_document(actor=clerk, case_file=planned, incoming=d1)
    i2 = svc.casefile_add_document(actor=clerk, case_file=planned, incoming=d2)
    i3 = svc.casefile_add_document(actor=clerk, case_file=planned, outgoing=out)
    assert (i1.ordinal, i2.ordinal, i3.ordinal) == (1, 2, 3)  # the order they were added
    with pytest.raises(InvalidInput) as err:
        svc.casefile_add_document(actor=clerk, case_file=planned, incoming=d1)
    assert err.value.code == "already_in_file"
    assert d1.events.filter(action="case_file.add").count() == 1  # in the document's trail

    with pytest.raises(InvalidInput):
        svc.casefile_close(actor=clerk, case_file=planned, end_date=dt.date(YEAR, 2, 1))
    closed = svc.casefile_close(actor=clerk, case_file=planned, end_date=dt.date(YEAR, 6, 30))
    assert closed.state == CaseFileState.CLOSED
    assert closed.transfer_due == dt.date(YEAR + 1, 6, 30)  # Điều 30.2.b: one year
    # Closing renumbers in chronological order (document dates 01/02, 10/03, 02/04).
    items = {i.pk: i.ordinal for i in CaseFileItem.objects.filter(case_file=closed)}
    assert (items[i2.pk], items[i1.pk], items[i3.pk]) == (1, 2, 3)

    d3 = make_incoming(reg["incoming"], 3, by=clerk)
    with pytest.raises(InvalidInput) as err:
        svc.casefile_add_document(actor=clerk, case_file=closed, incoming=d3)
    assert err.value.code == "file_closed"
    with pytest.raises(InvalidInput):
        svc.casefile_remove_document(actor=clerk, case_file=closed, item_id=i1.pk)
    assert CaseFileItem.objects.filter(case_file=closed).count() == 3

    transferred = svc.casefile_transfer(actor=clerk, case_file=closed)
    assert transferred.state == CaseFileState.TRANSFERRED
    actions = set(AuditEvent.objects.filter(object_type="documents.casefile",
                                            object_id=str(closed.pk))
                  .values_list("action", flat=True))
    assert {"documents.casefile.create", "documents.casefile.open", "documents.casefile.close",
            "documents.casefile.transfer"} <= actions


def test_file_input_and_unique_notation(reg, cf):
    with pytest.raises(InvalidInput) as err:
        svc.casefile_create(actor=reg["clerk"], agency=reg["province"], year=YEAR,
                            notation="01.TCCB", title="Trùng số")
    assert err.value.code == "notation_taken"
    # The same notation is free in another year.
    svc.casefile_create(actor=reg["clerk"], agency=reg["province"], year=YEAR + 1,
                        notation="01.TCCB", title="Hồ sơ năm sau")
    before = CaseFile.objects.count()
    with pytest.raises(InvalidInput) as err:
        svc.casefile_create(actor=reg["clerk"], agency=reg["province"], year=YEAR,
                            notation="", title="x" * 501, retention_years=0)
    assert set(err.value.fields) == {"notation", "title", "retention_years"}
    with pytest.raises(InvalidInput) as err:
        svc.casefile_create(actor=reg["clerk"], agency=reg["org"]["office"], year=YEAR,
                            notation="09.X", title="Một phòng không phải cơ quan")
    assert "agency_id" in err.value.fields
    assert CaseFile.objects.count() == before


def test_one_document_in_two_files_without_copying(reg, cf):
    officer = reg["officer"]
    doc = make_incoming(reg["incoming"], 1, by=reg["clerk"])
    make_assignment(doc, by=reg["leader"], user=officer)  # the officer may see it
    own = svc.casefile_create(actor=officer, agency=reg["province"], year=YEAR,
                              notation="05.CV", title="Hồ sơ công việc của chuyên viên")
    assert own.creator == officer and own.state == CaseFileState.OPEN
    documents_before = IncomingDocument.objects.count()

    a = svc.casefile_add_document(actor=reg["clerk"], case_file=cf, incoming=doc)
    b = svc.casefile_add_document(actor=officer, case_file=own, incoming=doc)

    assert IncomingDocument.objects.count() == documents_before  # nothing copied
    assert a.incoming_id == b.incoming_id == doc.pk
    assert set(doc.case_file_items.values_list("case_file_id", flat=True)) == {cf.pk, own.pk}


def test_permissions(reg, cf, make_user):
    officer = reg["officer"]
    hidden = make_incoming(reg["incoming"], 1, by=reg["clerk"])  # not assigned to the officer
    own = svc.casefile_create(actor=officer, agency=reg["province"], year=YEAR,
                              notation="05.CV", title="Hồ sơ riêng")
    with pytest.raises(NotFound):
        svc.casefile_add_document(actor=officer, case_file=own, incoming=hidden)
    with pytest.raises(PermissionDenied):  # an officer names only themself as the creator
        svc.casefile_create(actor=officer, agency=reg["province"], year=YEAR,
                            notation="06.CV", title="Cho người khác", creator=reg["clerk"])
    with pytest.raises(PermissionDenied):  # nor manages the clerk's file
        svc.casefile_add_document(actor=officer, case_file=cf, incoming=hidden)
    with pytest.raises(NotFound):
        sel.casefile_get(actor=officer, case_file_id=cf.pk)
    assert sel.casefile_get(actor=reg["clerk"], case_file_id=own.pk) == own  # clerk sees all
    with pytest.raises(PermissionDenied):
        svc.casefile_create(actor=reg["other_clerk"], agency=reg["province"], year=YEAR,
                            notation="07.X", title="Cơ quan khác")
    with pytest.raises(PermissionDenied):
        svc.casefile_plan_create(actor=officer, agency=reg["province"], year=YEAR,
                                 title="Danh mục")
    assert [c.pk for c in sel.casefile_list(actor=officer).items] == [own.pk]
    # Drafts and recalled-by-issuer documents stay out.
    draft = OutgoingDocument.objects.create(
        agency=reg["province"], drafting_unit=reg["org"]["office"], drafter=reg["officer"],
        doc_type=hidden.doc_type, subject="Dự thảo", signer=reg["leader"])
    with pytest.raises(InvalidInput) as err:
        svc.casefile_add_document(actor=reg["clerk"], case_file=cf, outgoing=draft)
    assert err.value.code == "document_not_issued"
    gone = make_incoming(reg["incoming"], 2, by=reg["clerk"], state=IncomingState.CANCELLED)
    with pytest.raises(InvalidInput) as err:
        svc.casefile_add_document(actor=reg["clerk"], case_file=cf, incoming=gone)
    assert err.value.code == "document_cancelled"


def test_remove_keeps_ordinals_gapless(reg, cf):
    docs = [make_incoming(reg["incoming"], n, by=reg["clerk"]) for n in range(1, 6)]
    items = [svc.casefile_add_document(actor=reg["clerk"], case_file=cf, incoming=d)
             for d in docs]
    svc.casefile_remove_document(actor=reg["clerk"], case_file=cf, item_id=items[1].pk)
    assert _ordinals(cf) == [(1, docs[0].pk), (2, docs[2].pk), (3, docs[3].pk),
                             (4, docs[4].pk)]
    svc.casefile_remove_document(actor=reg["clerk"], case_file=cf, item_id=items[4].pk)
    nxt = svc.casefile_add_document(actor=reg["clerk"], case_file=cf, incoming=docs[1])
    assert nxt.ordinal == 4
    assert docs[1].events.filter(action="case_file.remove").count() == 1


@pytest.mark.django_db(transaction=True)
def test_ordinals_are_race_safe(transactional_db, reg):
    clerk = reg["clerk"]
    case_file = svc.casefile_create(actor=clerk, agency=reg["province"], year=YEAR,
                                    notation="03.VP", title="Hồ sơ song song")
    docs = [make_incoming(reg["incoming"], n, by=clerk) for n in range(1, 7)]

    def add(i: int) -> None:
        svc.casefile_add_document(actor=clerk, case_file=case_file, incoming=docs[i])

    errors = run_threads(add, len(docs))
    assert errors == []
    assert sorted(o for o, _ in _ordinals(case_file)) == [1, 2, 3, 4, 5, 6]


# --- transfer due and the warning ---------------------------------------------------------------


@pytest.mark.parametrize(("end", "construction", "due"), [
    (dt.date(2026, 6, 30), False, dt.date(2027, 6, 30)),  # Điều 30.2.b: one year
    (dt.date(2028, 2, 29), False, dt.date(2029, 2, 28)),
    (dt.date(2026, 6, 30), True, dt.date(2026, 9, 30)),  # Điều 30.2.a: three months
    (dt.date(2026, 11, 30), True, dt.date(2027, 2, 28)),
])
def test_transfer_due(end, construction, due):
    assert svc.transfer_due_for(end, is_construction=construction) == due


def test_construction_file_closes_with_three_months(reg):
    cf = svc.casefile_create(actor=reg["clerk"], agency=reg["province"], year=YEAR,
                             notation="04.XD", title="Hồ sơ xây dựng trụ sở",
                             is_construction=True, start_date=dt.date(YEAR, 1, 5))
    svc.casefile_add_document(actor=reg["clerk"], case_file=cf,
                              incoming=make_incoming(reg["incoming"], 1, by=reg["clerk"]))
    closed = svc.casefile_close(actor=reg["clerk"], case_file=cf, end_date=dt.date(YEAR, 5, 31))
    assert closed.transfer_due == dt.date(YEAR, 8, 31)


def _closed(reg, notation, end):
    cf = svc.casefile_create(actor=reg["officer"], agency=reg["province"], year=YEAR,
                             notation=notation, title=f"Hồ sơ {notation}",
                             start_date=dt.date(YEAR, 1, 2))
    doc = make_incoming(reg["incoming"], int(notation[:2]), by=reg["clerk"])
    make_assignment(doc, by=reg["leader"], user=reg["officer"])
    svc.casefile_add_document(actor=reg["officer"], case_file=cf, incoming=doc)
    return svc.casefile_close(actor=reg["officer"], case_file=cf, end_date=end)


def test_thirty_day_warning_is_sent_once(reg, client):
    soon = _closed(reg, "10.A", dt.date(YEAR, 1, 15))  # due 15/01/2027
    later = _closed(reg, "11.B", dt.date(YEAR, 4, 15))  # due 15/04/2027
    today = dt.date(YEAR, 12, 20)  # 26 days before the first is due
    assert list(sel.casefiles_due_for_transfer(today=today)) == [soon]

    call_command("documents_daily", today=today.isoformat(), stdout=io.StringIO())
    call_command("documents_daily", today=today.isoformat(), stdout=io.StringIO())
    call_command("documents_daily", today=(today + dt.timedelta(days=1)).isoformat(),
                 stdout=io.StringIO())

    notes = Notification.objects.filter(user=reg["officer"])
    assert notes.count() == 1
    assert soon.notation in notes.get().subject and "15/01/2027" in notes.get().subject
    assert notes.get().url == reverse("documents:casefile_detail", args=[soon.pk])
    assert AuditEvent.objects.filter(action="documents.casefile.transfer_warning",
                                     object_id=str(soon.pk)).count() == 1
    assert not AuditEvent.objects.filter(action="documents.casefile.transfer_warning",
                                         object_id=str(later.pk)).exists()
    # The pages show the warning to the creator (relative to the real today).
    CaseFile.objects.filter(pk=soon.pk).update(
        transfer_due=dt.date.today() + dt.timedelta(days=10))
    client.force_login(reg["officer"])
    listing = client.get(reverse("documents:casefile_list"), {"year": YEAR}).content.decode()
    assert "doc-files-alert" in listing and soon.title in listing
    detail = client.get(reverse("documents:casefile_detail", args=[soon.pk])).content.decode()
    assert "doc-files-alert" in detail and "badge--warn" in detail


# --- export: PDF + XML --------------------------------------------------------------------------


def test_export_pdf_and_xml(reg, cf, tmp_path):
    clerk = reg["clerk"]
    first = attach_pdf(make_incoming(reg["incoming"], 1, by=clerk, issued=dt.date(YEAR, 3, 5),
                                     urgency="urgent", issuer="Bộ Tài chính",
                                     subject="V/v hướng dẫn tuyển dụng công chức"), clerk, 2)
    make_assignment(first, by=reg["leader"], unit=reg["org"]["office"],
                    instruction="Văn phòng chủ trì, tham mưu", due=dt.date(YEAR, 3, 20))
    reply = attach_pdf(make_outgoing(reg["outgoing"], 4, drafter=reg["officer"],
                                     signer=reg["leader"], issued=dt.date(YEAR, 3, 25),
                                     subject="Về việc tổ chức thi tuyển công chức"), clerk, 1)
    early = make_incoming(reg["incoming"], 2, by=clerk, issued=dt.date(YEAR, 1, 10),
                          subject="V/v chỉ tiêu biên chế năm 2026")  # no electronic file
    for kw in ({"outgoing": reply}, {"incoming": first}, {"incoming": early}):
        svc.casefile_add_document(actor=clerk, case_file=cf, **kw)
    svc.casefile_close(actor=clerk, case_file=cf, end_date=dt.date(YEAR, 4, 30))

    job = export_request(actor=clerk, kind="case_file", format="zip",
                         params={"case_file_id": cf.pk})
    exports_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == "done", job.error
    assert job.result.original_name == f"ho-so-01.tccb-{YEAR}.zip"
    with files.file_open(job.result) as f, zipfile.ZipFile(io.BytesIO(f.read())) as archive:
        names = sorted(archive.namelist())
        pdf = archive.read(f"ho-so-01.tccb-{YEAR}.pdf")
        xml = archive.read(f"ho-so-01.tccb-{YEAR}.xml")
    assert names == [f"ho-so-01.tccb-{YEAR}.pdf", f"ho-so-01.tccb-{YEAR}.xml"]

    # The merged PDF: the index (1 page) then 2 + 1 pages of documents.
    (tmp_path / "f.pdf").write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(tmp_path / "f.pdf")], capture_output=True,
                          check=True).stdout.decode()
    assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) == 1 + 2 + 1
    text = subprocess.run(["pdftotext", str(tmp_path / "f.pdf"), "-"], capture_output=True,
                          check=True).stdout.decode()
    pages = text.split("\f")
    flat = " ".join(pages[0].split())
    assert "MỤC LỤC VĂN BẢN" in flat and "01.TCCB" in flat
    assert "Hồ sơ tuyển dụng công chức năm 2026" in flat
    for heading in ("STT", "Số, ký hiệu", "Ngày tháng năm", "Tên loại và trích yếu",
                    "Tác giả", "Ghi chú"):
        assert heading in flat
    assert "Không có bản điện tử" in flat
    # Chronological: 10/01 (no file), 05/03 (pages 1–2), 25/03 (page 3).
    assert flat.index("10/01/2026") < flat.index("05/03/2026") < flat.index("25/03/2026")
    assert "1–2" in flat
    assert "V/v hướng dẫn tuyển dụng công chức — trang 1" in " ".join(pages[1].split())
    assert "Về việc tổ chức thi tuyển công chức — trang 1" in " ".join(pages[3].split())

    root = ET.fromstring(xml)
    assert xml.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    assert root.tag == "File"
    assert [child.tag for child in root] == [
        "FileCode", "Title", "Maintenance", "Rights", "Creator", "Language", "StartDate",
        "EndDate", "DocTotal", "PageTotal", "Description", "Documents"]
    assert [c.tag for c in root.find("FileCode")] == ["OrganId", "FileCatalog", "FileNotation"]
    assert root.findtext("FileCode/OrganId") == "000.00.00.T99"
    assert root.findtext("FileCode/FileCatalog") == str(YEAR)
    assert root.findtext("FileCode/FileNotation") == "01.TCCB"
    assert root.findtext("Title") == "Hồ sơ tuyển dụng công chức năm 2026"
    assert root.findtext("Maintenance") == "Vĩnh viễn"
    assert root.findtext("Rights") == "Hạn chế"
    assert root.findtext("Creator") == "Lê Thị Văn Thư"
    assert root.findtext("Language") == "Tiếng Việt"
    assert root.findtext("EndDate") == f"{YEAR}-04-30"
    assert root.findtext("DocTotal") == "3" and root.findtext("PageTotal") == "3"
    docs = root.findall("Documents/Document")
    assert [d.get("direction") for d in docs] == ["incoming", "incoming", "outgoing"]
    assert [d.findtext("DocOrdinal") for d in docs] == ["1", "2", "3"]
    incoming = docs[1]
    assert [c.tag for c in incoming] == [
        "FileCode", "DocOrdinal", "TypeName", "CodeNumber", "CodeNotation", "IssuedDate",
        "OrganName", "Subject", "Language", "PageAmount", "Description", "ArrivalDate",
        "ArrivalNumber", "SignerInfo", "Priority", "ToPlaces", "TraceHeaderList", "DueDate"]
    assert incoming.findtext("TypeName") == "Công văn"
    assert incoming.findtext("CodeNumber") == "101"
    assert incoming.findtext("CodeNotation") == "BNV-VP"
    assert incoming.findtext("IssuedDate") == f"{YEAR}-03-05"
    assert incoming.findtext("OrganName") == "Bộ Tài chính"
    assert incoming.findtext("ArrivalNumber") == "1"
    assert incoming.findtext("SignerInfo/FullName") == "Nguyễn Văn Ký"
    assert incoming.findtext("SignerInfo/Position") == "Thứ trưởng"
    assert incoming.findtext("Priority") == "1"
    assert incoming.findtext("ToPlaces") == "Văn phòng UBND tỉnh"
    assert "Văn phòng chủ trì, tham mưu" in incoming.findtext("TraceHeaderList")
    assert incoming.findtext("PageAmount") == "2"
    outgoing = docs[2]
    assert [c.tag for c in outgoing] == [
        "FileCode", "DocOrdinal", "TypeName", "CodeNumber", "CodeNotation", "IssuedDate",
        "OrganName", "Subject", "Language", "PageAmount", "Description", "SignerInfo", "To",
        "To", "Priority", "IssuedAmount", "DueDate"]
    assert outgoing.findtext("CodeNumber") == "04"
    assert outgoing.findtext("CodeNotation") == "QĐ-UBND"
    assert outgoing.findtext("OrganName") == "Ủy ban nhân dân tỉnh Thử Nghiệm"
    assert [t.findtext("OrganName") for t in outgoing.findall("To")] == ["Sở Nội vụ",
                                                                        "Sở Tư pháp"]
    assert outgoing.findtext("IssuedAmount") == "3"


def test_export_xml_only_and_permission(reg, cf):
    svc.casefile_add_document(actor=reg["clerk"], case_file=cf,
                              incoming=make_incoming(reg["incoming"], 1, by=reg["clerk"]))
    job = export_request(actor=reg["clerk"], kind="case_file", format="xml",
                         params={"case_file_id": cf.pk})
    exports_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == "done" and job.result.content_type == files.XML
    with pytest.raises(NotFound):
        export_request(actor=reg["officer"], kind="case_file", format="zip",
                       params={"case_file_id": cf.pk})


# --- API and pages ------------------------------------------------------------------------------


def test_api_case_files(reg, client):
    client.force_login(reg["clerk"])
    r = client.post("/api/v1/documents/case-file-plans", {
        "agency_id": reg["province"].pk, "year": YEAR, "title": "Danh mục hồ sơ 2026"},
        content_type="application/json")
    assert r.status_code == 201, r.content
    plan_id = r.json()["id"]
    r = client.post("/api/v1/documents/case-files", {
        "agency_id": reg["province"].pk, "plan_id": plan_id, "year": YEAR,
        "notation": "01.TCCB", "title": "Hồ sơ tuyển dụng", "retention_years": 20},
        content_type="application/json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["state"] == "planned" and body["retention_years"] == 20
    fid = body["id"]
    bad = client.post("/api/v1/documents/case-files", {
        "agency_id": reg["province"].pk, "year": YEAR, "notation": "01.TCCB", "title": ""},
        content_type="application/json")
    assert bad.status_code == 422 and "title" in bad.json()["fields"]
    r = client.post(f"/api/v1/documents/case-files/{fid}/open",
                    {"start_date": f"{YEAR}-01-05"}, content_type="application/json")
    assert r.status_code == 200, r.content
    doc = make_incoming(reg["incoming"], 1, by=reg["clerk"])
    r = client.post(f"/api/v1/documents/case-files/{fid}/documents", {"incoming_id": doc.pk},
                    content_type="application/json")
    assert r.status_code == 201 and r.json()["ordinal"] == 1
    r = client.patch(f"/api/v1/documents/case-files/{fid}", {"permanent": True},
                     content_type="application/json")
    assert r.status_code == 200 and r.json()["retention_years"] is None
    r = client.get(f"/api/v1/documents/case-files/{fid}")
    assert [d["document_id"] for d in r.json()["documents"]] == [doc.pk]
    r = client.post(f"/api/v1/documents/case-files/{fid}/close",
                    {"end_date": f"{YEAR}-05-31"}, content_type="application/json")
    assert r.status_code == 200, r.content
    assert r.json()["transfer_due"] == f"{YEAR + 1}-05-31"
    r = client.post(f"/api/v1/documents/case-files/{fid}/documents", {"incoming_id": doc.pk},
                    content_type="application/json")
    assert r.status_code == 422 and r.json()["code"] == "file_closed"
    r = client.post(f"/api/v1/documents/case-files/{fid}/export", {"format": "zip"},
                    content_type="application/json")
    assert r.status_code == 202 and r.json()["state"] == "queued"
    assert client.get("/api/v1/documents/case-files", {"year": YEAR}).json()["items"][0][
        "id"] == fid
    assert client.get("/api/v1/documents/case-file-plans").json()[0]["id"] == plan_id
    client.force_login(reg["other_clerk"])
    assert client.get(f"/api/v1/documents/case-files/{fid}").status_code == 404


def test_pages(reg, client):
    client.force_login(reg["clerk"])
    url = reverse("documents:casefile_list")
    r = client.post(url, {"op": "plan", "agency": reg["province"].pk, "year": YEAR,
                          "plan-title": "Danh mục hồ sơ 2026"})
    assert r.status_code == 302
    r = client.post(url, {"op": "file", "agency": reg["province"].pk, "year": YEAR,
                          "file-notation": "", "file-title": ""})
    assert r.status_code == 422 and "field-error" in r.content.decode()
    r = client.post(url, {"op": "file", "agency": reg["province"].pk, "year": YEAR,
                          "file-notation": "01.TCCB", "file-title": "Hồ sơ tuyển dụng",
                          "file-in_plan": "on"})
    assert r.status_code == 302
    case_file = CaseFile.objects.get(notation="01.TCCB")
    assert case_file.state == CaseFileState.PLANNED and case_file.plan is not None
    detail = reverse("documents:casefile_detail", args=[case_file.pk])
    client.post(reverse("documents:casefile_open", args=[case_file.pk]))
    doc = make_incoming(reg["incoming"], 1, by=reg["clerk"])
    page = client.get(detail, {"code": doc.code.lower()}).content.decode()
    assert f"incoming:{doc.pk}" in page
    r = client.post(reverse("documents:casefile_add", args=[case_file.pk]),
                    {"document": f"incoming:{doc.pk}"})
    assert r.status_code == 302
    assert CaseFileItem.objects.filter(case_file=case_file, incoming=doc).exists()
    r = client.post(reverse("documents:casefile_close", args=[case_file.pk]),
                    {"end_date": timezone.localdate().isoformat()}, follow=True)
    case_file.refresh_from_db()
    assert case_file.state == CaseFileState.CLOSED
    html = client.get(detail).content.decode()
    assert reverse("documents:export_create") in html and 'value="zip"' in html
    listing = client.get(url, {"year": YEAR}).content.decode()
    assert "01.TCCB" in listing and "Danh mục hồ sơ 2026" in listing
    client.force_login(reg["other_clerk"])
    assert client.get(detail).status_code == 404
    assert client.get(url, {"agency": reg["province"].pk}).status_code == 403
