"""Person search (services/persons.py): the word-start rule for one or two letters, the
communes resolved to their ids (isolation kept), a constant number of statements; the other
criteria of issue 13 — a date or year of birth, the father's and the mother's names (folded),
through the service, GET /api/v1/civil/persons and the search page; a supervisor's search over
every commune (on PostgreSQL through the words' prefixes index) finding what a registrar's
search of the same text finds."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from egov.civil.models import Person
from egov.civil.services.persons import person_search
from egov.core import tokens
from egov.core.errors import InvalidInput
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


# --- date or year of birth, parents' names ------------------------------------------------------


@pytest.fixture
def family(civ):
    """Two families in the commune, one in the other commune; a father registered elsewhere."""
    c, o = civ["commune"], civ["other"]

    def person(name, sex, born, commune=c, **kw):
        return Person.objects.create(full_name=name, sex=sex, birth_date=born, commune=commune,
                                     **kw)

    duc = person("Nguyễn Văn Đức", "male", dt.date(1988, 3, 2))
    ngoc = person("Trần Thị Bích Ngọc", "female", dt.date(1990, 7, 9))
    hung = person("Lê Quang Hưng", "male", dt.date(1985, 1, 1), commune=o)  # another commune
    lan = person("Phạm Thị Lan", "female", dt.date(1987, 5, 5))
    return {
        "duc": duc, "ngoc": ngoc, "hung": hung, "lan": lan,
        "tuyet": person("Nguyễn Thị Ánh Tuyết", "female", dt.date(2015, 6, 1), father=duc,
                        mother=ngoc),
        "minh": person("Nguyễn Văn Minh", "male", dt.date(2015, 12, 31), father=duc,
                       mother=ngoc),
        "an": person("Lê Văn An", "male", dt.date(2016, 1, 1), father=hung, mother=lan),
        "far": person("Nguyễn Thị Ánh Tuyết", "female", dt.date(2015, 6, 1), commune=o),
    }


def test_a_date_or_a_year_of_birth(civ, family):
    reg = civ["registrar"]
    assert found(reg, "", born="2015") == ["Nguyễn Thị Ánh Tuyết", "Nguyễn Văn Minh"]
    assert found(reg, "", born=2016) == ["Lê Văn An"]
    assert found(reg, "nguyen", born="01/06/2015") == ["Nguyễn Thị Ánh Tuyết"]
    assert found(reg, "nguyen", born="2015-12-31") == ["Nguyễn Văn Minh"]
    assert found(reg, "nguyen", born=dt.date(2015, 12, 31)) == ["Nguyễn Văn Minh"]
    assert found(reg, "tuyet", born="1/6/2015") == ["Nguyễn Thị Ánh Tuyết"]
    assert found(reg, "tuyet", born="2014") == []
    assert found(civ["supervisor"], "anh tuyet", born="2015") == ["Nguyễn Thị Ánh Tuyết"] * 2


@pytest.mark.parametrize("born", ["15", "20155", "31/02/2015", "2015-13-01", "abcd", "1799",
                                  "0001-01-01", "01-06-2015", True, 3000])
def test_a_date_of_birth_that_is_not_one_is_refused_by_its_field(civ, family, born):
    with pytest.raises(InvalidInput) as err:
        person_search(actor=civ["registrar"], q="nguyen", born=born)
    assert list(err.value.fields) == ["born"]


def test_the_parents_names_folded_as_the_name_is(civ, family):
    reg = civ["registrar"]
    assert found(reg, "", father="nguyen van duc") == ["Nguyễn Thị Ánh Tuyết", "Nguyễn Văn Minh"]
    assert found(reg, "", mother="  TRẦN thị  bích ") == ["Nguyễn Thị Ánh Tuyết",
                                                         "Nguyễn Văn Minh"]
    assert found(reg, "minh", father="duc", mother="ngoc") == ["Nguyễn Văn Minh"]
    assert found(reg, "", mother="b") == ["Nguyễn Thị Ánh Tuyết", "Nguyễn Văn Minh"]  # Bích
    assert found(reg, "", mother="i") == []  # one letter: the start of a word only
    assert found(reg, "", mother="lan", born="2016") == ["Lê Văn An"]
    assert found(reg, "tuyet", father="hung") == []
    # The father's record is in a commune the registrar may not read: his name finds nothing
    # (the person's page hides him too); the province supervisor reads both communes.
    assert found(reg, "", father="le quang hung") == []
    assert found(civ["supervisor"], "", father="le quang hung") == ["Lê Văn An"]
    assert found(civ["other_registrar"], "", mother="pham thi lan") == []
    with pytest.raises(InvalidInput) as err:
        person_search(actor=reg, father="x" * 201)
    assert list(err.value.fields) == ["father"]


def test_over_many_communes_a_text_matches_at_the_start_of_a_word(civ, people, family):
    """The supervisor's search over every commune (on PostgreSQL: the newest records, then the
    name tags' GIN index) finds what the registrars' searches find at the start of a word."""
    sup, mine, theirs = civ["supervisor"], civ["registrar"], civ["other_registrar"]
    for q in ("nguyen van an", "van a", "an", "a", "y", "le van", "nguyen  van", "bich ngoc",
              "tran thi b", "quang hun", "thi anh tuyet", "nguyen thi anh t", "tuyet", "lan",
              "nguyen xuyen", "phan thi lan", "d"):
        assert found(sup, q) == sorted(found(mine, q) + found(theirs, q)), q
    # inside a word: a registrar's commune only (across a province it names nobody)
    assert found(mine, "uan") == ["Phạm Minh Tuấn"] and found(sup, "uan") == []
    assert found(mine, "guyen van a") == ["Nguyễn Văn An"] and found(sup, "guyen van a") == []
    assert found(sup, "thi anh tuyet", born="2015") == ["Nguyễn Thị Ánh Tuyết"] * 2


@pytest.mark.parametrize("first, dense, window", [
    (3, 100, 3),  # the first window, then the index
    (4, 1, 3),  # the first window, windows read on (dense enough), then the index
    (1000, 8, 1000),  # the windows alone
])
def test_over_many_communes_the_pages_go_on_past_the_newest_records(civ, monkeypatch, first,
                                                                    dense, window):
    """Matches among the newest records first, then the older ones from the index: newest
    first, no repeats, whatever the windows."""
    from egov.civil.services import persons

    monkeypatch.setattr(persons, "FIRST_WINDOW", first)
    monkeypatch.setattr(persons, "DENSE", dense)
    monkeypatch.setattr(persons, "WINDOW", window)
    made = [Person.objects.create(full_name=name, sex="female",
                                  commune=civ["commune"] if i % 2 else civ["other"])
            for i, name in enumerate(["Đỗ Thị Hoa"] * 4 + ["Lê Văn Tám"] * 5 + ["Đỗ Thị Hòa"]
                                     + ["Trần Văn Bảy"] * 4 + ["Đỗ Thị Hoa"] * 3)]
    want = sorted((p.pk for p in made if p.name_folded.startswith("do thi hoa")), reverse=True)
    seen, cursor = [], None
    while True:
        page = person_search(actor=civ["supervisor"], q="do thi hoa", cursor=cursor, limit=2)
        seen += [p.pk for p in page.items]
        cursor = page.next
        if cursor is None:
            break
    assert seen == want
    with pytest.raises(InvalidInput):
        person_search(actor=civ["supervisor"], q="do thi", cursor="WyJ4Il0")  # ["x"]


def test_the_criteria_keep_the_statements_and_the_audit(civ, family):
    reg = civ["registrar"]

    def statements(**kw):
        reg.__dict__.pop("_egov_grants", None)
        with CaptureQueriesContext(connection) as ctx:
            person_search(actor=reg, **kw)
        return len(ctx.captured_queries)

    statements(q="minh")  # the audit chain's first link
    few = statements(q="nguyen", born="2015", father="duc", mother="ngoc")
    Person.objects.bulk_create([Person(full_name=f"Nguyễn Văn {i}", name_folded=f"nguyen van {i}",
                                       sex="male", commune=civ["commune"], father=family["duc"],
                                       mother=family["ngoc"], birth_date=dt.date(2015, 1, 2))
                                for i in range(30)])
    assert statements(q="nguyen", born="2015", father="duc", mother="ngoc") == few
    last = AuditEvent.objects.filter(action="civil.person.read").order_by("-id").first()
    assert last.details["purpose"] == "search" and len(last.details["ids"]) == 32
    assert "Nguyễn" not in json.dumps(last.details)


def _api(client, user, **params):
    _token, raw = tokens.token_create(actor=user, name="test")
    return client.get("/api/v1/civil/persons", params, HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_the_api_takes_the_criteria(client, civ, family):
    reg = civ["registrar"]
    r = _api(client, reg, born="2015", father="nguyen van duc", mother="tran thi")
    assert r.status_code == 200, r.content
    assert sorted(p["full_name"] for p in r.json()["items"]) == ["Nguyễn Thị Ánh Tuyết",
                                                               "Nguyễn Văn Minh"]
    r = _api(client, reg, q="minh", born="31/12/2015")
    assert [p["full_name"] for p in r.json()["items"]] == ["Nguyễn Văn Minh"]
    r = _api(client, reg, q="nguyen", born="2015-02-30")
    assert r.status_code == 422 and list(r.json()["fields"]) == ["born"]
    for params in ({"born": "1" * 11}, {"born": "20 15"}, {"father": "x" * 201},
                   {"mother": "y" * 201}):
        assert _api(client, reg, **params).status_code == 422, params
    assert _api(client, civ["other_registrar"], father="duc").json()["items"] == []


def test_the_search_page_has_the_fields_and_their_errors(client, civ, family):
    client.force_login(civ["registrar"])
    url = reverse("civil:person_search")
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert all(f'name="{name}"' in html for name in ("q", "born", "father", "mother"))
    page = client.get(url, {"born": "2015", "mother": "bich ngoc"})
    html = page.content.decode()
    assert page.status_code == 200 and "Nguyễn Văn Minh" in html and "Lê Văn An" not in html
    page = client.get(url, {"q": "minh", "born": "32/01/2015"})
    html = page.content.decode()
    assert page.status_code == 422 and 'id="id_born_error"' in html
    assert 'id="id_q_error"' not in html
    page = client.get(url, {"father": "x" * 201})
    assert page.status_code == 422 and 'id="id_father_error"' in page.content.decode()
    # the next page keeps the criteria
    Person.objects.bulk_create([Person(full_name=f"Nguyễn Văn {i}", name_folded=f"nguyen van {i}",
                                       sex="male", commune=civ["commune"], mother=family["ngoc"],
                                       birth_date=dt.date(2015, 1, 2)) for i in range(30)])
    html = client.get(url, {"born": "2015", "mother": "ngoc"}).content.decode()
    assert "born=2015&amp;father=&amp;mother=ngoc&amp;cursor=" in html
