"""A plan's tasks (kế hoạch: an issued outgoing document) as directives, from an XLSX file or
from the page's table of rows (documents.md §19; issue 12 "Bulk work").

- `plan_check(...)` is the DRY RUN: it reads and checks every row and says, per row, whether it
  would be new, updated or unchanged, or what is wrong (row number and column). It writes
  nothing.
- `plan_import(...)` runs the same check and, only when no row is bad, writes everything in ONE
  transaction; otherwise it raises ImportFailed with every error and writes nothing.
- Rows are matched to the plan's directives by their key (`Directive.plan_key`, unique per plan
  by the constraint `directive_plan_key`): importing the same file again updates, never
  duplicates. Directives of the plan missing from the file are left as they are.

Speed (5,000 rows in well under 30 s, bench/bench_directives_import.py): the units of the
agency are loaded once (one query) and resolved in memory; the plan's directives and their
participants are loaded in two queries; new directives, participants and events are written
with bulk_create; a code is allocated per new directive from the numbering kernel (it has no
batch call; one UPDATE … RETURNING each, measured in the bench); one audit row for the import.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core import numbering
from egov.core.audit import audit_log
from egov.core.errors import AppError, NotFound
from egov.core.errors import PermissionDenied as AppPermissionDenied
from egov.core.importers import ImportFailed, RowError, parse_date
from egov.core.models import OrgUnit

from .. import hooks
from ..models import (
    AssigneeRole,
    Directive,
    DirectiveAssignee,
    DirectiveEvent,
    DirectiveState,
    Priority,
    SourceKind,
)
from ..selectors import access
from . import records
from .plan_read import COLUMNS, LABELS, Line, fold, read_xlsx

MAX_TEXT = {"plan_key": 64, "title": 500, "note": 20000}
MAX_SUPPORT = 50
# "Ưu tiên" as written in the plans (folded) → Priority.
PRIORITIES = {
    "": Priority.NORMAL, "binh thuong": Priority.NORMAL, "thuong": Priority.NORMAL,
    "normal": Priority.NORMAL,
    "cao": Priority.HIGH, "quan trong": Priority.HIGH, "high": Priority.HIGH,
    "khan": Priority.URGENT, "gap": Priority.URGENT, "khan cap": Priority.URGENT,
    "hoa toc": Priority.URGENT, "urgent": Priority.URGENT,
}
NEW, UPDATED, UNCHANGED, ERROR = "new", "updated", "unchanged", "error"


@dataclass
class RowResult:
    row: int
    plan_key: str = ""
    title: str = ""
    status: str = NEW
    changes: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    # checked values
    lead: OrgUnit | None = None
    support: list[OrgUnit] = field(default_factory=list)
    due: dt.date | None = None
    priority: str = Priority.NORMAL
    note: str = ""
    existing: Directive | None = None
    current_support: set[int] = field(default_factory=set)


@dataclass
class PlanResult:
    document: object
    agency: OrgUnit
    rows: list[RowResult] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)  # every error, file-level ones too
    written: bool = False

    @property
    def counts(self) -> dict[str, int]:
        out = {NEW: 0, UPDATED: 0, UNCHANGED: 0, ERROR: 0}
        for r in self.rows:
            out[r.status] += 1
        return out

    @property
    def ok(self) -> bool:
        return not self.errors


# --- the plan and who may import it ----------------------------------------------------------


def plan_document(*, actor, document_id):
    """The issued outgoing document (kế hoạch) the actor may see and give tasks from, and the
    agency the tasks are given in. NotFound / PermissionDenied (AppError) otherwise."""
    from egov.documents.models import OutgoingState
    from egov.documents.selectors.outgoing import outgoing_get

    pk = records._int(document_id)
    if pk is None:
        raise NotFound()
    document = outgoing_get(actor=actor, document_id=pk)
    if document.state != OutgoingState.ISSUED:
        raise AppError("not_issued", _("Only an issued plan can give tasks."), status=409)
    agency = records.giver_agency(actor, document.agency_id)
    return document, agency


def may_import(actor, document) -> bool:
    """May the actor give this plan's tasks (`directives.give` on the plan's agency)?"""
    return access.may_give(actor, document.agency)


# --- checking --------------------------------------------------------------------------------


class _Units:
    """The live units of the agency's subtree, loaded once, found by electronic id or name."""

    def __init__(self, agency: OrgUnit) -> None:
        today = timezone.localdate()
        units = [u for u in OrgUnit.objects.filter(path__startswith=agency.path)
                 .only("id", "name", "electronic_id", "abbreviation", "path", "valid_to",
                       "parent_id", "agency_id")
                 if u.valid_to is None or u.valid_to >= today]
        self.units = sorted(units, key=lambda u: u.path)
        self.by_eid = {u.electronic_id.upper(): u for u in units if u.electronic_id}
        self.by_name: dict[str, list[OrgUnit]] = {}
        for u in units:
            self.by_name.setdefault(fold(u.name), []).append(u)

    def find(self, text: str) -> tuple[OrgUnit | None, str]:
        text = " ".join(text.split())
        unit = self.by_eid.get(text.upper())
        if unit is not None:
            return unit, ""
        found = self.by_name.get(fold(text), [])
        if len(found) == 1:
            return found[0], ""
        if len(found) > 1:
            return None, _("Several units are named “%(name)s”: write the electronic id.") % {
                "name": text}
        return None, _("No unit “%(name)s” in the agency (write its electronic id or its exact "
                       "name).") % {"name": text}


