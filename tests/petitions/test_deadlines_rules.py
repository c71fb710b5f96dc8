"""The time-limit table as DeadlineRule rows (services.md §2.3): the seed, the choice of the most
specific row in force on the start day, and the due time from the calendar kernel — working days
skipping weekends, holidays and Tết; calendar days with the row's roll-forward; the 1/7/2026
switch of the complaint thụ lý period; remote and complex variants; the limitation."""

from __future__ import annotations

import datetime as dt

import pytest

from egov.core.calendar import LOCAL_TZ
from egov.petitions import rules
from egov.petitions.models import DeadlineRule
from egov.petitions.rules import Facts
from egov.petitions.services.deadlines import rule_for

from .flow_support import at

pytestmark = pytest.mark.django_db


def pick(step, day, **facts):
    return rules.pick(DeadlineRule.objects.filter(step=step), Facts(**facts), day)


def test_the_whole_table_is_seeded_with_legal_basis_and_dates():
    codes = set(DeadlineRule.objects.values_list("code", flat=True))
    assert codes == {r["code"] for r in rules.RULES}
    assert DeadlineRule.objects.count() == len(rules.RULES)
    for r in DeadlineRule.objects.all():
        assert r.legal_basis and r.effective_from and r.unit in ("working", "calendar")
        assert r.transition_policy == "start_day"
    # the UNVERIFIED readings stay marked
    assert "UNVERIFIED" in DeadlineRule.objects.get(code="xld-processing").note
    steps = set(DeadlineRule.objects.values_list("step", flat=True))
    assert {"processing", "acceptance", "forward", "resolution", "extension", "limitation",
            "second_instance_filing", "final", "reception_answer", "refusal_notice",
            "notify_forwarder", "dialogue_notice", "suspension_notice"} <= steps


@pytest.mark.parametrize(("facts", "code", "days"), [
    ({"kind": "complaint"}, "kn1-resolution", 30),
    ({"kind": "complaint", "complexity": "complex"}, "kn1-resolution-complex", 45),
    ({"kind": "complaint", "complexity": "very_complex"}, "kn1-resolution-complex", 45),
    ({"kind": "complaint", "remote_area": True}, "kn1-resolution-remote", 45),
    ({"kind": "complaint", "remote_area": True, "complexity": "complex"},
     "kn1-resolution-remote-complex", 60),
    ({"kind": "complaint", "instance": 2}, "kn2-resolution", 45),
    ({"kind": "complaint", "instance": 2, "complexity": "complex"}, "kn2-resolution-complex", 60),
    ({"kind": "complaint", "instance": 2, "remote_area": True}, "kn2-resolution-remote", 60),
    ({"kind": "complaint", "instance": 2, "remote_area": True, "complexity": "complex"},
     "kn2-resolution-remote-complex", 70),
    ({"kind": "complaint", "complaint_subject": "disciplinary"}, "kn-disc-resolution", 30),
    ({"kind": "complaint", "complaint_subject": "disciplinary", "complexity": "complex"},
     "kn-disc-resolution-complex", 45),
    ({"kind": "denunciation"}, "tc-resolution", 30),
    ({"kind": "denunciation", "complexity": "very_complex", "remote_area": True},
     "tc-resolution", 30),
])
def test_resolution_rule_per_row(facts, code, days):
    rule = pick("resolution", dt.date(2026, 12, 1), **facts)
    assert (rule.code, rule.days, rule.unit) == (code, days, "calendar")


def test_proposals_have_no_statutory_resolution_rule():
    assert pick("resolution", dt.date(2026, 12, 1), kind="proposal") is None


@pytest.mark.parametrize(("facts", "code", "days", "unit"), [
    ({"kind": "denunciation"}, "tc-processing", 7, "working"),
    ({"kind": "complaint"}, "xld-processing", 10, "working"),
    ({"kind": "feedback"}, "xld-processing", 10, "working"),
])
def test_processing_rule(facts, code, days, unit):
    rule = pick("processing", dt.date(2026, 12, 1), **facts)
    assert (rule.code, rule.days, rule.unit) == (code, days, unit)


def test_complaint_acceptance_switches_on_1_july_2026():
    before = pick("acceptance", dt.date(2026, 6, 30), kind="complaint")
    after = pick("acceptance", dt.date(2026, 7, 1), kind="complaint")
    assert (before.days, before.unit, before.effective_to) == (10, "working", dt.date(2026, 6, 30))
    assert (after.days, after.unit, after.effective_from) == (7, "working", dt.date(2026, 7, 1))
    # received 30/6 → 10 working days: 1–3/7, 6–10/7, 13–14/7
    assert rules.due_for(before, at(2026, 6, 30)) == at(2026, 7, 14)
    # received 1/7 → 7 working days: 2–3/7, 6–10/7
    assert rules.due_for(after, at(2026, 7, 1)) == at(2026, 7, 10)
    disc = pick("acceptance", dt.date(2026, 7, 1), kind="complaint",
                complaint_subject="disciplinary")
    assert (disc.code, disc.days, disc.unit) == ("kn-disc-acceptance", 10, "calendar")


