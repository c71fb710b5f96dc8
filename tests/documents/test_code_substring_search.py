"""Code search by substring (issue 9 §4): on PostgreSQL the PL/pgSQL function
egov_code_substring_search (migration documents 0013, its plan kept per connection), called in
the same statement as the prefix function on a first page; elsewhere the ORM. It must find
exactly what visibility.py allows, and see a revoked grant at the very next search."""

from __future__ import annotations

import pytest
from django.db import connection

from egov.core.models import Position, RoleGrant
from egov.documents.models import Assignment, IncomingDocument, OutgoingDocument
from egov.documents.selectors.search import document_search
from egov.documents.selectors.visibility import incoming_visible_q, outgoing_visible_q
from tests.documents.test_code_prefix_search import _fresh, _pages, prefixed  # noqa: F401
from tests.documents.test_search import make_doc, people  # noqa: F401 (fixtures)

PIECE = "7/pfx-"  # after `pieced`: in 17/PFX-0 … 17/PFX-O3, 17/PFX-P, 17/PFX-1; starts none


@pytest.fixture
def pieced(prefixed):  # noqa: F811
    """The documents of `prefixed` with a 1 before their codes (saved one by one, so that
    SQLite's trigram table follows): "7/pfx-" now starts no code and is in ten."""
    for model in (IncomingDocument, OutgoingDocument):
        for doc in model.objects.filter(code__startswith="7/PF"):
            doc.code = "1" + doc.code
            doc.save()
    return prefixed


def _expected(user) -> list[tuple[str, int]]:
    """What visibility.py lets the user see among codes containing PIECE, in the search's
    order (no code starts with it: the newest first — arrival / issue or creation —, kind, id)."""
    user = _fresh(user)
    rows = []
    for kind, model, visible, moment in (
            ("incoming", IncomingDocument, incoming_visible_q(user), "arrival_date"),
            ("outgoing", OutgoingDocument, outgoing_visible_q(user), None)):
        for doc in model.objects.filter(visible, code__icontains=PIECE):
            at = getattr(doc, moment) if moment else (doc.issued_at or doc.created_at)
            rows.append(((-at.timestamp(), kind, -doc.pk), (kind, doc.pk)))
    return [hit for _key, hit in sorted(rows)]


@pytest.mark.django_db
def test_substring_search_sees_exactly_the_visibility_rules_page_after_page(pieced):
    """Each user's pages of two (the first through the prefix-then-substring statement, the
    next ones through the substring function and the cursor) hold exactly what visibility.py
    allows among the codes containing the piece, in the search's order, with no repeat."""
    counts = {}
    for key in ("clerk", "leader", "officer", "other_clerk", "nobody", "head", "root",
                "stand_in"):
        user = pieced[key]
        found = _pages(user, q=PIECE)
        assert found == _expected(user), key
        counts[key] = len(found)
    # every code containing the piece: 4 + 4 + 17/PFX-P + 17/PFX-1 (not 17/PFX, 17/PFY-1, 17/PF)
    assert counts["root"] == 10 and counts["nobody"] == 0
    assert counts["officer"] == 2


@pytest.mark.django_db
def test_a_prefix_hit_is_not_mixed_with_substrings(prefixed):  # noqa: F811
    """When codes start with the query, the page holds those only: 17/PFX-1 contains "7/pfx-"
    but is not found, as before the two searches shared a statement."""
    root = prefixed["root"]
    codes = {h.code for h in document_search(actor=_fresh(root), q="7/pfx-", limit=50).items}
    assert codes == {f"7/PFX-{i}" for i in range(4)} | {f"7/PFX-O{i}" for i in range(4)} \
        | {"7/PFX-P"}
    codes = {h.code for h in document_search(actor=_fresh(root), q="7/pfx-1", limit=50).items}
    assert codes == {"7/PFX-1"}  # and not 17/PFX-1
    # "7/pfx-9" starts no code and no code contains it: nothing, then the words (none)
    assert document_search(actor=_fresh(root), q="7/pfx-9", limit=50).items == []


@pytest.mark.django_db
def test_revoked_access_stops_at_once(pieced):
    """The substring function's plan is kept per connection, the data is not: after a grant is
    taken from the role, or an assignment withdrawn, the very next search sees it."""
    clerk, officer = pieced["clerk"], pieced["officer"]
    justice_in = ("incoming", IncomingDocument.objects.get(code="17/PFX-0").pk)
    finance_in = ("incoming", IncomingDocument.objects.get(code="17/PFX-1", agency=pieced[
        "finance"]).pk)
    for _ in range(6):  # more than PostgreSQL's five custom plans: the kept plan is in use
        assert justice_in in _pages(clerk, q=PIECE)
        assert finance_in in _pages(officer, q=PIECE)
    role = Position.objects.get(user=clerk).roles.get()
    RoleGrant.objects.filter(role=role, action="documents.view_all").delete()
    assert justice_in not in _pages(clerk, q=PIECE)
    Assignment.objects.filter(document_id=finance_in[1]).delete()
    assert finance_in not in _pages(officer, q=PIECE)


@pytest.mark.django_db
def test_first_page_is_one_statement_on_postgresql(pieced, django_assert_max_num_queries):
    """A first page that finds no code starting with the query and falls back to the codes
    containing it is one statement on PostgreSQL (both functions in one round trip); SQLite's
    ORM path reads the grants and one statement per kind and mode at most."""
    clerk = _fresh(pieced["clerk"])
    most = 1 if connection.vendor == "postgresql" else 6
    with django_assert_max_num_queries(most):
        page = document_search(actor=clerk, q=PIECE, limit=50)
    assert page.items and all(PIECE in h.code.lower() for h in page.items)
