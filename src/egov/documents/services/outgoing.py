"""Outgoing documents (văn bản đi): drafting, versions, review, issuing with a number, dispatch,
replies, recall and replacement (NĐ 30/2020/NĐ-CP, Điều 10–19; Phụ lục VI §III.5, §III.8).

The life of a document::

    DRAFT ──submit──▶ IN_REVIEW ──content ✓──format ✓──signer ✓──▶ APPROVED ──(sign)──▶ SIGNED
      ▲                  │ returned (any step)                          │                 │
      └── new version ── RETURNED                                       └──── issue ──────┘
                                                                                │
                                                         ISSUED ──recall──▶ RECALLED (frozen)
                                                           └── a replacement is issued ──▶ REPLACED

- Review follows Điều 11–12 in this order: the head of the drafting unit approves the content
  (documents.review_content on the drafting unit), the office checks the format
  (documents.review_format on the agency), the signer approves (documents.sign; only the signer
  named on the draft). Approvals belong to a version: a new version resets them and the draft
  goes through review again (Điều 11.2: any change goes back to the signer). After a return, a new
  version is needed before the draft is submitted again.
- The number, notation and date are given by the System at issuance, never while drafting
  (Điều 15.3): `outgoing_issue` takes the next number of the register's yearly series inside its
  transaction (gapless; restarts on 1 January).
- The digital signatures (personal PAdES, then the organisation's) belong to the signing module
  (issue 4). Its seam is `outgoing_mark_signed`; until then the signer's approval lets the clerk
  issue and the trail records that no digital signature was applied.
- Dispatch runs after the issuing transaction commits and is idempotent: an internal recipient
  gets the document in its incoming queue once (`incoming_receive_electronic`), an external
  address gets one e-mail with the PDF (a job on the "mail" queue).
- Recall freezes the document (every service refuses it with code "frozen"), cancels the
  recipients' incoming copies and e-mails a notice to external recipients; metadata is kept.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import tempfile
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from egov.core import files, policy
from egov.core.audit import audit_log
from egov.core.errors import AppError, InvalidInput, NotFound, PermissionDenied
from egov.core.models import (
    OrgUnit,
    SignatureCapacity,
    StoredFile,
    User,
    WorkItem,
    WorkRole,
    WorkState,
)
from egov.core.msgtext import Msg
from egov.core.notifications import notify
from egov.core.numbering import sequence_next
from egov.core.services import workitem_cancel, workitem_create, workitem_finish
from egov.core.text import clean_data

from .. import deadlines, rules
from ..conversion import ConversionError, docx_to_pdf
from ..models import (
    Approval,
    ApprovalStep,
    Attachment,
    Comment,
    Decision,
    DocumentType,
    DraftVersion,
    IncomingDocument,
    IncomingState,
    OutgoingDocument,
    OutgoingState,
    Recipient,
    RegisterKind,
    Urgency,
)
from ..selectors.outgoing import (
    FROZEN,
    action_holders,
    current_approvals,
    latest_version,
    may_edit,
    may_review,
    returned_on_latest,
    review_next_step,
)
from ..selectors.visibility import incoming_visible_q, outgoing_visible_q
from ..trail import trail_record
from .registers import outgoing_register_for

log = logging.getLogger("egov.documents")

MODULE = "documents"
DRAFT_TYPES = {files.DOCX, files.PDF}
ATTACHMENT_TYPES = {files.PDF, files.DOCX, files.DOC, files.XLSX, files.XLS, files.PNG,
                    files.JPEG, files.TIFF, files.ZIP}
MAX_ATTACHMENTS = 20
MAX_RECIPIENTS = 200
MAX_COMMENT = 5000
# Up to this many agencies inside eGov are delivered to right after the issue, in the request
# (the recipients see the document at once); a longer list is delivered by a background job.
INLINE_DELIVERIES = 20

# Work item kinds (module "documents").
KIND_REVIEW = {ApprovalStep.CONTENT: "outgoing.review_content",
               ApprovalStep.FORMAT: "outgoing.review_format",
               ApprovalStep.SIGNER: "outgoing.review_signer"}
KIND_REVISE = "outgoing.revise"
KIND_ISSUE = "outgoing.issue"
ALL_KINDS = (*KIND_REVIEW.values(), KIND_REVISE, KIND_ISSUE)

EDITABLE = (OutgoingState.DRAFT, OutgoingState.RETURNED, OutgoingState.IN_REVIEW,
            OutgoingState.APPROVED)


# --- errors and small helpers -------------------------------------------------------------------


def _add(errors: dict[str, list[str]], name: str, message: str) -> None:
    errors.setdefault(name, []).append(str(message))


def _fail(errors: dict[str, list[str]], message: str | None = None, code: str = "invalid"):
    raise InvalidInput(message or _("Check the highlighted fields."), fields=errors, code=code)


def _frozen() -> AppError:
    return AppError("frozen", _("This document was recalled or replaced: it is frozen and "
                                "cannot be changed or sent any more."), status=409)


def wrong_state(document: OutgoingDocument) -> AppError:
    return AppError("wrong_state", _("This cannot be done while the document is “%(state)s”.")
                    % {"state": document.get_state_display()}, status=409)


def _check_open(document: OutgoingDocument) -> None:
    if document.state in FROZEN:
        raise _frozen()


def _lock(document: OutgoingDocument) -> OutgoingDocument:
    """The document's row, locked for the rest of the transaction, with a fresh state."""
    fresh = OutgoingDocument.objects.select_for_update(no_key=True).get(pk=document.pk)
    for name in ("state", "number", "notation", "code", "issued_date", "issued_at",
                 "issued_by_id", "register_id", "year", "signed_file_id", "issued_file_id",
                 "recalled_at", "recall_reason", "replaces_id", "field_abbreviation"):
        setattr(document, name, getattr(fresh, name))
    document._prefetched_objects_cache = {}
    return document


def _text(value, name: str, errors, *, required: bool = False, max_length: int) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        _add(errors, name, _("Enter text."))
        return ""
    value = value.strip()
    if "\x00" in value:
        _add(errors, name, _("Remove control characters."))
        return ""
    if required and not value:
        _add(errors, name, _("This field is required."))
    elif len(value) > max_length:
        _add(errors, name, _("At most %(max)d characters.") % {"max": max_length})
    return value


def _int(value, name: str, errors, *, required: bool = False, lo: int = 1,
         hi: int = 2**63 - 1) -> int | None:
    if value is None or value == "":
        if required:
            _add(errors, name, _("This field is required."))
        return None
    if isinstance(value, str) and re.fullmatch(r"\s*\d{1,19}\s*", value):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        _add(errors, name, _("Enter a whole number."))
        return None
    if not lo <= value <= hi:
        _add(errors, name, _("Enter a number between %(lo)d and %(hi)d.") % {"lo": lo, "hi": hi})
        return None
    return value


def _date(value, name: str, errors) -> dt.date | None:
    if value in (None, ""):
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


def _ids(value, name: str, errors) -> list[int]:
    if value in (None, ""):
        return []
    if isinstance(value, (str, bytes, dict)) or not isinstance(value, Iterable):
        _add(errors, name, _("Send a list."))
        return []
    result: list[int] = []
    for item in value:
        number = _int(item, name, errors)
        if number is None:
            return []
        if number not in result:
            result.append(number)
    return result


def _url(document: OutgoingDocument) -> str:
    return reverse("documents:outgoing_detail", args=[document.pk])


def _title(document: OutgoingDocument, prefix: str) -> Msg:
    """"<step>: <type> — <subject>", translated for each reader (egov.core.msgtext); `prefix`
    is a msgid (gettext_noop)."""
    return Msg(N_("%(role)s: %(doc)s"), role=Msg(prefix),
               doc=f"{document.doc_type.name} — {document.subject}"[:480])


# --- work items ---------------------------------------------------------------------------------


