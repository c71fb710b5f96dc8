"""Person search (services/persons.py): the word-start rule for one or two letters, the
communes resolved to their ids (isolation kept), a constant number of statements."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from egov.civil.models import Person
from egov.civil.services.persons import person_search
from egov.core.models import AuditEvent

pytestmark = pytest.mark.django_db

NAMES = ["Nguyễn Văn An", "Lê Thị Anh", "An Thị Bình", "Trần Thị Lan", "Phạm Minh Tuấn",
         "Đỗ Thị Ý", "Hoàng Yến"]


@pytest.fixture
def people(civ):
    made = {name: Person.objects.create(full_name=name, sex="female", commune=civ["commune"])
            for name in NAMES}
    made["other"] = Person.objects.create(full_name="Nguyễn Văn An", sex="male",
                                          commune=civ["other"])
    return made


def found(actor, q, **kw):
    return sorted(p.full_name for p in person_search(actor=actor, q=q, **kw).items)


def test_one_or_two_letters_match_the_start_of_a_word(civ, people):
    reg = civ["registrar"]
    assert found(reg, "an") == ["An Thị Bình", "Lê Thị Anh", "Nguyễn Văn An"]
    assert found(reg, "AN") == found(reg, "an")
    assert found(reg, "y") == ["Hoàng Yến", "Đỗ Thị Ý"]
    assert found(reg, "d") == ["Đỗ Thị Ý"]  # đ folds to d
    assert found(reg, "a") == ["An Thị Bình", "Lê Thị Anh", "Nguyễn Văn An"]
    assert found(reg, "q") == []


def test_three_letters_or_more_match_anywhere(civ, people):
    reg = civ["registrar"]
    assert found(reg, "lan") == ["Trần Thị Lan"]
    assert found(reg, "uan") == ["Phạm Minh Tuấn"]
    assert found(reg, "ran thi") == ["Trần Thị Lan"]
    assert found(reg, "  nguyễn   văn  an ") == ["Nguyễn Văn An"]
    assert found(reg, "van a") == ["Nguyễn Văn An"]  # three letters and a space: anywhere


def test_the_communes_one_may_read_only(civ, people, make_user):
    assert found(civ["registrar"], "nguyen van an") == ["Nguyễn Văn An"]
    mine = person_search(actor=civ["registrar"], q="nguyen van an").items
    assert [p.commune_id for p in mine] == [civ["commune"].pk]
    theirs = person_search(actor=civ["other_registrar"], q="nguyen van an").items
    assert [p.pk for p in theirs] == [people["other"].pk]
    assert found(civ["other_registrar"], "lan") == []
    assert found(civ["supervisor"], "nguyen van an") == ["Nguyễn Văn An", "Nguyễn Văn An"]
    nobody = make_user("khach", civ["commune"])  # a post with no role: no commune to read
    assert person_search(actor=nobody, q="nguyen").items == []
    assert person_search(actor=nobody).items == []


def test_pages_newest_first_and_a_statement_count_that_does_not_grow(civ, people):
    reg = civ["registrar"]
    first = person_search(actor=reg, limit=3)
    assert [p.pk for p in first.items] == sorted((p.pk for p in first.items), reverse=True)
    rest = person_search(actor=reg, cursor=first.next, limit=50)
    assert len(first.items) + len(rest.items) == len(NAMES) and rest.next is None

    def statements(q):
        reg.__dict__.pop("_egov_grants", None)
        with CaptureQueriesContext(connection) as ctx:
            person_search(actor=reg, q=q)
        return len(ctx.captured_queries)

    few = statements("nguyen")
    Person.objects.bulk_create([Person(full_name=f"Nguyễn Văn {i}", name_folded=f"nguyen van {i}",
                                       sex="male", commune=civ["commune"]) for i in range(60)])
    assert statements("nguyen") == few
    assert AuditEvent.objects.filter(action="civil.person.read").exists()


def test_a_name_search_pages_newest_first_without_repeats(civ, people):
    reg = civ["registrar"]
    Person.objects.bulk_create([Person(full_name=f"Nguyễn Thị {i}", name_folded=f"nguyen thi {i}",
                                       sex="female", commune=civ["commune"]) for i in range(7)])
    seen, cursor = [], None
    while True:
        page = person_search(actor=reg, q="nguyen", cursor=cursor, limit=3)
        assert all(p.full_name.startswith("Nguyễn") for p in page.items)
        assert all(p.commune_id == civ["commune"].pk for p in page.items)
        seen += [p.pk for p in page.items]
        cursor = page.next
        if cursor is None:
            break
    assert seen == sorted(seen, reverse=True) and len(seen) == len(set(seen)) == 8
