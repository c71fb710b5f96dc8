"""Import of organisation units from CSV or JSON (`egov import-orgs FILE`).

Format: UTF-8 (a byte-order mark is accepted).

- CSV with a header row naming the columns
  `electronic_id,name,kind,parent_electronic_id,abbreviation,place_name,valid_from,valid_to`
  (the first three are required in the header; the others may be left out);
- JSON: a list of objects with the same keys.

The format is taken from the file name (.csv / .json) or else from the content (JSON starts
with "[").

Rules
- `electronic_id` (mã định danh, QĐ 20/2020/QĐ-TTg: 000.00.00.H41), `name` and `kind` are
  required; `kind` is one of OrgUnitKind; dates are ISO (2025-07-01) or dd/mm/yyyy.
- An `electronic_id` must appear once in the file. If a unit with that identifier already exists
  the row UPDATES it (kind, parent, place name, dates; a new name or abbreviation is recorded as
  a renaming effective today, keeping the old name in the history). Empty optional cells of an
  update leave the current value unchanged.
- `parent_electronic_id` must name a unit in the database or elsewhere in the file (before or
  after the row); the parents may not form a cycle, counting the database's existing links.
- Every row is checked first. If any row is bad, every problem is reported with its line number
  (CSV: the physical line, the header being line 1; JSON: the item's index and the line where it
  starts) and NOTHING is imported. Otherwise all rows are written in one transaction, parents
  before children, and one audit event records the import.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .audit import audit_log
from .models import OrgUnit, OrgUnitKind, OrgUnitName
from .services import ELECTRONIC_ID_RE

COLUMNS = ("electronic_id", "name", "kind", "parent_electronic_id", "abbreviation",
           "place_name", "valid_from", "valid_to")
REQUIRED_COLUMNS = ("electronic_id", "name", "kind")
MAX_LENGTH = {"name": 255, "abbreviation": 32, "place_name": 100}
DEFAULT_VALID_FROM = dt.date(2025, 7, 1)  # the two-tier local government took effect

_DMY = re.compile(r"^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})$")
_ISO = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


@dataclass
class RowError:
    line: int | None
    message: str
    item: int | None = None  # JSON: index of the item in the list
    field: str = ""

    def __str__(self) -> str:
        where = []
        if self.item is not None:
            where.append(_("item %(index)d") % {"index": self.item})
        if self.line is not None:
            where.append(_("line %(line)d") % {"line": self.line})
        prefix = ", ".join(where)
        column = f"{self.field}: " if self.field else ""
        return f"{prefix}: {column}{self.message}" if prefix else f"{column}{self.message}"


class ImportFailed(Exception):
    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


@dataclass
class Row:
    line: int | None
    item: int | None
    values: dict[str, str]
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    existing: OrgUnit | None = None


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    renamed: int = 0
    units: list[OrgUnit] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


# --- reading ------------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportFailed([RowError(line, _("The file is not UTF-8 text."))]) from None


def detect_format(name: str, text: str) -> str:
    suffix = Path(name or "").suffix.lower()
    if suffix in (".csv", ".json"):
        return suffix[1:]
    return "json" if text.lstrip().startswith("[") else "csv"


def _cell(value) -> str | None:
    """A JSON value as text; None for types that are not text (reported by the caller)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    return None


def read_csv(text: str) -> tuple[list[Row], list[RowError]]:
    errors: list[RowError] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return [], [RowError(1, _("The file is empty."))]
    except csv.Error as exc:
        return [], [RowError(1, _("Cannot read the CSV: %(error)s") % {"error": exc})]
    header = [h.strip().lower() for h in header]
    unknown = [h for h in header if h not in COLUMNS]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if unknown:
        errors.append(RowError(1, _("Unknown columns: %(names)s.") % {"names": ", ".join(unknown)}))
    if missing:
        errors.append(RowError(1, _("Missing columns: %(names)s.") % {"names": ", ".join(missing)}))
    if len(set(header)) != len(header):
        errors.append(RowError(1, _("A column is named twice.")))
    if errors:
        return [], errors
    rows: list[Row] = []
    start = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.append(RowError(start, _("Cannot read the CSV: %(error)s") % {"error": exc}))
            break
        line = start
        start = reader.line_num + 1
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            errors.append(RowError(line, _("Expected %(expected)d cells, found %(found)d.")
                                   % {"expected": len(header), "found": len(cells)}))
            continue
        values = {c: "" for c in COLUMNS}
        values.update({h: v.strip() for h, v in zip(header, cells, strict=True)})
        rows.append(Row(line=line, item=None, values=values))
    return rows, errors


