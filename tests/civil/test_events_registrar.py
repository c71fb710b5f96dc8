"""A registrar does not register their own or a relative's event (Luật Hộ tịch 2014, Điều
12.1.h; "người thân thích", Luật Hôn nhân và gia đình 2014, Điều 3.19) — refused with code
`registrar_related` on every path — and the family relations are read in a bounded number of
queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from egov.civil import rules
from egov.civil.models import OfficerIdentity, Person
from egov.civil.services.events import certify_marital_status, register_change
from egov.civil.services.events_notes import note_adoption, note_divorce
from egov.civil.services.records import register_birth, register_death, register_marriage

from .test_events_kit import couple, rec, refused, today

pytestmark = pytest.mark.django_db


@pytest.fixture
def family(civ):
    """Three generations around the registrar's own record ("me")."""
    grandpa = rec(civ, "Ông Nội", "male", 80)
    dad = rec(civ, "Bố", "male", 55, father=grandpa)
    uncle = rec(civ, "Chú", "male", 50, father=grandpa)
    me = rec(civ, "Lê Thị Hộ Tịch", "female", 30, father=dad)
    sister = rec(civ, "Em Gái", "female", 25, father=dad)
    cousin = rec(civ, "Em Họ", "male", 27, father=uncle)
    husband = rec(civ, "Chồng", "male", 32)
    couple(civ, me, husband)
    son = rec(civ, "Con Trai", "male", 8, mother=me, father=husband)
    stranger = rec(civ, "Người Lạ", "male", 40)
    OfficerIdentity.objects.create(user=civ["registrar"], person=me)
    return {"grandpa": grandpa, "dad": dad, "uncle": uncle, "me": me, "sister": sister,
            "cousin": cousin, "husband": husband, "son": son, "stranger": stranger}


def test_relatives_among_counts_what_the_law_counts(family):
    me = family["me"].pk
    related = rules.relatives_among(me, {p.pk for p in family.values()})
    assert related == {family[k].pk for k in ("grandpa", "dad", "uncle", "me", "sister",
                                              "cousin", "husband", "son")}


def test_every_register_path_refuses_the_registrar_and_relatives(civ, family):
    reg = civ["registrar"]
    refused("registrar_related", certify_marital_status, actor=reg,
            person={"id": family["me"].pk})
    err = refused("registrar_related", certify_marital_status, actor=reg,
                  person={"id": family["sister"].pk})
    assert "Điều 12.1.h" in err.message
    refused("registrar_related", register_death, actor=reg, person={"id": family["grandpa"].pk},
            death_date=today())
    refused("registrar_related", register_birth, actor=reg, child={
        "full_name": "Cháu Ngoại", "sex": "male", "birth_date": today().isoformat()},
        mother={"id": family["sister"].pk})
    refused("registrar_related", register_marriage, actor=reg,
            husband={"id": family["cousin"].pk},
            wife={"full_name": "Vợ Em Họ", "sex": "female", "birth_date": "1998-01-01"})
    refused("registrar_related", register_change, actor=reg, person={"id": family["son"].pk},
            change_type="supplement", field="birth_place", new_value="Hà Nội", ground="Thiếu")
    refused("registrar_related", note_adoption, actor=reg, child={"id": family["son"].pk},
            adoptive_father={"id": family["stranger"].pk}, authority="UBND",
            decision_number="1", decision_date=today())
    # Nothing was written: the new persons of the refused births and marriages are gone.
    assert not Person.objects.filter(full_name__in=["Cháu Ngoại", "Vợ Em Họ"]).exists()
    family["grandpa"].refresh_from_db()
    assert family["grandpa"].death_date is None
    # A stranger's event is registered; another registrar registers the relative's.
    assert certify_marital_status(actor=reg, person={"id": family["stranger"].pk})
    assert register_death(actor=reg, person={"id": family["stranger"].pk},
                          death_date=today()).kind == "death"


def test_another_registrar_of_the_commune_may_register_it(civ, family, make_user):
    colleague = make_user("tuphap2", civ["commune"], "civil_registrar")
    assert certify_marital_status(actor=colleague, person={"id": family["sister"].pk})


def test_relation_refusal_reads_three_generations_per_query(civ):
    # Two chains of six generations: a handful of queries, not one per ancestor.
    chains = []
    for side in ("A", "B"):
        top = rec(civ, f"Tổ {side}", "male", 100)
        person = top
        for gen in range(6):
            person = rec(civ, f"Đời {gen} {side}", "male" if gen < 5 else
                         ("male" if side == "A" else "female"), 90 - 12 * gen, father=person)
        chains.append(person)
    with CaptureQueriesContext(connection) as queries:
        assert rules.relation_refusal(*chains) is None
    assert len(queries) <= 4, [q["sql"] for q in queries]
    up = rules.ancestors(chains[0], 30)
    assert sorted(up.values()) == [1, 2, 3, 4, 5, 6]
    assert rules.ancestors(chains[0], 2) == {k: v for k, v in up.items() if v <= 2}


def test_an_adoptive_child_and_a_court_note_count_too(civ, family, make_user):
    colleague = make_user("tuphap3", civ["commune"], "civil_registrar")
    adopted = rec(civ, "Con Nuôi Của Tôi", "female", 6)
    colleague_event = note_adoption(
        actor=colleague, child={"id": adopted.pk}, adoptive_mother={"id": family["me"].pk},
        authority="UBND xã An Bình", decision_number="3/QĐ", decision_date=today())
    assert colleague_event.kind == "adoption"
    assert rules.relatives_among(family["me"].pk, {adopted.pk}) == {adopted.pk}
    refused("registrar_related", certify_marital_status, actor=civ["registrar"],
            person={"id": adopted.pk})
    refused("registrar_related", note_divorce, actor=civ["registrar"],
            husband={"id": family["husband"].pk}, wife={"id": family["me"].pk},
            authority="Tòa án", decision_number="1", decision_date=today())
    family["me"].refresh_from_db()
    assert family["me"].spouse_id == family["husband"].pk
