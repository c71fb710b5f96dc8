"""The registers of NĐ 30/2020/NĐ-CP Phụ lục IV, read from the documents themselves:

- Sổ đăng ký văn bản đến (10 columns), ordered by số đến;
- Sổ đăng ký văn bản đi (10 columns), issued / recalled / replaced documents ordered by số;
- Sổ theo dõi giải quyết văn bản đến (7 columns), ordered by số đến.

Who may read them: `documents.reports` on the agency (clerk and leader: agency scope). A register
is never filtered by what else the reader may see: it is the agency's register.

Every list is keyset-paginated by number (constant queries per page: the documents, their lead
assignments or recipients — never a COUNT). Exports stream the same pages in chunks
(`iter_register_rows`).

Column headings printed in exports are the legal headings of Phụ lục IV (Vietnamese, exactly);
the web page shows the translated labels.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from egov.core import policy
from egov.core.errors import InvalidInput, NotFound
from egov.core.models import OrgUnit, OrgUnitKind
from egov.core.pagination import Page, keyset_page

from ..models import (
    Assignment,
    AssignmentState,
    Direction,
    DocumentType,
    ExportJob,
    IncomingDocument,
    IncomingState,
    OutgoingDocument,
    OutgoingState,
    Recipient,
    Register,
    Urgency,
)

REPORTS = "documents.reports"

INCOMING = "incoming_register"
OUTGOING = "outgoing_register"
TRACKING = "tracking_register"
REGISTER_KINDS = (INCOMING, OUTGOING, TRACKING)

ISSUED_STATES = (OutgoingState.ISSUED, OutgoingState.RECALLED, OutgoingState.REPLACED)

# "register__id", not "register": core.pagination takes a plain foreign key's target primary key
# for the row's own pk when it builds the cursor (reported to the lead). The register is
# select_related, so reading register.id costs no query.
INCOMING_ORDER = ("register__id", "arrival_number", "id")
OUTGOING_ORDER = ("register__id", "number", "id")

MAX_PAGE = 1000  # exports read in chunks of this size


@dataclass(frozen=True)
class Column:
    key: str
    heading: str  # the legal heading of Phụ lục IV, printed as is in exports
    label: Any  # the label of the web page (translated)
    width: float  # XLSX width in characters; PDF widths are proportional to it
    kind: str = "text"  # text | date | datetime | int


# NĐ 30/2020 Phụ lục IV — Sổ đăng ký văn bản đến.
INCOMING_COLUMNS: tuple[Column, ...] = (
    Column("arrival_date", "Ngày đến", gettext_lazy("Arrival date"), 15, "date"),
    Column("arrival_number", "Số đến", gettext_lazy("Arrival number"), 8, "int"),
    Column("issuer", "Tác giả", gettext_lazy("Issuer"), 20),
    Column("code", "Số, ký hiệu văn bản", gettext_lazy("Number and notation"), 18),
    Column("issued_date", "Ngày tháng văn bản", gettext_lazy("Document date"), 15, "date"),
    Column("type_subject", "Tên loại và trích yếu nội dung",
           gettext_lazy("Type and subject"), 44),
    Column("receivers", "Đơn vị hoặc người nhận", gettext_lazy("Receiving unit or person"), 20),
    Column("transfer_date", "Ngày chuyển", gettext_lazy("Transfer date"), 15, "date"),
    Column("receipt", "Ký nhận", gettext_lazy("Acknowledged"), 16, "datetime"),
    Column("notes", "Ghi chú", gettext_lazy("Notes"), 18),
)

# NĐ 30/2020 Phụ lục IV — Sổ đăng ký văn bản đi.
OUTGOING_COLUMNS: tuple[Column, ...] = (
    Column("code", "Số, ký hiệu văn bản", gettext_lazy("Number and notation"), 20),
    Column("issued_date", "Ngày tháng văn bản", gettext_lazy("Document date"), 15, "date"),
    Column("type_subject", "Tên loại và trích yếu nội dung",
           gettext_lazy("Type and subject"), 44),
    Column("signer", "Người ký", gettext_lazy("Signer"), 20),
    Column("recipients", "Nơi nhận văn bản", gettext_lazy("Recipients"), 24),
    Column("file_copy", "Đơn vị, người nhận bản lưu",
           gettext_lazy("Unit or person keeping the file copy"), 20),
    Column("copies", "Số lượng bản", gettext_lazy("Copies"), 10, "int"),
    Column("transfer_date", "Ngày chuyển", gettext_lazy("Transfer date"), 15, "date"),
    Column("receipt", "Ký nhận", gettext_lazy("Acknowledged"), 12),
    Column("notes", "Ghi chú", gettext_lazy("Notes"), 18),
)

# NĐ 30/2020 Phụ lục IV — Sổ theo dõi giải quyết văn bản đến.
TRACKING_COLUMNS: tuple[Column, ...] = (
    Column("arrival_number", "Số đến", gettext_lazy("Arrival number"), 8, "int"),
    Column("document", "Tên loại, số, ký hiệu, ngày tháng và cơ quan ban hành",
           gettext_lazy("Type, number, date and issuer"), 44),
    Column("receivers", "Đơn vị hoặc người nhận", gettext_lazy("Receiving unit or person"), 22),
    Column("due_date", "Thời hạn giải quyết", gettext_lazy("Handling deadline"), 15, "date"),
    Column("progress", "Tiến độ giải quyết", gettext_lazy("Progress"), 24),
    Column("reply", "Số, ký hiệu văn bản trả lời", gettext_lazy("Reply number and notation"), 18),
    Column("notes", "Ghi chú", gettext_lazy("Notes"), 18),
)

COLUMNS = {INCOMING: INCOMING_COLUMNS, OUTGOING: OUTGOING_COLUMNS, TRACKING: TRACKING_COLUMNS}

# The legal names of the registers (Phụ lục IV), printed on exports.
REGISTER_TITLES = {
    INCOMING: "Sổ đăng ký văn bản đến",
    OUTGOING: "Sổ đăng ký văn bản đi",
    TRACKING: "Sổ theo dõi giải quyết văn bản đến",
}

# Ghi chú texts printed in the registers (Vietnamese legal vocabulary, the same in every UI
# language because the register is an official record).
URGENCY_NOTES = {
    Urgency.URGENT: "Khẩn",
    Urgency.VERY_URGENT: "Thượng khẩn",
    Urgency.FLASH: "Hỏa tốc",
    Urgency.FLASH_TIMED: "Hỏa tốc hẹn giờ",
}


@dataclass
class RegisterRow:
    """One line of a register: `values` in the order of the register's columns."""

    kind: str
    id: int
    values: tuple
    document: Any = None
    overdue: bool = False

    @property
    def cells(self) -> list[tuple[Column, Any]]:
        return list(zip(COLUMNS[self.kind], self.values, strict=True))


