"""Recurring directives: one occurrence per period (monthly / quarterly), due recurrence_day days
after the period ends, with the template's lead and participants; idempotent re-runs; periods
missed are caught up; nothing after recurrence_until or once the template is cancelled."""

from __future__ import annotations

import datetime as dt

import pytest

from egov.directives import buckets
from egov.directives.models import Directive
from egov.directives.services import recurring
from egov.directives.services.lifecycle import directive_cancel
from egov.directives.services.records import directive_create

pytestmark = pytest.mark.django_db
D = dt.date


def template(drc, recurrence="monthly", day=5, given=None, until=None):
    return directive_create(
        actor=drc["leader"], title="Báo cáo tình hình giải ngân vốn đầu tư công",
        lead={"unit_id": drc["finance"].pk}, support=[{"unit_id": drc["justice"].pk}],
        inform=[{"unit_id": drc["office"].pk}], recurrence=recurrence, recurrence_day=day,
        recurrence_until=until, given_on=given or D(2026, 10, 15))


def test_monthly_periods_opened_once(drc):
    t = template(drc)
    assert t.due_date is None and t.is_template
    opened = recurring.recurring_open_due(D(2026, 11, 3))
    assert [(o.period_start, o.due_date) for o in opened] == [
        (D(2026, 10, 1), D(2026, 11, 5)), (D(2026, 11, 1), D(2026, 12, 5))]
    first = opened[0]
    assert first.series == t and first.recurrence == "none" and first.lead_unit == drc["finance"]
    assert first.title.endswith("tháng 10/2026")
    assert sorted(first.assignees.values_list("role", flat=True)) == ["inform", "lead", "support"]
    assert first.events.get().kind == "period_opened"
    assert first.judged_due_date == D(2026, 11, 5)
    # Re-runs open nothing new.
    assert recurring.recurring_open_due(D(2026, 11, 3)) == []
    assert recurring.recurring_open_due(D(2026, 11, 30)) == []
    assert Directive.objects.filter(series=t).count() == 2
    # The next month opens its period.
    (dec,) = recurring.recurring_open_due(D(2026, 12, 1))
    assert dec.period_start == D(2026, 12, 1) and dec.due_date == D(2027, 1, 5)
    # The template is not counted; its periods are.
    countable = Directive.objects.filter(buckets.countable_q())
    assert t not in countable and dec in countable


def test_quarterly_due_after_the_quarter_and_judged_on_a_working_day(drc):
    t = template(drc, "quarterly", day=10, given=D(2026, 7, 20))
    (q3,) = recurring.recurring_open_due(D(2026, 9, 1))
    assert q3.period_start == D(2026, 7, 1) and q3.due_date == D(2026, 10, 10)
    assert q3.judged_due_date == D(2026, 10, 12)  # Saturday → Monday
    assert q3.title.endswith("quý 3/2026") and q3.series == t


def test_until_and_cancelled_template(drc):
    t = template(drc, until=D(2026, 11, 30))
    assert len(recurring.recurring_open_due(D(2027, 2, 1))) == 2  # October, November only
    t2 = template(drc, given=D(2026, 12, 1))
    directive_cancel(actor=drc["leader"], directive_id=t2.pk, reason="Thôi báo cáo")
    assert recurring.recurring_open_due(D(2027, 2, 1)) == []
    assert Directive.objects.filter(series=t2).count() == 0
    assert Directive.objects.filter(series=t).count() == 2


def test_a_period_opened_concurrently_is_not_duplicated(drc):
    t = template(drc)
    assert recurring.period_open(t, D(2026, 10, 1)) is not None
    assert recurring.period_open(t, D(2026, 10, 1)) is None
    assert Directive.objects.filter(series=t, period_start=D(2026, 10, 1)).count() == 1


def test_bad_recurrence_input(drc):
    from egov.core.errors import InvalidInput

    with pytest.raises(InvalidInput) as err:
        directive_create(actor=drc["leader"], title="X", lead={"unit_id": drc["finance"].pk},
                         recurrence="weekly", recurrence_day=40)
    assert {"recurrence", "recurrence_day"} <= set(err.value.fields)
    assert not Directive.objects.exists()
