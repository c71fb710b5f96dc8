"""Deadlines as work items (created for the handler, moved on assignment, closed and judged when
the step is done) and the reminders before the deadline and when it is overdue — in the inbox
and by e-mail, once each, never with content or identity."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from egov.core import jobs
from egov.core.models import AuditEvent, Notification, WorkItem, WorkState
from egov.core.selectors import inbox_page
from egov.petitions.services import workflow as wf
from egov.petitions.services.deadlines import remind_due

from . import flow_support
from .flow_support import at, classify

clock = flow_support.clock  # a fixture
pytestmark = pytest.mark.django_db


def assigned(make_petition, pet):
    p = classify(make_petition(), pet["reception"])
    return wf.run("assign", actor=pet["head"], petition_id=p.pk,
                  data={"unit_id": pet["division"].pk, "handler_id": pet["handler"].pk})


def test_work_item_in_the_handlers_inbox_and_done_at_the_step(make_petition, pet, clock):
    clock(at(2026, 12, 1, 9))
    p = assigned(make_petition, pet)
    d = p.deadlines.get(step="processing")
    page = inbox_page(actor=pet["handler"])
    mine = [i for i in page.items if i.pk == d.work_item_id]
    assert mine and mine[0].due_at == at(2026, 12, 10, 9) and mine[0].module == "petitions"
    clock(at(2026, 12, 11, 9))  # one day late
    p = wf.run("accept", actor=pet["head"], petition_id=p.pk, data={})
    d.refresh_from_db()
    assert d.done_at == at(2026, 12, 11, 9) and d.outcome == "late"
    assert WorkItem.objects.get(pk=d.work_item_id).state == WorkState.DONE
    res = p.deadlines.get(step="resolution")
    assert WorkItem.objects.get(pk=res.work_item_id).assignee_user_id == pet["handler"].pk


def test_reminders_before_and_when_overdue_once_each(make_petition, pet, clock):
    clock(at(2026, 12, 1, 9))
    p = assigned(make_petition, pet)  # processing due 10/12 09:00
    assert remind_due(now=at(2026, 12, 5, 9)) == {"soon": 0, "overdue": 0}
    assert remind_due(now=at(2026, 12, 8, 10)) == {"soon": 1, "overdue": 0}
    assert remind_due(now=at(2026, 12, 8, 11)) == {"soon": 0, "overdue": 0}  # once
    note = Notification.objects.get(user=pet["handler"])
    assert p.code in note.subject and "10/12/2026" in note.subject
    assert note.url == f"/petitions/{p.pk}/"
    assert remind_due(now=at(2026, 12, 10, 10)) == {"soon": 0, "overdue": 1}
    assert remind_due(now=at(2026, 12, 11, 10)) == {"soon": 0, "overdue": 0}
    notes = list(Notification.objects.filter(user=pet["handler"]).order_by("id"))
    assert len(notes) == 2
    for n in notes:
        for secret in ("Trần", "Ngọc", "001199012345", "Lê Văn Hùng"):
            assert secret not in n.subject + n.body
    assert AuditEvent.objects.filter(action="petitions.deadline.remind").count() == 2
    # a step done is not reminded any more
    wf.run("accept", actor=pet["head"], petition_id=p.pk, data={})
    assert remind_due(now=at(2026, 12, 11, 11))["overdue"] == 0


def test_without_a_handler_the_receiver_is_reminded(make_petition, pet, clock):
    clock(at(2026, 12, 1, 9))
    classify(make_petition(), pet["reception"])
    assert remind_due(now=at(2026, 12, 9, 9))["soon"] == 1
    assert Notification.objects.filter(user=pet["reception"]).count() == 1


def test_the_command_and_the_periodic_duty(make_petition, pet, clock):
    clock(at(2026, 12, 1, 9))
    assigned(make_petition, pet)
    out = StringIO()
    call_command("petitions_daily", "--now", "2026-12-11T09:00", stdout=out)
    assert "1 overdue" in out.getvalue()
    call_command("petitions_daily", "--now", "2026-12-11T09:00", stdout=out)
    assert out.getvalue().count("0 overdue") == 1
    assert "petitions.reminders" in jobs._periodic


def test_remind_due_reads_a_bounded_number_of_queries(make_petition, pet, clock,
                                                      django_assert_max_num_queries):
    clock(at(2026, 12, 1, 9))
    for _ in range(3):
        assigned(make_petition, pet)
    remind_due(now=at(2026, 12, 8, 10))
    with django_assert_max_num_queries(3):
        assert remind_due(now=at(2026, 12, 8, 11)) == {"soon": 0, "overdue": 0}


def test_suspension_moves_the_work_item_too(make_petition, pet, clock):
    clock(at(2026, 12, 1, 9))
    p = classify(make_petition(kind="complaint"), pet["reception"], kind="complaint")
    p = wf.run("accept", actor=pet["head"], petition_id=p.pk, data={})
    res = p.deadlines.get(step="resolution")
    clock(at(2026, 12, 11, 9))
    wf.run("suspend", actor=pet["head"], petition_id=p.pk, data={"reason": "x"})
    clock(at(2026, 12, 21, 9))
    wf.run("resume", actor=pet["head"], petition_id=p.pk, data={})
    item = WorkItem.objects.get(pk=res.work_item_id)
    assert item.due_at == res.due_at + dt.timedelta(days=10)


def test_the_reminder_is_also_e_mailed_to_the_officer(make_petition, pet, clock, mailoutbox,
                                                      django_capture_on_commit_callbacks):
    clock(at(2026, 12, 1, 9))
    pet["handler"].email = "xuly@anbinh.gov.vn"
    pet["handler"].save(update_fields=["email"])
    p = assigned(make_petition, pet)
    from django_tasks_db.models import DBTaskResult

    from egov.core import tasks as core_tasks

    with django_capture_on_commit_callbacks(execute=True):
        assert remind_due(now=at(2026, 12, 10, 10))["overdue"] == 1
    job = DBTaskResult.objects.get(task_path=core_tasks.send_notification_emails.module_path)
    core_tasks.send_notification_emails.call(*job.args_kwargs["args"])  # what the worker runs
    assert [m.to for m in mailoutbox] == [["xuly@anbinh.gov.vn"]]
    mail = mailoutbox[0]
    assert p.code in mail.subject and f"/petitions/{p.pk}/" in mail.body
    for secret in ("Trần", "Ngọc", "001199012345", "Lê Văn Hùng"):
        assert secret not in mail.subject + mail.body
