"""Directives from documents: the documents module's extension point (panels other modules add
to a document's page), "Giao nhiệm vụ" on an incoming document (shown only to those who may
give directives; the give form prefilled from the document; the directive keeps the link and
the document page lists it), and an issued plan's tasks page from its outgoing document."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from egov.directives.models import Directive, SourceKind
from egov.documents import page_extensions
from egov.documents.models import Assignment, OutgoingState

from .plan_support import incoming_doc, issued_plan, task_rows, xlsx

pytestmark = pytest.mark.django_db


def test_extension_point_is_generic_and_replaceable(drc):
    calls = []

    def fn(actor, document):
        calls.append((actor, document))
        return page_extensions.Panel(key="x", title="X", items=[page_extensions.Link("a", "/a")])

    doc = incoming_doc(drc)
    page_extensions.register_panel("incoming", "test", fn)
    try:
        panels = page_extensions.panels_for("incoming", actor=drc["leader"], document=doc)
        assert [p.key for p in panels if p.key == "x"] == ["x"] and calls == [(drc["leader"], doc)]
    finally:
        page_extensions.unregister_panel("incoming", "test")
    assert all(p.key != "x" for p in page_extensions.panels_for(
        "incoming", actor=drc["leader"], document=doc))
    with pytest.raises(ValueError):
        page_extensions.register_panel("elsewhere", "k", fn)


def test_incoming_page_shows_the_choice_only_to_givers(client, drc):
    doc = incoming_doc(drc)
    url = reverse("documents:incoming_detail", args=[doc.pk])
    give = f"{reverse('directives:give')}?incoming={doc.pk}"
    client.force_login(drc["leader"])
    page = client.get(url)
    assert page.status_code == 200 and give in page.content.decode()
    client.force_login(drc["clerk"])  # sees the document, may not give directives
    page = client.get(url)
    assert page.status_code == 200 and give not in page.content.decode()
    assert client.get(give).status_code == 403


def test_give_form_is_prefilled_and_keeps_the_link(client, drc):
    doc = incoming_doc(drc)
    Assignment.objects.create(document=doc, role="lead", assignee_unit=drc["justice"],
                              assigned_by=drc["leader"],
                              instruction="Giao Sở Tư pháp chủ trì, báo cáo trước 30/01.")
    client.force_login(drc["leader"])
    # the former address still leads to the one give page
    old = client.get(reverse("directives:give_from_incoming", args=[doc.pk]))
    url = f"{reverse('directives:give')}?incoming={doc.pk}"
    assert old.status_code == 302 and old["Location"] == url
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    assert form["title"].value() == doc.subject
    assert form["guidance"].value() == "Giao Sở Tư pháp chủ trì, báo cáo trước 30/01."
    assert form["source_kind"].value() == "incoming"
    assert form["source_document_id"].value() == doc.pk
    assert page.context["agency"].pk == doc.agency_id
    assert reverse("documents:incoming_detail", args=[doc.pk]) in page.content.decode()
    due = (dt.date.today() + dt.timedelta(days=20)).isoformat()
    post = {"title": doc.subject, "guidance": "Giao Sở Tư pháp chủ trì",
            "lead": f"u{drc['justice'].pk}", "support": [f"u{drc['finance'].pk}"],
            "due_date": due, "priority": "high", "recurrence": "none",
            "source_kind": "incoming", "source_document_id": doc.pk, "source_code": doc.code,
            "agency": doc.agency_id}
    bad = client.post(url, {**post, "title": ""})
    assert bad.status_code == 422 and not Directive.objects.exists()
    ok = client.post(url, post)
    assert ok.status_code == 302
    d = Directive.objects.get()
    assert d.agency_id == doc.agency_id
    assert d.source_kind == SourceKind.INCOMING and d.source_incoming_id == doc.pk
    assert d.guidance == "Giao Sở Tư pháp chủ trì" and d.title == doc.subject
    page = client.get(reverse("documents:incoming_detail", args=[doc.pk])).content.decode()
    assert d.code in page
    # the lead unit's head sees the directive listed but is not offered the choice
    client.force_login(drc["justice_head"])
    from egov.directives.views.from_documents import incoming_panel

    panel = incoming_panel(drc["justice_head"], doc)
    assert panel is not None and not panel.actions and [d.code in i.label for i in panel.items]
    assert incoming_panel(drc["nobody"], doc) is None


def test_outgoing_plan_page_links_to_its_tasks(client, drc):
    plan = issued_plan(drc)
    client.force_login(drc["leader"])
    page = client.get(reverse("documents:outgoing_detail", args=[plan.pk])).content.decode()
    assert reverse("directives:plan", args=[plan.pk]) in page
    draft = issued_plan(drc, state=OutgoingState.DRAFT)
    page = client.get(reverse("documents:outgoing_detail", args=[draft.pk])).content.decode()
    assert reverse("directives:plan", args=[draft.pk]) not in page
    assert client.get(reverse("directives:plan", args=[draft.pk])).status_code == 409
    assert client.get(reverse("directives:plan_entry", args=[draft.pk])).status_code == 409
    assert client.post(reverse("directives:plan_confirm", args=[draft.pk]),
                       {"token": "x"}).status_code == 409


def test_plan_pages_dry_run_then_confirm(client, drc):
    plan = issued_plan(drc)
    client.force_login(drc["leader"])
    assert client.get(reverse("directives:plan", args=[plan.pk])).status_code == 200
    tpl = client.get(reverse("directives:plan_template"))
    assert tpl.status_code == 200 and tpl.content[:2] == b"PK"
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = xlsx(task_rows(3, drc))
    check = client.post(reverse("directives:plan_upload", args=[plan.pk]),
                        {"file": SimpleUploadedFile("kh.xlsx", data)})
    assert check.status_code == 200 and not Directive.objects.exists()
    token = check.context["token"]
    assert token and check.context["counts"]["new"] == 3
    done = client.post(reverse("directives:plan_confirm", args=[plan.pk]), {"token": token})
    assert done.status_code == 302 and Directive.objects.count() == 3
    # a bad file: 422 with the rows, never a 500
    for bad in (b"", b"garbage", xlsx([["", "", "", "", "x", "", ""]])):
        page = client.post(reverse("directives:plan_upload", args=[plan.pk]),
                           {"file": SimpleUploadedFile("kh.xlsx", bad)})
        assert page.status_code in (302, 422)
    assert Directive.objects.count() == 3
    # someone who may not give: 403 / 404
    client.force_login(drc["justice_officer"])
    assert client.get(reverse("directives:plan", args=[plan.pk])).status_code in (403, 404)


def test_plan_entry_table_add_row_check_save(client, drc):
    plan = issued_plan(drc)
    client.force_login(drc["leader"])
    url = reverse("directives:plan_entry", args=[plan.pk])
    assert client.get(url).status_code == 200
    due = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    form = {"rows": "1", "r1-plan_key": "1", "r1-title": "Nhiệm vụ một",
            "r1-lead": drc["justice"].electronic_id, "r1-due_date": due, "r1-priority": "normal"}
    more = client.post(url, {**form, "op": "add"})
    assert more.status_code == 200 and more.context["n"] == 2
    assert "Nhiệm vụ một" in more.content.decode()
    bad = client.post(url, {**form, "rows": "2", "r2-plan_key": "2", "r2-title": "Hai",
                            "r2-lead": "Không có", "r2-due_date": due, "op": "save"})
    assert bad.status_code == 422 and not Directive.objects.exists()
    assert bad.context["rows"][1]["errors"]["lead"]
    ok = client.post(url, {**form, "op": "save"})
    assert ok.status_code == 302
    d = Directive.objects.get()
    assert d.plan_key == "1" and d.source_outgoing == plan and d.source_kind == SourceKind.PLAN


def test_one_who_gives_in_two_agencies_chooses_the_agency(client, drc):
    from egov.core.models import Position, Role

    leader = drc["leader"]  # also leads the commune (two posts)
    Position.objects.create(user=leader, org_unit=drc["commune"], title="Bí thư"
                            ).roles.set(Role.objects.filter(code="leader"))
    client.force_login(leader)
    url = reverse("directives:give")
    first = client.get(url)
    agencies = [a.pk for a in first.context["agencies"]]
    assert set(agencies) == {drc["province"].pk, drc["commune"].pk}
    assert 'name="agency"' in first.content.decode()
    other = next(pk for pk in agencies if pk != first.context["agency"].pk)
    assert client.get(url, {"agency": other}).context["agency"].pk == other
    # an agency the person may not give in (or garbage) is never taken
    for raw in (str(drc["justice"].pk), "x", "9" * 30):
        assert client.get(url, {"agency": raw}).context["agency"].pk == agencies[0]
    due = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    ok = client.post(url, {"title": "Kiểm tra trường học", "lead": f"u{drc['justice'].pk}",
                           "due_date": due, "priority": "normal", "recurrence": "none",
                           "source_kind": "none", "agency": drc["province"].pk})
    assert ok.status_code == 302
    assert Directive.objects.get().agency_id == drc["province"].pk
