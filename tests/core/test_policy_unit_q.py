"""`policy.unit_q` combines safely: "everything" OR'ed with a narrower right stays everything
(Django drops an empty Q() from an OR, which made a superuser or a scope-"all" grant shrink to
the holder's other rights)."""

from __future__ import annotations

import pytest
from django.db.models import Q

from egov.core import policy
from egov.core.models import Position, Role, RoleGrant

pytestmark = pytest.mark.django_db


def _ids(q) -> set[int]:
    return set(Position.objects.filter(q).values_list("pk", flat=True))


def test_scope_all_or_narrower_right_is_everything(org, make_user):
    a = make_user("a", org["commune"], "officer")
    b = make_user("b", org["justice"], "officer")
    role = Role.objects.create(code="inspector_all", name="Thanh tra")
    RoleGrant.objects.create(role=role, action="core.view_audit", scope="all")
    inspector = make_user("inspector", org["office"])
    inspector.positions.first().roles.add(role)
    everyone = _ids(Q())
    assert len(everyone) == 3
    # all-scope view OR no right at all (an action it does not hold)
    q = (policy.unit_q(inspector, "core.view_audit", "org_unit")
         | policy.unit_q(inspector, "core.manage_users", "org_unit"))
    assert _ids(q) == everyone
    # and OR'ed with a plain condition
    assert _ids(policy.unit_q(inspector, "core.view_audit", "org_unit") | Q(user=a)) == everyone
    # AND keeps the other side
    assert _ids(policy.unit_q(inspector, "core.view_audit", "org_unit") & Q(user=b)) == \
        set(b.positions.values_list("pk", flat=True))


def test_superuser_and_nothing(org, make_user):
    make_user("a", org["commune"], "officer")
    su = make_user("root", None, is_superuser=True, is_staff=True)
    nobody = make_user("khach", org["commune"])
    everyone = _ids(Q())
    assert _ids(policy.unit_q(su, "core.view_audit", "org_unit") | Q(pk__in=[])) == everyone
    assert _ids(policy.unit_q(nobody, "core.view_audit", "org_unit")) == set()
    # NOTHING | x is x
    mine = set(nobody.positions.values_list("pk", flat=True))
    assert _ids(policy.unit_q(nobody, "core.view_audit", "org_unit") | Q(user=nobody)) == mine
