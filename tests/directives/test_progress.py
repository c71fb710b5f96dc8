"""Progress reports: the lead on the directive, a supporting unit on its own row, roll-up of
sub-directives weighted by `weight`; permissions, bad input and wrong state."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from egov.core.errors import AppError, InvalidInput, NotFound, PermissionDenied
from egov.core.models import AuditEvent
from egov.directives.models import Directive, DirectiveAssignee, ProgressReport
from egov.directives.services.completion import completion_report
from egov.directives.services.lifecycle import directive_cancel
from egov.directives.services.progress import progress_report

pytestmark = pytest.mark.django_db


def test_lead_reports_progress_with_event_and_audit(drc, make_directive):
    d = make_directive()
    r = progress_report(actor=drc["justice_head"], directive_id=d.pk, percent=40,
                        text="Đã rà soát 40 thủ tục")
    d.refresh_from_db()
    assert (d.progress, d.progress_note) == (40, "Đã rà soát 40 thủ tục")
    assert r.assignee is None and r.percent == 40
    assert d.assignees.get(role="lead").progress == 40
    assert d.events.order_by("id").last().kind == "progress"
    last = AuditEvent.objects.order_by("-seq").first()
    assert (last.action, last.object_id) == ("directive.progress", str(d.pk))


def test_supporting_unit_reports_on_its_own_row(drc, make_directive):
    d = make_directive(support=[drc["finance"]])
    row = d.assignees.get(role="support")
    progress_report(actor=drc["finance_head"], directive_id=d.pk, percent=70, text="Xong phần",
                    assignee_id=row.pk)
    row.refresh_from_db()
    d.refresh_from_db()
    assert row.progress == 70 and d.progress == 0
    assert d.events.order_by("id").last().kind == "support_progress"
    # The supporting unit may not report for the lead, nor the lead on the supporting row.
    with pytest.raises(PermissionDenied):
        progress_report(actor=drc["finance_head"], directive_id=d.pk, percent=10)
    with pytest.raises(PermissionDenied):
        progress_report(actor=drc["justice_head"], directive_id=d.pk, percent=10,
                        assignee_id=row.pk)


def test_outsider_gets_404_and_nothing_changes(drc, make_directive):
    d = make_directive()
    with pytest.raises(NotFound):
        progress_report(actor=drc["nobody"], directive_id=d.pk, percent=10)
    assert not ProgressReport.objects.exists()


@pytest.mark.parametrize("percent", [-1, 101, "abc", None, True, 12.5])
def test_bad_percent_is_422_and_nothing_changes(drc, make_directive, percent):
    d = make_directive()
    events = d.events.count()
    with pytest.raises(InvalidInput) as err:
        progress_report(actor=drc["justice_head"], directive_id=d.pk, percent=percent,
                        text="x" * 30000, files="nope")
    assert {"percent", "text", "files"} <= set(err.value.fields)
    d.refresh_from_db()
    assert d.progress == 0 and d.events.count() == events
    assert not ProgressReport.objects.exists()


def test_unknown_assignee_row_is_422(drc, make_directive):
    d = make_directive()
    with pytest.raises(InvalidInput) as err:
        progress_report(actor=drc["justice_head"], directive_id=d.pk, percent=5,
                        assignee_id=999999)
    assert "assignee_id" in err.value.fields


def test_wrong_state_is_409(drc, make_directive):
    d = make_directive()
    completion_report(actor=drc["justice_head"], directive_id=d.pk, result_text="Xong")
    with pytest.raises(AppError) as err:
        progress_report(actor=drc["justice_head"], directive_id=d.pk, percent=50)
    assert err.value.status == 409 and err.value.code == "invalid_state"


def test_sub_directives_roll_up_weighted(drc, make_directive):
    d = make_directive(due=timezone.localdate() + dt.timedelta(days=60))
    a = make_directive(actor=drc["justice_head"], parent=d, lead=drc["justice_div"],
                       due=d.due_date, weight=3)
    b = make_directive(actor=drc["justice_head"], parent=d, lead=drc["justice_officer"],
                       due=d.due_date, weight=1)
    progress_report(actor=drc["justice_officer"], directive_id=a.pk, percent=100)
    d.refresh_from_db()
    assert d.progress == 75  # (100*3 + 0*1) / 4
    ev = d.events.order_by("id").last()
    assert ev.kind == "progress" and ev.details["rollup_from"] == a.pk
    progress_report(actor=drc["justice_officer"], directive_id=b.pk, percent=40)
    d.refresh_from_db()
    assert d.progress == 85  # (300 + 40) / 4
    # A cancelled part no longer counts.
    directive_cancel(actor=drc["justice_head"], directive_id=b.pk, reason="Không cần nữa")
    d.refresh_from_db()
    assert d.progress == 100
    assert Directive.objects.get(pk=b.pk).state == "cancelled"


def test_supporting_row_has_its_own_sub_deadline(drc, make_directive):
    from egov.directives.services.records import directive_create

    due = timezone.localdate() + dt.timedelta(days=30)
    sub = timezone.localdate() + dt.timedelta(days=10)
    d = directive_create(actor=drc["leader"], title="Kiểm tra", lead={"unit_id": drc["justice"].pk},
                         support=[{"unit_id": drc["finance"].pk, "due_date": sub.isoformat()}],
                         due_date=due)
    row = DirectiveAssignee.objects.get(directive=d, role="support")
    assert row.due_date == sub
