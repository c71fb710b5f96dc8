"""The public look-up (issue 10, "Public side"): the timeline without personal data, by code +
check digits (API and page) or by the QR token; a wrong check answers exactly like an unknown
code; paused → the new expected date; the rate limit; the number of statements."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from egov.onestop import rules
from egov.onestop.models import Dossier, DossierPause
from egov.onestop.selectors import public as public_sel
from egov.onestop.services import records
from tests.onestop.portal_fixtures import PERSONAL, local, make_dossier_fixture, procedure_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh(settings):
    from egov.core import throttle
    from egov.portal import api, views_lookup

    settings.EGOV_ONESTOP_LOOKUP_RATE = "1000/600"
    throttle.reset()
    public_sel.forget()
    views_lookup.forget()
    api._BODIES.clear()
    yield
    public_sel.forget()
    views_lookup.forget()


def _api(client, code, check):
    return client.get(f"/api/v1/portal/dossiers/{code}", {"check": check})


def test_timeline_fields_without_personal_data(client, make_dossier, procedure):
    d = make_dossier("processing")
    r = _api(client, d.code, "5678")  # the phone's last 4 digits
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["code"] == d.code
    assert body["procedure"] == "Thủ tục đăng ký khai sinh"
    assert body["agency"] == procedure["agency"].name
    assert body["status"] == "processing" and body["national_status"] == 4
    assert body["status_label"] == "Đang xử lý"
    assert body["received_at"].startswith("2026-12-01T09:00:00+07:00")
    assert body["due_at"] == rules.due_at(local(2026, 12, 1), 3,
                                          next_day_after_cutoff=False).isoformat()
    assert [e["kind"] for e in body["events"]] == ["received"]
    assert body["events"][0]["unit"] == procedure["agency"].name
    assert [s["status"] for s in body["steps"]] == ["current", "pending", "pending"]
    assert body["steps"][1]["unit"] == procedure["division"].name
    text = r.content.decode()
    for personal in PERSONAL:
        assert personal not in text, personal
    assert "nộp trực tiếp" not in text  # event notes are never shown
    assert d.public_token not in text
    # by the ID number's last 4 digits too
    assert _api(client, d.code, "2345").status_code == 200


def test_wrong_check_is_exactly_unknown(client, make_dossier):
    d = make_dossier("processing")
    wrong = _api(client, d.code, "0000")
    unknown = _api(client, "000.01.00.T99-261201-9999", "5678")
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.content == unknown.content
    assert wrong.json()["code"] == "not_found"
    assert {k: v for k, v in wrong.items() if k not in ("Date",)} == \
        {k: v for k, v in unknown.items() if k not in ("Date",)}
    # the page: the same answer too
    url = reverse("public:lookup")
    page_wrong = client.post(url, {"code": d.code, "check": "0000"})
    page_unknown = client.post(url, {"code": "000.01.00.T99-261201-9999", "check": "0000"})
    assert page_wrong.status_code == page_unknown.status_code == 404
    strip = lambda html: html.replace(d.code, "X").replace("000.01.00.T99-261201-9999", "X")  # noqa: E731
    import re

    csrf = re.compile(r'value="[A-Za-z0-9]{64}"|"X-CSRFToken": "[A-Za-z0-9]{64}"')
    assert csrf.sub("", strip(page_wrong.content.decode())) == \
        csrf.sub("", strip(page_unknown.content.decode()))


def test_malformed_check_is_422_and_changes_nothing(client, make_dossier):
    d = make_dossier("processing")
    for check in ("", "12", "abcd", "12345"):
        r = _api(client, d.code, check)
        assert r.status_code == 422, check
        assert r.json()["fields"]["check"]


def test_applicant_without_phone_cannot_match_an_empty_check(client, make_dossier):
    d = make_dossier("processing", applicant={"full_name": "Trần Văn Bình",
                                              "personal_id": "", "phone": ""})
    assert d.check_phone == "" and d.check_id == ""
    assert _api(client, d.code, "0000").status_code == 404


def test_token_route_and_unknown_token(client, make_dossier):
    d = make_dossier("received")
    r = client.get(reverse("public:dossier_token", kwargs={"token": d.public_token}))
    assert r.status_code == 200
    html = r.content.decode()
    assert d.code in html and "Đã tiếp nhận" in html
    for personal in PERSONAL:
        assert personal not in html, personal
    # the second GET is served from the memo: same content, fresh CSRF token
    r2 = client.get(reverse("public:dossier_token", kwargs={"token": d.public_token}))
    assert r2.status_code == 200 and d.code in r2.content.decode()
    bad = client.get(reverse("public:dossier_token", kwargs={"token": "x" * 24}))
    assert bad.status_code == 404


def test_lookup_page_shows_the_timeline(client, make_dossier):
    d = make_dossier("processing")
    r = client.post(reverse("public:lookup"), {"code": d.code, "check": "5678"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "Thủ tục đăng ký khai sinh" in html and "Đang xử lý" in html
    for personal in PERSONAL:
        assert personal not in html, personal
    assert client.get(reverse("public:lookup")).status_code == 200
    assert client.post(reverse("public:lookup"), {"code": d.code, "check": "12"}
                       ).status_code == 422


def test_paused_shows_the_new_expected_date(client, make_dossier, monkeypatch):
    received = local(2026, 12, 1, 9, 0)
    d = make_dossier("supplement", received_at=received)
    requested = local(2026, 12, 2, 10, 0)
    DossierPause.objects.create(dossier=d, started_at=requested)
    Dossier.objects.filter(pk=d.pk).update(paused_since=requested, supplement_requests=1)
    now = local(2026, 12, 7, 11, 0)  # Monday: 3 working days later (3, 4, 7 December)
    monkeypatch.setattr(timezone, "now", lambda: now)
    body = _api(client, d.code, "5678").json()
    assert body["paused"] is True
    due = rules.due_at(received, 3, next_day_after_cutoff=False)
    expected = rules.due_at(received, 3, next_day_after_cutoff=False,
                            pauses=[(requested, now)])
    assert body["due_at"] == due.isoformat()
    assert body["expected_due_at"] == expected.isoformat()
    assert expected.date() > due.date()
    assert expected == dt.datetime(2026, 12, 9, 9, 0, tzinfo=expected.tzinfo)
    page = client.get(reverse("public:dossier_token", kwargs={"token": d.public_token}))
    html = page.content.decode()
    assert "Ngày hẹn trả được lùi theo thời gian bổ sung hồ sơ." in html
    assert "09/12/2026" in html


def test_apology_date_and_new_events_are_shown(client, make_dossier, procedure):
    d = make_dossier("processing")
    first = _api(client, d.code, "5678").json()
    assert first["rescheduled_at"] is None
    Dossier.objects.filter(pk=d.pk).update(rescheduled_at=local(2026, 12, 10, 16, 0))
    d.refresh_from_db()
    records.event_write(dossier=d, kind="apologised", unit=procedure["agency"])
    again = _api(client, d.code, "5678").json()  # a new row: the memo is not reused
    assert again["rescheduled_at"] == local(2026, 12, 10, 16, 0).isoformat()
    assert [e["kind"] for e in again["events"]] == ["received", "apologised"]


def test_private_events_are_not_shown(client, make_dossier, procedure):
    d = make_dossier("processing")
    records.event_write(dossier=d, kind="note", unit=procedure["division"], public=False)
    body = _api(client, d.code, "5678").json()
    assert [e["kind"] for e in body["events"]] == ["received"]


def test_rate_limit_429_with_retry_after(client, make_dossier, settings):
    settings.EGOV_ONESTOP_LOOKUP_RATE = "3/600"
    d = make_dossier("processing")
    for _ in range(3):
        assert _api(client, d.code, "0000").status_code == 404
    r = _api(client, d.code, "5678")  # even the right check, once over the limit
    assert r.status_code == 429
    assert r.json()["code"] == "rate_limited"
    assert 0 < int(r["Retry-After"]) <= 600
    page = client.get(reverse("public:dossier_token", kwargs={"token": d.public_token}))
    assert page.status_code == 429 and page["Retry-After"]
    lookup = client.post(reverse("public:lookup"), {"code": d.code, "check": "5678"})
    assert lookup.status_code == 429


def test_query_count(client, make_dossier, django_assert_max_num_queries,
                     django_assert_num_queries):
    d = make_dossier("processing")
    _api(client, d.code, "5678")  # fills the memo
    with django_assert_max_num_queries(2):  # the limit + the dossier row
        assert _api(client, d.code, "5678").status_code == 200
    # a wrong check and an unknown code make the same statements
    with django_assert_num_queries(2):
        assert _api(client, d.code, "0000").status_code == 404
    with django_assert_num_queries(2):
        assert _api(client, "nope", "0000").status_code == 404
    public_sel.forget()
    with django_assert_max_num_queries(4):  # memo miss: + events + steps
        assert _api(client, d.code, "5678").status_code == 200
