"""The base of the directives module: giving a directive, who sees it, the four buckets."""

from __future__ import annotations

import datetime as dt

import pytest

from egov.core import calendar
from egov.core.errors import InvalidInput, PermissionDenied
from egov.core.models import AuditEvent
from egov.directives import buckets
from egov.directives.models import Bucket, Directive, DirectiveState
from egov.directives.selectors import access

pytestmark = pytest.mark.django_db

D = dt.date


def test_give_writes_directive_participants_code_event_and_audit(drc, make_directive):
    d = make_directive(support=[drc["finance"]], inform=[drc["office"]])
    assert d.code.startswith("000.00.00.T99-NV") and d.lead_unit == drc["justice"]
    assert d.due_date == d.original_due_date
    assert d.judged_due_date == calendar.next_working_day(d.due_date, include=True)
    roles = sorted(d.assignees.values_list("role", flat=True))
    assert roles == ["inform", "lead", "support"]
    assert d.events.get().kind == "given"
    assert AuditEvent.objects.filter(action="directive.give", object_id=str(d.pk)).exists()


def test_codes_are_gapless_per_agency(make_directive):
    a, b = make_directive(), make_directive()
    assert int(b.code[-5:]) == int(a.code[-5:]) + 1


def test_bad_input_names_every_field_and_writes_nothing(drc):
    from egov.directives.services.records import directive_create

    with pytest.raises(InvalidInput) as err:
        directive_create(actor=drc["leader"], title="", lead={"unit_id": 999999},
                         due_date="31/12/2026", support=[{"unit_id": "x"}])
    assert {"title", "lead", "due_date", "support[0]"} <= set(err.value.fields)
    assert not Directive.objects.exists()


def test_lead_outside_the_agency_is_refused(drc, make_directive):
    with pytest.raises(InvalidInput) as err:
        make_directive(actor=drc["commune_leader"], lead=drc["justice"])
    assert "lead" in err.value.fields


def test_officer_may_not_give(drc, make_directive):
    with pytest.raises(PermissionDenied):
        make_directive(actor=drc["justice_officer"])


def test_visibility(drc, make_directive):
    d = make_directive(support=[drc["finance"]])
    for who in ("leader", "deputy", "clerk", "justice_head", "finance_head", "superuser"):
        assert access.may_view(drc[who], d), who
    # A division's officer sees the department's directive once the head splits it to them.
    for who in ("commune_leader", "nobody", "justice_officer", "finance_officer"):
        assert not access.may_view(drc[who], d), who
    assert access.may_handle(drc["justice_head"], d)
    assert not access.may_handle(drc["finance_head"], d)
    assert not access.may_handle(drc["justice_officer"], d)
    part = make_directive(actor=drc["justice_head"], parent=d, lead=drc["justice_div"],
                          due=d.due_date)
    assert access.may_view(drc["justice_officer"], part)
    assert access.may_handle(drc["justice_officer"], part)
    assert part.agency == d.agency and part.parent == d
    assert access.may_decide(drc["leader"], d) and not access.may_decide(drc["justice_head"], d)


@pytest.mark.parametrize("state,done_on,judged,today,expected", [
    ("done", D(2026, 3, 10), D(2026, 3, 10), D(2026, 4, 1), Bucket.DONE_ON_TIME),
    ("done", D(2026, 3, 11), D(2026, 3, 10), D(2026, 4, 1), Bucket.DONE_LATE),
    ("done", D(2026, 3, 11), None, D(2026, 4, 1), Bucket.DONE_ON_TIME),
    ("open", None, D(2026, 3, 10), D(2026, 3, 10), Bucket.OPEN_ON_TIME),
    ("open", None, D(2026, 3, 10), D(2026, 3, 11), Bucket.OPEN_LATE),
    ("submitted", None, D(2026, 3, 10), D(2026, 3, 11), Bucket.OPEN_LATE),
    ("open", None, None, D(2026, 3, 11), Bucket.OPEN_ON_TIME),
    ("cancelled", None, D(2026, 3, 10), D(2026, 3, 11), None),
])
def test_bucket_python_sql_and_filter_agree(drc, make_directive, state, done_on, judged, today,
                                            expected):
    d = make_directive()
    Directive.objects.filter(pk=d.pk).update(state=state, done_on=done_on, judged_due_date=judged)
    assert buckets.bucket_of(state=state, done_on=done_on, judged_due_date=judged,
                             today=today) == expected
    got = Directive.objects.filter(pk=d.pk).annotate(b=buckets.bucket_expr(today)).get().b
    assert got == (expected.value if expected else None)
    for b in Bucket:
        assert Directive.objects.filter(buckets.bucket_q(b, today), pk=d.pk).exists() == (
            b == expected)
    assert DirectiveState(state)


def test_a_deadline_on_a_day_off_is_judged_on_the_next_working_day(make_directive):
    # Sunday 6/9/2026 → Monday 7/9/2026 (BLDS 2015 Art.148.5); 2/9/2026 (Quốc khánh, a
    # Wednesday) → Thursday 3/9/2026 when the calendar marks it off.
    d = make_directive(due=D(2026, 9, 6), given_on=D(2026, 8, 1))
    assert d.due_date == D(2026, 9, 6) and d.judged_due_date == D(2026, 9, 7)
