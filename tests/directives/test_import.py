"""Plan import (kế hoạch → directives): the dry run writes nothing and lists every bad row with
its row and column; the import writes all or nothing; a re-import updates, never duplicates;
bad files never raise; 5,000 rows work (their timing is in bench/bench_directives_import.py)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest

from egov.core.errors import AppError, PermissionDenied
from egov.core.importers import ImportFailed
from egov.core.models import AuditEvent
from egov.directives.models import (
    Directive,
    DirectiveAssignee,
    DirectiveEvent,
    DirectiveState,
    Priority,
    SourceKind,
)
from egov.directives.services import plan_import as svc
from egov.directives.services.plan_read import read_xlsx, template_xlsx
from egov.documents.models import OutgoingState

from .plan_support import HEADER, due, issued_plan, task_rows, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(drc):
    return issued_plan(drc)


def _check(drc, plan, data, who="leader"):
    return svc.plan_check(actor=drc[who], document_id=plan.pk, data=data)


def test_dry_run_reports_new_rows_and_writes_nothing(drc, plan):
    data = xlsx(task_rows(3, drc))
    result = _check(drc, plan, data)
    assert result.ok and result.counts == {"new": 3, "updated": 0, "unchanged": 0, "error": 0}
    assert [r.row for r in result.rows] == [2, 3, 4]
    assert result.rows[0].lead == drc["justice"] and result.rows[0].support == [drc["finance"]]
    assert not Directive.objects.exists() and not DirectiveEvent.objects.exists()


def test_import_writes_directives_participants_events_and_one_audit(drc, plan):
    result = svc.plan_import(actor=drc["leader"], document_id=plan.pk,
                             data=xlsx(task_rows(3, drc)), name="ke-hoach.xlsx")
    assert result.written and result.counts["new"] == 3
    ds = list(Directive.objects.order_by("plan_key"))
    assert [d.plan_key for d in ds] == ["T1", "T2", "T3"]
    d1 = ds[0]
    assert d1.source_kind == SourceKind.PLAN and d1.source_outgoing == plan
    assert d1.lead_unit == drc["justice"] and d1.given_by == drc["leader"]
    assert d1.judged_due_date is not None and d1.code.startswith("000.00.00.T99-NV")
    assert sorted(d1.assignees.values_list("role", "unit_id")) == [
        ("lead", drc["justice"].pk), ("support", drc["finance"].pk)]
    assert ds[2].priority == Priority.HIGH and ds[1].priority == Priority.NORMAL
    assert DirectiveEvent.objects.filter(kind="given").count() == 3
    codes = sorted(int(d.code[-5:]) for d in ds)
    assert codes == list(range(codes[0], codes[0] + 3))  # gapless
    assert AuditEvent.objects.filter(action="directive.plan_import").count() == 1
    # the inbox items, written in bulk, each with its own audit event
    from egov.core.models import WorkItem

    items = set(WorkItem.objects.filter(module="directives").values_list("pk", flat=True))
    assert len(items) == DirectiveAssignee.objects.count() == 5  # one per participant
    assert {int(pk) for pk in AuditEvent.objects.filter(action="workitem.create")
            .values_list("object_id", flat=True)} == items


def test_bad_rows_are_all_listed_by_row_and_column_and_nothing_written(drc, plan):
    rows = task_rows(2, drc) + [
        ["", "Thiếu mã", "Sở Tư pháp", "", due(), "", ""],                    # row 4
        ["X1", "", "Sở Không Có", "Sở Tài chính", "31/02/2027", "rất cao", ""],  # row 5
        ["T1", "Mã trùng", "Sở Tư pháp", "Sở Tư pháp", due(), "", ""],          # row 6
        ["X2", "Hạn đã qua", "Sở Tư pháp", "", "01/01/2001", "", ""],           # row 7
    ]
    data = xlsx(rows)
    result = _check(drc, plan, data)
    found = {(e.line, e.field) for e in result.errors}
    assert {(4, "plan_key"), (5, "title"), (5, "lead"), (5, "due_date"), (5, "priority"),
            (6, "plan_key"), (6, "support"), (7, "due_date")} <= found
    assert [r.status for r in result.rows] == ["new", "new", "error", "error", "error", "error"]
    with pytest.raises(ImportFailed) as err:
        svc.plan_import(actor=drc["leader"], document_id=plan.pk, data=data)
    assert len(err.value.errors) == len(result.errors)
    assert not Directive.objects.exists() and not DirectiveAssignee.objects.exists()


def test_reimport_updates_never_duplicates(drc, plan):
    rows = task_rows(4, drc)
    svc.plan_import(actor=drc["leader"], document_id=plan.pk, data=xlsx(rows))
    ids = dict(Directive.objects.values_list("plan_key", "id"))
    # the same file again: all unchanged
    again = svc.plan_import(actor=drc["leader"], document_id=plan.pk, data=xlsx(rows))
    assert again.counts == {"new": 0, "updated": 0, "unchanged": 4, "error": 0}
    # change one title, one lead, one supporting list and add a task
    rows[0][1] = "Nhiệm vụ số 1 (sửa)"
    rows[1][2] = "Sở Tài chính"
    rows[2][3] = "Văn phòng UBND tỉnh; Sở Tài chính"
    rows.append(["T5", "Nhiệm vụ mới", "Sở Tư pháp", "", due(), "Khẩn", "ghi chú"])
    preview = _check(drc, plan, xlsx(rows))
    assert [r.status for r in preview.rows] == ["updated", "updated", "updated", "unchanged",
                                                "new"]
    assert preview.rows[1].changes == ["lead"]
    done = svc.plan_import(actor=drc["leader"], document_id=plan.pk, data=xlsx(rows))
    assert done.counts["updated"] == 3 and done.counts["new"] == 1
    assert Directive.objects.count() == 5
    assert dict(Directive.objects.exclude(plan_key="T5").values_list("plan_key", "id")) == ids
    d1, d2, d3 = (Directive.objects.get(plan_key=k) for k in ("T1", "T2", "T3"))
    assert d1.title == "Nhiệm vụ số 1 (sửa)"
    assert d2.lead_unit == drc["finance"]
    assert d2.assignees.get(role="lead").unit == drc["finance"]
    assert set(d3.assignees.filter(role="support").values_list("unit_id", flat=True)) == {
        drc["office"].pk, drc["finance"].pk}
    assert DirectiveEvent.objects.filter(kind="updated").count() == 3
    assert Directive.objects.get(plan_key="T5").priority == Priority.URGENT


def test_a_closed_task_is_not_changed_by_the_plan(drc, plan):
    rows = task_rows(1, drc)
    svc.plan_import(actor=drc["leader"], document_id=plan.pk, data=xlsx(rows))
    Directive.objects.update(state=DirectiveState.DONE, done_on=dt.date.today())
    rows[0][1] = "Đổi nội dung"
    result = _check(drc, plan, xlsx(rows))
    assert result.rows[0].status == "error" and result.errors[0].field == "plan_key"


def test_units_by_electronic_id_or_exact_name_within_the_agency(drc, plan):
    rows = [["A", "Một", "000.00.03.t99", "sở tư pháp; Phòng Ngân sách", due(), "", ""],
            ["B", "Hai", "Ủy ban nhân dân xã An Bình", "", due(), "", ""]]
    result = _check(drc, plan, xlsx(rows))
    assert result.ok, result.errors
    assert result.rows[0].lead == drc["finance"]
    assert result.rows[0].support == [drc["justice"], drc["finance_div"]]
    outside = _check(drc, plan, xlsx([["C", "Ba", "Sở Không Tồn Tại", "", due(), "", ""]]))
    assert outside.errors[0].field == "lead"


def test_dates_as_excel_dates_and_iso(drc, plan):
    day = dt.date.today() + dt.timedelta(days=10)
    rows = [["A", "Một", "Sở Tư pháp", "", day, "", ""],
            ["B", "Hai", "Sở Tư pháp", "", day.isoformat(), "", ""]]
    result = _check(drc, plan, xlsx(rows))
    assert result.ok and [r.due for r in result.rows] == [day, day]


def test_permissions_and_the_plan_state(drc, plan):
    data = xlsx(task_rows(1, drc))
    for who in ("justice_head", "justice_officer", "nobody"):
        with pytest.raises(AppError) as err:  # not seen (404) or not a giver (403)
            _check(drc, plan, data, who=who)
        assert err.value.status in (403, 404)
    draft = issued_plan(drc, state=OutgoingState.DRAFT)
    with pytest.raises(AppError) as err:
        _check(drc, draft, data)
    assert err.value.status == 409
    with pytest.raises((PermissionDenied, AppError)):
        svc.plan_import(actor=drc["justice_head"], document_id=plan.pk, data=data)
    assert not Directive.objects.exists()


@pytest.mark.parametrize("data", [
    b"", b"not a spreadsheet at all", b"PK\x03\x04 broken zip",
    "Mã,Nội dung\n1,x\n".encode(),
])
def test_bad_files_are_errors_not_500(drc, plan, data):
    result = _check(drc, plan, data)
    assert result.errors and not result.rows
    with pytest.raises(ImportFailed):
        svc.plan_import(actor=drc["leader"], document_id=plan.pk, data=data)


def test_empty_workbook_missing_columns_and_no_header(drc, plan):
    assert _check(drc, plan, xlsx([])).errors  # header only: no task row
    assert _check(drc, plan, xlsx([], header=None)).errors
    missing = _check(drc, plan, xlsx([["1", "x"]], header=["Mã", "Nội dung"]))
    assert "Đơn vị chủ trì" in missing.errors[0].message
    unrelated = _check(drc, plan, xlsx([["a", "b"]] * 20, header=["foo", "bar"]))
    assert unrelated.errors and not unrelated.rows


def test_formulas_are_refused_with_their_cell(drc, plan):
    data = xlsx(task_rows(2, drc), formula_at="E3")
    result = _check(drc, plan, data)
    assert (3, "due_date") in {(e.line, e.field) for e in result.errors}
    assert result.rows[1].status == "error"


def test_huge_files_are_refused(drc, plan):
    big = b"PK" + b"\0" * (11 * 1024 * 1024)
    assert "10 MB" in _check(drc, plan, big).errors[0].message
    # a small zip that unpacks to a lot (zip bomb) is refused before openpyxl reads it
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b" " * (120 * 1024 * 1024))
    assert _check(drc, plan, out.getvalue()).errors
    lines, errors = read_xlsx(xlsx([["1", "x", "Sở Tư pháp", "", due(), "", ""]] * 10_001))
    assert errors and not lines


def test_5000_rows_dry_run_and_import(drc, plan):
    data = xlsx(task_rows(5000, drc))
    result = _check(drc, plan, data)
    assert result.ok and result.counts["new"] == 5000
    assert not Directive.objects.exists()
    svc.plan_import(actor=drc["leader"], document_id=plan.pk, data=data)
    assert Directive.objects.count() == 5000
    assert DirectiveAssignee.objects.count() == 7500
    again = svc.plan_import(actor=drc["leader"], document_id=plan.pk, data=data)
    assert again.counts["unchanged"] == 5000 and Directive.objects.count() == 5000


def test_template_is_a_workbook_the_import_reads(drc, plan):
    lines, errors = read_xlsx(template_xlsx())
    assert not errors and len(lines) == 2
    assert [lines[0].values[k] for k in ("plan_key", "lead")] == ["1", "Sở Tư pháp"]
    assert HEADER[0] == "Mã"


def test_imported_tasks_reach_the_inbox_like_one_given_directive(drc, plan, make_directive):
    from egov.core.models import WorkItem

    one = make_directive(support=[drc["finance"]])
    expected = sorted(WorkItem.objects.filter(subject_id=str(one.pk)).values_list(
        "kind", "role", "assignee_unit_id", "module"))
    svc.plan_import(actor=drc["leader"], document_id=plan.pk, data=xlsx(task_rows(3, drc)))
    d1 = Directive.objects.get(plan_key="T1")  # lead justice, support finance, like `one`
    got = sorted(WorkItem.objects.filter(subject_id=str(d1.pk)).values_list(
        "kind", "role", "assignee_unit_id", "module"))
    assert got == expected and len(got) == 2
    lead_item = WorkItem.objects.get(subject_id=str(d1.pk), role="lead")
    assert lead_item.due_at is not None and d1.code in lead_item.title
    assert WorkItem.objects.filter(module="directives").count() == 2 + 5


def test_codes_stay_gapless_around_an_import(drc, plan, make_directive):
    before = make_directive()
    svc.plan_import(actor=drc["leader"], document_id=plan.pk, data=xlsx(task_rows(4, drc)))
    after = make_directive()
    seqs = sorted(int(c[-5:]) for c in Directive.objects.values_list("code", flat=True))
    assert seqs == list(range(int(before.code[-5:]), int(after.code[-5:]) + 1)) and len(seqs) == 6
