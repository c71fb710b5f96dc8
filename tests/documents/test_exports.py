"""Exports: registers to XLSX (read back with openpyxl) and PDF (pdftotext, pdfinfo, pdffonts),
the handling report, and the export job (progress to 100, the file downloadable, failures,
permissions) through the service, the API and the pages."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from egov.core.errors import InvalidInput, PermissionDenied
from egov.core.models import Notification
from egov.documents import exports
from egov.documents.models import ExportJob
from egov.documents.selectors import registers as regs
from egov.documents.services.exports import export_request, exports_run
from tests.documents.test_registers_views import (  # noqa: F401 - the `reg` fixture
    YEAR,
    at,
    make_assignment,
    make_incoming,
    make_outgoing,
    reg_fixture,
)


def _rows(kind, actor, agency, year=YEAR):
    return [r for chunk in regs.iter_register_rows(
        actor=actor, kind=kind, agency=agency, year=year, filters=regs.RegisterFilters(),
        chunk=2) for r in chunk]


def _meta(kind, agency):
    return regs.register_meta(kind=kind, agency=agency, year=YEAR,
                              filters=regs.RegisterFilters())


def _pdftotext(data: bytes, tmp_path, *extra: str) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", *extra, str(path), "-"], capture_output=True,
                          check=True).stdout.decode("utf-8")


def _pdfinfo(data: bytes, tmp_path) -> str:
    path = tmp_path / "info.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True
                          ).stdout.decode()


@pytest.fixture
def incoming_docs(reg):
    docs = []
    for n in range(1, 6):
        d = make_incoming(reg["incoming"], n, by=reg["clerk"], arrival=at(YEAR, 3, n, 8),
                          subject=f"V/v triển khai Đề án đổi mới, số hóa đợt {n}",
                          issuer="Sở Nội vụ tỉnh Hà Tĩnh")
        make_assignment(d, by=reg["leader"], unit=reg["org"]["office"],
                        assigned_at=at(YEAR, 3, n, 10))
        docs.append(d)
    return docs


def test_register_xlsx_content(reg, incoming_docs):
    rows = _rows(regs.INCOMING, reg["clerk"], reg["province"])
    data = exports.register_xlsx(iter(rows), regs.INCOMING, _meta(regs.INCOMING,
                                                                   reg["province"]))
    wb = load_workbook(io.BytesIO(data))
    ws = wb.active
    values = [[c for c in row] for row in ws.iter_rows(values_only=True)]
    texts = [v for row in values for v in row if isinstance(v, str)]
    assert "ỦY BAN NHÂN DÂN TỈNH THỬ NGHIỆM" in texts
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN — NĂM 2026" in texts
    heading_row = next(i for i, row in enumerate(values) if row[0] == "Ngày đến")
    assert list(values[heading_row]) == [
        "Ngày đến", "Số đến", "Tác giả", "Số, ký hiệu văn bản", "Ngày tháng văn bản",
        "Tên loại và trích yếu nội dung", "Đơn vị hoặc người nhận", "Ngày chuyển", "Ký nhận",
        "Ghi chú"]
    assert list(values[heading_row + 1]) == [f"({i})" for i in range(1, 11)]
    data_rows = values[heading_row + 2:]
    assert len(data_rows) == 5
    first = data_rows[0]
    assert first[0] == dt.datetime(YEAR, 3, 1)  # a real date cell…
    assert first[1] == 1
    assert first[2] == "Sở Nội vụ tỉnh Hà Tĩnh"
    assert first[5] == "Công văn V/v triển khai Đề án đổi mới, số hóa đợt 1"
    assert first[6] == "Văn phòng UBND tỉnh"
    assert first[7] == dt.datetime(YEAR, 3, 1)
    date_cell = ws.cell(row=heading_row + 3, column=1)
    assert date_cell.number_format == "DD/MM/YYYY"  # … shown dd/mm/yyyy
    assert [r[1] for r in data_rows] == [1, 2, 3, 4, 5]
    assert ws.column_dimensions["F"].width == 44
    assert ws.page_setup.orientation == "landscape"


def test_register_pdf_a4_landscape_vietnamese(reg, incoming_docs, tmp_path):
    rows = _rows(regs.INCOMING, reg["clerk"], reg["province"])
    data = exports.register_pdf(rows, regs.INCOMING, _meta(regs.INCOMING, reg["province"]))
    info = _pdfinfo(data, tmp_path)
    assert re.search(r"Page size:\s+841\.89 x 595\.\d+ pts \(A4\)", info), info
    text = _pdftotext(data, tmp_path)
    flat = " ".join(text.split())
    assert "Sổ đăng ký văn bản đến năm 2026" in flat  # the running title of every page
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN — Năm 2026" in flat
    assert "ỦY BAN NHÂN DÂN TỈNH THỬ NGHIỆM" in flat
    assert "Trích yếu nội dung" in flat.replace("trích yếu nội dung", "Trích yếu nội dung")
    assert "Tên loại và trích yếu nội dung" in flat
    assert "V/v triển khai Đề án đổi mới, số hóa đợt 5" in flat
    assert "Sở Nội vụ tỉnh" in flat and "Hà Tĩnh" in flat
    assert "01/03/2026" in flat
    assert "Trang 1/1" in flat
    fonts = subprocess.run(["pdffonts", str(tmp_path / "out.pdf")], capture_output=True,
                           check=True).stdout.decode()
    lines = fonts.splitlines()[2:]
    assert lines and all("Liberation-Serif" in line for line in lines), fonts
    # Embedded, subset, with a Unicode map (every Vietnamese letter extractable).
    assert all(re.search(r"Identity-H\s+yes\s+yes\s+yes", line) for line in lines), fonts


def test_register_pdf_repeats_the_heading_and_numbers_pages(reg, tmp_path):
    for n in range(1, 61):
        make_incoming(reg["incoming"], n, by=reg["clerk"],
                      subject="V/v báo cáo kết quả thực hiện nhiệm vụ trọng tâm " * 3)
    rows = _rows(regs.INCOMING, reg["clerk"], reg["province"])
    data = exports.register_pdf(rows, regs.INCOMING, _meta(regs.INCOMING, reg["province"]))
    pages = int(re.search(r"Pages:\s+(\d+)", _pdfinfo(data, tmp_path)).group(1))
    assert pages >= 3
    text = _pdftotext(data, tmp_path)
    per_page = text.split("\f")
    assert f"Trang {pages}/{pages}" in " ".join(per_page[pages - 1].split())
    for page_text in per_page[:pages]:
        flat = " ".join(page_text.split())
        assert "Ghi chú" in flat and "(10)" in flat  # thead display: table-header-group


def test_outgoing_register_files(reg, tmp_path):
    for n in (2, 1):
        make_outgoing(reg["outgoing"], n, drafter=reg["officer"], signer=reg["leader"],
                      subject="Về việc thành lập Tổ công tác rà soát thủ tục hành chính")
    rows = _rows(regs.OUTGOING, reg["clerk"], reg["province"])
    meta = _meta(regs.OUTGOING, reg["province"])
    ws = load_workbook(io.BytesIO(exports.register_xlsx(rows, regs.OUTGOING, meta))).active
    values = list(ws.iter_rows(values_only=True))
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐI — NĂM 2026" in [v[0] for v in values]
    assert [v[0] for v in values[-2:]] == ["01/QĐ-UBND", "02/QĐ-UBND"]
    assert values[-1][3] == "KT. Phó Chủ tịch Nguyễn Văn Lãnh"
    flat = " ".join(_pdftotext(exports.register_pdf(rows, regs.OUTGOING, meta),
                               tmp_path).split())
    assert "Sổ đăng ký văn bản đi năm 2026" in flat
    assert "Đơn vị, người nhận bản lưu" in flat
    assert "Quyết định Về việc thành lập Tổ công" in flat and "01/QĐ-UBND" in flat


def test_report_files(reg, tmp_path):
    from egov.documents.selectors.reports import handling_report

    d = make_incoming(reg["incoming"], 1, by=reg["clerk"], arrival=at(YEAR, 1, 5))
    make_assignment(d, by=reg["leader"], unit=reg["org"]["office"], due=dt.date(YEAR, 1, 9),
                    state="done", finished_at=at(YEAR, 1, 12))
    report = handling_report(actor=reg["clerk"], agency=reg["province"],
                             start=dt.date(YEAR, 1, 1), end=dt.date(YEAR, 1, 31))
    ws = load_workbook(io.BytesIO(exports.report_xlsx(report))).active
    values = list(ws.iter_rows(values_only=True))
    heading = next(row for row in values if row[0] == "STT")
    assert list(heading) == ["STT", "Đơn vị", "Tổng số", "Hoàn thành đúng hạn",
                             "Hoàn thành quá hạn", "Chưa hoàn thành trong hạn",
                             "Chưa hoàn thành quá hạn", "Tỷ lệ đúng hạn"]
    assert values[-2][:7] == (1, "Văn phòng UBND tỉnh", 1, 0, 1, 0, 0)
    assert values[-1][1] == "Tổng cộng"
    flat = " ".join(_pdftotext(exports.report_pdf(report), tmp_path).split())
    assert "BÁO CÁO TÌNH HÌNH GIẢI QUYẾT VĂN BẢN ĐẾN" in flat
    assert "Chưa hoàn thành" in flat and "quá hạn" in flat and "Tổng cộng" in flat


# --- the export job -----------------------------------------------------------------------------


def test_export_job_progress_and_download(reg, incoming_docs, client,
                                          django_capture_on_commit_callbacks, monkeypatch):
    from egov.documents.services import exports as service

    monkeypatch.setattr(service, "CHUNK", 2)
    seen = []
    original = service._set

    def spy(job, **fields):
        if "progress" in fields:
            seen.append(fields["progress"])
        original(job, **fields)

    monkeypatch.setattr(service, "_set", spy)
    enqueued = []
    from egov.documents import tasks_exports

    class FakeTask:
        def enqueue(self, job_id):
            enqueued.append(job_id)

    monkeypatch.setattr(tasks_exports, "run_export", FakeTask())
    with django_capture_on_commit_callbacks(execute=True):
        job = export_request(actor=reg["clerk"], kind=regs.INCOMING, format="xlsx",
                             params={"agency_id": reg["province"].pk, "year": YEAR,
                                     "urgency": "normal"})
    assert job.state == "queued" and enqueued == [job.pk]
    assert job.params == {"agency_id": reg["province"].pk, "year": YEAR, "urgency": "normal",
                          "format": "xlsx"}

    exports_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.state == "done" and job.progress == 100 and job.total == 5
    assert seen == [38, 76, 95, 100]  # after every 2 rows, then the file is stored
    assert job.result.content_type.endswith("spreadsheetml.sheet")
    assert job.result.original_name == "so-dang-ky-van-ban-den-ubnd-2026.xlsx"
    note = Notification.objects.get(user=reg["clerk"])
    assert note.url == reverse("documents:export_detail", args=[job.pk])
    # Running it again changes nothing (idempotent).
    exports_run(job_id=job.pk)
    assert Notification.objects.filter(user=reg["clerk"]).count() == 1

    client.force_login(reg["clerk"])
    r = client.get(f"/api/v1/documents/exports/{job.pk}")
    assert r.status_code == 200
    body = r.json()
    assert body["state"] == "done" and body["progress"] == 100
    download = client.get(body["download_url"])
    assert download.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert wb.active.max_row >= 5 + 5
    page = client.get(reverse("documents:export_detail", args=[job.pk]))
    assert page.status_code == 200 and "hx-trigger" not in page.content.decode()
    assert reverse("documents:export_download", args=[job.pk]) in page.content.decode()
    # Another user cannot see or download it.
    client.force_login(reg["leader"])
    assert client.get(f"/api/v1/documents/exports/{job.pk}").status_code == 404
    assert client.get(body["download_url"]).status_code == 404
    assert client.get(reverse("documents:export_download", args=[job.pk])).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_export_job_through_the_worker(transactional_db, reg, incoming_docs, client,
                                       django_capture_on_commit_callbacks):
    from django.core.management import call_command

    client.force_login(reg["leader"])
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/api/v1/documents/exports", {
            "kind": "incoming_register", "format": "pdf",
            "params": {"agency_id": reg["province"].pk, "year": YEAR}},
            content_type="application/json")
    assert r.status_code == 202, r.content
    job_id = r.json()["id"]
    assert r.json()["state"] == "queued"
    running = client.get(reverse("documents:export_detail", args=[job_id]),
                         HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 2s"' in running.content.decode()
    assert reverse("documents:export_detail", args=[job_id]) in running.content.decode()

    call_command("worker", batch=True, startup_delay=False, queue_name="cpu", verbosity=0)

    job = ExportJob.objects.get(pk=job_id)
    assert job.state == "done", job.error
    assert job.result.content_type == "application/pdf"
    detail = client.get(f"/api/v1/documents/exports/{job_id}").json()
    assert detail["progress"] == 100 and detail["file_name"].endswith(".pdf")


def test_export_request_refusals(reg):
    before = ExportJob.objects.count()
    with pytest.raises(PermissionDenied):
        export_request(actor=reg["other_clerk"], kind=regs.INCOMING, format="xlsx",
                       params={"agency_id": reg["province"].pk, "year": YEAR})
    with pytest.raises(InvalidInput) as err:
        export_request(actor=reg["clerk"], kind=regs.INCOMING, format="docx",
                       params={"agency_id": reg["province"].pk, "year": YEAR})
    assert err.value.code == "bad_format"
    with pytest.raises(InvalidInput) as err:
        export_request(actor=reg["clerk"], kind="everything", format="xlsx", params={})
    assert err.value.code == "bad_kind"
    with pytest.raises(InvalidInput) as err:
        export_request(actor=reg["clerk"], kind=regs.INCOMING, format="xlsx",
                       params={"agency_id": reg["province"].pk, "year": YEAR,
                               "date_from": "hôm qua"})
    assert "date_from" in err.value.fields
    with pytest.raises(InvalidInput) as err:
        export_request(actor=reg["clerk"], kind="handling_report", format="pdf",
                       params={"agency_id": reg["province"].pk, "start": "2026-02-01",
                               "end": "2026-01-01"})
    assert "end" in err.value.fields
    assert ExportJob.objects.count() == before  # nothing half-written


def test_export_job_failure_is_reported(reg, monkeypatch):
    job = export_request(actor=reg["clerk"], kind=regs.INCOMING, format="xlsx",
                         params={"agency_id": reg["province"].pk, "year": YEAR})
    from egov.documents import exports as builders

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(builders, "register_xlsx", broken)
    exports_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == "failed" and job.result is None and job.error
    assert "disk full" not in job.error  # no internals shown to the user
    assert Notification.objects.filter(user=reg["clerk"]).count() == 1


def test_export_buttons_on_the_page(reg, incoming_docs, client):
    client.force_login(reg["clerk"])
    url = reverse("documents:registers")
    r = client.post(reverse("documents:export_create"), {
        "kind": "outgoing_register", "format": "xlsx", "agency_id": reg["province"].pk,
        "year": YEAR, "next": url})
    job = ExportJob.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("documents:export_detail",
                                                             args=[job.pk])
    r = client.post(reverse("documents:export_create"), {
        "kind": "outgoing_register", "format": "xlsx", "agency_id": reg["province"].pk,
        "year": "abc", "next": url})
    assert r.status_code == 302 and r["Location"] == url
    assert ExportJob.objects.count() == 1
    client.force_login(reg["other_clerk"])
    r = client.post(reverse("documents:export_create"), {
        "kind": "incoming_register", "format": "pdf", "agency_id": reg["province"].pk,
        "year": YEAR})
    assert r.status_code == 403
