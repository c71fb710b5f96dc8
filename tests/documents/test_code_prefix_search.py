"""Code search by prefix (issue 9 §4): on PostgreSQL the PL/pgSQL function
egov_code_prefix_search (migration documents 0012, its plan kept per connection), elsewhere the
ORM. Whatever the plan cache keeps, each search reads the actor's posts, roles and delegations
as they are now: a revoked grant stops working at once, in this process and in any other."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from egov.core.models import Delegation, Position, RoleGrant
from egov.documents.models import Assignment, IncomingDocument, OutgoingDocument
from egov.documents.selectors.code_search import _prefix_upper
from egov.documents.selectors.search import document_search
from egov.documents.selectors.visibility import incoming_visible_q, outgoing_visible_q
from tests.documents.test_search import make_doc, people  # noqa: F401 (fixtures)

PREFIX = "7/pfx"


def _fresh(user):
    return type(user).objects.get(pk=user.pk)


def _pages(user, q=PREFIX, limit=2) -> list[tuple[str, int]]:
    """Every hit of the search, page after page (a fresh user object each time, as requests)."""
    found = []
    page = document_search(actor=_fresh(user), q=q, limit=limit)
    while True:
        found += [(h.kind, h.id) for h in page.items]
        if not page.next:
            return found
        page = document_search(actor=_fresh(user), q=q, limit=limit, cursor=page.next)


def _expected(user) -> list[tuple[str, int]]:
    """What visibility.py lets the user see among codes starting with PREFIX, in the search's
    order: the same code first, then the newest (arrival / issue or creation), kind, id."""
    user = _fresh(user)
    rows = []
    for kind, model, visible, moment in (
            ("incoming", IncomingDocument, incoming_visible_q(user), "arrival_date"),
            ("outgoing", OutgoingDocument, outgoing_visible_q(user), None)):
        for doc in model.objects.filter(visible, code__istartswith=PREFIX):
            at = getattr(doc, moment) if moment else (doc.issued_at or doc.created_at)
            rank = 2 if doc.code.lower() == PREFIX else 1
            rows.append(((-rank, -at.timestamp(), kind, -doc.pk), (kind, doc.pk)))
    return [hit for _key, hit in sorted(rows)]


@pytest.fixture
def prefixed(people, make_doc, make_user):  # noqa: F811
    """Documents whose codes start with 7/PFX in four agencies, reached by every visibility rule,
    and codes next to the prefix that must not be found (7/PFY…, 7/PF, 17/PFX…)."""
    agencies = [people["justice"], people["finance"], people["province"], people["commune"]]
    docs = []
    for i, agency in enumerate(agencies):
        docs.append(make_doc("incoming", f"Đến {i}", agency=agency, code=f"7/PFX-{i}"))
        docs.append(make_doc("outgoing", f"Đi {i}", agency=agency, drafter=people["other_clerk"],
                             signer=people["other_clerk"], code=f"7/PFX-O{i}"))
    docs.append(make_doc("incoming", "Đúng số", code="7/PFX"))
    docs.append(make_doc("outgoing", "Dự thảo của phòng", drafting_unit=people["division"],
                         drafter=people["officer"], code="7/PFX-P"))
    for code in ("7/PFY-1", "7/PF", "17/PFX-1"):
        make_doc("incoming", "Không khớp", code=code)
    Assignment.objects.create(document=docs[2], role="inform", assignee_unit=people["division"],
                              assigned_by=people["leader"])
    Assignment.objects.create(document=docs[4], role="lead", assignee_user=people["clerk"],
                              assigned_by=people["leader"])
    extra = {
        "head": make_user("tp_pfx", people["division"], "unit_head", title="Trưởng phòng"),
        "root": make_user("root_pfx", None, is_superuser=True),
        "stand_in": make_user("thay_pfx", None),
    }
    Delegation.objects.create(position=Position.objects.get(user=people["other_clerk"]),
                              delegate=extra["stand_in"], start=dt.date(2000, 1, 1),
                              end=dt.date(2099, 12, 31))
    return {**people, **extra}


@pytest.mark.django_db
def test_prefix_search_sees_exactly_the_visibility_rules_page_after_page(prefixed):
    """Agency grants, unit grants, assignments to the person and to their unit, own drafts and
    signatures, a delegation, the superuser, nobody: each user's pages of two hold exactly what
    visibility.py allows among the codes starting with the prefix, in the search's order, with
    no repeat and nothing near the prefix."""
    counts = {}
    for key in ("clerk", "leader", "officer", "other_clerk", "nobody", "head", "root",
                "stand_in"):
        user = prefixed[key]
        found = _pages(user)
        assert found == _expected(user), key
        counts[key] = len(found)
    assert counts["root"] == 10 and counts["nobody"] == 0
    # the officer: the division's assignment and the division's own draft (drafter)
    assert counts["officer"] == 2
    # Finance's clerk drafted and signed every outgoing one; the stand-in sees Finance's posts'
    # view (its incoming and outgoing documents), not the holder's own drafts elsewhere
    assert counts["other_clerk"] == 5 and counts["stand_in"] == 2


@pytest.mark.django_db
def test_revoked_access_stops_at_once(prefixed):
    """The plan is kept per connection, the data is not: after each change below the very next
    search (same process, same connection, same statement) sees it. Each path that gives access
    to documents: the role's grant, the post's roles, the post itself (ended), a delegation."""
    clerk, stand_in = prefixed["clerk"], prefixed["stand_in"]
    justice_in = ("incoming", IncomingDocument.objects.get(code="7/PFX-0").pk)
    for _ in range(6):  # more than PostgreSQL's five custom plans: the kept plan is in use
        assert justice_in in _pages(clerk)

    # 1. a grant taken from the role (RoleGrant row)
    position = Position.objects.get(user=clerk)
    role = position.roles.get()
    grants = list(RoleGrant.objects.filter(role=role, action="documents.view_all")
                  .values_list("action", "scope"))
    RoleGrant.objects.filter(role=role, action="documents.view_all").delete()
    assert justice_in not in _pages(clerk)
    for action, scope in grants:
        RoleGrant.objects.create(role=role, action=action, scope=scope)
    assert justice_in in _pages(clerk)

    # 2. the role taken from the post
    position.roles.remove(role)
    assert justice_in not in _pages(clerk)
    position.roles.add(role)
    assert justice_in in _pages(clerk)

    # 3. the post ended yesterday
    Position.objects.filter(pk=position.pk).update(
        valid_to=dt.date.today() - dt.timedelta(days=1))
    assert justice_in not in _pages(clerk)
    Position.objects.filter(pk=position.pk).update(valid_to=None)

    # 4. a delegation ended (Finance's documents) and one given (Justice's)
    finance_in = ("incoming", IncomingDocument.objects.get(code="7/PFX-1").pk)
    assert finance_in in _pages(stand_in)
    Delegation.objects.filter(delegate=stand_in).update(end=dt.date.today() - dt.timedelta(1))
    assert _pages(stand_in) == []
    Delegation.objects.create(position=position, delegate=stand_in, start=dt.date(2000, 1, 1),
                              end=dt.date(2099, 12, 31))
    assert justice_in in _pages(stand_in) and finance_in not in _pages(stand_in)

    # 5. an assignment withdrawn (Finance's document assigned to the officer's division)
    officer = prefixed["officer"]
    assert finance_in in _pages(officer)
    Assignment.objects.filter(document_id=finance_in[1]).delete()
    assert finance_in not in _pages(officer)


@pytest.mark.django_db(transaction=True)
def test_revocation_seen_by_another_connection(transactional_db, prefixed):
    """As another server process: a thread has its own database connection (its own session,
    its own kept plan). It searches, this connection revokes the grant and commits, and the
    thread's very next search no longer finds the document."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection as thread_connection

    clerk = prefixed["clerk"]
    justice_in = ("incoming", IncomingDocument.objects.get(code="7/PFX-0").pk)

    def search_there():
        return _pages(clerk, limit=50), id(thread_connection.connection)

    with ThreadPoolExecutor(max_workers=1) as other:
        sessions = set()
        for _ in range(6):
            found, session = other.submit(search_there).result()
            assert justice_in in found
            sessions.add(session)
        RoleGrant.objects.filter(role__positions__user=clerk,
                                 action="documents.view_all").delete()
        found, session = other.submit(search_there).result()
        assert justice_in not in found
        assert sessions == {session}  # one session all along, not a new one
        assert session != id(connection.connection)
        other.submit(lambda: thread_connection.close()).result()


@pytest.mark.django_db
def test_one_statement_on_postgresql(prefixed, django_assert_max_num_queries):
    """The page is one statement on PostgreSQL (the function's call) for a user loaded by the
    session middleware; SQLite's ORM path reads the grants first and one statement per kind at
    most."""
    clerk = _fresh(prefixed["clerk"])
    most = 1 if connection.vendor == "postgresql" else 4
    with django_assert_max_num_queries(most):
        page = document_search(actor=clerk, q=PREFIX, limit=3)
    assert [h.code for h in page.items][:1] == ["7/PFX"] and page.next


def test_prefix_upper_bound():
    assert _prefix_upper("7/pfx") == "7/pfy"
    assert _prefix_upper("12/qđ-") == "12/qđ."
    assert _prefix_upper("ab\ud7ff") is None  # the next code point is a surrogate
    assert _prefix_upper("ab\U0010ffff") is None
    # every string that starts with the needle sorts between it and the bound, byte-wise
    for tail in ("", "a", "\U0010fffe", "ÿ", "đ"):
        assert b"7/pfx" <= ("7/pfx" + tail).encode() < b"7/pfy"