def _open_items(document: OutgoingDocument, kinds: Iterable[str]):
    return WorkItem.objects.filter(
        subject_type=ContentType.objects.get_for_model(OutgoingDocument),
        subject_id=str(document.pk), state=WorkState.OPEN, kind__in=list(kinds),
    )


def _close_items(actor, document: OutgoingDocument, kinds: Iterable[str], *,
                 reason: str = "") -> None:
    """Finish the actor's own open items of these kinds; cancel the others (someone else with
    the same role did the step, or the step no longer applies)."""
    for item in _open_items(document, kinds).select_for_update(no_key=True):
        if actor is not None and item.assignee_user_id == getattr(actor, "pk", None):
            workitem_finish(actor=actor, item=item)
        else:
            workitem_cancel(actor=None, item=item, reason=reason[:255])


def _create_items(actor, document: OutgoingDocument, *, kind: str, title: str,
                  users: list[User], fallback_unit: OrgUnit | None,
                  due_at: dt.datetime | None = None) -> list[User]:
    """One work item per person who can do the step; the unit when nobody holds the role."""
    created = []
    if users:
        for user in users:
            workitem_create(actor=actor, module=MODULE, kind=kind, title=title,
                            url=_url(document), subject=document, assignee_user=user,
                            role=WorkRole.TASK, due_at=due_at, urgency=document.urgency)
            created.append(user)
    elif fallback_unit is not None:
        workitem_create(actor=actor, module=MODULE, kind=kind, title=title, url=_url(document),
                        subject=document, assignee_unit=fallback_unit, role=WorkRole.TASK,
                        due_at=due_at, urgency=document.urgency)
    return created


def _issue_due(document: OutgoingDocument) -> dt.datetime:
    # NĐ 30/2020 Điều 18.1: issued on the day it is signed, at the latest on the next working
    # day; hỏa tốc / thượng khẩn / khẩn immediately. No 15:00 cut-off (egov.documents.deadlines).
    return deadlines.issue_due(timezone.now(), document.urgency)


def _request_review(actor, document: OutgoingDocument, step: str) -> None:
    if step == ApprovalStep.CONTENT:
        users = action_holders("documents.review_content", document.drafting_unit)
        unit = document.drafting_unit
        prefix = N_("Approve the content")
    elif step == ApprovalStep.FORMAT:
        users = action_holders("documents.review_format", document.agency)
        unit = document.agency
        prefix = N_("Check the format")
    else:
        users = [document.signer]
        unit = None
        prefix = N_("Approve for signature")
    created = _create_items(actor, document, kind=KIND_REVIEW[step],
                            title=_title(document, prefix), users=users, fallback_unit=unit)
    if created:
        notify(users=created, subject=_title(document, prefix), url=_url(document))


# --- input --------------------------------------------------------------------------------------


def _drafting_unit(actor, unit_id, errors) -> OrgUnit | None:
    from egov.documents.trail import primary_unit_id

    from ..selectors.visibility import current_unit_ids

    units = current_unit_ids(actor)
    if unit_id is not None:
        if unit_id not in units:
            _add(errors, "drafting_unit_id", _("Choose a unit where you hold a post."))
            return None
        unit = OrgUnit.objects.filter(pk=unit_id).first()
    else:
        primary = primary_unit_id(actor)
        candidates = ([primary] if primary in units else []) + [u for u in units if u != primary]
        unit = None
        for candidate in OrgUnit.objects.filter(pk__in=candidates):
            if policy.can(actor, "documents.draft", candidate):
                if unit is None or candidate.pk == primary:
                    unit = candidate
        if unit is None:
            raise PermissionDenied()
    if unit is None or unit.agency_id is None:
        _add(errors, "drafting_unit_id", _("Choose a unit where you hold a post."))
        return None
    policy.require(actor, "documents.draft", unit)
    return unit


def _signer(value, agency: OrgUnit | None, errors) -> User | None:
    signer_id = _int(value, "signer_id", errors, required=True)
    if signer_id is None or agency is None:
        return None
    signer = User.objects.filter(pk=signer_id, is_active=True).first()
    if signer is None or not policy.can(signer, "documents.sign", agency):
        _add(errors, "signer_id",
             _("Choose a person who signs documents of %(agency)s.") % {"agency": agency.name})
        return None
    return signer


def _recipients(value, agency: OrgUnit | None, errors) -> list[dict]:
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        _add(errors, "recipients", _("Send a list."))
        return []
    if len(value) > MAX_RECIPIENTS:
        _add(errors, "recipients", _("At most %(max)d recipients.") % {"max": MAX_RECIPIENTS})
        return []
    today = timezone.localdate()
    wanted_units: list[int] = []
    externals: list[dict] = []
    for i, item in enumerate(value):
        name = f"recipients.{i}"
        if not isinstance(item, dict):
            _add(errors, name, _("Send an object with unit_id, or name and email."))
            continue
        if item.get("unit_id") not in (None, ""):
            unit_id = _int(item.get("unit_id"), f"{name}.unit_id", errors)
            if unit_id is not None and unit_id not in wanted_units:
                wanted_units.append(unit_id)
            continue
        sub: dict[str, list[str]] = {}
        person = _text(item.get("name"), f"{name}.name", sub, required=True, max_length=200)
        email = _text(item.get("email"), f"{name}.email", sub, max_length=254)
        if email:
            try:
                validate_email(email)
            except ValidationError:
                _add(sub, f"{name}.email", _("Enter a valid e-mail address."))
        if sub:
            for key, messages in sub.items():
                errors.setdefault(key, []).extend(messages)
            continue
        key = (person.casefold(), email.casefold())
        if key not in {(e["name"].casefold(), e["email"].casefold()) for e in externals}:
            externals.append({"unit": None, "name": person, "email": email})
    internals: list[dict] = []
    if wanted_units:
        units = {u.pk: u for u in OrgUnit.objects.filter(pk__in=wanted_units)
                 .select_related("agency")}
        seen_agencies: set[int] = set()
        for unit_id in wanted_units:
            unit = units.get(unit_id)
            if unit is None or unit.agency_id is None or not unit.is_valid_on(today):
                _add(errors, "recipients", _("Unknown or closed unit: %(id)s.") % {"id": unit_id})
                continue
            if agency is not None and unit.agency_id == agency.pk:
                _add(errors, "recipients",
                     _("%(name)s belongs to the issuing agency; it keeps its own copy.")
                     % {"name": unit.name})
                continue
            if unit.agency_id in seen_agencies:
                continue
            seen_agencies.add(unit.agency_id)
            internals.append({"unit": unit, "name": unit.name[:200], "email": ""})
    return internals + externals


