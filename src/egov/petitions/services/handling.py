"""Handling a classified petition: accept (thụ lý) or not, transfer / guide once, extend
(denunciations), suspend and resume (complaints), resolve with the result, close, withdraw, file
(lưu đơn), and the second-instance complaint (a new petition at the next level).

Same pattern as services.classify: lock, state (409), grant (403), input (422), change,
deadlines, slip, event, audit last.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from egov.core import calendar
from egov.core.errors import NotFound, PermissionDenied
from egov.core.models import OrgUnit

from .. import rules
from ..grounds import GROUNDS
from ..models import (
    Extension,
    Petition,
    PetitionEvent,
    PetitionIdentity,
    PetitionIdentityFile,
    PetitionKind,
    PetitionState,
    SlipForm,
)
from . import deadlines
from . import flow as f
from .classify import ensure_processing
from .records import lock, petition_create
from .slip_fallback import issue as slip_issue

S = PetitionState
DECIDED_STEPS = (rules.PROCESSING, rules.ACCEPTANCE, rules.FORWARD)


def _slip_data(p: Petition, actor, *, to_petitioner: bool = False, **extra) -> dict:
    """What a slip prints about the petition (the keys of the slip templates,
    templates/petitions/pdf/<form>.html). A slip given to the petitioner carries their name and
    address when the actor may read the identity (read through `access.identity_for`, audited);
    the slips part strips it from every other copy."""
    from ..selectors.access import identity_for

    data = {"code": p.code, "agency": p.agency.name, "kind": p.kind,
            "received_at": p.received_at, "respondent": p.respondent,
            "summary": p.subject or p.content[:500], "instance": p.instance,
            "officer": (actor.get_full_name() or actor.get_username())
            if getattr(actor, "pk", None) else "", **extra}
    if to_petitioner:
        ident = identity_for(actor, p, purpose="slip")
        if ident is not None:
            data["petitioner"] = {"full_name": ident.full_name, "address": ident.address}
    return f.plain(data)


def _decider(actor, p: Petition) -> None:
    if not f.may_decide(actor, p):
        raise PermissionDenied()


# --- accept / not accept ------------------------------------------------------------------------


def petition_accept(*, actor, petition_id: int, note: str = "") -> Petition:
    """Thụ lý (classified → accepted): only an eligible petition within competence, not an
    anonymous denunciation (Luật TC Art.25), not a duplicate, not a complaint past its
    limitation without a good reason (Luật KN Art.9, 11.6). Sets `accepted_at` and the
    resolution deadline from the rules (Luật KN Art.28, 37, 50; Luật TC Art.30)."""
    errors: f.Errors = {}
    note = f.text(note, "note", errors, max_length=2000)
    with transaction.atomic():
        p = lock(petition_id)
        if p.state != S.CLASSIFIED:
            raise f.state_error(_("Accepting"), p)
        _decider(actor, p)
        f.fail(errors)
        if p.kind == PetitionKind.DENUNCIATION and p.anonymous:
            raise f.refuse("anonymous_denunciation", _(
                "An anonymous denunciation is not processed as a denunciation (Luật Tố cáo, "
                "Art.25): file it, or open a check for management purposes."))
        if p.duplicate_of_id:
            raise f.refuse("duplicate", _("This petition duplicates %(code)s: file it or link "
                                          "it instead.") % {"code": p.duplicate_of.code})
        if p.eligible is not True or p.competent is not True:
            raise f.refuse("not_eligible", _("Only an eligible petition within competence can "
                                             "be accepted: classify it so first."))
        if f.limitation_blocks(p):
            raise f.refuse("limitation_expired", _(
                "The limitation period expired (Luật Khiếu nại, Art.9): the complaint can only "
                "be not accepted (Art.11.6) unless a good reason is recorded at "
                "classification."))
        now = timezone.now()
        deadlines.deadline_done(p, DECIDED_STEPS, now)
        p.state, p.accepted_at = S.ACCEPTED, now
        d = deadlines.deadline_start(p, rules.RESOLUTION, now, actor)
        p.due_at = d.due_at if d is not None else None
        p.save(update_fields=["state", "accepted_at", "due_at", "updated_at"])
        if p.kind == PetitionKind.COMPLAINT:
            slip_issue(petition=p, form=SlipForm.ACCEPT_NOTICE, actor=actor, to_petitioner=True,
                       data=_slip_data(p, actor, to_petitioner=True, accepted_on=now,
                                       due_on=p.due_at))
        return f.finish(p, actor, "accept", note=note, at=now,
                        details={"due_at": p.due_at, "rule": getattr(d, "rule_id", None)})


def petition_not_accept(*, actor, petition_id: int, ground: str, note: str = "") -> Petition:
    """Not accepted (received or classified → not_accepted), citing a ground from the legal
    list: Luật KN Art.11 cases 1–9 for complaints, Art.29 (and Art.25) for denunciations; the
    notice (Mẫu 04) is issued."""
    errors: f.Errors = {}
    note = f.text(note, "note", errors, max_length=2000)
    with transaction.atomic():
        p = lock(petition_id)
        if p.state not in (S.RECEIVED, S.CLASSIFIED):
            raise f.state_error(_("Not accepting"), p)
        _decider(actor, p)
        grounds = GROUNDS.get(p.kind)
        if grounds is None:
            raise f.refuse("not_applicable", _("Only complaints and denunciations are accepted "
                                               "or not: classify the petition first."))
        ground = f.choice(ground, "ground", errors, list(grounds), required=True)
        f.fail(errors)
        now = timezone.now()
        deadlines.deadline_done(p, DECIDED_STEPS, now)
        with translation.override("vi"):
            text = str(grounds[ground])
        p.state, p.not_accepted_ground = S.NOT_ACCEPTED, f"{ground}: {text}"
        p.save(update_fields=["state", "not_accepted_ground", "updated_at"])
        # Mẫu 04 cites Luật KN Art.11 by its case number; a denunciation's ground is printed
        # as the reason (Luật TC Art.29: the denouncer is told why).
        case = int(ground.split(".")[1]) if ground.startswith("kn11.") else None
        slip_issue(petition=p, form=SlipForm.NOT_ACCEPTED_NOTICE, actor=actor,
                   to_petitioner=True,
                   data=_slip_data(p, actor, to_petitioner=True, case=case, ground_code=ground,
                                   reason=text if case is None else "", decided_on=now))
        return f.finish(p, actor, "not_accept", note=note, at=now, details={"ground": ground})


# --- transfer / guide ---------------------------------------------------------------------------


def petition_transfer(*, actor, petition_id: int, to: str, mode: str = "forward",
                      note: str = "") -> Petition:
    """Outside competence: forward the letter (phiếu chuyển đơn) or guide the petitioner
    (văn bản hướng dẫn) — ONCE: a second transfer of the same petition, or of one with the same
    content already transferred, is refused with 409 `already_transferred` (TT 05/2021 Art.14;
    Luật TC Art.24.3)."""
    errors: f.Errors = {}
    to = f.text(to, "to", errors, required=True, max_length=255)
    mode = f.choice(mode or "forward", "mode", errors, ["forward", "guide"])
    note = f.text(note, "note", errors, max_length=2000)
    with transaction.atomic():
        # The original letter's row serialises transfers of the letters with its content; it
        # is locked BEFORE this petition's row (and its agency's, records.lock), so two
        # transfers in the same group queue there instead of deadlocking.
        root = Petition.objects.filter(pk=petition_id).values_list("duplicate_of_id",
                                                                   flat=True).first()
        list(Petition.objects.select_for_update(no_key=True).filter(pk=root or petition_id)
             .values_list("pk", flat=True))
        p = lock(petition_id)
        if f.already_transferred(p):
            raise f.refuse("already_transferred", _(
                "A petition with this content was already forwarded or guided once (TT 05/2021, "
                "Art.14; Luật Tố cáo, Art.24.3)."))
        if p.state != S.CLASSIFIED:
            raise f.state_error(_("Transferring"), p)
        _decider(actor, p)
        if p.competent is not False:
            raise f.refuse("competent", _("Only a petition classified as outside competence is "
                                          "transferred or guided."))
        f.fail(errors)
        now = timezone.now()
        deadlines.deadline_done(p, DECIDED_STEPS, now)
        p.state, p.transfer_to = S.TRANSFERRED, to
        p.save(update_fields=["state", "transfer_to", "updated_at"])
        form = SlipForm.TRANSFER if mode == "forward" else SlipForm.GUIDANCE
        slip_issue(petition=p, form=form, actor=actor, to_petitioner=mode == "guide",
                   data=_slip_data(p, actor, to_petitioner=mode == "guide", to_body=to,
                                   note=note, decided_on=now))
        return f.finish(p, actor, "transfer" if mode == "forward" else "guide", note=note,
                        at=now, details={"to": to})


# --- extend (denunciations) ---------------------------------------------------------------------


def petition_extend(*, actor, petition_id: int, days, reason: str,
                    decision_number: str = "") -> Petition:
    """Gia hạn (Luật Tố cáo Art.30; NĐ 31/2019 Art.3, Mẫu 01): denunciations only — complex:
    once, especially complex: twice, each ≤ 30 days, by decision. Anything else is refused with
    the reason (409 `extension_not_allowed`)."""
    errors: f.Errors = {}
    reason = f.text(reason, "reason", errors, required=True, max_length=2000)
    decision_number = f.text(decision_number, "decision_number", errors, max_length=64)
    with transaction.atomic():
        p = lock(petition_id)
        if p.state != S.ACCEPTED:
            raise f.state_error(_("Extending"), p)
        _decider(actor, p)
        if p.kind != PetitionKind.DENUNCIATION:
            raise f.refuse("extension_not_allowed", _(
                "Only the solving period of a denunciation is extended (Luật Tố cáo, Art.30); "
                "complaints have fixed periods (Luật Khiếu nại, Art.28, 37)."))
        now = timezone.now()
        rule = deadlines.rule_for(p, rules.EXTENSION, calendar.localtime(now).date())
        if rule is None:
            raise f.refuse("extension_not_allowed", _(
                "Only a complex or especially complex denunciation may be extended (Luật Tố "
                "cáo, Art.30)."))
        if p.extensions >= (rule.max_times or 0):
            raise f.refuse("extension_not_allowed", _(
                "This denunciation may be extended at most %(n)s time(s) (Luật Tố cáo, "
                "Art.30).") % {"n": rule.max_times or 0})
        n = f.integer(days, "days", errors, required=True, lo=1, hi=rule.days)
        f.fail(errors)
        old = p.due_at or now
        new = rules.due_for(rule, old, days=n)
        Extension.objects.create(petition=p, number=p.extensions + 1, days=n, reason=reason,
                                 old_due_at=old, new_due_at=new, decided_by=actor,
                                 decided_at=now)
        deadlines.deadline_move(p, rules.RESOLUTION, new)
        p.extensions += 1
        p.due_at = new
        p.save(update_fields=["extensions", "due_at", "updated_at"])
        slip_issue(petition=p, form=SlipForm.EXTENSION, actor=actor, to_petitioner=True,
                   data=_slip_data(p, actor, to_petitioner=True, extension=p.extensions,
                                   days=n, reason=reason, decision_number=decision_number,
                                   accepted_on=p.accepted_at, old_due_on=old,
                                   new_due_on=new))
        return f.finish(p, actor, "extend", at=now,
                        details={"number": p.extensions, "days": n, "old_due_at": old,
                                 "new_due_at": new, "rule": rule.code})


# --- suspend / resume (complaints) --------------------------------------------------------------


def petition_suspend(*, actor, petition_id: int, reason: str) -> Petition:
    """Tạm đình chỉ (NĐ 124/2020 Art.28b as amended by NĐ 155/2026; Luật KN Art.11a): the
    complaint's period pauses until the resumption decision."""
    errors: f.Errors = {}
    reason = f.text(reason, "reason", errors, required=True, max_length=2000)
    with transaction.atomic():
        p = lock(petition_id)
        if p.state != S.ACCEPTED:
            raise f.state_error(_("Suspending"), p)
        _decider(actor, p)
        if p.kind != PetitionKind.COMPLAINT:
            raise f.refuse("not_applicable", _("Only the resolution of a complaint is "
                                               "suspended (Luật Khiếu nại, Art.11a)."))
        f.fail(errors)
        now = timezone.now()
        p.state = S.SUSPENDED
        p.save(update_fields=["state", "updated_at"])
        return f.finish(p, actor, "suspend", note=reason, public=True, at=now,
                        details={"since": now})


