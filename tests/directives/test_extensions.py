"""Extensions: one request pending at a time, a date after the deadline in force, decided by the
giver; approved on/before the judged deadline → both dates move; after it → only due_date
(late stays late). Buckets across extensions and holidays (the seeded 2026 calendar: 30/4 and
1/5 are holidays, so a deadline on Thursday 30/4/2026 is judged on Monday 4/5/2026)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from egov.core.errors import AppError, InvalidInput, NotFound, PermissionDenied
from egov.core.models import AuditEvent
from egov.directives import buckets
from egov.directives.models import Bucket, Directive, ExtensionRequest
from egov.directives.services.completion import completion_accept, completion_report
from egov.directives.services.extensions import extension_decide, extension_request

pytestmark = pytest.mark.django_db

D = dt.date
VN = dt.timezone(dt.timedelta(hours=7))


@pytest.fixture
def clock(monkeypatch):
    """clock(date) freezes timezone.now() (and localdate) at 10:00 that day, Vietnamese time."""
    state = {"now": dt.datetime(2026, 4, 1, 10, tzinfo=VN)}
    monkeypatch.setattr(timezone, "now", lambda: state["now"])

    def _set(day: dt.date):
        state["now"] = dt.datetime(day.year, day.month, day.day, 10, tzinfo=VN)

    return _set


@pytest.fixture
def holiday_directive(drc, make_directive, clock):
    clock(D(2026, 4, 1))
    d = make_directive(due=D(2026, 4, 30), given_on=D(2026, 4, 1))
    assert d.judged_due_date == D(2026, 5, 4)  # Thu 30/4 and Fri 1/5 off, then the weekend
    return d


def bucket(d, today):
    d.refresh_from_db()
    return buckets.directive_bucket(d, today)


def ask(drc, d, day, reason="Chờ ý kiến các sở"):
    return extension_request(actor=drc["justice_head"], directive_id=d.pk, reason=reason,
                             proposed_date=day)


def test_deadline_on_a_holiday_is_judged_on_the_next_working_day(drc, holiday_directive, clock):
    d = holiday_directive
    assert bucket(d, D(2026, 5, 4)) == Bucket.OPEN_ON_TIME
    assert bucket(d, D(2026, 5, 5)) == Bucket.OPEN_LATE
    clock(D(2026, 5, 4))  # reported on the judged day: on time, though after 30/4
    completion_report(actor=drc["justice_head"], directive_id=d.pk, result_text="Xong")
    clock(D(2026, 5, 8))  # accepted days later: the day reported counts
    completion_accept(actor=drc["leader"], directive_id=d.pk)
    d.refresh_from_db()
    assert d.done_on == D(2026, 5, 4)
    assert bucket(d, D(2026, 6, 1)) == Bucket.DONE_ON_TIME


def test_done_the_day_after_the_judged_day_is_late(drc, holiday_directive, clock):
    d = holiday_directive
    clock(D(2026, 5, 5))
    completion_report(actor=drc["justice_head"], directive_id=d.pk)
    completion_accept(actor=drc["leader"], directive_id=d.pk)
    assert bucket(d, D(2026, 5, 6)) == Bucket.DONE_LATE


def test_extension_approved_on_the_judged_day_moves_both_dates(drc, holiday_directive, clock):
    d = holiday_directive
    clock(D(2026, 4, 28))
    req = ask(drc, d, D(2026, 5, 30))  # Saturday → judged Monday 1/6
    clock(D(2026, 5, 4))  # after 30/4 but on the judged day: still "on or before"
    req = extension_decide(actor=drc["leader"], directive_id=d.pk, request_id=req.pk,
                           approve=True, note="Đồng ý")
    d.refresh_from_db()
    assert (d.due_date, d.judged_due_date, d.original_due_date) == (
        D(2026, 5, 30), D(2026, 6, 1), D(2026, 4, 30))
    assert req.moved_judged and req.state == "approved" and req.decided_date == D(2026, 5, 30)
    assert d.assignees.get(role="lead").due_date == D(2026, 5, 30)
    assert bucket(d, D(2026, 5, 20)) == Bucket.OPEN_ON_TIME
    clock(D(2026, 6, 1))
    completion_report(actor=drc["justice_head"], directive_id=d.pk)
    completion_accept(actor=drc["leader"], directive_id=d.pk)
    assert bucket(d, D(2026, 6, 2)) == Bucket.DONE_ON_TIME
    ev = d.events.get(kind="extension_approved")
    assert ev.details["moved_judged"] is True
    assert AuditEvent.objects.filter(action="directive.extension_approved",
                                     object_id=str(d.pk)).exists()


def test_extension_approved_after_the_deadline_leaves_it_late(drc, holiday_directive, clock):
    d = holiday_directive
    clock(D(2026, 5, 4))
    req = ask(drc, d, D(2026, 5, 29))
    clock(D(2026, 5, 5))  # the day after the judged deadline
    extension_decide(actor=drc["leader"], directive_id=d.pk, request_id=req.pk, approve=True)
    d.refresh_from_db()
    assert (d.due_date, d.judged_due_date) == (D(2026, 5, 29), D(2026, 5, 4))
    assert bucket(d, D(2026, 5, 10)) == Bucket.OPEN_LATE  # late stays late
    clock(D(2026, 5, 20))  # done before the new date: still done late
    completion_report(actor=drc["justice_head"], directive_id=d.pk)
    completion_accept(actor=drc["leader"], directive_id=d.pk)
    assert bucket(d, D(2026, 5, 21)) == Bucket.DONE_LATE
    # The SQL filter says the same.
    assert Directive.objects.filter(buckets.bucket_q(Bucket.DONE_LATE, D(2026, 5, 21)),
                                    pk=d.pk).exists()


def test_refusal_changes_no_date_and_needs_a_note(drc, make_directive):
    d = make_directive()
    req = ask(drc, d, d.due_date + dt.timedelta(days=10))
    with pytest.raises(InvalidInput) as err:
        extension_decide(actor=drc["leader"], directive_id=d.pk, request_id=req.pk,
                         approve=False)
    assert "note" in err.value.fields
    extension_decide(actor=drc["leader"], directive_id=d.pk, request_id=req.pk,
                     approve=False, note="Không có lý do chính đáng")
    before = d.due_date
    d.refresh_from_db()
    assert d.due_date == before and d.events.order_by("id").last().kind == "extension_refused"
    # Decided once: a second decision is 409.
    with pytest.raises(AppError) as err:
        extension_decide(actor=drc["leader"], directive_id=d.pk, request_id=req.pk,
                         approve=True)
    assert err.value.status == 409 and err.value.code == "already_decided"
    # A new request may follow the refusal.
    assert ask(drc, d, d.due_date + dt.timedelta(days=5)).state == "pending"


def test_one_pending_request_at_a_time(drc, make_directive):
    d = make_directive()
    ask(drc, d, d.due_date + dt.timedelta(days=10))
    with pytest.raises(AppError) as err:
        ask(drc, d, d.due_date + dt.timedelta(days=20))
    assert err.value.status == 409 and err.value.code == "extension_pending"
    assert ExtensionRequest.objects.filter(directive=d).count() == 1


def test_bad_input_names_every_field(drc, make_directive):
    d = make_directive()
    with pytest.raises(InvalidInput) as err:
        extension_request(actor=drc["justice_head"], directive_id=d.pk, reason="  ",
                          proposed_date=d.due_date)  # not after the deadline
    assert {"reason", "proposed_date"} <= set(err.value.fields)
    with pytest.raises(InvalidInput) as err:
        extension_request(actor=drc["justice_head"], directive_id=d.pk, reason="x",
                          proposed_date="mai")
    assert "proposed_date" in err.value.fields
    req = ask(drc, d, d.due_date + dt.timedelta(days=10))
    with pytest.raises(InvalidInput) as err:
        extension_decide(actor=drc["leader"], directive_id=d.pk, request_id=req.pk,
                         approve="yes", note="x" * 6000)
    assert {"approve", "note"} <= set(err.value.fields)
    with pytest.raises(InvalidInput) as err:
        extension_decide(actor=drc["leader"], directive_id=d.pk, request_id=req.pk,
                         approve=True, decided_date=d.due_date - dt.timedelta(days=1))
    assert "date" in err.value.fields
    req.refresh_from_db()
    assert req.state == "pending"
    # The giver may grant another date than the one proposed.
    granted = d.due_date + dt.timedelta(days=7)
    extension_decide(actor=drc["leader"], directive_id=d.pk, request_id=req.pk,
                     approve=True, decided_date=granted)
    d.refresh_from_db()
    assert d.due_date == granted


def test_permissions(drc, make_directive):
    d = make_directive(support=[drc["finance"]])  # a supporting unit may not ask
    with pytest.raises(PermissionDenied):
        extension_request(actor=drc["finance_head"], directive_id=d.pk, reason="x",
                          proposed_date=d.due_date + dt.timedelta(days=1))
    with pytest.raises(NotFound):
        extension_request(actor=drc["nobody"], directive_id=d.pk, reason="x",
                          proposed_date=d.due_date + dt.timedelta(days=1))
    req = ask(drc, d, d.due_date + dt.timedelta(days=3))
    with pytest.raises(PermissionDenied):  # the lead may not approve its own request
        extension_decide(actor=drc["justice_head"], directive_id=d.pk, request_id=req.pk,
                         approve=True)
    other = make_directive()
    with pytest.raises(NotFound):  # a request of another directive
        extension_decide(actor=drc["leader"], directive_id=other.pk, request_id=req.pk,
                         approve=True)
    # A deputy leader of the agency (directives.give there) may decide.
    extension_decide(actor=drc["deputy"], directive_id=d.pk, request_id=req.pk, approve=True)


def test_no_request_once_reported_done(drc, make_directive):
    d = make_directive()
    completion_report(actor=drc["justice_head"], directive_id=d.pk)
    with pytest.raises(AppError) as err:
        ask(drc, d, d.due_date + dt.timedelta(days=3))
    assert err.value.status == 409