def agency_units(agency: OrgUnit, limit: int = 2000) -> list[dict]:
    """The live units of the agency's subtree for the entry table's choices: value (electronic
    id, else the name, as the file would name it) and label."""
    today = timezone.localdate()
    rows = (OrgUnit.objects.filter(path__startswith=agency.path)
            .exclude(valid_to__lt=today).order_by("path").values("name", "electronic_id")
            [:limit])
    return [{"value": r["electronic_id"] or r["name"], "label": r["name"]} for r in rows]


def _support_names(text: str, units: _Units) -> list[str]:
    parts = [p.strip() for p in re.split(r"[;\n]+", text) if p.strip()]
    out: list[str] = []
    for part in parts:
        if "," in part and units.find(part)[0] is None:
            pieces = [p.strip() for p in part.split(",") if p.strip()]
            if all(units.find(p)[0] is not None for p in pieces):
                out.extend(pieces)
                continue
        out.append(part)
    return out


def _check_line(line: Line, units: _Units, given_on: dt.date) -> RowResult:
    r = RowResult(row=line.row)
    v = line.values

    def err(column: str, message: str) -> None:
        r.errors.append(RowError(line.row, message, field=column))

    for column in ("plan_key", "title", "lead", "support", "priority", "note"):
        value = v.get(column, "")
        if not isinstance(value, str):
            value = value.isoformat() if isinstance(value, dt.date) else str(value)
            v[column] = value
        if "\x00" in value or any(ord(c) < 32 and c not in "\t\n\r" for c in value):
            err(column, _("Remove control characters."))
            v[column] = ""
    r.plan_key = v["plan_key"]
    r.title = " ".join(v["title"].split())
    r.note = v["note"]
    for column in ("plan_key", "title"):
        if not v[column]:
            err(column, _("This cell is required."))
    for column, limit in MAX_TEXT.items():
        if len(v[column]) > limit:
            err(column, _("At most %(n)d characters.") % {"n": limit})
    if not v["lead"]:
        err("lead", _("This cell is required."))
    else:
        r.lead, problem = units.find(v["lead"])
        if problem:
            err("lead", problem)
    names = _support_names(v["support"], units) if v["support"] else []
    if len(names) > MAX_SUPPORT:
        err("support", _("At most %(n)d units.") % {"n": MAX_SUPPORT})
        names = []
    for name in names:
        unit, problem = units.find(name)
        if problem:
            err("support", problem)
        elif r.lead is not None and unit.pk == r.lead.pk:
            err("support", _("The lead unit is not also a supporting unit."))
        elif unit in r.support:
            err("support", _("“%(name)s” is named twice.") % {"name": name})
        else:
            r.support.append(unit)
    raw = v["due_date"]
    if raw in ("", None):
        err("due_date", _("This cell is required."))
    else:
        try:
            r.due = raw if isinstance(raw, dt.date) else parse_date(str(raw))
        except ValueError:
            err("due_date", _("Enter a date as 30/06/2027 or 2027-06-30."))
        if r.due is not None and not dt.date(2000, 1, 1) <= r.due <= dt.date(2100, 12, 31):
            err("due_date", _("Enter a date between 2000 and 2100."))
            r.due = None
    priority = PRIORITIES.get(fold(v["priority"]))
    if priority is None:
        err("priority", _("Write Bình thường, Cao or Khẩn."))
    else:
        r.priority = priority
    return r


