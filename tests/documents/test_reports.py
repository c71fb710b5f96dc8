"""The handling report (Báo cáo tình hình giải quyết văn bản đến): the four buckets per unit
judged with the real 2026 calendar (Tết Bính Ngọ: 16–20/02/2026 off), the cut-off, which
assignments count, permissions, the API and the constant number of queries."""

from __future__ import annotations

import datetime as dt

import pytest

from egov.core.errors import InvalidInput, PermissionDenied
from egov.core.models import OrgUnit, OrgUnitKind
from egov.documents.models import IncomingState
from egov.documents.selectors.reports import handling_report
from tests.documents.test_registers_views import (  # noqa: F401 - the `reg` fixture
    YEAR,
    at,
    make_assignment,
    make_incoming,
    reg_fixture,
)

JAN1, FEB28 = dt.date(YEAR, 1, 1), dt.date(YEAR, 2, 28)
LATER = at(YEAR, 11, 1)  # "now" for the tests: long after the period


@pytest.fixture
def rep(reg):
    economy = OrgUnit.objects.create(kind=OrgUnitKind.DIVISION, name="Phòng Kinh tế",
                                     abbreviation="KT", parent=reg["province"])
    counter = iter(range(1, 1000))

    def item(*, due, unit=None, user=None, finished=None, assigned=None, role="lead",
             state=None, doc_state=IncomingState.IN_PROGRESS, register=None, parent=None):
        n = next(counter)
        arrival = assigned or at(YEAR, 1, 5)
        doc = make_incoming(register or reg["incoming"], n, by=reg["clerk"],
                            arrival=arrival - dt.timedelta(hours=1), state=doc_state)
        return make_assignment(
            doc, by=reg["leader"], unit=unit if (unit or user) else reg["org"]["office"],
            user=user, role=role, due=due, assigned_at=arrival,
            state=state or ("done" if finished else "open"), finished_at=finished,
            parent=parent)

    return {**reg, "economy": economy, "item": item}


def _buckets(row) -> tuple[int, int, int, int]:
    return (row.done_on_time, row.done_late, row.open_on_time, row.open_late)


def _by_unit(report) -> dict[str, tuple]:
    return {r.unit_name: _buckets(r) for r in report.rows}


def test_four_buckets_with_the_calendar(rep):
    item, office, economy = rep["item"], rep["org"]["office"], rep["economy"]
    fri = dt.date(YEAR, 1, 9)
    item(due=fri, finished=at(YEAR, 1, 12, 10))  # due Friday, done Monday: late
    item(due=fri, finished=at(YEAR, 1, 9, 16, 30))  # done on the day: on time (end of day)
    item(due=fri, finished=at(YEAR, 1, 9, 23, 59))  # 23:59 Vietnamese time still on time
    # Due on a Saturday: Monday ok. (Not 10/01/2026: that Saturday is a make-up working day,
    # VPCP 12729/VPCP-KGVX — issue 9 §2.)
    item(due=dt.date(YEAR, 1, 17), finished=at(YEAR, 1, 19, 9))
    item(due=dt.date(YEAR, 2, 17), finished=at(YEAR, 2, 23, 9))  # due in Tết: first day after
    item(due=dt.date(YEAR, 2, 17), finished=at(YEAR, 2, 24, 9))  # … one day more is late
    item(due=dt.date(YEAR, 2, 13), unit=economy)  # due before Tết, still open after: overdue
    item(due=dt.date(YEAR, 3, 20), unit=economy)  # open, due after the period: in time
    item(due=None, unit=economy)  # no deadline: never late
    item(due=dt.date(YEAR, 2, 10), unit=economy, finished=at(YEAR, 3, 2))  # done after the end

    report = handling_report(actor=rep["clerk"], agency=rep["province"], start=JAN1, end=FEB28,
                             now=LATER)

    assert _by_unit(report) == {
        office.name: (4, 2, 0, 0),
        economy.name: (0, 0, 2, 2),  # the one finished on 02/03 was open and late on 28/02
    }
    assert [r.unit_name for r in report.rows] == [office.name, economy.name]  # tree order
    assert _buckets(report.totals) == (4, 2, 2, 2)
    assert report.totals.total == 10
    assert report.on_time_rate == pytest.approx(6 / 10)
    assert report.as_of == at(YEAR, 3, 1, 0, 0)


