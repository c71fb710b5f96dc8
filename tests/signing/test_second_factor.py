"""Issue 9 §1: signing asks for confirmation with the preview; the signer can approve and sign in
one step ("Ký duyệt"); with the agency's second factor on, signing with a server-held key needs
a one-time code (TOTP computed here with pyotp; SMS through the gateway plugin's test double) —
missing, wrong or reused codes sign nothing."""

from __future__ import annotations

import json
import re

import pyotp
import pytest
from django.test import Client, override_settings
from django.utils import timezone

from egov.core import tokens
from egov.core.models import AuditEvent
from egov.documents.models import Approval, DocumentEvent, OutgoingState
from egov.signing import second_factor as sf
from egov.signing.models import SecondFactor, SecondFactorPolicy
from tests.documents.conftest import docs_org  # noqa: F401 (fixture)
from tests.documents.test_outgoing_support import approved, make_draft
from tests.signing.test_documents_flow import signing_org  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

BASE = "/api/v1/documents"


@pytest.fixture(autouse=True)
def _fresh_sms_gateway():
    """The SMS gateway is cached per process: leave no test double with messages behind."""
    from egov.core import sms

    sms._gateway = None
    yield
    sms._gateway = None


def _in_signer_step(o):
    from egov.documents.services import outgoing as svc

    doc = make_draft(o)
    svc.outgoing_submit(actor=doc.drafter, document=doc)
    svc.outgoing_review(actor=o["unit_head"], document=doc, step="content", decision="approved")
    svc.outgoing_review(actor=o["clerk"], document=doc, step="format", decision="approved")
    doc.refresh_from_db()
    return doc


def _require(o, method="totp"):
    SecondFactorPolicy.objects.create(unit=o["province"], required=True, method=method)


def _enrol(user) -> pyotp.TOTP:
    secret, uri = sf.enrol_start(user=user)
    assert uri.startswith("otpauth://totp/")
    totp = pyotp.TOTP(secret)
    sf.enrol_confirm(user=user, code=totp.now())
    # the confirming code is used up: let the tests sign with the next step's code
    SecondFactor.objects.filter(user=user).update(last_step=totp.timecode(timezone.now()) - 1)
    return totp