@dataclass(frozen=True)
class RegisterFilters:
    """What a register view or export is limited to (all optional)."""

    register_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    type_code: str = ""
    urgency: str = ""
    number_from: int | None = None
    number_to: int | None = None

    def as_params(self) -> dict[str, Any]:
        """JSON-safe form (for ExportJob.params and query strings); empty values left out."""
        out: dict[str, Any] = {}
        for key in ("register_id", "number_from", "number_to"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        for key in ("date_from", "date_to"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key).isoformat()
        for key in ("type_code", "urgency"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        return out


FILTER_KEYS = ("register_id", "date_from", "date_to", "type_code", "urgency", "number_from",
               "number_to")


def _parse_int(value: Any, name: str, errors: dict, *, minimum: int = 0) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(str(value).strip()) if not isinstance(value, bool) else None
    except ValueError:
        number = None
    if number is None or number < minimum or number > 2**31 - 1:
        errors[name] = [_("Enter a whole number of at least %(min)s.") % {"min": minimum}]
        return None
    return number


def parse_date(value: Any, name: str, errors: dict) -> dt.date | None:
    """A date from an ISO string (yyyy-mm-dd) or dd/mm/yyyy; None when empty."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    errors[name] = [_("Enter a date as dd/mm/yyyy.")]
    return None


def parse_filters(data: Mapping[str, Any] | None) -> RegisterFilters:
    """Check the filter values of a request or an export job; InvalidInput (422) names the bad
    fields."""
    data = data or {}
    errors: dict[str, list[str]] = {}
    register_id = _parse_int(data.get("register_id"), "register_id", errors, minimum=1)
    number_from = _parse_int(data.get("number_from"), "number_from", errors, minimum=1)
    number_to = _parse_int(data.get("number_to"), "number_to", errors, minimum=1)
    date_from = parse_date(data.get("date_from"), "date_from", errors)
    date_to = parse_date(data.get("date_to"), "date_to", errors)
    type_code = str(data.get("type_code") or "").strip()
    if len(type_code) > 20:
        errors["type_code"] = [_("Unknown document type.")]
    urgency = str(data.get("urgency") or "").strip()
    if urgency and urgency not in Urgency.values:
        errors["urgency"] = [_("Unknown urgency.")]
    if date_from and date_to and date_to < date_from:
        errors["date_to"] = [_("The end date is before the start date.")]
    if number_from and number_to and number_to < number_from:
        errors["number_to"] = [_("The last number is below the first one.")]
    if errors:
        raise InvalidInput(_("Check the filters."), fields=errors)
    return RegisterFilters(register_id=register_id, date_from=date_from, date_to=date_to,
                           type_code=type_code, urgency=urgency, number_from=number_from,
                           number_to=number_to)


def check_year(year: Any) -> int:
    try:
        value = int(year)
    except (TypeError, ValueError):
        value = 0
    if not 1900 <= value <= 9999 or isinstance(year, bool):
        message = _("Enter a year such as %(year)s.") % {"year": timezone.localdate().year}
        raise InvalidInput(message, fields={"year": [message]})
    return value


# --- permission ---------------------------------------------------------------------------------


def require_reports(actor, agency: OrgUnit) -> None:
    """`documents.reports` on the agency, or PermissionDenied. The agency must be an agency
    (not an internal division)."""
    if agency is None:
        raise NotFound()
    if agency.kind == OrgUnitKind.DIVISION:
        message = _("Choose an agency, not an internal division.")
        raise InvalidInput(message, fields={"agency_id": [message]})
    policy.require(actor, REPORTS, agency)


def agency_get(agency_id: Any) -> OrgUnit:
    """The OrgUnit with this id (NotFound otherwise)."""
    try:
        pk = int(agency_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    unit = OrgUnit.objects.filter(pk=pk).first() if 0 < pk < 2**63 else None
    if unit is None:
        raise NotFound()
    return unit


def reportable_agencies(actor) -> list[OrgUnit]:
    """The agencies whose registers and reports the actor may read (for the page's choice)."""
    if not policy.can(actor, REPORTS):
        return []
    scope = policy.unit_q(actor, REPORTS, "agency")
    qs = OrgUnit.objects.exclude(kind=OrgUnitKind.DIVISION)
    if scope:  # an empty Q() means every unit (superuser, "all" grant): `Q(…) | Q()` would
        # drop it and leave only the first part (the administrator got a 403, issue 9 §5)
        qs = qs.filter(Q(pk__in=policy.agencies_for(actor, REPORTS)) | scope)
    return [u for u in qs.order_by("path")[:500] if policy.can(actor, REPORTS, u)]


def registers_of(agency: OrgUnit, direction: str | None = None) -> list[Register]:
    qs = Register.objects.filter(agency=agency)
    if direction:
        qs = qs.filter(direction=direction)
    return list(qs.order_by("direction", "name", "id"))


def check_register(agency: OrgUnit, filters: RegisterFilters, direction: str) -> None:
    if filters.register_id is None:
        return
    if not Register.objects.filter(pk=filters.register_id, agency=agency,
                                   direction=direction).exists():
        message = _("This register does not belong to the agency.")
        raise InvalidInput(message, fields={"register_id": [message]})


# --- helpers ------------------------------------------------------------------------------------


def _local_date(value: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(value).date() if value else None


def _person(full_name: str | None, username: str | None) -> str:
    return full_name or username or ""


def _assignee_name(a: dict) -> str:
    person = _person(a["assignee_user__full_name"], a["assignee_user__username"])
    unit = a["assignee_unit__name"]
    if person and unit:
        return f"{person} ({unit})"
    return person or unit or ""


def _type_subject(type_name: str, subject: str) -> str:
    return f"{type_name} {subject}".strip() if type_name else subject


# Registers read plain values (no model instances): a 10,000-row export must not build 50,000
# objects and run their signals. One query for the documents, one per related list.
INCOMING_FIELDS = ("id", "register__id", "arrival_number", "arrival_date", "issuer_name",
                   "code", "issued_date", "doc_type__name", "subject", "urgency", "channel",
                   "state", "description", "handling_due_date", "completed_at")
TRACKING_FIELDS = INCOMING_FIELDS + ("completed_by_reply__code",)
OUTGOING_FIELDS = ("id", "register__id", "number", "code", "issued_date", "issued_at",
                   "doc_type__name", "subject", "signer__full_name", "signer__username",
                   "signer_capacity", "signer_position", "drafting_unit__name", "copies",
                   "urgency", "state", "replaces__code", "recalled_at", "recall_reason",
                   "medium")


def _lead_assignments(ids: list[int]) -> dict[int, list[dict]]:
    """The lead assignments given directly by the leader (not re-assignments inside a unit,
    not cancelled) of these documents, oldest first."""
    out: dict[int, list[dict]] = {i: [] for i in ids}
    if not ids:
        return out
    rows = (
        Assignment.objects.filter(document_id__in=ids, role="lead", parent__isnull=True)
        .exclude(state=AssignmentState.CANCELLED)
        .order_by("assigned_at", "id")
        .values("document_id", "assignee_unit__name", "assignee_user__full_name",
                "assignee_user__username", "assigned_at", "first_viewed_at", "due_date")
    )
    for a in rows:
        out[a["document_id"]].append(a)
    return out


def _grouped(qs: QuerySet, key: str, value: str, ids: list[int]) -> dict[int, list]:
    out: dict[int, list] = {i: [] for i in ids}
    if ids:
        for row in qs.values(key, value):
            out[row[key]].append(row[value])
    return out


def _incoming_qs(agency: OrgUnit, year: int, filters: RegisterFilters) -> QuerySet:
    qs = IncomingDocument.objects.filter(agency=agency, year=year)
    if filters.register_id:
        qs = qs.filter(register_id=filters.register_id)
    if filters.date_from:
        qs = qs.filter(arrival_date__date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(arrival_date__date__lte=filters.date_to)
    if filters.type_code:
        qs = qs.filter(doc_type__code=filters.type_code)
    if filters.urgency:
        qs = qs.filter(urgency=filters.urgency)
    if filters.number_from:
        qs = qs.filter(arrival_number__gte=filters.number_from)
    if filters.number_to:
        qs = qs.filter(arrival_number__lte=filters.number_to)
    return qs


def _outgoing_qs(agency: OrgUnit, year: int, filters: RegisterFilters) -> QuerySet:
    qs = OutgoingDocument.objects.filter(agency=agency, year=year, state__in=ISSUED_STATES,
                                         number__isnull=False, register__isnull=False)
    if filters.register_id:
        qs = qs.filter(register_id=filters.register_id)
    if filters.date_from:
        qs = qs.filter(issued_date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(issued_date__lte=filters.date_to)
    if filters.type_code:
        qs = qs.filter(doc_type__code=filters.type_code)
    if filters.urgency:
        qs = qs.filter(urgency=filters.urgency)
    if filters.number_from:
        qs = qs.filter(number__gte=filters.number_from)
    if filters.number_to:
        qs = qs.filter(number__lte=filters.number_to)
    return qs


def _incoming_notes(doc: dict) -> str:
    parts = []
    if doc["urgency"] in URGENCY_NOTES:
        parts.append(URGENCY_NOTES[doc["urgency"]])
    if doc["channel"] == "electronic":
        parts.append("Văn bản điện tử")
    if doc["state"] == IncomingState.CANCELLED:
        parts.append("Đã hủy do cơ quan ban hành thu hồi")
    if doc["description"]:
        parts.append(doc["description"])
    return "; ".join(parts)


def _incoming_row(doc: dict, leads: list[dict]) -> RegisterRow:
    viewed = [a["first_viewed_at"] for a in leads if a["first_viewed_at"]]
    values = (
        _local_date(doc["arrival_date"]),
        doc["arrival_number"],
        doc["issuer_name"],
        doc["code"],
        doc["issued_date"],
        _type_subject(doc["doc_type__name"], doc["subject"]),
        "; ".join(_assignee_name(a) for a in leads),
        _local_date(leads[0]["assigned_at"]) if leads else None,
        # Ký nhận: on paper a signature; electronically the first time a lead assignee opened it.
        min(viewed) if viewed else None,
        _incoming_notes(doc),
    )
    return RegisterRow(INCOMING, doc["id"], values, doc)


def _signer_text(doc: dict) -> str:
    name = _person(doc["signer__full_name"], doc["signer__username"])
    capacity = f"{doc['signer_capacity']}. " if doc["signer_capacity"] else ""
    position = f"{capacity}{doc['signer_position']}".strip()
    return f"{position} {name}".strip() if position else name


def _outgoing_notes(doc: dict, replacements: list[str]) -> str:
    parts = []
    if doc["urgency"] in URGENCY_NOTES:
        parts.append(URGENCY_NOTES[doc["urgency"]])
    # The medium of the original (issue 9 §1): Phụ lục IV has no column for it, so it is
    # noted in "Ghi chú" as the incoming register notes "Văn bản điện tử".
    if doc.get("medium") == "paper":
        parts.append("Bản gốc giấy")
    elif doc.get("medium") == "electronic":
        parts.append("Văn bản điện tử")
    if doc["replaces__code"]:
        parts.append(f"Thay thế văn bản số {doc['replaces__code']}")
    if doc["state"] == OutgoingState.RECALLED:
        note = "Đã thu hồi"
        if doc["recalled_at"]:
            note += f" ngày {_local_date(doc['recalled_at']):%d/%m/%Y}"
        parts.append(note + (f": {doc['recall_reason']}" if doc["recall_reason"] else ""))
    if doc["state"] == OutgoingState.REPLACED:
        codes = [c for c in replacements if c]
        parts.append("Đã được thay thế" + (f" bằng văn bản số {', '.join(codes)}" if codes
                                            else ""))
    return "; ".join(parts)


def _outgoing_row(doc: dict, recipients: list[tuple], replacements: list[str]) -> RegisterRow:
    delivered = [at for _name, at in recipients if at]
    transfer = min(delivered) if delivered else doc["issued_at"]
    values = (
        doc["code"],
        doc["issued_date"],
        _type_subject(doc["doc_type__name"], doc["subject"]),
        _signer_text(doc),
        "; ".join(name for name, _at in recipients),
        doc["drafting_unit__name"] or "",
        doc["copies"],
        _local_date(transfer),
        "",
        _outgoing_notes(doc, replacements),
    )
    return RegisterRow(OUTGOING, doc["id"], values, doc)


def _tracking_progress(doc: dict, due: dt.date | None, today: dt.date) -> tuple[str, bool]:
    """(Tiến độ giải quyết, overdue?) — the document's handling state in the register's
    words."""
    state = doc["state"]
    if state == IncomingState.CANCELLED:
        return "Đã hủy (văn bản bị thu hồi)", False
    if state == IncomingState.RETURNED:
        return "Đã trả lại nơi gửi", False
    if state == IncomingState.DONE or doc["completed_at"]:
        done = _local_date(doc["completed_at"])
        text = "Đã giải quyết" + (f" ngày {done:%d/%m/%Y}" if done else "")
        late = bool(due and done and done > due)
        return text + (" (quá hạn)" if late else ""), late
    late = bool(due and due < today)
    if state in (IncomingState.REGISTERED, IncomingState.PRESENTED):
        text = "Chưa phân công giải quyết"
    else:
        text = "Đang giải quyết"
    return text + (" (quá hạn)" if late else " (trong hạn)" if due else ""), late


def _tracking_row(doc: dict, leads: list[dict], replies: list[str],
                  today: dt.date) -> RegisterRow:
    dues = [a["due_date"] for a in leads if a["due_date"]]
    due = doc["handling_due_date"] or (min(dues) if dues else None)
    progress, late = _tracking_progress(doc, due, today)
    codes = [c for c in replies if c]
    if doc["completed_by_reply__code"] and doc["completed_by_reply__code"] not in codes:
        codes.insert(0, doc["completed_by_reply__code"])
    type_name = doc["doc_type__name"]
    describe = f"{type_name} số {doc['code']}" if doc["code"] else type_name
    describe += f" ngày {doc['issued_date']:%d/%m/%Y} của {doc['issuer_name']}"
    values = (
        doc["arrival_number"],
        describe,
        "; ".join(_assignee_name(a) for a in leads),
        due,
        progress,
        "; ".join(codes),
        _incoming_notes(doc),
    )
    return RegisterRow(TRACKING, doc["id"], values, doc, overdue=late)


# --- selectors ----------------------------------------------------------------------------------


def _incoming_page(qs: QuerySet, cursor: str | None, limit: int, *, tracking: bool) -> Page:
    qs = qs.values(*(TRACKING_FIELDS if tracking else INCOMING_FIELDS))
    page = keyset_page(qs, order=INCOMING_ORDER, cursor=cursor, limit=limit, max_limit=MAX_PAGE)
    ids = [d["id"] for d in page.items]
    leads = _lead_assignments(ids)
    if tracking:
        through = OutgoingDocument.in_reply_to.through
        replies = _grouped(
            through.objects.filter(incomingdocument_id__in=ids,
                                   outgoingdocument__state__in=ISSUED_STATES)
            .order_by("outgoingdocument__issued_at", "outgoingdocument_id"),
            "incomingdocument_id", "outgoingdocument__code", ids)
        today = timezone.localdate()
        page.items = [_tracking_row(d, leads[d["id"]], replies[d["id"]], today)
                      for d in page.items]
    else:
        page.items = [_incoming_row(d, leads[d["id"]]) for d in page.items]
    return page


def incoming_register_rows(*, actor, agency: OrgUnit, year: int,
                           filters: RegisterFilters | None = None, cursor: str | None = None,
                           limit: int = 50) -> Page:
    """Sổ đăng ký văn bản đến of `agency` for `year`, by số đến: a Page of RegisterRow (2
    queries: documents, lead assignments; plus the grants on first use)."""
    filters = filters or RegisterFilters()
    require_reports(actor, agency)
    year = check_year(year)
    check_register(agency, filters, Direction.INCOMING)
    return _incoming_page(_incoming_qs(agency, year, filters), cursor, limit, tracking=False)


def tracking_register_rows(*, actor, agency: OrgUnit, year: int,
                           filters: RegisterFilters | None = None, cursor: str | None = None,
                           limit: int = 50) -> Page:
    """Sổ theo dõi giải quyết văn bản đến of `agency` for `year`, by số đến (3 queries)."""
    filters = filters or RegisterFilters()
    require_reports(actor, agency)
    year = check_year(year)
    check_register(agency, filters, Direction.INCOMING)
    return _incoming_page(_incoming_qs(agency, year, filters), cursor, limit, tracking=True)


def outgoing_register_rows(*, actor, agency: OrgUnit, year: int,
                           filters: RegisterFilters | None = None, cursor: str | None = None,
                           limit: int = 50) -> Page:
    """Sổ đăng ký văn bản đi of `agency` for `year`: issued, recalled and replaced documents by
    register and số (3 queries: documents, recipients, replacements; plus the grants)."""
    filters = filters or RegisterFilters()
    require_reports(actor, agency)
    year = check_year(year)
    check_register(agency, filters, Direction.OUTGOING)
    qs = _outgoing_qs(agency, year, filters).values(*OUTGOING_FIELDS)
    page = keyset_page(qs, order=OUTGOING_ORDER, cursor=cursor, limit=limit, max_limit=MAX_PAGE)
    ids = [d["id"] for d in page.items]
    recipients: dict[int, list[tuple]] = {i: [] for i in ids}
    if ids:
        for r in Recipient.objects.filter(document_id__in=ids).order_by("id").values_list(
                "document_id", "name", "delivered_at"):
            recipients[r[0]].append((r[1], r[2]))
    replaced = [d["id"] for d in page.items if d["state"] == OutgoingState.REPLACED]
    replacements = _grouped(OutgoingDocument.objects.filter(replaces_id__in=replaced)
                            .order_by("id"), "replaces_id", "code", replaced)
    page.items = [_outgoing_row(d, recipients[d["id"]], replacements.get(d["id"], []))
                  for d in page.items]
    return page


SELECTORS = {
    INCOMING: incoming_register_rows,
    OUTGOING: outgoing_register_rows,
    TRACKING: tracking_register_rows,
}


def register_rows(kind: str, **kwargs) -> Page:
    if kind not in SELECTORS:
        raise InvalidInput(_("Unknown register."), fields={"kind": [_("Unknown register.")]})
    return SELECTORS[kind](**kwargs)


def register_count(*, actor, kind: str, agency: OrgUnit, year: int,
                   filters: RegisterFilters) -> int:
    """The number of rows of a register (for an export's progress — never on a page)."""
    require_reports(actor, agency)
    if kind == OUTGOING:
        return _outgoing_qs(agency, year, filters).count()
    return _incoming_qs(agency, year, filters).count()


def iter_register_rows(*, actor, kind: str, agency: OrgUnit, year: int,
                       filters: RegisterFilters, chunk: int = MAX_PAGE,
                       ) -> Iterator[list[RegisterRow]]:
    """The whole register in chunks of `chunk` rows (keyset pages: constant memory)."""
    cursor = None
    while True:
        page = register_rows(kind, actor=actor, agency=agency, year=year, filters=filters,
                             cursor=cursor, limit=chunk)
        if page.items:
            yield page.items
        if not page.next:
            return
        cursor = page.next


def register_meta(*, kind: str, agency: OrgUnit, year: int, filters: RegisterFilters,
                  ) -> dict[str, Any]:
    """Header data of an exported register: agency, parent agency line, register name, year."""
    register = (Register.objects.filter(pk=filters.register_id).first()
                if filters.register_id else None)
    parent = agency.parent.name if agency.parent_id else ""
    doc_type = (DocumentType.objects.filter(code=filters.type_code).first()
                if filters.type_code else None)
    return {
        "kind": kind,
        "title": REGISTER_TITLES[kind],
        "agency_name": agency.name,
        "parent_name": parent,
        "register_name": register.name if register else "",
        "year": year,
        "filters": _filters_text(filters, doc_type),
        "generated_at": timezone.localtime(),
    }


def _filters_text(filters: RegisterFilters, doc_type: DocumentType | None) -> str:
    """The filters, in the register's words, printed under the title of an export."""
    parts = []
    if filters.date_from or filters.date_to:
        start = f"{filters.date_from:%d/%m/%Y}" if filters.date_from else "…"
        end = f"{filters.date_to:%d/%m/%Y}" if filters.date_to else "…"
        parts.append(f"Từ ngày {start} đến ngày {end}")
    if filters.number_from or filters.number_to:
        parts.append(f"Từ số {filters.number_from or '…'} đến số {filters.number_to or '…'}")
    if doc_type:
        parts.append(f"Loại văn bản: {doc_type.name}")
    if filters.urgency:
        parts.append(f"Độ khẩn: {URGENCY_NOTES.get(filters.urgency, 'Thường')}")
    return "; ".join(parts)


# --- export jobs --------------------------------------------------------------------------------


def export_job_get(*, actor, job_id: Any) -> ExportJob:
    """An export job of the actor (only the requester sees it; NotFound otherwise)."""
    try:
        pk = int(job_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    if not 0 < pk < 2**63 or actor is None or not actor.is_authenticated:
        raise NotFound()
    job = ExportJob.objects.select_related("result").filter(pk=pk).first()
    if job is None or (job.requested_by_id != actor.pk and not actor.is_superuser):
        raise NotFound()
    return job


def recent_exports(*, actor, limit: int = 10) -> list[ExportJob]:
    """The actor's latest export jobs (newest first; one query)."""
    if actor is None or not actor.is_authenticated:
        return []
    return list(ExportJob.objects.filter(requested_by=actor).order_by("-created_at", "-id")
                [:limit])