def read_json(text: str) -> tuple[list[Row], list[RowError]]:
    """Items of a JSON list, each with the line where it starts (the decoder is run item by
    item so the positions are known)."""
    decoder = json.JSONDecoder()
    errors: list[RowError] = []
    rows: list[Row] = []

    def line_of(pos: int) -> int:
        return text.count("\n", 0, pos) + 1

    def skip(pos: int) -> int:
        while pos < len(text) and text[pos] in " \t\r\n":
            pos += 1
        return pos

    pos = skip(0)
    if pos >= len(text) or text[pos] != "[":
        return [], [RowError(line_of(pos), _("The JSON must be a list of objects."))]
    pos = skip(pos + 1)
    index = 0
    if pos < len(text) and text[pos] == "]":
        pos += 1
    else:
        while True:
            start = pos
            try:
                value, pos = decoder.raw_decode(text, pos)
            except json.JSONDecodeError as exc:
                return [], [RowError(exc.lineno, _("Invalid JSON: %(error)s") % {"error": exc.msg},
                                     item=index)]
            line = line_of(start)
            if not isinstance(value, dict):
                errors.append(RowError(line, _("Each item must be an object."), item=index))
            else:
                unknown = [k for k in value if k not in COLUMNS]
                if unknown:
                    errors.append(RowError(line, _("Unknown keys: %(names)s.")
                                           % {"names": ", ".join(map(str, unknown))}, item=index))
                values = {c: "" for c in COLUMNS}
                bad = False
                for key in COLUMNS:
                    if key in value:
                        cell = _cell(value[key])
                        if cell is None:
                            errors.append(RowError(line, _("Must be text."), item=index, field=key))
                            bad = True
                        else:
                            values[key] = cell
                if not bad and not unknown:
                    rows.append(Row(line=line, item=index, values=values))
            index += 1
            pos = skip(pos)
            if pos < len(text) and text[pos] == ",":
                pos = skip(pos + 1)
                continue
            if pos < len(text) and text[pos] == "]":
                pos += 1
                break
            return [], [RowError(line_of(pos), _("Invalid JSON: expected ',' or ']'."),
                                 item=index)]
    if skip(pos) != len(text):
        errors.append(RowError(line_of(skip(pos)), _("Unexpected text after the list.")))
    return rows, errors


# --- checking -----------------------------------------------------------------------------------


def parse_date(value: str) -> dt.date:
    """ISO (2025-07-01) or Vietnamese dd/mm/yyyy (01/07/2025); ValueError otherwise."""
    value = value.strip()
    match = _DMY.match(value)
    if match:
        day, month, year = (int(g) for g in match.groups())
        return dt.date(year, month, day)
    if _ISO.match(value):
        return dt.date.fromisoformat(value)
    raise ValueError(value)


def _err(errors: list[RowError], row: Row, name: str, message: str) -> None:
    errors.append(RowError(row.line, message, item=row.item, field=name))


