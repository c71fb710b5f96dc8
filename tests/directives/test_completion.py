"""Completion: reported done (submitted, 100 %), accepted (done on the day reported; participants'
rows and open sub-directives close), returned (open again, dates cleared), cancelled; wrong
state 409, permissions 403/404, bad input 422 with nothing changed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from egov.core.errors import AppError, InvalidInput, NotFound, PermissionDenied
from egov.core.models import AuditEvent
from egov.directives.models import Directive, DirectiveEvent, ExtensionRequest
from egov.directives.services.completion import (
    completion_accept,
    completion_report,
    completion_return,
)
from egov.directives.services.extensions import extension_request
from egov.directives.services.lifecycle import directive_cancel
from egov.directives.services.progress import progress_report

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()  # Vietnamese day, as the services count


def snapshot(d):
    row = Directive.objects.values().get(pk=d.pk)
    row.pop("updated_at")
    return row, DirectiveEvent.objects.filter(directive=d).count(), AuditEvent.objects.count()


def test_report_accept_closes_participants_and_parts(drc, make_directive):
    d = make_directive(support=[drc["finance"]], inform=[drc["office"]])
    part = make_directive(actor=drc["justice_head"], parent=d, lead=drc["justice_div"],
                          due=d.due_date)
    reported = make_directive(actor=drc["justice_head"], parent=d, lead=drc["justice_officer"],
                              due=d.due_date)
    completion_report(actor=drc["justice_officer"], directive_id=reported.pk)
    d = completion_report(actor=drc["justice_head"], directive_id=d.pk,
                          result_text="Đã ban hành kế hoạch")
    assert (d.state, d.submitted_on, d.progress) == ("submitted", TODAY, 100)
    assert d.reports.get().kind == "completion"
    d = completion_accept(actor=drc["leader"], directive_id=d.pk, note="Đạt yêu cầu")
    assert (d.state, d.done_on) == ("done", TODAY)
    assert set(d.assignees.values_list("done_on", flat=True)) == {TODAY}
    for child in (part, reported):
        child.refresh_from_db()
        assert child.state == "done" and child.done_on == TODAY and child.progress == 100
        ev = child.events.order_by("id").last()
        assert ev.kind == "accepted" and ev.details["with_parent"] == d.pk
    last = AuditEvent.objects.order_by("-seq").first()
    assert last.action == "directive.accept" and sorted(last.details["closed_parts"]) == sorted(
        [part.pk, reported.pk])


def test_return_reopens_and_clears_dates(drc, make_directive):
    d = make_directive()
    completion_report(actor=drc["justice_head"], directive_id=d.pk)
    with pytest.raises(InvalidInput) as err:
        completion_return(actor=drc["leader"], directive_id=d.pk, note="")
    assert "note" in err.value.fields
    d = completion_return(actor=drc["leader"], directive_id=d.pk, note="Chưa đủ số liệu")
    assert (d.state, d.submitted_on, d.done_on) == ("open", None, None)
    d.refresh_from_db()
    assert d.state == "open" and d.events.order_by("id").last().kind == "returned"
    # Open again: progress may be reported again.
    progress_report(actor=drc["justice_head"], directive_id=d.pk, percent=90)


@pytest.mark.parametrize("action", ["accept", "return"])
def test_accept_or_return_needs_a_report_409(drc, make_directive, action):
    d = make_directive()
    before = snapshot(d)
    with pytest.raises(AppError) as err:
        if action == "accept":
            completion_accept(actor=drc["leader"], directive_id=d.pk)
        else:
            completion_return(actor=drc["leader"], directive_id=d.pk, note="x")
    assert err.value.status == 409 and err.value.code == "invalid_state"
    assert snapshot(d) == before


def test_second_report_and_report_after_accept_409(drc, make_directive):
    d = make_directive()
    completion_report(actor=drc["justice_head"], directive_id=d.pk)
    with pytest.raises(AppError):
        completion_report(actor=drc["justice_head"], directive_id=d.pk)
    completion_accept(actor=drc["leader"], directive_id=d.pk)
    for fn in (lambda: completion_report(actor=drc["justice_head"], directive_id=d.pk),
               lambda: completion_accept(actor=drc["leader"], directive_id=d.pk),
               lambda: directive_cancel(actor=drc["leader"], directive_id=d.pk, reason="x")):
        with pytest.raises(AppError) as err:
            fn()
        assert err.value.status == 409


def test_permissions(drc, make_directive):
    d = make_directive(support=[drc["finance"]])
    with pytest.raises(PermissionDenied):
        completion_report(actor=drc["finance_head"], directive_id=d.pk)
    with pytest.raises(NotFound):
        completion_report(actor=drc["nobody"], directive_id=d.pk)
    completion_report(actor=drc["justice_head"], directive_id=d.pk)
    for who in ("justice_head", "finance_head", "clerk"):
        with pytest.raises(PermissionDenied):
            completion_accept(actor=drc[who], directive_id=d.pk)
    with pytest.raises(PermissionDenied):
        directive_cancel(actor=drc["justice_head"], directive_id=d.pk, reason="x")
    assert Directive.objects.get(pk=d.pk).state == "submitted"


def test_bad_completion_input_changes_nothing(drc, make_directive):
    d = make_directive()
    before = snapshot(d)
    with pytest.raises(InvalidInput) as err:
        completion_report(actor=drc["justice_head"], directive_id=d.pk,
                          result_text="x" * 30000, files=[1, 2], result_document_id="abc")
    assert {"result_text", "files", "result_document_id"} <= set(err.value.fields)
    with pytest.raises(InvalidInput) as err:
        completion_report(actor=drc["justice_head"], directive_id=d.pk,
                          result_document_id=999999)
    assert "result_document_id" in err.value.fields
    assert snapshot(d) == before


def test_cancel_cascades_to_parts_and_refuses_pending_extension(drc, make_directive):
    d = make_directive()
    part = make_directive(actor=drc["justice_head"], parent=d, lead=drc["justice_div"],
                          due=d.due_date)
    extension_request(actor=drc["justice_head"], directive_id=d.pk, reason="Cần thêm thời gian",
                      proposed_date=d.due_date + dt.timedelta(days=5))
    d = directive_cancel(actor=drc["leader"], directive_id=d.pk, reason="Không còn phù hợp")
    assert d.state == "cancelled"
    part.refresh_from_db()
    assert part.state == "cancelled"
    assert ExtensionRequest.objects.get(directive=d).state == "refused"
    assert d.events.order_by("id").last().kind == "cancelled"
    with pytest.raises(AppError) as err:
        progress_report(actor=drc["justice_head"], directive_id=d.pk, percent=5)
    assert err.value.status == 409
