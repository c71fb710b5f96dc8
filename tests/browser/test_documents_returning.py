"""Returning an electronic incoming document to its sender in a real browser (NĐ 30/2020
Điều 21.2): the recipient's văn thư opens the document, chooses "Trả lại nơi gửi", is told
by the field when the reason is missing, returns it with a reason; the sender's văn thư sees
"Bị trả lại" with the reason on the outgoing document's page. axe finds no serious or critical
violation on these pages and none is wider than a 360 px screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import serious_violations as _serious
from tests.documents.conftest import docs_org  # noqa: F401  (the documents people, as a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/egov-shots")
REASON = "Gửi nhầm cơ quan, đề nghị gửi Sở Tài chính"


@pytest.fixture
def people(transactional_db, request):
    return request.getfixturevalue("docs_org")


def _check(page, name: str) -> list[str]:
    page.set_viewport_size({"width": 1280, "height": 900})
    bad = _serious(page)
    page.set_viewport_size({"width": 360, "height": 740})
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > 360:
        bad.append(f"{name}: {width}px wide at 360px")
    bad += [f"{name} 360px: {v}" for v in _serious(page)]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"returning-{name}-360.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    return bad


def test_recipient_returns_and_sender_sees_it(page, live_server, people, login):
    from egov.documents.models import IncomingDocument
    from egov.documents.services import outgoing as svc
    from tests.documents.test_outgoing_support import issued

    o = people
    doc = issued(o, recipients=[{"unit_id": o["justice"].pk}])
    svc.outgoing_dispatch(document=doc)  # idempotent: whether or not on_commit already ran
    incoming = IncomingDocument.objects.get(source=doc, agency=o["justice"])
    url = live_server.url
    problems: list[str] = []

    login(page, "vanthustp")
    page.goto(f"{url}/documents/incoming/{incoming.pk}/")
    problems += _check(page, "incoming")
    page.click("#return-to-sender")
    expect(page).to_have_url(f"{url}/documents/incoming/{incoming.pk}/return/")
    problems += _check(page, "form")
    page.click("form[action$='/return/'] button[type=submit]")  # no reason
    expect(page.locator("#id_reason_error")).to_be_visible()
    problems += _check(page, "form-error")
    incoming.refresh_from_db()
    assert incoming.state != "returned"
    page.fill("#id_reason", REASON)
    page.click("form[action$='/return/'] button[type=submit]")
    expect(page).to_have_url(f"{url}/documents/incoming/{incoming.pk}/")
    expect(page.locator("#returned-to-sender")).to_contain_text(REASON)
    problems += _check(page, "returned")

    page.context.clear_cookies()
    login(page, "vanthu")
    page.goto(f"{url}/documents/outgoing/{doc.pk}/")
    recipients = page.locator(".doc-outgoing-recipients")
    expect(recipients).to_contain_text("Bị trả lại")
    expect(recipients).to_contain_text(REASON)
    problems += _check(page, "sender")
    assert not problems, problems
