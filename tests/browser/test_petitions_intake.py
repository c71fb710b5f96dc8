"""Petition intake in a real browser (issue 11 "Done means"): the public petition form and the
desk intake page, in Vietnamese and English, at 1280 and 360 px without horizontal scroll,
axe-clean (no serious or critical violation), end to end — errors by the field, the
confirmation with code, check, QR and receipt; the look-up; the officer's petition page."""

from __future__ import annotations

import pytest

from tests.browser.conftest import page_width, switch_language
from tests.browser.conftest import serious_violations as _serious

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PERSON = {"full_name": "Trần Thị Bích Ngọc", "personal_id": "001199012345",
          "phone": "0987654321", "email": "ngoc.tran@example.vn",
          "address": "Số 12 đường Lê Lợi, thôn Đông"}


@pytest.fixture(autouse=True)
def _fresh(transactional_db, settings):
    from egov.core import throttle

    settings.EGOV_PETITIONS_LOOKUP_RATE = "1000/600"
    settings.EGOV_PETITIONS_SUBMIT_RATE = "1000/600"
    throttle.reset()


@pytest.fixture
def officer(transactional_db, org, make_user, settings):
    """The commune's petition officer."""
    settings.EGOV_PETITIONS_PORTAL_AGENCY = org["commune"].electronic_id
    return make_user("tiepdan", org["commune"], "petition_officer",
                     title="Công chức tiếp công dân")


def test_portal_form_vi_en(page, live_server, officer):
    from egov.petitions.models import Petition

    failures: dict[str, list[str]] = {}
    sent = 0
    for lang in ("vi", "en"):
        for width in (1280, 360):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(live_server.url + "/public/petitions/new/")
            switch_language(page, lang)
            failures[f"form-{lang}@{width}"] = _serious(page)
            assert page_width(page) <= width, f"{page_width(page)}px at {width}px"
            # errors by the field
            page.fill("#id_personal_id", "123")
            with page.expect_navigation():
                page.click("[data-testid=petition-form] button[type=submit]")
            page.wait_for_load_state()
            for field in ("full_name", "personal_id", "content"):
                assert page.locator(f"#id_{field}_error").is_visible(), field
            failures[f"errors-{lang}@{width}"] = _serious(page)
            assert page_width(page) <= width
            for key, value in PERSON.items():
                page.fill(f"#id_{key}", value)
            page.select_option("#id_kind", "proposal")
            page.fill("#id_content", "Đề nghị sửa chữa đường liên thôn bị hư hỏng.")
            with page.expect_navigation():
                page.click("[data-testid=petition-form] button[type=submit]")
            page.wait_for_load_state()
            sent += 1
            assert page.locator("[data-testid=petition-sent]").is_visible()
            code = page.locator("[data-testid=code]").inner_text()
            check = page.locator("[data-testid=check]").inner_text()
            p = Petition.objects.get(code=code)
            assert p.lookup_check == check and p.state == "draft"
            assert PERSON["full_name"] not in page.content()
            failures[f"sent-{lang}@{width}"] = _serious(page)
            assert page_width(page) <= width
            receipt = page.request.get(live_server.url + page.locator(
                "[data-testid=receipt-link]").get_attribute("href"))
            assert receipt.status == 200 and receipt.body()[:5] == b"%PDF-"
            page.goto(f"{live_server.url}/public/petitions/lookup/?code={code}&check={check}")
            state = page.locator("[data-testid=state]").inner_text()
            assert state == ("Đã gửi, chờ vào sổ" if lang == "vi"
                             else "Sent, waiting to be registered")
            failures[f"lookup-{lang}@{width}"] = _serious(page)
            assert page_width(page) <= width
    assert Petition.objects.count() == sent
    bad = {k: v for k, v in failures.items() if v}
    assert not bad, f"axe serious/critical violations: {bad}"


def test_desk_intake_page_vi_en(page, live_server, login, officer):
    from egov.petitions.models import Petition

    failures: dict[str, list[str]] = {}
    login(page, "tiepdan")
    for lang in ("vi", "en"):
        for width in (1280, 360):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(live_server.url + "/petitions/intake/")
            switch_language(page, lang)
            failures[f"desk-{lang}@{width}"] = _serious(page)
            assert page_width(page) <= width, f"{page_width(page)}px at {width}px"
            page.fill("#id_personal_id", "12")
            with page.expect_navigation():
                page.click("[data-testid=desk-intake-form] button[type=submit]")
            page.wait_for_load_state()
            assert page.locator("#id_personal_id_error").is_visible()
            assert page.locator("#id_content_error").is_visible()
            failures[f"desk-errors-{lang}@{width}"] = _serious(page)
            assert page_width(page) <= width
            for key, value in PERSON.items():
                page.fill(f"#id_{key}", value)
            page.fill("#id_content", "Tôi tố cáo cán bộ địa chính nhận tiền của dân.")
            page.select_option("#id_kind", "denunciation")
            page.check("#id_oral")
            with page.expect_navigation():
                page.click("[data-testid=desk-intake-form] button[type=submit]")
            page.wait_for_load_state()
            assert page.locator("#petition-code").is_visible()
            assert page.locator("[data-testid=receipt-link]").is_visible()
            assert page.locator("#petition-identity").is_visible()  # the receiver reads it
            failures[f"petition-{lang}@{width}"] = _serious(page)
            assert page_width(page) <= width
    assert Petition.objects.filter(state="received").count() == 4
    bad = {k: v for k, v in failures.items() if v}
    assert not bad, f"axe serious/critical violations: {bad}"
