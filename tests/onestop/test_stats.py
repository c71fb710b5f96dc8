"""Statistics of the one-stop desk (selectors/stats.py, api/stats.py): buckets of hand-made
dossiers over Tết 2026, the second-supplement rule, carried-over dossiers, the period's
boundaries, permissions and the API contract."""

from __future__ import annotations

import datetime as dt

import pytest

from egov.onestop import rules
from egov.onestop.selectors import stats as sel
from egov.onestop.selectors.indicators import indicators

from .stats_fixtures import at, make_dossier, rate, stats_org  # noqa: F401

pytestmark = pytest.mark.django_db

FEB = dict(start=dt.date(2026, 2, 1), end=dt.date(2026, 2, 28))
NOW = at(2026, 6, 1)


def report(actor, **kw):
    flt = sel.StatsFilter(**{**FEB, **kw})
    return sel.stats_report(actor=actor, flt=flt, now=NOW)


def test_buckets_over_tet(stats_org):  # noqa: F811
    o = stats_org
    v, c = o["birth_v"], o["commune"]
    # Received Friday 13/2/2026, 3 working days over Tết (16–20/2 off) → due Wed 25/2 10:00.
    due = rules.due_at(at(2026, 2, 13, 10), 3, next_day_after_cutoff=False)
    assert due == at(2026, 2, 25, 10)
    early = make_dossier(v, c, received_at=at(2026, 2, 13, 10), due_at=due,
                         ended_at=at(2026, 2, 24, 16), state="resolved",
                         result_medium="electronic")
    on_time = make_dossier(v, c, received_at=at(2026, 2, 13, 10), due_at=due,
                           ended_at=at(2026, 2, 25, 10), state="returned",
                           result_medium="paper")
    late = make_dossier(v, c, received_at=at(2026, 2, 13, 10), due_at=due,
                        ended_at=at(2026, 2, 25, 10, 1), state="resolved",
                        result_medium="electronic")
    # Unfinished at the period's end: due 25/2 → overdue; due 3/3 → in time.
    overdue = make_dossier(v, c, received_at=at(2026, 2, 13, 10), due_at=due)
    in_time = make_dossier(v, c, received_at=at(2026, 2, 26, 10),
                           due_at=at(2026, 3, 3, 10), channel="online")
    rate(on_time, satisfied=False)
    rate(early, satisfied=True)
    r = report(o["leader"])
    t = r.totals
    assert (t["early"], t["on_time"], t["late"], t["in_time"], t["overdue"]) == (1, 1, 1, 1, 1)
    assert t["received"] == 5 and t["new"] == 5 and t["carried_over"] == 0
    assert t["resolved"] == 3
    assert r.on_time_rate == pytest.approx(3 / 5)
    ids = {j: set(sel.bucket_queryset(actor=o["leader"], flt=r.filter, bucket=j, now=NOW)
                  .values_list("pk", flat=True)) for j in sel.JUDGED}
    assert ids == {"early": {early.pk}, "on_time": {on_time.pk}, "late": {late.pk},
                   "in_time": {in_time.pk}, "overdue": {overdue.pk}}
    ind = {i.code: i for i in indicators(r)}
    assert ind["4.1"].value == pytest.approx(2 / 3)
    assert ind["3.3"].numerator == 1 and ind["3.3"].denominator == 5
    assert ind["2.1"].value == pytest.approx(3 / 5)
    # 5.4 = 100 % − (2 late or overdue of 5 + 1 dissatisfied of 5).
    assert ind["5.4"].value == pytest.approx(1 - 2 / 5 - 1 / 5)
    # 2.2: 13/2 → 24/2 is 2 working days (23, 24), 13/2 → 25/2 is 3 (twice): 8 / 3.
    assert ind["2.2"].value == pytest.approx(round(8 / 3, 2))


