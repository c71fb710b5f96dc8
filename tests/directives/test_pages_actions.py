"""The action forms of the directive page, each for who may use it: progress (lead, supporting
row) with files, extension request and decision, completion with accept / return, split,
cancel. Bad input: the message by the field (422), nothing changed; an action not offered:
a message and nothing changed; never a 500."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from egov.directives.models import (
    Directive,
    DirectiveEvent,
    DirectiveFile,
    ExtensionRequest,
    ProgressReport,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()  # the Vietnamese day, as the services count


def do(client, user, d, action, data=None, files=None):
    client.force_login(user)
    payload = {f"{action}-{k}": v for k, v in (data or {}).items()}
    payload.update({f"{action}-{k}": v for k, v in (files or {}).items()})
    return client.post(reverse("directives:action", args=[d.pk, action]), payload)


def snapshot(d):
    d = Directive.objects.get(pk=d.pk)
    return (d.state, d.progress, d.due_date, d.judged_due_date, d.done_on,
            ProgressReport.objects.count(), ExtensionRequest.objects.count(),
            DirectiveEvent.objects.count(), Directive.objects.count(),
            DirectiveFile.objects.count())


def test_lead_reports_progress_with_a_file(client, drc, make_directive):
    d = make_directive()
    r = do(client, drc["justice_head"], d, "progress", {"percent": "40", "text": "Đã rà soát."},
           {"files": SimpleUploadedFile("bao-cao.txt", "Báo cáo tiến độ".encode())})
    assert r.status_code == 302 and r["Location"] == reverse("directives:detail", args=[d.pk])
    d.refresh_from_db()
    assert d.progress == 40
    report = ProgressReport.objects.get(directive=d)
    assert report.text == "Đã rà soát." and report.files.get().file.original_name == "bao-cao.txt"
    html = client.get(reverse("directives:detail", args=[d.pk])).content.decode()
    assert "bao-cao.txt" in html and "Đã báo cáo tiến độ." in html


@pytest.mark.parametrize("percent", ["", "150", "-1", "abc"])
def test_progress_errors_by_the_field(client, drc, make_directive, percent):
    d = make_directive()
    before = snapshot(d)
    r = do(client, drc["justice_head"], d, "progress", {"percent": percent},
           {"files": SimpleUploadedFile("a.txt", b"x")})
    assert r.status_code == 422
    assert 'id="id_progress-percent_error"' in r.content.decode()
    assert snapshot(d) == before


def test_an_empty_file_is_refused_by_the_field_and_nothing_is_kept(client, drc, make_directive):
    from egov.core.models import StoredFile

    d = make_directive()
    before, files_before = snapshot(d), StoredFile.objects.count()
    r = do(client, drc["justice_head"], d, "progress", {"percent": "10"},
           {"files": SimpleUploadedFile("rong.txt", b"")})
    assert r.status_code == 422
    html = r.content.decode()
    assert 'id="id_progress-files_error"' in html
    assert snapshot(d) == before and StoredFile.objects.count() == files_before


def test_support_reports_on_its_own_row_only(client, drc, make_directive):
    d = make_directive(support=[drc["finance"]])
    row = d.assignees.get(role="support")
    before = snapshot(d)
    r = do(client, drc["finance_head"], d, "progress", {"percent": "50"})
    assert r.status_code == 302 and snapshot(d) == before  # not offered: nothing changed
    r = do(client, drc["justice_head"], d, f"support-{row.pk}", {"percent": "50"})
    assert r.status_code == 302 and snapshot(d) == before
    r = do(client, drc["finance_head"], d, f"support-{row.pk}", {"percent": "60",
                                                               "text": "Đã góp ý."})
    assert r.status_code == 302
    row.refresh_from_db()
    assert row.progress == 60
    d.refresh_from_db()
    assert d.progress == 0  # the lead's figure is the lead's
    r = do(client, drc["finance_head"], d, f"support-{row.pk}", {"percent": "x"})
    assert r.status_code == 422 and f'id="id_support-{row.pk}-percent_error"' in r.content.decode()


def test_extension_request_and_decision(client, drc, make_directive):
    due = TODAY + dt.timedelta(days=10)
    d = make_directive(due=due)
    before = snapshot(d)
    r = do(client, drc["justice_head"], d, "extension",
           {"reason": "", "proposed_date": (due - dt.timedelta(days=1)).isoformat()})
    html = r.content.decode()
    assert r.status_code == 422
    assert 'id="id_extension-reason_error"' in html
    assert snapshot(d) == before
    r = do(client, drc["justice_head"], d, "extension",
           {"reason": "Chờ số liệu", "proposed_date": (due - dt.timedelta(days=1)).isoformat()})
    assert r.status_code == 422 and 'id="id_extension-proposed_date_error"' in r.content.decode()
    new = due + dt.timedelta(days=20)
    r = do(client, drc["justice_head"], d, "extension",
           {"reason": "Chờ số liệu", "proposed_date": new.isoformat()})
    assert r.status_code == 302
    html = client.get(reverse("directives:detail", args=[d.pk])).content.decode()
    assert 'id="action-extension"' not in html  # one request at a time
    # the lead may not decide; the leader must choose
    assert do(client, drc["justice_head"], d, "decide", {"decision": "approve"}).status_code == 302
    assert ExtensionRequest.objects.get().state == "pending"
    client.force_login(drc["leader"])
    html = client.get(reverse("directives:detail", args=[d.pk])).content.decode()
    assert "Chờ số liệu" in html[html.index('id="action-decide"'):]  # what is decided, shown
    r = do(client, drc["leader"], d, "decide", {"decision": ""})
    assert r.status_code == 422 and 'id="id_decide-decision_error"' in r.content.decode()
    r = do(client, drc["leader"], d, "decide", {"decision": "approve", "note": "Đồng ý"})
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.due_date == new and ExtensionRequest.objects.get().state == "approved"
    html = client.get(reverse("directives:detail", args=[d.pk])).content.decode()
    assert 'id="directive-extensions"' in html and "Chờ số liệu" in html


def test_completion_accept_and_return(client, drc, make_directive):
    d = make_directive()
    before = snapshot(d)
    r = do(client, drc["justice_head"], d, "complete", {"result_text": "Xong",
                                                       "result_code": "999/KHONG-CO"})
    assert r.status_code == 422 and 'id="id_complete-result_code_error"' in r.content.decode()
    assert snapshot(d) == before
    r = do(client, drc["justice_head"], d, "complete", {"result_text": "Đã hoàn thành."})
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.state == "submitted"
    html = client.get(reverse("directives:detail", args=[d.pk])).content.decode()
    assert "data-awaiting" in html
    client.force_login(drc["leader"])
    html = client.get(reverse("directives:detail", args=[d.pk])).content.decode()
    assert 'id="action-accept"' in html and 'id="action-return"' in html
    before = snapshot(d)
    r = do(client, drc["leader"], d, "return", {"note": "  "})
    assert r.status_code == 422 and 'id="id_return-note_error"' in r.content.decode()
    assert snapshot(d) == before
    r = do(client, drc["leader"], d, "return", {"note": "Bổ sung số liệu."})
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.state == "open"
    do(client, drc["justice_head"], d, "complete", {"result_text": "Đã bổ sung."})
    r = do(client, drc["leader"], d, "accept", {"note": ""})
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.state == "done" and d.done_on == TODAY
    html = client.get(reverse("directives:detail", args=[d.pk])).content.decode()
    assert 'data-status="done_on_time"' in html and 'id="directive-actions"' not in html


def test_split_by_the_lead_units_head(client, drc, make_directive):
    d = make_directive()
    before = snapshot(d)
    r = do(client, drc["justice_head"], d, "split", {"title": "", "lead": "",
                                                    "due_date": "", "weight": "1"})
    html = r.content.decode()
    assert r.status_code == 422 and 'id="id_split-title_error"' in html
    assert 'id="id_split-lead_error"' in html
    assert snapshot(d) == before
    r = do(client, drc["justice_head"], d, "split", {
        "title": "Phần việc", "lead": f"p{drc['justice_officer'].pk}",
        "due_date": (d.due_date + dt.timedelta(days=5)).isoformat(), "weight": "2"})
    assert r.status_code == 422 and 'id="id_split-due_date_error"' in r.content.decode()
    r = do(client, drc["justice_head"], d, "split", {
        "title": "Phần việc", "lead": f"p{drc['justice_officer'].pk}",
        "due_date": d.due_date.isoformat(), "weight": "2"})
    assert r.status_code == 302
    part = Directive.objects.get(parent=d)
    assert part.lead_user == drc["justice_officer"] and part.weight == 2
    html = client.get(reverse("directives:detail", args=[d.pk])).content.decode()
    assert 'id="directive-children"' in html and part.code in html
    # an officer without `assign` is not offered the split
    assert do(client, drc["justice_officer"], part, "split",
              {"title": "X", "lead": f"p{drc['justice_officer'].pk}"}).status_code == 302
    assert Directive.objects.filter(parent=part).count() == 0


def test_cancel_only_by_the_giver_with_confirmation(client, drc, make_directive):
    d = make_directive()
    before = snapshot(d)
    assert do(client, drc["justice_head"], d, "cancel",
              {"reason": "x", "confirm": "on"}).status_code == 302
    assert snapshot(d) == before
    r = do(client, drc["leader"], d, "cancel", {"reason": "Không còn cần thiết"})
    assert r.status_code == 422 and 'id="id_cancel-confirm_error"' in r.content.decode()
    r = do(client, drc["leader"], d, "cancel", {"reason": "", "confirm": "on"})
    assert r.status_code == 422 and 'id="id_cancel-reason_error"' in r.content.decode()
    assert snapshot(d) == before
    r = do(client, drc["leader"], d, "cancel", {"reason": "Không còn cần thiết",
                                               "confirm": "on"})
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.state == "cancelled"
    html = client.get(reverse("directives:detail", args=[d.pk])).content.decode()
    assert 'data-status="cancelled"' in html


def test_unknown_action_and_outsider(client, drc, make_directive):
    d = make_directive()
    assert do(client, drc["leader"], d, "explode").status_code == 404
    assert do(client, drc["leader"], d, "support-abc").status_code == 404
    assert do(client, drc["nobody"], d, "progress", {"percent": "5"}).status_code == 404
    client.force_login(drc["justice_head"])
    assert client.get(reverse("directives:action", args=[d.pk, "progress"])).status_code == 405
