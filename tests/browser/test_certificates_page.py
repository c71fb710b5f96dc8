"""'My certificates' in a real browser: "Read from my USB token" asks the real local signing agent
(egov.signing.agent.SignAgent on a SoftHSM2 token) for the token's certificates; the person
registers the RSA one and sees it in the list. Without an agent the page says so. Axe at 1280 and
360 px, no horizontal scroll on a phone."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import serious_violations as _serious
from tests.signing.conftest import softhsm_token, test_pki  # noqa: F401  (session fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/egov-shots")


@pytest.fixture
def holder(transactional_db, org, make_user):
    return make_user("chutich", org["province"], "leader", title="Chủ tịch",
                     full_name="Trần Văn Lãnh")


@pytest.fixture
def agent(live_server, softhsm_token):  # noqa: F811
    from egov.signing.agent import SignAgent

    agent = SignAgent(module=softhsm_token.module, token_label=softhsm_token.label,
                      pin=softhsm_token.pin, allow_origins=[live_server.url], port=0)
    agent.start()
    yield agent
    agent.stop()




def test_read_from_token_and_register(page, live_server, login, holder, agent, softhsm_token,  # noqa: F811
                                      settings):
    from egov.signing.models import KeySource, SigningCertificate

    settings.EGOV_SIGN_AGENT_URL = agent.url
    login(page, "chutich")
    page.goto(live_server.url + "/signing/certificates/")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.locator("#token-panel").get_attribute("data-agent-url") == agent.url
    assert page.locator("[data-testid=no-certificates]").is_visible()
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        assert _serious(page) == [], f"certificates page at {width}px"
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.set_viewport_size({"width": 1280, "height": 900})

    page.click("[data-testid=token-read]")
    listed = page.locator("[data-testid=token-certificates] li")
    listed.first.wait_for()
    rsa_sha = softhsm_token.rsa.fingerprint_sha256
    ec_sha = softhsm_token.ec.fingerprint_sha256
    shas = {listed.nth(i).get_attribute("data-sha256") for i in range(listed.count())}
    assert {rsa_sha, ec_sha} <= shas
    rsa_item = page.locator(f"[data-testid=token-certificates] li[data-sha256='{rsa_sha}']")
    assert "Trần Văn Lãnh" in rsa_item.inner_text()
    assert page.locator("#token-status").get_attribute("data-kind") == "info"

    rsa_item.locator("[data-action=token-register]").click()
    page.wait_for_url("**/signing/certificates/?registered=*")
    row = page.locator(f"tr[data-fingerprint='{rsa_sha}']")
    row.wait_for()
    assert row.get_attribute("data-state") == "valid"
    assert "Trần Văn Lãnh" in row.inner_text()
    assert page.locator(".message--success").count() == 1

    cert = SigningCertificate.objects.get(fingerprint_sha256=rsa_sha)
    assert cert.owner_user_id == holder.pk and cert.key_source == KeySource.USER_TOKEN
    assert bytes(cert.certificate_der) == softhsm_token.rsa.der

    # Reading again: the registered one is marked, the other can still be registered.
    page.click("[data-testid=token-read]")
    rsa_item = page.locator(f"[data-testid=token-certificates] li[data-sha256='{rsa_sha}']")
    rsa_item.wait_for()
    assert rsa_item.locator("[data-action=token-register]").count() == 0
    assert rsa_item.locator(".badge--ok").count() == 1
    ec_item = page.locator(f"[data-testid=token-certificates] li[data-sha256='{ec_sha}']")
    assert ec_item.locator("[data-action=token-register]").count() == 1
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        assert _serious(page) == [], f"certificates page with a certificate at {width}px"
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(SHOTS / f"certificates-{width}.png"), full_page=True)


def test_without_agent_the_page_says_so(page, live_server, login, holder, settings):
    import socket

    with socket.socket() as s:  # a loopback port where nothing listens
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.EGOV_SIGN_AGENT_URL = f"http://127.0.0.1:{port}"
    login(page, "chutich")
    page.goto(live_server.url + "/signing/certificates/")
    page.click("[data-testid=token-read]")
    status = page.locator("#token-status[data-kind=error]")
    status.wait_for()
    assert "egov sign-agent" in status.inner_text()
    assert page.locator("[data-testid=token-certificates]").is_hidden()
    from egov.signing.models import SigningCertificate

    assert not SigningCertificate.objects.exists()