def test_cutoff_inside_tet_and_current_period(rep):
    item = rep["item"]
    item(due=dt.date(YEAR, 2, 13))  # due the Friday before Tết
    # Period ending during Tết (20/02): already overdue at its end.
    report = handling_report(actor=rep["clerk"], agency=rep["province"], start=JAN1,
                             end=dt.date(YEAR, 2, 20), now=LATER)
    assert _buckets(report.totals) == (0, 0, 0, 1)
    # A current period is judged at "now": on 13/02 at noon the item is still in time…
    now = at(YEAR, 2, 13, 12)
    report = handling_report(actor=rep["clerk"], agency=rep["province"], start=JAN1,
                             end=dt.date(YEAR, 12, 31), now=now)
    assert report.as_of == now
    assert _buckets(report.totals) == (0, 0, 1, 0)
    # … and overdue the next morning.
    report = handling_report(actor=rep["clerk"], agency=rep["province"], start=JAN1,
                             end=dt.date(YEAR, 12, 31), now=at(YEAR, 2, 14, 8))
    assert _buckets(report.totals) == (0, 0, 0, 1)


def test_what_counts(rep, make_user):
    item, office, economy = rep["item"], rep["org"]["office"], rep["economy"]
    due = dt.date(YEAR, 3, 31)
    item(due=due)  # counted
    item(due=due, role="support")  # supporting units are not judged here
    item(due=due, role="inform")
    item(due=due, state="forwarded")  # replaced by another assignment
    item(due=due, state="returned")
    item(due=due, state="cancelled")
    item(due=due, doc_state=IncomingState.CANCELLED)  # recalled by the issuer
    item(due=due, assigned=at(YEAR - 1, 12, 31, 16))  # given before the period
    item(due=due, register=rep["justice_in"], unit=rep["org"]["justice"])  # another agency
    # Re-assigned inside the economy division: counted once, through the child.
    parent = item(due=due, unit=economy)
    officer2 = make_user("cvkt", economy, "officer", full_name="Đỗ Thị Kinh Tế")
    make_assignment(parent.document, by=rep["leader"], user=officer2, role="lead", due=due,
                    parent=parent, assigned_at=parent.assigned_at + dt.timedelta(hours=2))
    # To a person only: the unit of their post.
    item(due=due, user=rep["officer"])

    report = handling_report(actor=rep["leader"], agency=rep["province"], start=JAN1,
                             end=FEB28, now=LATER)
    assert _by_unit(report) == {office.name: (0, 0, 2, 0), economy.name: (0, 0, 1, 0)}
    assert report.totals.total == 3


def test_permissions_and_input(rep, make_user):
    rep["item"](due=dt.date(YEAR, 1, 9))
    for actor in (rep["other_clerk"], rep["officer"]):
        with pytest.raises(PermissionDenied):
            handling_report(actor=actor, agency=rep["province"], start=JAN1, end=FEB28)
    with pytest.raises(InvalidInput) as err:
        handling_report(actor=rep["clerk"], agency=rep["province"], start=FEB28, end=JAN1)
    assert "end" in err.value.fields
    # Another agency's clerk sees their own (empty) report.
    empty = handling_report(actor=rep["other_clerk"], agency=rep["org"]["justice"], start=JAN1,
                            end=FEB28)
    assert empty.rows == [] and empty.totals.total == 0 and empty.on_time_rate is None


def test_one_grouped_query(rep, django_assert_max_num_queries):
    for i in range(30):
        rep["item"](due=dt.date(YEAR, 1, 9) + dt.timedelta(days=i % 9),
                    unit=rep["economy"] if i % 2 else None,
                    finished=at(YEAR, 1, 12) if i % 3 == 0 else None)
    handling_report(actor=rep["clerk"], agency=rep["province"], start=JAN1, end=FEB28)
    # distinct due dates + the grouped counts + the unit names (grants cached on the user)
    with django_assert_max_num_queries(3) as ctx:
        report = handling_report(actor=rep["clerk"], agency=rep["province"], start=JAN1,
                                 end=FEB28, now=LATER)
    grouped = [q["sql"] for q in ctx.captured_queries if "GROUP BY" in q["sql"].upper()]
    assert len(grouped) == 1 and "CASE" in grouped[0].upper()
    assert report.totals.total == 30


def test_api_handling_report(rep, client):
    rep["item"](due=dt.date(YEAR, 1, 9), finished=at(YEAR, 1, 12, 10))
    client.force_login(rep["leader"])
    r = client.get("/api/v1/documents/reports/handling",
                   {"agency_id": rep["province"].pk, "start": "2026-01-01", "end": "2026-02-28"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["totals"]["done_late"] == 1 and body["totals"]["total"] == 1
    assert body["rows"][0]["unit_name"] == "Văn phòng UBND tỉnh"
    assert body["on_time_rate"] == 0
    bad = client.get("/api/v1/documents/reports/handling",
                     {"agency_id": rep["province"].pk, "start": "2026-13-01", "end": "x"})
    assert bad.status_code == 422 and set(bad.json()["fields"]) == {"start", "end"}
    client.force_login(rep["other_clerk"])
    r = client.get("/api/v1/documents/reports/handling",
                   {"agency_id": rep["province"].pk, "start": "2026-01-01", "end": "2026-02-28"})
    assert r.status_code == 403
