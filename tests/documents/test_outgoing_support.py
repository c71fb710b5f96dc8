"""Helpers shared by the outgoing-document tests (no tests here).

The people come from the `docs_org` fixture (tests/documents/conftest.py): the officer drafts in
"Phòng Kinh tế" (a division of the province committee, abbreviation KT), the unit head approves
the content, the clerk of the Văn phòng checks the format and issues, the chairman signs.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from egov.core.models import Sequence
from egov.documents.models import OutgoingDocument
from egov.documents.services import outgoing as svc
from egov.documents.services.registers import outgoing_register_for
from tests.documents.conftest import unique_pdf


def pdf_upload(label: str = "du-thao") -> tuple[str, bytes]:
    return (f"{label}.pdf", unique_pdf(label))


def draft_data(o, **overrides) -> dict:
    data = {
        "type_code": "QD",
        "subject": "Quyết định về việc phê duyệt kế hoạch cải cách hành chính năm 2026",
        "signer_id": o["leader"].pk,
        "signer_capacity": "",
        "urgency": "normal",
        "recipients": [],
    }
    data.update(overrides)
    return data


def make_draft(o, *, actor=None, file=None, attachments=(), **overrides) -> OutgoingDocument:
    return svc.outgoing_create(actor=actor or o["officer"], data=draft_data(o, **overrides),
                               file=file or pdf_upload(), attachments=attachments)


def approve(o, doc: OutgoingDocument) -> OutgoingDocument:
    """Submit and pass the three review steps."""
    svc.outgoing_submit(actor=doc.drafter, document=doc)
    svc.outgoing_review(actor=o["unit_head"], document=doc, step="content", decision="approved")
    svc.outgoing_review(actor=o["clerk"], document=doc, step="format", decision="approved")
    svc.outgoing_review(actor=doc.signer, document=doc, step="signer", decision="approved")
    doc.refresh_from_db()
    return doc


def approved(o, **overrides) -> OutgoingDocument:
    return approve(o, make_draft(o, **overrides))


def issued(o, **overrides) -> OutgoingDocument:
    doc = approved(o, **overrides)
    svc.outgoing_issue(actor=o["clerk"], document=doc, medium="paper")
    doc.refresh_from_db()
    return doc


def advance(agency, type_code: str, last_value: int, year: int | None = None):
    """Move the series of the register `type_code` is numbered in to `last_value`."""
    from egov.documents.models import DocumentType

    register = outgoing_register_for(agency=agency,
                                     doc_type=DocumentType.objects.get(code=type_code))
    year = year or timezone.localdate().year
    Sequence.objects.update_or_create(scope=register.sequence_scope, series="outgoing",
                                      year=year, defaults={"last_value": last_value})
    return register


def local(y, m, d, hh=10, mm=0) -> dt.datetime:
    from zoneinfo import ZoneInfo

    return dt.datetime(y, m, d, hh, mm, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


def db_counts() -> dict:
    """Row counts of the tables a failed call must not touch."""
    from egov.core.models import AuditEvent, StoredFile, WorkItem
    from egov.documents.models import (
        Approval,
        Comment,
        DocumentEvent,
        DraftVersion,
        IncomingDocument,
        Recipient,
    )

    return {m.__name__: m.objects.count() for m in (
        OutgoingDocument, DraftVersion, Recipient, Approval, Comment, DocumentEvent,
        StoredFile, AuditEvent, WorkItem, Sequence, IncomingDocument)}


def seed_catalogues() -> None:
    """Roles, grants and document types, which a transactional test's flush removes."""
    from django.apps import apps

    from egov.core.catalog import seed_roles
    from egov.core.models import Role, RoleGrant
    from egov.documents.catalog import seed

    seed_roles(Role, RoleGrant)
    seed(apps)
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()  # the flush re-created the content types
