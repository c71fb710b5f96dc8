"""Lock order under load (issue 8 §2): clerks issuing at once, the register configuration being
changed and drafts being reviewed in the same moments never end in a deadlock (HTTP 500); the
numbers stay gapless and unique."""

from __future__ import annotations

import json
import threading

from django.test import Client
from django.utils import timezone

from egov.core import tokens
from egov.core.models import Sequence
from egov.documents.models import DocumentType, OutgoingDocument, Register
from egov.documents.services import outgoing as svc
from egov.documents.services.registers import outgoing_register_for, register_create
from tests.concurrency import run_threads
from tests.documents.test_outgoing_support import approved, make_draft
from tests.documents.test_registers_numbering import _org

BASE = "/api/v1/documents"

ISSUES, PATCHES, REVIEWS = 20, 8, 8


def _client(user) -> Client:
    _token, raw = tokens.token_create(actor=user, name="load")
    # A server error must come back as a response (status 500), not as an exception here.
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}", raise_request_exception=False)


def _post(client: Client, url: str, payload: dict):
    return client.post(url, json.dumps(payload), content_type="application/json")


def test_issues_register_changes_and_reviews_at_once_never_answer_500(transactional_db,
                                                                     make_user):
    o = _org(make_user)
    province = o["province"]
    to_issue = [approved(o, subject=f"Quyết định số {i}") for i in range(ISSUES)]
    to_review = []
    for i in range(REVIEWS // 2):  # two heads of unit review each draft at the same moment
        draft = make_draft(o, subject=f"Dự thảo số {i}")
        svc.outgoing_submit(actor=draft.drafter, document=draft)
        to_review.append(draft)
    shared = outgoing_register_for(agency=province,
                                   doc_type=DocumentType.objects.get(code="QD"))
    per_type = register_create(actor=o["clerk"], agency=province, kind="per_type",
                               name="Sổ công văn", document_types=["CV"])
    clerks = [make_user(f"vanthu{i}", o["office"], "clerk", title="Văn thư")
              for i in range(ISSUES + PATCHES)]
    issuers = [_client(c) for c in clerks[:ISSUES]]
    configurers = [_client(c) for c in clerks[ISSUES:]]
    reviewers = [_client(o["unit_head"]) for _ in range(REVIEWS)]
    year = timezone.localdate().year

    statuses: list[tuple[str, int, bytes]] = []
    lock = threading.Lock()

    def act(i: int) -> None:
        if i < ISSUES:
            kind = "issue"
            response = _post(issuers[i], f"{BASE}/outgoing/{to_issue[i].pk}/issue", {"medium": "paper"})
        elif i < ISSUES + PATCHES:
            kind = "patch"
            j = i - ISSUES
            register = shared if j % 2 else per_type
            body = ({"name": f"Sổ văn bản đi {j}"} if register is shared or j % 4 == 0
                    else {"name": f"Sổ công văn {j}", "document_types": ["CV"]})
            response = configurers[j].patch(f"{BASE}/registers/config/{register.pk}",
                                             json.dumps(body), content_type="application/json")
        else:
            kind = "review"
            j = i - ISSUES - PATCHES
            response = _post(reviewers[j], f"{BASE}/outgoing/{to_review[j // 2].pk}/review",
                             {"step": "content", "decision": "approved"})
        with lock:
            statuses.append((kind, response.status_code, response.content[:300]))

    errors = run_threads(act, ISSUES + PATCHES + REVIEWS, timeout=300)
    assert not errors, errors
    server_errors = [s for s in statuses if s[1] >= 500]
    assert not server_errors, server_errors
    # Every issue and change goes through; of two decisions on one step, one is recorded and
    # the other is told the step is already done (409).
    assert sorted(kind for kind, status, _ in statuses if status == 200) == sorted(
        ["issue"] * ISSUES + ["patch"] * PATCHES + ["review"] * (REVIEWS // 2)), statuses
    assert [status for kind, status, _ in statuses if kind == "review"].count(409) == (
        REVIEWS // 2), statuses

    rows = list(OutgoingDocument.objects.filter(pk__in=[d.pk for d in to_issue])
                .values_list("number", "state", "register_id"))
    assert {(state, register) for _n, state, register in rows} == {("issued", shared.pk)}
    assert sorted(n for n, *_ in rows) == list(range(1, ISSUES + 1))  # gapless, unique
    assert Sequence.objects.get(scope=Register.objects.get(pk=shared.pk).sequence_scope,
                                series="outgoing", year=year).last_value == ISSUES
    for draft in to_review:
        assert list(draft.approvals.values_list("step", "decision")) == [("content", "approved")]

