"""The leader's documents dashboard (issue 9 §5): handling on time and late per unit with a
server-drawn SVG chart and the same numbers in a table, the overdue list, each count linking to
the incoming list filtered to exactly its documents; constant queries; permissions; menu."""

from __future__ import annotations

import datetime as dt
import html as htmllib
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from egov.core.models import OrgUnit, OrgUnitKind
from egov.documents.models import Assignment
from egov.documents.services import incoming as svc

pytestmark = pytest.mark.django_db

URL = "/documents/dashboard/"


@pytest.fixture
def board(docs_org, register_incoming):
    """Phòng Kinh tế leads two documents (one overdue), Văn phòng one (done)."""
    today = timezone.localdate()

    def lead(unit, subject):
        doc = register_incoming(subject=subject)
        (a,) = svc.incoming_assign(actor=docs_org["leader"], document=doc, instruction="",
                                   assignments=[{"unit_id": unit.pk, "role": "lead"}])
        return doc, a

    late, a_late = lead(docs_org["economy"], "Báo cáo quá hạn về đất đai")
    Assignment.objects.filter(pk=a_late.pk).update(due_date=today - dt.timedelta(days=10))
    in_time, _a = lead(docs_org["economy"], "Kế hoạch trong hạn")
    done, a_done = lead(docs_org["office"], "Công văn đã xong")
    Assignment.objects.filter(pk=a_done.pk).update(state="done", finished_at=timezone.now())
    return {"late": late, "in_time": in_time, "done": done}


def _links(html: str) -> list[str]:
    return [htmllib.unescape(h) for h in re.findall(r'href="(/documents/incoming/\?[^"]+)"', html)]


def test_dashboard_chart_table_and_overdue_list(client, docs_org, board):
    client.force_login(docs_org["leader"])
    r = client.get(URL)
    assert r.status_code == 200
    page = r.content.decode()
    # The chart: one SVG bar per unit, labelled with its numbers; no inline style or script.
    assert page.count('class="doc-dash-bar"') == 2
    assert re.search(r'<svg[^>]+role="img"[^>]+aria-label="Phòng Kinh tế: [^"]*1', page)
    assert "style=" not in page.split("<main", 1)[-1] and "<script>" not in page
    assert 'width="' in page and "," not in re.findall(r'<rect[^>]*>', page)[0]
    # The overdue list names the late document with its days late.
    overdue = page[page.index('id="dash-overdue-heading"'):]
    assert "Báo cáo quá hạn về đất đai" in overdue and "Kế hoạch trong hạn" not in overdue
    assert '<span class="badge badge--danger">10</span>' in overdue


def test_each_count_opens_exactly_its_documents(client, docs_org, board):
    client.force_login(docs_org["leader"])
    page = client.get(URL).content.decode()
    links = _links(page)
    economy_late = [u for u in links if "handling=open_late" in u
                    and f"unit={docs_org['economy'].pk}" in u]
    assert economy_late, links
    listing = client.get(economy_late[0])
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "Báo cáo quá hạn về đất đai" in html
    assert "Kế hoạch trong hạn" not in html and "Công văn đã xong" not in html
    done = [u for u in links if "handling=done_on_time" in u and "unit=" in u][0]
    html = client.get(done).content.decode()
    assert "Công văn đã xong" in html and "Báo cáo quá hạn" not in html
    # Bad filter values: the list says so by the field, no server error.
    r = client.get("/documents/incoming/?handling=nonsense&agency=1")
    assert r.status_code == 200


def test_queries_do_not_grow_with_units(client, docs_org, board, register_incoming):
    client.force_login(docs_org["leader"])
    client.get(URL)
    with CaptureQueriesContext(connection) as small:
        client.get(URL)
    for i in range(4):
        unit = OrgUnit.objects.create(kind=OrgUnitKind.DIVISION, name=f"Phòng {i}",
                                      parent=docs_org["province"])
        doc = register_incoming()
        svc.incoming_assign(actor=docs_org["leader"], document=doc, instruction="",
                            assignments=[{"unit_id": unit.pk, "role": "lead"}])
    with CaptureQueriesContext(connection) as large:
        page = client.get(URL).content.decode()
    assert page.count('class="doc-dash-bar"') == 6
    assert len(large) == len(small), [q["sql"][:120] for q in large.captured_queries]
    # No COUNT over a whole table beyond the grouped aggregate.
    counts = [q["sql"] for q in large.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counts == [], counts


def test_permissions_and_menu(client, docs_org, board):
    client.force_login(docs_org["officer"])
    assert client.get(URL).status_code == 403
    assert URL not in client.get("/").content.decode()
    client.force_login(docs_org["justice_leader"])
    assert client.get(f"{URL}?agency={docs_org['province'].pk}").status_code == 403
    client.force_login(docs_org["leader"])
    assert URL in client.get("/").content.decode()


def test_dashboard_in_vietnamese_and_english(client, docs_org, board):
    client.force_login(docs_org["leader"])
    page = client.get(URL).content.decode()
    assert "Bảng theo dõi văn bản" in page and "Số ngày quá hạn" in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get(URL).content.decode()
    assert "Documents dashboard" in page and "Days late" in page
    assert "Bảng theo dõi văn bản" not in page