def petition_resume(*, actor, petition_id: int, note: str = "") -> Petition:
    """Tiếp tục giải quyết: the period continues from the resumption decision — the deadline
    moves by the time paused (NĐ 124/2020 Art.28b as amended by NĐ 155/2026)."""
    errors: f.Errors = {}
    note = f.text(note, "note", errors, max_length=2000)
    with transaction.atomic():
        p = lock(petition_id)
        if p.state != S.SUSPENDED:
            raise f.state_error(_("Resuming"), p)
        _decider(actor, p)
        f.fail(errors)
        now = timezone.now()
        since = (PetitionEvent.objects.filter(petition=p, kind="suspend")
                 .order_by("-at", "-id").values_list("at", flat=True).first()) or now
        deadlines.deadlines_shift(p, since, now)
        d = p.deadlines.filter(step=rules.RESOLUTION, done_at__isnull=True).first()
        old = p.due_at
        if d is not None:
            p.due_at = d.due_at
        p.state = S.ACCEPTED
        p.save(update_fields=["state", "due_at", "updated_at"])
        return f.finish(p, actor, "resume", note=note, at=now,
                        details={"since": since, "old_due_at": old, "new_due_at": p.due_at})


# --- resolve / close / withdraw / file ----------------------------------------------------------


def _issued_document(actor, document_id: int, errors: f.Errors):
    from egov.documents.selectors.outgoing import outgoing_get

    try:
        doc = outgoing_get(actor=actor, document_id=document_id)
    except NotFound:
        doc = None
    if doc is None or doc.state != "issued":
        f.add(errors, "document_id", _("Choose an issued document you can see."))
        return None
    return doc


