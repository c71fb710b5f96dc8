"""The dashboards: every count equals the bucket of each directive (random histories), every
count links to a list holding exactly those directives, permissions, constant queries."""

from __future__ import annotations

import datetime as dt
import random
import re
from collections import Counter
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from egov.directives import buckets
from egov.directives.models import Directive
from egov.directives.selectors import dashboard as sel

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()
STATES = ["open", "submitted", "done", "cancelled"]


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def randomise(directives, rng: random.Random) -> None:
    """A random history per directive: state, completion day and status deadline."""
    for d in directives:
        state = rng.choice(STATES)
        judged = None if rng.random() < 0.1 else TODAY + dt.timedelta(days=rng.randint(-20, 20))
        done_on = TODAY + dt.timedelta(days=rng.randint(-30, 0)) if state == "done" else None
        Directive.objects.filter(pk=d.pk).update(state=state, done_on=done_on,
                                                 judged_due_date=judged)


def expected(agency_id, today):
    got = Counter()
    for d in Directive.objects.filter(buckets.countable_q(), agency_id=agency_id):
        got[(d.lead_unit_id, buckets.directive_bucket(d, today))] += 1
    return got


def ids_behind(client, url: str) -> set[int]:
    """Every row of the list behind a count, following its pages."""
    ids: set[int] = set()
    while url:
        r = client.get(url)
        assert r.status_code == 200, url
        html = r.content.decode()
        ids |= {int(x) for x in re.findall(r'<tr data-id="(\d+)"', html)}
        m = re.search(r'<a href="([^"]+)" id="list-next"', html)
        url = unescape(m.group(1)) if m else None
    return ids


@pytest.fixture
def many(drc, make_directive):
    leads = [drc["justice"], drc["finance"], drc["commune"], drc["justice_div"]]
    out = [make_directive(lead=leads[i % 4], support=[drc["finance"]] if i % 3 == 0 and i % 4 != 1 else [])
           for i in range(14)]
    # Not counted: a sub-directive and a deputy's directive still are (same agency).
    out.append(make_directive(actor=drc["deputy"], lead=drc["finance"]))
    make_directive(actor=drc["justice_head"], parent=out[0], lead=drc["justice_div"],
                   due=out[0].due_date)
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_counts_equal_the_bucket_of_each_directive(drc, many, seed):
    randomise(many, random.Random(seed))
    agency = drc["province"]
    dash = sel.leader_dashboard(actor=drc["leader"], agency=agency, today=TODAY)
    want = expected(agency.pk, TODAY)
    got = Counter({(r.unit_id, b): n for r in dash.rows for b, n in r.counts.items() if n})
    assert got == want
    assert sum(dash.totals.values()) == sum(want.values())
    assert Directive.objects.filter(parent__isnull=False).exists()  # the split was not counted
    # The overdue list: exactly the overdue ones, most overdue first.
    late = sorted((d for d in Directive.objects.filter(buckets.countable_q(), agency=agency)
                   if buckets.directive_bucket(d, TODAY) == "open_late"),
                  key=lambda d: (d.judged_due_date, d.pk))
    assert [d.pk for d in dash.overdue] == [d.pk for d in late][:20]
    # The trigger-kept counts equal the live GROUP BY, also after a directive is deleted and
    # another one moves to a different lead unit.
    base = Directive.objects.filter(buckets.countable_q(), agency=agency)
    assert sel.counts_by_lead_unit(agency, TODAY) == sel.grouped_counts(base, "lead_unit_id",
                                                                        TODAY)
    many[-1].delete()
    Directive.objects.filter(pk=many[1].pk).update(lead_unit=drc["commune"])
    want = expected(agency.pk, TODAY)
    dash = sel.leader_dashboard(actor=drc["leader"], agency=agency, today=TODAY)
    assert Counter({(r.unit_id, b): n for r in dash.rows for b, n in r.counts.items() if n}) == want


