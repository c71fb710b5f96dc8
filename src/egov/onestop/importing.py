"""Import of procedures (thủ tục hành chính) from a CSV or XLSX file: the admin page
"Nhập danh mục thủ tục" and `egov onestop-import FILE`. Layout in docs/onestop.md ("Catalogue
import"); an example is docs/onestop_catalogue_example.csv.

One sheet (XLSX: the first) or one CSV (UTF-8, a byte-order mark accepted), a header row naming
the columns, then rows whose `record` column says what they are:

- `procedure`  starts a procedure version (code, name, field, level, processing_days, …);
- `component`, `fee`, `step` belong to the nearest `procedure` row above them.

Every row is checked first; if any is bad, every problem is reported with its row number (the
header is row 1) and column, and NOTHING is written. Otherwise everything is written in one
transaction: a new code creates the procedure (version 1, code history); a known code adds the
next version and closes the version in force before it (effective_to = the day before the new
version starts). One audit event records the import.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from egov.core import policy
from egov.core.audit import audit_log
from egov.core.importers import ImportFailed, RowError, parse_date

from .models import (
    CopyKind,
    Level,
    OnlineLevel,
    Procedure,
    ProcedureCode,
    ProcedureComponent,
    ProcedureStep,
    ProcedureVersion,
)

COLUMNS = ("record", "code", "name", "field", "level", "competent_body", "processing_days",
           "same_day", "next_day_after_cutoff", "online_level", "result_type", "legal_basis",
           "effective_from", "effective_to", "old_codes", "count", "copy_kind", "required",
           "form_name", "role", "days", "amount", "note")
REQUIRED_COLUMNS = ("record", "code", "name")
RECORDS = ("procedure", "component", "fee", "step")
CODE_RE = re.compile(r"^[0-9]\.[0-9]{6}$")
MAX_ROWS = 20000
MAX_BYTES = 10 * 1024 * 1024
_TRUE = {"1", "true", "yes", "x", "có", "co"}
_FALSE = {"", "0", "false", "no", "không", "khong"}
LEVELS = {"commune": Level.COMMUNE, "xã": Level.COMMUNE, "xa": Level.COMMUNE,
          "province": Level.PROVINCE, "tỉnh": Level.PROVINCE, "tinh": Level.PROVINCE}


@dataclass
class Line:
    row: int
    values: dict[str, str]


@dataclass
class Item:
    """A procedure row and the rows below it."""

    line: Line
    code: str = ""
    data: dict = field(default_factory=dict)
    old_codes: list[str] = field(default_factory=list)
    components: list[dict] = field(default_factory=list)
    fees: list[dict] = field(default_factory=list)
    steps: list[dict] = field(default_factory=list)
    existing: Procedure | None = None


@dataclass
class ImportResult:
    created: int = 0
    versions: int = 0
    codes: list[str] = field(default_factory=list)


# --- reading ------------------------------------------------------------------------------------


def _header(cells: list[str]) -> tuple[list[str], list[RowError]]:
    header = [(c or "").strip().lower() for c in cells]
    errors = []
    unknown = [h for h in header if h and h not in COLUMNS]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if unknown:
        errors.append(RowError(1, _("Unknown columns: %(names)s.") % {"names": ", ".join(unknown)}))
    if missing:
        errors.append(RowError(1, _("Missing columns: %(names)s.") % {"names": ", ".join(missing)}))
    named = [h for h in header if h]
    if len(set(named)) != len(named):
        errors.append(RowError(1, _("A column is named twice.")))
    return header, errors


def _lines(rows, header: list[str]) -> list[Line]:
    out = []
    for number, cells in rows:
        if not any((c or "").strip() for c in cells):
            continue
        values = {c: "" for c in COLUMNS}
        for h, v in zip(header, cells, strict=False):
            if h:
                values[h] = (v or "").strip()
        out.append(Line(number, values))
    return out


def read_csv_file(data: bytes) -> tuple[list[Line], list[RowError]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return [], [RowError(line, _("The file is not UTF-8 text."))]
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[tuple[int, list[str]]] = []
    try:
        header_cells = next(reader, None)
        if header_cells is None:
            return [], [RowError(1, _("The file is empty."))]
        start = reader.line_num + 1
        for cells in reader:
            rows.append((start, cells))
            start = reader.line_num + 1
            if len(rows) > MAX_ROWS:
                return [], [RowError(None, _("The file has too many rows."))]
    except csv.Error as exc:
        return [], [RowError(reader.line_num, _("Cannot read the CSV: %(error)s")
                             % {"error": exc})]
    header, errors = _header(header_cells)
    if errors:
        return [], errors
    errors = [RowError(n, _("Expected %(expected)d cells, found %(found)d.")
                       % {"expected": len(header), "found": len(cells)})
              for n, cells in rows if len(cells) > len(header) and any(cells[len(header):])]
    return _lines(rows, header), errors


def _xlsx_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_xlsx_file(data: bytes) -> tuple[list[Line], list[RowError]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a bad file
        return [], [RowError(None, _("The file is not a readable XLSX workbook."))]
    try:
        sheet = book.worksheets[0]
        it = sheet.iter_rows(values_only=True)
        first = next(it, None)
        if first is None:
            return [], [RowError(1, _("The file is empty."))]
        header, errors = _header([_xlsx_text(v) for v in first])
        if errors:
            return [], errors
        rows = []
        for number, cells in enumerate(it, start=2):
            rows.append((number, [_xlsx_text(v) for v in cells]))
            if len(rows) > MAX_ROWS:
                return [], [RowError(None, _("The file has too many rows."))]
    finally:
        book.close()
    return _lines(rows, header), []


def read_file(data: bytes, name: str) -> tuple[list[Line], list[RowError], str]:
    if len(data) > MAX_BYTES:
        return [], [RowError(None, _("The file is larger than 10 MB."))], ""
    if Path(name or "").suffix.lower() == ".xlsx" or data[:2] == b"PK":
        lines, errors = read_xlsx_file(data)
        return lines, errors, "xlsx"
    lines, errors = read_csv_file(data)
    return lines, errors, "csv"


# --- checking -----------------------------------------------------------------------------------


class _Checker:
    def __init__(self) -> None:
        self.errors: list[RowError] = []

    def err(self, line: Line, column: str, message: str) -> None:
        self.errors.append(RowError(line.row, message, field=column))

    def text(self, line: Line, column: str, *, required=False, max_length=255) -> str:
        value = line.values[column]
        if required and not value:
            self.err(line, column, _("This cell is required."))
        elif len(value) > max_length:
            self.err(line, column, _("At most %(n)d characters.") % {"n": max_length})
        return value

    def boolean(self, line: Line, column: str, default: bool = False) -> bool:
        value = line.values[column].lower()
        if not value:
            return default
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        self.err(line, column, _("Write 1 (yes) or 0 (no)."))
        return default

    def integer(self, line: Line, column: str, *, default=None, minimum=0, maximum=32767):
        value = line.values[column]
        if not value:
            return default
        if not re.fullmatch(r"[0-9]{1,12}", value):
            self.err(line, column, _("Enter a whole number."))
            return default
        number = int(value)
        if not minimum <= number <= maximum:
            self.err(line, column, _("Enter a number from %(min)d to %(max)d.")
                     % {"min": minimum, "max": maximum})
            return default
        return number

    def date(self, line: Line, column: str, *, required=False) -> dt.date | None:
        value = line.values[column]
        if not value:
            if required:
                self.err(line, column, _("This cell is required."))
            return None
        try:
            return parse_date(value)
        except ValueError:
            self.err(line, column, _("Enter a date as 2025-07-01 or 01/07/2025."))
            return None

    def choice(self, line: Line, column: str, choices, default: str) -> str:
        value = line.values[column].lower()
        if not value:
            return default
        if value not in choices:
            self.err(line, column, _("Must be one of: %(names)s.")
                     % {"names": ", ".join(sorted(set(choices)))})
            return default
        return value


def _check_procedure(c: _Checker, line: Line) -> Item:
    item = Item(line)
    item.code = c.text(line, "code", required=True, max_length=20)
    if item.code and not CODE_RE.match(item.code):
        c.err(line, "code", _("A procedure code looks like 1.001193."))
    level = c.choice(line, "level", LEVELS, "commune")
    days = c.integer(line, "processing_days", default=None, maximum=365)
    same_day = c.boolean(line, "same_day")
    if days is None and not line.values["processing_days"]:
        if not same_day:
            c.err(line, "processing_days", _("Give the processing time, or 1 in same_day."))
        days = 0
    if same_day and days:
        c.err(line, "same_day", _("A procedure solved the same day has 0 processing days."))
    if not same_day and days == 0 and line.values["processing_days"]:
        c.err(line, "processing_days", _("0 days means the same day: write 1 in same_day."))
    item.data = {
        "name": c.text(line, "name", required=True, max_length=500),
        "field_name": c.text(line, "field", required=True, max_length=200),
        "level": str(LEVELS.get(level, Level.COMMUNE)),
        "competent_body": c.text(line, "competent_body"),
        "processing_days": days or 0, "same_day": same_day,
        "next_day_after_cutoff": c.boolean(line, "next_day_after_cutoff"),
        "online_level": c.choice(line, "online_level", OnlineLevel.values, OnlineLevel.PARTIAL),
        "result_type": c.text(line, "result_type"),
        "legal_basis": c.text(line, "legal_basis", required=True, max_length=5000),
        "effective_from": c.date(line, "effective_from", required=True),
        "effective_to": c.date(line, "effective_to"),
    }
    d = item.data
    if d["effective_from"] and d["effective_to"] and d["effective_to"] < d["effective_from"]:
        c.err(line, "effective_to", _("Ends before it starts."))
    for old in re.split(r"[\s,;]+", line.values["old_codes"]):
        if not old:
            continue
        if not CODE_RE.match(old):
            c.err(line, "old_codes", _("%(code)s is not a procedure code.") % {"code": old})
        elif old == item.code:
            c.err(line, "old_codes", _("The current code is not an earlier code."))
        else:
            item.old_codes.append(old)
    return item


def _check_sub(c: _Checker, line: Line, record: str, item: Item, roles: set[str]) -> None:
    if record == "component":
        code = c.text(line, "code", required=True, max_length=32)
        if code and any(x["code"] == code for x in item.components):
            c.err(line, "code", _("This component code is used twice in the procedure."))
        item.components.append({
            "code": code, "name": c.text(line, "name", required=True, max_length=500),
            "count": c.integer(line, "count", default=1, minimum=1, maximum=100),
            "copy_kind": c.choice(line, "copy_kind", CopyKind.values, CopyKind.ORIGINAL),
            "required": c.boolean(line, "required", default=True),
            "form_name": c.text(line, "form_name"),
        })
    elif record == "fee":
        amount = c.integer(line, "amount", default=None, maximum=10**12)
        item.fees.append({"name": c.text(line, "name", required=True),
                          "amount": amount, "note": c.text(line, "note", max_length=500)})
    else:  # step
        role = c.text(line, "role", max_length=32)
        if role and role not in roles:
            c.err(line, "role", _("Unknown role %(code)s.") % {"code": role})
        days = Decimal(0)
        raw = line.values["days"]
        try:
            days = Decimal(raw.replace(",", ".")) if raw else Decimal(0)
            if days < 0 or days > 999 or days != days.quantize(Decimal("0.01")):
                raise InvalidOperation
        except InvalidOperation:
            c.err(line, "days", _("Enter working days, e.g. 2 or 0.5."))
            days = Decimal(0)
        item.steps.append({"name": c.text(line, "name", required=True), "role_code": role,
                           "days": days})


def check_lines(lines: list[Line]) -> tuple[list[Item], list[RowError]]:
    from egov.core.models import Role

    c = _Checker()
    roles = set(Role.objects.values_list("code", flat=True))
    items: list[Item] = []
    for line in lines:
        record = line.values["record"].lower()
        if record not in RECORDS:
            c.err(line, "record", _("Must be one of: %(names)s.") % {"names": ", ".join(RECORDS)})
        elif record == "procedure":
            items.append(_check_procedure(c, line))
        elif not items:
            c.err(line, "record", _("A %(record)s row must follow a procedure row.")
                  % {"record": record})
        else:
            _check_sub(c, line, record, items[-1], roles)
    seen: dict[str, int] = {}
    for item in items:
        if item.code in seen:
            c.err(item.line, "code", _("The procedure %(code)s appears twice (row %(row)d).")
                  % {"code": item.code, "row": seen[item.code]})
        seen.setdefault(item.code, item.line.row)
        if item.steps:
            total = sum((s["days"] for s in item.steps), Decimal(0))
            if total != item.data["processing_days"]:
                c.err(item.line, "processing_days",
                      _("The steps add up to %(sum)s working days, not %(days)d.")
                      % {"sum": total.normalize(), "days": item.data["processing_days"]})
    _check_database(c, items)
    return items, c.errors


def _check_database(c: _Checker, items: list[Item]) -> None:
    """Codes against the catalogue (2 queries + 1): a known code gets a new version that must
    start after the versions it has; an earlier code may not be another procedure's."""
    codes = {i.code for i in items} | {o for i in items for o in i.old_codes}
    current = {p.code: p for p in Procedure.objects.filter(code__in=codes)}
    history: dict[str, set[int]] = {}
    for code, pid in ProcedureCode.objects.filter(code__in=codes).values_list("code",
                                                                               "procedure_id"):
        history.setdefault(code, set()).add(pid)
    latest = dict(ProcedureVersion.objects.filter(procedure__code__in=codes)
                  .values_list("procedure__code").annotate(Max("effective_from")))
    for item in items:
        item.existing = current.get(item.code)
        pid = item.existing.pk if item.existing else None
        if item.existing is None and item.code in history:
            c.err(item.line, "code", _("%(code)s is an earlier code of another procedure.")
                  % {"code": item.code})
        start = item.data["effective_from"]
        last = latest.get(item.code)
        if item.existing and start and last and start <= last:
            c.err(item.line, "effective_from",
                  _("A new version must start after %(day)s, when the current one started.")
                  % {"day": last.strftime("%d/%m/%Y")})
        for old in item.old_codes:
            other = current.get(old)
            if (other is not None and other.pk != pid) or (history.get(old, set()) - {pid}):
                c.err(item.line, "old_codes", _("%(code)s belongs to another procedure.")
                      % {"code": old})


