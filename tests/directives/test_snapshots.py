"""A report sent upward is frozen: reopening it shows what was sent, after the data changed."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess

import pytest
from django.test import Client

from egov.core.models import AuditEvent
from egov.directives.models import Directive, ReportSnapshot

pytestmark = pytest.mark.django_db

D = dt.date


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def figures(html: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(
        r'data-bucket="(\w+)"><th scope="row">[^<]*</th><td class="num">(\d+)</td>', html)}


@pytest.fixture
def late_ones(drc, make_directive):
    ds = [make_directive(title=f"Nhiệm vụ quá hạn số {i}") for i in range(3)]
    Directive.objects.filter(pk__in=[d.pk for d in ds]).update(
        given_on=D(2026, 1, 5), judged_due_date=D(2026, 2, 2), state="open")
    return ds


def test_send_freezes_the_report(drc, late_ones, tmp_path):
    c = client_for(drc["justice_head"])
    params = {"from": "2026-01-01", "to": "2026-03-31", "unit": drc["justice"].pk}
    r = c.post("/directives/reports/send/", params)
    assert r.status_code == 302
    snap = ReportSnapshot.objects.get()
    assert r["Location"] == f"/directives/reports/sent/{snap.pk}/"
    assert snap.unit == drc["justice"] and snap.sent_at and snap.created_by == drc["justice_head"]
    assert snap.data["open_late"] == 3 and len(snap.data["overdue"]) == 3
    assert AuditEvent.objects.filter(action="directive.report.send",
                                     object_id=str(snap.pk)).exists()
    before = figures(c.get(f"/directives/reports/sent/{snap.pk}/").content.decode())
    assert before["open_late"] == 3

    # The data change: two are done (one on time), one is cancelled.
    a, b, gone = late_ones
    Directive.objects.filter(pk=a.pk).update(state="done", done_on=D(2026, 2, 1))
    Directive.objects.filter(pk=b.pk).update(state="done", done_on=D(2026, 3, 1))
    Directive.objects.filter(pk=gone.pk).update(state="cancelled", title="Đổi tên")
    live = figures(c.get("/directives/reports/", {**params, "who": drc["justice"].pk})
                   .content.decode())
    assert live == {"done_on_time": 1, "done_late": 1, "open_on_time": 0, "open_late": 0}

    # Reopened: what was sent, page and files.
    html = c.get(f"/directives/reports/sent/{snap.pk}/").content.decode()
    assert figures(html) == before
    assert "Nhiệm vụ quá hạn số 2" in html and "Đổi tên" not in html
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(
        c.get(f"/directives/reports/sent/{snap.pk}.xlsx").content)).active
    cells = {row[0]: row[1] for row in ws.iter_rows(values_only=True) if row and row[0]}
    assert cells["Chưa hoàn thành, quá hạn"] == 3 and cells["Đã hoàn thành đúng hạn"] == 0
    pdf = tmp_path / "s.pdf"
    pdf.write_bytes(c.get(f"/directives/reports/sent/{snap.pk}.pdf").content)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "Nhiệm vụ quá hạn số 2" in text and "Đổi tên" not in text

    # In the list of reports sent, for the sender and the leader; not for another unit.
    assert f"/directives/reports/sent/{snap.pk}/" in c.get("/directives/reports/sent/").content.decode()
    assert f"/directives/reports/sent/{snap.pk}/" in client_for(drc["leader"]).get(
        "/directives/reports/sent/").content.decode()
    other = client_for(drc["finance_head"])
    assert f"/directives/reports/sent/{snap.pk}/" not in other.get(
        "/directives/reports/sent/").content.decode()
    assert other.get(f"/directives/reports/sent/{snap.pk}/").status_code == 404
    assert other.get(f"/directives/reports/sent/{snap.pk}.pdf").status_code == 404


def test_send_refused_writes_nothing(drc, late_ones):
    c = client_for(drc["finance_head"])
    r = c.post("/directives/reports/send/", {"from": "2026-01-01", "to": "2026-03-31",
                                             "unit": drc["justice"].pk})
    assert r.status_code == 403
    r = c.post("/directives/reports/send/", {"from": "2026-03-31", "to": "2026-01-01",
                                             "unit": drc["finance"].pk})
    assert r.status_code == 422
    assert not ReportSnapshot.objects.exists()
    assert c.get("/directives/reports/send/").status_code == 405
