"""What a walk through the one-stop pages in English and Vietnamese at 360 px and 1280 px found
(issue 10), kept fixed in Chromium:

- the statistics page named every row "0" and counted 0 dossiers (a template read `row.name`
  as a count), and at 360 px its table's cells were numbers without their column;
- the dossier page's flush panels (components, steps) had their heading and the control-sheet
  link glued to the panel's edge;
- phone, e-mail and date inputs were unstyled (a thin browser-default box) on the online
  application and in the statistics filter;
- the dossier history showed the services' fixed notes in Vietnamese on the English page;
- the intake page said "0 working days. Solved the same day." for a same-day procedure;
- the public progress page of a withdrawn (stopped, refused) dossier listed its steps as still
  "to come"."""

from __future__ import annotations

import pytest

from tests.browser.test_onestop_stats import stats_data  # noqa: F401 (fixture)
from tests.onestop.portal_fixtures import (  # noqa: F401 (fixtures)
    make_dossier_fixture,
    procedure_fixture,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (1280, 360)


def _english(page, live_server) -> None:
    page.context.add_cookies([{"name": "egov_language", "value": "en",
                               "url": live_server.url}])


def _box(page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


def _text_box(page, selector: str) -> dict:
    """Where the element's text is drawn (inside its padding)."""
    return page.evaluate("""(sel) => { const range = document.createRange();
        range.selectNodeContents(document.querySelector(sel));
        const r = range.getBoundingClientRect(); return {x: r.x, y: r.y}; }""", selector)


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_stats_rows_are_named_and_counted_and_read_at_360(page, live_server, login, stats_data,  # noqa: F811
                                                          lang):
    if lang == "en":
        _english(page, live_server)
    login(page, "chutichxa")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(live_server.url + "/onestop/stats/?from=2026-02-01&to=2026-02-28")
        assert page.locator("html").get_attribute("lang") == lang
        counted = page.locator(".os-stats-summary dd").first.inner_text()
        assert counted == "3", counted
        row = page.locator("table.os-stats-table tbody th.title-cell")
        assert row.inner_text() == "Ủy ban nhân dân xã An Bình"
        cells = page.locator("table.os-stats-table tbody td")
        labels = [cells.nth(i).get_attribute("data-label") for i in range(cells.count())]
        heads = page.locator("table.os-stats-table thead th")
        assert labels == [heads.nth(i).text_content() for i in range(1, heads.count())]
        assert len(labels) == 13 and all(labels)
        for date in page.locator(".os-stats-filter input[type=date]").all():
            assert date.bounding_box()["height"] >= 40  # like the selects, not a thin box
        if width == 360:
            # a card per row: the name across, every count under its column's label
            card = page.locator("table.os-stats-table tbody tr").bounding_box()
            assert row.bounding_box()["width"] >= card["width"] - 40
            before = page.evaluate("getComputedStyle(document.querySelector("
                                   "'table.os-stats-table tbody td'), '::before').content")
            assert before.strip('"') == labels[0]
            assert page.evaluate("document.documentElement.scrollWidth") <= 360


@pytest.fixture
def world(transactional_db):
    from tests.onestop.desk_support import build_desk_world

    return build_desk_world()


def test_dossier_flush_panels_keep_their_padding(page, live_server, login, world):
    from tests.onestop.desk_support import intake

    dossier = intake(world)
    _english(page, live_server)
    login(page, "motcua")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/onestop/dossiers/{dossier.code}/")
        for heading in ("#components-heading", "#steps-heading"):
            panel = page.locator(f"section:has({heading})").bounding_box()
            box = _text_box(page, heading)
            assert box["x"] - panel["x"] >= 12, (heading, width)
            assert box["y"] - panel["y"] >= 12, (heading, width)
        link = page.get_by_role("link", name="Control sheet (Form 06), PDF")
        panel = page.locator("section:has(#steps-heading)").bounding_box()
        box = link.bounding_box()
        assert box["x"] - panel["x"] >= 12
        assert panel["y"] + panel["height"] - (box["y"] + box["height"]) >= 12
    # the services' fixed notes in the history are stored in Vietnamese: read in English here
    history = page.locator("#dossier-events").inner_text()
    assert "The dossier was received" in history and "Hồ sơ" not in history
    page.context.add_cookies([{"name": "egov_language", "value": "vi", "url": live_server.url}])
    page.reload()
    assert "Hồ sơ đã được tiếp nhận" in page.locator("#dossier-events").inner_text()


def test_apply_phone_and_email_inputs_match_the_other_fields(page, live_server, procedure):  # noqa: F811
    _english(page, live_server)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(live_server.url + "/public/apply/9.001193/")
        assert page.locator("html").get_attribute("lang") == "en"
        name = _box(page, "#id_full_name")
        for field in ("#id_phone", "#id_email"):
            box = _box(page, field)
            assert abs(box["height"] - name["height"]) < 1, (field, width, box, name)
            assert abs(box["width"] - name["width"]) < 1, (field, width, box, name)


def test_intake_states_a_same_day_procedure_without_zero_days(page, live_server, login, world):
    from egov.onestop.models import ProcedureVersion
    from tests.onestop.desk_support import PROC_CODE

    _english(page, live_server)
    login(page, "motcua")
    page.goto(f"{live_server.url}/onestop/desk/new/{PROC_CODE}/")
    assert "Processing time: 5 working days." in page.locator("main").inner_text()
    ProcedureVersion.objects.filter(procedure__code=PROC_CODE).update(processing_days=0,
                                                                      same_day=True)
    for lang, expected in (("en", "Processing time: the same working day."),
                           ("vi", "Thời hạn giải quyết: trong ngày làm việc.")):
        page.context.add_cookies([{"name": "egov_language", "value": lang,
                                   "url": live_server.url}])
        page.goto(f"{live_server.url}/onestop/desk/new/{PROC_CODE}/")
        text = page.locator("main").inner_text()
        assert expected in text and " 0 " not in text, text[:300]


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_public_steps_of_a_withdrawn_dossier_are_not_to_come(page, live_server, make_dossier,  # noqa: F811
                                                            lang):
    from egov.core import throttle
    from egov.onestop.selectors import public

    throttle.reset()
    public.forget()
    if lang == "en":
        _english(page, live_server)
    from egov.onestop.models import Dossier

    going, gone = make_dossier("processing"), make_dossier("withdrawn")
    Dossier.objects.filter(pk__in=[going.pk, gone.pk]).update(current_step=2)
    expected = {"en": (["done", "in progress", "to come"], ["done", "not carried out",
                                                             "not carried out"]),
                "vi": (["đã xong", "đang thực hiện", "chưa đến"], ["đã xong", "không thực hiện",
                                                               "không thực hiện"])}[lang]
    for dossier, statuses in zip((going, gone), expected, strict=True):
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(f"{live_server.url}/public/d/{dossier.public_token}/")
            shown = page.locator("[data-testid=steps] .steps__status").all_inner_texts()
            assert shown == statuses, (dossier.state, width, shown)
            assert page.evaluate("document.documentElement.scrollWidth") <= width