# --- writing ------------------------------------------------------------------------------------


def procedures_import(*, actor, data: bytes, name: str = "",
                      check_permission: bool = True) -> ImportResult:
    """Check and import a file; raises ImportFailed with every error, writing nothing."""
    if check_permission:
        policy.require(actor, "onestop.manage_catalogue")
    lines, errors, fmt = read_file(data, name)
    items: list[Item] = []
    if not errors:
        items, errors = check_lines(lines)
    if errors:
        errors.sort(key=lambda e: (e.line or 0, COLUMNS.index(e.field) if e.field in COLUMNS
                                   else -1))
        raise ImportFailed(errors)
    if not items:
        raise ImportFailed([RowError(None, _("The file has no procedure rows."))])
    result = ImportResult()
    try:
        with transaction.atomic():
            for item in items:
                _write(item, result)
            audit_log(actor=actor, action="onestop.catalogue.import",
                      object_type="onestop.procedure",
                      details={"file": Path(name).name, "format": fmt,
                               "sha256": hashlib.sha256(data).hexdigest(),
                               "created": result.created, "versions": result.versions,
                               "codes": result.codes})
    except IntegrityError:  # another import wrote the same codes meanwhile: nothing written
        raise ImportFailed([RowError(None, _("The catalogue changed during the import; "
                                             "nothing was imported. Try again."))]) from None
    return result


