"""The local signing agent (`egov sign-agent`, egov.signing.agent) against SoftHSM2: info,
the certificates with a private key, CORS for allowed and other origins, pre-flights, clear JSON
errors, and signing end to end against the live server (download, sign, upload, SIGNED)."""

from __future__ import annotations

import hashlib
import json
import urllib.error
import urllib.request

import pytest

from egov.signing.agent import SignAgent

ORIGIN = "https://egov.example.vn"


@pytest.fixture
def agent(softhsm_token):
    a = SignAgent(module=softhsm_token.module, token_label=softhsm_token.label,
                  pin=softhsm_token.pin, allow_origins=[ORIGIN], port=0).start()
    yield a
    a.stop()


def _call(url: str, *, method: str = "GET", body: bytes | None = None,
          headers: dict | None = None) -> tuple[int, dict, dict]:
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            raw, status, hdrs = resp.read(), resp.status, dict(resp.headers)
    except urllib.error.HTTPError as exc:
        raw, status, hdrs = exc.read(), exc.code, dict(exc.headers)
    return status, (json.loads(raw) if raw else {}), hdrs


def _sign(agent, request: dict, origin: str = ORIGIN):
    return _call(agent.url + "/v1/sign", method="POST", body=json.dumps(request).encode(),
                 headers={"Content-Type": "application/json", "Origin": origin})


def test_binds_to_loopback_and_reports_info(agent, softhsm_token):
    assert agent.url.startswith("http://127.0.0.1:")
    assert agent.httpd.server_address[0] == "127.0.0.1"
    status, body, headers = _call(agent.url + "/v1/info", headers={"Origin": ORIGIN})
    assert status == 200
    assert body == {"agent": "egov-sign-agent", "protocol": 1, "module": softhsm_token.module,
                    "token": softhsm_token.label}
    assert headers["Access-Control-Allow-Origin"] == ORIGIN


def test_lists_the_certificates_with_a_private_key(agent, softhsm_token):
    status, body, _h = _call(agent.url + "/v1/certificates", headers={"Origin": ORIGIN})
    assert status == 200
    certs = {c["sha256"]: c for c in body["certificates"]}
    rsa = hashlib.sha256(softhsm_token.rsa.der).hexdigest()
    ec = hashlib.sha256(softhsm_token.ec.der).hexdigest()
    assert set(certs) == {rsa, ec}  # the root CA on the token has no key: not listed
    assert certs[rsa]["label"] == "leader-rsa" and certs[rsa]["id"] == "01"
    assert "Trần Văn Lãnh" in certs[rsa]["subject"] and "eGov Test Root CA" in certs[rsa]["issuer"]
    import base64

    assert base64.b64decode(certs[ec]["der"]) == softhsm_token.ec.der
    assert certs[ec]["not_before"] < certs[ec]["not_after"]
    assert int(certs[rsa]["serial"], 16) == softhsm_token.rsa.certificate.serial_number


def test_cors_allowed_origin_preflight(agent):
    status, _b, headers = _call(agent.url + "/v1/sign", method="OPTIONS", headers={
        "Origin": ORIGIN, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
        "Access-Control-Request-Private-Network": "true"})
    assert status == 204
    assert headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "POST" in headers["Access-Control-Allow-Methods"]
    assert "GET" in headers["Access-Control-Allow-Methods"]
    assert headers["Access-Control-Allow-Headers"] == "Content-Type"
    assert headers["Access-Control-Allow-Private-Network"] == "true"


def test_cors_other_origins_are_refused(agent):
    evil = "https://evil.example.com"
    for method in ("GET", "OPTIONS"):
        status, body, headers = _call(agent.url + "/v1/certificates", method=method,
                                      headers={"Origin": evil})
        assert status == 403 and body["status"] != 0
        assert "Access-Control-Allow-Origin" not in headers
    status, body, _h = _sign(agent, {"download_url": ORIGIN + "/x", "upload_url": ORIGIN + "/y"},
                             origin=evil)
    assert status == 403
    # DNS rebinding: a page of another site resolving its own name to 127.0.0.1
    status, _b, _h = _call(agent.url + "/v1/info", headers={"Host": f"evil.example.com:{agent.port}"})
    assert status == 403


