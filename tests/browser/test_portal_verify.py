"""The public verification page /verify/ in a real browser, as an anonymous user: upload signed,
tampered and non-PDF files, see the verdict; axe; no horizontal scroll at 360 px."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.signing._verify_fixtures import blank_pdf, make_pki, replace_page_content, sign

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SERIOUS = {"serious", "critical"}


@pytest.fixture(scope="module")
def pki():
    return make_pki()


@pytest.fixture
def anchor(transactional_db, pki):
    from egov.signing.models import TrustAnchor

    return TrustAnchor.objects.create(name="Test Root", certificate_der=pki.root_asn1.dump(),
                                      is_active=True,
                                      fingerprint_sha256=pki.root_asn1.sha256.hex())


def _in_thread(fn, *args, **kwargs):
    """pyHanko signs through asyncio.run(), which refuses to run inside Playwright's event loop:
    make the test PDFs in a worker thread."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn, *args, **kwargs).result()


def _signed(pki, **kwargs) -> bytes:
    return _in_thread(sign, blank_pdf(), pki, **kwargs)


def _tampered(pki) -> bytes:
    return _in_thread(lambda: replace_page_content(sign(blank_pdf(), pki)))


def _serious(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page)
    bad = [v for v in result.response["violations"] if v.get("impact") in SERIOUS]
    for v in bad:
        print(page.url, v["id"], v["impact"], [n["target"] for n in v["nodes"]][:5])
    return [f"{v['id']} ({v['impact']})" for v in bad]


def _upload(page, name: str, data: bytes, mime: str = "application/pdf") -> None:
    page.set_input_files("#id_file", files=[{"name": name, "mimeType": mime, "buffer": data}])
    page.click("form[action='/verify/'] button[type=submit]")
    page.wait_for_load_state()


def _width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_anonymous_upload_shows_the_verdict(page, live_server, anchor, pki):
    failures: dict[str, list[str]] = {}
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(live_server.url + "/verify/")
        assert page.locator("html").get_attribute("lang") == "vi"
        assert page.locator("#id_file").is_visible()
        failures[f"form@{width}"] = _serious(page)
        assert _width(page) <= width

        _upload(page, "quyet-dinh-ky-so.pdf", _signed(pki, timestamp=True))
        verdict = page.locator("[data-verdict]")
        assert verdict.get_attribute("data-verdict") == "valid"
        assert verdict.is_visible()
        assert "Nguyễn Văn An" in page.locator(".signature-report").inner_text()
        failures[f"valid@{width}"] = _serious(page)
        assert _width(page) <= width, f"{_width(page)}px wide at {width}px"

        _upload(page, "bi-sua.pdf", _tampered(pki))
        assert page.locator("[data-verdict]").get_attribute("data-verdict") == "invalid"
        failures[f"invalid@{width}"] = _serious(page)
        assert _width(page) <= width

        _upload(page, "ghi-chu.txt", b"not a pdf", mime="text/plain")
        assert page.locator("#id_file_error").is_visible()
        assert page.locator("[data-verdict]").count() == 0
        failures[f"error@{width}"] = _serious(page)
        assert _width(page) <= width

    bad = {k: v for k, v in failures.items() if v}
    assert not bad, f"axe serious/critical violations: {bad}"


def test_english_verdict(page, live_server, anchor, pki):
    page.goto(live_server.url + "/verify/")
    page.click("button[name=language][value=en]")
    page.wait_for_load_state()
    _upload(page, "signed.pdf", _signed(pki))
    assert page.locator("#verdict-title").inner_text().strip().endswith("Valid")
