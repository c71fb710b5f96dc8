"""Online application without an account: submit → e-mail with the link (real SMTP) → confirm
→ a dossier in state "submitted"; the link once (a second click shows the same dossier),
expired and unknown links; bad input writes nothing; the per-client limit; files kept across
form errors."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from egov.core.errors import AppError, InvalidInput
from egov.core.models import AuditEvent, StoredFile
from egov.onestop.models import Dossier, DossierEvent, OnlineSubmission
from egov.onestop.services import online as svc
from tests.onestop.portal_fixtures import APPLICANT, pdf_bytes, png_bytes, procedure_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _limits(settings):
    from egov.core import throttle

    settings.EGOV_ONESTOP_APPLY_RATE = "1000/3600"
    throttle.reset()


def _files():
    return [{"code": "TK", "file": SimpleUploadedFile("to-khai.pdf", pdf_bytes())},
            {"code": "GCS", "file": SimpleUploadedFile("chung-sinh.png", png_bytes())}]


def _submit(procedure, **over):
    kwargs = {"procedure_code": "9.001193", "agency_id": procedure["agency"].pk,
              "applicant": dict(APPLICANT), "components": _files(),
              "request_content": "Đăng ký khai sinh cho con", "result_delivery": "online"}
    kwargs.update(over)
    return svc.online_submit(**kwargs)


def _link(message) -> str:
    body = message.get_payload(decode=True).decode()
    return re.search(r"https?://\S+/public/confirm/(\S+)/", body).group(1)


def test_submit_mail_confirm_creates_a_submitted_dossier(procedure, smtp_server, client,
                                                       django_capture_on_commit_callbacks):
    result = _submit(procedure)
    sub = result.submission
    assert len(smtp_server.messages) == 1
    mail = smtp_server.messages[0]
    assert mail["To"] == APPLICANT["email"]
    token = _link(mail)
    assert sub.token_hash == svc.token_hash(token) and token not in sub.token_hash
    assert not OnlineSubmission.objects.filter(token_hash=token).exists()
    assert sub.files.count() == 2
    assert dt.timedelta(hours=23) < sub.expires_at - timezone.now() <= dt.timedelta(hours=24)
    assert not Dossier.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        r = client.get(reverse("public:apply_confirm", kwargs={"token": token}))
    assert r.status_code == 200
    dossier = Dossier.objects.get()
    assert dossier.state == "submitted" and dossier.channel == "online"
    assert dossier.national_status == 1 and dossier.national_channel == 2
    assert dossier.applicant_name == APPLICANT["full_name"]
    assert dossier.check_phone == "5678" and dossier.check_id == "2345"
    assert dossier.received_at is None
    assert {c.code: c.provided for c in dossier.components.all()} == \
        {"TK": True, "GCS": True, "UQ": False}
    assert DossierEvent.objects.filter(dossier=dossier, kind="submitted").count() == 1
    assert AuditEvent.objects.filter(action="onestop.online.confirm").count() == 1
    html = r.content.decode()
    assert dossier.code in html and dossier.public_token in html
    # the second e-mail: the code and the look-up link
    assert len(smtp_server.messages) == 2
    body = smtp_server.messages[1].get_payload(decode=True).decode()
    assert dossier.code in body and f"/public/d/{dossier.public_token}/" in body

    # twice: the same dossier, nothing new, no new e-mail
    with django_capture_on_commit_callbacks(execute=True):
        again = client.get(reverse("public:apply_confirm", kwargs={"token": token}))
    assert again.status_code == 200 and dossier.code in again.content.decode()
    assert Dossier.objects.count() == 1 and len(smtp_server.messages) == 2
    assert "đã được gửi trước đó" in again.content.decode()


def test_expired_and_unknown_links(procedure, smtp_server, client):
    _submit(procedure)
    token = _link(smtp_server.messages[0])
    OnlineSubmission.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    r = client.get(reverse("public:apply_confirm", kwargs={"token": token}))
    assert r.status_code == 410 and "hết hạn" in r.content.decode()
    with pytest.raises(AppError) as err:
        svc.online_confirm(token=token)
    assert err.value.code == "link_expired"
    r = client.get(reverse("public:apply_confirm", kwargs={"token": "sai" * 10}))
    assert r.status_code == 404 and "không hợp lệ" in r.content.decode()
    assert not Dossier.objects.exists()


@pytest.mark.parametrize("over, field", [
    ({"applicant": {**APPLICANT, "personal_id": "12345"}}, "personal_id"),
    ({"applicant": {**APPLICANT, "full_name": ""}}, "full_name"),
    ({"applicant": {**APPLICANT, "phone": "12"}}, "phone"),
    ({"applicant": {**APPLICANT, "email": "not-an-address"}}, "email"),
    ({"agency_id": 999999}, "agency"),
    ({"result_delivery": "pigeon"}, "result_delivery"),
    ({"components": [{"code": "TK", "file": None}]}, "component:TK"),
    ({"components": [{"code": "TK", "file": SimpleUploadedFile("x.pdf", pdf_bytes())},
                     {"code": "GCS", "file": SimpleUploadedFile("x.txt", b"hello")}]},
     "component:GCS"),
])
def test_bad_input_writes_nothing(procedure, smtp_server, over, field):
    files_before = StoredFile.objects.count()
    with pytest.raises(InvalidInput) as err:
        _submit(procedure, **over)
    assert field in err.value.fields, err.value.fields
    assert not OnlineSubmission.objects.exists()
    assert StoredFile.objects.count() == files_before
    assert smtp_server.messages == []


def test_unknown_procedure_is_refused(procedure, smtp_server):
    with pytest.raises(InvalidInput) as err:
        _submit(procedure, procedure_code="9.999999")
    assert err.value.code == "unknown_procedure"


def _form(procedure, **over):
    data = {"kind": "person", "full_name": APPLICANT["full_name"],
            "personal_id": APPLICANT["personal_id"], "phone": APPLICANT["phone"],
            "email": APPLICANT["email"], "address": APPLICANT["address"],
            "agency": str(procedure["agency"].pk), "result_delivery": "online",
            "request_content": "",
            "component_0": SimpleUploadedFile("to-khai.pdf", pdf_bytes(), "application/pdf"),
            "component_1": SimpleUploadedFile("cs.png", png_bytes(), "image/png")}
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def test_page_end_to_end_and_files_kept_on_error(procedure, smtp_server, client):
    url = reverse("public:apply", kwargs={"code": "9.001193"})
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Tờ khai đăng ký khai sinh" in html and procedure["agency"].name in html
    # an error elsewhere: both files are kept (pending) and named on the page
    r = client.post(url, _form(procedure, phone="12"))
    assert r.status_code == 422
    html = r.content.decode()
    assert "to-khai.pdf" in html and "cs.png" in html
    tokens = dict(re.findall(r'name="(component_\d)_token" value="([^"]+)"', html))
    assert set(tokens) == {"component_0", "component_1"}
    assert not OnlineSubmission.objects.exists() and smtp_server.messages == []
    # corrected, without choosing the files again
    r = client.post(url, _form(procedure, component_0=None, component_1=None,
                               component_0_token=tokens["component_0"],
                               component_1_token=tokens["component_1"]))
    assert r.status_code == 302 and r["Location"].endswith("/sent/")
    sub = OnlineSubmission.objects.get()
    assert sorted(f.original_name for f in sub.files.all()) == ["cs.png", "to-khai.pdf"]
    assert len(smtp_server.messages) == 1
    assert client.get(r["Location"]).status_code == 200


def test_rate_limit_per_client(procedure, smtp_server, client, settings):
    settings.EGOV_ONESTOP_APPLY_RATE = "2/3600"
    url = reverse("public:apply", kwargs={"code": "9.001193"})
    assert client.post(url, _form(procedure)).status_code == 302
    assert client.post(url, _form(procedure)).status_code == 302
    r = client.post(url, _form(procedure))
    assert r.status_code == 429 and int(r["Retry-After"]) > 0
    assert OnlineSubmission.objects.count() == 2


def test_unknown_procedure_page_is_404(procedure, client):
    r = client.get(reverse("public:apply", kwargs={"code": "9.999999"}))
    assert r.status_code == 404
