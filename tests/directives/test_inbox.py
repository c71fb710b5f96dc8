"""Directives in the shared inbox (core WorkItems): lead / support / inform items on giving,
the due time at the end of the judged day, moved by an approved extension, the giver's
acceptance item, finished on accepted and cancelled on cancel; a rolled-back change leaves
no item."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType

from egov.core.calendar import LOCAL_TZ
from egov.core.errors import InvalidInput
from egov.core.models import WorkItem
from egov.directives.models import Directive
from egov.directives.services import recurring
from egov.directives.services.completion import (
    completion_accept,
    completion_report,
    completion_return,
)
from egov.directives.services.extensions import extension_decide, extension_request
from egov.directives.services.lifecycle import directive_cancel
from egov.directives.services.records import directive_create

pytestmark = pytest.mark.django_db
D = dt.date


def items(d, **flt):
    ct = ContentType.objects.get_for_model(Directive)
    return WorkItem.objects.filter(module="directives", subject_type=ct, subject_id=str(d.pk),
                                   **flt).order_by("id")


def end_of(day):
    return dt.datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=LOCAL_TZ)


def test_items_on_giving(drc):
    d = directive_create(
        actor=drc["leader"], title="Kiểm tra công tác cải cách hành chính",
        lead={"user_id": drc["justice_head"].pk},
        support=[{"unit_id": drc["finance"].pk, "due_date": "2026-10-20"}],
        inform=[{"unit_id": drc["office"].pk}], due_date="2026-10-31", given_on="2026-10-01")
    rows = {i.role: i for i in items(d)}
    assert set(rows) == {"lead", "support", "inform"}
    lead = rows["lead"]
    assert lead.assignee_user == drc["justice_head"] and lead.assignee_unit == drc["justice"]
    # Saturday 31/10/2026 → judged Monday 2/11, due at the end of that day, local time.
    assert lead.due_at == end_of(D(2026, 11, 2))
    assert rows["support"].assignee_unit == drc["finance"]
    assert rows["support"].due_at == end_of(D(2026, 10, 20))
    assert rows["inform"].due_at is None and rows["inform"].assignee_unit == drc["office"]
    assert d.code in lead.title


def test_extension_moves_due_and_acceptance_finishes(drc, make_directive):
    d = make_directive(support=[drc["finance"]])
    req = extension_request(actor=drc["justice_head"], directive_id=d.pk, reason="Cần thêm",
                            proposed_date=d.due_date + dt.timedelta(days=14))
    extension_decide(actor=drc["leader"], directive_id=d.pk, request_id=req.pk, approve=True)
    d.refresh_from_db()
    from egov.directives.services.records import judged_deadline

    lead = items(d, role="lead").get()
    assert lead.due_at == end_of(judged_deadline(d.due_date))
    assert items(d, role="support").get().due_at == lead.due_at  # no own deadline: follows
    completion_report(actor=drc["justice_head"], directive_id=d.pk)
    accept = items(d, kind="directives.accept").get()
    assert accept.assignee_user == drc["leader"] and accept.state == "open"
    completion_return(actor=drc["leader"], directive_id=d.pk, note="Bổ sung")
    accept.refresh_from_db()
    assert accept.state == "done" and items(d, role="lead").get().state == "open"
    completion_report(actor=drc["justice_head"], directive_id=d.pk)
    completion_accept(actor=drc["leader"], directive_id=d.pk)
    assert set(items(d).values_list("state", flat=True)) == {"done"}


def test_cancel_cancels_items(drc, make_directive):
    d = make_directive(support=[drc["finance"]])
    directive_cancel(actor=drc["leader"], directive_id=d.pk, reason="Thu hồi")
    assert set(items(d).values_list("state", flat=True)) == {"cancelled"}


def test_recurring_template_has_no_item_its_periods_do(drc):
    t = directive_create(actor=drc["leader"], title="Báo cáo tháng",
                         lead={"unit_id": drc["finance"].pk}, recurrence="monthly",
                         recurrence_day=5, given_on="2026-11-02")
    assert not items(t).exists()
    (p,) = recurring.recurring_open_due(D(2026, 11, 10))
    assert items(p, role="lead").get().due_at == end_of(D(2026, 12, 7))  # Sat 5/12 → Mon 7/12


def test_refused_change_leaves_no_item(drc):
    before = WorkItem.objects.count()
    with pytest.raises(InvalidInput):
        directive_create(actor=drc["leader"], title="", lead={"unit_id": drc["finance"].pk},
                         due_date="2026-12-31")
    assert WorkItem.objects.count() == before
