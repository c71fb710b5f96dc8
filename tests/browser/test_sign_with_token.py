"""Signing with the leader's own USB token in a real browser: the page asks the server for a
signing session, hands the request to the local signing agent (egov sign-agent on 127.0.0.1,
SoftHSM2 here), the agent downloads, signs and uploads, and the page shows the signed document.
The signed PDF is checked by egov's verifier and by poppler's pdfsig. When the agent is not
running the page says so."""

from __future__ import annotations

import socket
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.browser.conftest import serious_violations as _serious
from tests.signing.conftest import nssdb, softhsm_token, test_pki  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people(transactional_db, org, make_user, softhsm_token, test_pki):  # noqa: F811
    from egov.core.models import OrgUnit, OrgUnitKind
    from egov.signing import services
    from egov.signing.models import TrustAnchor

    economy = OrgUnit.objects.create(kind=OrgUnitKind.DIVISION, name="Phòng Kinh tế",
                                     abbreviation="KT", parent=org["province"],
                                     place_name="Thử Nghiệm")
    o = {
        **org, "economy": economy,
        "officer": make_user("chuyenvien", economy, "officer", full_name="Nguyễn Thị Chuyên"),
        "unit_head": make_user("truongphong", economy, "unit_head", title="Trưởng phòng",
                               full_name="Phạm Văn Trưởng"),
        "clerk": make_user("vanthu", org["office"], "clerk", title="Văn thư",
                           full_name="Lê Thị Văn Thư"),
        "leader": make_user("chutich", org["province"], "leader", title="Chủ tịch",
                            full_name="Trần Văn Chủ Tịch"),
    }
    services.certificate_register_public(actor=o["leader"], owner_user=o["leader"],
                                         certificate_der=softhsm_token.rsa.der)
    TrustAnchor.objects.create(name="Test root", certificate_der=test_pki.root.der,
                               fingerprint_sha256=test_pki.root.fingerprint_sha256)
    return o




def _in_thread(fn, *args):
    """pyHanko validates through asyncio.run(), which refuses to run inside Playwright's loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn, *args).result()


def test_leader_signs_with_the_usb_token(page, live_server, people, login, settings,
                                         softhsm_token, nssdb, tmp_path):  # noqa: F811
    from django.utils import translation

    from egov.core.files import file_open
    from egov.documents.models import OutgoingState
    from egov.signing.agent import SignAgent
    from egov.signing.models import SessionState, SigningSession
    from egov.signing.verify import verify_pdf
    from tests.documents.test_outgoing_support import approved
    from tests.signing.conftest import pdfsig

    doc = approved(people)
    agent = SignAgent(module=softhsm_token.module, token_label=softhsm_token.label,
                      pin=softhsm_token.pin, allow_origins=[live_server.url], port=0).start()
    settings.EGOV_SIGN_AGENT_URL = agent.url
    try:
        login(page, "chutich")
        page.goto(f"{live_server.url}/documents/outgoing/{doc.pk}/")
        button = page.get_by_test_id("sign-token-button")
        assert button.is_visible()
        assert _serious(page) == []
        button.click()
        # success → the page reloads; the signer's token button is gone on a signed document
        page.wait_for_selector("[data-testid=sign-token-button]", state="detached",
                               timeout=60_000)
        page.wait_for_load_state()
    finally:
        agent.stop()

    doc.refresh_from_db()
    assert doc.state == OutgoingState.SIGNED
    with translation.override("vi"):
        label = str(doc.get_state_display())
    assert page.locator(".doc-outgoing-status .badge").first.inner_text() == label
    session = SigningSession.objects.get(subject_kind="documents.outgoing", subject_id=doc.pk)
    assert session.state == SessionState.COMPLETED and session.result_file_id == doc.signed_file_id

    with file_open(doc.signed_file) as fh:
        signed = fh.read()
    report = _in_thread(verify_pdf, signed)
    assert report.valid, report.reasons
    (sig,) = report.signatures
    assert sig.field == "leader_signature" and sig.certifying and sig.trusted
    out = pdfsig(signed, nssdb, tmp_path)
    assert "Signature is Valid" in out and "Certificate is Trusted" in out


def test_agent_not_running_is_explained(page, live_server, people, login, settings):
    from egov.documents.models import OutgoingState
    from tests.documents.test_outgoing_support import approved

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.EGOV_SIGN_AGENT_URL = f"http://127.0.0.1:{port}"
    doc = approved(people)
    login(page, "chutich")
    page.goto(f"{live_server.url}/documents/outgoing/{doc.pk}/")
    page.get_by_test_id("sign-token-button").click()
    page.wait_for_selector("[data-sign-token][data-state=error]")
    status = page.get_by_test_id("sign-token-status").inner_text()
    expected = page.evaluate("document.getElementById('sign-token-texts').content"
                             ".querySelector('[data-text=unreachable]').textContent.trim()")
    assert expected and status == expected  # "Could not connect to the signing software…"
    assert page.get_by_test_id("sign-token-button").is_enabled()
    doc.refresh_from_db()
    assert doc.state == OutgoingState.APPROVED


def test_button_only_for_the_signer_with_a_token_certificate(page, live_server, people, login):
    from tests.documents.test_outgoing_support import approved

    doc = approved(people)
    login(page, "vanthu")
    page.goto(f"{live_server.url}/documents/outgoing/{doc.pk}/")
    assert page.get_by_test_id("sign-token-button").count() == 0