def petition_resolve(*, actor, petition_id: int, summary: str,
                     document_id: int | None = None) -> Petition:
    """The result (accepted → resolved): a summary and optionally the decision or conclusion
    issued through the Documents module (linked by id); judged on time / late against the
    deadline."""
    errors: f.Errors = {}
    summary = f.text(summary, "summary", errors, required=True, max_length=8000)
    document_id = f.integer(document_id, "document_id", errors, hi=2**62)
    with transaction.atomic():
        p = lock(petition_id)
        if p.state != S.ACCEPTED:
            raise f.state_error(_("Recording the result"), p)
        _decider(actor, p)
        doc = _issued_document(actor, document_id, errors) if document_id else None
        f.fail(errors)
        now = timezone.now()
        deadlines.deadline_done(p, rules.RESOLUTION, now)
        p.state, p.resolved_at = S.RESOLVED, now
        p.outcome = rules.judge(now, p.due_at)
        p.result_summary = summary
        p.result_document_id = doc.pk if doc is not None else None
        p.save(update_fields=["state", "resolved_at", "outcome", "result_summary",
                              "result_document_id", "updated_at"])
        return f.finish(p, actor, "resolve", at=now,
                        details={"outcome": p.outcome, "document": p.result_document_id,
                                 "document_code": getattr(doc, "code", "")})


