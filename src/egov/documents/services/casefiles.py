"""Case files (hồ sơ) and the yearly Danh mục hồ sơ (NĐ 30/2020 Điều 28–31; Phụ lục V;
Phụ lục VI §III.4–5).

- A file is created PLANNED when it belongs to the year's plan (opened later with
  `casefile_open`), or OPEN at once when it is not in the plan (Điều 29.1: the person sets the
  title, number, retention, creator and start themselves).
- Documents are linked, never copied (Phụ lục VI §III.4): a CaseFileItem points at the incoming
  or outgoing document; the same document may be in several files of different people.
- DocOrdinal: the next number in the file while it is open (allocated under a row lock on the
  file, race-safe); removing a document closes the gap (the following documents move up by one),
  so the numbers stay 1..n without gaps; closing the file renumbers its documents in
  chronological order (the System does the indexing, Điều 29.3) — the order of the Mục lục văn
  bản and of the exports.
- Closing needs at least one document; it sets transfer_due (Điều 30.2): one year after the end
  of the work, or three months after the final settlement (quyết toán) for construction files.
- Transfer to the archive: state TRANSFERRED (Điều 30.3).
"""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Case, F, Max, PositiveSmallIntegerField, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from egov.core import policy
from egov.core.audit import audit_log
from egov.core.errors import InvalidInput, NotFound, PermissionDenied
from egov.core.models import OrgUnit, OrgUnitKind, User
from egov.core.msgtext import Msg

from ..models import (
    CaseFile,
    CaseFileItem,
    CaseFilePlan,
    CaseFileState,
    IncomingDocument,
    IncomingState,
    OutgoingDocument,
)
from ..selectors.casefiles import (
    MANAGE,
    chronological_key,
    may_create_own,
    may_manage_agency,
    may_manage_file,
)
from ..selectors.registers import ISSUED_STATES
from ..selectors.visibility import incoming_visible_q, outgoing_visible_q
from ..trail import trail_record

MAX_DOCUMENTS = 999  # DocOrdinal is Number(3) (Phụ lục VI Part II §I.2)
SHIFT = 1000  # temporary offset when renumbering (unique (case_file, ordinal) is not deferrable)


