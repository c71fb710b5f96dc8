"""The periodic report: its period semantics, the API contract, permissions, XLSX and PDF."""

from __future__ import annotations

import datetime as dt
import io
import subprocess

import pytest
from django.test import Client

from egov.directives.models import Directive
from egov.directives.selectors import reports as sel

pytestmark = pytest.mark.django_db

D = dt.date
URL = "/api/v1/directives/report"


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def put(d, **fields):
    Directive.objects.filter(pk=d.pk).update(**fields)


@pytest.fixture
def year(drc, make_directive):
    """Directives of Sở Tư pháp judged for the 2025 report (as of 31/12/2025)."""
    mk = make_directive
    ds = {
        "on_time": mk(title="Hoàn thành đúng hạn"),
        "late": mk(title="Hoàn thành quá hạn"),
        "open_late": mk(title="Chưa hoàn thành, quá hạn — đến hạn 01/3"),
        "done_after": mk(title="Đến hạn trong kỳ, xong sau kỳ"),
        "carried": mk(title="Từ kỳ trước chuyển sang"),
        "carried_done_before": mk(title="Xong trước kỳ"),
        "next_year": mk(title="Đến hạn năm sau"),
        "due_end": mk(title="Đến hạn ngày cuối kỳ"),
        "cancelled": mk(title="Đã hủy"),
        "other_unit": mk(title="Của Sở Tài chính", lead=drc["finance"]),
    }
    put(ds["on_time"], given_on=D(2025, 1, 5), state="done", done_on=D(2025, 3, 1),
        judged_due_date=D(2025, 3, 2))
    put(ds["late"], given_on=D(2025, 1, 5), state="done", done_on=D(2025, 4, 1),
        judged_due_date=D(2025, 3, 2))
    put(ds["open_late"], given_on=D(2025, 1, 5), state="open", judged_due_date=D(2025, 3, 1))
    put(ds["done_after"], given_on=D(2025, 6, 5), state="done", done_on=D(2026, 1, 10),
        judged_due_date=D(2025, 9, 1))
    put(ds["carried"], given_on=D(2024, 6, 5), state="submitted", judged_due_date=D(2024, 9, 1))
    put(ds["carried_done_before"], given_on=D(2024, 6, 5), state="done", done_on=D(2024, 12, 1),
        judged_due_date=D(2024, 9, 1))
    put(ds["next_year"], given_on=D(2025, 11, 5), state="open", judged_due_date=D(2026, 2, 1))
    put(ds["due_end"], given_on=D(2025, 11, 5), state="open", judged_due_date=D(2025, 12, 31))
    put(ds["cancelled"], given_on=D(2025, 1, 5), state="cancelled",
        judged_due_date=D(2025, 3, 1))
    put(ds["other_unit"], given_on=D(2025, 1, 5), state="open", judged_due_date=D(2025, 3, 1))
    return ds


def test_period_semantics(drc, year):
    period = sel.Period(start=D(2025, 1, 1), end=D(2025, 12, 31), unit=drc["justice"])
    r = sel.periodic_report(period, today=D(2026, 6, 1))
    assert r.as_of == D(2025, 12, 31)
    assert r.counts == {"done_on_time": 1, "done_late": 1, "open_on_time": 1, "open_late": 3}
    # Most overdue first: carried over (due 2024), then due 01/3, then 01/9 (done only in 2026).
    assert [o.id for o in r.overdue] == [year["carried"].pk, year["open_late"].pk,
                                         year["done_after"].pk]
    assert r.overdue[0].days_late == (D(2025, 12, 31) - D(2024, 9, 1)).days
    # Asked again later, the same answer (judged at the end of the period).
    assert sel.periodic_report(period, today=D(2027, 1, 1)).counts == r.counts
    # The Python rule says the same for each directive reported.
    got = {}
    for d in sel.period_qs(period):
        b = sel.bucket_as_of(d, r.as_of)
        got[b] = got.get(b, 0) + 1
    assert got == {k: v for k, v in r.counts.items() if v}
    # A period not over yet is judged today: the one due in February is in time; the ones
    # carried over stay overdue; the one done late in January counts as done late now.
    now = sel.Period(start=D(2026, 1, 1), end=D(2026, 12, 31), unit=drc["justice"])
    r2 = sel.periodic_report(now, today=D(2026, 1, 20))
    assert r2.counts == {"done_on_time": 0, "done_late": 1, "open_on_time": 1, "open_late": 3}
    assert [o.id for o in r2.overdue] == [year["carried"].pk, year["open_late"].pk,
                                          year["due_end"].pk]


