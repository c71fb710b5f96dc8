"""Registers, exports and case files in a real browser: the clerk filters the incoming register,
starts an Excel export, watches its progress (htmx polling) while the background worker runs it,
downloads the file; the case-file page (add a document by its code, close the file, the warning).
axe finds no serious or critical violation and no page is wider than a 360 px screen."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest

from tests.browser.conftest import serious_violations as _serious
from tests.documents.test_registers_views import (
    YEAR,
    at,
    make_assignment,
    make_incoming,
    reg_fixture,  # noqa: F401 - the `reg` fixture
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/egov-shots")


@pytest.fixture
def people(transactional_db, request):
    return request.getfixturevalue("reg")


def _check(page, name: str, problems: dict) -> None:
    """axe at 1280 px and at 360 px, no horizontal scroll at 360 px, a screenshot of each."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    bad = _serious(page)
    page.screenshot(path=str(SHOTS / f"registers-{name}-1280.png"), full_page=True)
    page.set_viewport_size({"width": 360, "height": 740})
    bad += _serious(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > 360:
        bad.append(f"{width}px wide at 360px")
    page.screenshot(path=str(SHOTS / f"registers-{name}-360.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    if bad:
        problems[name] = bad


def test_register_page_and_export_with_progress(page, live_server, people, login):
    from django.core.management import call_command
    from openpyxl import load_workbook

    clerk = people["clerk"]
    for n in range(1, 8):
        d = make_incoming(people["incoming"], n, by=clerk, arrival=at(YEAR, 3, n, 8),
                          urgency="flash" if n == 3 else "normal",
                          subject=f"V/v kiểm tra công tác văn thư, lưu trữ đợt {n}")
        make_assignment(d, by=people["leader"], unit=people["org"]["office"],
                        assigned_at=at(YEAR, 3, n, 10))
    problems: dict[str, list[str]] = {}
    login(page, "vanthu")
    page.goto(f"{live_server.url}/documents/registers/?year={YEAR}")
    assert page.locator("h1").inner_text()
    rows = page.locator(".doc-registers-table tbody tr")
    assert rows.count() == 7
    assert "V/v kiểm tra công tác văn thư, lưu trữ đợt 1" in rows.first.inner_text()
    _check(page, "incoming", problems)

    # Filter by number range (the form fields are in "More filters").
    page.locator(".doc-registers-more summary").click()
    page.fill("#id_number_from", "3")
    page.fill("#id_number_to", "5")
    page.click(".doc-registers-apply button[type=submit]")
    page.wait_for_load_state()
    assert rows.count() == 3
    assert "number_from=3" in page.url

    # Export to Excel: the job page shows the progress and polls every 2 s.
    page.click("button[name=format][value=xlsx]")
    page.wait_for_load_state()
    assert "/documents/registers/exports/" in page.url
    status = page.locator("#export-status")
    assert status.get_attribute("hx-trigger") == "every 2s"
    assert page.locator("progress.doc-registers-progress").is_visible()
    refresh = status.get_by_role("link")
    assert refresh.get_attribute("href").endswith(page.url.replace(live_server.url, ""))
    _check(page, "export-waiting", problems)

    call_command("worker", batch=True, startup_delay=False, queue_name="cpu", verbosity=0)

    link = page.locator("#export-status a[download]")
    link.wait_for(timeout=15_000)  # the next poll swaps the finished status in
    assert page.locator("progress.doc-registers-progress").get_attribute("value") == "100"
    assert page.locator("#export-status").get_attribute("hx-trigger") is None
    _check(page, "export-done", problems)
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    ws = load_workbook(io.BytesIO(Path(download.path()).read_bytes())).active
    numbers = [row[1] for row in ws.iter_rows(values_only=True)
               if len(row) > 1 and isinstance(row[1], int)]
    assert numbers == [3, 4, 5]

    page.goto(f"{live_server.url}/documents/registers/?kind=outgoing_register&year={YEAR}")
    _check(page, "outgoing-empty", problems)
    page.goto(f"{live_server.url}/documents/registers/report/?start={YEAR}-03-01"
              f"&end={YEAR}-03-31")
    assert "Văn phòng UBND tỉnh" in page.locator(".doc-registers-report").inner_text()
    _check(page, "report", problems)
    assert not problems, problems


def test_case_file_page(page, live_server, people, login):
    from egov.documents.services import casefiles as svc

    clerk = people["clerk"]
    doc = make_incoming(people["incoming"], 1, by=clerk, issued=dt.date(YEAR, 2, 3),
                        subject="V/v tuyển dụng công chức năm 2026")
    cf = svc.casefile_create(actor=clerk, agency=people["province"], year=YEAR,
                             notation="01.TCCB", title="Hồ sơ tuyển dụng công chức năm 2026",
                             start_date=dt.date(YEAR, 1, 2))
    due = svc.casefile_create(actor=clerk, agency=people["province"], year=YEAR,
                              notation="02.VP", title="Hồ sơ hội nghị tổng kết năm 2025",
                              start_date=dt.date(YEAR, 1, 2))
    svc.casefile_add_document(actor=clerk, case_file=due, incoming=make_incoming(
        people["incoming"], 2, by=clerk))
    svc.casefile_close(actor=clerk, case_file=due, end_date=dt.date(YEAR, 1, 5))
    from django.utils import timezone

    from egov.documents.models import CaseFile

    CaseFile.objects.filter(pk=due.pk).update(
        transfer_due=timezone.localdate() + dt.timedelta(days=12))
    problems: dict[str, list[str]] = {}
    login(page, "vanthu")
    page.goto(f"{live_server.url}/documents/files/?year={YEAR}")
    alert = page.locator(".doc-files-alert")
    assert "02.VP" in alert.inner_text()
    assert page.locator("table.data-table tbody tr").count() == 2
    _check(page, "files", problems)

    page.get_by_role("link", name="01.TCCB").click()
    page.wait_for_load_state()
    page.fill("#doc-code", doc.code.lower())
    page.locator("#doc-code").press("Enter")
    page.wait_for_load_state()
    match = page.locator(".doc-files-matches li")
    assert match.count() == 1 and doc.code in match.inner_text()
    _check(page, "file-search", problems)
    match.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "V/v tuyển dụng công chức năm 2026" in page.locator("table.data-table").inner_text()
    page.fill("#id_end_date", f"{YEAR}-06-30")
    page.locator(".doc-files-actions button[type=submit]").click()
    page.wait_for_load_state()
    cf.refresh_from_db()
    assert cf.state == "closed" and cf.transfer_due == dt.date(YEAR + 1, 6, 30)
    assert page.locator("button[name=format][value=zip]").is_visible()
    _check(page, "file-closed", problems)
    page.goto(f"{live_server.url}/documents/files/{due.pk}/")
    assert page.locator(".doc-files-alert").is_visible()
    _check(page, "file-due", problems)
    assert not problems, problems