def _clean(actor, data: Any, *, agency: OrgUnit | None, drafting_unit: OrgUnit | None,
           errors: dict[str, list[str]], partial: bool = False) -> dict[str, Any]:
    """Validate the drafting fields (no writes). With `partial`, only the keys present."""
    if not isinstance(data, dict):
        _fail({"data": [_("Send a JSON object.")]})
    out: dict[str, Any] = {}

    def has(key: str) -> bool:
        return not partial or key in data

    today = timezone.localdate()
    if has("type_code"):
        code = _text(data.get("type_code"), "type_code", errors, required=True, max_length=20)
        if code:
            doc_type = DocumentType.objects.filter(code=code, valid_from__lte=today).exclude(
                valid_to__lt=today).first()
            if doc_type is None:
                _add(errors, "type_code", _("Unknown document type."))
            out["doc_type"] = doc_type
    if has("subject"):
        out["subject"] = _text(data.get("subject"), "subject", errors, required=True,
                               max_length=500)
    if has("urgency"):
        urgency = data.get("urgency") or Urgency.NORMAL
        if urgency not in Urgency.values:
            _add(errors, "urgency", _("Choose one of: %(values)s.")
                 % {"values": ", ".join(Urgency.values)})
        out["urgency"] = urgency
    if "secrecy" in data and data.get("secrecy") not in (None, "", "none"):
        # Luật Bảo vệ bí mật nhà nước 2018, Điều 5 khoản 5–6: no state secret on a networked
        # system.
        message = _("Secret documents may not be drafted in eGov: state-secret content must not "
                    "be composed or stored on networked computers (Law on the Protection of "
                    "State Secrets 2018, Article 5).")
        raise InvalidInput(message, code="secret_document", fields={"secrecy": [message]})
    if has("due_date"):
        due = _date(data.get("due_date"), "due_date", errors)
        if due is not None and due < today:
            _add(errors, "due_date", _("The reply due date must not be in the past."))
        out["due_date"] = due
    if has("signer_id"):
        out["signer"] = _signer(data.get("signer_id"), agency, errors)
    if has("signer_capacity"):
        capacity = data.get("signer_capacity") or ""
        if capacity not in ("", *SignatureCapacity.values):
            _add(errors, "signer_capacity", _("Choose one of: %(values)s.")
                 % {"values": ", ".join(SignatureCapacity.values)})
        out["signer_capacity"] = capacity
    if has("signer_position"):
        out["signer_position"] = _text(data.get("signer_position"), "signer_position", errors,
                                       max_length=100)
    if has("field_abbreviation"):
        out["field_abbreviation"] = _text(data.get("field_abbreviation"), "field_abbreviation",
                                          errors, max_length=20).upper()
    if has("page_count"):
        # Phụ lục VI Part II §I.10 (PageAmount, Number 3) — as for incoming documents.
        out["page_count"] = _int(data.get("page_count"), "page_count", errors, hi=999)
    if has("copies"):
        copies = _int(data.get("copies"), "copies", errors, hi=999)
        out["copies"] = 1 if copies is None else copies
    if has("recipients"):
        out["recipients"] = _recipients(data.get("recipients"), agency, errors)
    if has("in_reply_to"):
        ids = _ids(data.get("in_reply_to"), "in_reply_to", errors)
        found = []
        if ids and agency is not None:
            found = list(IncomingDocument.objects.filter(incoming_visible_q(actor), pk__in=ids,
                                                         agency=agency)
                         .exclude(state=IncomingState.CANCELLED))
            missing = sorted(set(ids) - {d.pk for d in found})
            if missing:
                _add(errors, "in_reply_to",
                     _("These incoming documents cannot be answered by this agency: %(ids)s.")
                     % {"ids": ", ".join(map(str, missing))})
        out["in_reply_to"] = found
    if has("advisory_body"):
        out["advisory_body"] = _text(data.get("advisory_body"), "advisory_body", errors,
                                     max_length=32)
    if has("note"):
        out["note"] = _text(data.get("note"), "note", errors, max_length=500)
    unknown = sorted(set(data) - KNOWN_FIELDS)
    if unknown:
        _add(errors, "__all__", _("Unknown fields: %(names)s.") % {"names": ", ".join(unknown)})
    return out


KNOWN_FIELDS = {"type_code", "subject", "urgency", "secrecy", "due_date", "signer_id",
                "signer_capacity", "signer_position", "field_abbreviation", "page_count",
                "copies", "recipients", "in_reply_to", "advisory_body", "note", "replaces_id",
                "drafting_unit_id"}


def _default_position(signer: User, agency: OrgUnit) -> str:
    from egov.core.models import Position

    today = timezone.localdate()
    position = (Position.objects.filter(user=signer, org_unit__agency_id=agency.pk,
                                        valid_from__lte=today)
                .exclude(valid_to__lt=today).order_by("-is_primary", "id").first())
    return position.title[:100] if position else ""


def _check_cong_van(doc_type: DocumentType | None, field_abbreviation: str, errors) -> None:
    # Phụ lục I §II.3: a công văn's notation is <issuer>-<drafting unit or field>.
    if doc_type is not None and not doc_type.abbreviation and not field_abbreviation:
        _add(errors, "field_abbreviation",
             _("A document without a type abbreviation (công văn) needs the abbreviation of the "
               "drafting unit or field, e.g. VP in 12/UBND-VP."))


def _store(actor, upload, *, require: set[str], field: str) -> StoredFile:
    try:
        return files.file_store(actor=actor, upload=upload, require=require)
    except InvalidInput as err:
        raise InvalidInput(err.message, code=err.code,
                           fields={field: sum(err.fields.values(), []) or [err.message]}) from err


def _new_version(actor, document: OutgoingDocument, stored: StoredFile, note: str,
                 number: int) -> DraftVersion:
    return DraftVersion.objects.create(
        document=document, number=number, file=stored,
        pdf=stored if stored.content_type == files.PDF else None, note=note, uploaded_by=actor,
    )


def _after_version(version: DraftVersion) -> None:
    if version.pdf_id is None:
        def enqueue() -> None:
            from ..tasks import convert_draft_version

            convert_draft_version.enqueue(version.pk)

        transaction.on_commit(enqueue)


# --- drafting -----------------------------------------------------------------------------------


