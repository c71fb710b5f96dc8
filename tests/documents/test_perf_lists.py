"""The fast document lists (selectors.lists): `incoming_list` and `outgoing_list` are a union of
index-ordered branches, so they must return exactly what the plain visibility filter returns, in
the same order, across keyset pages (ties on the date included), with a constant number of
queries; and every assignment carries its document's arrival date (the branches' sort key)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from egov.core import calendar
from egov.core.errors import InvalidInput
from egov.core.models import (
    Delegation,
    OrgUnit,
    OrgUnitKind,
    Position,
    Role,
    RoleGrant,
    User,
)
from egov.documents.models import (
    Assignment,
    DocumentType,
    IncomingDocument,
    OutgoingDocument,
    Register,
)
from egov.documents.selectors.incoming import incoming_list
from egov.documents.selectors.outgoing import outgoing_list
from egov.documents.selectors.visibility import incoming_visible_q, outgoing_visible_q
from egov.documents.services import incoming as svc

pytestmark = pytest.mark.django_db

INCOMING_ORDER = ("-arrival_date", "-id")
OUTGOING_ORDER = ("-created_at", "-id")


def _custom_role(code: str, grants: list[tuple[str, str]]) -> Role:
    role = Role.objects.create(code=code, name=code)
    for action, scope in grants:
        RoleGrant.objects.create(role=role, action=action, scope=scope)
    return role


def _post(user: User, unit: OrgUnit, role: Role, title: str = "Chuyên viên") -> Position:
    pos = Position.objects.create(user=user, org_unit=unit, title=title)
    pos.roles.set([role])
    return pos


@pytest.fixture
def world(docs_org, register_incoming, make_user):
    """Several agencies and units, people with every kind of access (view_all of an agency,
    view_all by unit scope, a delegation in force and an expired one, personal and unit
    assignments, reassignments, forwards), and documents whose dates tie."""
    o = docs_org
    today = timezone.localdate()
    culture = OrgUnit.objects.create(kind=OrgUnitKind.DIVISION, name="Phòng Văn hóa",
                                     abbreviation="VH", parent=o["province"])
    justice_office = OrgUnit.objects.create(kind=OrgUnitKind.DIVISION, name="Văn phòng Sở",
                                            abbreviation="VP", parent=o["justice"])
    people = {
        "culture_head": make_user("tpvanhoa", culture, "unit_head", title="Trưởng phòng"),
        "justice_officer": make_user("cvstp", justice_office, "officer"),
        "finance_clerk": make_user("vanthustc", o["finance"], "clerk", title="Văn thư"),
        "nobody": make_user("khongai", None),
        "root": User.objects.create_superuser(username="root", password="x"),
    }
    # view_all with the "unit" scope at the province: every agency below it, by path.
    inspector_role = _custom_role("inspector", [("documents.view_all", "unit")])
    people["inspector"] = make_user("thanhtra", None)
    _post(people["inspector"], o["province"], inspector_role, "Thanh tra viên")
    # review_content with the "agency" scope: every drafting unit of the Sở Tư pháp.
    reviewer_role = _custom_role("reviewer", [("documents.review_content", "agency")])
    people["reviewer"] = make_user("kiemtra", None)
    _post(people["reviewer"], justice_office, reviewer_role, "Phó Chánh Văn phòng")
    # A delegation in force: the deputy holds the officer's post (unit: Phòng Kinh tế) too.
    people["deputy"] = make_user("phophong", culture, "officer")
    officer_post = Position.objects.get(user=o["officer"])
    Delegation.objects.create(position=officer_post, delegate=people["deputy"],
                              start=today - dt.timedelta(days=1),
                              end=today + dt.timedelta(days=5))
    # An expired one gives nothing: the old delegate of the province's clerk.
    people["old_delegate"] = make_user("uyquyencu", o["finance"], "officer")
    Delegation.objects.create(position=Position.objects.get(user=o["clerk"]),
                              delegate=people["old_delegate"],
                              start=today - dt.timedelta(days=20),
                              end=today - dt.timedelta(days=10))

    # Documents through the services: registered, assigned, reassigned, forwarded.
    served = [register_incoming() for _ in range(4)]
    served += [register_incoming(actor=o["justice_clerk"], agency=o["justice"])
               for _ in range(2)]
    svc.incoming_assign(actor=o["leader"], document=served[0], instruction="Xử lý",
                        assignments=[{"unit_id": o["economy"].pk, "role": "lead"},
                                     {"unit_id": o["office"].pk, "role": "support"}])
    lead = served[0].assignments.get(assignee_unit=o["economy"])
    svc.assignment_reassign(actor=o["unit_head"], assignment=lead, to_user_id=o["officer"].pk)
    svc.incoming_assign(actor=o["leader"], document=served[1], instruction="",
                        assignments=[{"user_id": o["officer2"].pk, "role": "lead"},
                                     {"unit_id": o["economy"].pk, "role": "inform"}])
    svc.incoming_assign(actor=o["leader"], document=served[2], instruction="",
                        assignments=[{"unit_id": o["economy"].pk, "role": "lead"}])
    svc.assignment_forward(actor=o["unit_head"],
                           assignment=served[2].assignments.get(assignee_unit=o["economy"]),
                           to_unit_id=culture.pk, reason="Thuộc lĩnh vực văn hóa")
    svc.incoming_assign(actor=o["justice_leader"], document=served[4], instruction="",
                        assignments=[{"unit_id": justice_office.pk, "role": "lead"}])

    # Many more documents written directly, on 9 arrival times only (ties broken by id),
    # in four agencies, with personal, unit, unit+person and repeated assignments.
    cv, qd, tb = (DocumentType.objects.get(code=c) for c in ("CV", "QD", "TB"))
    agencies = [o["province"], o["justice"], o["finance"], o["commune"]]
    registers = {a.pk: Register.objects.create(agency=a, direction="incoming", kind="incoming",
                                               name="Sổ đến (thử)") for a in agencies}
    numbers = itertools.count(1000)
    base = timezone.now() - dt.timedelta(days=40)
    states = ["registered", "presented", "in_progress", "done"]
    urgencies = ["normal", "normal", "urgent", "flash"]
    bulk = []
    for i in range(150):
        agency = agencies[i % 4]
        at = base + dt.timedelta(days=(i % 9) * 4)
        bulk.append(IncomingDocument.objects.create(
            agency=agency, register=registers[agency.pk], year=at.year,
            arrival_number=next(numbers), arrival_date=at, issuer_name="Bộ Nội vụ",
            number=str(i), notation="BNV-VP", code=f"{i}/BNV-VP", issued_date=at.date(),
            doc_type=[cv, qd, tb][i % 3], subject=f"Văn bản thử {i}",
            urgency=urgencies[i % 4], state=states[i % 4], registered_by=o["clerk"],
        ))
    units = {"economy": o["economy"], "office": o["office"], "culture": culture,
             "justice_office": justice_office}
    for i, doc in enumerate(bulk):
        def give(doc=doc, **who):
            Assignment.objects.create(document=doc, role="support", assigned_by=o["leader"],
                                      **who)
        if i % 3 == 0:
            give(assignee_user=o["officer"])
        if i % 4 == 1:
            give(assignee_unit=units["economy"])
        if i % 5 == 0:  # a unit assignment passed to a person: both fields set
            give(assignee_unit=units["economy"], assignee_user=o["officer2"])
        if i % 6 == 0:  # the same unit twice (e.g. lead and inform)
            give(assignee_unit=units["culture"])
            give(assignee_unit=units["culture"])
        if i % 7 == 0:
            give(assignee_unit=units["justice_office"])
        if i % 11 == 0:
            give(assignee_user=people["justice_officer"])
            give(assignee_user=people["finance_clerk"])
        if i % 13 == 0:
            give(assignee_unit=units["office"])

    # Outgoing documents, created at 7 instants only, by several drafters and units.
    out_units = [o["economy"], o["office"], culture, justice_office, o["finance"]]
    drafters = [o["officer"], o["officer2"], people["culture_head"],
                people["justice_officer"], people["finance_clerk"]]
    # Signers without view_all too (the unit heads), so the signer branch is needed.
    signers = [o["leader"], o["justice_leader"], o["unit_head"], o["leader"],
               people["culture_head"], o["leader"], o["justice_leader"]]
    out_states = ["draft", "in_review", "approved", "issued", "returned"]
    for i in range(120):
        k = i % 5
        OutgoingDocument.objects.create(
            agency=out_units[k].agency, drafting_unit=out_units[k],
            drafter=drafters[(i // 3) % 5], doc_type=[cv, qd, tb][i % 3],
            subject=f"Dự thảo thử {i}", signer=signers[i % 7],
            state=out_states[(i // 5) % 5], field_abbreviation="VP",
            created_at=base + dt.timedelta(hours=(i % 7) * 5),
        )
    return {**o, **people, "culture": culture, "justice_office": justice_office,
            "served": served, "bulk": bulk}


ACTORS = ["clerk", "leader", "unit_head", "officer", "officer2", "justice_clerk",
          "justice_leader", "justice_officer", "culture_head", "finance_clerk", "inspector",
          "reviewer", "deputy", "old_delegate", "nobody", "root"]


def _fresh(user: User) -> User:
    """A new user object: grants and units are computed again, as in a request."""
    return User.objects.get(pk=user.pk)


def _walk(fn, actor, limit: int, **kwargs) -> list[int]:
    ids: list[int] = []
    cursor = None
    for _ in range(1000):
        page = fn(actor=actor, cursor=cursor, limit=limit, **kwargs)
        ids += [d.pk for d in page.items]
        if page.next is None:
            return ids
        assert len(page.items) == limit, "a page before the last one is full"
        cursor = page.next
    raise AssertionError("the pages do not end")


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=calendar.LOCAL_TZ)


def _expected_incoming(actor, **filters) -> list[int]:
    return list(IncomingDocument.objects.filter(incoming_visible_q(actor), **filters)
                .order_by(*INCOMING_ORDER).values_list("pk", flat=True))


def _expected_outgoing(actor, **filters) -> list[int]:
    return list(OutgoingDocument.objects.filter(outgoing_visible_q(actor), **filters)
                .order_by(*OUTGOING_ORDER).values_list("pk", flat=True))


@pytest.mark.parametrize("limit", [1, 7, 50])
def test_incoming_list_is_the_visibility_filter_page_by_page(world, limit):
    sizes = {}
    for name in ACTORS:
        actor = _fresh(world[name])
        expected = _expected_incoming(actor)
        got = _walk(incoming_list, actor, limit)
        assert len(got) == len(set(got)), f"{name}: a document appears twice"
        assert got == expected, name
        sizes[name] = len(expected)
    # The dataset gives each kind of access something to show (and hides something).
    total = IncomingDocument.objects.count()
    assert sizes["root"] == total
    assert sizes["nobody"] == 0 and sizes["old_delegate"] == 0
    assert 0 < sizes["officer"] < total and 0 < sizes["clerk"] < sizes["inspector"] == total
    assert sizes["deputy"] > sizes["culture_head"] > 0  # a delegation adds the officer's unit
    assert 0 < sizes["finance_clerk"] and 0 < sizes["justice_officer"] < sizes["justice_clerk"]


def test_incoming_list_with_filters_is_the_filtered_visibility_filter(world):
    o = world
    day = timezone.localtime(o["bulk"][30].arrival_date).date()
    cases = [
        ({"state": "presented"}, {"state": "presented"}),
        ({"urgency": "urgent_any"}, {"urgency__in": ["urgent", "very_urgent", "flash",
                                                     "flash_timed"]}),
        ({"urgency": "flash"}, {"urgency": "flash"}),
        ({"type": "QD"}, {"doc_type__code": "QD"}),
        ({"agency": str(o["justice"].pk)}, {"agency": o["justice"]}),
        ({"arrival_from": day.isoformat(), "arrival_to": day.isoformat()},
         {"arrival_date__gte": _local_midnight(day),
          "arrival_date__lt": _local_midnight(day + dt.timedelta(days=1))}),
        ({"arrival_from": (day + dt.timedelta(days=5)).isoformat(), "state": "done",
          "type": "CV"},
         {"arrival_date__gte": _local_midnight(day + dt.timedelta(days=5)), "state": "done",
          "doc_type__code": "CV"}),
    ]
    for name in ("clerk", "officer", "culture_head", "inspector", "deputy", "root"):
        actor = _fresh(o[name])
        for filters, lookups in cases:
            expected = _expected_incoming(actor, **lookups)
            assert _walk(incoming_list, actor, 4, filters=filters) == expected, (name, filters)
    assert _expected_incoming(o["clerk"], state="presented")  # the filters select something


def test_incoming_list_refuses_bad_filters_and_cursors(world):
    clerk = world["clerk"]
    with pytest.raises(InvalidInput) as exc:
        incoming_list(actor=clerk, filters={"agency": "abc", "state": "bogus"})
    assert set(exc.value.fields) == {"agency", "state"}
    with pytest.raises(InvalidInput) as exc:
        incoming_list(actor=clerk, cursor="not-a-cursor")
    assert exc.value.code == "bad_cursor"
    with pytest.raises(InvalidInput):
        incoming_list(actor=clerk, limit=0)


def test_incoming_list_query_count_is_constant(world, django_assert_max_num_queries):
    for name in ("clerk", "officer", "inspector", "deputy", "root", "nobody"):
        first = incoming_list(actor=_fresh(world[name]), limit=5)
        actor = _fresh(world[name])  # grants and units not cached yet: counted below
        with django_assert_max_num_queries(6):
            page = incoming_list(actor=actor, limit=5)
            [(d.doc_type.name, d.agency.name) for d in page.items]
        assert [d.pk for d in page.items] == [d.pk for d in first.items]
        if page.next:
            actor = _fresh(world[name])
            with django_assert_max_num_queries(6):
                incoming_list(actor=actor, limit=5, cursor=page.next, filters={"type": "CV"})


@pytest.mark.parametrize("limit", [1, 6, 50])
def test_outgoing_list_is_the_visibility_filter_page_by_page(world, limit):
    sizes = {}
    for name in ACTORS:
        actor = _fresh(world[name])
        expected = _expected_outgoing(actor)
        got = _walk(outgoing_list, actor, limit)
        assert len(got) == len(set(got)), f"{name}: a document appears twice"
        assert got == expected, name
        sizes[name] = len(expected)
    total = OutgoingDocument.objects.count()
    assert sizes["root"] == total == sizes["inspector"]
    assert sizes["nobody"] == 0
    assert all(sizes[n] for n in ("officer", "unit_head", "culture_head", "reviewer",
                                  "justice_officer"))
    assert sizes["clerk"] < total
    # The signer branch: a unit head sees the drafts he is to sign beyond his unit's.
    head = world["culture_head"]
    signed_only = OutgoingDocument.objects.filter(signer=head).exclude(
        drafting_unit=world["culture"]).exclude(drafter=head)
    assert signed_only.exists()
    assert set(signed_only.values_list("pk", flat=True)) <= set(
        _walk(outgoing_list, _fresh(head), limit))


def test_outgoing_list_with_filters_is_the_filtered_visibility_filter(world):
    o = world
    for name in ("clerk", "leader", "unit_head", "officer", "reviewer", "inspector", "root"):
        actor = _fresh(o[name])
        for filters, lookups in [
            ({"state": "issued"}, {"state": "issued"}),
            ({"mine": True}, {"drafter": actor}),
            ({"type_code": "TB"}, {"doc_type__code": "TB"}),
            ({"agency_id": o["justice"].pk}, {"agency": o["justice"]}),
            ({"agency_id": str(o["province"].pk), "state": "draft"},
             {"agency": o["province"], "state": "draft"}),
        ]:
            assert _walk(outgoing_list, actor, 4, filters=filters) == _expected_outgoing(
                actor, **lookups), (name, filters)
    with pytest.raises(InvalidInput) as exc:
        outgoing_list(actor=o["clerk"], filters={"agency_id": "x"})
    assert "agency_id" in exc.value.fields


def test_outgoing_list_query_count_is_constant(world, django_assert_max_num_queries):
    for name in ("clerk", "unit_head", "reviewer", "officer", "inspector", "root"):
        actor = _fresh(world[name])
        with django_assert_max_num_queries(6):
            page = outgoing_list(actor=actor, limit=5)
            [(d.doc_type.name, d.signer.pk, d.drafter.pk, d.agency.name,
              d.drafting_unit.name) for d in page.items]
        assert page.items


def test_every_assignment_carries_its_documents_arrival_date(world):
    rows = list(Assignment.objects.select_related("document"))
    assert len(rows) > 100
    assert {a.parent_id is not None for a in rows} == {True, False}  # reassigned/forwarded too
    for a in rows:
        assert a.doc_arrival_date == a.document.arrival_date, a.pk
