"""Catalogue import (egov.onestop.importing): the example file, every bad row reported with its
row and column and nothing written, XLSX, a new version closing the previous one, permission,
audit, the management command and the admin page."""

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from egov.core.errors import PermissionDenied
from egov.core.importers import ImportFailed
from egov.core.models import AuditEvent
from egov.onestop.importing import COLUMNS, procedures_import
from egov.onestop.models import Procedure, ProcedureCode, ProcedureVersion
from egov.onestop.selectors.procedures import procedure_detail

pytestmark = pytest.mark.django_db

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "onestop_catalogue_example.csv"


@pytest.fixture
def manager(org, make_user):
    return make_user("catalogue_admin", org["province"], "admin")


def snapshot():
    return (Procedure.objects.count(), ProcedureVersion.objects.count(),
            ProcedureCode.objects.count(), AuditEvent.objects.count(),
            list(ProcedureVersion.objects.order_by("id").values_list("effective_to", flat=True)))


def csv_of(rows):
    out = io.StringIO()
    import csv

    w = csv.writer(out)
    w.writerow(COLUMNS)
    for r in rows:
        w.writerow([r.get(c, "") for c in COLUMNS])
    return out.getvalue().encode()


PROC = {"record": "procedure", "code": "1.009002", "name": "Thủ tục thử", "field": "Thử",
        "level": "commune", "processing_days": "2", "legal_basis": "Văn bản thử",
        "effective_from": "2026-07-01"}


def test_example_file_imports_and_closes_the_previous_version(manager):
    before_count = Procedure.objects.count()
    old = procedure_detail("1.001193").version
    result = procedures_import(actor=manager, data=EXAMPLE.read_bytes(), name=EXAMPLE.name)
    assert (result.created, result.versions) == (1, 2)
    assert Procedure.objects.count() == before_count + 1

    new = Procedure.objects.get(code="1.009001")
    v = new.versions.get()
    assert (v.processing_days, v.same_day, v.level, v.online_level) == (5, False, "province",
                                                                        "partial")
    assert [c.code for c in v.components.all()] == ["DON", "GT"]
    assert [c.required for c in v.components.all()] == [True, False]
    assert [(s.role_code, float(s.days)) for s in v.steps.all()] == [
        ("officer", 4.0), ("leader", 0.5), ("onestop_officer", 0.5)]
    assert v.fees == [{"name": "Lệ phí cấp giấy phép", "amount": 50000, "note": "đồng/lần"}]
    assert procedure_detail("1.000001").procedure == new  # old code in the history

    old.refresh_from_db()
    assert old.effective_to == dt.date(2026, 12, 31)
    later = procedure_detail("1.001193", day=dt.date(2027, 1, 5)).version
    assert later.number == old.number + 1 and later.next_day_after_cutoff
    assert procedure_detail("1.001193", day=dt.date(2026, 12, 31)).version == old

    event = AuditEvent.objects.filter(action="onestop.catalogue.import").get()
    assert event.details["codes"] == ["1.009001", "1.001193"]


def test_every_bad_row_is_reported_and_nothing_is_imported(manager):
    rows = [
        {**PROC, "code": "1.9", "level": "district", "processing_days": "x"},          # row 2
        {"record": "component", "name": "", "code": "A", "copy_kind": "photocopy"},    # row 3
        {"record": "step", "name": "Thẩm định", "role": "wizard", "days": "-1"},       # row 4
        {**PROC, "effective_from": "31/02/2026", "legal_basis": ""},                  # row 5
        {"record": "fee", "name": "Lệ phí", "amount": "nhiều"},                        # row 6
        {**PROC, "code": "1.000894", "effective_from": "2025-01-01"},                  # row 7
        {**PROC, "code": "1.009003", "old_codes": "1.001193"},                          # row 8
        {"record": "thing"},                                                            # row 9
        {**PROC, "same_day": "1"},                                 # row 10: 1.009002 again
        {**PROC, "code": "1.003559"},                                                   # row 11
    ]
    before = snapshot()
    with pytest.raises(ImportFailed) as exc:
        procedures_import(actor=manager, data=csv_of(rows), name="bad.csv")
    found = {(e.line, e.field) for e in exc.value.errors}
    expected = {
        (2, "code"), (2, "level"), (2, "processing_days"),
        (3, "name"), (3, "copy_kind"),
        (4, "role"), (4, "days"),
        (5, "legal_basis"), (5, "effective_from"),
        (6, "amount"),
        (7, "effective_from"),   # not after the version in force
        (8, "old_codes"),        # another procedure's code
        (9, "record"),
        (10, "same_day"), (10, "code"),
        (11, "code"),            # an earlier code of 1.004873
    }
    assert expected <= found, expected - found
    assert all(e.message for e in exc.value.errors)
    assert snapshot() == before


def test_steps_must_add_up_and_sub_rows_need_a_procedure(manager):
    rows = [{"record": "component", "code": "A", "name": "Giấy"},
            PROC, {"record": "step", "name": "Thẩm định", "role": "officer", "days": "1"}]
    before = snapshot()
    with pytest.raises(ImportFailed) as exc:
        procedures_import(actor=manager, data=csv_of(rows), name="bad.csv")
    assert {(e.line, e.field) for e in exc.value.errors} == {(2, "record"),
                                                             (3, "processing_days")}
    assert snapshot() == before