def _compare(r: RowResult, d: Directive, support_ids: set[int], given_on: dt.date) -> None:
    """Set r.status to updated / unchanged (or errors) against the stored directive."""
    changes = []
    if d.title != r.title:
        changes.append("title")
    if d.content != r.note:
        changes.append("note")
    if d.priority != r.priority:
        changes.append("priority")
    if r.lead is not None and (d.lead_unit_id != r.lead.pk or d.lead_user_id is not None):
        changes.append("lead")
    if d.due_date != r.due:
        changes.append("due_date")
    if {u.pk for u in r.support} != support_ids:
        changes.append("support")
    r.changes = changes
    if not changes:
        r.status = UNCHANGED
        return
    r.status = UPDATED
    if d.state != DirectiveState.OPEN:
        r.errors.append(RowError(r.row, _("The task %(code)s is “%(state)s”: it can no longer be "
                                          "changed by the plan.")
                                 % {"code": d.code, "state": DirectiveState(d.state).label},
                                 field="plan_key"))
    if "due_date" in changes and d.due_date != d.original_due_date:
        r.errors.append(RowError(r.row, _("The deadline of %(code)s was extended: change it "
                                          "through an extension.") % {"code": d.code},
                                 field="due_date"))
    if "due_date" in changes and r.due is not None and r.due < d.given_on:
        r.errors.append(RowError(r.row, _("The deadline cannot be before the day the task was "
                                          "given (%(date)s).")
                                 % {"date": d.given_on.strftime("%d/%m/%Y")}, field="due_date"))


def _check(lines: list[Line], document, agency: OrgUnit, given_on: dt.date
           ) -> tuple[list[RowResult], list[RowError]]:
    units = _Units(agency)
    results = [_check_line(line, units, given_on) for line in lines]
    first_row: dict[str, int] = {}
    for r in results:
        if not r.plan_key:
            continue
        if r.plan_key in first_row:
            r.errors.append(RowError(r.row, _("The key %(key)s is used again (row %(row)d).")
                                     % {"key": r.plan_key, "row": first_row[r.plan_key]},
                                     field="plan_key"))
        else:
            first_row[r.plan_key] = r.row
    existing = {d.plan_key: d for d in Directive.objects.filter(
        source_outgoing=document, plan_key__in=list(first_row)).exclude(plan_key="")}
    participants: dict[int, dict] = {d.pk: {"support": set(), "other": {}, "reported": set()}
                                     for d in existing.values()}
    for a in DirectiveAssignee.objects.filter(directive__in=list(existing.values())).only(
            "id", "directive_id", "role", "unit_id", "user_id", "progress"):
        entry = participants[a.directive_id]
        if a.role == AssigneeRole.SUPPORT and a.user_id is None:
            entry["support"].add(a.unit_id)
            if a.progress:
                entry["reported"].add(a.unit_id)
        elif a.role == AssigneeRole.INFORM and a.user_id is None:
            entry["other"][a.unit_id] = a
    for r in results:
        d = existing.get(r.plan_key)
        if d is not None:
            r.existing = d
            r.current_support = participants[d.pk]["support"]
            _compare(r, d, r.current_support, given_on)
            dropped = participants[d.pk]["reported"] - {u.pk for u in r.support}
            if dropped:
                r.errors.append(RowError(r.row, _("A supporting unit that has reported progress "
                                                  "on %(code)s cannot be removed.")
                                         % {"code": d.code}, field="support"))
            informed = participants[d.pk]["other"]
            named = [u for u in ([r.lead] if r.lead else []) + r.support if u.pk in informed]
            for u in named:
                r.errors.append(RowError(r.row, _("%(name)s is told about %(code)s for "
                                                  "information already.")
                                         % {"name": u.name, "code": d.code}, field="support"))
        elif r.due is not None and r.due < given_on:
            r.errors.append(RowError(r.row, _("The deadline cannot be before the day the task "
                                              "is given (%(date)s).")
                                     % {"date": given_on.strftime("%d/%m/%Y")},
                                     field="due_date"))
        if r.errors:
            r.status = ERROR
    errors = [e for r in results for e in r.errors]
    return results, errors


def _given_on(document) -> dt.date:
    return document.issued_date or timezone.localdate()


def plan_check(*, actor, document_id, lines: list[Line] | None = None, data: bytes | None = None
               ) -> PlanResult:
    """The dry run: what importing `data` (XLSX) or `lines` (the page's table) would do. Writes
    nothing. PermissionDenied / NotFound / 409 for the plan itself; the rows' problems are in
    the result."""
    document, agency = plan_document(actor=actor, document_id=document_id)
    result = PlanResult(document=document, agency=agency)
    if lines is None:
        lines, file_errors = read_xlsx(data or b"")
        if file_errors and not lines:
            result.errors = file_errors
            return result
    else:
        file_errors = []
    if not lines:
        result.errors = [RowError(None, _("There is no task row."))]
        return result
    result.rows, row_errors = _check(lines, document, agency, _given_on(document))
    for e in file_errors:  # formula cells: attach to their row
        for r in result.rows:
            if r.row == e.line:
                r.errors.append(e)
                r.status = ERROR
    result.errors = sorted(file_errors + row_errors,
                           key=lambda e: (e.line or 0, list(COLUMNS).index(e.field)
                                          if e.field in COLUMNS else -1))
    return result


