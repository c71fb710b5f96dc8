"""From a letter to a classified petition: register (vào sổ), classify on separate axes with
their legal consequences, split a letter mixing kinds, assign to a unit or officer.

Each service: the petition row locked, the state checked (409 `invalid_state`), the grant
(403), the input (422 with the fields), the change, its deadlines and work items, the event
(subscribers inside the transaction) and the audit event last. Nothing changes on an error.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core.errors import PermissionDenied
from egov.core.models import OrgUnit, Position, User

from .. import rules
from ..grounds import COMPLEXITY_CRITERIA
from ..models import (
    ComplaintSubject,
    Complexity,
    Petition,
    PetitionFile,
    PetitionIdentity,
    PetitionIdentityFile,
    PetitionKind,
    PetitionState,
)
from . import deadlines
from . import flow as f
from .records import lock, petition_create

S = PetitionState
ANONYMOUS_REASON = "Đơn tố cáo nặc danh, mạo danh: không xử lý theo thủ tục tố cáo (Luật Tố cáo " \
                   "2018, Điều 25)."


def ensure_processing(p: Petition, actor) -> None:
    """The processing deadline (xử lý đơn), from receipt: 7 working days for denunciations
    (Luật TC Art.24.1), 10 for the others (TT 05/2021, UNVERIFIED)."""
    if not p.deadlines.filter(step=rules.PROCESSING).exists():
        d = deadlines.deadline_start(p, rules.PROCESSING, p.received_at, actor)
        if d is not None and p.due_at is None:
            p.due_at = d.due_at


# --- register -----------------------------------------------------------------------------------


def petition_register(*, actor, petition_id: int, note: str = "") -> Petition:
    """A draft (portal, e-mail) entered in the register: draft → received; the officer becomes
    the receiver (`received_by`: one of the three who may read the identity)."""
    errors: f.Errors = {}
    note = f.text(note, "note", errors, max_length=2000)
    with transaction.atomic():
        p = lock(petition_id)
        if p.state != S.DRAFT:
            raise f.state_error(_("Registering"), p)
        f.require(actor, [(f.RECEIVE, p.agency)])
        f.fail(errors)
        p.state = S.RECEIVED
        p.received_by = actor
        p.save(update_fields=["state", "received_by", "updated_at"])
        ensure_processing(p, actor)
        p.save(update_fields=["due_at"])
        return f.finish(p, actor, "register", note=note, public=True)


# --- classify -----------------------------------------------------------------------------------


def _complexity(kind: str, reasons: list[str]) -> str:
    """NĐ 31/2019 Art.3; NĐ 124/2020 Art.3a (NĐ 155/2026): one criterion → complex; two or more
    → especially complex (denunciations; complaints know one level)."""
    if not reasons:
        return Complexity.NORMAL
    if kind == PetitionKind.DENUNCIATION and len(reasons) >= 2:
        return Complexity.VERY_COMPLEX
    return Complexity.COMPLEX


def petition_classify(*, actor, petition_id: int, data: dict) -> Petition:
    """Classify (received or classified → classified). `data`: kind, eligible,
    ineligible_reason, competent, anonymous, duplicate_of (id), signers, complexity_reasons
    (criteria codes), remote_area, complaint_subject, decision_known_on, limitation_excuse,
    subject, respondent, note.

    Consequences: an anonymous denunciation is not eligible as a denunciation (Luật TC Art.25);
    a complaint past its limitation (Luật KN Art.9, 48) is flagged and can only be not accepted
    (Art.11.6) unless a good reason is recorded; a duplicate (same agency only) cannot be
    accepted — it is filed or linked. Starts the processing deadline (if not yet), the complaint
    thụ lý deadline, or the forwarding deadline of a denunciation outside competence."""
    errors: f.Errors = {}
    kind = f.choice(data.get("kind"), "kind", errors, PetitionKind.values, required=True)
    eligible = f.boolean(data.get("eligible"), "eligible", errors)
    reason = f.text(data.get("ineligible_reason"), "ineligible_reason", errors)
    competent = f.boolean(data.get("competent"), "competent", errors)
    anonymous = f.boolean(data.get("anonymous", False), "anonymous", errors, nullable=False)
    dup_id = f.integer(data.get("duplicate_of"), "duplicate_of", errors)
    signers = f.integer(data.get("signers", 1), "signers", errors, lo=1, hi=10000) or 1
    crit = data.get("complexity_reasons") or []
    if not isinstance(crit, list) or any(c not in COMPLEXITY_CRITERIA for c in crit):
        f.add(errors, "complexity_reasons", _("Choose from: %(values)s.")
              % {"values": ", ".join(COMPLEXITY_CRITERIA)})
        crit = []
    crit = sorted(set(crit))
    remote = f.boolean(data.get("remote_area", False), "remote_area", errors, nullable=False)
    subject_kind = f.choice(data.get("complaint_subject"), "complaint_subject", errors,
                            ComplaintSubject.values)
    known_on = f.date(data.get("decision_known_on"), "decision_known_on", errors)
    excuse = f.text(data.get("limitation_excuse"), "limitation_excuse", errors)
    subject = f.text(data.get("subject"), "subject", errors, max_length=500)
    respondent = f.text(data.get("respondent"), "respondent", errors, max_length=500)
    note = f.text(data.get("note"), "note", errors, max_length=2000)
    if eligible is False and not reason and not (anonymous and kind == "denunciation"):
        f.add(errors, "ineligible_reason", _("Say why the petition is not eligible."))
    if kind != PetitionKind.COMPLAINT and (subject_kind or known_on):
        for name, value in (("complaint_subject", subject_kind),
                            ("decision_known_on", known_on)):
            if value:
                f.add(errors, name, _("Only for complaints."))
    with transaction.atomic():
        p = lock(petition_id)
        if p.state not in (S.RECEIVED, S.CLASSIFIED):
            raise f.state_error(_("Classifying"), p)
        if not f.may_classify(actor, p):
            raise PermissionDenied()
        duplicate = None
        if dup_id is not None:
            duplicate = Petition.objects.filter(pk=dup_id).first()
            if duplicate is None or duplicate.agency_id != p.agency_id:
                f.add(errors, "duplicate_of", _("Choose a petition of the same agency."))
            elif duplicate.pk == p.pk or duplicate.duplicate_of_id == p.pk:
                f.add(errors, "duplicate_of", _("A petition cannot duplicate itself."))
        if known_on and known_on > timezone.localdate():
            f.add(errors, "decision_known_on", _("The date cannot be in the future."))
        f.fail(errors)
        if duplicate is not None and duplicate.duplicate_of_id:
            duplicate = duplicate.duplicate_of  # link to the original letter
        if anonymous and kind == PetitionKind.DENUNCIATION:
            # Luật Tố cáo 2018 Art.25: not processed as a denunciation.
            eligible, reason = False, reason or ANONYMOUS_REASON
        p.kind, p.eligible, p.ineligible_reason = kind, eligible, reason if eligible is False \
            else ""
        p.competent, p.anonymous, p.duplicate_of = competent, anonymous, duplicate
        p.signers, p.complexity_reasons = signers, crit
        p.complexity = _complexity(kind, crit)
        p.remote_area = remote
        p.complaint_subject = subject_kind if kind == PetitionKind.COMPLAINT else ""
        p.decision_known_on = known_on if kind == PetitionKind.COMPLAINT else None
        if subject:
            p.subject = subject
        if respondent:
            p.respondent = respondent
        now = timezone.now()
        p.state, p.classified_at = S.CLASSIFIED, now
        p.save()
        lim = f.limitation(p)
        # A reclassification: the steps follow the rules that now apply.
        deadlines.deadline_reconcile(p, rules.PROCESSING)
        ensure_processing(p, actor)
        acceptance = (kind == PetitionKind.COMPLAINT and bool(competent) and bool(eligible)
                      and duplicate is None)
        forward = kind == PetitionKind.DENUNCIATION and competent is False
        deadlines.deadline_reconcile(p, rules.ACCEPTANCE, applies=acceptance)
        deadlines.deadline_reconcile(p, rules.FORWARD, applies=forward)
        if acceptance:
            deadlines.deadline_start(p, rules.ACCEPTANCE, p.received_at, actor)
        if forward:
            deadlines.deadline_start(p, rules.FORWARD, p.received_at, actor)
        p.due_at = deadlines.current_due(p)
        p.save(update_fields=["due_at"])
        details = {"kind": kind, "eligible": eligible, "competent": competent,
                   "anonymous": anonymous, "duplicate_of": getattr(duplicate, "pk", None),
                   "complexity": p.complexity, "complexity_reasons": crit,
                   "remote_area": remote, "signers": signers}
        if lim["applies"]:
            details.update(limitation_expired=lim["expired"], limitation_last_day=lim["last_day"],
                           limitation_rule=lim["rule"])
            if lim["expired"] and excuse:
                details["limitation_excuse"] = excuse
        return f.finish(p, actor, "classify", note=note, public=False, details=details, at=now)


# --- split --------------------------------------------------------------------------------------


def petition_split(*, actor, petition_id: int, parts: list, note: str = "") -> list[Petition]:
    """A letter mixing kinds split into one petition per kind (Luật TCD 42/2013 Art.25.3;
    NĐ 154/2026 Art.14.4): `parts` = [{"kind", "content", "subject"}], at least two, kinds
    distinct. Each part gets its own code, the identity and attachments copied, `split_from`
    set, the original receipt time (its deadlines run from the receipt); the original is filed
    with the link. Returns the new petitions."""
    errors: f.Errors = {}
    note = f.text(note, "note", errors, max_length=2000)
    clean = []
    if not isinstance(parts, list) or len(parts) < 2:
        f.add(errors, "parts", _("Give at least two parts, one per kind."))
        parts = []
    for i, part in enumerate(parts):
        if not isinstance(part, dict):
            f.add(errors, f"parts.{i}", _("Give the part's kind and content."))
            continue
        kind = f.choice(part.get("kind"), f"parts.{i}.kind", errors, PetitionKind.values,
                        required=True)
        content = f.text(part.get("content"), f"parts.{i}.content", errors, required=True,
                         max_length=20000)
        subject = f.text(part.get("subject"), f"parts.{i}.subject", errors, max_length=500)
        clean.append((kind, content, subject))
    kinds = [k for k, _c, _s in clean if k]
    if len(kinds) != len(set(kinds)):
        f.add(errors, "parts", _("One part per kind: the kinds must differ."))
    with transaction.atomic():
        p = lock(petition_id)
        if p.state not in (S.RECEIVED, S.CLASSIFIED):
            raise f.state_error(_("Splitting"), p)
        if not f.may_classify(actor, p):
            raise PermissionDenied()
        f.fail(errors)
        ident = PetitionIdentity.objects.get(petition=p)
        identity = {"full_name": ident.full_name, "personal_id": ident.personal_id,
                    "phone": ident.phone, "email": ident.email, "address": ident.address,
                    "others": ident.others}
        files = [pf.file for pf in PetitionFile.objects.filter(petition=p).select_related("file")]
        id_files = [pf.file for pf in
                    PetitionIdentityFile.objects.filter(petition=p).select_related("file")]
        new = []
        for kind, content, subject in clean:
            part = petition_create(
                actor=actor, agency=p.agency, channel=p.channel, identity=identity,
                content=content, kind=kind, kind_by_petitioner=p.kind_by_petitioner,
                subject=subject or p.subject, respondent=p.respondent, state=S.RECEIVED,
                received_at=p.received_at, files=files, identity_files=id_files,
                source_details=ident.source_details, split_from=p, signers=p.signers,
                handling_unit=p.handling_unit, handler=p.handler,
                source_document_id=p.source_document_id, source_agency=p.source_agency)
            # The receiver of the letter stays the receiver of its parts.
            part.received_by_id = p.received_by_id or actor.pk
            PetitionIdentity.objects.filter(petition=part).update(
                confidentiality_waived=ident.confidentiality_waived, waived_on=ident.waived_on,
                waiver_evidence=ident.waiver_evidence)
            ensure_processing(part, actor)
            part.save(update_fields=["received_by", "due_at"])
            f.event_write(petition=part, kind="split", actor=actor, public=True,
                          details={"from": p.pk, "from_code": p.code})
            new.append(part)
        now = timezone.now()
        deadlines.deadline_cancel_open(p, now)
        p.state = S.FILED
        p.save(update_fields=["state", "updated_at"])
        f.finish(p, actor, "split", note=note, public=True, at=now,
                 details={"parts": [{"id": n.pk, "code": n.code, "kind": n.kind} for n in new]})
        return new


# --- assign -------------------------------------------------------------------------------------


def _within(unit: OrgUnit, agency: OrgUnit) -> bool:
    return unit.pk == agency.pk or (unit.path or "").startswith(agency.path or "\0")


def _works_in(user: User, unit: OrgUnit) -> bool:
    today = timezone.localdate()
    return any(_within(pos.org_unit, unit) for pos in Position.objects.filter(
        user=user, valid_from__lte=today).exclude(valid_to__lt=today).select_related("org_unit"))


def petition_assign(*, actor, petition_id: int, unit_id: int | None = None,
                    handler_id: int | None = None, note: str = "") -> Petition:
    """Assign to a unit of the agency and/or an officer working there (petitions.assign on the
    unit, or on the agency); the open work items move to the new assignee (one is created for
    the processing step if none is open)."""
    errors: f.Errors = {}
    unit_id = f.integer(unit_id, "unit_id", errors)
    handler_id = f.integer(handler_id, "handler_id", errors)
    note = f.text(note, "note", errors, max_length=2000)
    if unit_id is None and handler_id is None and not errors:
        f.add(errors, "unit_id", _("Choose a unit or an officer."))
    with transaction.atomic():
        p = lock(petition_id)
        if p.state not in (S.RECEIVED, S.CLASSIFIED, S.ACCEPTED, S.SUSPENDED):
            raise f.state_error(_("Assigning"), p)
        unit = OrgUnit.objects.filter(pk=unit_id).first() if unit_id else None
        target = unit if unit is not None else (p.handling_unit or p.agency)
        f.require(actor, [(f.ASSIGN, target), (f.ASSIGN, p.agency)])
        if unit_id and (unit is None or not _within(unit, p.agency)):
            f.add(errors, "unit_id", _("Choose a unit of the receiving agency."))
        handler = User.objects.filter(pk=handler_id, is_active=True).first() \
            if handler_id else None
        if handler_id and (handler is None or unit is None and not _works_in(handler, p.agency)
                           or unit is not None and not _works_in(handler, unit)):
            f.add(errors, "handler_id", _("Choose an officer working in the unit."))
        f.fail(errors)
        if unit is not None:
            p.handling_unit = unit
        if handler is not None:
            p.handler = handler
        elif unit is not None and p.handler_id and not _works_in(p.handler, unit):
            p.handler = None
        p.save(update_fields=["handling_unit", "handler", "updated_at"])
        if deadlines.reassign(p) == 0 and p.state in (S.RECEIVED, S.CLASSIFIED):
            ensure_processing(p, actor)
            p.save(update_fields=["due_at"])
        return f.finish(p, actor, "assign", note=note, public=False, unit=p.handling_unit,
                        details={"unit": p.handling_unit_id, "handler": p.handler_id})