def _check_rows(rows: list[Row]) -> list[RowError]:
    errors: list[RowError] = []
    by_eid: dict[str, Row] = {}
    for row in rows:
        v = row.values
        for name in ("electronic_id", "name", "kind"):
            if not v[name]:
                _err(errors, row, name, _("This field is required."))
        for name, limit in MAX_LENGTH.items():
            if len(v[name]) > limit:
                _err(errors, row, name, _("At most %(max)d characters.") % {"max": limit})
        for name in COLUMNS:
            if "\x00" in v[name]:
                _err(errors, row, name, _("Remove control characters."))
                v[name] = v[name].replace("\x00", "")
        v["electronic_id"] = v["electronic_id"].upper()
        v["parent_electronic_id"] = v["parent_electronic_id"].upper()
        eid = v["electronic_id"]
        if eid and not ELECTRONIC_ID_RE.match(eid):
            _err(errors, row, "electronic_id",
                 _("Use the form 000.00.00.H41 (QĐ 20/2020/QĐ-TTg)."))
        if v["parent_electronic_id"] and not ELECTRONIC_ID_RE.match(v["parent_electronic_id"]):
            _err(errors, row, "parent_electronic_id",
                 _("Use the form 000.00.00.H41 (QĐ 20/2020/QĐ-TTg)."))
        if v["kind"] and v["kind"] not in OrgUnitKind.values:
            _err(errors, row, "kind", _("Choose one of: %(kinds)s.")
                 % {"kinds": ", ".join(OrgUnitKind.values)})
        for name in ("valid_from", "valid_to"):
            if v[name]:
                try:
                    setattr(row, name, parse_date(v[name]))
                except ValueError:
                    _err(errors, row, name,
                         _("Enter a date as YYYY-MM-DD or dd/mm/yyyy."))
        if eid:
            first = by_eid.get(eid)
            if first is not None:
                where = (_("line %(line)d") % {"line": first.line} if first.item is None
                         else _("item %(index)d") % {"index": first.item})
                _err(errors, row, "electronic_id",
                     _("Also used by %(where)s.") % {"where": where})
            else:
                by_eid[eid] = row
        if eid and v["parent_electronic_id"] == eid:
            _err(errors, row, "parent_electronic_id", _("A unit cannot be its own parent."))

    # Against the database: existing units (updates), parents, dates and cycles.
    links = {pk: (parent_id, eid) for pk, parent_id, eid in
             OrgUnit.objects.values_list("id", "parent_id", "electronic_id")}
    pk_of = {eid: pk for pk, (_parent, eid) in links.items() if eid}
    db_units = {u.electronic_id: u for u in OrgUnit.objects.filter(
        electronic_id__in=set(by_eid) | {r.values["parent_electronic_id"] for r in rows})}
    for eid, row in by_eid.items():
        row.existing = db_units.get(eid)
    for row in rows:
        v = row.values
        start = row.valid_from or (row.existing.valid_from if row.existing else DEFAULT_VALID_FROM)
        end = row.valid_to or (row.existing.valid_to if row.existing else None)
        if end is not None and end < start:
            _err(errors, row, "valid_to", _("The end date must not be before the start date."))
        parent_eid = v["parent_electronic_id"]
        if parent_eid and parent_eid != v["electronic_id"]:
            if parent_eid in by_eid:
                prow = by_eid[parent_eid]
                p_end = prow.valid_to or (prow.existing.valid_to if prow.existing else None)
            elif parent_eid in db_units:
                p_end = db_units[parent_eid].valid_to
            else:
                _err(errors, row, "parent_electronic_id",
                     _("No unit with this identifier in the file or the database."))
                continue
            if p_end is not None and p_end < start:
                _err(errors, row, "parent_electronic_id",
                     _("The parent unit was closed on %(date)s.")
                     % {"date": p_end.strftime("%d/%m/%Y")})

    # Cycles: follow the parents as they will be after the import — the file's link for units
    # in the file (an empty parent of an existing unit keeps its current one), the database's
    # link for the others.
    def db_node(pk: int) -> str:
        eid = links[pk][1]
        return f"e:{eid}" if eid in by_eid else f"d:{pk}"

    def parent_of(node: str) -> str | None:
        if node.startswith("e:"):
            row = by_eid[node[2:]]
            p = row.values["parent_electronic_id"]
            if not p:
                parent_pk = links[row.existing.pk][0] if row.existing else None
                return db_node(parent_pk) if parent_pk else None
            if p in by_eid:
                return f"e:{p}"
            return db_node(pk_of[p]) if p in pk_of else None
        parent_pk = links[int(node[2:])][0]
        return db_node(parent_pk) if parent_pk else None

    for eid, row in by_eid.items():
        seen = {f"e:{eid}"}
        node = parent_of(f"e:{eid}")
        while node is not None:
            if node in seen:
                if row.values["parent_electronic_id"] != eid:  # self-parent is reported above
                    _err(errors, row, "parent_electronic_id", _("The parents form a cycle."))
                break
            seen.add(node)
            node = parent_of(node)
    errors.sort(key=lambda e: (e.line or 0, e.item or 0))
    return errors


# --- writing ------------------------------------------------------------------------------------


def _parent_first(rows: list[Row]) -> list[Row]:
    by_eid = {r.values["electronic_id"]: r for r in rows}
    ordered: list[Row] = []
    done: set[str] = set()
    for row in rows:
        chain = []
        node = row
        while node is not None and node.values["electronic_id"] not in done:
            chain.append(node)
            node = by_eid.get(node.values["parent_electronic_id"])
        for item in reversed(chain):
            eid = item.values["electronic_id"]
            if eid not in done:
                done.add(eid)
                ordered.append(item)
    return ordered


