"""The permission matrix of the shared kernel: role × action × where.

Roles are data (RoleGrant rows seeded by migration 0002 from egov/core/catalog.py). The expected
answers are written out here by hand, not derived from that data, so a changed grant shows up as
a failing cell. Modules register their own actions and test them in their own matrix.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from egov.core import catalog, policy
from egov.core.models import Delegation, Position, Role, User, WorkItem

Y, N = True, False
# (own unit, sub-unit, other unit, no object)
ALL = (Y, Y, Y, Y)
UNIT = (Y, Y, N, Y)
NONE = (N, N, N, N)
WHERE = ("own", "sub", "other", "none")

MATRIX: dict[str, dict[str, tuple[bool, bool, bool, bool]]] = {
    "admin": {
        "core.manage_orgs": ALL, "core.manage_users": ALL, "core.manage_calendar": ALL,
        "core.view_audit": ALL, "core.view_unit_work": ALL, "core.assign_work": NONE,
    },
    "clerk": {
        "core.manage_orgs": NONE, "core.manage_users": NONE, "core.manage_calendar": NONE,
        "core.view_audit": NONE, "core.view_unit_work": UNIT, "core.assign_work": NONE,
    },
    "leader": {
        "core.manage_orgs": NONE, "core.manage_users": NONE, "core.manage_calendar": NONE,
        "core.view_audit": NONE, "core.view_unit_work": UNIT, "core.assign_work": UNIT,
    },
    "unit_head": {
        "core.manage_orgs": NONE, "core.manage_users": NONE, "core.manage_calendar": NONE,
        "core.view_audit": NONE, "core.view_unit_work": UNIT, "core.assign_work": UNIT,
    },
    "officer": {a: NONE for a in (
        "core.manage_orgs", "core.manage_users", "core.manage_calendar", "core.view_audit",
        "core.view_unit_work", "core.assign_work")},
    "onestop_officer": {a: NONE for a in (
        "core.manage_orgs", "core.manage_users", "core.manage_calendar", "core.view_audit",
        "core.view_unit_work", "core.assign_work")},
    "petition_officer": {a: NONE for a in (
        "core.manage_orgs", "core.manage_users", "core.manage_calendar", "core.view_audit",
        "core.view_unit_work", "core.assign_work")},
    "civil_registrar": {a: NONE for a in (
        "core.manage_orgs", "core.manage_users", "core.manage_calendar", "core.view_audit",
        "core.view_unit_work", "core.assign_work")},
}
CORE_ACTIONS = sorted(MATRIX["admin"])
CELLS = [(role, action) for role in MATRIX for action in CORE_ACTIONS]


def test_matrix_covers_every_role_and_core_action():
    assert set(MATRIX) == set(catalog.ROLES)
    assert {a for a in policy.ACTIONS if a.startswith("core.")} == set(CORE_ACTIONS)
    for row in MATRIX.values():
        assert set(row) == set(CORE_ACTIONS)


def test_roles_are_seeded_as_data(db):
    assert set(Role.objects.values_list("code", flat=True)) >= set(catalog.ROLES)


@pytest.fixture
def places(org, justice_division):
    return {"own": org["justice"], "sub": justice_division, "other": org["finance"],
            "none": None}


@pytest.mark.parametrize(("role", "action"), CELLS)
def test_matrix(make_user, places, role, action):
    user = make_user(f"u_{role}", places["own"], role)
    answers = tuple(policy.can(user, action, places[w]) for w in WHERE)
    assert answers == MATRIX[role][action], dict(zip(WHERE, answers, strict=True))


@pytest.mark.parametrize("role", list(MATRIX))
def test_objects_are_placed_by_their_org_unit(make_user, places, role):
    """An object with an `org_unit` (here a Position) is judged by its unit."""
    user = make_user(f"p_{role}", places["own"], role)
    other_position = Position.objects.create(user=user, org_unit=places["other"], title="x",
                                             valid_from=dt.date(2000, 1, 1),
                                             valid_to=dt.date(2000, 1, 2))
    for action in CORE_ACTIONS:
        assert policy.can(user, action, other_position) == MATRIX[role][action][2]


def test_object_without_a_unit_needs_scope_all(make_user, places):
    thing = object()
    admin = make_user("adm", places["own"], "admin")
    clerk = make_user("clk", places["own"], "clerk")
    assert policy.can(admin, "core.view_unit_work", thing)
    assert not policy.can(clerk, "core.view_unit_work", thing)


def test_unknown_action_is_a_programming_error(make_user, places):
    with pytest.raises(ValueError):
        policy.can(make_user("x", places["own"], "admin"), "core.no_such_action")


def _today():
    return timezone.localdate()


def _fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


@pytest.mark.parametrize(("start", "end", "granted"), [
    (-1, 1, True),    # in force
    (0, 0, True),     # one day: today
    (-5, -1, False),  # ended yesterday
    (1, 5, False),    # not yet
])
def test_delegation_grants_the_delegators_roles_between_its_dates(make_user, org, start, end,
                                                                   granted):
    leader = make_user("chairman", org["justice"], "leader", title="Giám đốc")
    deputy = make_user("deputy", org["office"], "officer")
    Delegation.objects.create(position=leader.positions.get(), delegate=deputy,
                              start=_today() + dt.timedelta(days=start),
                              end=_today() + dt.timedelta(days=end))
    deputy = _fresh(deputy)
    assert policy.can(deputy, "core.assign_work", org["justice"]) is granted
    assert policy.can(deputy, "core.view_unit_work", org["justice"]) is granted
    # only the delegator's roles, only in the delegator's unit
    assert not policy.can(deputy, "core.assign_work", org["office"])
    assert not policy.can(deputy, "core.manage_orgs")


def test_delegation_of_an_ended_position_grants_nothing(make_user, org):
    leader = make_user("chairman", org["justice"], "leader")
    position = leader.positions.get()
    position.valid_to = _today() - dt.timedelta(days=1)
    position.save()
    deputy = make_user("deputy", org["office"], "officer")
    Delegation.objects.create(position=position, delegate=deputy, start=_today(),
                              end=_today() + dt.timedelta(days=3))
    assert not policy.can(_fresh(deputy), "core.assign_work", org["justice"])


@pytest.mark.parametrize(("valid_from", "valid_to", "granted"), [
    (-10, None, True),
    (-10, 0, True),      # ends today: still in force today
    (-10, -1, False),    # ended yesterday
    (1, None, False),    # starts tomorrow
])
def test_position_validity(make_user, org, valid_from, valid_to, granted):
    user = make_user("clerk1", org["justice"], "clerk")
    position = user.positions.get()
    position.valid_from = _today() + dt.timedelta(days=valid_from)
    position.valid_to = None if valid_to is None else _today() + dt.timedelta(days=valid_to)
    position.save()
    user = _fresh(user)
    assert policy.can(user, "core.view_unit_work", org["justice"]) is granted
    assert bool(policy.grants_for(user)) is granted


def test_concurrent_posts_combine(make_user, org):
    user = make_user("kiemnhiem", org["justice"], "clerk")
    extra = Position.objects.create(user=user, org_unit=org["finance"], title="Phó Giám đốc",
                                    is_primary=False)
    extra.roles.set(Role.objects.filter(code="leader"))
    user = _fresh(user)
    assert policy.can(user, "core.view_unit_work", org["justice"])
    assert policy.can(user, "core.view_unit_work", org["finance"])
    assert not policy.can(user, "core.assign_work", org["justice"])
    assert policy.can(user, "core.assign_work", org["finance"])
    assert not policy.can(user, "core.view_unit_work", org["office"])
    assert policy.role_units(user, "core.view_unit_work") == sorted(
        [org["justice"].pk, org["finance"].pk])


@pytest.fixture
def work(org, justice_division):
    items = {}
    for key, unit in [("province", org["province"]), ("justice", org["justice"]),
                      ("division", justice_division), ("finance", org["finance"]),
                      ("commune", org["commune"])]:
        items[key] = WorkItem.objects.create(module="t", kind="k", title=key, assignee_unit=unit)
    return items


def _visible(user, action="core.view_unit_work"):
    qs = WorkItem.objects.filter(policy.unit_q(user, action, "assignee_unit"))
    return set(qs.values_list("title", flat=True))


def test_unit_q_filters_querysets(make_user, org, work):
    clerk = make_user("c", org["justice"], "clerk")
    assert _visible(clerk) == {"justice", "division"}
    assert _visible(clerk, "core.assign_work") == set()
    admin = make_user("a", org["commune"], "admin")
    assert _visible(admin) == set(work)
    officer = make_user("o", org["justice"], "officer")
    assert _visible(officer) == set()
    two = make_user("two", org["finance"], "leader")
    extra = Position.objects.create(user=two, org_unit=org["commune"], title="x")
    extra.roles.set(Role.objects.filter(code="clerk"))
    assert _visible(_fresh(two)) == {"finance", "commune"}
    assert _visible(_fresh(two), "core.assign_work") == {"finance"}


def test_superuser_may_do_everything(org, work):
    root = User.objects.create_superuser("root", password="x" * 12)
    for action in CORE_ACTIONS:
        assert policy.can(root, action, org["commune"])
        assert policy.can(root, action)
    assert _visible(root) == set(work)


def test_inactive_user_may_do_nothing(make_user, org):
    user = make_user("gone", org["justice"], "admin", is_active=False)
    for action in CORE_ACTIONS:
        assert not policy.can(user, action, org["justice"])
        assert not policy.can(user, action)
    with pytest.raises(policy.PermissionDenied):
        policy.require(user, "core.manage_orgs")


def test_inactive_user_sees_no_rows(make_user, org, work):
    user = make_user("gone", org["justice"], "clerk", is_active=False)
    assert _visible(user) == set()


def test_anonymous_may_do_nothing(org):
    for action in CORE_ACTIONS:
        assert not policy.can(AnonymousUser(), action, org["justice"])
        assert not policy.can(None, action)
    assert not WorkItem.objects.filter(policy.unit_q(AnonymousUser(), "core.view_unit_work",
                                                     "assignee_unit")).exists()


def test_agency_scope_covers_the_agency_and_its_divisions_only(org, make_user):
    """A Văn phòng clerk acts for the committee the office serves, not for the Sở under it."""
    from egov.core.models import OrgUnit, OrgUnitKind, Role, RoleGrant

    role = Role.objects.create(code="agency_probe", name="probe")
    RoleGrant.objects.create(role=role, action="core.view_unit_work", scope="agency")
    other_division = OrgUnit.objects.create(kind=OrgUnitKind.DIVISION, name="Phòng Kinh tế",
                                            parent=org["province"])
    justice_division = OrgUnit.objects.create(kind=OrgUnitKind.DIVISION, name="Văn phòng Sở",
                                              parent=org["justice"])
    clerk = make_user("vt", org["office"], "agency_probe", title="Văn thư")
    assert org["office"].agency_id == org["province"].pk
    assert justice_division.agency_id == org["justice"].pk
    expected = {org["province"]: True, org["office"]: True, other_division: True,
                org["justice"]: False, justice_division: False, org["commune"]: False}
    assert {u: policy.can(clerk, "core.view_unit_work", u) for u in expected} == expected
    from egov.core.models import WorkItem

    for unit in expected:
        WorkItem.objects.create(module="core", kind="probe", title=unit.name, assignee_unit=unit)
    seen = WorkItem.objects.filter(policy.unit_q(clerk, "core.view_unit_work", "assignee_unit"))
    assert {w.assignee_unit for w in seen} == {u for u, ok in expected.items() if ok}
