"""A plan's tasks (kế hoạch → nhiệm vụ) in a real browser, as the leader who gives them: from the
issued plan's page to its tasks page; the template; a file checked (dry run: new, changed and
error rows, nothing written) then imported; the same plan's tasks typed in the entry table (add a
row, check with the errors by their inputs, save). In Vietnamese, then in English; every page
axe-clean (no serious or critical violation) and no wider than a 360 px screen, with screenshots
in /tmp/egov-shots/."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PageChecks, submit, switch_language, vi_context
from tests.browser.directives_support import drc  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_plan_import_dry_run_confirm_then_entry(browser, live_server, login, drc,  # noqa: F811
                                                tmp_path):
    from egov.directives.models import Directive
    from tests.directives.plan_support import issued_plan, task_rows, xlsx

    plan = issued_plan(drc)
    url = live_server.url
    ctx = vi_context(browser, accept_downloads=True)
    page = ctx.new_page()
    check = PageChecks(page, "plan")
    try:
        login(page, "chutichtinh")
        switch_language(page, "vi")
        # The issued plan's page offers its tasks.
        page.goto(f"{url}/documents/outgoing/{plan.pk}/")
        expect(page.locator("#extra-plan-tasks h2")).to_have_text("Nhiệm vụ của kế hoạch")
        submit(page, f"#extra-plan-tasks a[href='/directives/plans/{plan.pk}/']")
        assert page.url == f"{url}/directives/plans/{plan.pk}/"
        assert page.locator("#plan-no-tasks").is_visible()
        check("page")
        with page.expect_download() as download:
            page.click("a[href='/directives/plans/template.xlsx']")
        assert Path(download.value.path()).read_bytes()[:2] == b"PK"

        # No file chosen: the message by the file input, not a redirect.
        submit(page, "form[enctype] button[type=submit]")
        assert page.locator("#id_file_error").inner_text() == "Chọn tệp XLSX."
        assert page.locator("#id_file").get_attribute("aria-invalid") == "true"

        # A file with wrong rows: every error listed by row and column, no import offered.
        bad = tmp_path / "ke-hoach-loi.xlsx"
        bad.write_bytes(xlsx([["T1", "", "khong-co", "", "32/13/2027", "", ""]]
                             + task_rows(2, drc)))
        page.set_input_files("#id_file", str(bad))
        submit(page, "form[enctype] button[type=submit]")
        errors = page.locator("#plan-errors").inner_text()
        assert "Dòng 2, Nội dung" in errors and "Dòng 3, Mã" in errors
        assert page.locator("tr[data-status=error]").count() == 2
        assert not page.locator("form[action$='/import/']").count()
        assert [t.strip() for t in page.locator("#rows-heading + table thead th")
                .all_text_contents()] == ["Dòng", "Mã", "Nhiệm vụ", "Kết quả dự kiến"]
        check("check-errors")

        # A good file: the dry run writes nothing; confirming imports the three tasks.
        good = tmp_path / "ke-hoach.xlsx"
        good.write_bytes(xlsx(task_rows(3, drc)))
        page.goto(f"{url}/directives/plans/{plan.pk}/")
        page.set_input_files("#id_file", str(good))
        submit(page, "form[enctype] button[type=submit]")
        assert page.locator("tr[data-status=new]").count() == 3
        assert not Directive.objects.exists()
        check("check-new")
        submit(page, "form[action$='/import/'] button[type=submit]")
        expect(page.locator(".message--success")).to_contain_text("3 mới")
        assert page.locator("tr[data-key]").count() == 3
        assert Directive.objects.filter(source_outgoing=plan).count() == 3

        # The file again with T1 changed and T4 added: one changed, one new, two unchanged.
        rows = task_rows(4, drc)
        rows[0][1] = "Nhiệm vụ số 1 của kế hoạch, sửa lại"
        good.write_bytes(xlsx(rows))
        page.set_input_files("#id_file", str(good))
        submit(page, "form[enctype] button[type=submit]")
        assert [page.locator(f"tr[data-status={s}]").count()
                for s in ("new", "updated", "unchanged")] == [1, 1, 2]
        assert page.locator("tr[data-status=updated]").inner_text().count("Nội dung") == 1
        check("check-changes")
        submit(page, "form[action$='/import/'] button[type=submit]")
        assert Directive.objects.filter(source_outgoing=plan).count() == 4
        assert Directive.objects.get(source_outgoing=plan, plan_key="T1").title.endswith(
            "sửa lại")

        # In English, the tasks typed in the entry table.
        switch_language(page, "en")
        submit(page, f"a[href='/directives/plans/{plan.pk}/entry/']")
        assert page.locator("tbody tr").count() == 5
        assert [t.strip() for t in page.locator("thead th").all_text_contents()][1:3] == \
            ["Key", "Task"]
        check("entry")
        page.fill("#r1-plan_key", "E1")
        page.fill("#r1-title", "Rà soát quy chế phối hợp")
        page.fill("#r1-lead", "Sở Tư pháp")
        page.fill("#r1-due_date", "2027-03-31")
        page.fill("#r2-title", "Nhiệm vụ chưa có mã")
        submit(page, "button[value=check]")
        # the errors by their inputs (English column names), and linked from the summary
        assert page.locator("#r2-plan_key_error").is_visible()
        assert page.locator("#r2-plan_key").get_attribute("aria-invalid") == "true"
        assert page.locator("#r2-plan_key").get_attribute("aria-describedby") == \
            "r2-plan_key_error"
        summary = page.locator("#entry-errors").inner_text()
        assert "Row 2, Key" in summary and "Đơn vị" not in summary
        assert page.locator("#entry-errors a[href='#r2-plan_key']").count() == 1
        assert page.locator("#r1 [data-row-status=new]").inner_text() == "(new)"
        assert not Directive.objects.filter(plan_key="E1").exists()
        check("entry-errors")
        # one more row; what was typed stays
        submit(page, "button[value=add]")
        assert page.locator("tbody tr").count() == 6
        assert page.input_value("#r1-title") == "Rà soát quy chế phối hợp"
        for n, key in ((2, "E2"), (6, "E3")):
            page.fill(f"#r{n}-plan_key", key)
            page.fill(f"#r{n}-title", f"Nhiệm vụ {key}")
            page.fill(f"#r{n}-lead", drc["justice"].electronic_id)
            page.fill(f"#r{n}-due_date", "2027-04-30")
        page.fill("#r6-support", "Sở Tài chính")
        page.select_option("#r6-priority", "high")
        submit(page, "button[value=check]")
        assert page.locator("[data-row-status=new]").count() == 3
        assert not Directive.objects.filter(plan_key__startswith="E").exists()
        submit(page, "button[value=save]")
        assert page.url == f"{url}/directives/plans/{plan.pk}/"
        expect(page.locator(".message--success")).to_contain_text("3 new")
        assert page.locator("tr[data-key]").count() == 7
        e3 = Directive.objects.get(source_outgoing=plan, plan_key="E3")
        assert e3.priority == "high" and e3.lead_unit_id == drc["justice"].pk
        check("saved")

        # The plan's document lists its tasks.
        page.goto(f"{url}/documents/outgoing/{plan.pk}/")
        expect(page.locator("#extra-plan-tasks h2")).to_have_text("Tasks of the plan")
        expect(page.locator("#extra-plan-tasks")).to_contain_text(e3.code)
    finally:
        ctx.close()
    bad_pages = {k: v for k, v in check.failures.items() if v}
    assert not bad_pages, f"axe serious/critical violations: {bad_pages}"
