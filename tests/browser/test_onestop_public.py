"""The public one-stop pages in a real browser, without an account: the look-up form and the QR
page in Vietnamese and English, axe-clean at 1280 and 360 px without horizontal scroll; the
online application end to end (form → e-mail over real SMTP → confirmation link → dossier)."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import page_width
from tests.browser.conftest import serious_violations as _serious
from tests.onestop.portal_fixtures import (  # noqa: F401 (fixtures)
    APPLICANT,
    make_dossier_fixture,
    pdf_bytes,
    png_bytes,
    procedure_fixture,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _fresh(transactional_db, settings):
    from egov.core import throttle
    from egov.onestop.selectors import public
    from egov.portal import views_lookup

    settings.EGOV_ONESTOP_LOOKUP_RATE = "1000/600"
    settings.EGOV_ONESTOP_APPLY_RATE = "1000/3600"
    throttle.reset()
    public.forget()
    views_lookup.forget()


def test_lookup_and_qr_page_vi_en(page, live_server, make_dossier):
    d = make_dossier("processing")
    failures: dict[str, list[str]] = {}
    for lang in ("vi", "en"):
        for width in (1280, 360):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(live_server.url + "/public/lookup/")
            if lang == "en" and page.locator("html").get_attribute("lang") != "en":
                page.click("button[name=language][value=en]")
                page.wait_for_load_state()
            assert page.locator("html").get_attribute("lang") == lang
            failures[f"form-{lang}@{width}"] = _serious(page)
            assert page_width(page) <= width
            page.fill("#id_code", d.code)
            page.fill("#id_check", "0000")
            page.click("[data-testid=lookup-form] button[type=submit]")
            page.wait_for_load_state()
            assert page.locator("[data-testid=not-found]").is_visible()
            failures[f"notfound-{lang}@{width}"] = _serious(page)
            page.fill("#id_code", d.code)
            page.fill("#id_check", "5678")
            page.click("[data-testid=lookup-form] button[type=submit]")
            page.wait_for_load_state()
            state = page.locator("[data-testid=state]").inner_text()
            assert state == ("Đang xử lý" if lang == "vi" else "Being processed")
            assert APPLICANT["full_name"] not in page.content()
            failures[f"timeline-{lang}@{width}"] = _serious(page)
            assert page_width(page) <= width, f"{page_width(page)}px at {width}px"

            page.goto(f"{live_server.url}/public/d/{d.public_token}/")
            assert d.code in page.locator("[data-testid=timeline]").inner_text()
            assert page.locator("[data-testid=steps] li").count() == 3
            failures[f"qr-{lang}@{width}"] = _serious(page)
            assert page_width(page) <= width
    bad = {k: v for k, v in failures.items() if v}
    assert not bad, f"axe serious/critical violations: {bad}"


def test_rating_on_the_qr_page(page, live_server, make_dossier):
    d = make_dossier("returned")
    page.set_viewport_size({"width": 360, "height": 900})
    page.goto(f"{live_server.url}/public/d/{d.public_token}/")
    assert not _serious(page)
    assert page_width(page) <= 360
    page.check("input[name=satisfied][value=yes]")
    page.select_option("#id_score", "5")
    page.click("[data-testid=rate] button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("[data-testid=rated]").is_visible()


def test_online_application_end_to_end(page, live_server, procedure, smtp_server):
    from egov.onestop.models import Dossier

    failures: dict[str, list[str]] = {}
    page.set_viewport_size({"width": 360, "height": 900})
    page.goto(live_server.url + "/public/apply/9.001193/")
    failures["form@360"] = _serious(page)
    assert page_width(page) <= 360
    page.set_viewport_size({"width": 1280, "height": 900})
    failures["form@1280"] = _serious(page)
    page.fill("#id_full_name", APPLICANT["full_name"])
    page.fill("#id_personal_id", APPLICANT["personal_id"])
    page.fill("#id_phone", "12")  # wrong: the files must survive the error
    page.fill("#id_email", APPLICANT["email"])
    page.fill("#id_address", APPLICANT["address"])
    page.select_option("#id_agency", str(procedure["agency"].pk))
    page.set_input_files("#id_component_0", files=[
        {"name": "to-khai.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}])
    page.set_input_files("#id_component_1", files=[
        {"name": "chung-sinh.png", "mimeType": "image/png", "buffer": png_bytes()}])
    page.click("[data-testid=apply-form] button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#id_phone_error").is_visible()
    assert "to-khai.pdf" in page.content() and "chung-sinh.png" in page.content()
    failures["errors@1280"] = _serious(page)
    page.fill("#id_phone", APPLICANT["phone"])
    page.click("[data-testid=apply-form] button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("[data-testid=apply-sent]").is_visible()
    assert len(smtp_server.messages) == 1
    body = smtp_server.messages[0].get_payload(decode=True).decode()
    link = re.search(r"https?://\S+(/public/confirm/\S+/)", body).group(1)
    page.goto(live_server.url + link)
    code = page.locator("[data-testid=dossier-code]").inner_text()
    dossier = Dossier.objects.get()
    assert code == dossier.code and dossier.state == "submitted"
    assert {c.code for c in dossier.components.filter(provided=True)} == {"TK", "GCS"}
    failures["confirmed@1280"] = _serious(page)
    bad = {k: v for k, v in failures.items() if v}
    assert not bad, f"axe serious/critical violations: {bad}"