def outgoing_create(*, actor, data: dict, file, attachments: Iterable = (),
                    replaces_id: int | None = None) -> OutgoingDocument:
    """Create a draft with its version 1 (NĐ 30/2020 Điều 10): an officer of the drafting unit
    (documents.draft there) uploads the draft (.docx or .pdf) and attachments and fills the
    fields. A .docx version is converted to PDF by a background job."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied()
    if not isinstance(data, dict):
        _fail({"data": [_("Send a JSON object.")]})
    data = clean_data(data)  # control characters removed, bidi controls refused (core.text)
    errors: dict[str, list[str]] = {}
    unit_id = _int(data.get("drafting_unit_id"), "drafting_unit_id", errors)
    drafting_unit = _drafting_unit(actor, unit_id, errors) if not errors else None
    agency = drafting_unit.agency if drafting_unit is not None else None
    cleaned = _clean(actor, data, agency=agency, drafting_unit=drafting_unit, errors=errors)
    if replaces_id is None and data.get("replaces_id") not in (None, ""):
        replaces_id = _int(data.get("replaces_id"), "replaces_id", errors)
    replaces = None
    if replaces_id is not None:
        replaces = OutgoingDocument.objects.filter(outgoing_visible_q(actor),
                                                   pk=replaces_id).first()
        if replaces is None or replaces.state != OutgoingState.ISSUED:
            _add(errors, "replaces_id", _("Choose an issued document of your agency."))
        elif agency is not None and replaces.agency_id != agency.pk:
            _add(errors, "replaces_id", _("Choose an issued document of your agency."))
        elif cleaned.get("doc_type") is not None and replaces.doc_type_id != cleaned[
                "doc_type"].pk:
            # NĐ 30/2020 Điều 18.3: replaced by a document of the same form.
            _add(errors, "type_code", _("A replacement has the type of the document it "
                                        "replaces (%(type)s).") % {"type": replaces.doc_type.name})
    if not cleaned.get("field_abbreviation") and drafting_unit is not None and (
            not drafting_unit.is_agency):
        cleaned["field_abbreviation"] = drafting_unit.abbreviation.upper()[:20]
    _check_cong_van(cleaned.get("doc_type"), cleaned.get("field_abbreviation", ""), errors)
    advisory = None
    doc_type = cleaned.get("doc_type")
    if cleaned.get("advisory_body") and agency is not None and doc_type is not None and not (
            doc_type.is_legal_normative or doc_type.is_copy):
        try:
            advisory = outgoing_register_for(agency=agency, doc_type=cleaned["doc_type"],
                                             advisory_body=cleaned["advisory_body"])
        except InvalidInput as err:
            for key, messages in err.fields.items():
                errors.setdefault(key, []).extend(messages)
    if file is None:
        _add(errors, "file", _("Upload the draft (.docx or .pdf)."))
    attachments = list(attachments or ())
    if len(attachments) > MAX_ATTACHMENTS:
        _add(errors, "attachments", _("At most %(max)d attachments.") % {"max": MAX_ATTACHMENTS})
    if replaces is not None and not cleaned.get("recipients") and not errors:
        cleaned["recipients"] = [{"unit": r.unit, "name": r.name, "email": r.email}
                                 for r in replaces.recipients.select_related("unit")]
    if errors:
        _fail(errors)
    signer = cleaned["signer"]
    position = cleaned.get("signer_position") or _default_position(signer, agency)

    with transaction.atomic():
        stored = _store(actor, file, require=DRAFT_TYPES, field="file")
        stored_attachments = [_store(actor, a, require=ATTACHMENT_TYPES, field="attachments")
                              for a in attachments]
        document = OutgoingDocument.objects.create(
            agency=agency, drafting_unit=drafting_unit, drafter=actor,
            doc_type=cleaned["doc_type"], subject=cleaned["subject"],
            urgency=cleaned.get("urgency") or Urgency.NORMAL, due_date=cleaned.get("due_date"),
            signer=signer, signer_capacity=cleaned.get("signer_capacity", ""),
            signer_position=position, field_abbreviation=cleaned.get("field_abbreviation", ""),
            page_count=cleaned.get("page_count"), copies=cleaned.get("copies") or 1,
            register=advisory, replaces=replaces,
        )
        Recipient.objects.bulk_create([Recipient(document=document, **r)
                                       for r in cleaned.get("recipients", [])])
        if cleaned.get("in_reply_to"):
            document.in_reply_to.set(cleaned["in_reply_to"])
        for item in stored_attachments:
            Attachment.objects.create(document=document, file=item,
                                      title=item.original_name[:255], added_by=actor)
        version = _new_version(actor, document, stored, cleaned.get("note", ""), 1)
        trail_record(document=document, action="drafted", actor=actor, details={
            "version": 1, "file": stored.original_name, "attachments": len(stored_attachments),
            "replaces": replaces.code if replaces else "",
        })
        audit_log(actor=actor, action="documents.outgoing.create", obj=document, details={
            "type": document.doc_type.code, "subject": document.subject,
            "agency": agency.pk, "drafting_unit": drafting_unit.pk, "signer": signer.pk,
            "file_sha256": stored.sha256, "replaces": replaces.pk if replaces else None,
        })
        _after_version(version)
    return document


def outgoing_update(*, actor, document: OutgoingDocument, data: dict) -> OutgoingDocument:
    """Change the drafting fields of a draft (DRAFT or RETURNED; the drafter only). The content
    itself changes by a new version."""
    _check_open(document)
    if getattr(actor, "pk", None) != document.drafter_id:
        raise PermissionDenied()
    if document.state not in (OutgoingState.DRAFT, OutgoingState.RETURNED):
        raise wrong_state(document)
    errors: dict[str, list[str]] = {}
    if not isinstance(data, dict):
        _fail({"data": [_("Send a JSON object.")]})
    data = clean_data(data)
    for key in ("replaces_id", "drafting_unit_id", "advisory_body", "note"):
        if key in data:
            _add(errors, key, _("This field cannot be changed after drafting."))
    cleaned = _clean(actor, data, agency=document.agency, drafting_unit=document.drafting_unit,
                     errors=errors, partial=True)
    doc_type = cleaned.get("doc_type", document.doc_type)
    field = cleaned.get("field_abbreviation", document.field_abbreviation)
    _check_cong_van(doc_type, field, errors)
    if document.replaces_id and doc_type is not None and doc_type.pk != document.doc_type_id:
        _add(errors, "type_code", _("A replacement has the type of the document it replaces "
                                    "(%(type)s).") % {"type": document.doc_type.name})
    if errors:
        _fail(errors)
    changed: dict[str, Any] = {}
    with transaction.atomic():
        _lock(document)
        _check_open(document)
        if document.state not in (OutgoingState.DRAFT, OutgoingState.RETURNED):
            raise wrong_state(document)
        for key, value in cleaned.items():
            if key in ("recipients", "in_reply_to"):
                continue
            attr = key
            current = getattr(document, attr)
            if current != value:
                changed[key] = [str(current), str(value)]
                setattr(document, attr, value)
        document.save()
        if "recipients" in cleaned:
            document.recipients.all().delete()
            Recipient.objects.bulk_create([Recipient(document=document, **r)
                                           for r in cleaned["recipients"]])
            changed["recipients"] = [r["name"] for r in cleaned["recipients"]]
        if "in_reply_to" in cleaned:
            document.in_reply_to.set(cleaned["in_reply_to"])
            changed["in_reply_to"] = [d.pk for d in cleaned["in_reply_to"]]
        trail_record(document=document, action="updated", actor=actor,
                     details={"fields": sorted(changed)})
        audit_log(actor=actor, action="documents.outgoing.update", obj=document,
                  details={"changed": changed})
    return document


def outgoing_add_version(*, actor, document: OutgoingDocument, file,
                         note: str = "") -> DraftVersion:
    """Upload a new version (every version is kept, Phụ lục VI §III.5.a). The drafter or a
    reviewer may do it; approvals given to earlier versions no longer count, so a draft in review
    or approved starts its review again with the content."""
    _check_open(document)
    if not may_edit(actor, document):
        raise PermissionDenied()
    if document.state not in EDITABLE:
        raise wrong_state(document)
    errors: dict[str, list[str]] = {}
    note = _text(note, "note", errors, max_length=500)
    if file is None:
        _add(errors, "file", _("Upload the draft (.docx or .pdf)."))
    if errors:
        _fail(errors)
    with transaction.atomic():
        _lock(document)
        _check_open(document)
        if document.state not in EDITABLE:
            raise wrong_state(document)
        stored = _store(actor, file, require=DRAFT_TYPES, field="file")
        number = (document.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = _new_version(actor, document, stored, note, number)
        reset = document.state in (OutgoingState.IN_REVIEW, OutgoingState.APPROVED)
        if reset:
            _close_items(None, document, (*KIND_REVIEW.values(), KIND_ISSUE),
                         reason="new version")
            document.state = OutgoingState.IN_REVIEW
            document.save(update_fields=["state"])
            _request_review(actor, document, ApprovalStep.CONTENT)
        trail_record(document=document, action="version_added", actor=actor, details={
            "version": number, "file": stored.original_name, "note": note,
            "approvals_reset": reset,
        })
        audit_log(actor=actor, action="documents.outgoing.version", obj=document,
                  details={"version": number, "file_sha256": stored.sha256,
                           "approvals_reset": reset})
        _after_version(version)
    return version


def outgoing_comment(*, actor, document: OutgoingDocument, version: DraftVersion | None = None,
                     text: str) -> Comment:
    """A comment on the draft or on one version (Điều 10: comments are kept in the System)."""
    _check_open(document)
    if not OutgoingDocument.objects.filter(outgoing_visible_q(actor), pk=document.pk).exists():
        raise NotFound()
    errors: dict[str, list[str]] = {}
    text = _text(text, "text", errors, required=True, max_length=MAX_COMMENT)
    if version is not None and version.document_id != document.pk:
        _add(errors, "version", _("This version belongs to another document."))
    if errors:
        _fail(errors)
    with transaction.atomic():
        comment = Comment.objects.create(document=document, version=version, author=actor,
                                         text=text)
        trail_record(document=document, action="commented", actor=actor,
                     details={"version": version.number if version else None,
                              "comment": comment.pk})
    return comment


# --- review -------------------------------------------------------------------------------------


def outgoing_submit(*, actor, document: OutgoingDocument) -> OutgoingDocument:
    """The drafter submits the draft for review; the head of the drafting unit gets a work item
    to approve the content."""
    _check_open(document)
    if getattr(actor, "pk", None) != document.drafter_id:
        raise PermissionDenied()
    with transaction.atomic():
        _lock(document)
        _check_open(document)
        if document.state not in (OutgoingState.DRAFT, OutgoingState.RETURNED):
            raise wrong_state(document)
        if document.state == OutgoingState.RETURNED and returned_on_latest(document):
            raise AppError("new_version_required",
                           _("The draft was returned: upload a new version before submitting "
                             "it again."), status=409)
        document.state = OutgoingState.IN_REVIEW
        document.save(update_fields=["state"])
        _close_items(actor, document, (KIND_REVISE,), reason="submitted")
        _request_review(actor, document, ApprovalStep.CONTENT)
        version = latest_version(document)
        trail_record(document=document, action="submitted", actor=actor,
                     details={"version": version.number if version else None})
        audit_log(actor=actor, action="documents.outgoing.submit", obj=document,
                  details={"version": version.number if version else None})
    return document


def outgoing_convert_version(*, version: DraftVersion) -> DraftVersion:
    """Convert a .docx version to PDF (a derived StoredFile) or record why it failed.
    Idempotent: a version that has its PDF is left alone. Used by the background job, and
    directly when the signer approves a draft whose PDF is not there yet."""
    version = DraftVersion.objects.select_related("file", "document").get(pk=version.pk)
    if version.pdf_id is not None:
        return version
    source = version.file
    if source.content_type != files.DOCX:
        DraftVersion.objects.filter(pk=version.pk, pdf__isnull=True).update(
            conversion_error="not a .docx file")
        version.conversion_error = "not a .docx file"
        return version
    with tempfile.TemporaryDirectory(prefix="egov-convert-") as tmp:
        src = Path(tmp) / "draft.docx"
        with files.file_open(source) as fin, open(src, "wb") as fout:
            for block in iter(lambda: fin.read(64 * 1024), b""):
                fout.write(block)
        try:
            pdf_path = docx_to_pdf(src, Path(tmp) / "out")
        except ConversionError as err:
            message = str(err)[:500]
            with transaction.atomic():
                updated = DraftVersion.objects.filter(pk=version.pk, pdf__isnull=True).update(
                    conversion_error=message)
                if updated:
                    trail_record(document=version.document, action="conversion_failed",
                                 actor=None, details={"version": version.number,
                                                      "error": message})
            version.conversion_error = message
            log.warning("conversion of draft version %s failed: %s", version.pk, message)
            return version
        name = Path(source.original_name).stem + ".pdf"
        with transaction.atomic():
            with open(pdf_path, "rb") as fh:
                pdf = files.file_store(actor=None, upload=(name, fh.read()),
                                       require={files.PDF}, derived_from=source,
                                       derivation="pdf")
            updated = DraftVersion.objects.filter(pk=version.pk, pdf__isnull=True).update(
                pdf=pdf, conversion_error="")
            if updated:
                trail_record(document=version.document, action="converted", actor=None,
                             details={"version": version.number, "pdf": pdf.pk})
    version.refresh_from_db()
    return version


def _ensure_pdf(document: OutgoingDocument) -> None:
    """The signer approves the PDF that will be signed: convert now if the job has not yet."""
    version = latest_version(document)
    if version is not None and version.pdf_id is None:
        version = outgoing_convert_version(version=version)
        if version.pdf_id is None:
            raise AppError("no_pdf", _("The PDF of the latest version is not available "
                                       "(%(error)s). Upload the draft as PDF.")
                           % {"error": version.conversion_error or "?"}, status=409)


def outgoing_review(*, actor, document: OutgoingDocument, step: str, decision: str,
                    comment: str = "") -> Approval:
    """Record one review decision on the latest version (NĐ 30/2020 Điều 11–12), in order:
    content (head of the drafting unit), format (office), signer. "returned" sends the draft
    back to the drafter with the comment; the signer's approval makes it ready to issue."""
    errors: dict[str, list[str]] = {}
    if step not in ApprovalStep.values:
        _add(errors, "step", _("Choose one of: %(values)s.")
             % {"values": ", ".join(ApprovalStep.values)})
    if decision not in Decision.values:
        _add(errors, "decision", _("Choose one of: %(values)s.")
             % {"values": ", ".join(Decision.values)})
    comment = _text(comment, "comment", errors, required=decision == Decision.RETURNED,
                    max_length=MAX_COMMENT)
    if errors:
        _fail(errors)
    _check_open(document)
    if not may_review(actor, document, step):
        raise PermissionDenied()
    if document.state != OutgoingState.IN_REVIEW:
        raise wrong_state(document)
    due = review_next_step(document)
    if step != due:
        raise AppError("wrong_step", _("The step “%(due)s” comes first.")
                       % {"due": ApprovalStep(due).label if due else "-"}, status=409)
    if step == ApprovalStep.SIGNER and decision == Decision.APPROVED:
        _ensure_pdf(document)
    if step == ApprovalStep.FORMAT and decision == Decision.APPROVED:
        # Issue 9 §1: the văn thư's format check refuses a PDF without the layout (409 layout).
        from ..layout_check import require_stored

        _ensure_pdf(document)
        require_stored(latest_version(document).pdf, document=document, stage="review")
    with transaction.atomic():
        _lock(document)
        _check_open(document)
        if document.state != OutgoingState.IN_REVIEW:
            raise wrong_state(document)
        version = latest_version(document)
        if review_next_step(document, version) != step:
            raise AppError("wrong_step", _("Another decision was recorded meanwhile; reload the "
                                           "page."), status=409)
        approval = Approval.objects.create(document=document, version=version, step=step,
                                           decision=decision, comment=comment, by=actor)
        _close_items(actor, document, (KIND_REVIEW[step],), reason=f"{step} {decision}")
        details: dict[str, Any] = {"step": step, "decision": decision,
                                   "version": version.number, "comment": comment}
        if decision == Decision.RETURNED:
            document.state = OutgoingState.RETURNED
            document.save(update_fields=["state"])
            title = _title(document, N_("Revise the draft"))
            _create_items(actor, document, kind=KIND_REVISE, title=title,
                          users=[document.drafter], fallback_unit=None)
            notify(users=[document.drafter], subject=title, body=comment, url=_url(document))
        elif step == ApprovalStep.CONTENT:
            _request_review(actor, document, ApprovalStep.FORMAT)
        elif step == ApprovalStep.FORMAT:
            _request_review(actor, document, ApprovalStep.SIGNER)
        else:
            document.state = OutgoingState.APPROVED
            document.save(update_fields=["state"])
            # The signing module (issue 4) applies the personal PAdES signature through
            # outgoing_mark_signed; until then the approval alone lets the clerk issue.
            details["digital_signature"] = False
            title = _title(document, N_("Issue"))
            clerks = _create_items(actor, document, kind=KIND_ISSUE, title=title,
                                   users=action_holders("documents.issue", document.agency),
                                   fallback_unit=document.agency, due_at=_issue_due(document))
            if clerks:
                notify(users=clerks, subject=title, url=_url(document))
        if decision == Decision.RETURNED:
            details["reason"] = comment
        trail_record(document=document, action=decision, actor=actor, details=details)
        audit_log(actor=actor, action="documents.outgoing.review", obj=document,
                  details={"step": step, "decision": decision, "version": version.number})
    return approval


