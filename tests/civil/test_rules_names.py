"""The matching rules of duplicate detection (civil.rules_names), one by one: each planted
variation of a person's name or date is recognised, and each near miss is not."""

from __future__ import annotations

import datetime as dt

import pytest

from egov.civil import rules_names as r

DAY = dt.date(2020, 3, 14)


def person(name, born=DAY, sex="male", place="Trạm y tế xã", mother=None):
    return {"full_name": name, "sex": sex, "birth_date": born, "birth_place": place,
            "mother_id": mother}


def test_parse_splits_family_middle_given_and_folds():
    n = r.parse("  Đặng   Thị Thu  Hà ")
    assert (n.family, n.middle, n.given) == ("dang", ("thi", "thu"), "ha")
    assert r.parse("Huỳnh Văn Ba").family == "hoang"
    assert r.parse("Võ Thị Sáu").family == "vu"
    assert r.parse("").words == ()


def test_same_name_and_folded_diacritics():
    assert r.name_similarity("Nguyễn Văn Đạt", "nguyễn  văn đạt") == (1.0, r.SAME_NAME)
    score, why = r.name_similarity("Nguyễn Văn Đạt", "Nguyen Van Dat")
    assert why == r.SAME_NAME_FOLDED and score >= 0.95
    # đ folds to d, not to nothing
    assert r.name_similarity("Đỗ Đức Định", "Do Duc Dinh")[1] == r.SAME_NAME_FOLDED


def test_common_middle_name_dropped_or_added():
    assert r.name_similarity("Nguyễn Văn Hùng", "Nguyễn Hùng") == (0.95, r.MIDDLE_NAME)
    assert r.name_similarity("Lê Lan", "Lê Thị Lan")[1] == r.MIDDLE_NAME
    assert r.name_similarity("Phạm Ngọc Ánh", "Pham Anh")[1] == r.MIDDLE_NAME
    # Văn / Thị say less than the other common middle names
    assert r.name_similarity("Phạm Ngọc Ánh", "Pham Anh")[0] < \
        r.name_similarity("Phạm Thị Ánh", "Pham Anh")[0]
    # a middle name that is not common is not ignorable
    score, why = r.name_similarity("Trần Bảo Châu", "Trần Châu")
    assert why != r.MIDDLE_NAME and score < 0.9
    # a middle name replaced by another is no slip, even a common one
    score, why = r.name_similarity("Nguyễn Quang Anh", "Nguyễn Văn Anh")
    assert why is None and score < r.NAME_MIN


def test_dropped_middle_names_keep_their_order():
    assert r._dropped(("thi", "thu"), ("thu",)) == {"thi"}
    assert r._dropped((), ("van", "minh")) == {"van", "minh"}
    assert r._dropped(("van",), ("thi",)) is None
    assert r._dropped(("thu", "thi"), ("thi", "thu")) is None


def test_transposed_given_names():
    assert r.name_similarity("Nguyễn Thị Thu Trang", "Nguyễn Thị Trang Thu") == \
        (0.92, r.TRANSPOSED)
    assert r.name_similarity("Lê Hoàng Anh Khoa", "Le Khoa Anh Hoang")[1] == r.TRANSPOSED


def test_one_letter_typo_and_not_two():
    assert r.name_similarity("Trần Thị Lan", "Trần Thị Lna") == (0.90, r.TYPO)
    assert r.name_similarity("Trần Thị Lan", "Trần Thị Lann")[1] == r.TYPO
    assert r.name_similarity("Thái Thu Trang", "Thái Thutrang")[1] == r.TYPO
    score, why = r.name_similarity("Trần Thị Lan", "Trần Thị Lim")
    assert why is None and score < 0.5


def test_edit_distance_counts_a_swap_as_one():
    assert r.edit_distance("hung", "hugn") == 1
    assert r.edit_distance("hung", "hung") == 0
    assert r.edit_distance("hung", "ha") == 2


def test_family_name_variants():
    assert r.name_similarity("Huỳnh Văn Ba", "Hoàng Văn Ba")[1] == r.FAMILY_VARIANT
    assert r.name_similarity("Võ Thị Sáu", "Vũ Thị Sáu")[1] == r.FAMILY_VARIANT
    # another family name is no variant
    assert r.name_similarity("Lê Thị Lan", "Trần Thị Lan")[0] <= 0.6


def test_given_name_tells_siblings_apart():
    score, why = r.name_similarity("Nguyễn Văn Nam", "Nguyễn Văn Bắc")
    assert why is None and score < 0.5
    assert r.given_differs("Nguyễn Văn Nam", "Nguyễn Văn Bắc")
    assert not r.given_differs("Nguyễn Văn Nam", "Nguyễn Văn Năm")  # folded equal


@pytest.mark.parametrize(("days", "reason", "low", "high"), [
    (0, r.SAME_DATE, 1.0, 1.0), (1, r.NEAR_DATE, 0.9, 0.9), (5, r.NEAR_DATE, 0.8, 0.8),
    (20, r.MONTH_DATE, 0.3, 0.3), (200, None, 0.0, 0.0), (800, None, 0.0, 0.0)])
def test_date_window(days, reason, low, high):
    score, why = r.date_similarity(DAY, DAY + dt.timedelta(days=days))
    assert why == reason and low <= score <= high