def _api(user) -> Client:
    _token, raw = tokens.token_create(actor=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def _page(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


# ---------------------------------------------------------------- confirmation pages

def test_sign_page_is_a_confirmation_with_the_preview(signing_org):  # noqa: F811
    o = signing_org
    doc = approved(o)
    leader = _page(o["leader"])
    detail = leader.get(f"/documents/outgoing/{doc.pk}/").content.decode()
    # the document page links to the confirmation page: no form that signs at once
    assert f'action="/documents/outgoing/{doc.pk}/sign/"' not in detail
    assert f'href="/documents/outgoing/{doc.pk}/sign/"' in detail
    html = leader.get(f"/documents/outgoing/{doc.pk}/sign/").content.decode()
    assert f'/documents/outgoing/{doc.pk}/preview/?stage=sign' in html
    assert "<iframe" in html and 'data-testid="confirm-sign-button"' in html
    doc.refresh_from_db()
    assert doc.state == OutgoingState.APPROVED  # GET changes nothing
    preview = leader.get(f"/documents/outgoing/{doc.pk}/preview/?stage=sign")
    assert preview.status_code == 200 and preview["Content-Type"] == "application/pdf"
    assert "inline" in preview["Content-Disposition"]
    assert _page(o["officer2"]).get(f"/documents/outgoing/{doc.pk}/preview/").status_code == 404


def test_issue_page_offers_only_paper_for_an_unsigned_document(docs_org):  # noqa: F811
    o = docs_org
    doc = approved(o)
    html = _page(o["clerk"]).get(f"/documents/outgoing/{doc.pk}/issue/").content.decode()
    assert 'data-testid="unsigned-warning"' in html
    assert 'name="medium" value="paper"' in html and 'value="electronic"' not in html
    assert 'name="confirm_paper"' in html
    assert f'/documents/outgoing/{doc.pk}/preview/?stage=issue' in html
    # without the paper choice → the service's refusal, shown on the page; nothing issued
    response = _page(o["clerk"]).post(f"/documents/outgoing/{doc.pk}/issue/", {})
    assert response.status_code == 409
    assert "bản giấy" in response.content.decode()
    doc.refresh_from_db()
    assert doc.state == OutgoingState.APPROVED and doc.number is None


# ---------------------------------------------------------------- Ký duyệt

def test_approve_and_sign_in_one_step_on_the_page(signing_org):  # noqa: F811
    o = signing_org
    doc = _in_signer_step(o)
    leader = _page(o["leader"])
    detail = leader.get(f"/documents/outgoing/{doc.pk}/").content.decode()
    assert 'data-testid="approve-sign-button"' in detail
    html = leader.get(f"/documents/outgoing/{doc.pk}/sign/").content.decode()
    assert "Ký duyệt" in html or "Phê duyệt và ký" in html
    response = leader.post(f"/documents/outgoing/{doc.pk}/sign/", {"comment": "Đồng ý."})
    assert response.status_code == 302, response.content.decode()[:2000]
    doc.refresh_from_db()
    assert doc.state == OutgoingState.SIGNED and doc.signed_file_id
    assert Approval.objects.filter(document=doc, step="signer", decision="approved",
                                   comment="Đồng ý.").count() == 1
    actions = list(AuditEvent.objects.filter(object_id=str(doc.pk)).order_by("seq")
                   .values_list("action", flat=True))
    assert "documents.outgoing.review" in actions and "documents.outgoing.sign" in actions
    assert actions.index("documents.outgoing.review") < actions.index("documents.outgoing.sign")


def test_approve_and_sign_failure_rolls_back_the_approval(docs_org):  # noqa: F811
    """No server key: nothing is approved either (one transaction)."""
    o = docs_org
    doc = _in_signer_step(o)
    response = _api(o["leader"]).post(f"{BASE}/outgoing/{doc.pk}/approve-sign", "{}",
                                      content_type="application/json")
    assert response.status_code == 422 and response.json()["code"] == "no_certificate"
    doc.refresh_from_db()
    assert doc.state == OutgoingState.IN_REVIEW
    assert not Approval.objects.filter(document=doc, step="signer").exists()


def test_approve_sign_api_by_someone_else_is_refused(signing_org):  # noqa: F811
    o = signing_org
    doc = _in_signer_step(o)
    response = _api(o["clerk"]).post(f"{BASE}/outgoing/{doc.pk}/approve-sign", "{}",
                                     content_type="application/json")
    assert response.status_code == 403
    doc.refresh_from_db()
    assert doc.state == OutgoingState.IN_REVIEW


# ---------------------------------------------------------------- second factor (TOTP)

def _sign_api(o, doc, body):
    return _api(o["leader"]).post(f"{BASE}/outgoing/{doc.pk}/sign", json.dumps(body),
                                  content_type="application/json")


def test_api_sign_needs_the_code_when_the_agency_requires_it(signing_org):  # noqa: F811
    o = signing_org
    _require(o)
    totp = _enrol(o["leader"])
    doc = approved(o)

    missing = _sign_api(o, doc, {})
    assert missing.status_code == 422 and missing.json()["code"] == "second_factor_required"
    assert "otp" in missing.json()["fields"]
    wrong = _sign_api(o, doc, {"otp": f"{(int(totp.now()) + 1) % 10**6:06d}"})
    assert wrong.status_code == 422 and wrong.json()["code"] == "second_factor_invalid"
    doc.refresh_from_db()
    assert doc.state == OutgoingState.APPROVED and doc.signed_file_id is None
    assert not DocumentEvent.objects.filter(outgoing=doc, action="signed").exists()

    code = totp.now()
    ok = _sign_api(o, doc, {"otp": code})
    assert ok.status_code == 200, ok.content
    doc.refresh_from_db()
    assert doc.state == OutgoingState.SIGNED

    # the same code again (another document): refused as reused, nothing signed
    other = approved(o)
    replay = _sign_api(o, other, {"otp": code})
    assert replay.status_code == 422 and replay.json()["code"] == "second_factor_invalid"
    other.refresh_from_db()
    assert other.state == OutgoingState.APPROVED


def test_wrong_codes_are_counted_and_locked(signing_org):  # noqa: F811
    o = signing_org
    _require(o)
    totp = _enrol(o["leader"])
    doc = approved(o)
    bad = f"{(int(totp.now()) + 7) % 10**6:06d}"
    for _ in range(sf.MAX_FAILURES):
        assert _sign_api(o, doc, {"otp": bad}).status_code == 422
    assert SecondFactor.objects.get(user=o["leader"]).failures == sf.MAX_FAILURES
    locked = _sign_api(o, doc, {"otp": totp.now()})  # even the right code now
    assert locked.status_code == 429 and locked.json()["code"] == "second_factor_locked"
    doc.refresh_from_db()
    assert doc.state == OutgoingState.APPROVED


def test_no_code_needed_when_the_agency_does_not_require_it(signing_org):  # noqa: F811
    o = signing_org
    SecondFactorPolicy.objects.create(unit=o["province"], required=False)
    doc = approved(o)
    assert _sign_api(o, doc, {}).status_code == 200


def test_ky_duyet_page_with_totp_code(signing_org):  # noqa: F811
    o = signing_org
    _require(o)
    totp = _enrol(o["leader"])
    doc = _in_signer_step(o)
    leader = _page(o["leader"])
    html = leader.get(f"/documents/outgoing/{doc.pk}/sign/").content.decode()
    assert 'name="otp"' in html
    response = leader.post(f"/documents/outgoing/{doc.pk}/sign/", {"otp": ""})
    assert response.status_code == 422
    assert 'id="id_otp_error"' in response.content.decode()
    doc.refresh_from_db()
    assert doc.state == OutgoingState.IN_REVIEW
    assert not Approval.objects.filter(document=doc, step="signer").exists()
    response = leader.post(f"/documents/outgoing/{doc.pk}/sign/", {"otp": totp.now()})
    assert response.status_code == 302
    doc.refresh_from_db()
    assert doc.state == OutgoingState.SIGNED


def test_enrolment_page_shows_the_qr_once_and_activates_after_one_code(docs_org):  # noqa: F811
    o = docs_org
    user = o["leader"]
    page = _page(user)
    assert 'data-testid="sf-start"' in page.get("/signing/second-factor/").content.decode()
    html = page.post("/signing/second-factor/", {"action": "start"}).content.decode()
    assert "<svg" in html
    secret = re.search(r'data-testid="sf-secret">([A-Z2-7]+)<', html).group(1)
    row = SecondFactor.objects.get(user=user)
    assert secret.encode() not in bytes(row.secret)  # stored encrypted
    assert row.confirmed_at is None and not sf.is_enrolled(user)
    bad = page.post("/signing/second-factor/", {"action": "confirm", "otp": "000000"
                                                if pyotp.TOTP(secret).now() != "000000"
                                                else "111111"})
    assert bad.status_code == 422 and not sf.is_enrolled(user)
    ok = page.post("/signing/second-factor/", {"action": "confirm",
                                               "otp": pyotp.TOTP(secret).now()})
    assert ok.status_code == 302 and sf.is_enrolled(user)
    html = page.get("/signing/second-factor/").content.decode()
    assert secret not in html and 'data-testid="sf-enrolled"' in html


# ---------------------------------------------------------------- second factor (SMS)

@override_settings(EGOV_SMS_GATEWAY="egov.core.sms.OutboxSmsGateway")
def test_sms_code_through_the_gateway_plugin(signing_org):  # noqa: F811
    from egov.core.sms import get_gateway

    o = signing_org
    _require(o, method="sms")
    doc = approved(o)
    gateway = get_gateway()
    gateway.outbox.clear()
    sf.send_sms_code(user=o["leader"], phone="0912345678")
    ((to, text),) = gateway.outbox
    assert to == "+84912345678"
    code = re.search(r"(\d{6})", text).group(1)
    assert _sign_api(o, doc, {}).json()["code"] == "second_factor_required"
    assert _sign_api(o, doc, {"otp": code}).status_code == 200
    other = approved(o)
    assert _sign_api(o, other, {"otp": code}).json()["code"] == "second_factor_invalid"


def test_batch_start_needs_the_code(signing_org):  # noqa: F811
    from egov.signing.models import BatchSigningJob

    o = signing_org
    _require(o)
    totp = _enrol(o["leader"])
    doc = approved(o)
    api = _api(o["leader"])
    url = "/api/v1/signing/batches"
    missing = api.post(url, json.dumps({"document_ids": [doc.pk]}),
                       content_type="application/json")
    assert missing.status_code == 422 and missing.json()["code"] == "second_factor_required"
    assert not BatchSigningJob.objects.exists()
    ok = api.post(url, json.dumps({"document_ids": [doc.pk], "otp": totp.now()}),
                  content_type="application/json")
    assert ok.status_code == 202, ok.content
    assert BatchSigningJob.objects.count() == 1


def test_policy_is_set_by_an_administrator_and_audited(signing_org):  # noqa: F811
    from egov.core.errors import PermissionDenied as AppPermissionDenied

    o = signing_org
    with pytest.raises(AppPermissionDenied):
        sf.policy_set(actor=o["leader"], unit=o["province"], required=True)
    sf.policy_set(actor=o["admin"], unit=o["province"], required=True, method="totp")
    assert sf.required_for(o["province"]) == "totp"
    assert sf.required_for(o["office"]) == "totp"  # a unit inside the agency
    assert AuditEvent.objects.filter(action="signing.second_factor.policy").count() == 1


@override_settings(EGOV_SMS_GATEWAY="egov.core.sms.OutboxSmsGateway")
def test_sms_code_on_the_sign_page(signing_org):  # noqa: F811
    from egov.core.sms import get_gateway

    o = signing_org
    _require(o, method="sms")
    doc = approved(o)
    gateway = get_gateway()
    gateway.outbox.clear()
    leader = _page(o["leader"])
    url = f"/documents/outgoing/{doc.pk}/sign/"
    bad = leader.post(url, {"action": "send_code", "phone": "12345"})
    assert bad.status_code == 422 and 'id="id_phone_error"' in bad.content.decode()
    assert gateway.outbox == []
    assert leader.post(url, {"action": "send_code", "phone": "0912 345 678"}).status_code == 200
    code = re.search(r"(\d{6})", gateway.outbox[-1][1]).group(1)
    doc.refresh_from_db()
    assert doc.state == OutgoingState.APPROVED  # sending a code signs nothing
    assert leader.post(url, {"otp": code}).status_code == 302
    doc.refresh_from_db()
    assert doc.state == OutgoingState.SIGNED