def test_working_days_skip_tet():
    rule = pick("processing", dt.date(2027, 2, 2), kind="denunciation")
    # received Tue 2/2/2027: 3/2 is day 1; 4–5/2 and 8–10/2 are Tết, 6–7/2 a weekend; then
    # 11, 12, 15, 16, 17, 18/2
    assert rules.due_for(rule, at(2027, 2, 2, 9, 30)) == at(2027, 2, 18, 9, 30)
    # the forwarding limit (5 working days) across Tết
    fwd = pick("forward", dt.date(2027, 2, 2), kind="denunciation")
    assert rules.due_for(fwd, at(2027, 2, 2)) == at(2027, 2, 16)
    # over the new year holiday and a weekend: Wed 30/12/2026 + 10 working days
    proc = pick("processing", dt.date(2026, 12, 30), kind="complaint")
    assert rules.due_for(proc, at(2026, 12, 30)) == at(2027, 1, 14)


def test_calendar_days_end_at_midnight_and_roll_forward_per_rule():
    rule = pick("resolution", dt.date(2027, 1, 8), kind="complaint")
    end = dt.datetime(2027, 2, 7, 23, 59, 59, tzinfo=LOCAL_TZ)  # a Sunday before Tết
    assert rules.due_for(rule, at(2027, 1, 8, 15)) == end
    rule.roll_forward = True  # BLDS Art.148.5 on: the next working day after Tết
    assert rules.due_for(rule, at(2027, 1, 8, 15)) == end.replace(day=11)


def test_the_rule_in_force_on_the_start_day_wins_over_a_newer_one(make_petition):
    p = make_petition(kind="complaint")
    assert rule_for(p, "acceptance", dt.date(2026, 6, 30)).days == 10
    assert rule_for(p, "acceptance", dt.date(2026, 7, 1)).days == 7
    # a rule that is not yet in force is never picked
    assert rule_for(p, "refusal_notice", dt.date(2026, 6, 30)) is None
    assert rule_for(p, "refusal_notice", dt.date(2026, 7, 1)).days == 3


@pytest.mark.parametrize(("known", "received", "expired"), [
    (dt.date(2026, 9, 1), dt.date(2026, 11, 30), False),   # the 90th day
    (dt.date(2026, 9, 1), dt.date(2026, 12, 1), True),
])
def test_limitation_90_days(known, received, expired):
    rule = pick("limitation", known, kind="complaint")
    assert (rule.code, rule.days) == ("kn-limitation", 90)
    assert (received > rules.last_day(rule, known)) is expired


def test_disciplinary_limitation_by_instance():
    one = pick("limitation", dt.date(2026, 9, 1), kind="complaint",
               complaint_subject="disciplinary")
    two = pick("limitation", dt.date(2026, 9, 1), kind="complaint",
               complaint_subject="disciplinary", instance=2)
    assert (one.code, one.days) == ("kn-disc-limitation-1", 15)
    assert (two.code, two.days) == ("kn-disc-limitation-2", 10)


def test_extension_rules():
    assert pick("extension", dt.date(2026, 12, 1), kind="denunciation") is None
    c = pick("extension", dt.date(2026, 12, 1), kind="denunciation", complexity="complex")
    v = pick("extension", dt.date(2026, 12, 1), kind="denunciation", complexity="very_complex")
    assert (c.max_times, c.days, v.max_times, v.days) == (1, 30, 2, 30)
    assert pick("extension", dt.date(2026, 12, 1), kind="complaint", complexity="complex") is None


def test_second_instance_window():
    r = pick("second_instance_filing", dt.date(2026, 12, 1), kind="complaint")
    rr = pick("second_instance_filing", dt.date(2026, 12, 1), kind="complaint", remote_area=True)
    assert (r.days, rr.days) == (30, 45)


def test_pause_shift_moves_by_calendar_or_working_days():
    due = dt.datetime(2026, 12, 31, 23, 59, 59, tzinfo=LOCAL_TZ)
    assert rules.shift(due, "calendar", at(2026, 12, 10), at(2026, 12, 20)) == \
        due + dt.timedelta(days=10)
    # working: Mon 7/12 → Mon 14/12 pauses 5 working days
    moved = rules.shift(at(2026, 12, 15), "working", at(2026, 12, 7), at(2026, 12, 14))
    assert moved == at(2026, 12, 22)
