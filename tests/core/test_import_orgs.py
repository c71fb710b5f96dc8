"""`egov import-orgs FILE` (command import_orgs): all rows checked first, errors with line
numbers, nothing imported when any row is bad."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation

from egov.core.importers import ImportFailed, import_orgs, parse_date
from egov.core.models import AuditEvent, OrgUnit, OrgUnitName

HEADER = "electronic_id,name,kind,parent_electronic_id,abbreviation,place_name,valid_from,valid_to"

GOOD_CSV = f"""{HEADER}
000.00.00.H99,Ủy ban nhân dân tỉnh Mẫu,province_committee,,UBND,Mẫu,2025-07-01,
000.00.05.H99,Sở Nội vụ,agency,000.00.00.H99,SNV,Mẫu,01/07/2025,
000.05.01.H99,"Phòng Tổ chức, biên chế",division,000.00.05.H99,TCBC,Mẫu,,
000.01.00.H99,Ủy ban nhân dân xã Hòa Bình,commune_committee,000.00.00.H99,UBND,Hòa Bình,1/7/2025,
"""


@pytest.fixture(autouse=True)
def _english():
    """Messages are checked in English (the command speaks the active language)."""
    with translation.override("en"):
        yield


def _write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, str):
        text = text.encode("utf-8")
    path.write_bytes(text)
    return path


def _run(path: Path, capsys) -> tuple[str, str]:
    call_command("import_orgs", str(path))
    out = capsys.readouterr()
    return out.out, out.err


def _fail(path: Path, capsys) -> list[str]:
    with pytest.raises(CommandError) as exc:
        call_command("import_orgs", str(path))
    assert "nothing was imported" in str(exc.value)
    return [line for line in capsys.readouterr().err.splitlines() if line.strip()]


def test_parse_date():
    assert str(parse_date("2025-07-01")) == "2025-07-01"
    assert str(parse_date("1/7/2025")) == "2025-07-01"
    for bad in ("2025-7-1", "31/02/2025", "01.07.2025", "yesterday", ""):
        with pytest.raises(ValueError):
            parse_date(bad)


def test_good_csv(db, tmp_path, capsys):
    out, _err = _run(_write(tmp_path, "units.csv", "\ufeff" + GOOD_CSV), capsys)
    assert "4 created" in out
    province = OrgUnit.objects.get(electronic_id="000.00.00.H99")
    home = OrgUnit.objects.get(electronic_id="000.00.05.H99")
    division = OrgUnit.objects.get(electronic_id="000.05.01.H99")
    assert home.parent == province and division.parent == home
    assert division.name == "Phòng Tổ chức, biên chế"
    assert division.path == f"/{province.pk}/{home.pk}/{division.pk}/"
    assert str(home.valid_from) == "2025-07-01"
    assert OrgUnitName.objects.filter(unit=division).count() == 1
    event = AuditEvent.objects.get(action="orgunit.import")
    assert event.details["created"] == 4 and event.details["file"] == "units.csv"
    assert event.actor_id is None


def test_children_before_parents_and_json(db, tmp_path, capsys):
    items = [
        {"electronic_id": "000.05.02.H99", "name": "Phòng Công chức", "kind": "division",
         "parent_electronic_id": "000.00.05.H99"},
        {"electronic_id": "000.00.05.H99", "name": "Sở Nội vụ", "kind": "agency",
         "parent_electronic_id": "000.00.00.H99", "abbreviation": "SNV",
         "valid_from": "01/07/2025", "valid_to": None},
        {"electronic_id": "000.00.00.H99", "name": "UBND tỉnh Mẫu",
         "kind": "province_committee", "place_name": "Mẫu"},
    ]
    out, _err = _run(_write(tmp_path, "units.json", json.dumps(items, ensure_ascii=False,
                                                               indent=2)), capsys)
    assert "3 created" in out
    child = OrgUnit.objects.get(electronic_id="000.05.02.H99")
    assert child.parent.parent.electronic_id == "000.00.00.H99"


def test_format_detected_from_content(db, tmp_path, capsys):
    _run(_write(tmp_path, "units.txt", '[{"electronic_id": "000.00.00.H98", "name": "X", '
                                       '"kind": "province_committee"}]'), capsys)
    _run(_write(tmp_path, "more", f"{HEADER}\n000.00.01.H98,Y,agency,000.00.00.H98,,,,\n"),
         capsys)
    assert OrgUnit.objects.get(electronic_id="000.00.01.H98").parent.name == "X"


def test_existing_electronic_id_updates_the_unit(org, tmp_path, capsys):
    justice = org["justice"]
    text = (f"{HEADER}\n"
            f"000.00.02.T99,Sở Tư pháp tỉnh Thử Nghiệm,agency,000.00.00.T99,STP,Thử Nghiệm,,\n"
            f"000.00.03.T99,Sở Tài chính,agency,000.00.00.T99,STC,Nơi mới,,\n"
            f"000.00.01.T99,Văn phòng UBND tỉnh,division,000.00.00.T99,VP,Thử Nghiệm,,\n")
    out, _err = _run(_write(tmp_path, "update.csv", text), capsys)
    assert "0 created, 2 updated (1 renamed), 1 unchanged" in out
    justice.refresh_from_db()
    assert justice.name == "Sở Tư pháp tỉnh Thử Nghiệm"
    history = list(justice.names.order_by("valid_from").values_list("name", "valid_to"))
    today = timezone.localdate()
    assert history[0][0] == "Sở Tư pháp" and history[0][1] < today
    assert history[-1] == ("Sở Tư pháp tỉnh Thử Nghiệm", None)
    assert OrgUnit.objects.get(electronic_id="000.00.03.T99").place_name == "Nơi mới"
    assert OrgUnit.objects.count() == 5


BAD_CSV = f"""{HEADER}
000.00.00.H97,UBND tỉnh Lỗi,province_committee,,UBND,,,
000.00.01.H97,,agency,000.00.00.H97,,,,
000.00.02.H97,Sở A,district,000.00.00.H97,,,,
000.00.03.H97,Sở B,agency,000.00.99.H97,,,,
000.00.04.H97,Sở C,agency,000.00.00.H97,,,31/02/2025,
000.00.00.H97,Trùng,agency,,,,,
"Sở D
 (two lines)",Sở D,agency,,,,,