def test_clear_json_errors(agent):
    status, body, _h = _call(agent.url + "/v1/sign", method="POST", body=b"{",
                             headers={"Content-Type": "application/json", "Origin": ORIGIN})
    assert status == 400 and body["status"] == 1 and "JSON" in body["message"]
    status, body, _h = _call(agent.url + "/v1/sign", method="POST", body=b"a=b",
                             headers={"Content-Type": "application/x-www-form-urlencoded",
                                      "Origin": ORIGIN})
    assert status == 415
    status, body, _h = _sign(agent, {"upload_url": ORIGIN + "/u"})
    assert status == 400 and "download_url" in body["message"]
    # the signed file is never sent to a server that is not an allowed origin
    status, body, _h = _sign(agent, {"download_url": "https://other.example/f",
                                     "upload_url": "https://other.example/u"})
    assert status == 403
    status, body, _h = _call(agent.url + "/v2/nothing", headers={"Origin": ORIGIN})
    assert status == 404


def test_download_failure_is_status_20(softhsm_token):
    import socket

    with socket.socket() as s:  # a closed port on loopback
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    dead = f"http://127.0.0.1:{port}"
    a = SignAgent(module=softhsm_token.module, token_label=softhsm_token.label,
                  pin=softhsm_token.pin, allow_origins=[dead], port=0, timeout=5).start()
    try:
        status, body, _h = _sign(a, {"download_url": dead + "/f", "upload_url": dead + "/u"},
                                 origin=dead)
    finally:
        a.stop()
    assert status == 502 and body["status"] == 20


@pytest.mark.django_db(transaction=True)
def test_signs_end_to_end_against_the_live_server(live_server, softhsm_token, test_pki,
                                                  make_user, nssdb, tmp_path):
    from egov.core.files import file_open
    from egov.documents.models import OutgoingState
    from egov.signing import services, user_token
    from egov.signing.models import SessionState, TrustAnchor
    from egov.signing.verify import verify_pdf
    from tests.documents.test_outgoing_support import approved
    from tests.signing.conftest import pdfsig

    o = _docs_people(make_user)
    services.certificate_register_public(actor=o["leader"], owner_user=o["leader"],
                                         certificate_der=softhsm_token.rsa.der)
    TrustAnchor.objects.create(name="Test root", certificate_der=test_pki.root.der,
                               fingerprint_sha256=test_pki.root.fingerprint_sha256)
    import base64
    import io

    from PIL import Image

    from egov.signing.models import AppearanceImage

    png = io.BytesIO()
    Image.new("RGBA", (300, 120), (20, 40, 200, 160)).save(png, "PNG")
    AppearanceImage.objects.create(owner_user=o["leader"], kind="signature",
                                   image_png=png.getvalue(), width_mm=40, height_mm=16)
    doc = approved(o)
    start = user_token.session_create(actor=o["leader"], subject=doc, base_url=live_server.url)
    # the signer's handwritten-signature image travels to the agent
    assert base64.b64decode(start.agent_request["appearance"]["image_png"]) == png.getvalue()

    agent = SignAgent(module=softhsm_token.module, token_label=softhsm_token.label,
                      pin=softhsm_token.pin, allow_origins=[live_server.url], port=0).start()
    try:
        status, body, headers = _sign(agent, start.agent_request, origin=live_server.url)
        assert status == 200, body
        assert body["status"] == 0 and body["upload"]["Status"] is True
        assert body["upload"]["state"] == "signed" and body["upload"]["document"] == doc.pk
        assert headers["Access-Control-Allow-Origin"] == live_server.url
        # the URLs were single-use: the same request again is refused by the server
        status, again, _h = _sign(agent, start.agent_request, origin=live_server.url)
        assert status == 502 and again["status"] == 20
    finally:
        agent.stop()

    doc.refresh_from_db()
    assert doc.state == OutgoingState.SIGNED
    start.session.refresh_from_db()
    assert start.session.state == SessionState.COMPLETED
    with file_open(doc.signed_file) as fh:
        signed = fh.read()
    report = verify_pdf(signed)
    assert report.valid, report.reasons
    (sig,) = report.signatures
    assert sig.field == "leader_signature" and sig.certifying and sig.signer == "Trần Văn Lãnh"
    out = pdfsig(signed, nssdb, tmp_path)
    assert "Signature is Valid" in out and "Certificate is Trusted" in out


