"""Signing with the user's own USB token (egov.signing.user_token and its API): the server
prepares the PDF, hands out single-use expiring URLs, and accepts the upload only if it is the
same document, signed in the leader's field by one of the leader's registered token
certificates, valid, with only allowed changes. Every refusal leaves the document APPROVED."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.test import Client
from django.utils import timezone

from egov.core.errors import AppError, InvalidInput
from egov.documents import signing_flow as flow
from egov.documents.models import OutgoingState
from egov.signing import pades, services, user_token
from egov.signing.models import SessionState, SigningSession, TrustAnchor
from egov.signing.signers import get_signer
from egov.signing.verify import verify_pdf
from tests.documents.conftest import docs_org  # noqa: F401 (fixture)
from tests.documents.test_outgoing_support import approved
from tests.signing.conftest import pdfsig

pytestmark = pytest.mark.django_db

BASE = "http://testserver"


@pytest.fixture
def token_org(docs_org, test_pki, softhsm_token):  # noqa: F811
    """docs_org with the leader's SoftHSM2 RSA certificate registered as a user-token
    certificate and the test root trusted."""
    o = docs_org
    cert = services.certificate_register_public(actor=o["leader"], owner_user=o["leader"],
                                                certificate_der=softhsm_token.rsa.der)
    TrustAnchor.objects.create(name="Test root", certificate_der=test_pki.root.der,
                               fingerprint_sha256=test_pki.root.fingerprint_sha256)
    return {**o, "token_cert": cert}


def _token_of(url: str) -> str:
    return re.search(r"/t/([^/]+)/", url).group(1)


def _hsm_signer(token, label: str):
    return get_signer("pkcs11", **token.config(label))


def _sign(data: bytes, signer, *, field=flow.FIELD_LEADER, certify=True) -> bytes:
    return pades.sign_pdf(data, signer, field_name=field, reason="Phê duyệt ban hành",
                          appearance=pades.StampSpec(name="Trần Văn Chủ Tịch", title="Chủ tịch",
                                                     box=flow.LEADER_BOX, page=-1),
                          certify=certify)


def _start(o, doc):
    start = user_token.session_create(actor=o["leader"], subject=doc, base_url=BASE)
    _session, prepared = user_token.session_download(token=_token_of(start.download_url))
    return start, prepared


def _refused(o, doc, start, data, code: str) -> AppError:
    with pytest.raises(AppError) as exc:
        user_token.session_upload(token=_token_of(start.upload_url), data=data)
    assert exc.value.code == code, exc.value.message
    assert 400 <= exc.value.status < 500
    doc.refresh_from_db()
    assert doc.state == OutgoingState.APPROVED and doc.signed_file_id is None
    session = SigningSession.objects.get(pk=start.session.pk)
    assert session.state == SessionState.REJECTED and session.error.startswith(code)
    return exc.value


def test_session_create_prepares_the_pdf_and_the_agent_request(token_org):
    o = token_org
    doc = approved(o)
    start = user_token.session_create(actor=o["leader"], subject=doc, base_url=BASE + "/")
    session = start.session
    assert session.state == SessionState.PENDING and session.prepared_file.derivation == "prepared"
    assert start.download_url.startswith(BASE + "/api/v1/signing/sessions/t/")
    assert start.download_url.endswith("/file") and start.upload_url.endswith("/upload")
    # only hashes are stored
    assert _token_of(start.download_url) not in (session.download_token_hash,
                                                 session.upload_token_hash)
    assert session.expires_at > timezone.now() + dt.timedelta(seconds=500)
    req = start.agent_request
    assert req["field"] == flow.FIELD_LEADER and req["certify"] is True
    assert req["certificate_sha256"] == o["token_cert"].fingerprint_sha256
    assert req["appearance"]["name"] == "Trần Văn Chủ Tịch"
    assert req["appearance"]["page"] == -1 and len(req["appearance"]["box"]) == 4
    assert req["download_url"] == start.download_url


def test_correct_upload_is_accepted(token_org, softhsm_token, nssdb, tmp_path):
    o = token_org
    doc = approved(o)
    start, prepared = _start(o, doc)
    signed = _sign(prepared, _hsm_signer(softhsm_token, softhsm_token.rsa_label))
    result = user_token.session_upload(token=_token_of(start.upload_url), data=signed)
    assert result.subject.state == OutgoingState.SIGNED
    doc.refresh_from_db()
    assert doc.state == OutgoingState.SIGNED
    from egov.core.files import file_open

    with file_open(doc.signed_file) as fh:
        stored = fh.read()
    assert stored == signed
    session = SigningSession.objects.get(pk=start.session.pk)
    assert session.state == SessionState.COMPLETED and session.result_file_id == doc.signed_file_id
    report = verify_pdf(stored)
    assert report.valid and report.signatures[0].certifying
    out = pdfsig(stored, nssdb, tmp_path)
    assert "Signature is Valid" in out and "Certificate is Trusted" in out
    from egov.core.models import AuditEvent

    assert AuditEvent.objects.filter(action="signing.session.accept",
                                     object_id=str(session.pk)).exists()


def test_different_document_is_refused(token_org, softhsm_token, sample_pdf):
    o = token_org
    doc = approved(o)
    start, _prepared = _start(o, doc)
    other = _sign(flow.prepare_fields(sample_pdf), _hsm_signer(softhsm_token,
                                                               softhsm_token.rsa_label))
    _refused(o, doc, start, other, "not_same_document")
    from egov.core.models import AuditEvent

    assert AuditEvent.objects.filter(action="signing.session.reject",
                                     object_id=str(start.session.pk)).exists()


def test_appended_unsigned_revision_is_refused(token_org, softhsm_token):
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    o = token_org
    doc = approved(o)
    start, prepared = _start(o, doc)
    signed = _sign(prepared, _hsm_signer(softhsm_token, softhsm_token.rsa_label))
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    page[generic.NameObject("/Rotate")] = generic.NumberObject(90)
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    _refused(o, doc, start, out.getvalue(), "signature_invalid")


def test_signature_of_another_certificate_is_refused(token_org, softhsm_token):
    o = token_org
    doc = approved(o)
    start, prepared = _start(o, doc)
    ec_signed = _sign(prepared, _hsm_signer(softhsm_token, softhsm_token.ec_label))
    _refused(o, doc, start, ec_signed, "wrong_signer")


def test_key_file_certificate_not_registered_as_token_is_refused(token_org, test_pki):
    o = token_org
    doc = approved(o)
    start, prepared = _start(o, doc)
    signer = get_signer("key_file", pkcs12=test_pki.leader_p12, password=test_pki.password)
    _refused(o, doc, start, _sign(prepared, signer), "wrong_signer")


def test_revoked_certificate_is_refused(token_org, softhsm_token):
    o = token_org
    doc = approved(o)
    start, prepared = _start(o, doc)
    signed = _sign(prepared, _hsm_signer(softhsm_token, softhsm_token.rsa_label))
    services.certificate_revoke(actor=o["leader"], certificate=o["token_cert"],
                                reason="Mất token")
    _refused(o, doc, start, signed, "wrong_signer")


def test_wrong_field_is_refused(token_org, softhsm_token):
    o = token_org
    doc = approved(o)
    start, prepared = _start(o, doc)
    signed = _sign(prepared, _hsm_signer(softhsm_token, softhsm_token.rsa_label),
                   field="chu_ky_khac")
    _refused(o, doc, start, signed, "wrong_field")


def test_non_certifying_signature_is_refused(token_org, softhsm_token):
    o = token_org
    doc = approved(o)
    start, prepared = _start(o, doc)
    signed = _sign(prepared, _hsm_signer(softhsm_token, softhsm_token.rsa_label), certify=False)
    _refused(o, doc, start, signed, "not_certifying")


def test_content_changed_in_the_signed_revision_is_refused(token_org, softhsm_token):
    """The agent changes the page in the same revision as its signature: the signature is
    valid, but the approved content was changed."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers as ph_signers

    o = token_org
    doc = approved(o)
    start, prepared = _start(o, doc)
    writer = IncrementalPdfFileWriter(io.BytesIO(prepared))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    page[generic.NameObject("/Rotate")] = generic.NumberObject(180)
    writer.update_container(page)
    pdf_signer = ph_signers.PdfSigner(
        pades.signature_metadata(flow.FIELD_LEADER, certify=True),
        _hsm_signer(softhsm_token, softhsm_token.rsa_label))
    out = io.BytesIO()
    pdf_signer.sign_pdf(writer, output=out)
    _refused(o, doc, start, out.getvalue(), "disallowed_changes")