def test_second_supplement_request_counts_late(stats_org):  # noqa: F811
    o = stats_org
    v, c = o["birth_v"], o["commune"]
    due = at(2026, 2, 25, 10)
    once = make_dossier(v, c, received_at=at(2026, 2, 12, 10), due_at=due, state="supplement",
                        paused_since=at(2026, 2, 13, 9), supplement_requests=1)
    twice = make_dossier(v, c, received_at=at(2026, 2, 12, 10), due_at=due, state="supplement",
                         paused_since=at(2026, 2, 13, 9), supplement_requests=2)
    # A finished dossier is not late because of a second request (the formula sheet).
    finished = make_dossier(v, c, received_at=at(2026, 2, 12, 10), due_at=due,
                            ended_at=at(2026, 2, 24, 9), state="resolved",
                            supplement_requests=2, paused_days=2)
    r = report(o["leader"])
    got = dict(sel.judged(sel.Dossier.objects.all(), r.as_of)
               .values_list("pk", "judgement"))
    assert got[once.pk] == rules.IN_TIME  # measured at the request date, before due
    assert got[twice.pk] == rules.OVERDUE
    assert got[finished.pk] == rules.EARLY
    assert r.totals["supplemented"] == 3


def test_carried_over_and_period_boundaries(stats_org):  # noqa: F811
    o = stats_org
    v, c = o["birth_v"], o["commune"]
    carried = make_dossier(v, c, received_at=at(2026, 1, 28, 9), due_at=at(2026, 2, 3, 9),
                           ended_at=at(2026, 2, 2, 9), state="resolved")
    ended_before = make_dossier(v, c, received_at=at(2026, 1, 20, 9),
                                due_at=at(2026, 1, 23, 9), ended_at=at(2026, 1, 31, 23, 59),
                                state="resolved")
    last_minute = make_dossier(v, c, received_at=at(2026, 2, 28, 23, 59),
                               due_at=at(2026, 3, 5, 9))
    after = make_dossier(v, c, received_at=at(2026, 3, 1, 0, 0), due_at=at(2026, 3, 5, 9))
    # Ended after the period: still in progress at its end (overdue: due 26/2).
    ended_later = make_dossier(v, c, received_at=at(2026, 2, 20, 9), due_at=at(2026, 2, 26, 9),
                               ended_at=at(2026, 3, 2, 9), state="resolved")
    r = report(o["leader"])
    qs = sel.bucket_queryset(actor=o["leader"], flt=r.filter, bucket="received", now=NOW)
    counted = set(qs.values_list("pk", flat=True))
    assert counted == {carried.pk, last_minute.pk, ended_later.pk}
    assert ended_before.pk not in counted and after.pk not in counted
    t = r.totals
    assert (t["carried_over"], t["new"]) == (1, 2)
    assert (t["early"], t["in_time"], t["overdue"]) == (1, 1, 1)
    # A running period is measured now, not at its end.
    running = sel.stats_report(actor=o["leader"], flt=sel.StatsFilter(**FEB),
                               now=at(2026, 2, 25, 12))
    assert running.as_of == at(2026, 2, 25, 12)
    assert running.totals["overdue"] == 0


def test_refused_stopped_withdrawn_and_grouping(stats_org):  # noqa: F811
    o = stats_org
    v, c = o["birth_v"], o["commune"]
    make_dossier(v, c, received_at=None, due_at=None, state="refused",
                 submitted_at=at(2026, 2, 10))
    make_dossier(v, c, received_at=at(2026, 2, 2), due_at=at(2026, 2, 5),
                 ended_at=at(2026, 2, 3), state="stopped")
    make_dossier(v, c, received_at=at(2026, 2, 2), due_at=at(2026, 2, 5),
                 ended_at=at(2026, 2, 6), state="withdrawn")
    make_dossier(o["land_v"], c, o["justice"], received_at=at(2026, 2, 2),
                 due_at=at(2026, 3, 20), channel="post")
    r = report(o["leader"], group="procedure")
    by = {row.key: row for row in r.rows}
    assert by[o["birth"].pk]["refused"] == 1
    assert by[o["birth"].pk]["stopped"] == 1 and by[o["birth"].pk]["withdrawn"] == 1
    assert by[o["birth"].pk]["early"] == 1 and by[o["birth"].pk]["late"] == 1
    assert by[o["land"].pk]["in_time"] == 1
    assert r.totals["received"] == 3  # the refusal is not a received dossier
    ch = report(o["leader"], group="channel")
    assert {row.key: row["received"] for row in ch.rows} == {"counter": 2, "post": 1}