def _docs_people(make_user):
    """The docs_org people (tests/documents/conftest.py) for a transactional test."""
    from egov.core.models import OrgUnit, OrgUnitKind

    province = OrgUnit.objects.create(kind=OrgUnitKind.PROVINCE_COMMITTEE,
                                      name="Ủy ban nhân dân tỉnh Thử Nghiệm", abbreviation="UBND",
                                      electronic_id="000.00.00.T99", place_name="Thử Nghiệm")
    office = OrgUnit.objects.create(kind=OrgUnitKind.DIVISION, name="Văn phòng UBND tỉnh",
                                    abbreviation="VP", parent=province, place_name="Thử Nghiệm")
    economy = OrgUnit.objects.create(kind=OrgUnitKind.DIVISION, name="Phòng Kinh tế",
                                     abbreviation="KT", parent=province, place_name="Thử Nghiệm")
    return {
        "province": province, "office": office, "economy": economy,
        "clerk": make_user("vanthu", office, "clerk", title="Văn thư",
                           full_name="Lê Thị Văn Thư"),
        "leader": make_user("chutich", province, "leader", title="Chủ tịch",
                            full_name="Trần Văn Chủ Tịch"),
        "unit_head": make_user("truongphong", economy, "unit_head", title="Trưởng phòng",
                               full_name="Phạm Văn Trưởng"),
        "officer": make_user("chuyenvien", economy, "officer", full_name="Nguyễn Thị Chuyên"),
    }


def test_command_refuses_a_wrong_pin_and_a_missing_pin(softhsm_token, monkeypatch):
    from django.core.management import CommandError, call_command

    monkeypatch.setenv("AGENT_TEST_PIN", "000000")
    with pytest.raises(CommandError, match="cannot open PKCS#11 token"):
        call_command("sign_agent", "--module", softhsm_token.module, "--token-label",
                     softhsm_token.label, "--port", "0", "--pin-env", "AGENT_TEST_PIN")
    monkeypatch.delenv("AGENT_TEST_PIN")
    monkeypatch.setattr("sys.stdin.isatty", lambda: False, raising=False)
    with pytest.raises(CommandError, match="AGENT_TEST_PIN"):
        call_command("sign_agent", "--token-label", softhsm_token.label, "--port", "0",
                     "--pin-env", "AGENT_TEST_PIN")


def test_command_serves_until_interrupted(softhsm_token, monkeypatch):
    from io import StringIO

    from django.core.management import call_command

    monkeypatch.setenv("AGENT_TEST_PIN", softhsm_token.pin)
    seen = {}

    def fake_serve(self):
        seen["certificates"] = len(self.certificates())
        seen["url"] = self.url
        raise KeyboardInterrupt

    monkeypatch.setattr(SignAgent, "serve_forever", fake_serve)
    out = StringIO()
    call_command("sign_agent", "--module", softhsm_token.module, "--token-label",
                 softhsm_token.label, "--port", "0", "--pin-env", "AGENT_TEST_PIN",
                 "--allow-origin", ORIGIN, stdout=out)
    assert seen["certificates"] == 2
    assert f"listening on {seen['url']}" in out.getvalue() and ORIGIN in out.getvalue()
