"""The petition reports, the registers, the leader's chart and the reception register in
Chromium (issue 11), as the head of the agency and the reception officer, in Vietnamese and
English, at 1280 and 360 px: axe-clean, nothing wider than the screen.

What the walk found, kept fixed here:
- the period form (agency, from, to) was unstyled, and a wrong date replaced the whole page by
  a bare message far from the field;
- at 360 px the report's rows became cards of bare numbers (no column label), and its wide
  tables, heading glued to the panel's edge, could not be scrolled with the keyboard;
- the leader's chart was an image holding links (axe: nested-interactive) and shrank its labels
  to 5 px on a phone;
- the reception register wrote "x" for "within competence" and the refusal ground in Vietnamese
  on the English page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.browser.conftest import serious_violations
from tests.browser.test_petitions_workflow import _as, _fits
from tests.petitions.conftest import make_petition, pet  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db, pet, make_petition):  # noqa: F811
    from egov.petitions.models import Petition

    now = timezone.now()
    late = make_petition(kind="complaint", content="Khiếu nại việc cấp giấy phép xây dựng.")
    Petition.objects.filter(pk=late.pk).update(state="accepted", handling_unit=pet["division"],
                                               handler=pet["handler"], eligible=True,
                                               competent=True, due_at=now - dt.timedelta(days=2))
    fresh = make_petition(kind="proposal", content="Đề nghị sửa đường liên thôn.")
    Petition.objects.filter(pk=fresh.pk).update(due_at=now + dt.timedelta(days=20))
    return {**pet, "late": late, "fresh": fresh}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_report_page_registers_and_period_errors(page, live_server, world, lang):
    _as(page, live_server, "chutich", lang)
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(live_server.url + "/petitions/reports/")
        assert page.locator("html").get_attribute("lang") == lang
        for sel in ("#id_agency", "#id_start", "#id_end"):
            assert page.locator(sel).bounding_box()["height"] >= 38, sel
        cells = page.locator("#report-kind tbody td")
        heads = page.locator("#report-kind thead th")
        labels = [cells.nth(i).get_attribute("data-label") for i in range(heads.count() - 1)]
        assert labels == [heads.nth(i).text_content() for i in range(1, heads.count())]
        totals = page.locator("#report-totals tbody td").all_inner_texts()
        assert totals[:2] == ["2", "2"]  # in the period, received in it
        if width == 360:  # a card per row: the number under its column's label
            before = page.evaluate("getComputedStyle(document.querySelector("
                                   "'#report-kind tbody td'), '::before').content")
            assert before.strip('"') == labels[0]
        else:  # the wide table scrolls inside a focusable region, its heading off the edge
            region = page.locator("section[aria-labelledby=group-kind] [role=region]")
            assert region.get_attribute("tabindex") == "0"
        assert serious_violations(page) == []
        _fits(page, width)
        # a wrong date: the form again, the message by the field, nothing else
        response = page.goto(live_server.url + "/petitions/reports/?start=2026-02-30")
        assert response.status in (400, 422)
        assert page.locator("#id_start_error").is_visible()
        assert page.locator("#id_start").get_attribute("aria-invalid") == "true"
        assert page.locator("#id_start").get_attribute("value") == "2026-02-30"
        if width == 360:  # the same markup at 1280
            assert serious_violations(page) == []
        _fits(page, width)
    if lang == "vi":  # the downloads, once: each link answers with its file
        page.goto(live_server.url + "/petitions/reports/")
        links = page.locator("#report-downloads a")
        assert links.count() == 5
        for i in range(links.count()):
            href = links.nth(i).get_attribute("href")
            got = page.request.get(live_server.url + href)
            assert got.status == 200, href
            magic = b"%PDF-" if ".pdf" in href else b"PK"
            assert got.body().startswith(magic), href


@pytest.mark.parametrize("lang,width", [("vi", 360), ("en", 1280)])
def test_leader_chart_links_to_the_petitions_behind_each_bar(page, live_server, world, lang,
                                                             width):
    page.set_viewport_size({"width": width, "height": 900})
    _as(page, live_server, "chutich", lang)
    page.goto(live_server.url + "/petitions/reports/leader/")
    chart = page.locator("#overdue-chart")
    assert chart.get_attribute("role") == "group"
    rows = page.locator("#overdue-table tbody tr")
    assert rows.count() == 2
    division = rows.filter(has_text=world["division"].name)
    assert division.locator("td").all_inner_texts() == ["1", "1", "0"]  # open, overdue, soon
    assert serious_violations(page) == []
    _fits(page, width)
    if width == 360:  # the labels stay readable: the chart scrolls in its box instead
        size = page.evaluate("""() => { const t = document.querySelector('#overdue-chart text');
            const r = t.getBoundingClientRect(); return r.height; }""")
        assert size >= 14, size  # 13 px text at its drawn size (5 px before)
    # the red bar of the division → its overdue petitions, and the list says it is narrowed
    red = chart.locator("a").filter(has=page.locator("rect[fill='#b42318']"))
    assert red.count() == 1
    with page.expect_navigation():
        red.click()
    ids = page.locator("#petition-list tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.id)")
    assert ids == [str(world["late"].pk)]
    assert world["division"].name in page.locator("#petition-narrowed").inner_text()
    _fits(page, width)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_reception_register_in_the_readers_language(page, live_server, world, lang):
    from egov.petitions.services import reception

    session = reception.session_open(actor=world["reception"], agency=world["commune"],
                                     day=timezone.localdate(), place="Phòng tiếp công dân")
    reception.visit_record(actor=world["reception"], session=session,
                           visitor={"full_name": "Người đến"}, kind="complaint",
                           summary="Khiếu nại việc thu hồi đất.", competent=True,
                           create_petition=False)
    reception.visit_record(actor=world["reception"], session=session,
                           visitor={"full_name": "Người đến lại"},
                           summary="Yêu cầu đã được giải quyết.", refused=True,
                           refusal_ground="settled")
    _as(page, live_server, "tiepdan", lang)
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/petitions/reception/{session.pk}/")
        rows = page.locator("#visit-list tbody tr")
        competent = rows.nth(0).locator("td[data-label]").nth(6).inner_text()
        assert competent == ("Có" if lang == "vi" else "Yes")
        note = rows.nth(1).locator("td").last.inner_text()
        if lang == "en":
            assert "settled lawfully" in note and "Vụ việc" not in note
        else:
            assert "Vụ việc đã giải quyết đúng chính sách" in note
        box = page.locator("#id_oral").bounding_box()
        label = page.locator("label[for=id_oral]").bounding_box()
        assert abs(box["y"] - label["y"]) < 12  # the box beside its label, not above it
        assert serious_violations(page) == []
        _fits(page, width)