def test_api_contract(drc, year):
    body = client_for(drc["justice_head"]).get(URL, {
        "from": "2025-01-01", "to": "2025-12-31", "unit": drc["justice"].pk}).json()
    for key in ("done_on_time", "done_late", "open_on_time", "open_late"):
        assert isinstance(body[key], int)
    assert body["done_on_time"] == 1 and body["done_late"] == 1 and body["open_late"] >= 3
    assert {o["id"] for o in body["overdue"]} >= {year["carried"].pk, year["open_late"].pk}
    first = body["overdue"][0]
    assert {"id", "code", "title", "lead_unit", "judged_due_date", "days_late"} <= set(first)
    assert body["from"] == "2025-01-01" and body["unit"]["id"] == drc["justice"].pk
    # Without a unit: the directives the leader's agency gave (both departments).
    agency = client_for(drc["leader"]).get(URL, {"from": "2025-01-01",
                                                 "to": "2025-12-31"}).json()
    assert agency["agency"]["id"] == drc["province"].pk
    assert agency["open_late"] == body["open_late"] + 1  # + Sở Tài chính's


@pytest.mark.parametrize("params,field", [
    ({"from": "2025-13-01"}, "from"), ({"to": "31/12/2025"}, "to"),
    ({"unit": "abc"}, "unit"), ({"unit": "99999999"}, "unit"),
    ({"from": "2025-12-31", "to": "2025-01-01"}, "to"),
    ({"from": "2010-01-01", "to": "2025-01-01"}, "from"),
    ({"agency": "-1"}, "agency"), ({"from": "x" * 200}, "from"),
])
def test_api_bad_params_are_422_with_fields(drc, year, params, field):
    r = client_for(drc["leader"]).get(URL, params)
    assert r.status_code == 422, r.content
    body = r.json()
    assert body["code"] and body["message"] and field in body["fields"]


def test_a_unit_head_sees_only_their_units_report(drc, year):
    c = client_for(drc["justice_head"])
    assert c.get(URL, {"unit": drc["justice"].pk}).status_code == 200
    assert c.get(URL, {"unit": drc["finance"].pk}).status_code == 403
    assert c.get(URL, {"agency": drc["province"].pk}).status_code == 403
    assert c.get("/directives/reports/", {"unit": drc["finance"].pk}).status_code == 403
    assert c.get("/directives/reports/report.pdf", {"unit": drc["finance"].pk}).status_code == 403
    assert client_for(drc["nobody"]).get(URL).status_code == 403
    assert Client().get(URL).status_code == 401
    # The leader reports on every unit of the province.
    assert client_for(drc["leader"]).get(URL, {"unit": drc["finance"].pk}).status_code == 200


def test_xlsx_content(drc, year):
    from openpyxl import load_workbook

    r = client_for(drc["justice_head"]).get("/directives/reports/report.xlsx", {
        "from": "2025-01-01", "to": "2025-12-31", "unit": drc["justice"].pk})
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    cells = {row[0]: row[1:] for row in ws.iter_rows(values_only=True) if row and row[0]}
    assert cells["Đã hoàn thành đúng hạn"][0] == 1
    assert cells["Đã hoàn thành quá hạn"][0] == 1
    assert cells["Chưa hoàn thành, quá hạn"][0] == 3
    assert cells["Tổng số"][0] == 6
    assert "SỞ TƯ PHÁP" in cells
    titles = [row[2] for row in ws.iter_rows(values_only=True) if row and len(row) > 2]
    assert "Từ kỳ trước chuyển sang" in titles and "Đã hủy" not in titles


def test_pdf_text_has_vietnamese(drc, year, tmp_path):
    r = client_for(drc["justice_head"]).get("/directives/reports/report.pdf", {
        "from": "2025-01-01", "to": "2025-12-31", "unit": drc["justice"].pk})
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    path = tmp_path / "r.pdf"
    path.write_bytes(r.content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    for words in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                  "BÁO CÁO TÌNH HÌNH THỰC HIỆN NHIỆM VỤ", "Đã hoàn thành đúng hạn",
                  "Chưa hoàn thành, quá hạn", "Từ kỳ trước chuyển sang", "SỞ TƯ PHÁP",
                  "Từ ngày 01/01/2025 đến ngày 31/12/2025"):
        assert words in text, words


def test_report_page(drc, year):
    c = client_for(drc["leader"])
    r = c.get("/directives/reports/", {"from": "2025-01-01", "to": "2025-12-31",
                                       "who": str(drc["justice"].pk)})
    assert r.status_code == 200
    html = r.content.decode()
    assert 'data-bucket="open_late"><th scope="row">' in html
    assert "Từ kỳ trước chuyển sang" in html
    assert c.get("/directives/reports/", {"from": "nope"}).status_code == 422
    assert c.get("/directives/reports/report.doc").status_code == 404