def outgoing_mark_signed(*, actor, document: OutgoingDocument,
                         signed_file: StoredFile | None = None) -> OutgoingDocument:
    """The seam for the signing module: the signer's personal signature was applied to the PDF
    (`signed_file`, a PDF StoredFile). APPROVED → SIGNED."""
    _check_open(document)
    if getattr(actor, "pk", None) != document.signer_id or not policy.can(
            actor, "documents.sign", document.agency):
        raise PermissionDenied()
    if signed_file is not None and (not isinstance(signed_file, StoredFile)
                                    or signed_file.content_type != files.PDF):
        _fail({"signed_file": [_("The signed file must be a PDF.")]})
    with transaction.atomic():
        _lock(document)
        if document.state != OutgoingState.APPROVED:
            raise wrong_state(document)
        document.state = OutgoingState.SIGNED
        if signed_file is not None:
            document.signed_file = signed_file
        document.save(update_fields=["state", "signed_file"])
        # NĐ 30/2020 Điều 18.1: the issuing deadline runs from the signature.
        deadlines.redate_issue_items(document, timezone.now())
        trail_record(document=document, action="signed", actor=actor,
                     details={"signed_file": signed_file.pk if signed_file else None,
                              "digital_signature": signed_file is not None})
        audit_log(actor=actor, action="documents.outgoing.sign", obj=document,
                  details={"signed_file_sha256": signed_file.sha256 if signed_file else ""})
    return document