def test_day_and_month_swapped_and_unknown_date():
    assert r.date_similarity(dt.date(2020, 3, 5), dt.date(2020, 5, 3))[1] == r.SWAPPED_DATE
    assert r.date_similarity(None, DAY) == (0.5, None)


def test_planted_duplicates_are_likely():
    old = person("Nguyễn Văn Hùng")
    for new in (person("Nguyen Van Hung"), person("Nguyễn Hùng"),
                person("Nguyễn Hùng Văn"), person("Nguyễn Văn Hùg"),
                person("Nguyễn Văn Hùng", DAY + dt.timedelta(days=4)),
                person("Nguyen Hung", DAY - dt.timedelta(days=3), place="")):
        m = r.match(new, old)
        assert m.likely, (new, m)
        assert m.reasons


def test_date_far_apart_is_not_a_duplicate():
    # Same name, born three years apart: namesakes (a common name in one commune).
    m = r.match(person("Nguyễn Văn Hùng", dt.date(2023, 3, 14)), person("Nguyễn Văn Hùng"))
    assert not m.likely
    # A few days apart it is.
    assert r.match(person("Nguyễn Văn Hùng", DAY + dt.timedelta(days=6)),
                   person("Nguyễn Văn Hùng")).likely


def test_a_name_no_rule_explains_is_not_enough():
    # Same day, sex and place, same given name, another family name: strangers.
    m = r.match(person("Lê Thị Anh", sex="female"), person("Trịnh Thị Anh", sex="female"))
    assert not m.likely
    # ... and another middle name
    assert not r.match(person("Nguyễn Quang Anh"), person("Nguyễn Văn Anh")).likely


def test_other_sex_lowers_the_score():
    same = r.match(person("Nguyễn Ngọc Anh"), person("Nguyễn Ngọc Anh"))
    other = r.match(person("Nguyễn Ngọc Anh", sex="female"), person("Nguyễn Ngọc Anh"))
    assert other.score < same.score


def test_same_mother_within_270_days_is_a_duplicate_birth():
    old = person("Trần Thị Mai", sex="female", mother=7)
    # Another given name, 200 days later: still the same birth, by the same mother.
    m = r.match(person("Trần Thị Hoa", DAY + dt.timedelta(days=200), sex="female", mother=7),
                old)
    assert m.likely and m.reasons[0] == r.MOTHER_270
    # 300 days later: a sibling.
    sibling = r.match(person("Trần Thị Hoa", DAY + dt.timedelta(days=300), sex="female",
                             mother=7), old)
    assert not sibling.likely
    # Without the mother the 200-day case is no duplicate either.
    assert not r.match(person("Trần Thị Hoa", DAY + dt.timedelta(days=200), sex="female"),
                       person("Trần Thị Mai", sex="female")).likely


def test_twins_with_different_given_names_are_not_duplicates():
    old = person("Lê Văn Phúc", mother=9)
    twin = r.match(person("Lê Văn Lộc", mother=9), old)
    assert not twin.likely
    assert not r.match(person("Lê Văn Lộc", DAY + dt.timedelta(days=1), mother=9), old).likely
    # a slip of the date does not make twins one child
    assert not r.match(person("Lê Văn Lộc", DAY + dt.timedelta(days=3), mother=9), old).likely
    # The same child twice (one-letter slip) on the same day by the same mother is a duplicate.
    again = r.match(person("Lê Văn Phú", mother=9), old)
    assert again.likely
    # ... and so is the same names transposed.
    assert r.match(person("Lê Phúc Văn", mother=9), old).likely


def test_namesake_with_another_mother_and_date_is_not_a_duplicate():
    old = person("Phạm Thị Hương", sex="female", mother=1)
    m = r.match(person("Phạm Thị Hương", DAY + dt.timedelta(days=40), sex="female", mother=2),
                old)
    assert not m.likely
    # Different mothers on record lower a same-day match too
    same_day = r.match(person("Phạm Thị Hương", sex="female", mother=2), old)
    alone = r.match(person("Phạm Thị Hương", sex="female"), old)
    assert same_day.score < alone.score


def test_place_of_birth_counts():
    here = r.match(person("Đinh Công Tráng", place="Bệnh viện huyện"),
                   person("Đinh Công Tráng", place="Bệnh viện huyện"))
    there = r.match(person("Đinh Công Tráng", place="Tại nhà"),
                    person("Đinh Công Tráng", place="Bệnh viện huyện"))
    assert here.score > there.score and r.SAME_PLACE in here.reasons


def test_empty_names_do_not_match():
    assert r.name_similarity("", "Nguyễn Văn A") == (0.0, None)
    assert not r.match(person(""), person("Nguyễn Văn A")).likely


def test_the_cheap_filter_never_drops_a_name_a_rule_accepts():
    base = ["Nguyễn Văn Hùng", "Trần Thị Thu Trang", "Huỳnh Ngọc Ánh", "Lê Bảo Châu", "Thutrang"]
    variants = []
    for name in base:
        words = name.split()
        variants += [name, r.fold(name), " ".join(words[::-1]), " ".join(words[:1] + words[2:]),
                     name.replace("a", "e", 1), name.replace("n", "", 1), "Hoàng " + name]
    for a in base:
        for b in variants:
            if r.name_similarity(a, b)[0] >= r.NAME_MIN:
                assert r.may_match(r.parse(a), r.parse(b)), (a, b)
    assert not r.may_match(r.parse("Nguyễn Văn Hùng"), r.parse("Trần Văn Nam"))
