"""Civil-status statistics (issue 13): the figures per commune × kind, by sex, on time or late
and the births' completeness, checked against events registered through the services with
past dates; commune isolation; a constant number of queries; the XLSX; the page in vi and en;
the API and its 4xx."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import json

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from egov.civil.models import EventKind
from egov.civil.rules_dates import registering_as_of
from egov.civil.selectors import stats as sel
from egov.civil.services import records
from egov.core import tokens
from egov.core.errors import InvalidInput, PermissionDenied
from egov.core.models import User

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year - 1
REG = dt.date(YEAR, 6, 15)  # the registration day of most events
_names = itertools.count(1)


def _name(prefix: str) -> str:
    return f"{prefix} Văn Số {next(_names)}"


def birth(user, sex, born_days_before, registered_on=REG):
    with registering_as_of(registered_on):  # history as of that day (rules_dates)
        return records.register_birth(actor=user, child={
            "full_name": _name("Nguyễn"), "sex": sex,
            "birth_date": (registered_on - dt.timedelta(days=born_days_before)).isoformat()},
            registered_on=registered_on)


def death(user, sex, died_days_before, registered_on=REG):
    with registering_as_of(registered_on):
        return records.register_death(actor=user, person={
            "full_name": _name("Trần"), "sex": sex, "birth_date": dt.date(1950, 1, 1).isoformat()},
            death_date=registered_on - dt.timedelta(days=died_days_before),
            registered_on=registered_on)


def marriage(user, registered_on=REG):
    with registering_as_of(registered_on):
        return records.register_marriage(actor=user, husband={
            "full_name": _name("Lê"), "sex": "male", "birth_date": "1990-01-01"}, wife={
            "full_name": _name("Vũ"), "sex": "female", "birth_date": "1992-01-01"},
            registered_on=registered_on)


@pytest.fixture
def events(civ):
    r = civ["registrar"]
    birth(r, "male", 10)      # on time: within the legal time (≤ 60 days)
    birth(r, "female", 60)    # the 60th day is still on time (Điều 15.1)
    birth(r, "female", 100)   # late, within one year
    birth(r, "female", 400)   # late, after more than one year
    death(r, "male", 3)       # on time (≤ 15 days)
    death(r, "female", 30)    # late
    marriage(r)               # one man and one woman
    birth(r, "male", 5, registered_on=dt.date(YEAR - 1, 12, 30))  # outside the year
    birth(civ["other_registrar"], "male", 1)  # the other commune
    return civ


def fresh(user):
    return User.objects.get(pk=user.pk)  # no cached grants: every query is counted


def year_report(user, **extra):
    return sel.civil_stats(actor=fresh(user), flt=sel.parse_filter({"year": YEAR, **extra}))


def test_the_figures_of_a_commune(events):
    report = year_report(events["registrar"])
    assert [r.commune_id for r in report.rows] == [events["commune"].pk]
    row = report.rows[0]
    assert row.by_kind[EventKind.BIRTH].as_dict() == {
        "events": 4, "male": 1, "female": 3, "on_time": 2, "late": 2,
        "within_legal_time": 2, "within_one_year": 1, "later": 1}
    assert row.by_kind[EventKind.DEATH].as_dict() == {
        "events": 2, "male": 1, "female": 1, "on_time": 1, "late": 1,
        "within_legal_time": None, "within_one_year": None, "later": None}
    assert row.by_kind[EventKind.MARRIAGE].as_dict() == {
        "events": 1, "male": 1, "female": 1, "on_time": 1, "late": 0,
        "within_legal_time": None, "within_one_year": None, "later": None}
    assert report.total.as_dict() == {
        "events": 7, "male": 3, "female": 5, "on_time": 4, "late": 3,
        "within_legal_time": 2, "within_one_year": 1, "later": 1}
    june = next(m for m in report.months if m["month"] == dt.date(YEAR, 6, 1))
    assert june["events"] == 7 and june["by_kind"] == {"birth": 4, "death": 2, "marriage": 1}
    assert len(report.months) == 12 and sum(m["events"] for m in report.months) == 7


def test_the_sexes_are_the_records_at_registration(events):
    """The events carry their subjects' sexes: a record's sex changed afterwards does not move
    a past period's figures; the migration that added the columns fills them from the parties
    (0011_event_subject_sexes)."""
    from importlib import import_module

    from egov.civil.models import CivilEvent, EventParty, Person

    before = year_report(events["registrar"]).total.as_dict()
    children = EventParty.objects.filter(event__commune=events["commune"], role="child")
    Person.objects.filter(pk__in=children.values("person_id")).update(sex="male")
    assert year_report(events["registrar"]).total.as_dict() == before

    Person.objects.filter(pk__in=children.values("person_id")).update(sex="female")
    CivilEvent.objects.update(subjects_male=0, subjects_female=0)
    assert year_report(events["registrar"]).total["male"] == 0

    class Editor:
        def execute(self, sql):
            with connection.cursor() as cursor:
                cursor.execute(sql)

    import_module("egov.civil.migrations.0011_event_subject_sexes").forwards(None, Editor())
    after = year_report(events["registrar"]).total.as_dict()
    # Every child is now female: the one boy's birth counts as a girl's; the rest as before.
    assert after == {**before, "male": before["male"] - 1, "female": before["female"] + 1}


def test_every_kind_of_the_catalogue_is_a_row(events):
    report = year_report(events["registrar"])
    assert [k for k, _label in report.kinds] == list(EventKind.values)
    assert list(report.rows[0].by_kind) == list(EventKind.values)


def test_filters_by_kind_period_and_commune(events):
    only_births = year_report(events["registrar"], kind="birth")
    assert [k for k, _label in only_births.kinds] == ["birth"]
    assert only_births.total["events"] == 4 and only_births.total["later"] == 1
    deaths = year_report(events["registrar"], kind="death")
    assert deaths.total["events"] == 2 and deaths.total["within_legal_time"] is None
    december = sel.civil_stats(actor=fresh(events["registrar"]), flt=sel.parse_filter(
        {"date_from": dt.date(YEAR - 1, 12, 1), "date_to": dt.date(YEAR - 1, 12, 31)}))
    assert december.total["events"] == 1 and december.total["within_legal_time"] == 1
    q2 = year_report(events["registrar"], quarter=2)
    assert (q2.filter.start, q2.filter.end) == (dt.date(YEAR, 4, 1), dt.date(YEAR, 6, 30))
    assert q2.total["events"] == 7
    assert year_report(events["registrar"], month=5).total["events"] == 0


def test_commune_isolation(events):
    other = year_report(events["other_registrar"])
    assert [r.commune_id for r in other.rows] == [events["other"].pk]
    assert other.total["events"] == 1
    with pytest.raises(PermissionDenied):
        year_report(events["registrar"], commune_id=events["other"].pk)
    everything = year_report(events["supervisor"])
    assert {r.commune_id for r in everything.rows} == {events["commune"].pk, events["other"].pk}
    assert everything.total["events"] == 8
    one = year_report(events["supervisor"], commune_id=events["other"].pk)
    assert [r.commune_id for r in one.rows] == [events["other"].pk]
    assert one.total["events"] == 1
    with pytest.raises(PermissionDenied):
        year_report(_nobody(events))


def _nobody(civ):
    from egov.core.models import Position

    user = User.objects.create_user(username="khongquyen", password="x-Passw0rd!",
                                    full_name="Không Quyền")
    Position.objects.create(user=user, org_unit=civ["office"], title="Chuyên viên")
    return user


def test_a_constant_number_of_queries(civ):
    r = civ["registrar"]
    for days in (1, 100, 400):
        birth(r, "female", days)
    with CaptureQueriesContext(connection) as few:
        small = year_report(civ["supervisor"])
    kinds = itertools.cycle(["birth", "death", "marriage"])
    for i in range(27):
        user = r if i % 2 else civ["other_registrar"]
        day = dt.date(YEAR, 1 + i % 12, 10)
        kind = next(kinds)
        if kind == "birth":
            birth(user, "male", i * 20, registered_on=day)
        elif kind == "death":
            death(user, "female", i, registered_on=day)
        else:
            marriage(user, registered_on=day)
    with CaptureQueriesContext(connection) as many:
        big = year_report(civ["supervisor"])
    assert small.total["events"] == 3 and big.total["events"] == 30
    assert len(many) == len(few) <= 8, [q["sql"] for q in many.captured_queries]


@pytest.mark.parametrize("params, fields", [
    ({"date_from": "2026-13-01"}, {"date_from"}),
    ({"date_from": "2026-03-01", "date_to": "2026-02-01"}, {"date_to"}),
    ({"date_from": "2000-01-01", "date_to": "2026-01-01"}, {"date_to"}),
    ({"quarter": "2"}, {"year"}),
    ({"year": "2025", "quarter": "1", "month": "2"}, {"month"}),
    ({"year": "2025", "date_from": "2025-01-01"}, {"year"}),
    ({"year": "99999"}, {"year"}),
    ({"kind": "baptism"}, {"kind"}),
])
def test_bad_filters(params, fields):
    with pytest.raises(InvalidInput) as err:
        sel.parse_filter(params)
    assert set(err.value.fields) == fields


def test_the_ends_of_the_calendar(civ):
    last = sel.civil_stats(actor=fresh(civ["supervisor"]),
                           flt=sel.parse_filter({"date_from": "9999-12-31"}))
    assert last.total["events"] == 0 and len(last.months) == 1
    first = sel.parse_filter({"date_to": "0001-01-05"})
    assert (first.start, first.end) == (dt.date(1, 1, 1), dt.date(1, 1, 5))
    assert sel.civil_stats(actor=fresh(civ["supervisor"]), flt=first).total["events"] == 0


def test_xlsx_has_the_figures(client, events):
    from openpyxl import load_workbook

    client.force_login(events["registrar"])
    r = client.get("/civil/statistics/", {"year": YEAR, "format": "xlsx"})
    assert r.status_code == 200 and r["Content-Type"].startswith(
        "application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb["Thống kê hộ tịch"]
    assert ws["A1"].value == "THỐNG KÊ ĐĂNG KÝ HỘ TỊCH"
    head = [c.value for c in ws[4]]
    assert head[:3] == ["STT", "Xã, phường", "Loại việc hộ tịch"]
    col = {h: i for i, h in enumerate(head)}
    births = [c.value for c in ws[5]]
    assert births[1] == events["commune"].name and births[2] == "Khai sinh"
    assert births[col["Tổng số sự kiện đăng ký"]] == 4
    assert births[col["Nữ"]] == 3 and births[col["Đăng ký quá hạn"]] == 2
    assert births[col["Khai sinh trong thời hạn (≤ 60 ngày)"]] == 2
    assert births[col["Khai sinh quá hạn trong 1 năm"]] == 1
    assert births[col["Khai sinh sau 1 năm"]] == 1
    deaths = [c.value for c in ws[6]]
    assert deaths[2] == "Khai tử" and deaths[col["Khai sinh sau 1 năm"]] is None
    last = [c.value for c in ws[ws.max_row]]
    assert last[1] == "Tổng cộng" and last[col["Tổng số sự kiện đăng ký"]] == 7
    months = wb["Theo tháng"]
    june = [c.value for c in months[7]]
    # the month, then one column per kind of event (birth, death, marriage, the others), total
    assert june[:4] == [f"06/{YEAR}", 4, 2, 1] and june[-1] == 7
    assert set(june[4:-1]) <= {0}


@pytest.mark.parametrize("lang, words", [
    ("vi", ["Thống kê hộ tịch", "Số sự kiện đã đăng ký", "Khai sinh"]),
    ("en", ["Civil-status statistics", "Events registered", "Birth (khai sinh)"]),
])
def test_the_page_in_both_languages(client, events, lang, words):
    client.force_login(events["registrar"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    r = client.get("/civil/statistics/", {"year": YEAR})
    assert r.status_code == 200
    html = r.content.decode()
    for word in words:
        assert word in html
    assert 'id="civil-stats-chart"' in html and 'role="img"' in html
    assert f"<th scope=\"row\" class=\"title-cell\">06/{YEAR}</th>" in html
    assert events["other"].name not in html  # not a readable commune
    assert "style=" not in html.split("<main", 1)[-1]


def test_the_page_lists_the_kinds_registered(client, events):
    """The table shows a commune's kinds with events (birth, death, marriage here), not the
    catalogue's other kinds as rows of zeros; the month table's columns likewise. The XLSX
    keeps every kind (test_the_xlsx_export)."""
    client.force_login(events["registrar"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    html = client.get("/civil/statistics/", {"year": YEAR}).content.decode()
    table = html.split('id="civil-stats-table"', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert body.count("<tr>") == 3
    for kind in (EventKind.BIRTH, EventKind.DEATH, EventKind.MARRIAGE):
        assert str(kind.label) in body
    assert str(EventKind.GUARDIANSHIP.label) not in table
    months = html.split('id="civil-stats-months"', 1)[1].split("</thead>", 1)[0]
    assert months.count('<th scope="col">') == 5  # the month, three kinds, the total
    # A period without events: each commune says so in one row.
    html = client.get("/civil/statistics/", {"year": YEAR - 5}).content.decode()
    body = html.split('id="civil-stats-table"', 1)[1].split("<tbody>", 1)[1]
    body = body.split("</tbody>", 1)[0]
    assert body.count("<tr>") == 1 and "Không đăng ký sự kiện nào" in body


def test_the_page_refuses_bad_filters_and_strangers(client, events):
    client.force_login(events["registrar"])
    bad = client.get("/civil/statistics/", {"date_from": "2026-03-01", "date_to": "2026-02-01"})
    assert bad.status_code == 400 and 'id="civil-stats-table"' not in bad.content.decode()
    assert "form-field--invalid" in bad.content.decode()
    assert client.get("/civil/statistics/", {"date_from": "x"}).status_code == 400
    other = client.get("/civil/statistics/", {"commune_id": events["other"].pk})
    assert other.status_code == 400  # not among the choices
    client.force_login(_nobody(events))
    assert client.get("/civil/statistics/").status_code == 403


def auth(user) -> dict:
    _token, raw = tokens.token_create(actor=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_the_api(client, events):
    url = "/api/v1/civil/statistics"
    headers = auth(events["registrar"])
    r = client.get(url, {"date_from": f"{YEAR}-01-01", "date_to": f"{YEAR}-12-31"}, **headers)
    assert r.status_code == 200, r.content
    body = json.loads(r.content)
    assert body["total"]["events"] == 7 and body["total"]["later"] == 1
    birth_row = next(x for x in body["rows"] if x["kind"] == "birth")
    assert birth_row["commune_id"] == events["commune"].pk and birth_row["female"] == 3
    assert next(m for m in body["months"] if m["month"] == f"{YEAR}-06")["events"] == 7
    r = client.get(url, {"date_from": f"{YEAR}-01-01", "date_to": f"{YEAR}-12-31",
                         "kind": "death"}, **headers)
    assert r.json()["total"]["events"] == 2 and [k["code"] for k in r.json()["kinds"]] == [
        "death"]
    reversed_ = client.get(url, {"date_from": f"{YEAR}-03-01", "date_to": f"{YEAR}-02-01"},
                           **headers)
    assert reversed_.status_code == 422 and "date_to" in reversed_.json()["fields"]
    assert client.get(url, {"date_from": "2026-02-31"}, **headers).status_code == 422
    assert client.get(url, {"kind": "baptism"}, **headers).status_code == 422
    assert client.get(url, {"commune_id": 0}, **headers).status_code == 422
    assert client.get(url, {"commune_id": events["other"].pk}, **headers).status_code == 403
    assert client.get(url, {"commune_id": 2**62}, **headers).status_code == 403
    sup = client.get(url, {"date_from": f"{YEAR}-01-01", "date_to": f"{YEAR}-12-31"},
                     **auth(events["supervisor"]))
    assert sup.json()["total"]["events"] == 8
    assert client.get(url, **auth(_nobody(events))).status_code == 403