# --- issuing ------------------------------------------------------------------------------------


def _issue_pdf(document: OutgoingDocument) -> StoredFile | None:
    if document.signed_file_id:
        return document.signed_file
    version = latest_version(document)
    return version.pdf if version is not None and version.pdf_id else None


def outgoing_issue(*, actor, document: OutgoingDocument,
                   medium: str | None = None) -> OutgoingDocument:
    """Number, date and register the document and issue it (NĐ 30/2020 Điều 15–18): the clerk
    (documents.issue on the agency). The number is the next of the register's yearly series,
    allocated in this transaction (gapless, unique); the notation follows Phụ lục I §II.3. After
    the commit the document is dispatched to its recipients. ``medium`` ("electronic" /
    "paper"): a document without a digital signature is issued only as a paper original chosen
    explicitly (:mod:`.issuing_paper`; otherwise 409 ``unsigned``, nothing changes)."""
    from .issuing_paper import PAPER, check_medium, paper_reference_copy

    _check_open(document)
    policy.require(actor, "documents.issue", document.agency)
    if document.replaces_id:
        policy.require(actor, "documents.recall", document.agency)
    if document.state not in (OutgoingState.APPROVED, OutgoingState.SIGNED):
        raise wrong_state(document)
    medium = check_medium(document, medium)
    errors: dict[str, list[str]] = {}
    _check_cong_van(document.doc_type, document.field_abbreviation, errors)
    if errors:
        _fail(errors, message=errors["field_abbreviation"][0], code="field_abbreviation")
    pdf = _issue_pdf(document)
    if pdf is None:
        raise AppError("no_pdf", _("There is no PDF of the approved version to issue."),
                       status=409)
    from ..layout_check import require_stored

    require_stored(pdf, document=document, stage="issue")  # issue 9 §1 (409 layout)
    agency = document.agency
    # Choose (and on first use create) the register before the issuing transaction: the
    # transaction then takes its locks in one order only (document row → number series → audit
    # chain), so concurrent clerks queue and never deadlock.
    register = document.register
    if register is None or register.kind != RegisterKind.ADVISORY:
        register = outgoing_register_for(agency=agency, doc_type=document.doc_type)
    elif not register.is_active:
        raise AppError("no_register", _("The advisory body's register is closed."), status=409)
    try:
        with transaction.atomic():
            _lock(document)
            _check_open(document)
            if document.state not in (OutgoingState.APPROVED, OutgoingState.SIGNED):
                raise wrong_state(document)
            medium = check_medium(document, medium)  # again, under the row lock
            issuer = (register.issuer_abbreviation if register.kind == RegisterKind.ADVISORY
                      else agency.abbreviation)
            if not issuer:
                raise AppError("no_abbreviation",
                               _("The agency has no abbreviation for the notation; an "
                                 "administrator sets it."), status=409)
            now = timezone.now()
            today = timezone.localdate(now)
            number = sequence_next(scope=register.sequence_scope, series="outgoing",
                                   year=today.year)
            notation = rules.outgoing_notation(
                type_abbreviation=document.doc_type.abbreviation, issuer_abbreviation=issuer,
                field_abbreviation=document.field_abbreviation,
                year=today.year if register.year_in_notation else None,
            )
            code = rules.make_code(rules.outgoing_number(number), notation)
            if len(notation) > 30:
                raise AppError("notation_too_long", _("The notation %(notation)s is longer than "
                                                      "30 characters.")
                               % {"notation": notation}, status=409)
            document.register = register
            document.year = today.year
            document.number = number
            document.notation = notation
            document.code = code
            document.issued_date = today
            document.issued_at = now
            document.issued_by = actor
            document.issued_file = pdf
            org_signature = False
            if document.signed_file_id or document.doc_type.is_copy:
                # The văn thư's number and date and the agency's digital signature go into the
                # leader's certified PDF in one incremental update (NĐ 30/2020 Phụ lục I.II;
                # egov.documents.signing_flow); an electronic copy is signed by the agency alone
                # (Phụ lục I Phần II §I). No agency certificate: issued as it is.
                from egov.documents.signing_flow import sign_issue

                stamped = sign_issue(document=document, actor=actor)
                if stamped is not None:
                    pdf, org_signature = stamped, True
            if medium == PAPER and not org_signature and not document.signed_file_id:
                # The original is on paper: the PDF kept is a reference copy with the number
                # and date written in, without a digital signature (issuing_paper).
                reference = paper_reference_copy(document=document, actor=actor)
                if reference is not None:
                    pdf = document.issued_file = reference
            document.medium = medium
            document.state = OutgoingState.ISSUED
            document.save(update_fields=["register", "year", "number", "notation", "code",
                                         "issued_date", "issued_at", "issued_by",
                                         "issued_file", "state", "medium"])
            # The verification code (printed with a QR code at stage 1) now finds the issued
            # PDF on the public page (egov.documents.verification_codes).
            from egov.documents.verification_codes import bind_issued_file

            bind_issued_file(document)
            old = None
            if document.replaces_id:
                old = OutgoingDocument.objects.select_for_update(no_key=True).get(pk=document.replaces_id)
                if old.state != OutgoingState.ISSUED:
                    raise AppError("replaced_gone", _("The document to replace is no longer in "
                                                      "force (%(state)s).")
                                   % {"state": old.get_state_display()}, status=409)
                old.state = OutgoingState.REPLACED
                old.save(update_fields=["state"])
                trail_record(document=old, action="replaced", actor=actor,
                             details={"by": document.pk, "by_code": code})
            _close_items(actor, document, ALL_KINDS, reason="issued")
            notify(users=[document.drafter],
                   subject=Msg(N_("Issued as %(code)s: %(subject)s"), code=code,
                               subject=document.subject), url=_url(document))
            trail_record(document=document, action="issued", actor=actor, details={
                "number": rules.outgoing_number(number), "notation": notation, "code": code,
                "issued_date": today.isoformat(), "register": register.pk,
                "register_name": register.name, "file": pdf.pk,
                "digital_signature": bool(document.signed_file_id),
                "org_signature": org_signature, "medium": medium,
                "replaces": old.code if old else "",
            })
            audit_log(actor=actor, action="documents.outgoing.issue", obj=document, details={
                "code": code, "register": register.pk, "year": today.year, "number": number,
                "issued_date": today, "file_sha256": pdf.sha256, "medium": medium,
                "replaces": old.pk if old else None,
            })
            document_id, actor_id = document.pk, actor.pk
            transaction.on_commit(lambda: _after_issue(document_id, actor_id), robust=True)
    except IntegrityError as exc:
        log.warning("numbering clash while issuing outgoing %s: %s", document.pk, exc)
        raise AppError("number_clash", _("This number and notation is already used this year; "
                                         "check the register configuration."), status=409) from exc
    return document


def _after_issue(document_id: int, actor_id: int | None) -> None:
    """After the issuing commit: dispatch, complete the answered incoming documents, and tell
    the recipients of a replaced document."""
    document = OutgoingDocument.objects.select_related("agency", "replaces").get(pk=document_id)
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    if document.recipients.filter(unit__isnull=False).count() > INLINE_DELIVERIES:
        from ..tasks import dispatch_outgoing

        dispatch_outgoing.enqueue(document.pk)  # a long list: deliver from a job
    else:
        outgoing_dispatch(document=document)
    try:
        from .incoming import incoming_complete_by_reply
    except ImportError:  # pragma: no cover - the incoming side is not there yet
        incoming_complete_by_reply = None
    for incoming in document.in_reply_to.all():
        if incoming_complete_by_reply is None:
            break
        try:
            incoming_complete_by_reply(document=incoming, reply=document, actor=actor)
        except Exception as exc:  # noqa: BLE001 - recorded; the issue itself stands
            log.exception("completing incoming %s by reply %s failed", incoming.pk, document.pk)
            with transaction.atomic():
                trail_record(document=document, action="reply_link_failed", actor=None,
                             details={"incoming": incoming.pk, "error": str(exc)[:300]})
    if document.replaces_id:
        _withdraw_copies(document.replaces, kind="replace",
                         reason=_("Replaced by %(code)s") % {"code": document.code})