def _error(field: str, message: str, code: str = "invalid") -> InvalidInput:
    return InvalidInput(message, fields={field: [message]}, code=code)


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` plus whole months; the 29–31st of a shorter month becomes its last day."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, pycalendar.monthrange(year, month)[1]))


def transfer_due_for(end_date: dt.date, *, is_construction: bool) -> dt.date:
    """NĐ 30/2020 Điều 30.2: within 3 months after the final settlement for construction files
    (end_date is then the settlement date), within 1 year after the work ends otherwise."""
    return add_months(end_date, 3 if is_construction else 12)


def _check_agency(agency: OrgUnit) -> None:
    if agency is None or agency.kind == OrgUnitKind.DIVISION:
        raise _error("agency_id", _("Choose an agency, not an internal division."))


def _locked(case_file: CaseFile) -> CaseFile:
    """The file re-read under a row lock (serialises changes of one file)."""
    return CaseFile.objects.select_for_update(no_key=True).select_related("agency", "creator").get(
        pk=case_file.pk)


def _require_file(actor, case_file: CaseFile) -> None:
    if not may_manage_file(actor, case_file):
        raise PermissionDenied()


def _text(value, field: str, max_length: int, errors: dict, *, required: bool = False) -> str:
    value = (value or "").strip() if isinstance(value, str) or value is None else None
    if value is None:
        errors[field] = [_("Enter text.")]
        return ""
    if required and not value:
        errors[field] = [_("This field is required.")]
    elif len(value) > max_length:
        errors[field] = [_("At most %(n)s characters.") % {"n": max_length}]
    return value


def _check_year(year, errors: dict) -> int:
    if isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 9999:
        errors["year"] = [_("Enter a year such as %(year)s.") % {"year":
                                                                  timezone.localdate().year}]
        return 0
    return year


# --- the plan -----------------------------------------------------------------------------------


def casefile_plan_create(*, actor, agency: OrgUnit, year: int, title: str,
                         approved_by: str = "", approved_on: dt.date | None = None,
                         ) -> CaseFilePlan:
    """Danh mục hồ sơ of the agency for the year (Điều 28; one per agency and year)."""
    _check_agency(agency)
    policy.require(actor, MANAGE, agency)
    errors: dict[str, list[str]] = {}
    year = _check_year(year, errors)
    title = _text(title, "title", 255, errors, required=True)
    approved_by = _text(approved_by, "approved_by", 200, errors)
    if errors:
        raise InvalidInput(_("Check the plan."), fields=errors)
    with transaction.atomic():
        if CaseFilePlan.objects.filter(agency=agency, year=year).exists():
            raise _error("year", _("The agency already has a plan for this year."),
                         code="plan_exists")
        try:
            with transaction.atomic():
                plan = CaseFilePlan.objects.create(agency=agency, year=year, title=title,
                                                   approved_by=approved_by,
                                                   approved_on=approved_on)
        except IntegrityError:
            raise _error("year", _("The agency already has a plan for this year."),
                         code="plan_exists") from None
        audit_log(actor=actor, action="documents.casefile_plan.create", obj=plan, details={
            "agency": agency.pk, "year": year, "title": title, "approved_by": approved_by,
            "approved_on": approved_on})
    return plan


# --- files --------------------------------------------------------------------------------------


def casefile_create(*, actor, agency: OrgUnit, plan: CaseFilePlan | None = None, year: int,
                    heading: str = "", notation: str, title: str,
                    retention_years: int | None = None, creator: User | None = None,
                    rights: str = "", is_construction: bool = False,
                    description: str = "", start_date: dt.date | None = None) -> CaseFile:
    """A new file. In a plan: PLANNED (opened later). Outside a plan: OPEN from `start_date`
    (default today; earlier when the work began before the file was recorded).
    `retention_years` None = permanent (vĩnh viễn). The notation (e.g. `01.TCCB`) is unique in
    the agency and year. A holder of the action posted inside the agency may create files only
    as their own creator; one whose grant covers the agency may name any creator."""
    _check_agency(agency)
    creator = creator or actor
    if not may_create_own(actor, agency):
        raise PermissionDenied()
    if not may_manage_agency(actor, agency) and creator.pk != actor.pk:
        raise PermissionDenied(_("You may only create case files with yourself as their creator."))
    errors: dict[str, list[str]] = {}
    year = _check_year(year, errors)
    notation = _text(notation, "notation", 20, errors, required=True)
    title = _text(title, "title", 500, errors, required=True)
    heading = _text(heading, "heading", 255, errors)
    rights = _text(rights, "rights", 30, errors)
    description = _text(description, "description", 500, errors)
    if retention_years is not None and (isinstance(retention_years, bool)
                                        or not isinstance(retention_years, int)
                                        or not 1 <= retention_years <= 999):
        errors["retention_years"] = [_("Enter a number of years from 1 to 999, or leave it "
                                       "empty for permanent.")]
    if plan is not None and (plan.agency_id != agency.pk or plan.year != year):
        errors["plan_id"] = [_("The plan belongs to another agency or year.")]
    if creator is None or not creator.is_active:
        errors["creator_id"] = [_("Choose an active user.")]
    if start_date is not None and (plan is not None or start_date > timezone.localdate()):
        errors["start_date"] = [_("A planned file gets its start date when it is opened; the "
                                  "start date cannot be in the future.")]
    if errors:
        raise InvalidInput(_("Check the file."), fields=errors)
    today = timezone.localdate()
    state = CaseFileState.PLANNED if plan is not None else CaseFileState.OPEN
    with transaction.atomic():
        if CaseFile.objects.filter(agency=agency, year=year, notation=notation).exists():
            raise _error("notation", _("This number and notation is already used this year."),
                         code="notation_taken")
        try:
            with transaction.atomic():
                cf = CaseFile.objects.create(
                    plan=plan, agency=agency, year=year, heading=heading, notation=notation,
                    title=title, retention_years=retention_years, rights=rights,
                    creator=creator, state=state, is_construction=is_construction,
                    description=description,
                    start_date=(start_date or today) if state == CaseFileState.OPEN else None,
                )
        except IntegrityError:
            raise _error("notation", _("This number and notation is already used this year."),
                         code="notation_taken") from None
        audit_log(actor=actor, action="documents.casefile.create", obj=cf, details={
            "agency": agency.pk, "year": year, "notation": notation, "title": title,
            "plan": plan.pk if plan else None, "retention_years": retention_years,
            "creator": creator.pk, "state": state})
    return cf


EDITABLE = ("heading", "title", "retention_years", "rights", "is_construction", "description")


def casefile_update(*, actor, case_file: CaseFile, **changes) -> CaseFile:
    """Correct a file's title, heading, retention, access regime, construction flag or notes
    while it is planned or open (Điều 29.3: fixed at the latest when it is closed)."""
    _require_file(actor, case_file)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    errors: dict[str, list[str]] = {}
    clean: dict = {}
    if "title" in changes:
        clean["title"] = _text(changes["title"], "title", 500, errors, required=True)
    if "heading" in changes:
        clean["heading"] = _text(changes["heading"], "heading", 255, errors)
    if "rights" in changes:
        clean["rights"] = _text(changes["rights"], "rights", 30, errors)
    if "description" in changes:
        clean["description"] = _text(changes["description"], "description", 500, errors)
    if "retention_years" in changes:
        years = changes["retention_years"]
        if years is not None and (isinstance(years, bool) or not isinstance(years, int)
                                  or not 1 <= years <= 999):
            errors["retention_years"] = [_("Enter a number of years from 1 to 999, or leave "
                                           "it empty for permanent.")]
        clean["retention_years"] = years
    if "is_construction" in changes:
        clean["is_construction"] = bool(changes["is_construction"])
    if errors:
        raise InvalidInput(_("Check the file."), fields=errors)
    with transaction.atomic():
        cf = _locked(case_file)
        if cf.state not in (CaseFileState.PLANNED, CaseFileState.OPEN):
            raise InvalidInput(_("A closed file can no longer be changed."), code="file_closed")
        before = {k: getattr(cf, k) for k in clean}
        for k, v in clean.items():
            setattr(cf, k, v)
        if clean:
            cf.save(update_fields=list(clean))
        audit_log(actor=actor, action="documents.casefile.update", obj=cf,
                  details={"before": before, "after": clean})
    return cf


def casefile_delete(*, actor, case_file: CaseFile) -> None:
    """Remove a file that never held a document (planned or open and empty)."""
    _require_file(actor, case_file)
    with transaction.atomic():
        cf = _locked(case_file)
        if cf.state not in (CaseFileState.PLANNED, CaseFileState.OPEN) or \
                CaseFileItem.objects.filter(case_file=cf).exists():
            raise InvalidInput(_("Only an empty file that is not closed can be deleted."),
                               code="file_not_empty")
        details = {"agency": cf.agency_id, "year": cf.year, "notation": cf.notation,
                   "title": cf.title}
        pk = cf.pk
        cf.delete()
        audit_log(actor=actor, action="documents.casefile.delete", object_type=
                  CaseFile._meta.label_lower, object_id=str(pk), details=details)


def casefile_open(*, actor, case_file: CaseFile, start_date: dt.date | None = None) -> CaseFile:
    """Open a planned file (Điều 29.1)."""
    _require_file(actor, case_file)
    if start_date is not None and start_date > timezone.localdate():
        raise _error("start_date", _("The start date cannot be in the future."))
    with transaction.atomic():
        cf = _locked(case_file)
        if cf.state != CaseFileState.PLANNED:
            raise InvalidInput(_("Only a planned file can be opened."), code="bad_state")
        cf.state = CaseFileState.OPEN
        cf.start_date = start_date or timezone.localdate()
        cf.save(update_fields=["state", "start_date"])
        audit_log(actor=actor, action="documents.casefile.open", obj=cf,
                  details={"start_date": cf.start_date})
    return cf


def _document(actor, incoming, outgoing):
    if (incoming is None) == (outgoing is None):
        raise _error("document", _("Give exactly one document."))
    if incoming is not None:
        doc = IncomingDocument.objects.filter(incoming_visible_q(actor), pk=incoming.pk).first()
        if doc is None:
            raise NotFound()
        if doc.state == IncomingState.CANCELLED:
            raise _error("document", _("A document cancelled by its issuer's recall cannot be "
                                       "filed."), code="document_cancelled")
        return doc
    doc = OutgoingDocument.objects.filter(outgoing_visible_q(actor), pk=outgoing.pk).first()
    if doc is None:
        raise NotFound()
    if doc.state not in ISSUED_STATES:
        raise _error("document", _("Only issued documents can be filed; drafts stay out of "
                                   "case files."), code="document_not_issued")
    return doc


def casefile_add_document(*, actor, case_file: CaseFile,
                          incoming: IncomingDocument | None = None,
                          outgoing: OutgoingDocument | None = None) -> CaseFileItem:
    """Link a document the actor may see into an open file, with the next DocOrdinal."""
    _require_file(actor, case_file)
    doc = _document(actor, incoming, outgoing)
    with transaction.atomic():
        cf = _locked(case_file)
        if cf.state != CaseFileState.OPEN:
            code = "file_not_open" if cf.state == CaseFileState.PLANNED else "file_closed"
            raise InvalidInput(_("Documents can be added only to an open file."), code=code)
        key = {"incoming": doc} if incoming is not None else {"outgoing": doc}
        if CaseFileItem.objects.filter(case_file=cf, **key).exists():
            raise _error("document", _("The document is already in this file."),
                         code="already_in_file")
        last = CaseFileItem.objects.filter(case_file=cf).aggregate(m=Max("ordinal"))["m"] or 0
        if last >= MAX_DOCUMENTS:
            raise _error("document", _("A file holds at most %(n)s documents.")
                         % {"n": MAX_DOCUMENTS}, code="file_full")
        item = CaseFileItem.objects.create(case_file=cf, ordinal=last + 1, added_by=actor,
                                           **key)
        trail_record(document=doc, action="case_file.add", actor=actor, details={
            "case_file": cf.pk, "notation": cf.notation, "year": cf.year,
            "ordinal": item.ordinal})
    return item


def casefile_remove_document(*, actor, case_file: CaseFile, item_id: int) -> None:
    """Unlink a document from an open file; the following documents move up by one (no gap)."""
    _require_file(actor, case_file)
    with transaction.atomic():
        cf = _locked(case_file)
        if cf.state != CaseFileState.OPEN:
            raise InvalidInput(_("Documents can be removed only from an open file."),
                               code="file_closed")
        item = CaseFileItem.objects.filter(case_file=cf, pk=item_id).select_related(
            "incoming", "outgoing").first()
        if item is None:
            raise NotFound()
        doc = item.incoming or item.outgoing
        ordinal = item.ordinal
        item.delete()
        following = CaseFileItem.objects.filter(case_file=cf, ordinal__gt=ordinal)
        following.update(ordinal=F("ordinal") + SHIFT)
        CaseFileItem.objects.filter(case_file=cf, ordinal__gt=SHIFT).update(
            ordinal=F("ordinal") - SHIFT - 1)
        trail_record(document=doc, action="case_file.remove", actor=actor, details={
            "case_file": cf.pk, "notation": cf.notation, "year": cf.year, "ordinal": ordinal})


def _renumber_chronologically(cf: CaseFile) -> None:
    items = list(CaseFileItem.objects.filter(case_file=cf).select_related("incoming",
                                                                           "outgoing"))
    items.sort(key=chronological_key)
    new = {item.pk: i for i, item in enumerate(items, start=1)}
    if all(item.ordinal == new[item.pk] for item in items):
        return
    CaseFileItem.objects.filter(case_file=cf).update(ordinal=F("ordinal") + SHIFT)
    CaseFileItem.objects.filter(case_file=cf).update(ordinal=Case(
        *[When(pk=pk, then=Value(n)) for pk, n in new.items()], default=F("ordinal"),
        output_field=PositiveSmallIntegerField()))


def casefile_close(*, actor, case_file: CaseFile, end_date: dt.date) -> CaseFile:
    """Close an open file at the end of the work (Điều 29.3): at least one document, end date
    not before the start nor in the future; documents renumbered chronologically; transfer_due
    set (Điều 30.2)."""
    _require_file(actor, case_file)
    if not isinstance(end_date, dt.date):
        raise _error("end_date", _("Enter the end date."))
    with transaction.atomic():
        cf = _locked(case_file)
        if cf.state != CaseFileState.OPEN:
            raise InvalidInput(_("Only an open file can be closed."), code="bad_state")
        if cf.start_date and end_date < cf.start_date:
            raise _error("end_date", _("The end date is before the file was opened."))
        if end_date > timezone.localdate():
            raise _error("end_date", _("The end date cannot be in the future."))
        if not CaseFileItem.objects.filter(case_file=cf).exists():
            raise InvalidInput(_("A file needs at least one document before it is closed."),
                               code="file_empty")
        _renumber_chronologically(cf)
        cf.state = CaseFileState.CLOSED
        cf.end_date = end_date
        cf.transfer_due = transfer_due_for(end_date, is_construction=cf.is_construction)
        cf.save(update_fields=["state", "end_date", "transfer_due"])
        audit_log(actor=actor, action="documents.casefile.close", obj=cf, details={
            "end_date": end_date, "transfer_due": cf.transfer_due,
            "construction": cf.is_construction})
    return cf


def casefile_transfer(*, actor, case_file: CaseFile) -> CaseFile:
    """Hand a closed file over to the agency archive (nộp lưu, Điều 30.3): state TRANSFERRED."""
    _require_file(actor, case_file)
    with transaction.atomic():
        cf = _locked(case_file)
        if cf.state != CaseFileState.CLOSED:
            raise InvalidInput(_("Only a closed file can be transferred to the archive."),
                               code="bad_state")
        cf.state = CaseFileState.TRANSFERRED
        cf.save(update_fields=["state"])
        audit_log(actor=actor, action="documents.casefile.transfer", obj=cf, details={
            "transfer_due": cf.transfer_due, "on": timezone.localdate()})
    return cf


# --- the 30-day warning -------------------------------------------------------------------------

WARNING_ACTION = "documents.casefile.transfer_warning"


def casefiles_warn_due(*, today: dt.date | None = None, within_days: int = 30) -> int:
    """Notify each creator once per file whose transfer is due within `within_days` days
    (Phụ lục VI §III.5.b). "Once" is recorded in the audit trail (action
    documents.casefile.transfer_warning on the file): a second run sends nothing. Returns the
    number of warnings sent."""
    from django.urls import reverse

    from egov.core.models import AuditEvent
    from egov.core.notifications import notify

    from ..selectors.casefiles import casefiles_due_for_transfer

    due = list(casefiles_due_for_transfer(within_days=within_days, today=today))
    if not due:
        return 0
    warned = set(AuditEvent.objects.filter(
        action=WARNING_ACTION, object_type=CaseFile._meta.label_lower,
        object_id__in=[str(cf.pk) for cf in due]).values_list("object_id", flat=True))
    sent = 0
    for cf in due:
        if str(cf.pk) in warned:
            continue
        with transaction.atomic():
            # The file's row lock serialises two runs at the same time: the second one waits
            # here, then sees the first one's audit event and sends nothing.
            CaseFile.objects.select_for_update(no_key=True).filter(pk=cf.pk).first()
            if AuditEvent.objects.filter(action=WARNING_ACTION,
                                         object_type=CaseFile._meta.label_lower,
                                         object_id=str(cf.pk)).exists():
                continue
            date = cf.transfer_due.strftime("%d/%m/%Y")
            notify(users=[cf.creator],
                   subject=Msg(N_("Case file %(notation)s is due for transfer to the archive "
                                  "on %(date)s"), notation=cf.notation, date=date),
                   body=Msg(N_("“%(title)s” (%(year)s) must be handed over to the agency "
                               "archive by %(date)s (Decree 30/2020, Article 30)."),
                            title=cf.title, year=cf.year, date=date),
                   url=reverse("documents:casefile_detail", args=[cf.pk]))
            audit_log(actor="system:documents_daily", action=WARNING_ACTION, obj=cf,
                      details={"transfer_due": cf.transfer_due, "creator": cf.creator_id})
        sent += 1
    return sent