def test_header_problems(manager):
    with pytest.raises(ImportFailed) as exc:
        procedures_import(actor=manager, data=b"record,code,colour\n", name="x.csv")
    messages = " ".join(e.message for e in exc.value.errors)
    assert "colour" in messages and "name" in messages
    with pytest.raises(ImportFailed):
        procedures_import(actor=manager, data=b"\xff\xfe\x00", name="x.csv")
    with pytest.raises(ImportFailed):
        procedures_import(actor=manager, data=b"PK\x03\x04broken", name="x.xlsx")


def xlsx_of(rows):
    book = Workbook()
    sheet = book.active
    sheet.append(list(COLUMNS))
    for r in rows:
        sheet.append([r.get(c) for c in COLUMNS])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def test_xlsx_good_and_bad(manager):
    good = [{**PROC, "processing_days": 2, "effective_from": dt.date(2026, 7, 1),
             "same_day": 0},
            {"record": "component", "code": "DON", "name": "Đơn", "count": 2}]
    result = procedures_import(actor=manager, data=xlsx_of(good), name="good.xlsx")
    assert result.created == 1
    v = Procedure.objects.get(code="1.009002").versions.get()
    assert v.effective_from == dt.date(2026, 7, 1) and v.components.get().count == 2

    bad = [{**PROC, "code": "1.009010"}, {"record": "component", "code": "", "name": "Đơn"},
           {**PROC, "code": "1.009011", "effective_from": "hôm qua"}]
    before = snapshot()
    with pytest.raises(ImportFailed) as exc:
        procedures_import(actor=manager, data=xlsx_of(bad), name="bad.xlsx")
    assert {(e.line, e.field) for e in exc.value.errors} == {(3, "code"),
                                                             (4, "effective_from")}
    assert snapshot() == before


def test_permission(org, make_user):
    clerk = make_user("clerk1", org["commune"], "onestop_officer")
    before = snapshot()
    with pytest.raises(PermissionDenied):
        procedures_import(actor=clerk, data=EXAMPLE.read_bytes(), name=EXAMPLE.name)
    with pytest.raises(PermissionDenied):
        procedures_import(actor=None, data=EXAMPLE.read_bytes(), name=EXAMPLE.name)
    assert snapshot() == before


def test_management_command(tmp_path, manager, org, make_user, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_of([{**PROC, "code": "x"}]))
    before = snapshot()
    with pytest.raises(CommandError):
        call_command("onestop_import", str(bad))
    assert "code" in capsys.readouterr().err
    assert snapshot() == before
    make_user("nobody", org["commune"])
    with pytest.raises(CommandError):
        call_command("onestop_import", str(EXAMPLE), "--actor", "nobody")
    assert snapshot() == before
    call_command("onestop_import", str(EXAMPLE), "--actor", manager.username)
    assert Procedure.objects.filter(code="1.009001").exists()


def test_admin_import_page(client, org, make_user, manager):
    manager.is_staff = True
    manager.save()
    client.force_login(manager)
    url = "/admin/onestop/procedure/import/"
    assert client.get(url).status_code == 200
    assert "/admin/onestop/procedure/import/" in client.get(
        "/admin/onestop/procedure/").content.decode()

    before = snapshot()
    bad = io.BytesIO(csv_of([{**PROC, "code": "1.9"}, {**PROC, "code": "1.009020",
                                                       "level": "galaxy"}]))
    bad.name = "bad.csv"
    response = client.post(url, {"file": bad})
    assert response.status_code == 422
    body = response.content.decode()
    assert "import-errors" in body and "galaxy" not in body  # the message, not the value
    assert body.count("<tr><td>") == 2
    assert snapshot() == before

    with EXAMPLE.open("rb") as f:
        response = client.post(url, {"file": f})
    assert response.status_code == 302
    assert Procedure.objects.filter(code="1.009001").exists()

    staff = make_user("staff_only", org["commune"], "onestop_officer", is_staff=True)
    client.force_login(staff)
    assert client.get(url).status_code == 403


def test_admin_catalogue_pages_for_the_catalogue_manager(client, manager):
    manager.is_staff = True
    manager.save()
    client.force_login(manager)
    proc = Procedure.objects.get(code="1.004873")
    version = proc.versions.order_by("-number").first()
    for url in ("/admin/onestop/procedure/?q=1.003559",
                f"/admin/onestop/procedure/{proc.pk}/change/",
                "/admin/onestop/procedureversion/?field_name=H%E1%BB%99+t%E1%BB%8Bch",
                f"/admin/onestop/procedureversion/{version.pk}/change/"):
        r = client.get(url)
        assert r.status_code == 200, url
    body = client.get("/admin/onestop/procedure/?q=1.003559").content.decode()
    assert "Cấp Giấy xác nhận tình trạng hôn nhân" in body  # found by its earlier code
    body = client.get(f"/admin/onestop/procedureversion/{version.pk}/change/").content.decode()
    assert "Thành phần hồ sơ" in body and "Các bước xử lý" in body.replace("các bước", "Các bước")