def test_document_changed_state_is_refused(token_org, softhsm_token):
    o = token_org
    doc = approved(o)
    start, prepared = _start(o, doc)
    signed = _sign(prepared, _hsm_signer(softhsm_token, softhsm_token.rsa_label))
    from egov.documents.models import OutgoingDocument

    OutgoingDocument.objects.filter(pk=doc.pk).update(state=OutgoingState.RETURNED)
    with pytest.raises(AppError) as exc:
        user_token.session_upload(token=_token_of(start.upload_url), data=signed)
    assert exc.value.code == "document_changed" and exc.value.status == 409
    doc.refresh_from_db()
    assert doc.state == OutgoingState.RETURNED and doc.signed_file_id is None
    assert SigningSession.objects.get(pk=start.session.pk).state == SessionState.REJECTED


def test_expired_session_is_gone(token_org):
    o = token_org
    doc = approved(o)
    start = user_token.session_create(actor=o["leader"], subject=doc, base_url=BASE)
    SigningSession.objects.filter(pk=start.session.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(AppError) as exc:
        user_token.session_download(token=_token_of(start.download_url))
    assert exc.value.status == 410 and exc.value.code == "session_expired"
    with pytest.raises(AppError) as exc:
        user_token.session_upload(token=_token_of(start.upload_url), data=b"%PDF-1.7")
    assert exc.value.status == 410
    assert SigningSession.objects.get(pk=start.session.pk).state == SessionState.EXPIRED
    doc.refresh_from_db()
    assert doc.state == OutgoingState.APPROVED


def test_second_download_and_second_upload_are_gone(token_org, softhsm_token):
    o = token_org
    doc = approved(o)
    start, prepared = _start(o, doc)
    with pytest.raises(AppError) as exc:
        user_token.session_download(token=_token_of(start.download_url))
    assert exc.value.status == 410 and exc.value.code == "session_used"
    _refused(o, doc, start, b"%PDF-1.7 nonsense", "not_same_document")
    signed = _sign(prepared, _hsm_signer(softhsm_token, softhsm_token.rsa_label))
    with pytest.raises(AppError) as exc:
        user_token.session_upload(token=_token_of(start.upload_url), data=signed)
    assert exc.value.status == 410
    doc.refresh_from_db()
    assert doc.state == OutgoingState.APPROVED


def test_unknown_tokens_are_not_found(token_org):
    from egov.core.errors import NotFound

    with pytest.raises(NotFound):
        user_token.session_download(token="x" * 43)
    with pytest.raises(NotFound):
        user_token.session_upload(token="x" * 43, data=b"%PDF")


def test_session_needs_a_user_token_certificate(docs_org, test_pki):  # noqa: F811
    o = docs_org
    # a server-side key file does not count: it is not the user's own token
    services.certificate_register_pkcs12(actor=o["leader"], owner_user=o["leader"],
                                         pkcs12=test_pki.leader_p12, password=test_pki.password)
    doc = approved(o)
    with pytest.raises(InvalidInput) as exc:
        user_token.session_create(actor=o["leader"], subject=doc, base_url=BASE)
    assert exc.value.code == "no_certificate"
    assert not SigningSession.objects.exists()


def test_only_the_signer_may_start(token_org):
    from egov.core.errors import PermissionDenied

    o = token_org
    doc = approved(o)
    with pytest.raises(PermissionDenied):
        user_token.session_create(actor=o["clerk"], subject=doc, base_url=BASE)


# ---------------------------------------------------------------- API


def test_api_flow_with_the_vgca_answer(token_org, softhsm_token):
    o = token_org
    doc = approved(o)
    client = Client()
    client.force_login(o["leader"])
    res = client.post("/api/v1/signing/sessions", {"document_id": doc.pk},
                      content_type="application/json")
    assert res.status_code == 201, res.content
    body = res.json()
    assert set(body) >= {"session", "expires_at", "download_url", "upload_url", "agent_url",
                         "agent_request"}
    assert body["download_url"].startswith("http://testserver/api/v1/signing/sessions/t/")

    anonymous = Client(enforce_csrf_checks=True)
    download = body["download_url"].removeprefix("http://testserver")
    pdf = anonymous.get(download)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert anonymous.get(download).status_code == 410

    state = client.get(f"/api/v1/signing/sessions/{body['session']}").json()
    assert state["state"] == "downloaded" and state["document_state"] == "approved"

    signed = _sign(pdf.content, _hsm_signer(softhsm_token, softhsm_token.rsa_label))
    upload = body["upload_url"].removeprefix("http://testserver")
    from django.core.files.uploadedfile import SimpleUploadedFile

    res = anonymous.post(upload, {"uploadfile": SimpleUploadedFile("ky.pdf", signed,
                                                                   "application/pdf")})
    assert res.status_code == 200, res.content
    answer = res.json()
    assert answer["Status"] is True and answer["state"] == "signed"
    assert answer["document"] == doc.pk and answer["FileServer"] == ""
    res = anonymous.post(upload, {"uploadfile": SimpleUploadedFile("ky.pdf", signed,
                                                                   "application/pdf")})
    assert res.status_code == 410 and res.json()["Status"] is False
    state = client.get(f"/api/v1/signing/sessions/{body['session']}").json()
    assert state["state"] == "completed" and state["document_state"] == "signed"


def test_api_refusals_have_the_error_shape(token_org, softhsm_token):
    o = token_org
    doc = approved(o)
    client = Client()
    client.force_login(o["leader"])
    assert client.get("/api/v1/signing/sessions/t/unknown-token-000000/file").status_code == 404
    body = client.post("/api/v1/signing/sessions", {"document_id": doc.pk},
                       content_type="application/json").json()
    upload = body["upload_url"].removeprefix("http://testserver")
    res = Client().post(upload, {})
    assert res.status_code == 422 and "uploadfile" in res.json()["fields"]
    from django.core.files.uploadedfile import SimpleUploadedFile

    res = Client().post(upload, {"uploadfile": SimpleUploadedFile("x.pdf", b"%PDF-1.4 x")})
    err = res.json()
    assert res.status_code == 422 and err["Status"] is False
    assert err["code"] == "not_same_document" and err["message"] and "fields" in err
    doc.refresh_from_db()
    assert doc.state == OutgoingState.APPROVED
    # the clerk is not the signer; another user's session is not found
    clerk = Client()
    clerk.force_login(o["clerk"])
    res = clerk.post("/api/v1/signing/sessions", {"document_id": doc.pk},
                     content_type="application/json")
    assert res.status_code in (403, 404)
    assert clerk.get(f"/api/v1/signing/sessions/{body['session']}").status_code == 404
    res = client.post("/api/v1/signing/sessions",
                      {"document_id": doc.pk, "certificate_id": 999999},
                      content_type="application/json")
    assert res.status_code == 422 and res.json()["code"] == "no_certificate"
