"""A chosen file survives form errors (issue 9 §5; egov.core.pending_uploads): the pages keep
it with a signed token, only its uploader can use the token, it expires, and it is deleted once
used. Checked on the incoming desk and the drafting form."""

from __future__ import annotations

import datetime as dt
import re
from unittest import mock

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from egov.core import pending_uploads
from egov.documents.models import IncomingDocument, OutgoingDocument
from tests.documents.conftest import incoming_data, unique_pdf

pytestmark = pytest.mark.django_db


def _pending_files() -> list[str]:
    try:
        return default_storage.listdir(pending_uploads.DIRECTORY)[1]
    except FileNotFoundError:
        return []


def _token(html: str) -> str:
    match = re.search(r'name="file_token" value="([^"]+)"', html)
    assert match, "the page keeps the chosen file"
    return match.group(1)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_desk_keeps_the_pdf_across_errors(docs_org):
    before = set(_pending_files())
    clerk = _client(docs_org["clerk"])
    pdf = unique_pdf("kept")
    data = {k: v for k, v in incoming_data(subject="").items() if v is not None}
    r = clerk.post("/documents/incoming/new/",
                   {**data, "file": SimpleUploadedFile("cong-van-den.pdf", pdf,
                                                       "application/pdf")})
    assert r.status_code == 422
    html = r.content.decode()
    assert "cong-van-den.pdf" in html and ("Đã chọn" in html or "Chosen" in html)
    token = _token(html)
    assert len(set(_pending_files()) - before) == 1
    # Sent again with the subject and no new file: registered with the kept PDF.
    data["subject"] = "V/v giữ tệp sau lỗi"
    r = clerk.post("/documents/incoming/new/", {**data, "file_token": token})
    assert r.status_code == 302
    doc = IncomingDocument.objects.get()
    assert doc.file.original_name == "cong-van-den.pdf"
    with doc.file.file.open("rb") as fh:
        assert fh.read() == pdf
    assert set(_pending_files()) - before == set()  # used: deleted
    # The token cannot be used twice.
    data["subject"] = "V/v lần hai"
    data["number"] = "999"
    r = clerk.post("/documents/incoming/new/", {**data, "file_token": token})
    assert r.status_code == 422 and IncomingDocument.objects.count() == 1


def test_only_the_uploader_can_use_the_token(docs_org, make_user):
    clerk = _client(docs_org["clerk"])
    data = {k: v for k, v in incoming_data(subject="").items() if v is not None}
    r = clerk.post("/documents/incoming/new/",
                   {**data, "file": SimpleUploadedFile("a.pdf", unique_pdf(), "application/pdf")})
    token = _token(r.content.decode())
    other = make_user("vanthu2", docs_org["office"], "clerk")
    data["subject"] = "V/v mượn tệp của người khác"
    r = _client(other).post("/documents/incoming/new/", {**data, "file_token": token})
    assert r.status_code == 422
    assert 'id="id_file_error"' in r.content.decode()
    assert not IncomingDocument.objects.exists()
    # A forged token is refused the same way.
    r = clerk.post("/documents/incoming/new/", {**data, "file_token": token[:-3] + "abc"})
    assert r.status_code == 422 and not IncomingDocument.objects.exists()


def test_tokens_expire_and_old_files_are_purged(docs_org):
    user = docs_org["clerk"]
    kept = pending_uploads.stash(user=user, upload=SimpleUploadedFile("x.pdf", b"%PDF-1.4 x"))
    later = timezone.now() + dt.timedelta(seconds=pending_uploads.MAX_AGE + 60)
    with mock.patch("django.core.signing.time.time", return_value=later.timestamp()):
        assert pending_uploads.take(user=user, token=kept.token) is None
    assert pending_uploads.purge(now=later) >= 1
    assert _pending_files() == []  # everything older than MAX_AGE at `later` is gone


def test_a_secret_document_is_not_kept(docs_org):
    before = set(_pending_files())
    clerk = _client(docs_org["clerk"])
    data = {k: v for k, v in incoming_data(secrecy="secret").items() if v is not None}
    r = clerk.post("/documents/incoming/new/",
                   {**data, "file": SimpleUploadedFile("mat.pdf", unique_pdf(), "application/pdf")})
    assert r.status_code == 422
    assert 'name="file_token"' not in r.content.decode()
    assert set(_pending_files()) == before


def test_drafting_form_keeps_the_draft_across_errors(docs_org):
    before = set(_pending_files())
    o = docs_org
    officer = _client(o["officer"])
    form = {"type_code": "QD", "subject": "", "signer_id": str(o["leader"].pk),
            "urgency": "normal", "copies": "1", "recipients_units": [str(o["justice"].pk)]}
    r = officer.post(reverse("documents:outgoing_new"), {
        **form, "file": SimpleUploadedFile("du-thao.pdf", unique_pdf("d"), "application/pdf")})
    assert r.status_code == 422
    html = r.content.decode()
    assert "du-thao.pdf" in html
    token = _token(html)
    form["subject"] = "Quyết định giữ tệp dự thảo"
    r = officer.post(reverse("documents:outgoing_new"), {**form, "file_token": token})
    assert r.status_code == 302
    doc = OutgoingDocument.objects.get()
    assert doc.versions.get().file.original_name == "du-thao.pdf"
    assert set(_pending_files()) == before
