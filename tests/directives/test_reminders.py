"""Reminders of directive deadlines over the calendar (weekends, a holiday), supporting
sub-deadlines, overdue days, escalation of an unanswered reminder to the unit head and then the
giver, and the nothing-twice guarantee of re-runs (egov.directives.services.reminders)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone

from egov.core.calendar import LOCAL_TZ
from egov.core.models import CalendarDay, Notification
from egov.directives import tasks_remind
from egov.directives.models import DirectiveReminder
from egov.directives.services import reminders
from tests.concurrency import run_threads
from tests.directives.remind_support import (
    D,
    event,
    give,
    run_days,
    with_calendar_and_mail,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(drc):
    return with_calendar_and_mail(drc)


def test_7_3_1_working_days_before_then_daily_when_overdue_skipping_days_off(people):
    # due Friday 19 March 2027; Wednesday 10 March is a day off: 7 working days before the
    # deadline is Tuesday 9 (not Wednesday 10); no reminder on Saturday, Sunday or the holiday
    give(people, due=D(2027, 3, 19),
         support=[(people["finance"], D(2027, 3, 12))])
    rows = run_days(D(2027, 3, 1), D(2027, 3, 23))
    lead = [(day, key) for day, key, level, who, role in rows if role == "lead" and level == 0]
    assert lead == [(D(2027, 3, 9), "before:7"), (D(2027, 3, 16), "before:3"),
                    (D(2027, 3, 18), "before:1"), (D(2027, 3, 22), "overdue:2027-03-22"),
                    (D(2027, 3, 23), "overdue:2027-03-23")]
    assert {who for _d, _k, level, who, role in rows if role == "lead" and level == 0} == {
        "giamdocstp"}  # the holder of directives.handle on the lead unit
    # the supporting unit against its own deadline (Friday 12): 3, 4, 5, 8, 9, 11, 12
    support = [(day, key) for day, key, level, who, role in rows if role == "support"]
    assert support[:3] == [(D(2027, 3, 2), "before:7"), (D(2027, 3, 8), "before:3"),
                           (D(2027, 3, 11), "before:1")]
    assert [k for _d, k in support[3:]] == [f"overdue:2027-03-{d}" for d in
                                            (15, 16, 17, 18, 19, 22, 23)]
    assert {who for _d, _k, _l, who, role in rows if role == "support"} == {"giamdocstc"}
    # unanswered, the lead's first reminder went to the giver after 4 working days (the unit
    # head had it already); one in-app notification per row, no more after the second runs
    assert [r for r in rows if r[2]] == [(D(2027, 3, 16), "before:7", 2, "chutichtinh", "lead")]
    assert Notification.objects.count() == len(rows)
    assert Notification.objects.filter(user__username="giamdocstp").first().url


def test_a_deadline_on_a_day_off_is_judged_on_the_next_working_day(people):
    give(people, due=D(2027, 3, 20))  # a Saturday: judged on Monday 22
    rows = run_days(D(2027, 3, 17), D(2027, 3, 24))
    assert [(d, k) for d, k, level, *_ in rows if level == 0] == [
        (D(2027, 3, 17), "before:3"), (D(2027, 3, 19), "before:1"),
        (D(2027, 3, 23), "overdue:2027-03-23"), (D(2027, 3, 24), "overdue:2027-03-24")]


def test_a_directive_given_late_gets_one_reminder_per_window_never_two(people):
    give(people, due=D(2027, 3, 5))  # 4 working days after Monday 1
    rows = run_days(D(2027, 3, 1), D(2027, 3, 5))
    assert [(d, k) for d, k, level, *_ in rows if level == 0] == [
        (D(2027, 3, 1), "before:7"), (D(2027, 3, 2), "before:3"), (D(2027, 3, 4), "before:1")]


def test_unanswered_reminder_escalates_to_the_unit_head_then_the_giver(people, settings):
    settings.EGOV_DIRECTIVES_ESCALATE_AFTER_DAYS = 2
    d = give(people, due=D(2027, 3, 19), lead=people["justice_officer"])

    def between(day):
        if day == D(2027, 3, 16):  # the lead answers after the day's run
            event(d, "progress", progress=30)

    rows = run_days(D(2027, 3, 1), D(2027, 3, 24), between)
    assert rows == [
        (D(2027, 3, 9), "before:7", 0, "chuyenvienstp", "lead"),
        # 2 working days later (the holiday does not count): the head of the unit
        (D(2027, 3, 12), "before:7", 1, "giamdocstp", "lead"),
        # 4 working days later: the giver; the day's own reminder too
        (D(2027, 3, 16), "before:3", 0, "chuyenvienstp", "lead"),
        (D(2027, 3, 16), "before:7", 2, "chutichtinh", "lead"),
        # answered on the 16th: the next reminder starts a new chain
        (D(2027, 3, 18), "before:1", 0, "chuyenvienstp", "lead"),
        (D(2027, 3, 22), "overdue:2027-03-22", 0, "chuyenvienstp", "lead"),
        (D(2027, 3, 22), "before:1", 1, "giamdocstp", "lead"),
        (D(2027, 3, 23), "overdue:2027-03-23", 0, "chuyenvienstp", "lead"),
        (D(2027, 3, 24), "overdue:2027-03-24", 0, "chuyenvienstp", "lead"),
        (D(2027, 3, 24), "before:1", 2, "chutichtinh", "lead"),
    ]
    answered = DirectiveReminder.objects.filter(level=0, answered_at__isnull=False)
    assert set(answered.values_list("key", flat=True)) == {"before:7", "before:3"}


def test_an_extension_request_or_completion_also_answers(people, settings):
    settings.EGOV_DIRECTIVES_ESCALATE_AFTER_DAYS = 2
    asked = give(people, due=D(2027, 3, 19), lead=people["justice_officer"])
    done = give(people, due=D(2027, 3, 19), lead=people["justice_officer"])
    silent = give(people, due=D(2027, 3, 19), lead=people["justice_officer"])

    def between(day):
        if day == D(2027, 3, 9):
            event(asked, "extension_requested")
            event(done, "completed", state="submitted", submitted_on=day)

    rows = run_days(D(2027, 3, 9), D(2027, 3, 12), between)
    escalated = {(r.directive_id, r.level) for r in DirectiveReminder.objects.filter(level__gt=0)}
    assert escalated == {(silent.pk, 1)}
    # a directive reported done is reminded no more
    assert not [r for r in rows if r[0] > D(2027, 3, 9)
                and DirectiveReminder.objects.filter(directive=done, day=r[0]).exists()]


def test_nothing_for_done_supporting_parts_submitted_or_cancelled_directives(people):
    d = give(people, due=D(2027, 3, 12), support=[(people["finance"], None)])
    d.assignees.filter(role="support").update(progress=100, done_on=D(2027, 3, 2))
    cancelled = give(people, due=D(2027, 3, 12))
    event(cancelled, "cancelled", state="cancelled")
    submitted = give(people, due=D(2027, 3, 12))
    event(submitted, "completed", state="submitted", submitted_on=D(2027, 3, 2))
    rows = run_days(D(2027, 3, 1), D(2027, 3, 16))
    assert {r.directive_id for r in DirectiveReminder.objects.all()} == {d.pk}
    assert {role for *_x, role in rows} == {"lead"}


def test_days_off_send_nothing_and_the_command_says_so(people, capsys):
    give(people, due=D(2027, 3, 11))
    for day in (D(2027, 3, 6), D(2027, 3, 7), D(2027, 3, 10)):  # Saturday, Sunday, holiday
        assert reminders.remind_day(day)["day_off"] == 1
    assert not DirectiveReminder.objects.exists()
    call_command("directives_daily", "--date", "2027-03-10")
    assert "day off" in capsys.readouterr().out
    call_command("directives_daily", "--date", "2027-03-09")
    assert "1 reminders, 0 escalations, 1 digests" in capsys.readouterr().out
    call_command("directives_daily", "--date", "2027-03-09")
    assert "0 reminders, 0 escalations, 0 digests" in capsys.readouterr().out
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("directives_daily", "--date", "09/03/2027")


def test_the_periodic_pass_enqueues_the_day_once_on_working_days_after_the_hour(people,
                                                                               settings):
    from django_tasks_db.models import DBTaskResult

    settings.EGOV_DIRECTIVES_REMIND_AT = "07:00"
    now = timezone.now().astimezone(LOCAL_TZ)
    # today made a working day whatever it is (a make-up working day), then a day off
    day, _ = CalendarDay.objects.update_or_create(
        date=now.date(), defaults={"kind": "workday", "name": "Làm bù (thử nghiệm)"})
    jobs = DBTaskResult.objects.filter(task_path=tasks_remind.directives_remind.module_path)
    assert not tasks_remind.daily_sweep(now.replace(hour=6, minute=59))  # before the hour
    assert tasks_remind.daily_sweep(now.replace(hour=8))
    assert not tasks_remind.daily_sweep(now.replace(hour=9))  # once a day
    assert jobs.count() == 1 and jobs.get().args_kwargs["args"] == [now.date().isoformat()]
    jobs.update(status="FAILED")
    assert tasks_remind.daily_sweep(now.replace(hour=10))  # a failed day is tried again
    jobs.delete()
    day.kind = "off"
    day.save()
    assert not tasks_remind.daily_sweep(now.replace(hour=11))


@pytest.mark.django_db(transaction=True)
def test_runs_at_once_record_and_notify_nothing_twice(transactional_db, drc, make_user):
    """Four runs of the same day at once (workers, cron and a hand run overlapping): each
    reminder, notification and digest once."""
    from egov.core.models import OutboundMessage

    people = with_calendar_and_mail(drc)
    users = [make_user(f"cv{i}", drc["justice_div"], email=f"cv{i}@tinh.gov.vn")
             for i in range(5)]
    for user in users:
        give(people, due=D(2027, 3, 19), lead=user)
        give(people, due=D(2027, 3, 22), lead=user)  # the same people, a second directive
    errors = run_threads(lambda i: reminders.remind_day(D(2027, 3, 18)), 4)
    assert not errors, errors
    rows = DirectiveReminder.objects.all()
    assert rows.count() == 10
    assert sorted(rows.values_list("key", flat=True)) == ["before:1"] * 5 + ["before:3"] * 5
    assert Notification.objects.count() == 10
    digests = OutboundMessage.objects.filter(template_code="directives.digest")
    assert sorted(digests.values_list("recipient", flat=True)) == sorted(u.email for u in users)
