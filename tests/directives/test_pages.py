"""The directive pages: the lists (given / received, filters, keyset pages, status badges, the
menu), the directive page (what each person sees) and the give page (errors by the field,
nothing written on bad input)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from egov.directives.models import Directive, DirectiveAssignee, DirectiveFile

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()  # the Vietnamese day, as the services count


def get(client, user, name, *args, **params):
    client.force_login(user)
    return client.get(reverse(name, args=args), params)


# --- lists ---------------------------------------------------------------------------------------


def test_given_list_shows_the_leaders_directives_with_their_status(client, drc, make_directive):
    late = make_directive(title="Việc quá hạn", given_on=TODAY - dt.timedelta(days=20),
                          due=TODAY - dt.timedelta(days=10))
    ok = make_directive(title="Việc trong hạn")
    other = make_directive(title="Việc của xã", actor=drc["commune_leader"],
                           lead=drc["commune"])
    r = get(client, drc["leader"], "directives:given")
    html = r.content.decode()
    assert r.status_code == 200
    assert late.code in html and ok.code in html and other.code not in html
    assert f'data-id="{late.pk}"' in html
    row = html[html.index(f'data-id="{late.pk}"'):]
    assert 'data-status="open_late"' in row[:3000] and "Chưa hoàn thành quá hạn" in row[:3000]
    row = html[html.index(f'data-id="{ok.pk}"'):]
    assert 'data-status="open_on_time"' in row[:3000]
    # the bucket filter
    html = get(client, drc["leader"], "directives:given", bucket="open_late").content.decode()
    assert late.code in html and ok.code not in html
    # text filter (title words) and deadline range
    html = get(client, drc["leader"], "directives:given", q="trong hạn").content.decode()
    assert ok.code in html and late.code not in html
    html = get(client, drc["leader"], "directives:given",
               due_to=(TODAY - dt.timedelta(days=1)).isoformat()).content.decode()
    assert late.code in html and ok.code not in html


def test_given_list_is_forbidden_to_who_may_not_give(client, drc):
    assert get(client, drc["justice_officer"], "directives:given").status_code == 403
    assert get(client, drc["justice_officer"], "directives:give").status_code == 403


def test_filter_errors_by_the_field(client, drc):
    r = get(client, drc["leader"], "directives:given", due_from="2026-05-01",
            due_to="2026-04-01", bucket="nonsense")
    html = r.content.decode()
    assert r.status_code == 400
    assert 'id="id_due_to_error"' in html and 'id="id_bucket_error"' in html


def test_received_list_by_role(client, drc, make_directive):
    lead = make_directive(title="Chủ trì", lead=drc["justice"])
    sup = make_directive(title="Phối hợp", lead=drc["finance"], support=[drc["justice"]])
    inf = make_directive(title="Để biết", lead=drc["finance"], inform=[drc["justice"]])
    html = get(client, drc["justice_head"], "directives:received").content.decode()
    assert lead.code in html and sup.code not in html and inf.code not in html
    html = get(client, drc["justice_head"], "directives:received",
               role="support").content.decode()
    assert sup.code in html and lead.code not in html
    html = get(client, drc["justice_head"], "directives:received",
               role="inform").content.decode()
    assert inf.code in html and sup.code not in html
    # "all I follow": the office's clerk (view_all) starts there and sees every one
    html = get(client, drc["clerk"], "directives:received").content.decode()
    assert lead.code in html and sup.code in html and inf.code in html
    assert 'href="/directives/unit/?role=all" aria-current="page"' in html
    # the outsider sees none of them
    html = get(client, drc["nobody"], "directives:received").content.decode()
    assert lead.code not in html and "Không có nhiệm vụ" in html


def _queries(client, url, params=None) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params or {}).status_code == 200
    return len(ctx.captured_queries)


def test_keyset_pages_and_bad_cursor(client, drc, make_directive):
    made = [make_directive(title=f"Việc {i}", support=[drc["finance"]]) for i in range(3)]
    client.force_login(drc["leader"])
    url = reverse("directives:given")
    _queries(client, url)  # warm the caches (grants, menu)
    few = _queries(client, url)
    made += [make_directive(title=f"Việc {i}") for i in range(3, 53)]
    assert _queries(client, url) == few  # a constant number of queries, whatever the rows
    r = client.get(url)
    html = r.content.decode()
    assert html.count("data-id=") == 50 and "Xem thêm" in html
    start = html.index('cursor=')
    cursor = html[start + 7:html.index('"', start)].replace("&amp;", "&")
    from urllib.parse import unquote

    r = client.get(url, {"cursor": unquote(cursor)})
    html2 = r.content.decode()
    assert html2.count("data-id=") == 3
    shown = {int(x.split('"')[1]) for x in (html + html2).split("data-id=")[1:]}
    assert shown == {d.pk for d in made}
    r = client.get(url, {"cursor": "garbage!!"})
    assert r.status_code == 200 and r.content.decode().count("data-id=") == 50


def test_menu_entries(client, drc):
    html = get(client, drc["leader"], "inbox").content.decode()
    assert reverse("directives:given") in html and reverse("directives:received") in html
    # one active entry on the given list, none on the give page
    html = get(client, drc["leader"], "directives:given").content.decode()
    assert html.count('aria-current="page"') == 1
    r = get(client, drc["leader"], "directives:home")
    assert r.status_code == 302 and r["Location"] == reverse("directives:received")
    html = get(client, drc["justice_officer"], "inbox").content.decode()
    assert reverse("directives:received") in html and reverse("directives:given") not in html
    html = get(client, drc["nobody"], "inbox").content.decode()
    assert reverse("directives:received") not in html


def test_menu_works_out_the_dashboard_once_per_page(client, drc, make_user, monkeypatch):
    """Both dashboard entries ask which dashboard the person opens: worked out once."""
    from egov.directives.selectors import dashboard as dashboard_sel

    calls = []
    real = dashboard_sel.report_agencies
    monkeypatch.setattr(dashboard_sel, "report_agencies",
                        lambda user: calls.append(user.pk) or real(user))
    division_head = make_user("truongphong", drc["justice_div"], "unit_head")
    for user, url in ((drc["leader"], "directives:dashboard"),
                      (drc["justice_head"], "directives:dashboard"),  # heads an agency
                      (division_head, "directives:unit_dashboard")):
        calls.clear()
        html = get(client, user, "inbox").content.decode()
        assert calls == [user.pk], user
        assert html.count(f'href="{reverse(url)}"') == 1, user


# --- the directive page -------------------------------------------------------------------------


def test_detail_page_shows_the_facts_to_who_may_see(client, drc, make_directive):
    d = make_directive(support=[drc["finance"]], inform=[drc["office"]],
                       guidance="Khẩn trương triển khai.")
    r = get(client, drc["justice_head"], "directives:detail", d.pk)
    html = r.content.decode()
    assert r.status_code == 200
    assert d.title in html and "Khẩn trương triển khai." in html
    assert 'data-role="lead"' in html and 'data-role="support"' in html
    assert 'data-role="inform"' in html
    assert "Nguyễn Văn Chủ Tịch" in html  # the giver
    for who in ("nobody", "commune_leader", "justice_officer"):
        assert get(client, drc[who], "directives:detail", d.pk).status_code == 404, who
    assert get(client, drc["leader"], "directives:detail", 999999).status_code == 404


def test_detail_offers_forms_by_role(client, drc, make_directive):
    d = make_directive(support=[drc["finance"]])
    html = get(client, drc["justice_head"], "directives:detail", d.pk).content.decode()
    for key in ("progress", "extension", "complete", "split"):
        assert f'id="action-{key}"' in html, key
    for key in ("accept", "return", "cancel", "decide"):
        assert f'id="action-{key}"' not in html, key
    html = get(client, drc["leader"], "directives:detail", d.pk).content.decode()
    assert 'id="action-cancel"' in html
    for key in ("progress", "extension", "complete", "split", "accept"):
        assert f'id="action-{key}"' not in html, key
    row = d.assignees.get(role="support")
    html = get(client, drc["finance_head"], "directives:detail", d.pk).content.decode()
    assert f'id="action-support-{row.pk}"' in html and 'id="action-progress"' not in html
    html = get(client, drc["clerk"], "directives:detail", d.pk).content.decode()
    assert 'id="directive-actions"' not in html


def test_source_document_link_and_files(client, drc, make_directive):
    from egov.core.files import file_store

    stored = file_store(actor=drc["leader"], upload=SimpleUploadedFile(
        "ke-hoach.txt", "Kế hoạch rà soát".encode()))
    d = make_directive(source_kind="meeting", source_text="Thông báo kết luận số 12/TB-UBND",
                       files=[stored])
    html = get(client, drc["justice_head"], "directives:detail", d.pk).content.decode()
    assert "Thông báo kết luận số 12/TB-UBND" in html and "ke-hoach.txt" in html
    f = DirectiveFile.objects.get(directive=d)
    r = get(client, drc["justice_head"], "directives:file", d.pk, f.pk)
    assert r.status_code == 200 and b"".join(r.streaming_content) == "Kế hoạch rà soát".encode()
    assert get(client, drc["nobody"], "directives:file", d.pk, f.pk).status_code == 404
    other = make_directive()
    assert get(client, drc["leader"], "directives:file", other.pk, f.pk).status_code == 404


# --- giving a directive -------------------------------------------------------------------------


def give(client, user, data, files=None):
    client.force_login(user)
    return client.post(reverse("directives:give"), {**data, **(files or {})})


def test_give_page_lists_units_and_people(client, drc):
    r = get(client, drc["leader"], "directives:give")
    html = r.content.decode()
    assert r.status_code == 200
    assert f'value="u{drc["justice"].pk}"' in html and f'value="p{drc["justice_head"].pk}"' in html
    assert "Ủy ban nhân dân xã An Bình" in html
    assert 'data-checklist' in html  # the searchable list works without scripts


def test_give_a_directive_with_support_deadline_and_attachment(client, drc):
    due = TODAY + dt.timedelta(days=30)
    sub = TODAY + dt.timedelta(days=10)
    f, j = drc["finance"], drc["justice"]
    r = give(client, drc["leader"], {
        "title": "Xây dựng kế hoạch chuyển đổi số", "content": "Nội dung chi tiết",
        "lead": f"u{j.pk}", "support": [f"u{f.pk}"], f"support_due_u{f.pk}": sub.isoformat(),
        "inform": [f"u{drc['office'].pk}"], "due_date": due.isoformat(), "priority": "high",
        "recurrence": "none", "source_kind": "meeting", "source_text": "Kết luận họp 01/12",
    }, {"attachments": SimpleUploadedFile("dinh-kem.txt", b"noi dung")})
    assert r.status_code == 302, r.content.decode()[:3000]
    d = Directive.objects.get()
    assert r["Location"] == reverse("directives:detail", args=[d.pk])
    assert (d.lead_unit, d.due_date, d.priority, d.source_text) == (j, due, "high",
                                                                   "Kết luận họp 01/12")
    assert DirectiveAssignee.objects.get(directive=d, role="support").due_date == sub
    assert DirectiveAssignee.objects.filter(directive=d, role="inform").count() == 1
    assert DirectiveFile.objects.get(directive=d).file.original_name == "dinh-kem.txt"


def test_give_to_a_person(client, drc):
    r = give(client, drc["leader"], {"title": "Việc cá nhân", "lead": f"p{drc['justice_head'].pk}",
                                     "due_date": (TODAY + dt.timedelta(days=5)).isoformat()})
    assert r.status_code == 302
    d = Directive.objects.get()
    assert d.lead_user == drc["justice_head"] and d.lead_unit == drc["justice"]


def test_give_errors_by_the_field_and_nothing_written(client, drc):
    f = drc["finance"]
    r = give(client, drc["leader"], {
        "title": "", "lead": "", "support": [f"u{f.pk}"],
        f"support_due_u{f.pk}": (TODAY + dt.timedelta(days=90)).isoformat(),
        "due_date": (TODAY + dt.timedelta(days=30)).isoformat()})
    html = r.content.decode()
    assert r.status_code == 422
    assert 'id="id_title_error"' in html and 'id="id_lead_error"' in html
    assert f'id="id_support_due_u{f.pk}_error"' in html
    assert "Chọn đơn vị hoặc người chủ trì." in html  # the page's words, not the API's
    assert not Directive.objects.exists()
    # a deadline before today and a lead from outside the list
    r = give(client, drc["leader"], {"title": "X", "lead": "u999999",
                                     "due_date": (TODAY - dt.timedelta(days=3)).isoformat()})
    html = r.content.decode()
    assert r.status_code == 422 and 'id="id_lead_error"' in html
    assert not Directive.objects.exists()
    r = give(client, drc["leader"], {"title": "X", "lead": f"u{f.pk}", "due_date": "31/12/2026"})
    assert r.status_code == 422 and 'id="id_due_date_error"' in r.content.decode()
    # an unknown source document
    r = give(client, drc["leader"], {"title": "X", "lead": f"u{f.pk}", "source_kind": "incoming",
                                     "source_code": "999/KHONG-CO",
                                     "due_date": (TODAY + dt.timedelta(days=3)).isoformat()})
    assert r.status_code == 422 and 'id="id_source_code_error"' in r.content.decode()
    assert not Directive.objects.exists()