def test_permissions(stats_org):  # noqa: F811
    o = stats_org
    make_dossier(o["birth_v"], o["commune"], received_at=at(2026, 2, 2), due_at=at(2026, 2, 5))
    make_dossier(o["land_v"], o["justice"], received_at=at(2026, 2, 2), due_at=at(2026, 2, 5))
    from egov.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        report(o["nobody"])
    with pytest.raises(PermissionDenied):
        report(o["leader"], unit=o["justice"])
    assert report(o["leader"]).totals["received"] == 1  # only the commune's
    assert report(o["justice_leader"]).totals["received"] == 1
    assert report(o["leader"], unit=o["commune"]).totals["received"] == 1


def test_api_contract(client, stats_org):  # noqa: F811
    o = stats_org
    make_dossier(o["birth_v"], o["commune"], received_at=at(2026, 2, 2, 9),
                 due_at=at(2026, 2, 5, 9), ended_at=at(2026, 2, 4, 9), state="resolved")
    client.force_login(o["leader"])
    url = "/api/v1/onestop/stats"
    r = client.get(url, {"from": "2026-02-01", "to": "2026-02-28", "unit": o["commune"].pk})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["from"] == "2026-02-01" and body["to"] == "2026-02-28"
    assert body["received"] == 1 and body["early"] == 1 and body["on_time_rate"] == 1.0
    assert body["rows"][0]["key"] == o["commune"].pk
    assert [i["code"] for i in body["indicators"]] == ["2.1", "2.2", "3.3", "4.1", "5.4"]
    assert all(i["formula"] for i in body["indicators"])
    bad = client.get(url, {"from": "2026-02-31", "to": "x"})
    assert bad.status_code == 422
    assert set(bad.json()["fields"]) == {"from", "to"}
    reversed_ = client.get(url, {"from": "2026-03-01", "to": "2026-02-01"})
    assert reversed_.status_code == 422 and "to" in reversed_.json()["fields"]
    assert client.get(url, {"from": "2026-02-01", "to": "2026-02-28",
                            "channel": "fax"}).status_code == 422
    assert client.get(url, {"from": "2026-02-01", "to": "2026-02-28",
                            "unit": o["justice"].pk}).status_code == 403
    client.force_login(o["nobody"])
    assert client.get(url, {"from": "2026-02-01", "to": "2026-02-28"}).status_code == 403


def test_xlsx_has_the_figures(client, stats_org):  # noqa: F811
    import io

    from openpyxl import load_workbook

    o = stats_org
    make_dossier(o["birth_v"], o["commune"], received_at=at(2026, 2, 2, 9),
                 due_at=at(2026, 2, 5, 9), ended_at=at(2026, 2, 6, 9), state="resolved")
    make_dossier(o["birth_v"], o["commune"], received_at=at(2026, 2, 2, 9),
                 due_at=at(2026, 2, 5, 9), ended_at=at(2026, 2, 4, 9), state="resolved")
    client.force_login(o["leader"])
    r = client.get("/onestop/stats/", {"from": "2026-02-01", "to": "2026-02-28",
                                       "format": "xlsx"})
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb["Thống kê"]
    head = [c.value for c in ws[4]]
    assert "Đã giải quyết quá hạn" in head and "Tỷ lệ đúng hạn (%)" in head
    row = [c.value for c in ws[5]]
    assert row[1] == o["commune"].name
    assert row[head.index("Đã giải quyết quá hạn")] == 1
    assert row[head.index("Tỷ lệ đúng hạn (%)")] == 50
    codes = [c.value for c in wb["Chỉ số QĐ 766"]["A"]][1:]
    assert codes == ["2.1", "2.2", "3.3", "4.1", "5.4"]


