"""Uploaded PDFs: encrypted, truncated and unparseable files are refused by the upload service
with the reason on the "file" field and nothing written; active content (JavaScript, launch and
automatic actions, embedded files) is found and kept on the StoredFile."""

from __future__ import annotations

import pytest

from egov.core import pdfcheck
from egov.core.errors import InvalidInput
from egov.core.files import file_response, file_store
from egov.core.models import AuditEvent, StoredFile
from tests.pdf_samples import (
    clean_pdf,
    encrypted_pdf,
    pdf_with,
    truncated_pdf,
    unparseable_pdf,
)


@pytest.mark.parametrize(("make", "code"), [
    (encrypted_pdf, "pdf_encrypted"), (truncated_pdf, "pdf_damaged"),
    (unparseable_pdf, "pdf_damaged"),
])
def test_unreadable_pdfs_are_refused_with_the_reason_and_nothing_written(db, make, code):
    before = (StoredFile.objects.count(), AuditEvent.objects.count())
    with pytest.raises(InvalidInput) as caught:
        file_store(actor=None, upload=("scan.pdf", make()), require={"application/pdf"})
    assert caught.value.code == code
    assert caught.value.fields["file"] == [caught.value.message]
    assert (StoredFile.objects.count(), AuditEvent.objects.count()) == before


@pytest.mark.parametrize(("kind", "expected"), [
    ("javascript", {"javascript", "auto_action"}), ("names_javascript", {"javascript"}),
    ("launch", {"launch"}), ("auto_action", {"auto_action"}),
    ("embedded_file", {"embedded_file"}),
])
def test_active_content_is_found_and_kept(db, kind, expected):
    assert set(pdfcheck.inspect_pdf(pdf_with(kind)).active_content) == expected
    stored = file_store(actor=None, upload=(f"{kind}.pdf", pdf_with(kind)))
    stored.refresh_from_db()
    assert set(stored.active_content) == expected
    assert stored.active_content_text
    event = AuditEvent.objects.filter(action="file.store").latest("seq")
    assert set(event.details["active_content"]) == expected


def test_a_clean_pdf_has_no_active_content(db):
    report = pdfcheck.inspect_pdf(clean_pdf())
    assert report.pages == 1 and report.active_content == []
    assert file_store(actor=None, upload=("a.pdf", clean_pdf())).active_content == []


def test_the_walk_is_bounded(db):
    assert pdfcheck.inspect_pdf(pdf_with("launch"), max_objects=1).active_content == [
        "unchecked"]


def test_a_file_with_active_content_is_never_served_inline(db):
    hostile = file_store(actor=None, upload=("x.pdf", pdf_with("javascript")))
    response = file_response(hostile, inline=True)
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Security-Policy"] == "sandbox"
    clean = file_store(actor=None, upload=("y.pdf", clean_pdf()))
    assert file_response(clean, inline=True)["Content-Disposition"].startswith("inline")
    assert file_response(clean)["Content-Security-Policy"] == "sandbox"