def import_orgs(data: bytes, *, name: str = "", actor=None) -> ImportResult:
    """Check and import a file's content; raises ImportFailed with every error, writing nothing."""
    text = _decode(data)
    fmt = detect_format(name, text)
    rows, errors = read_csv(text) if fmt == "csv" else read_json(text)
    errors += _check_rows(rows)
    if errors:
        errors.sort(key=lambda e: (e.line or 0, e.item or 0))
        raise ImportFailed(errors)
    if not rows:
        raise ImportFailed([RowError(None, _("The file has no units."))])

    result = ImportResult()
    today = timezone.localdate()
    basis = (_("Imported from %(file)s") % {"file": Path(name).name or "-"})[:255]
    with transaction.atomic():
        units: dict[str, OrgUnit] = {}
        for row in _parent_first(rows):
            v = row.values
            parent_eid = v["parent_electronic_id"]
            parent = None
            if parent_eid:
                # Fresh from the database: an earlier row may have moved its ancestors.
                parent = units.get(parent_eid) or OrgUnit.objects.get(electronic_id=parent_eid)
            unit = (OrgUnit.objects.select_for_update().get(pk=row.existing.pk)
                    if row.existing else None)
            if unit is None:
                unit = OrgUnit(kind=v["kind"], name=v["name"], abbreviation=v["abbreviation"],
                               parent=parent, electronic_id=v["electronic_id"],
                               place_name=v["place_name"],
                               valid_from=row.valid_from or DEFAULT_VALID_FROM,
                               valid_to=row.valid_to)
                unit.save()
                OrgUnitName.objects.create(unit=unit, name=unit.name,
                                           abbreviation=unit.abbreviation,
                                           valid_from=unit.valid_from, valid_to=unit.valid_to,
                                           legal_basis=basis)
                result.created += 1
            else:
                changed = False
                wanted = {"kind": v["kind"]}
                if parent is not None:
                    wanted["parent_id"] = parent.pk
                for key in ("place_name",):
                    if v[key]:
                        wanted[key] = v[key]
                if row.valid_from:
                    wanted["valid_from"] = row.valid_from
                if row.valid_to:
                    wanted["valid_to"] = row.valid_to
                for key, value in wanted.items():
                    if getattr(unit, key) != value:
                        setattr(unit, key, value)
                        changed = True
                new_abbr = v["abbreviation"] or unit.abbreviation
                if v["name"] != unit.name or new_abbr != unit.abbreviation:
                    _rename_for_import(unit, v["name"], new_abbr, today, name)
                    result.renamed += 1
                    changed = True
                if changed:
                    if "parent_id" in wanted:
                        unit.parent = parent
                    unit.save()
                    result.updated += 1
                else:
                    result.unchanged += 1
            units[v["electronic_id"]] = unit
            result.units.append(unit)
        audit_log(actor=actor, action="orgunit.import", object_type="core.orgunit",
                  details={"file": Path(name).name, "sha256": hashlib.sha256(data).hexdigest(),
                           "format": fmt, "created": result.created, "updated": result.updated,
                           "unchanged": result.unchanged, "renamed": result.renamed,
                           "electronic_ids": sorted(units)})
    return result


def _rename_for_import(unit: OrgUnit, name: str, abbreviation: str, today: dt.date,
                       filename: str) -> None:
    """Record a new name from the file as a renaming effective today (history kept)."""
    basis = (_("Imported from %(file)s") % {"file": Path(filename).name})[:255]
    current = (OrgUnitName.objects.filter(unit=unit, valid_to__isnull=True)
               .order_by("-valid_from").first())
    if current is not None and current.valid_from >= today:
        # Renamed earlier today (or later): correct that row instead of stacking a new one.
        current.name, current.abbreviation, current.legal_basis = name, abbreviation, basis
        current.save(update_fields=["name", "abbreviation", "legal_basis"])
    else:
        if current is not None:
            current.valid_to = today - dt.timedelta(days=1)
            current.save(update_fields=["valid_to"])
        elif unit.valid_from < today:
            OrgUnitName.objects.create(unit=unit, name=unit.name, abbreviation=unit.abbreviation,
                                       valid_from=unit.valid_from,
                                       valid_to=today - dt.timedelta(days=1))
        OrgUnitName.objects.create(unit=unit, name=name, abbreviation=abbreviation,
                                   valid_from=max(today, unit.valid_from), legal_basis=basis)
    unit.name, unit.abbreviation = name, abbreviation