def _end(p: Petition, actor, kind: str, state: str, note: str, *, public: bool = True,
         details: dict | None = None) -> Petition:
    now = timezone.now()
    deadlines.deadline_cancel_open(p, now)
    p.state = state
    fields = ["state", "updated_at"]
    if state == S.CLOSED:
        p.closed_at = now
        fields.append("closed_at")
    p.save(update_fields=fields)
    return f.finish(p, actor, kind, note=note, public=public, at=now, details=details)


def petition_close(*, actor, petition_id: int, note: str = "") -> Petition:
    """Close the file (resolved, transferred, not accepted, filed or withdrawn → closed)."""
    errors: f.Errors = {}
    note = f.text(note, "note", errors, max_length=2000)
    with transaction.atomic():
        p = lock(petition_id)
        if p.state not in (S.RESOLVED, S.TRANSFERRED, S.NOT_ACCEPTED, S.FILED, S.WITHDRAWN):
            raise f.state_error(_("Closing"), p)
        if not (f.may_decide(actor, p) or p.state != S.RESOLVED and f.may_receive(actor, p)):
            raise PermissionDenied()
        f.fail(errors)
        return _end(p, actor, "close", S.CLOSED, note)


def petition_withdraw(*, actor, petition_id: int, reason: str) -> Petition:
    """The petitioner withdraws (Luật KN Art.10; Luật TC Art.33 — a withdrawn denunciation is
    still pursued when a breach is apparent: the officer then opens a check)."""
    errors: f.Errors = {}
    reason = f.text(reason, "reason", errors, required=True, max_length=2000)
    with transaction.atomic():
        p = lock(petition_id)
        if p.state not in (S.RECEIVED, S.CLASSIFIED, S.ACCEPTED, S.SUSPENDED):
            raise f.state_error(_("Withdrawing"), p)
        if not f.may_receive(actor, p):
            raise PermissionDenied()
        f.fail(errors)
        return _end(p, actor, "withdraw", S.WITHDRAWN, "", public=True,
                    details={"reason": reason})


def petition_file(*, actor, petition_id: int, reason: str,
                  management_check: bool = False) -> Petition:
    """Lưu đơn (received or classified → filed): a duplicate (linked to the original), an
    anonymous denunciation (Luật TC Art.25: filed, or `management_check` — turned into a check
    for management purposes), an ineligible letter."""
    errors: f.Errors = {}
    reason = f.text(reason, "reason", errors, required=True, max_length=2000)
    management_check = f.boolean(management_check, "management_check", errors,
                                 nullable=False) or False
    with transaction.atomic():
        p = lock(petition_id)
        if p.state not in (S.RECEIVED, S.CLASSIFIED):
            raise f.state_error(_("Filing"), p)
        if not f.may_receive(actor, p):
            raise PermissionDenied()
        if management_check and not (p.kind == PetitionKind.DENUNCIATION and p.anonymous):
            f.add(errors, "management_check",
                  _("Only an anonymous denunciation is turned into a management check."))
        f.fail(errors)
        return _end(p, actor, "file", S.FILED, "", public=True,
                    details={"reason": reason, "duplicate_of": p.duplicate_of_id,
                             "management_check": management_check})


