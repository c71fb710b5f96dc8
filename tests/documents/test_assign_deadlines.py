"""Deadlines of the leader's assignment (issue 9 §5 "Deadlines"): the document's header follows
the lead's deadline, each supporting unit gets its own deadline (default: the lead's), and units
already assigned are not offered again (and are refused by the API)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from egov.core import tokens
from egov.documents.services import incoming as svc

pytestmark = pytest.mark.django_db

API = "/api/v1/documents/incoming"


def _day(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def _header_due(html: str) -> str:
    match = re.search(r"(?:Handling due date|Hạn giải quyết)</dt><dd>([^<]*)", html)
    assert match, "the header shows the handling due date"
    return match.group(1).strip()


def test_header_shows_the_deadline_the_leader_set(client, docs_org, register_incoming):
    doc = register_incoming()
    new_due = doc.handling_due_date + dt.timedelta(days=9)
    client.force_login(docs_org["leader"])
    r = client.post(f"/documents/incoming/{doc.pk}/assign/", {
        f"doc{doc.pk}-lead_unit": docs_org["economy"].pk,
        f"doc{doc.pk}-due_date": new_due.isoformat()})
    assert r.status_code == 302
    doc.refresh_from_db()
    assert doc.handling_due_date == new_due
    html = client.get(f"/documents/incoming/{doc.pk}/").content.decode()
    assert _header_due(html) == new_due.strftime("%d/%m/%Y")
    # The lists show the same date.
    html = client.get("/documents/incoming/").content.decode()
    assert new_due.strftime("%d/%m/%Y") in html or doc.subject in html


def test_each_supporting_unit_gets_its_own_deadline(client, docs_org, register_incoming):
    from egov.core.models import OrgUnit, OrgUnitKind

    culture = OrgUnit.objects.create(kind=OrgUnitKind.DIVISION, name="Phòng Văn hóa",
                                     parent=docs_org["province"])
    doc = register_incoming()
    lead_due, own_due = _day(20), _day(12)
    client.force_login(docs_org["leader"])
    html = client.get(f"/documents/incoming/{doc.pk}/").content.decode()
    assert f'name="doc{doc.pk}-support_due_{culture.pk}"' in html
    r = client.post(f"/documents/incoming/{doc.pk}/assign/", {
        f"doc{doc.pk}-lead_unit": docs_org["economy"].pk,
        f"doc{doc.pk}-due_date": lead_due.isoformat(),
        f"doc{doc.pk}-support_units": [culture.pk, docs_org["office"].pk],
        f"doc{doc.pk}-support_due_{culture.pk}": own_due.isoformat()})
    assert r.status_code == 302
    dues = dict(doc.assignments.values_list("assignee_unit_id", "due_date"))
    assert dues == {docs_org["economy"].pk: lead_due, culture.pk: own_due,
                    docs_org["office"].pk: lead_due}
    html = client.get(f"/documents/incoming/{doc.pk}/").content.decode()
    assert own_due.strftime("%d/%m/%Y") in html and lead_due.strftime("%d/%m/%Y") in html


def test_a_wrong_supporting_deadline_is_shown_by_its_field(client, docs_org, register_incoming):
    doc = register_incoming()
    office = docs_org["office"].pk
    client.force_login(docs_org["leader"])
    r = client.post(f"/documents/incoming/{doc.pk}/assign/", {
        f"doc{doc.pk}-lead_unit": docs_org["economy"].pk,
        f"doc{doc.pk}-support_units": [office],
        f"doc{doc.pk}-support_due_{office}": "2000-01-01"})
    assert r.status_code == 422
    assert f'id="id_doc{doc.pk}-support_due_{office}_error"' in r.content.decode()
    assert not doc.assignments.exists()


def test_api_supporting_deadline_defaults_to_the_leads(client, docs_org, register_incoming):
    doc = register_incoming()
    _token, raw = tokens.token_create(actor=docs_org["leader"], name="t")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    lead_due = doc.handling_due_date + dt.timedelta(days=15)
    own = doc.handling_due_date + dt.timedelta(days=30)  # later than the lead's: allowed
    r = client.post(f"{API}/{doc.pk}/assign", {"instruction": "", "assignments": [
        {"unit_id": docs_org["economy"].pk, "role": "lead", "due_date": lead_due.isoformat()},
        {"unit_id": docs_org["office"].pk, "role": "support"},
        {"unit_id": docs_org["justice"].pk, "role": "support", "due_date": own.isoformat()},
    ]}, content_type="application/json", **headers)
    assert r.status_code == 200, r.content
    dues = {line["assignee_unit"]["id"]: line["due_date"] for line in r.json()}
    assert dues == {docs_org["economy"].pk: lead_due.isoformat(),
                    docs_org["office"].pk: lead_due.isoformat(),
                    docs_org["justice"].pk: own.isoformat()}
    doc.refresh_from_db()
    assert doc.handling_due_date == lead_due
    # Adding a supporting unit later: without a deadline it gets the open lead's.
    created = svc.incoming_assign(actor=docs_org["leader"], document=doc, instruction="",
                                  assignments=[{"user_id": docs_org["officer"].pk,
                                                "role": "support"}])
    assert created[0].due_date == lead_due


def test_units_already_assigned_are_not_offered_again(client, docs_org, register_incoming):
    doc = register_incoming()
    svc.incoming_assign(actor=docs_org["leader"], document=doc, instruction="",
                        assignments=[{"unit_id": docs_org["economy"].pk, "role": "lead"},
                                     {"unit_id": docs_org["office"].pk, "role": "support"}])
    client.force_login(docs_org["leader"])
    html = client.get(f"/documents/incoming/{doc.pk}/").content.decode()
    form = html[html.index(f'/documents/incoming/{doc.pk}/assign/'):]
    form = form[:form.index("</form>")]
    for unit in ("economy", "office"):
        assert f'value="{docs_org[unit].pk}"' not in form, unit
    assert f'value="{docs_org["justice"].pk}"' in form or "support_units" in form
    # Posting one anyway is refused by the field; nothing changes.
    r = client.post(f"/documents/incoming/{doc.pk}/assign/", {
        f"doc{doc.pk}-support_units": [docs_org["office"].pk]})
    assert r.status_code == 422
    assert f'id="id_doc{doc.pk}-support_units_error"' in r.content.decode()
    assert doc.assignments.count() == 2


def test_api_refuses_a_unit_already_assigned(client, docs_org, register_incoming):
    doc = register_incoming()
    svc.incoming_assign(actor=docs_org["leader"], document=doc, instruction="",
                        assignments=[{"unit_id": docs_org["economy"].pk, "role": "lead"}])
    _token, raw = tokens.token_create(actor=docs_org["leader"], name="t")
    r = client.post(f"{API}/{doc.pk}/assign", {"instruction": "", "assignments": [
        {"unit_id": docs_org["economy"].pk, "role": "support"}]},
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert r.status_code == 422
    body = r.json()
    assert set(body) == {"code", "message", "fields"}
    assert "assignments.0.unit_id" in body["fields"]
    assert doc.assignments.count() == 1
