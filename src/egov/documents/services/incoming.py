"""Incoming documents (văn bản đến): registration, presenting, assignment, handling, recall.

NĐ 30/2020/NĐ-CP, Điều 20–24 and Phụ lục VI. Every function is keyword-only, checks the policy
(except the system actions called by the outgoing work: `incoming_receive_electronic`,
`incoming_complete_by_reply`, `incoming_cancel`), validates everything before writing
(InvalidInput with `fields`, nothing written), runs in one transaction, appends to the document
trail (`trail_record`) and ends with one `audit_log` (the legal acts).

Decisions worth knowing
-----------------------
- **Registers.** Each agency has one active incoming register ("Sổ đăng ký văn bản đến"),
  created on first use by `incoming_register_for`. Số đến comes from the core Sequence
  (scope = the register, series "arrival", the local year): one series for paper and electronic
  documents (Điều 22.2), gapless, restarting on 1 January.
- **Which agency.** A unit that is an internal division stands for its agency (`OrgUnit.agency`):
  the Văn phòng's clerk registers the committee's documents.
- **Secret documents** are refused before anything is read or stored (Luật Bảo vệ bí mật nhà
  nước 2018, Điều 5 khoản 5–6; NĐ 30/2020, Điều 22.4): no file, no number, no row.
- **Duplicates** (Phụ lục VI §III.1.đ): the same issuer (case-insensitive, compared in Python so
  SQLite and PostgreSQL agree on Vietnamese capitals) and số/ký hiệu with a date in the same year
  (Phụ lục VI §III.1.h: the date may differ), or the same file
  SHA-256, already registered in the agency. The SHA-256 is computed from the upload before the
  file is stored, so a refused duplicate leaves nothing behind.
- **Order of locks.** The file is stored (its own transaction and audit event) and its signature
  checked BEFORE the registration transaction, which then takes the sequence row first and the
  audit head last — the same order as every numbering service, so registrations never deadlock
  with issuing. If the registration transaction fails, the stored file is removed again.
  `incoming_receive_electronic` should therefore be called outside a transaction that already
  appended to the audit trail (from `transaction.on_commit` or a job), one delivery at a time.
- **Presenting** (Điều 23.1): every registration gives each leader of the agency (holders of
  documents.assign with agency scope, own posts or delegated) a work item "give instructions",
  due at the end of the next working day — today for khẩn / thượng khẩn / hỏa tốc documents,
  whose leaders are also notified at once. When one leader assigns, the others' items are
  cancelled.
- **Assignments** (Điều 23.2): one chủ trì (lead) unless one is already open, any number of
  phối hợp (support) and để biết (inform, no deadline). Due dates default to the handling due
  date from the agency's UrgencyDeadline rows (else the default row), never before today; the
  work item is due at the office closing time of that day. A unit head passes a unit assignment
  to a person of the unit (a child assignment; the unit's work item moves to the person).
  Only the assignee acts on an assignment: complete (a result and/or the outgoing reply),
  forward (to another unit or person: a new assignment with the same role), or return with a
  reason (a child goes back to its unit; a top-level assignment goes back to the leader who
  gave it, with a new "give instructions" work item). The document is done when no lead
  assignment is open and at least one is done; support and inform do not block.
- **Recall by the issuer** (Phụ lục VI §III.8 says the incoming copy and its metadata are
  destroyed): rows are NOT deleted, because the trail and the audit chain reference them.
  Instead the document becomes CANCELLED, open work is cancelled, assignees are told, and the
  content counts as withdrawn: the pages show only the recall notice and the file is refused.
  The recall metadata (time, reason) is kept.
- **Registered by.** `IncomingDocument.registered_by` is not nullable; a system delivery
  records the actor if given, else the clerk who issued the source document, else its drafter.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from egov.core import calendar, policy
from egov.core.audit import audit_log
from egov.core.errors import AppError, InvalidInput, PermissionDenied
from egov.core.files import PDF, file_store
from egov.core.models import (
    OrgUnit,
    Position,
    RoleGrant,
    StoredFile,
    User,
    WorkItem,
    WorkRole,
    WorkState,
)
from egov.core.msgtext import Msg
from egov.core.notifications import notify
from egov.core.numbering import format_number, sequence_next
from egov.core.services import workitem_create
from egov.core.text import clean_data

from .. import rules, verification
from ..catalog import URGENCY_DEADLINES
from ..models import (
    URGENT_LEVELS,
    Assignment,
    AssignmentState,
    Channel,
    Direction,
    DocumentEvent,
    DocumentType,
    IncomingDocument,
    IncomingState,
    OutgoingDocument,
    OutgoingState,
    Register,
    RegisterKind,
    Secrecy,
    Urgency,
    UrgencyDeadline,
)
from ..selectors.visibility import current_unit_ids
from ..trail import trail_record
from . import assignments_deadlines as deadlines

REGISTER = "documents.register"
ASSIGN = "documents.assign"

MODULE = "documents"
KIND_PRESENT = "incoming.present"
KIND_HANDLE = "incoming.handle"
INCOMING_REGISTER_NAME = "Sổ đăng ký văn bản đến"
ARRIVAL_SERIES = "arrival"

SECRET_BASIS = ("Luật Bảo vệ bí mật nhà nước 2018, Điều 5 khoản 5–6; "
                "Nghị định 30/2020/NĐ-CP, Điều 22 khoản 4")

# Phụ lục VI Part II §II: lengths of the input fields.
MAX_LENGTHS = {
    "issuer_name": 200, "issuer_electronic_id": 13, "number": 11, "notation": 30,
    "subject": 500, "signer_name": 50, "signer_position": 100, "description": 500,
}
MAX_TEXT = 2000  # instructions, results, reasons
OPEN_STATES = (IncomingState.REGISTERED, IncomingState.PRESENTED, IncomingState.IN_PROGRESS)
ROLES = (WorkRole.LEAD, WorkRole.SUPPORT, WorkRole.INFORM)


# --- small helpers ------------------------------------------------------------------------------


def _today() -> dt.date:
    return calendar.localtime(timezone.now()).date()


def _end_of_day(day: dt.date) -> dt.datetime:
    """A due date as an instant: the office closing time of that day (Vietnamese time)."""
    return dt.datetime.combine(day, calendar.office_closes(), tzinfo=calendar.LOCAL_TZ)


def _add(errors: dict[str, list[str]], name: str, message: str) -> None:
    errors.setdefault(name, []).append(str(message))


def _fail(errors: dict[str, list[str]], message: str | None = None, code: str = "invalid"):
    raise InvalidInput(message or _("Check the highlighted fields."), fields=errors, code=code)


def _wrong_state(message: str) -> AppError:
    return AppError("wrong_state", message, status=409)


def _stored_text():
    """Texts stored for other people (work-item titles, notifications) are written in the
    default language, whatever the language of the person acting."""
    return translation.override(settings.LANGUAGE_CODE)


def _label(document: IncomingDocument) -> str:
    text = f"{document.code} — {document.subject}" if document.code else document.subject
    return text[:400]


def _url(document: IncomingDocument) -> str:
    return reverse("documents:incoming_detail", args=[document.pk])


def _is_urgent(urgency: str) -> bool:
    return urgency in URGENT_LEVELS


def _urgent_prefix(urgency: str) -> Msg | str:
    """"[Khẩn] " before a title, translated for each reader (egov.core.msgtext)."""
    if not _is_urgent(urgency):
        return ""
    return Msg(_data=["[", Msg(Urgency(urgency).label).data, "] "])


def _as_agency(unit: OrgUnit) -> OrgUnit:
    if not isinstance(unit, OrgUnit) or unit.pk is None:
        raise InvalidInput(_("Choose an existing agency."),
                           fields={"agency": [_("Choose an existing agency.")]})
    if unit.is_agency or unit.agency_id is None:
        return unit
    return unit.agency


def _subject_q(document: IncomingDocument) -> Q:
    ct = ContentType.objects.get_for_model(IncomingDocument)
    return Q(subject_type=ct, subject_id=str(document.pk))


def _valid_today_q(prefix: str = "") -> Q:
    today = _today()
    return Q(**{f"{prefix}valid_from__lte": today}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": today}))


def _holders(positions_q: Q) -> list[User]:
    """Active users holding one of these posts today, themselves or by a delegation in force."""
    today = _today()
    positions = Position.objects.filter(_valid_today_q() & positions_q).values("pk")
    return list(
        User.objects.filter(is_active=True)
        .filter(Q(positions__in=positions)
                | Q(delegations_received__position__in=positions,
                    delegations_received__start__lte=today,
                    delegations_received__end__gte=today))
        .distinct().order_by("pk")
    )


def agency_leaders(agency: OrgUnit) -> list[User]:
    """The people who direct the handling of the agency's incoming documents: holders of
    documents.assign with agency scope in a unit of the agency (NĐ 30/2020, Điều 23.1)."""
    roles = RoleGrant.objects.filter(action=ASSIGN, scope="agency").values("role_id")
    return _holders(Q(org_unit__agency=agency, roles__in=roles))


def unit_dispatchers(unit: OrgUnit) -> list[User]:
    """Who receives a unit's assignment: the people holding documents.assign in the unit (the
    unit head), or, if nobody does, everybody with a post there."""
    roles = RoleGrant.objects.filter(action=ASSIGN).values("role_id")
    heads = _holders(Q(org_unit=unit, roles__in=roles))
    return heads or _holders(Q(org_unit=unit))


def handling_days(agency: OrgUnit, urgency: str) -> int:
    """Working days to handle a document of this urgency: the agency's own rule, else the
    default row (NĐ 30/2020, Điều 24.2: urgent documents are handled at once)."""
    rows = {row.agency_id: row.working_days for row in
            UrgencyDeadline.objects.filter(Q(agency=agency) | Q(agency__isnull=True),
                                           urgency=urgency)}
    if agency.pk in rows:
        return rows[agency.pk]
    if None in rows:
        return rows[None]
    return URGENCY_DEADLINES.get(urgency, URGENCY_DEADLINES["normal"])[0]


def _handling_due(start: dt.date, days: int) -> dt.date:
    """`days` working days after `start`; 0 ("at once") is `start` itself, or the next working
    day when `start` is not one."""
    if days <= 0:
        return calendar.next_working_day(start, include=True)
    return calendar.add_working_days(start, days)


def default_due_date(document: IncomingDocument) -> dt.date:
    """The deadline proposed for an assignment: the document's handling due date, or — when
    that has passed — the urgency rule counted from today."""
    today = _today()
    if document.handling_due_date and document.handling_due_date >= today:
        return document.handling_due_date
    return _handling_due(today, handling_days(document.agency, document.urgency))


def _present_due(urgency: str) -> dt.datetime:
    """Điều 23.1: present on the same day, at the latest the next working day; urgent
    documents at once (end of today, or now when the office has closed)."""
    now = calendar.localtime(timezone.now())
    if _is_urgent(urgency):
        return max(now, _end_of_day(now.date()))
    return _end_of_day(calendar.add_working_days(now.date(), 1))


# --- registers ----------------------------------------------------------------------------------


def _active_incoming_register(agency: OrgUnit) -> Register | None:
    return (Register.objects.filter(agency=agency, direction=Direction.INCOMING,
                                    kind=RegisterKind.INCOMING, is_active=True)
            .order_by("pk").first())


def incoming_register_for(agency: OrgUnit) -> Register:
    """The agency's active incoming register, created ("Sổ đăng ký văn bản đến") if it has none.

    Race-safe: the creation runs under a row lock on the agency (PostgreSQL) / the database
    write lock (SQLite's IMMEDIATE transactions), and looks again once it holds the lock."""
    agency = _as_agency(agency)
    register = _active_incoming_register(agency)
    if register is not None:
        return register
    with transaction.atomic():
        OrgUnit.objects.select_for_update(no_key=True).filter(pk=agency.pk).first()
        register = _active_incoming_register(agency)
        if register is None:
            register = Register.objects.create(
                agency=agency, direction=Direction.INCOMING, kind=RegisterKind.INCOMING,
                name=INCOMING_REGISTER_NAME,
            )
            audit_log(actor="system", action="documents.register.create", obj=register,
                      details={"agency": agency.pk, "kind": register.kind,
                               "name": register.name,
                               "legal_basis": "Nghị định 30/2020/NĐ-CP, Điều 22"})
    return register


# --- input --------------------------------------------------------------------------------------


def _text(data: dict, name: str, errors, *, required: bool = False) -> str:
    value = data.get(name)
    if value is None:
        value = ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        _add(errors, name, _("Enter text."))
        return ""
    value = " ".join(value.split()) if name != "description" else value.strip()
    if not _storable(value):
        _add(errors, name, _("Remove control characters."))
        return ""
    if required and not value:
        _add(errors, name, _("This field is required."))
    limit = MAX_LENGTHS.get(name, MAX_TEXT)
    if len(value) > limit:
        _add(errors, name, _("At most %(max)d characters.") % {"max": limit})
    return value


def _storable(value: str) -> bool:
    """NUL characters and lone surrogates cannot be stored (PostgreSQL refuses NUL)."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def parse_date(value, name: str, errors, *, required: bool = False) -> dt.date | None:
    """A date from a date object or an ISO string "YYYY-MM-DD"."""
    if value in (None, ""):
        if required:
            _add(errors, name, _("This field is required."))
        return None
    if isinstance(value, dt.datetime):
        _add(errors, name, _("Enter a valid date (YYYY-MM-DD)."))
        return None
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    _add(errors, name, _("Enter a valid date (YYYY-MM-DD)."))
    return None


def _int(value, name: str, errors, *, low: int, high: int) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        _add(errors, name, _("Enter a whole number."))
        return None
    try:
        number = int(value) if not isinstance(value, float) or value.is_integer() else None
    except (TypeError, ValueError):
        number = None
    if number is None:
        _add(errors, name, _("Enter a whole number."))
        return None
    if not low <= number <= high:
        _add(errors, name, _("Enter a number between %(low)d and %(high)d.")
             % {"low": low, "high": high})
        return None
    return number


def _choice(data: dict, name: str, choices, default: str, errors) -> str:
    value = data.get(name)
    if value in (None, ""):
        return default
    if value not in choices.values:
        _add(errors, name, _("Choose one of: %(values)s.") % {"values": ", ".join(choices.values)})
        return default
    return value


def secret_refusal() -> InvalidInput:
    message = _(
        "Secret documents (Mật, Tối mật, Tuyệt mật) cannot be registered in eGov: state-secret "
        "content may not be stored on networked computers (%(basis)s). Register it in the "
        "separate register for secret documents, outside the system."
    ) % {"basis": SECRET_BASIS}
    return InvalidInput(message, code="secret_document", fields={"secrecy": [message]})


def _check_secrecy(data: dict) -> None:
    secrecy = data.get("secrecy") if isinstance(data, dict) else None
    if secrecy in (None, "", Secrecy.NONE):
        return
    raise secret_refusal()


def clean_incoming_data(data: Any) -> dict:
    """The registration fields of Phụ lục VI Part II §II, checked; raises InvalidInput.

    A secret document is refused first, with its own code ("secret_document")."""
    if not isinstance(data, dict):
        _fail({"data": [_("Send the document's data as a JSON object.")]})
    data = clean_data(data)  # control characters removed, bidi controls refused (core.text)
    _check_secrecy(data)
    errors: dict[str, list[str]] = {}
    today = _today()
    cleaned: dict[str, Any] = {
        "issuer_name": _text(data, "issuer_name", errors, required=True),
        "issuer_electronic_id": _text(data, "issuer_electronic_id", errors),
        "number": _text(data, "number", errors),
        "notation": _text(data, "notation", errors),
        "subject": _text(data, "subject", errors, required=True),
        "signer_name": _text(data, "signer_name", errors),
        "signer_position": _text(data, "signer_position", errors),
        "description": _text(data, "description", errors),
        "urgency": _choice(data, "urgency", Urgency, Urgency.NORMAL, errors),
        "channel": _choice(data, "channel", Channel, Channel.PAPER, errors),
        "page_count": _int(data.get("page_count"), "page_count", errors, low=1, high=999),
    }
    issued = parse_date(data.get("issued_date"), "issued_date", errors, required=True)
    if issued is not None and issued > today:
        _add(errors, "issued_date", _("The document date cannot be in the future."))
    due = parse_date(data.get("due_date"), "due_date", errors)
    if due is not None and issued is not None and due < issued:
        _add(errors, "due_date", _("The reply due date cannot be before the document date."))
    cleaned["issued_date"], cleaned["due_date"] = issued, due
    type_code = data.get("type_code")
    doc_type = None
    if type_code in (None, ""):
        _add(errors, "type_code", _("This field is required."))
    elif not isinstance(type_code, str):
        _add(errors, "type_code", _("Enter text."))
    else:
        doc_type = (DocumentType.objects.filter(code=type_code.strip())
                    .filter(_valid_today_q()).first())
        if doc_type is None:
            _add(errors, "type_code", _("Unknown or expired document type: %(code)s.")
                 % {"code": type_code[:30]})
    cleaned["doc_type"] = doc_type
    if errors:
        _fail(errors)
    cleaned["code"] = rules.make_code(cleaned["number"], cleaned["notation"])
    return cleaned


def _upload_sha256(upload) -> str:
    """SHA-256 of an upload before it is stored (the duplicate check must not store anything).
    Accepts what file_store accepts: an UploadedFile, a (name, bytes) pair, a named file."""
    if isinstance(upload, StoredFile):
        return upload.sha256
    digest = hashlib.sha256()
    if isinstance(upload, tuple) and len(upload) == 2:
        data = upload[1]
        if isinstance(data, bytes | bytearray | memoryview):
            digest.update(bytes(data))
            return digest.hexdigest()
        source = data
    else:
        source = upload
    if not hasattr(source, "read"):
        raise InvalidInput(_("Choose the PDF of the document."),
                           fields={"file": [_("Choose the PDF of the document.")]})
    try:
        source.seek(0)
    except (AttributeError, OSError, ValueError):
        pass
    if hasattr(source, "chunks"):
        for block in source.chunks():
            digest.update(block)
    else:
        while block := source.read(64 * 1024):
            digest.update(block)
    try:
        source.seek(0)
    except (AttributeError, OSError, ValueError):
        pass
    return digest.hexdigest()


def find_duplicate(*, agency: OrgUnit, issuer_name: str, code: str, issued_date: dt.date | None,
                   sha256: str = "") -> tuple[IncomingDocument, str] | None:
    """(an earlier document, "code" | "file") registered in the agency with the same issuer +
    số/ký hiệu in the same year (the date may differ: Phụ lục VI §III.1.h — numbers restart
    every year), or the same file (Phụ lục VI §III.1.đ); None if there is none."""
    if code and issued_date:
        wanted = " ".join(issuer_name.split()).casefold()
        year = issued_date.year
        for doc in (IncomingDocument.objects.filter(
                        agency=agency, code=code, issued_date__gte=dt.date(year, 1, 1),
                        issued_date__lt=dt.date(year + 1, 1, 1))
                    .order_by("pk").only("pk", "issuer_name", "arrival_number", "arrival_date",
                                         "code", "year")):
            if " ".join(doc.issuer_name.split()).casefold() == wanted:
                return doc, "code"
    if sha256:
        doc = (IncomingDocument.objects.filter(agency=agency, file_sha256=sha256)
               .order_by("pk").only("pk", "arrival_number", "arrival_date", "code", "year")
               .first())
        if doc is not None:
            return doc, "file"
    return None


def duplicate_error(doc: IncomingDocument, match: str) -> InvalidInput:
    when = calendar.localtime(doc.arrival_date).strftime("%d/%m/%Y")
    if match == "code":
        message = _("A document with the same issuer and number of the same year is already "
                    "registered: arrival number %(number)s of %(date)s (id %(id)s).")
        field = "number"
    else:
        message = _("The same file is already registered: arrival number %(number)s of "
                    "%(date)s (id %(id)s).")
        field = "file"
    message = message % {"number": doc.arrival_number, "date": when, "id": doc.pk}
    return InvalidInput(message, code="duplicate",
                        fields={field: [message], "duplicate_of": [str(doc.pk)]})


# --- registration -------------------------------------------------------------------------------


class _AlreadyDelivered(Exception):
    def __init__(self, document: IncomingDocument) -> None:
        super().__init__("already delivered")
        self.document = document


def _discard(stored: StoredFile) -> None:
    """Remove a file stored for a registration that did not happen."""
    name = stored.file.name
    try:
        StoredFile.objects.filter(pk=stored.pk).delete()
    except Exception:  # noqa: BLE001 - still referenced: keep it
        return
    try:
        default_storage.delete(name)
    except OSError:
        pass


def _create_present_items(*, actor, document: IncomingDocument,
                          leaders: list[User]) -> list[WorkItem]:
    title = (_urgent_prefix(document.urgency)
             + Msg(N_("Give instructions: %(doc)s"), doc=_label(document)))
    due = _present_due(document.urgency)
    common = {"actor": actor, "module": MODULE, "kind": KIND_PRESENT, "title": title,
              "url": _url(document), "subject": document, "role": WorkRole.TASK,
              "due_at": due, "urgency": document.urgency}
    if not leaders:
        # Nobody holds documents.assign in the agency: the work lands in the agency's inbox.
        return [workitem_create(**common, assignee_unit=document.agency)]
    return [workitem_create(**common, assignee_user=leader, assignee_unit=document.agency)
            for leader in leaders]


def _notify_urgent(document: IncomingDocument, leaders: list[User]) -> None:
    if not _is_urgent(document.urgency) or not leaders:
        return
    subject = _urgent_prefix(document.urgency) + Msg(N_("New incoming document: %(doc)s"),
                                                     doc=_label(document))
    body = Msg(N_("Arrival number %(number)s, from %(issuer)s. Urgent documents are presented "
                  "and handled at once (Nghị định 30/2020/NĐ-CP, Điều 23 khoản 1, Điều 24 "
                  "khoản 2)."), number=document.arrival_number, issuer=document.issuer_name)
    notify(users=leaders, subject=subject, body=body, url=_url(document))


def _record(*, actor, agency: OrgUnit, register: Register, stored: StoredFile, own_file: bool,
            cleaned: dict, duplicate: IncomingDocument | None, channel: str,
            issuer_unit: OrgUnit | None = None, source: OutgoingDocument | None = None,
            registered_by: User) -> IncomingDocument:
    status, report = verification.verify_incoming_pdf(stored)
    try:
        with transaction.atomic():
            now = timezone.now()
            local = calendar.localtime(now)
            # NĐ 30/2020, Điều 22.2: số đến is consecutive within the year in order of arrival,
            # one series for paper and electronic documents; it restarts on 1 January.
            number = sequence_next(scope=register.sequence_scope, series=ARRIVAL_SERIES,
                                   year=local.year)
            if source is not None:
                existing = IncomingDocument.objects.filter(source=source, agency=agency).first()
                if existing is not None:
                    raise _AlreadyDelivered(existing)
            days = handling_days(agency, cleaned["urgency"])
            document = IncomingDocument.objects.create(
                agency=agency, register=register, year=local.year, arrival_number=number,
                arrival_date=now, channel=channel,
                issuer_name=cleaned["issuer_name"],
                issuer_electronic_id=cleaned["issuer_electronic_id"], issuer_unit=issuer_unit,
                number=cleaned["number"], notation=cleaned["notation"], code=cleaned["code"],
                issued_date=cleaned["issued_date"], doc_type=cleaned["doc_type"],
                subject=cleaned["subject"], signer_name=cleaned["signer_name"],
                signer_position=cleaned["signer_position"], urgency=cleaned["urgency"],
                page_count=cleaned["page_count"], description=cleaned["description"],
                due_date=cleaned["due_date"], file=stored, file_sha256=stored.sha256,
                state=IncomingState.PRESENTED, duplicate_of=duplicate,
                signature_status=status, signature_report=report, source=source,
                handling_due_date=_handling_due(local.date(), days),
                registered_by=registered_by, created_at=now,
            )
            leaders = agency_leaders(agency)
            items = _create_present_items(actor=actor, document=document, leaders=leaders)
            trail_record(document=document, action="received" if source else "registered",
                         actor=actor, details={
                             "arrival_number": number, "channel": channel,
                             "duplicate_of": duplicate.pk if duplicate else None,
                             "signature_status": status,
                             "source": source.pk if source else None,
                         })
            trail_record(document=document, action="presented", actor=actor, details={
                "to": [leader.pk for leader in leaders],
                "due_at": items[0].due_at.isoformat() if items else None,
            })
            _notify_urgent(document, leaders)
            audit_log(actor=actor if actor is not None else "system",
                      action="documents.incoming.register", obj=document, details={
                          "agency": agency.pk, "register": register.pk, "year": local.year,
                          "arrival_number": number, "code": document.code,
                          "issuer_name": document.issuer_name,
                          "issued_date": document.issued_date, "channel": channel,
                          "urgency": document.urgency, "file": stored.pk,
                          "sha256": stored.sha256,
                          "duplicate_of": duplicate.pk if duplicate else None,
                          "signature_status": status,
                          "source": source.pk if source else None,
                          "legal_basis": "Nghị định 30/2020/NĐ-CP, Điều 22",
                      })
    except BaseException:
        if own_file:
            _discard(stored)
        raise
    return document


def incoming_register(*, actor, agency: OrgUnit, file, data: dict,
                      confirm_duplicate: bool = False) -> IncomingDocument:
    """The clerk registers an incoming document (NĐ 30/2020, Điều 22; Phụ lục VI Part II §II).

    `file` is the PDF (scan or electronic original); `data` holds the Phụ lục VI fields
    (see `clean_incoming_data`). A possible duplicate is refused with code "duplicate" unless
    `confirm_duplicate`, in which case it is registered with `duplicate_of` set."""
    agency = _as_agency(agency)
    policy.require(actor, REGISTER, agency)
    cleaned = clean_incoming_data(data)
    if file is None:
        _fail({"file": [_("Choose the PDF of the document.")]})
    sha256 = _upload_sha256(file)
    found = find_duplicate(agency=agency, issuer_name=cleaned["issuer_name"],
                           code=cleaned["code"], issued_date=cleaned["issued_date"],
                           sha256=sha256)
    if found is not None and not confirm_duplicate:
        raise duplicate_error(*found)
    stored = file_store(actor=actor, upload=file, require={PDF})  # refuses a bad PDF first
    register = incoming_register_for(agency)
    return _record(actor=actor, agency=agency, register=register, stored=stored, own_file=True,
                   cleaned=cleaned, duplicate=found[0] if found else None,
                   channel=cleaned["channel"], registered_by=actor)


def _source_defaults(source: OutgoingDocument) -> dict:
    from egov.core.selectors import orgunit_name_on

    issuer = source.agency
    issuer_name, _abbr = orgunit_name_on(issuer, source.issued_date or _today())
    return {
        "issuer_name": issuer_name, "issuer_electronic_id": issuer.electronic_id or "",
        "signer_name": source.signer.get_full_name()[:50] if source.signer_id else "",
        "number": format_number(source.number) if source.number is not None else "",
        "notation": source.notation, "issued_date": source.issued_date,
        "type_code": source.doc_type.code if source.doc_type_id else "",
        "subject": source.subject, "signer_position": source.signer_position,
        "urgency": source.urgency, "page_count": source.page_count,
        "due_date": source.due_date,
    }


def incoming_receive_electronic(*, agency: OrgUnit, source: OutgoingDocument, file, data: dict,
                                actor=None) -> IncomingDocument:
    """A document issued inside eGov arrives in a recipient agency (NĐ 30/2020, Điều 21.2):
    registered like `incoming_register`, channel electronic, `issuer_unit` = the issuing agency,
    `source` = the outgoing document. A system action: no permission check; the audit actor is
    "system" when `actor` is None.

    `file` is the issued PDF: a StoredFile (linked, not copied) or an upload. `data` uses the
    keys of `incoming_register`; missing keys are taken from `source`. Idempotent: a second
    delivery of the same source to the same agency returns the first registration. Another
    document with the same number or file is registered anyway, with `duplicate_of` set.
    Call it outside a transaction that already wrote to the audit trail (see the module doc)."""
    agency = _as_agency(agency)
    if not isinstance(source, OutgoingDocument) or source.pk is None:
        raise InvalidInput(_("The source must be an issued outgoing document."),
                           fields={"source": [_("The source must be an issued outgoing "
                                                "document.")]})
    existing = IncomingDocument.objects.filter(source=source, agency=agency).first()
    if existing is not None:
        return existing
    merged = {**_source_defaults(source),
              **{k: v for k, v in (data or {}).items() if v not in (None, "")}}
    merged["channel"] = Channel.ELECTRONIC
    cleaned = clean_incoming_data(merged)
    if file is None:
        _fail({"file": [_("Choose the PDF of the document.")]})
    if isinstance(file, StoredFile):
        if file.content_type != PDF:
            _fail({"file": [_("The file must be a PDF.")]})
        stored, own = file, False
    else:
        stored, own = None, True
    sha256 = _upload_sha256(file)
    found = find_duplicate(agency=agency, issuer_name=cleaned["issuer_name"],
                           code=cleaned["code"], issued_date=cleaned["issued_date"],
                           sha256=sha256)
    register = incoming_register_for(agency)
    if stored is None:
        stored = file_store(actor=actor, upload=file, require={PDF})
    registered_by = actor if getattr(actor, "pk", None) else (source.issued_by or source.drafter)
    try:
        return _record(actor=actor, agency=agency, register=register, stored=stored,
                       own_file=own, cleaned=cleaned, duplicate=found[0] if found else None,
                       channel=Channel.ELECTRONIC, issuer_unit=source.agency, source=source,
                       registered_by=registered_by)
    except _AlreadyDelivered as already:
        return already.document


# --- assignment ---------------------------------------------------------------------------------


def _as_id(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _units_allowed(actor, document: IncomingDocument, units: Iterable[OrgUnit]) -> dict[int, str]:
    """{unit id: error} for units that may not receive this document's assignment."""
    bad: dict[int, str] = {}
    today = _today()
    base = document.agency.path
    for unit in units:
        if unit.pk == document.agency_id:
            bad[unit.pk] = _("Choose a unit below the agency, not the agency itself.")
        elif not unit.is_valid_on(today):
            bad[unit.pk] = _("This unit is closed.")
        elif not unit.path.startswith(base) and not policy.can(actor, ASSIGN, unit):
            bad[unit.pk] = _("This unit is outside the agency.")
    return bad


def _people_in(units_path: str, user_ids: Iterable[int]) -> set[int]:
    """Ids of the users (among user_ids) who hold a post today in the subtree at units_path."""
    ids = list(user_ids)
    if not ids:
        return set()
    return set(Position.objects.filter(_valid_today_q(), user_id__in=ids,
                                       user__is_active=True,
                                       org_unit__path__startswith=units_path)
               .values_list("user_id", flat=True))


def _open_top_lead(document: IncomingDocument) -> Assignment | None:
    return (document.assignments.filter(parent__isnull=True, role=WorkRole.LEAD,
                                        state=AssignmentState.OPEN)
            .select_related("assignee_unit", "assignee_user").first())


def _assignee_label(assignment: Assignment) -> str:
    if assignment.assignee_user_id:
        return assignment.assignee_user.get_full_name()
    return assignment.assignee_unit.name


def _handle_item(*, actor, document: IncomingDocument, role: str, due_date: dt.date | None,
                 unit: OrgUnit | None, user: User | None) -> WorkItem:
    title = _urgent_prefix(document.urgency) + Msg(N_("%(role)s: %(doc)s"),
                                                   role=WorkRole(role).label,
                                                   doc=_label(document))
    return workitem_create(
        actor=actor, module=MODULE, kind=KIND_HANDLE, title=title, url=_url(document),
        subject=document, assignee_user=user, assignee_unit=unit, role=role,
        due_at=_end_of_day(due_date) if due_date else None, urgency=document.urgency,
    )


def _notify_assignees(document: IncomingDocument, assignments: Iterable[Assignment],
                      subject_text: str) -> None:
    users: list[User] = []
    for a in assignments:
        if a.assignee_user_id:
            users.append(a.assignee_user)
        else:
            users.extend(unit_dispatchers(a.assignee_unit))
    if not users:
        return
    subject = _urgent_prefix(document.urgency) + subject_text
    notify(users=users, subject=subject, body=_label(document), url=_url(document))


def _close_present_items(*, actor, document: IncomingDocument) -> list[int]:
    """The leaders' "give instructions" items: the actor's is done, the others' cancelled."""
    now = timezone.now()
    items = WorkItem.objects.filter(_subject_q(document), kind=KIND_PRESENT,
                                    state=WorkState.OPEN)
    ids = list(items.values_list("pk", flat=True))
    if ids:
        mine = Q(assignee_user=actor) if getattr(actor, "pk", None) else Q(pk__in=[])
        WorkItem.objects.filter(pk__in=ids).filter(mine).update(state=WorkState.DONE,
                                                                finished_at=now)
        WorkItem.objects.filter(pk__in=ids, state=WorkState.OPEN).update(
            state=WorkState.CANCELLED, finished_at=now)
    return ids


def _lock(document: IncomingDocument) -> IncomingDocument:
    return (IncomingDocument.objects.select_for_update(of=("self",), no_key=True).select_related("agency")
            .get(pk=document.pk))


def incoming_assign(*, actor, document: IncomingDocument, instruction: str,
                    assignments: list[dict]) -> list[Assignment]:
    """The leader writes ý kiến chỉ đạo and names the lead (chủ trì), supporting (phối hợp)
    and informed (để biết) units or persons, each with a deadline (NĐ 30/2020, Điều 23.2).

    `assignments`: [{"unit_id" | "user_id", "role": "lead" | "support" | "inform",
    "due_date": date or "YYYY-MM-DD" (optional; inform has none)}]."""
    policy.require(actor, ASSIGN, document)
    if document.state not in OPEN_STATES:
        raise _wrong_state(_("This document is no longer open for assignment."))
    errors: dict[str, list[str]] = {}
    if instruction is None:
        instruction = ""
    if not isinstance(instruction, str):
        _add(errors, "instruction", _("Enter text."))
        instruction = ""
    instruction = instruction.strip()
    if not _storable(instruction):
        _add(errors, "instruction", _("Remove control characters."))
    if len(instruction) > MAX_TEXT:
        _add(errors, "instruction", _("At most %(max)d characters.") % {"max": MAX_TEXT})
    if not isinstance(assignments, list) or not assignments:
        _add(errors, "assignments", _("Assign the document to at least one unit or person."))
        assignments = []
    if len(assignments) > 200:
        _add(errors, "assignments", _("At most %(max)d lines.") % {"max": 200})
        assignments = []
    today = _today()
    default_due = default_due_date(document)
    parsed: list[dict] = []
    for i, item in enumerate(assignments):
        p = f"assignments.{i}"
        if not isinstance(item, dict):
            _add(errors, p, _("Send an object with unit_id or user_id and role."))
            continue
        unit_id, user_id = item.get("unit_id"), item.get("user_id")
        if (unit_id in (None, "")) == (user_id in (None, "")):
            _add(errors, f"{p}.unit_id", _("Give a unit or a person, not both."))
            continue
        key = "unit_id" if unit_id not in (None, "") else "user_id"
        ident = _as_id(unit_id if key == "unit_id" else user_id)
        if ident is None or ident < 1:
            _add(errors, f"{p}.{key}", _("Enter a whole number."))
            continue
        role = item.get("role")
        if role not in ROLES:
            _add(errors, f"{p}.role", _("Choose one of: %(values)s.")
                 % {"values": ", ".join(ROLES)})
            continue
        due = given = parse_date(item.get("due_date"), f"{p}.due_date", errors)
        if role == WorkRole.INFORM:
            due = None  # để biết: for information, no deadline
        elif due is None:
            due = default_due
        elif due < today:
            _add(errors, f"{p}.due_date", _("The deadline cannot be before today."))
        parsed.append({"index": i, "key": key, "id": ident, "role": role, "due": due,
                       "given": given})

    units = {u.pk: u for u in OrgUnit.objects.filter(
        pk__in=[x["id"] for x in parsed if x["key"] == "unit_id"])}
    users = {u.pk: u for u in User.objects.filter(
        pk__in=[x["id"] for x in parsed if x["key"] == "user_id"], is_active=True)}
    bad_units = _units_allowed(actor, document, units.values())
    staff = _people_in(document.agency.path, users)
    existing_rows = list(document.assignments.filter(state=AssignmentState.OPEN,
                                                     parent__isnull=True)
                         .values_list("assignee_unit_id", "assignee_user_id", "role", "due_date"))
    existing = [row[:3] for row in existing_rows]
    # Each phối hợp unit its own deadline, by default the lead's (NĐ 30/2020 Phụ lục IV).
    deadlines.apply_support_deadlines(parsed, open_lead_due=next(
        (row[3] for row in existing_rows if row[2] == WorkRole.LEAD), None))
    taken = {("unit_id", u) for u, _p, _r in existing if u and not _p} | {
        ("user_id", p) for _u, p, _r in existing if p}
    seen: set[tuple[str, int]] = set()
    for x in parsed:
        p = f"assignments.{x['index']}.{x['key']}"
        if x["key"] == "unit_id":
            if x["id"] not in units:
                _add(errors, p, _("No such unit."))
            elif x["id"] in bad_units:
                _add(errors, p, bad_units[x["id"]])
        else:
            if x["id"] not in users:
                _add(errors, p, _("No such person."))
            elif x["id"] not in staff and not _may_assign_person(actor, users[x["id"]]):
                _add(errors, p, _("This person holds no post in the agency."))
        ident = (x["key"], x["id"])
        if ident in seen:
            _add(errors, p, _("Listed twice."))
        elif ident in taken:
            _add(errors, p, _("Already assigned to this document."))
        seen.add(ident)
    leads = [x for x in parsed if x["role"] == WorkRole.LEAD]
    open_lead = any(r == WorkRole.LEAD for _u, _p, r in existing)
    if open_lead and leads:
        _add(errors, f"assignments.{leads[0]['index']}.role",
             _("The document already has a lead; add supporting or informed units only."))
    elif not open_lead and not leads and assignments and not errors:
        _add(errors, "assignments", _("Choose one lead unit or person (chủ trì)."))
    elif len(leads) > 1:
        _add(errors, f"assignments.{leads[1]['index']}.role",
             _("Only one lead (chủ trì) — make the others supporting units."))
    if errors:
        _fail(errors)

    with transaction.atomic():
        locked = _lock(document)
        if locked.state not in OPEN_STATES:
            raise _wrong_state(_("This document is no longer open for assignment."))
        if not open_lead and _open_top_lead(locked) is not None:
            raise _wrong_state(_("Another leader has just assigned a lead; reload the page."))
        now = timezone.now()
        created: list[Assignment] = []
        for x in parsed:
            unit = units.get(x["id"]) if x["key"] == "unit_id" else None
            user = users.get(x["id"]) if x["key"] == "user_id" else None
            item = _handle_item(actor=actor, document=locked, role=x["role"], due_date=x["due"],
                                unit=unit, user=user)
            created.append(Assignment.objects.create(
                document=locked, doc_arrival_date=locked.arrival_date, role=x["role"],
                assignee_unit=unit, assignee_user=user, instruction=instruction,
                due_date=x["due"], work_item=item, assigned_by=actor, assigned_at=now,
            ))
        closed = _close_present_items(actor=actor, document=locked)
        locked.state = IncomingState.IN_PROGRESS
        locked.save(update_fields=["state"])
        deadlines.sync_handling_due(locked, created)  # the header shows the lead's deadline
        details = {"instruction": instruction, "assignments": [
            {"id": a.pk, "role": a.role, "unit": a.assignee_unit_id,
             "user": a.assignee_user_id, "assignee": _assignee_label(a),
             "due_date": a.due_date.isoformat() if a.due_date else None} for a in created]}
        trail_record(document=locked, action="assigned", actor=actor, details=details)
        _notify_assignees(locked, created, Msg(N_("Assigned to you: %(doc)s"),
                                               doc=_label(locked)))
        audit_log(actor=actor, action="documents.incoming.assign", obj=locked,
                  details={**details, "present_items_closed": closed,
                           "legal_basis": "Nghị định 30/2020/NĐ-CP, Điều 23 khoản 2"})
    document.state = locked.state
    document.handling_due_date = locked.handling_due_date
    return created


def _may_assign_person(actor, user: User) -> bool:
    """A person outside the agency may be named when the actor may assign in one of the units
    where that person holds a post today (a leader whose scope covers other agencies)."""
    units = OrgUnit.objects.filter(pk__in=Position.objects.filter(
        _valid_today_q(), user=user).values("org_unit_id"))
    return any(policy.can(actor, ASSIGN, unit) for unit in units)


# --- acting on an assignment --------------------------------------------------------------------


def is_assignee(actor, assignment: Assignment) -> bool:
    """The assignee acts: the person named, or a person with a post in the unit named."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    if actor.is_superuser:
        return True
    if assignment.assignee_user_id:
        return assignment.assignee_user_id == actor.pk
    return assignment.assignee_unit_id in current_unit_ids(actor)


def _locked_open(assignment: Assignment) -> Assignment:
    fresh = (Assignment.objects.select_for_update(of=("self",), no_key=True)
             .select_related("document", "document__agency", "assignee_unit", "assignee_user",
                             "work_item", "assigned_by")
             .get(pk=assignment.pk))
    if fresh.state != AssignmentState.OPEN:
        raise _wrong_state(_("This assignment is already closed."))
    if fresh.document.state == IncomingState.CANCELLED:
        raise _wrong_state(_("The issuer has recalled this document."))
    return fresh


def _open_child(assignment: Assignment) -> Assignment | None:
    return (Assignment.objects.filter(parent=assignment, state=AssignmentState.OPEN)
            .select_related("assignee_user", "work_item").first())


def _require_actionable(actor, assignment: Assignment) -> None:
    if not is_assignee(actor, assignment):
        raise PermissionDenied()
    child = _open_child(assignment)
    if child is not None:
        raise _wrong_state(_("This assignment was passed to %(name)s, who acts on it.")
                           % {"name": _assignee_label(child)})


def _finish_item(item_id: int | None, state: str, now: dt.datetime) -> None:
    if item_id:
        WorkItem.objects.filter(pk=item_id, state=WorkState.OPEN).update(state=state,
                                                                         finished_at=now)


def _refresh_state(document: IncomingDocument, now: dt.datetime) -> None:
    """DONE when no top-level lead assignment is open and one is done; back to PRESENTED when
    no lead is open and none is done (a returned lead)."""
    leads = list(document.assignments.filter(parent__isnull=True, role=WorkRole.LEAD)
                 .values_list("state", flat=True))
    if AssignmentState.OPEN in leads:
        return
    if AssignmentState.DONE in leads:
        if document.state != IncomingState.DONE:
            document.state = IncomingState.DONE
            document.completed_at = now
            document.save(update_fields=["state", "completed_at"])
    elif document.state == IncomingState.IN_PROGRESS:
        document.state = IncomingState.PRESENTED
        document.save(update_fields=["state"])


def _clean_reason(value, name: str, *, required: bool) -> str:
    errors: dict[str, list[str]] = {}
    if value is None:
        value = ""
    if not isinstance(value, str):
        _add(errors, name, _("Enter text."))
    else:
        value = value.strip()
        if not _storable(value):
            _add(errors, name, _("Remove control characters."))
        elif required and not value:
            _add(errors, name, _("This field is required."))
        if len(value) > MAX_TEXT:
            _add(errors, name, _("At most %(max)d characters.") % {"max": MAX_TEXT})
    if errors:
        _fail(errors)
    return value


def assignment_reassign(*, actor, assignment: Assignment, to_user_id: int, instruction: str = "",
                        due_date: dt.date | str | None = None) -> Assignment:
    """A unit head passes the unit's assignment to a person of the unit (Phiếu giải quyết văn
    bản đến, part 2): a child assignment; the unit's work item moves to the person. Passing it
    again to somebody else takes it back from the first person."""
    unit = assignment.assignee_unit
    if unit is None or assignment.assignee_user_id:
        raise _wrong_state(_("Only an assignment given to a unit can be passed to a person."))
    policy.require(actor, ASSIGN, unit)
    instruction = _clean_reason(instruction, "instruction", required=False)
    errors: dict[str, list[str]] = {}
    user_pk = _as_id(to_user_id)
    user = User.objects.filter(pk=user_pk, is_active=True).first() if user_pk else None
    if user is None:
        _add(errors, "to_user_id", _("Choose a person of the unit."))
    elif not _people_in(unit.path, [user.pk]):
        _add(errors, "to_user_id", _("This person holds no post in %(unit)s.")
             % {"unit": unit.name})
    due = parse_date(due_date, "due_date", errors)
    if assignment.role == WorkRole.INFORM:
        due = None
    elif due is None:
        due = assignment.due_date
    elif due < _today():
        _add(errors, "due_date", _("The deadline cannot be before today."))
    elif assignment.due_date and due > assignment.due_date:
        _add(errors, "due_date", _("The deadline cannot be after the unit's deadline (%(date)s).")
             % {"date": assignment.due_date.strftime("%d/%m/%Y")})
    if errors:
        _fail(errors)
    with transaction.atomic():
        parent = _locked_open(assignment)
        now = timezone.now()
        previous = _open_child(parent)
        holder = previous or parent
        item = holder.work_item
        if previous is not None:
            Assignment.objects.filter(pk=previous.pk).update(
                state=AssignmentState.CANCELLED, finished_at=now, work_item=None)
        else:
            Assignment.objects.filter(pk=parent.pk).update(work_item=None)
        if item is None:
            item = _handle_item(actor=actor, document=parent.document, role=parent.role,
                                due_date=due, unit=unit, user=user)
        else:
            due_at = _end_of_day(due) if due else None
            WorkItem.objects.filter(pk=item.pk).update(
                assignee_user=user, due_at=due_at,
                due_sort=WorkItem.sort_key(due_at, item.urgency, item.created_at),
                opened_at=None)
        child = Assignment.objects.create(
            document=parent.document, doc_arrival_date=parent.doc_arrival_date, parent=parent,
            role=parent.role, assignee_unit=unit, assignee_user=user, instruction=instruction,
            due_date=due, work_item_id=item.pk, assigned_by=actor, assigned_at=now,
        )
        details = {"assignment": parent.pk, "child": child.pk, "unit": unit.pk,
                   "to_user": user.pk, "to": user.get_full_name(), "instruction": instruction,
                   "due_date": due.isoformat() if due else None,
                   "taken_from": previous.assignee_user_id if previous else None}
        trail_record(document=parent.document, action="reassigned", actor=actor, details=details)
        _notify_assignees(parent.document, [child], Msg(N_("Assigned to you: %(doc)s"),
                                                        doc=_label(parent.document)))
        audit_log(actor=actor, action="documents.incoming.reassign", obj=parent.document,
                  details=details)
    return child


def _check_reply(reply, errors) -> OutgoingDocument | None:
    if reply is None:
        return None
    if not isinstance(reply, OutgoingDocument) or reply.pk is None:
        _add(errors, "reply", _("Choose an issued outgoing document."))
        return None
    if reply.state != OutgoingState.ISSUED:
        _add(errors, "reply", _("The reply must be an issued outgoing document."))
        return None
    return reply


def assignment_complete(*, actor, assignment: Assignment, result: str = "",
                        reply: OutgoingDocument | None = None) -> Assignment:
    """The assignee reports the work done: a result text and/or the outgoing reply. A lead
    needs one of them. Completing a person's assignment completes the unit's assignment it
    came from; the document is done when no lead is left open."""
    _require_actionable(actor, assignment)
    result = _clean_reason(result, "result", required=False)
    errors: dict[str, list[str]] = {}
    reply = _check_reply(reply, errors)
    if assignment.role == WorkRole.LEAD and not result and reply is None:
        _add(errors, "result", _("Describe the result or link the reply."))
    if errors:
        _fail(errors)
    with transaction.atomic():
        fresh = _locked_open(assignment)
        document = _lock(fresh.document)
        now = timezone.now()
        closed = [fresh.pk]
        Assignment.objects.filter(pk=fresh.pk).update(state=AssignmentState.DONE,
                                                      finished_at=now, result=result,
                                                      reply=reply)
        _finish_item(fresh.work_item_id, WorkState.DONE, now)
        parent_id = fresh.parent_id
        while parent_id:
            parent = Assignment.objects.select_for_update(no_key=True).get(pk=parent_id)
            if parent.state != AssignmentState.OPEN or Assignment.objects.filter(
                    parent=parent, state=AssignmentState.OPEN).exists():
                break
            Assignment.objects.filter(pk=parent.pk).update(
                state=AssignmentState.DONE, finished_at=now, result=result, reply=reply)
            _finish_item(parent.work_item_id, WorkState.DONE, now)
            closed.append(parent.pk)
            parent_id = parent.parent_id
        _refresh_state(document, now)
        details = {"assignment": fresh.pk, "closed": closed, "role": fresh.role,
                   "result": result, "reply": reply.pk if reply else None,
                   "reply_code": reply.code if reply else None,
                   "document_state": document.state}
        trail_record(document=document, action="completed", actor=actor, details=details)
        if document.state == IncomingState.DONE:
            top = Assignment.objects.filter(pk=closed[-1]).select_related("assigned_by").first()
            notify(users=[top.assigned_by],
                   subject=Msg(N_("Handled: %(doc)s"), doc=_label(document)),
                   body=result, url=_url(document))
        audit_log(actor=actor, action="documents.incoming.complete", obj=document,
                  details=details)
    fresh.state, fresh.finished_at, fresh.result, fresh.reply = (
        AssignmentState.DONE, now, result, reply)
    assignment.state, assignment.finished_at = fresh.state, now
    return fresh


def _resolve_target(actor, document: IncomingDocument, to_unit_id, to_user_id,
                    errors) -> tuple[OrgUnit | None, User | None]:
    if (to_unit_id in (None, "")) == (to_user_id in (None, "")):
        _add(errors, "to_unit_id", _("Give a unit or a person, not both."))
        return None, None
    if to_unit_id not in (None, ""):
        pk = _as_id(to_unit_id)
        unit = OrgUnit.objects.filter(pk=pk).first() if pk else None
        if unit is None:
            _add(errors, "to_unit_id", _("No such unit."))
            return None, None
        bad = _units_allowed(actor, document, [unit])
        if unit.pk in bad:
            _add(errors, "to_unit_id", bad[unit.pk])
        return unit, None
    pk = _as_id(to_user_id)
    user = User.objects.filter(pk=pk, is_active=True).first() if pk else None
    if user is None:
        _add(errors, "to_user_id", _("No such person."))
        return None, None
    if not _people_in(document.agency.path, [user.pk]):
        _add(errors, "to_user_id", _("This person holds no post in the agency."))
    return None, user


def assignment_forward(*, actor, assignment: Assignment, to_unit_id: int | None = None,
                       to_user_id: int | None = None, reason: str = "") -> Assignment:
    """The assignee passes the work to another unit or person (chuyển): a new assignment with
    the same role, deadline and place in the tree; this one becomes FORWARDED."""
    _require_actionable(actor, assignment)
    reason = _clean_reason(reason, "reason", required=False)
    document = assignment.document
    errors: dict[str, list[str]] = {}
    unit, user = _resolve_target(actor, document, to_unit_id, to_user_id, errors)
    if not errors and ((unit and unit.pk == assignment.assignee_unit_id
                        and not assignment.assignee_user_id)
                       or (user and user.pk == assignment.assignee_user_id)):
        _add(errors, "to_unit_id" if unit else "to_user_id",
             _("The work is already assigned there."))
    if errors:
        _fail(errors)
    with transaction.atomic():
        fresh = _locked_open(assignment)
        now = timezone.now()
        Assignment.objects.filter(pk=fresh.pk).update(state=AssignmentState.FORWARDED,
                                                      finished_at=now, result=reason)
        _finish_item(fresh.work_item_id, WorkState.CANCELLED, now)
        due = fresh.due_date if fresh.due_date is None or fresh.due_date >= _today() else (
            default_due_date(fresh.document))
        item = _handle_item(actor=actor, document=fresh.document, role=fresh.role,
                            due_date=None if fresh.role == WorkRole.INFORM else due,
                            unit=unit, user=user)
        new = Assignment.objects.create(
            document=fresh.document, doc_arrival_date=fresh.doc_arrival_date,
            parent=fresh.parent, role=fresh.role, assignee_unit=unit,
            assignee_user=user, instruction=reason or fresh.instruction,
            due_date=None if fresh.role == WorkRole.INFORM else due, work_item=item,
            assigned_by=actor, assigned_at=now,
        )
        details = {"assignment": fresh.pk, "new_assignment": new.pk, "role": fresh.role,
                   "to_unit": unit.pk if unit else None, "to_user": user.pk if user else None,
                   "to": _assignee_label(new), "reason": reason}
        trail_record(document=fresh.document, action="forwarded", actor=actor, details=details)
        _notify_assignees(fresh.document, [new], Msg(N_("Forwarded to you: %(doc)s"),
                                                     doc=_label(fresh.document)))
        audit_log(actor=actor, action="documents.incoming.forward", obj=fresh.document,
                  details=details)
    return new


def assignment_return(*, actor, assignment: Assignment, reason: str) -> Assignment:
    """The assignee gives the work back with a reason: a person's assignment goes back to the
    unit (its head passes it again); a top-level one goes back to the leader who gave it, with
    a new "give instructions" work item."""
    _require_actionable(actor, assignment)
    reason = _clean_reason(reason, "reason", required=True)
    with transaction.atomic():
        fresh = _locked_open(assignment)
        document = _lock(fresh.document)
        now = timezone.now()
        Assignment.objects.filter(pk=fresh.pk).update(state=AssignmentState.RETURNED,
                                                      finished_at=now, result=reason)
        back_to: list[User] = []
        if fresh.parent_id:
            parent = Assignment.objects.select_for_update(no_key=True).get(pk=fresh.parent_id)
            if fresh.work_item_id and parent.state == AssignmentState.OPEN:
                Assignment.objects.filter(pk=fresh.pk).update(work_item=None)
                WorkItem.objects.filter(pk=fresh.work_item_id).update(
                    assignee_user=None, opened_at=None)
                Assignment.objects.filter(pk=parent.pk).update(work_item=fresh.work_item_id)
            else:
                _finish_item(fresh.work_item_id, WorkState.CANCELLED, now)
            back_to = [fresh.assigned_by]
        else:
            _finish_item(fresh.work_item_id, WorkState.CANCELLED, now)
            _refresh_state(document, now)
            _create_present_items(actor=actor, document=document, leaders=[fresh.assigned_by])
        details = {"assignment": fresh.pk, "role": fresh.role, "reason": reason,
                   "to": fresh.assigned_by_id, "document_state": document.state}
        trail_record(document=document, action="returned", actor=actor, details=details)
        notify(users=back_to or [fresh.assigned_by],
               subject=_urgent_prefix(document.urgency)
               + Msg(N_("Returned: %(doc)s"), doc=_label(document)),
               body=reason, url=_url(document))
        audit_log(actor=actor, action="documents.incoming.return", obj=document,
                  details=details)
    fresh.state = AssignmentState.RETURNED
    return fresh


# --- calls from the outgoing work ---------------------------------------------------------------


def incoming_complete_by_reply(*, document: IncomingDocument, reply: OutgoingDocument,
                               actor) -> IncomingDocument:
    """An outgoing reply linked to this document was issued: the open lead assignments are done
    with the reply, the document is DONE and `completed_by_reply` is set. Called by the
    outgoing work when it issues the reply (no permission check of its own)."""
    errors: dict[str, list[str]] = {}
    reply = _check_reply(reply, errors)
    if reply is None and not errors:
        _add(errors, "reply", _("Choose an issued outgoing document."))
    if errors:
        _fail(errors)
    with transaction.atomic():
        locked = _lock(document)
        if locked.state == IncomingState.CANCELLED:
            raise _wrong_state(_("The issuer has recalled this document."))
        now = timezone.now()
        result = _("Answered by %(code)s.") % {"code": reply.code or reply.subject[:80]}
        leads = list(Assignment.objects.filter(document=locked, role=WorkRole.LEAD,
                                               state=AssignmentState.OPEN)
                     .values_list("pk", "work_item_id"))
        Assignment.objects.filter(pk__in=[pk for pk, _i in leads]).update(
            state=AssignmentState.DONE, finished_at=now, result=result, reply=reply)
        WorkItem.objects.filter(pk__in=[i for _pk, i in leads if i],
                                state=WorkState.OPEN).update(state=WorkState.DONE,
                                                             finished_at=now)
        closed_present = _close_present_items(actor=actor, document=locked)
        was_done = locked.state == IncomingState.DONE
        locked.state = IncomingState.DONE
        locked.completed_at = locked.completed_at if was_done else now
        locked.completed_by_reply = reply
        locked.save(update_fields=["state", "completed_at", "completed_by_reply"])
        details = {"reply": reply.pk, "reply_code": reply.code,
                   "assignments": [pk for pk, _i in leads], "present_items": closed_present}
        trail_record(document=locked, action="completed_by_reply", actor=actor,
                     details=details)
        audit_log(actor=actor if actor is not None else "system",
                  action="documents.incoming.complete_by_reply", obj=locked, details=details)
    document.state = locked.state
    document.completed_at = locked.completed_at
    document.completed_by_reply = reply
    return locked


def incoming_cancel(*, document: IncomingDocument, reason: str, actor=None) -> IncomingDocument:
    """The issuer recalled the document (NĐ 30/2020, Điều 18.4.b; Phụ lục VI §III.8): the copy
    is cancelled and its content withdrawn (see the module doc: rows are kept, the pages show
    only the recall notice, the file is refused), open work is cancelled, assignees are told.
    Idempotent."""
    reason = _clean_reason(reason, "reason", required=True)[:500]
    with transaction.atomic():
        locked = _lock(document)
        if locked.state == IncomingState.CANCELLED:
            return locked
        now = timezone.now()
        open_assignments = list(
            Assignment.objects.filter(document=locked, state=AssignmentState.OPEN)
            .select_related("assignee_unit", "assignee_user"))
        items = WorkItem.objects.filter(_subject_q(locked), state=WorkState.OPEN)
        present_users = list(User.objects.filter(
            pk__in=items.filter(kind=KIND_PRESENT).values("assignee_user_id")))
        item_ids = list(items.values_list("pk", flat=True))
        WorkItem.objects.filter(pk__in=item_ids).update(state=WorkState.CANCELLED,
                                                        finished_at=now)
        Assignment.objects.filter(pk__in=[a.pk for a in open_assignments]).update(
            state=AssignmentState.CANCELLED, finished_at=now)
        locked.state = IncomingState.CANCELLED
        locked.cancelled_at = now
        locked.cancel_reason = reason
        locked.save(update_fields=["state", "cancelled_at", "cancel_reason"])
        details = {"reason": reason, "assignments": [a.pk for a in open_assignments],
                   "work_items": item_ids,
                   "source": locked.source_id,
                   "legal_basis": "Nghị định 30/2020/NĐ-CP, Điều 18 khoản 4; Phụ lục VI "
                                  "mục III.8"}
        trail_record(document=locked, action="cancelled", actor=actor, details=details)
        users = list(present_users)
        for a in open_assignments:
            users.extend([a.assignee_user] if a.assignee_user_id
                         else unit_dispatchers(a.assignee_unit))
        if users:
            notify(users=users,
                   subject=Msg(N_("Recalled by the issuer: %(doc)s"), doc=_label(locked)),
                   body=reason, url=_url(locked))
        audit_log(actor=actor if actor is not None else "system",
                  action="documents.incoming.cancel", obj=locked, details=details)
    document.state, document.cancelled_at, document.cancel_reason = (
        locked.state, locked.cancelled_at, locked.cancel_reason)
    return locked


# --- access history -----------------------------------------------------------------------------


def _mine_q(actor) -> Q:
    return Q(assignee_user=actor) | Q(assignee_user__isnull=True,
                                      assignee_unit_id__in=current_unit_ids(actor))


def _viewed_today(actor, document: IncomingDocument) -> DocumentEvent | None:
    if not getattr(actor, "pk", None):
        return None
    now = timezone.localtime()
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return (DocumentEvent.objects.filter(incoming=document, action="viewed", actor=actor,
                                         at__gte=day_start)
            .select_related("actor", "actor_unit").order_by("at", "id").first())


def incoming_viewed(*, actor, document: IncomingDocument) -> DocumentEvent:
    """Record that the actor opened the document (Phụ lục VI: access and view history). The
    first view of the actor's open assignment sets its first_viewed_at and the work item's
    opened_at. One insert, plus two updates only when the actor has such an assignment.

    A person's views of one document are recorded once per (local) day: the trail answers "who
    saw it, and when first that day", not every reload (issue 9 §5)."""
    with transaction.atomic():
        earlier = _viewed_today(actor, document)
        event = earlier or trail_record(document=document, action="viewed", actor=actor)
        # An assignment made after the earlier view counts as first seen now.
        seen_at = timezone.now() if earlier else event.at
        cached = getattr(document, "_prefetched_objects_cache", {}).get("assignments")
        if cached is not None:
            units = set(current_unit_ids(actor))
            pending = [a for a in cached if a.state == AssignmentState.OPEN
                       and a.first_viewed_at is None
                       and (a.assignee_user_id == actor.pk
                            or (a.assignee_user_id is None and a.assignee_unit_id in units))]
            ids = [a.pk for a in pending]
            item_ids = [a.work_item_id for a in pending if a.work_item_id]
            for a in pending:
                a.first_viewed_at = seen_at
        else:
            rows = list(Assignment.objects.filter(
                _mine_q(actor), document=document, state=AssignmentState.OPEN,
                first_viewed_at__isnull=True).values_list("pk", "work_item_id"))
            ids = [pk for pk, _i in rows]
            item_ids = [i for _pk, i in rows if i]
        if ids:
            Assignment.objects.filter(pk__in=ids, first_viewed_at__isnull=True).update(
                first_viewed_at=seen_at)
        if item_ids:
            WorkItem.objects.filter(pk__in=item_ids, opened_at__isnull=True).update(
                opened_at=seen_at)
    return event


def incoming_downloaded(*, actor, document: IncomingDocument) -> DocumentEvent:
    """Record a download of the document's file (Phụ lục VI: access and use history)."""
    return trail_record(document=document, action="downloaded", actor=actor,
                        details={"file": document.file_id})