# --- dispatch -----------------------------------------------------------------------------------


def _incoming_data(document: OutgoingDocument) -> dict[str, Any]:
    agency = document.agency
    return {
        "issuer_name": agency.name, "issuer_electronic_id": agency.electronic_id or "",
        "number": rules.outgoing_number(document.number), "notation": document.notation,
        "issued_date": document.issued_date, "type_code": document.doc_type.code,
        "subject": document.subject, "signer_name": document.signer.get_full_name()[:50],
        "signer_position": document.signer_position, "urgency": document.urgency,
        "secrecy": "none", "page_count": document.page_count, "due_date": document.due_date,
        "channel": "electronic",
    }


def _deliver_internal(document: OutgoingDocument, recipient_id: int, receive) -> None:
    try:
        with transaction.atomic():
            recipient = (Recipient.objects.select_for_update(of=("self",), no_key=True)
                         .select_related("unit").get(pk=recipient_id))
            if recipient.delivered_at is not None:
                return
            incoming = receive(agency=recipient.unit.agency, source=document,
                               file=document.issued_file, data=_incoming_data(document),
                               actor=None)
            recipient.delivered_at = timezone.now()
            recipient.delivered_incoming = incoming
            recipient.delivery_error = ""
            recipient.save(update_fields=["delivered_at", "delivered_incoming",
                                          "delivery_error"])
            trail_record(document=document, action="delivered", actor=None, details={
                "recipient": recipient.name, "unit": recipient.unit_id,
                "incoming": getattr(incoming, "pk", None), "channel": "internal"})
    except Exception as exc:  # noqa: BLE001 - recorded per recipient, retried by a new dispatch
        message = getattr(exc, "message", None) or str(exc) or exc.__class__.__name__
        log.exception("delivery of outgoing %s to recipient %s failed", document.pk,
                      recipient_id)
        with transaction.atomic():
            Recipient.objects.filter(pk=recipient_id, delivered_at__isnull=True).update(
                delivery_error=str(message)[:500])
            trail_record(document=document, action="delivery_failed", actor=None,
                         details={"recipient": recipient_id, "error": str(message)[:300]})


def outgoing_dispatch(*, document: OutgoingDocument) -> None:
    """Send an issued document to the recipients who do not have it yet (idempotent: a second
    call delivers nothing twice). Internal agencies receive it at once in their incoming queue;
    external addresses by an e-mail job."""
    document = OutgoingDocument.objects.select_related(
        "agency", "doc_type", "signer", "issued_file").get(pk=document.pk)
    if document.state != OutgoingState.ISSUED:
        return  # recalled or replaced meanwhile: no further dispatch
    pending = list(document.recipients.filter(unit__isnull=False, delivered_at__isnull=True)
                   .values_list("pk", flat=True))
    if pending:
        try:
            from .incoming import incoming_receive_electronic
        except ImportError:  # pragma: no cover - the incoming side is not there yet
            log.error("incoming_receive_electronic is missing: outgoing %s not delivered",
                      document.pk)
            incoming_receive_electronic = None
        if incoming_receive_electronic is not None:
            for recipient_id in pending:
                _deliver_internal(document, recipient_id, incoming_receive_electronic)
    if document.recipients.filter(unit__isnull=True, delivered_at__isnull=True).exclude(
            email="").exists():
        from ..tasks import send_outgoing_mail

        send_outgoing_mail.enqueue(document.pk, "issue")


def outgoing_retry_dispatch(*, actor, document: OutgoingDocument) -> OutgoingDocument:
    """The clerk retries the deliveries that failed (nothing already delivered is sent again)."""
    policy.require(actor, "documents.issue", document.agency)
    _check_open(document)
    if document.state != OutgoingState.ISSUED:
        raise wrong_state(document)
    outgoing_dispatch(document=document)
    return document


def _mail_subject(document: OutgoingDocument, kind: str) -> str:
    if kind == "recall":
        return _("Recall of document %(code)s: %(subject)s") % {
            "code": document.code, "subject": document.subject}
    if kind == "replace":
        return _("Document %(code)s has been replaced: %(subject)s") % {
            "code": document.code, "subject": document.subject}
    return _("Document %(code)s: %(subject)s") % {"code": document.code,
                                                   "subject": document.subject}


def _mail_body(document: OutgoingDocument, kind: str, reason: str = "") -> str:
    lines = [
        document.agency.name,
        _("Number and notation: %(code)s") % {"code": document.code},
        _("Date: %(date)s") % {"date": document.issued_date.strftime("%d/%m/%Y")
                                if document.issued_date else ""},
        _("Type: %(type)s") % {"type": document.doc_type.name},
        _("Subject: %(subject)s") % {"subject": document.subject},
        _("Signed by: %(position)s %(name)s") % {"position": document.signer_position,
                                                 "name": document.signer.get_full_name()},
    ]
    if kind == "recall":
        lines += ["", _("The issuing agency has recalled this document. Please destroy the copy "
                        "you received and do not act on it."),
                  _("Reason: %(reason)s") % {"reason": reason or document.recall_reason}]
    elif kind == "replace":
        lines += ["", _("The issuing agency has replaced this document: %(reason)s.")
                  % {"reason": reason}]
    else:
        lines += ["", _("The document is attached as PDF.")]
    return "\n".join(lines)


def _attachment_name(document: OutgoingDocument) -> str:
    """An ASCII file name from the code: 01/QĐ-UBND → 01-QD-UBND.pdf."""
    code = (document.code or f"document-{document.pk}").replace("Đ", "D").replace("đ", "d")
    code = unicodedata.normalize("NFKD", code).encode("ascii", "ignore").decode()
    return re.sub(r"[^0-9A-Za-z._-]+", "-", code).strip("-") + ".pdf"