def plan_import(*, actor, document_id, lines: list[Line] | None = None,
                data: bytes | None = None, name: str = "") -> PlanResult:
    """Check, then write everything in one transaction. Raises ImportFailed (every error,
    nothing written)."""
    result = plan_check(actor=actor, document_id=document_id, lines=lines, data=data)
    if result.errors:
        raise ImportFailed(result.errors)
    try:
        with transaction.atomic():
            _write(actor, result)
            counts = result.counts
            audit_log(actor=actor, action="directive.plan_import", obj=result.document,
                      details={"file": Path(name).name if name else "",
                               "sha256": hashlib.sha256(data).hexdigest() if data else "",
                               "new": counts[NEW], "updated": counts[UPDATED],
                               "unchanged": counts[UNCHANGED]})
    except IntegrityError:  # another import of the same plan wrote the same keys meanwhile
        raise ImportFailed([RowError(None, _("The plan changed during the import; nothing was "
                                             "imported. Try again."))]) from None
    result.written = True
    return result


# --- writing ---------------------------------------------------------------------------------


def _codes(agency: OrgUnit, day: dt.date, count: int) -> list[str]:
    """`count` codes as records.allocate_code makes them, from one block of the numbering
    kernel (gapless, in this transaction)."""
    if count == 0:
        return []
    if count == 1:
        return [records.allocate_code(agency, day)]
    first = numbering.sequence_next_block(scope=f"directives.directive:{agency.pk}",
                                          series="NV", year=day.year, count=count)
    ident = (agency.electronic_id or agency.abbreviation or f"U{agency.pk}").replace(" ", "")
    return [f"{ident}-NV{day:%y}-{seq:05d}" for seq in range(first, first + count)]


def _write(actor, result: PlanResult) -> None:
    document, agency = result.document, result.agency
    given_on = _given_on(document)
    now = timezone.now()
    new = [r for r in result.rows if r.status == NEW]
    updated = [r for r in result.rows if r.status == UPDATED]
    codes = _codes(agency, given_on, len(new))
    fresh = [Directive(
        agency=agency, code=code, title=r.title,
        content=r.note, source_kind=SourceKind.PLAN, source_outgoing=document,
        source_text=(document.code or "")[:500], plan_key=r.plan_key, given_by=actor,
        given_on=given_on, lead_unit=r.lead, priority=r.priority, due_date=r.due,
        original_due_date=r.due, judged_due_date=records.judged_deadline(r.due),
        created_at=now, updated_at=now, created_by=actor)
        for r, code in zip(new, codes, strict=True)]
    Directive.objects.bulk_create(fresh, batch_size=1000)
    rows: list[DirectiveAssignee] = []
    for d, r in zip(fresh, new, strict=True):
        rows.append(DirectiveAssignee(directive=d, role=AssigneeRole.LEAD, unit=r.lead,
                                      due_date=r.due))
        rows.extend(DirectiveAssignee(directive=d, role=AssigneeRole.SUPPORT, unit=u)
                    for u in r.support)
    events = [DirectiveEvent(directive=d, at=now, kind="given", actor=actor, state=d.state,
                             details={"lead_unit": r.lead.pk, "due_date": r.due,
                                      "parent": None, "plan": document.pk,
                                      "plan_key": r.plan_key})
              for d, r in zip(fresh, new, strict=True)]
    changed: list[Directive] = []
    if updated:
        changed = _update(actor, updated, rows, events, now)
    DirectiveAssignee.objects.bulk_create(rows, batch_size=2000)
    DirectiveEvent.objects.bulk_create(events, batch_size=2000)
    by_id = {d.pk: d for d in fresh + changed}
    # Subscribers (sync rows, inbox) in this transaction, as event_write; in one batch.
    hooks.directives_changed_many((by_id[e.directive_id], e) for e in events)


