"""What the browser walk of the plan, bulk-progress and give-from-a-document pages found, kept
fixed: errors stand by their inputs (no file chosen; a wrong bulk row), columns are named in the
page's language ("Nhiệm vụ", not "Xử lý"; English names on the English entry table), the
incoming document's panel speaks English on the English page, and a source document without a
number is not named twice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from egov.directives.models import ProgressReport
from egov.directives.views.from_documents import incoming_panel

from .plan_support import incoming_doc, issued_plan, task_rows, xlsx

pytestmark = pytest.mark.django_db


def _english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})


def test_plan_upload_without_a_file_says_so_by_the_field(client, drc):
    plan = issued_plan(drc)
    client.force_login(drc["leader"])
    page = client.post(reverse("directives:plan_upload", args=[plan.pk]))
    html = page.content.decode()
    assert page.status_code == 422
    assert 'id="id_file_error">Chọn tệp XLSX.' in html
    assert 'aria-invalid="true"' in html and "id_file_helptext id_file_error" in html


def test_plan_tables_name_the_task_column_nhiem_vu(client, drc):
    from django.core.files.uploadedfile import SimpleUploadedFile

    plan = issued_plan(drc)
    client.force_login(drc["leader"])
    check = client.post(reverse("directives:plan_upload", args=[plan.pk]),
                        {"file": SimpleUploadedFile("kh.xlsx", xlsx(task_rows(2, drc)))})
    html = check.content.decode()
    assert '<th scope="col">Nhiệm vụ</th>' in html and ">Xử lý<" not in html
    assert '<th scope="col">Kết quả dự kiến</th>' in html


def test_entry_table_in_english_names_columns_and_rows_in_english(client, drc):
    plan = issued_plan(drc)
    client.force_login(drc["leader"])
    _english(client)
    due = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    page = client.post(reverse("directives:plan_entry", args=[plan.pk]), {
        "rows": "2", "op": "check", "r1-plan_key": "1", "r1-title": "Một",
        "r1-lead": drc["justice"].electronic_id, "r1-due_date": due, "r2-title": "Hai"})
    html = page.content.decode()
    assert page.status_code == 422
    assert [e["column"] for e in page.context["errors"]][:1] == ["Key"]
    assert "Đơn vị chủ trì" not in html and "Mã" not in html
    assert 'href="#r2-plan_key"' in html
    assert 'aria-describedby="r2-plan_key_error"' in html
    assert '<span class="muted" data-row-status="new">(new)</span>' in html


def test_bulk_row_error_stands_by_its_percent_input(client, drc, make_directive):
    first, second = make_directive(title="Một"), make_directive(title="Hai")
    client.force_login(drc["justice_head"])
    page = client.post(reverse("directives:bulk_progress"), {
        "id": [first.pk, second.pk], f"p-{first.pk}": "30", f"p-{second.pk}": "300"})
    html = page.content.decode()
    assert page.status_code == 422 and not ProgressReport.objects.exists()
    assert f'id="p-{second.pk}_error"' in html
    assert f'aria-describedby="p-{second.pk}_error"' in html
    assert f'<a href="#p-{second.pk}">{second.code}</a>' in html
    assert f'id="p-{first.pk}_error"' not in html


def test_incoming_panel_speaks_the_pages_language(client, drc):
    from django.utils import translation

    doc = incoming_doc(drc)
    with translation.override("en"):
        panel = incoming_panel(drc["leader"], doc)
        assert panel.title == "Directives given from this document"
        assert [a.label for a in panel.actions] == ["Give a directive"]
    with translation.override("vi"):
        panel = incoming_panel(drc["leader"], doc)
        assert panel.title == "Nhiệm vụ giao từ văn bản này"
        assert [a.label for a in panel.actions] == ["Giao nhiệm vụ"]


def test_give_page_names_a_source_without_number_once(client, drc):
    doc = incoming_doc(drc)
    assert not doc.code
    client.force_login(drc["leader"])
    html = client.get(f"{reverse('directives:give')}?incoming={doc.pk}").content.decode()
    chosen = html.split('id="chosen-source"', 1)[1].split("</p>", 1)[0]
    assert chosen.count(doc.subject) == 1