def outgoing_send_mail(*, document_id: int, kind: str = "issue", reason: str = "") -> int:
    """E-mail an issued document (kind "issue", the PDF attached) or a recall / replacement
    notice to the external recipients who have not had it; idempotent per recipient (the job may
    run twice). Returns the number of e-mails sent."""
    from django.core.mail import EmailMessage, get_connection

    document = (OutgoingDocument.objects.select_related("agency", "doc_type", "signer",
                                                        "issued_file")
                .filter(pk=document_id).first())
    if document is None:
        return 0
    if kind == "issue":
        if document.state != OutgoingState.ISSUED:
            return 0
        pending = document.recipients.filter(unit__isnull=True, delivered_at__isnull=True)
    elif kind in ("recall", "replace"):
        pending = document.recipients.filter(unit__isnull=True, delivered_at__isnull=False,
                                             cancelled_at__isnull=True)
    else:
        raise ValueError(f"unknown mail kind {kind!r}")
    pending_ids = list(pending.exclude(email="").values_list("pk", flat=True))
    if not pending_ids:
        return 0
    content = None
    attachments = []
    if kind == "issue" and document.issued_file_id:
        with files.file_open(document.issued_file) as fh:
            content = fh.read()
        # Attachments in separate files go as issued: signed by the agency when they are PDFs
        # (NĐ 30/2020 Phụ lục I §II.8.b; egov.documents.signing_flow).
        for item in document.attachments.select_related("file", "issued_file").order_by("pk"):
            stored = item.issued_file or item.file
            with files.file_open(stored) as fh:
                attachments.append((stored.original_name, fh.read(), stored.content_type))
    sent = 0
    try:
        connection = get_connection()
        connection.open()
    except OSError as exc:
        # The mail server is unreachable: say so on each recipient; the clerk retries later.
        log.warning("mail server unreachable for outgoing %s: %s", document.pk, exc)
        with transaction.atomic():
            Recipient.objects.filter(pk__in=pending_ids).update(
                delivery_error=(str(exc) or exc.__class__.__name__)[:500])
            trail_record(document=document, action="delivery_failed", actor=None,
                         details={"recipients": pending_ids, "kind": kind,
                                  "error": str(exc)[:300]})
        return 0
    with connection:
        for recipient_id in pending_ids:
            try:
                with transaction.atomic():
                    recipient = Recipient.objects.select_for_update(no_key=True).get(pk=recipient_id)
                    done = (recipient.delivered_at if kind == "issue"
                            else recipient.cancelled_at)
                    if done is not None:
                        continue
                    message = EmailMessage(subject=_mail_subject(document, kind),
                                           body=_mail_body(document, kind, reason),
                                           to=[recipient.email], connection=connection)
                    if content is not None:
                        message.attach(_attachment_name(document), content, files.PDF)
                        for name, data, ctype in attachments:
                            message.attach(name, data, ctype)
                    message.send()
                    now = timezone.now()
                    if kind == "issue":
                        recipient.delivered_at = now
                        recipient.delivery_error = ""
                        recipient.save(update_fields=["delivered_at", "delivery_error"])
                    else:
                        recipient.cancelled_at = now
                        recipient.save(update_fields=["cancelled_at"])
                    trail_record(document=document,
                                 action="delivered" if kind == "issue" else "notice_sent",
                                 actor=None, details={"recipient": recipient.name,
                                                      "email": recipient.email,
                                                      "channel": "email", "kind": kind})
                    sent += 1
            except Exception as exc:  # noqa: BLE001 - recorded per recipient
                log.exception("e-mail of outgoing %s to recipient %s failed", document.pk,
                              recipient_id)
                with transaction.atomic():
                    Recipient.objects.filter(pk=recipient_id).update(
                        delivery_error=str(exc)[:500] or exc.__class__.__name__)
                    trail_record(document=document, action="delivery_failed", actor=None,
                                 details={"recipient": recipient_id, "error": str(exc)[:300],
                                          "kind": kind})
    return sent


# --- recall and replacement ---------------------------------------------------------------------


def _withdraw_copies(document: OutgoingDocument, *, kind: str, reason: str) -> None:
    """Cancel the recipients' incoming copies and e-mail external recipients a notice
    (NĐ 30/2020 Điều 18.4.b; Phụ lục VI §III.8). Idempotent through Recipient.cancelled_at."""
    delivered = list(document.recipients.filter(unit__isnull=False, cancelled_at__isnull=True,
                                                delivered_incoming__isnull=False)
                     .values_list("pk", flat=True))
    if delivered:
        try:
            from .incoming import incoming_cancel
        except ImportError:  # pragma: no cover
            incoming_cancel = None
            log.error("incoming_cancel is missing: copies of outgoing %s not cancelled",
                      document.pk)
        for recipient_id in delivered if incoming_cancel else ():
            try:
                with transaction.atomic():
                    recipient = (Recipient.objects.select_for_update(of=("self",), no_key=True)
                                 .select_related("delivered_incoming").get(pk=recipient_id))
                    if recipient.cancelled_at is not None:
                        continue
                    incoming_cancel(document=recipient.delivered_incoming, reason=reason,
                                    actor=None)
                    recipient.cancelled_at = timezone.now()
                    recipient.save(update_fields=["cancelled_at"])
                    trail_record(document=document, action="copy_cancelled", actor=None,
                                 details={"recipient": recipient.name, "kind": kind,
                                          "incoming": recipient.delivered_incoming_id})
            except Exception as exc:  # noqa: BLE001 - recorded; retried by a new call
                log.exception("cancelling the copy of outgoing %s at recipient %s failed",
                              document.pk, recipient_id)
                with transaction.atomic():
                    trail_record(document=document, action="delivery_failed", actor=None,
                                 details={"recipient": recipient_id, "kind": kind,
                                          "error": str(exc)[:300]})
    if document.recipients.filter(unit__isnull=True, delivered_at__isnull=False,
                                  cancelled_at__isnull=True).exclude(email="").exists():
        from ..tasks import send_outgoing_mail

        send_outgoing_mail.enqueue(document.pk, kind, str(reason))


def outgoing_recall(*, actor, document: OutgoingDocument, reason: str) -> OutgoingDocument:
    """Recall an issued document (thu hồi, NĐ 30/2020 Điều 18.4): it is frozen with its
    metadata; each internal recipient's copy is cancelled and external recipients are told."""
    policy.require(actor, "documents.recall", document.agency)
    _check_open(document)
    errors: dict[str, list[str]] = {}
    reason = _text(reason, "reason", errors, required=True, max_length=500)
    if errors:
        _fail(errors)
    if document.state != OutgoingState.ISSUED:
        raise wrong_state(document)
    with transaction.atomic():
        _lock(document)
        _check_open(document)
        if document.state != OutgoingState.ISSUED:
            raise wrong_state(document)
        document.state = OutgoingState.RECALLED
        document.recalled_at = timezone.now()
        document.recall_reason = reason
        document.save(update_fields=["state", "recalled_at", "recall_reason"])
        _close_items(None, document, ALL_KINDS, reason="recalled")
        trail_record(document=document, action="recalled", actor=actor,
                     details={"reason": reason, "code": document.code})
        audit_log(actor=actor, action="documents.outgoing.recall", obj=document,
                  details={"code": document.code, "reason": reason})
        document_id = document.pk
        transaction.on_commit(
            lambda: _withdraw_copies(OutgoingDocument.objects.get(pk=document_id),
                                     kind="recall", reason=reason),
            robust=True)
    return document


def outgoing_replace(*, actor, document: OutgoingDocument,
                     new_document: OutgoingDocument) -> OutgoingDocument:
    """Name `new_document` (a draft of the same type and agency) as the replacement of the
    issued `document` (NĐ 30/2020 Điều 18.3). The old one becomes REPLACED when the new one is
    issued, and its recipients are told then."""
    policy.require(actor, "documents.recall", document.agency)
    _check_open(document)
    _check_open(new_document)
    errors: dict[str, list[str]] = {}
    if document.state != OutgoingState.ISSUED:
        raise wrong_state(document)
    if new_document.pk == document.pk or new_document.state in (OutgoingState.ISSUED,):
        _add(errors, "new_document", _("Choose a draft that has not been issued."))
    elif new_document.agency_id != document.agency_id:
        _add(errors, "new_document", _("The replacement must be issued by the same agency."))
    elif new_document.doc_type_id != document.doc_type_id:
        _add(errors, "new_document", _("A replacement has the type of the document it replaces "
                                       "(%(type)s).") % {"type": document.doc_type.name})
    if errors:
        _fail(errors)
    with transaction.atomic():
        _lock(new_document)
        _check_open(new_document)
        new_document.replaces = document
        new_document.save(update_fields=["replaces"])
        trail_record(document=new_document, action="replacement_of", actor=actor,
                     details={"replaces": document.pk, "code": document.code})
        trail_record(document=document, action="replacement_drafted", actor=actor,
                     details={"by": new_document.pk})
        audit_log(actor=actor, action="documents.outgoing.replace", obj=new_document,
                  details={"replaces": document.pk})
    return new_document


__all__ = [
    "outgoing_add_version", "outgoing_comment", "outgoing_convert_version", "outgoing_create",
    "outgoing_dispatch", "outgoing_issue", "outgoing_mark_signed", "outgoing_recall",
    "outgoing_replace", "outgoing_retry_dispatch", "outgoing_review", "outgoing_send_mail",
    "outgoing_submit", "outgoing_update", "current_approvals",
]
