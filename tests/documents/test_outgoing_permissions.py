"""Permission matrix of outgoing documents: role × action × own / other agency. Each cell runs
the service as that person and checks it is allowed, or refused without changing anything."""

from __future__ import annotations

import pytest

from egov.core.errors import NotFound, PermissionDenied
from egov.documents.models import OutgoingState
from egov.documents.selectors import outgoing as sel
from egov.documents.services import outgoing as svc
from egov.documents.services.registers import register_create
from tests.documents.test_outgoing_support import (
    approved,
    db_counts,
    issued,
    make_draft,
    pdf_upload,
)

pytestmark = pytest.mark.django_db

PEOPLE = ("officer", "officer2", "unit_head", "clerk", "leader", "justice_clerk",
          "justice_leader")


def _submitted(o):
    doc = make_draft(o)
    svc.outgoing_submit(actor=o["officer"], document=doc)
    return doc


def _at_format(o):
    doc = _submitted(o)
    svc.outgoing_review(actor=o["unit_head"], document=doc, step="content", decision="approved")
    return doc


def _at_signer(o):
    doc = _at_format(o)
    svc.outgoing_review(actor=o["clerk"], document=doc, step="format", decision="approved")
    return doc


# action → (prepare(o) → document, act(actor, document), people allowed)
MATRIX = {
    "see": (make_draft, lambda a, d: sel.outgoing_get(actor=a, document_id=d.pk),
            {"officer", "unit_head", "clerk", "leader"}),
    "submit": (make_draft, lambda a, d: svc.outgoing_submit(actor=a, document=d), {"officer"}),
    "add_version": (make_draft, lambda a, d: svc.outgoing_add_version(
        actor=a, document=d, file=pdf_upload("v2")), {"officer", "unit_head", "clerk", "leader"}),
    "approve_content": (_submitted, lambda a, d: svc.outgoing_review(
        actor=a, document=d, step="content", decision="approved"), {"unit_head"}),
    "approve_format": (_at_format, lambda a, d: svc.outgoing_review(
        actor=a, document=d, step="format", decision="approved"), {"clerk"}),
    "approve_as_signer": (_at_signer, lambda a, d: svc.outgoing_review(
        actor=a, document=d, step="signer", decision="approved"), {"leader"}),
    "issue": (approved, lambda a, d: svc.outgoing_issue(actor=a, document=d, medium="paper"), {"clerk"}),
    "recall": (issued, lambda a, d: svc.outgoing_recall(actor=a, document=d, reason="Sai"),
               {"clerk", "leader"}),
    "mark_signed": (approved, lambda a, d: svc.outgoing_mark_signed(actor=a, document=d),
                    {"leader"}),
    "configure_registers": (make_draft, lambda a, d: register_create(
        actor=a, agency=d.agency, kind="per_type", name="Sổ", document_types=["QD"]),
        {"clerk"}),
}


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("action", sorted(MATRIX))
def test_permission_matrix(docs_org, action, who):
    prepare, act, allowed = MATRIX[action]
    document = prepare(docs_org)
    actor = docs_org[who]
    if who in allowed:
        act(actor, document)
        return
    before = db_counts()
    state = document.state
    with pytest.raises((PermissionDenied, NotFound)):
        act(actor, document)
    assert db_counts() == before
    document.refresh_from_db()
    assert document.state == state


def test_the_drafter_of_another_agency_drafts_for_that_agency(docs_org):
    o = docs_org
    doc = make_draft(o, actor=o["justice_clerk"], signer_id=o["justice_leader"].pk)
    assert doc.agency == o["justice"] and doc.state == OutgoingState.DRAFT
    assert sel.outgoing_get(actor=o["justice_leader"], document_id=doc.pk) == doc
    with pytest.raises(NotFound):  # the province's clerk does not see it
        sel.outgoing_get(actor=o["clerk"], document_id=doc.pk)