# --- second instance ----------------------------------------------------------------------------


def _window_start(prev: Petition, received_on: dt.date | None) -> dt.date | None:
    """Luật KN Art.33: from the day the complainant received the first-instance decision, or
    the expiry of the Art.28 period without a decision."""
    if received_on is not None:
        return received_on
    if prev.state == S.ACCEPTED and prev.due_at and prev.due_at < timezone.now():
        return calendar.localtime(prev.due_at).date()
    return None


def petition_reopen(*, actor, petition_id: int, agency_id, decision_received_on=None,
                    content: str = "", note: str = "") -> Petition:
    """A second-instance complaint: a NEW petition at the next level (`agency_id`, above the
    first instance's agency) with `previous` set and instance 2, the identity copied — within
    30 days (45 in remote areas) of the day the first-instance decision was received (Luật KN
    Art.33). Returns the new petition."""
    errors: f.Errors = {}
    agency_id = f.integer(agency_id, "agency_id", errors, required=True)
    received_on = f.date(decision_received_on, "decision_received_on", errors)
    content = f.text(content, "content", errors, max_length=20000)
    note = f.text(note, "note", errors, max_length=2000)
    with transaction.atomic():
        prev = Petition.objects.select_for_update(no_key=True, of=("self",)).select_related("agency").filter(
            pk=petition_id).first()
        if prev is None:
            raise NotFound()
        agency = OrgUnit.objects.filter(pk=agency_id).first() if agency_id else None
        if not f.can_any(actor, [(f.RECEIVE, agency)]):
            raise PermissionDenied()
        if prev.kind != PetitionKind.COMPLAINT or prev.instance != 1 or prev.state not in (
                S.RESOLVED, S.CLOSED, S.ACCEPTED):
            raise f.state_error(_("A second-instance complaint"), prev)
        if prev.next_instances.exists():
            raise f.refuse("already_reopened", _("A second-instance complaint already exists "
                                                 "for this petition."))
        if agency is None or agency.pk == prev.agency_id or not (
                prev.agency.path or "").startswith(agency.path or "\0"):
            f.add(errors, "agency_id", _("Choose a body above the first-instance body."))
        start = _window_start(prev, received_on)
        if start is None and "decision_received_on" not in errors:
            f.add(errors, "decision_received_on",
                  _("Give the day the first-instance decision was received."))
        if received_on and received_on > timezone.localdate():
            f.add(errors, "decision_received_on", _("The date cannot be in the future."))
        f.fail(errors)
        now = timezone.now()
        rule = deadlines.rule_for(prev, rules.SECOND_INSTANCE, start)
        last = rules.last_day(rule, start) if rule is not None else None
        if last is not None and calendar.localtime(now).date() > last:
            raise f.refuse("second_instance_late", _(
                "The second-instance complaint is late: the period ended on %(date)s (Luật "
                "Khiếu nại, Art.33).") % {"date": last.strftime("%d/%m/%Y")})
        ident = PetitionIdentity.objects.get(petition=prev)
        identity = {"full_name": ident.full_name, "personal_id": ident.personal_id,
                    "phone": ident.phone, "email": ident.email, "address": ident.address,
                    "others": ident.others}
        id_files = [x.file for x in
                    PetitionIdentityFile.objects.filter(petition=prev).select_related("file")]
        new = petition_create(
            actor=actor, agency=agency, channel=prev.channel, identity=identity,
            content=content or ident.original_content, kind=PetitionKind.COMPLAINT,
            kind_by_petitioner=PetitionKind.COMPLAINT, subject=prev.subject,
            respondent=prev.respondent, state=S.RECEIVED, received_at=now,
            identity_files=id_files, instance=2, previous=prev,
            complaint_subject=prev.complaint_subject, remote_area=prev.remote_area,
            decision_known_on=start, signers=prev.signers)
        ensure_processing(new, actor)
        new.save(update_fields=["due_at"])
        f.event_write(petition=prev, kind="reopen", actor=actor, public=True,
                      details={"next": new.pk, "next_code": new.code})
        return f.finish(new, actor, "reopen", note=note, at=now,
                        details={"previous": prev.pk, "previous_code": prev.code,
                                 "window_last_day": last})