@pytest.mark.parametrize("seed", [4, 5])
def test_every_count_links_to_exactly_its_directives(drc, many, seed):
    randomise(many, random.Random(seed))
    c = client_for(drc["leader"])
    html = c.get("/directives/dashboard/").content.decode()
    links = re.findall(r'<td class="num"[^>]*><a href="([^"]+)">(\d+)</a></td>', html)
    assert len(links) >= 5 * 5  # per unit four buckets + total, and the totals row
    for url, n in links:
        url = unescape(url)
        assert ids_behind(c, url).__len__() == int(n), url
    # And the rows are the right ones: one cell checked against the Python rule.
    for url, _n in links:
        url = unescape(url)
        q = dict(re.findall(r"(\w+)=([\w-]+)", url.split("?", 1)[1]))
        want = {d.pk for d in Directive.objects.filter(buckets.countable_q(),
                                                       agency_id=int(q["agency"]))
                if ("unit" not in q or d.lead_unit_id == int(q["unit"]))
                and ("bucket" not in q or buckets.directive_bucket(d, TODAY) == q["bucket"])}
        assert ids_behind(c, url) == want, url


def test_unit_dashboard_counts_lead_and_support(drc, many):
    randomise(many, random.Random(7))
    finance = drc["finance"]
    dash = sel.unit_dashboard(actor=drc["finance_head"], unit=finance, today=TODAY)
    countable = [d for d in Directive.objects.filter(buckets.countable_q())]
    lead = Counter(buckets.directive_bucket(d, TODAY) for d in countable
                   if d.lead_unit_id == finance.pk)
    support = Counter(buckets.directive_bucket(d, TODAY) for d in countable
                      if d.assignees.filter(role="support", unit=finance).exists())
    assert {b: n for b, n in dash.by_role["lead"].items() if n} == dict(lead)
    assert {b: n for b, n in dash.by_role["support"].items() if n} == dict(support)
    assert sum(support.values()) > 0
    c = client_for(drc["finance_head"])
    html = c.get(f"/directives/dashboard/unit/?unit={finance.pk}").content.decode()
    for url, n in re.findall(r'<td class="num"[^>]*><a href="([^"]+)">(\d+)</a></td>', html):
        assert len(ids_behind(c, unescape(url))) == int(n)


def test_permissions(drc, many):
    finance, justice = drc["finance"], drc["justice"]
    # A unit head sees their unit, not another's, and not the province's dashboard.
    assert client_for(drc["justice_head"]).get(
        f"/directives/dashboard/unit/?unit={justice.pk}").status_code == 200
    assert client_for(drc["justice_head"]).get(
        f"/directives/dashboard/unit/?unit={finance.pk}").status_code == 403
    assert client_for(drc["justice_head"]).get(
        f"/directives/dashboard/?agency={drc['province'].pk}").status_code == 403
    assert client_for(drc["justice_head"]).get(
        f"/directives/dashboard/list/?role=lead&unit={finance.pk}").status_code == 403
    assert client_for(drc["justice_head"]).get(
        f"/directives/dashboard/list/?role=given&agency={drc['province'].pk}").status_code == 403
    # The leader follows every unit of the province's subtree; an outsider nothing.
    assert client_for(drc["leader"]).get(
        f"/directives/dashboard/unit/?unit={finance.pk}").status_code == 200
    for url in ("/directives/dashboard/", "/directives/dashboard/unit/"):
        assert client_for(drc["nobody"]).get(url).status_code == 403
    # Bad parameters: a message, never a 500.
    c = client_for(drc["leader"])
    assert c.get("/directives/dashboard/?agency=x").status_code == 422
    assert c.get("/directives/dashboard/list/?role=given&bucket=late").status_code == 422
    assert c.get("/directives/dashboard/list/?role=boss").status_code == 422
    assert c.get("/directives/dashboard/?after=!!").status_code == 422


def test_constant_number_of_queries(drc, make_directive):
    c = client_for(drc["leader"])
    make_directive(lead=drc["justice"])
    c.get("/directives/dashboard/")
    with CaptureQueriesContext(connection) as few:
        assert c.get("/directives/dashboard/").status_code == 200
    for lead in (drc["finance"], drc["commune"], drc["justice_div"], drc["finance_div"]) * 3:
        d = make_directive(lead=lead, support=[drc["office"]])
        Directive.objects.filter(pk=d.pk).update(judged_due_date=TODAY - dt.timedelta(days=3))
    with CaptureQueriesContext(connection) as many_q:
        r = c.get("/directives/dashboard/")
    assert r.status_code == 200
    assert len(many_q) == len(few), [q["sql"][:80] for q in many_q.captured_queries]
    assert b"Ph\xc3\xb2ng Ng\xc3\xa2n s\xc3\xa1ch" in r.content  # every unit shown