def _write(item: Item, result: ImportResult) -> None:
    d = item.data
    start = d["effective_from"]
    if item.existing is None:
        proc = Procedure.objects.create(code=item.code, name=d["name"], level=d["level"])
        ProcedureCode.objects.create(procedure=proc, code=proc.code, valid_from=start)
        number = 1
        result.created += 1
    else:
        proc = Procedure.objects.select_for_update(no_key=True).get(pk=item.existing.pk)
        if (proc.name, proc.level) != (d["name"], d["level"]):
            proc.name, proc.level = d["name"], d["level"]
            proc.save(update_fields=["name", "level"])
        previous = list(ProcedureVersion.objects.select_for_update(no_key=True)
                        .filter(procedure=proc).order_by("number"))
        number = (previous[-1].number + 1) if previous else 1
        for version in previous:  # the version(s) still running on the new start close
            if version.effective_to is None or version.effective_to >= start:
                version.effective_to = start - dt.timedelta(days=1)
                version.save(update_fields=["effective_to"])
    for old in item.old_codes:
        if not ProcedureCode.objects.filter(procedure=proc, code=old).exists():
            ProcedureCode.objects.create(procedure=proc, code=old,
                                         valid_from=min(start - dt.timedelta(days=1),
                                                        dt.date(2016, 1, 1)),
                                         valid_to=start - dt.timedelta(days=1),
                                         note=_("Earlier code (import)"))
    version = ProcedureVersion.objects.create(
        procedure=proc, number=number, name=d["name"], field_name=d["field_name"],
        level=d["level"], competent_body=d["competent_body"],
        processing_days=d["processing_days"], same_day=d["same_day"],
        next_day_after_cutoff=d["next_day_after_cutoff"], fees=item.fees,
        online_level=d["online_level"], result_type=d["result_type"],
        legal_basis=d["legal_basis"], effective_from=start, effective_to=d["effective_to"])
    ProcedureComponent.objects.bulk_create(
        [ProcedureComponent(version=version, ordering=i, **comp)
         for i, comp in enumerate(item.components, start=1)])
    ProcedureStep.objects.bulk_create(
        [ProcedureStep(version=version, ordering=i, **step)
         for i, step in enumerate(item.steps, start=1)])
    result.versions += 1
    result.codes.append(proc.code)