000.00.05.H97,Sở E,agency,000.00.00.H97,,,2026-01-01,2025-01-01
000.00.06.H97,Sở F,agency
000.00.02.T99,Sở G,agency,000.00.00.H97,,,,
"""


def test_bad_rows_are_all_reported_with_line_numbers(org, tmp_path, capsys):
    before = (OrgUnit.objects.count(), OrgUnitName.objects.count(), AuditEvent.objects.count())
    lines = _fail(_write(tmp_path, "bad.csv", BAD_CSV), capsys)
    text = "\n".join(lines)
    expected = {
        3: "name",                  # missing name
        4: "kind",                  # unknown kind
        5: "parent_electronic_id",  # unknown parent
        6: "valid_from",            # 31/02
        7: "electronic_id",         # duplicate of line 2
        8: "electronic_id",         # multi-line cell: not an identifier (physical line 8)
        10: "valid_to",             # before valid_from
        11: None,                   # too few cells
    }
    for line, field in expected.items():
        matching = [entry for entry in lines if f"line {line}:" in entry]
        assert matching, (line, text)
        if field:
            assert any(field in entry for entry in matching), (line, field, text)
    # line 12 updates an existing unit (allowed) and moves it under a unit of this file
    assert not any("line 12:" in entry for entry in lines), text
    assert "line 2" in text  # duplicate names the first line
    after = (OrgUnit.objects.count(), OrgUnitName.objects.count(), AuditEvent.objects.count())
    assert after == before


def test_bad_json_items_are_reported_with_index_and_line(db, tmp_path, capsys):
    items = [
        {"electronic_id": "000.00.00.H96", "name": "Tỉnh", "kind": "province_committee"},
        {"electronic_id": "000.00.01.H96", "name": 5, "kind": "agency"},
        "not an object",
        {"electronic_id": "000.00.02.H96", "name": "Sở", "kind": "agency", "colour": "red"},
        {"electronic_id": "bad id", "name": "Sở", "kind": "agency"},
    ]
    text = json.dumps(items, ensure_ascii=False, indent=2)
    lines = _fail(_write(tmp_path, "bad.json", text), capsys)
    joined = "\n".join(lines)
    for index in (1, 2, 3, 4):
        assert any(f"item {index}," in entry for entry in lines), joined
    # the line where item 1 starts in the file
    item1_line = text.splitlines().index("  {", 6) + 1
    assert f"item 1, line {item1_line}: name" in joined
    assert not OrgUnit.objects.exists()


def test_invalid_json_syntax(db, tmp_path, capsys):
    lines = _fail(_write(tmp_path, "broken.json", '[\n {"electronic_id": "000.00.00.H95",\n'
                                                  '  "name": }\n]'), capsys)
    assert any("line 3" in entry for entry in lines)


def test_cycles_are_refused(org, tmp_path, capsys):
    text = (f"{HEADER}\n"
            "000.00.01.H94,A,agency,000.00.02.H94,,,,\n"
            "000.00.02.H94,B,agency,000.00.03.H94,,,,\n"
            "000.00.03.H94,C,agency,000.00.01.H94,,,,\n"
            "000.00.04.H94,D,agency,000.00.04.H94,,,,\n")
    lines = _fail(_write(tmp_path, "cycle.csv", text), capsys)
    joined = "\n".join(lines)
    for line in (2, 3, 4, 5):
        assert f"line {line}:" in joined, joined
    assert not OrgUnit.objects.filter(electronic_id__endswith="H94").exists()


def test_cycle_through_the_database_is_refused(org, justice_division, tmp_path, capsys):
    # the Department would move under its own division
    text = f"{HEADER}\n000.00.02.T99,Sở Tư pháp,agency,000.02.02.T99,STP,,,\n"
    lines = _fail(_write(tmp_path, "cycle.csv", text), capsys)
    assert any("line 2:" in entry and "parent_electronic_id" in entry for entry in lines)


@pytest.mark.parametrize(("name", "content", "needle"), [
    ("empty.csv", "", "line 1"),
    ("header.csv", "id,name\n1,x\n", "line 1"),
    ("latin1.csv", f"{HEADER}\n".encode() + "000.00.00.H93,Caf\xe9".encode("latin-1"), "line 2"),
    ("object.json", '{"electronic_id": "x"}', "line 1"),
    ("empty.json", "[]", "no units"),
    ("trailing.json", '[{"electronic_id": "000.00.00.H93", "name": "x", '
                      '"kind": "agency"}] junk', "line 1"),
])
def test_unreadable_files(db, tmp_path, capsys, name, content, needle):
    lines = _fail(_write(tmp_path, name, content), capsys)
    assert any(needle in entry.lower() for entry in lines), lines
    assert not OrgUnit.objects.exists()


def test_missing_file_and_unknown_actor(db, tmp_path):
    with pytest.raises(CommandError):
        call_command("import_orgs", str(tmp_path / "nope.csv"))
    path = _write(tmp_path, "ok.csv", GOOD_CSV)
    with pytest.raises(CommandError):
        call_command("import_orgs", str(path), actor="nobody")
    assert not OrgUnit.objects.exists()


def test_actor_is_recorded(make_user, tmp_path, capsys):
    admin = make_user("quantri")
    call_command("import_orgs", str(_write(tmp_path, "ok.csv", GOOD_CSV)), actor="quantri")
    assert AuditEvent.objects.get(action="orgunit.import").actor_id == admin.pk


def test_import_function_raises_with_all_errors(db):
    with pytest.raises(ImportFailed) as exc:
        import_orgs(BAD_CSV.encode(), name="bad.csv")
    assert len(exc.value.errors) >= 8
