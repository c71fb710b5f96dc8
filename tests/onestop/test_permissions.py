"""Who may do what (catalog.py grants): role × action × own / other agency. A refusal writes
nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from egov.core.errors import PermissionDenied
from egov.core.models import AuditEvent
from egov.onestop.models import Dossier
from egov.onestop.selectors import dossiers as sel
from egov.onestop.services import intake
from egov.onestop.services import processing as p

from . import services_support as support
from .services_support import ALL, APPLICANT, make_procedure

desk = support.desk  # fixture

pytestmark = pytest.mark.django_db


def new(desk, *, forward=False, supplement=False):
    d = intake.dossier_intake(actor=desk["officer"], agency=desk["commune"],
                              procedure_code="1.001234", applicant=APPLICANT,
                              components=ALL).dossier
    if forward:
        p.dossier_forward(actor=desk["officer"], code=d.code)
    if supplement:
        p.dossier_request_supplement(actor=desk["officer"], code=d.code, items=["x"])
    return d


# action → (setup, run, roles that may, at own agency)
CASES = {
    "forward_desk": ({}, lambda a, c: p.dossier_forward(actor=a, code=c), {"officer"}),
    "forward_step": ({"forward": True}, lambda a, c: p.dossier_forward(actor=a, code=c),
                     {"processor", "leader"}),
    "request_supplement": ({"forward": True}, lambda a, c: p.dossier_request_supplement(
        actor=a, code=c, items=["x"]), {"processor", "leader"}),
    "supplement_received": ({"supplement": True},
                            lambda a, c: p.dossier_supplement_received(actor=a, code=c),
                            {"officer"}),
    "apologise": ({}, lambda a, c: p.dossier_apologise(
        actor=a, code=c, new_due=dt.date(2030, 1, 31), reason="x"), {"leader"}),
    "resolve": ({"forward": True}, lambda a, c: p.dossier_resolve(
        actor=a, code=c, medium="paper", number="1"), {"leader"}),
    "stop": ({}, lambda a, c: p.dossier_stop(actor=a, code=c, reason="x"), {"leader"}),
    "withdraw": ({}, lambda a, c: p.dossier_withdraw(actor=a, code=c), {"officer"}),
}
ROLES = ["officer", "processor", "leader", "nobody", "other_officer", "other_processor",
         "other_leader"]


@pytest.mark.parametrize("case", sorted(CASES))
def test_permission_matrix(desk, case):
    make_procedure(days=20)
    setup, run, allowed = CASES[case]
    for role in ROLES:
        d = new(desk, **setup)
        before = (Dossier.objects.values_list("state", "current_step").get(pk=d.pk),
                  AuditEvent.objects.count())
        if role in allowed:
            run(desk[role], d.code)
        else:
            with pytest.raises(PermissionDenied):
                run(desk[role], d.code)
            after = (Dossier.objects.values_list("state", "current_step").get(pk=d.pk),
                     AuditEvent.objects.count())
            assert after == before, (case, role)


def test_visibility(desk):
    make_procedure()
    d = new(desk, forward=True)
    for role in ("officer", "leader", "processor"):  # processor: its unit holds the work item
        assert sel.dossier_get(actor=desk[role], code=d.code) == d
    # "nobody" holds a post in the commune: the unit's work item is in their inbox, so they see
    # it; the other commune's people do not.
    for role in ("other_officer", "other_leader", "other_processor"):
        with pytest.raises(Exception) as err:
            sel.dossier_get(actor=desk[role], code=d.code)
        assert getattr(err.value, "status", None) == 404
    page = sel.desk_list(actor=desk["officer"], state="processing")
    assert [x.pk for x in page.items] == [d.pk]
    assert sel.desk_list(actor=desk["other_officer"]).items == []


def test_desk_list_constant_queries(desk, django_assert_max_num_queries):
    make_procedure()
    for _ in range(3):
        new(desk)
    officer = desk["officer"]
    sel.desk_list(actor=officer, limit=2)  # warm the grants
    with django_assert_max_num_queries(2):
        page = sel.desk_list(actor=officer, limit=2)
        [d.procedure.code for d in page.items]
    with django_assert_max_num_queries(2):
        page2 = sel.desk_list(actor=officer, limit=2, cursor=page.next)
        [d.procedure.code for d in page2.items]
    assert len(page.items) == 2 and len(page2.items) == 1