def _update(actor, updated: list[RowResult], rows: list, events: list, now) -> list[Directive]:
    ids = [r.existing.pk for r in updated]
    locked = {d.pk: d for d in Directive.objects.select_for_update(no_key=True, of=("self",))
              .filter(pk__in=ids).order_by("pk")}
    drop_support: list[tuple[int, int]] = []
    lead_rows: list[Directive] = []
    out = []
    for r in updated:
        d = locked[r.existing.pk]
        if d.state != DirectiveState.OPEN or d.updated_at != r.existing.updated_at:
            raise IntegrityError("changed meanwhile")
        before = {"title": d.title, "priority": d.priority, "lead_unit": d.lead_unit_id,
                  "due_date": d.due_date}
        fields = {"title": r.title, "content": r.note, "priority": r.priority}
        if "lead" in r.changes:
            fields.update(lead_unit=r.lead, lead_user=None)
        if "due_date" in r.changes:
            fields.update(due_date=r.due, original_due_date=r.due,
                          judged_due_date=records.judged_deadline(r.due))
        if "lead" in r.changes or "due_date" in r.changes:
            lead_rows.append(d)
        fields["updated_at"] = now
        for name, value in fields.items():
            setattr(d, name, value)
        out.append(d)
        if "support" in r.changes:
            wanted, current = {u.pk for u in r.support}, r.current_support
            drop_support.extend((d.pk, u) for u in current - wanted)
            rows.extend(DirectiveAssignee(directive=d, role=AssigneeRole.SUPPORT, unit=u)
                        for u in r.support if u.pk not in current)
        events.append(DirectiveEvent(directive=d, at=now, kind="updated", actor=actor,
                                     state=d.state, details={"changes": r.changes,
                                                             "before": before,
                                                             "plan_key": r.plan_key}))
    _bulk_set(out)
    for directive_id, unit_id in drop_support:
        DirectiveAssignee.objects.filter(directive_id=directive_id, unit_id=unit_id,
                                         role=AssigneeRole.SUPPORT, user__isnull=True).delete()
    for d in lead_rows:
        DirectiveAssignee.objects.filter(directive=d, role=AssigneeRole.LEAD).update(
            unit_id=d.lead_unit_id, user=None, due_date=d.due_date)
    return out


_SET_COLUMNS = (("id", "bigint"), ("title", "varchar"), ("content", "text"),
                ("priority", "varchar"), ("lead_unit_id", "bigint"), ("lead_user_id", "bigint"),
                ("due_date", "date"), ("original_due_date", "date"), ("judged_due_date", "date"),
                ("updated_at", "timestamptz"))


def _bulk_set(objs: list[Directive], chunk: int = 500) -> None:
    """Write the changed columns of many directives: one `WITH v(...) AS (VALUES …) UPDATE …
    FROM v` per 500 rows (PostgreSQL and SQLite ≥ 3.33). Django's bulk_update builds a CASE per
    row and column, which costs seconds of Python for thousands of rows."""
    from django.db import connections

    conn = connections[Directive.objects.db]
    ops = conn.ops
    pg = conn.vendor == "postgresql"
    table = ops.quote_name(Directive._meta.db_table)
    names = ", ".join(c for c, _t in _SET_COLUMNS)
    sets = ", ".join(f"{c} = v.{c}" for c, _t in _SET_COLUMNS[1:])
    for start in range(0, len(objs), chunk):
        part = objs[start:start + chunk]
        rows, params = [], []
        for i, d in enumerate(part):
            # PostgreSQL types the VALUES columns from the first row's casts.
            rows.append("(" + ", ".join(f"%s::{t}" if pg and i == 0 else "%s"
                                        for _c, t in _SET_COLUMNS) + ")")
            params += [d.pk, d.title, d.content, d.priority, d.lead_unit_id, d.lead_user_id,
                       ops.adapt_datefield_value(d.due_date),
                       ops.adapt_datefield_value(d.original_due_date),
                       ops.adapt_datefield_value(d.judged_due_date),
                       ops.adapt_datetimefield_value(d.updated_at)]
        with conn.cursor() as cursor:
            cursor.execute(f"WITH v({names}) AS (VALUES {', '.join(rows)}) "
                           f"UPDATE {table} SET {sets} FROM v WHERE {table}.id = v.id", params)


def plan_tasks(*, document, limit: int = 500) -> list[Directive]:
    """The plan's tasks for its page (one query), in key order as written."""
    return list(Directive.objects.filter(source_outgoing=document, source_kind=SourceKind.PLAN)
                .select_related("lead_unit").order_by("id")[:limit])


def label(column: str) -> str:
    return LABELS.get(column, column)


__all__ = ["plan_check", "plan_import", "plan_document", "plan_tasks", "may_import",
           "ImportFailed", "AppPermissionDenied", "Line", "RowError"]