def test_page_renders_links_and_svg(client, stats_org):  # noqa: F811
    o = stats_org
    make_dossier(o["birth_v"], o["commune"], received_at=at(2026, 2, 2, 9),
                 due_at=at(2026, 2, 5, 9), ended_at=at(2026, 2, 6, 9), state="resolved")
    client.force_login(o["leader"])
    r = client.get("/onestop/stats/", {"from": "2026-02-01", "to": "2026-02-28"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "<svg" in html and 'class="os-seg--late"' in html
    assert f"/onestop/desk/?from=2026-02-01&amp;to=2026-02-28&amp;bucket=late&amp;group=unit&amp;key={o['commune'].pk}" in html
    assert "style=" not in html.split("<main", 1)[-1]
    assert "2.2" in html and "5.4" in html
    bad = client.get("/onestop/stats/", {"from": "2026-13-01", "to": "2026-02-28"})
    assert bad.status_code == 200 and "os-stats-bar" not in bad.content.decode()
    client.force_login(o["nobody"])
    assert client.get("/onestop/stats/").status_code == 403


def test_a_count_links_to_the_dossiers_behind_it(client, stats_org):  # noqa: F811
    """The desk list honours the statistics page's link parameters (selectors.stats.list_url):
    the dossiers of the count, no others; a bad bucket is a message, not an error page."""
    o = stats_org
    v, c = o["birth_v"], o["commune"]
    due = at(2026, 2, 25, 10)
    late = make_dossier(v, c, received_at=at(2026, 2, 13, 10), due_at=due,
                        ended_at=at(2026, 2, 26, 9), state="resolved")
    early = make_dossier(v, c, received_at=at(2026, 2, 13, 10), due_at=due,
                         ended_at=at(2026, 2, 20, 9), state="resolved")
    client.force_login(o["leader"])
    flt = sel.StatsFilter(**FEB)
    html = client.get(sel.list_url(flt, "late")).content.decode()
    assert late.code in html and early.code not in html
    html = client.get(sel.list_url(flt, "early", key=c.pk).replace("&key=", "&group=unit&key=")
                      ).content.decode()
    assert early.code in html and late.code not in html
    response = client.get("/onestop/desk/?bucket=nonsense&from=2026-02-01&to=2026-02-28")
    assert response.status_code == 302


def test_solving_time_same_for_every_grouping(stats_org):  # noqa: F811
    """Indicator 2.2 on PostgreSQL rides along the report's grouped statement (grouped by the
    row key and the procedure): every grouping gives the same figures as the day-grouped
    statement `_solving_days`, with two procedures, two units, paused days and a dossier still
    open or refused (not counted)."""
    o = stats_org
    c, j = o["commune"], o["justice"]
    make_dossier(o["birth_v"], c, received_at=at(2026, 2, 13, 10), due_at=at(2026, 2, 25, 10),
                 ended_at=at(2026, 2, 24, 16), state="resolved")
    make_dossier(o["birth_v"], c, j, received_at=at(2026, 2, 2, 9), due_at=at(2026, 2, 5, 9),
                 ended_at=at(2026, 2, 10, 9), state="returned", channel="online")
    make_dossier(o["land_v"], c, j, received_at=at(2026, 1, 20, 9), due_at=at(2026, 3, 5, 9),
                 ended_at=at(2026, 2, 27, 15), state="resolved", paused_days=2)
    make_dossier(o["land_v"], c, j, received_at=at(2026, 2, 3, 9), due_at=at(2026, 2, 20, 9),
                 ended_at=at(2026, 2, 12, 9), state="stopped")
    make_dossier(o["land_v"], c, j, received_at=at(2026, 2, 3, 9), due_at=at(2026, 2, 20, 9))
    flt = sel.StatsFilter(**FEB)
    first, as_of = sel.period_bounds(flt.start, flt.end, NOW)
    expected = sel._solving_days(sel._filtered(o["leader"], flt), first, as_of)
    assert [(r["code"], r["resolved"]) for r in expected] == [("1.012345", 1),
                                                              ("9.001193", 2)]
    for group in sel.GROUPS:
        assert report(o["leader"], group=group).solving == expected
