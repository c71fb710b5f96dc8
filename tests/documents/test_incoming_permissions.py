"""The permission matrix of incoming documents: role × action × own agency / other agency,
checked on the services and selectors (which the API and the pages call) and on the pages."""

from __future__ import annotations

import pytest

from egov.core.errors import NotFound, PermissionDenied
from egov.documents.selectors import incoming as sel
from egov.documents.services import incoming as svc
from tests.documents.conftest import incoming_data, unique_pdf

pytestmark = pytest.mark.django_db

# who: the documents fixture's people. Own agency = the province committee (the document's),
# other agency = the Department of Justice.
PEOPLE = ["clerk", "leader", "unit_head", "officer", "justice_clerk", "justice_leader"]

# action → the people allowed (everybody else is refused).
MATRIX = {
    "register": {"clerk"},
    "view_before_assignment": {"clerk", "leader"},
    "view_after_assignment": {"clerk", "leader", "unit_head", "officer"},
    "assign": {"leader"},
    "reassign": {"unit_head", "leader"},
    "complete": {"unit_head", "officer"},
    "forward": {"unit_head", "officer"},
    "return": {"unit_head", "officer"},
}


@pytest.fixture
def doc(docs_org, register_incoming):
    return register_incoming()


@pytest.fixture
def lead(docs_org, doc):
    return svc.incoming_assign(actor=docs_org["leader"], document=doc, instruction="",
                               assignments=[{"unit_id": docs_org["economy"].pk,
                                             "role": "lead"}])[0]


def _allowed(call) -> bool:
    try:
        call()
    except (PermissionDenied, NotFound):
        return False
    return True


@pytest.mark.parametrize("who", PEOPLE)
def test_register(docs_org, who):
    def call():
        svc.incoming_register(actor=docs_org[who], agency=docs_org["province"],
                              file=("a.pdf", unique_pdf()), data=incoming_data())
    assert _allowed(call) == (who in MATRIX["register"])


@pytest.mark.parametrize("who", PEOPLE)
def test_other_agency_clerk_registers_only_for_their_own(docs_org, who):
    def call():
        svc.incoming_register(actor=docs_org[who], agency=docs_org["justice"],
                              file=("a.pdf", unique_pdf()), data=incoming_data())
    assert _allowed(call) == (who == "justice_clerk")


@pytest.mark.parametrize("who", PEOPLE)
def test_view(docs_org, doc, who):
    actor = docs_org[who]
    assert _allowed(lambda: sel.incoming_get(actor=actor, id=doc.pk)) == (
        who in MATRIX["view_before_assignment"])
    listed = [d.pk for d in sel.incoming_list(actor=actor).items]
    assert (doc.pk in listed) == (who in MATRIX["view_before_assignment"])


@pytest.mark.parametrize("who", PEOPLE)
def test_view_after_assignment(docs_org, doc, lead, who):
    actor = docs_org[who]
    assert _allowed(lambda: sel.incoming_get(actor=actor, id=doc.pk)) == (
        who in MATRIX["view_after_assignment"])


@pytest.mark.parametrize("who", PEOPLE)
def test_assign(docs_org, doc, who):
    def call():
        svc.incoming_assign(actor=docs_org[who], document=doc, instruction="",
                            assignments=[{"unit_id": docs_org["economy"].pk, "role": "lead"}])
    assert _allowed(call) == (who in MATRIX["assign"])
    in_queue = [d.pk for d in sel.incoming_leader_queue(actor=docs_org[who]).items]
    assert in_queue == []  # assigned by the leader, or still waiting only for the leader


@pytest.mark.parametrize("who", PEOPLE)
def test_leader_queue(docs_org, doc, who):
    in_queue = [d.pk for d in sel.incoming_leader_queue(actor=docs_org[who]).items]
    assert (doc.pk in in_queue) == (who == "leader")


@pytest.mark.parametrize("who", PEOPLE)
def test_reassign(docs_org, lead, who):
    def call():
        svc.assignment_reassign(actor=docs_org[who], assignment=lead,
                                to_user_id=docs_org["officer"].pk)
    assert _allowed(call) == (who in MATRIX["reassign"])


@pytest.mark.parametrize("op", ["complete", "forward", "return"])
@pytest.mark.parametrize("who", PEOPLE)
def test_assignee_actions(docs_org, lead, who, op):
    actor = docs_org[who]
    calls = {
        "complete": lambda: svc.assignment_complete(actor=actor, assignment=lead, result="x"),
        "forward": lambda: svc.assignment_forward(actor=actor, assignment=lead,
                                                  to_unit_id=docs_org["office"].pk),
        "return": lambda: svc.assignment_return(actor=actor, assignment=lead, reason="r"),
    }
    assert _allowed(calls[op]) == (who in MATRIX[op])


@pytest.mark.parametrize("who", PEOPLE)
def test_pages(client, docs_org, doc, who):
    client.force_login(docs_org[who])
    expect = {
        "/documents/incoming/": 200,
        "/documents/incoming/mine/": 200,
        "/documents/incoming/new/": 200 if who in {"clerk", "justice_clerk"} else 403,
        "/documents/incoming/queue/": 200 if who in {"leader", "justice_leader"} else 403,
        f"/documents/incoming/{doc.pk}/": 200 if who in {"clerk", "leader"} else 404,
        f"/documents/incoming/{doc.pk}/file/": 200 if who in {"clerk", "leader"} else 404,
    }
    got = {url: client.get(url).status_code for url in expect}
    assert got == expect
    r = client.post(f"/documents/incoming/{doc.pk}/assign/", {
        f"doc{doc.pk}-lead_unit": docs_org["economy"].pk})
    assert r.status_code == {"leader": 302, "clerk": 403}.get(who, 404)


def test_anonymous_is_sent_to_sign_in(client, doc):
    for url in ["/documents/incoming/", "/documents/incoming/new/",
                f"/documents/incoming/{doc.pk}/", f"/documents/incoming/{doc.pk}/file/"]:
        r = client.get(url)
        assert r.status_code == 302 and r["Location"].startswith("/login/")
