"""The processing actions of a dossier (docs/onestop.md "Actions"; services.md §1.3, §1.6).

Each action: permission (catalog.py: receive for the desk's actions, process for step forwards
and supplement requests, decide for resolve / apologise / stop), the dossier row locked
(`select_for_update(no_key=True)`), the state checked (409 `invalid_state` naming the state),
the change, `records.event_write` (public note without personal data), `audit_log` last.
All take the dossier's `code` and return the updated Dossier.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from egov.core import calendar
from egov.core.audit import audit_log
from egov.core.errors import AppError, InvalidInput, PermissionDenied
from egov.core.msgtext import Msg

from .. import rules
from ..models import (
    Dossier,
    DossierPause,
    DossierState,
    ResultDelivery,
    ResultMedium,
    SlipForm,
)
from ..slips import slip_create
from . import applicant as check
from . import workflow as wf
from .records import event_write

S = DossierState
NOTES = {  # public timeline notes: data (Vietnamese), never personal data
    "forward": "Hồ sơ được chuyển xử lý",
    "request_supplement": "Yêu cầu bổ sung hồ sơ",
    "supplement_received": "Đã nhận hồ sơ bổ sung",
    "apologise": "Thông báo xin lỗi và hẹn lại ngày trả kết quả",
    "resolve": "Đã có kết quả giải quyết",
    "return": "Đã trả kết quả",
    "stop": "Dừng giải quyết theo yêu cầu",
    "withdraw": "Hồ sơ được rút theo yêu cầu",
}


# Procedures whose result a module above this one writes in its own register (e.g. an entry in
# a civil-status book): {procedure code: policy action}. The holder of that action on the
# competent unit may record the result on paper with the register's number (dossier_resolve);
# one-stop knows the action's name only. Registered in the modules' AppConfig.ready().
RESULT_ACTIONS: dict[str, str] = {}


def register_result_action(procedure_code: str, action: str) -> None:
    RESULT_ACTIONS[procedure_code] = action


def _finish(dossier: Dossier, actor, kind: str, now, *, details: dict, unit=None,
            public: bool = True) -> Dossier:
    """The event (public note) and the audit event, the transaction's last write."""
    event_write(dossier=dossier, kind=kind, actor=actor, unit=unit, note=NOTES.get(kind, ""),
                public=public, details=wf.plain(details), at=now)
    audit_log(actor=actor, action=f"onestop.dossier.{kind}", obj=dossier,
              details={"code": dossier.code, "state": dossier.state, **details})
    return dossier


def _pauses(dossier: Dossier) -> list[tuple[dt.datetime, dt.datetime | None]]:
    return list(DossierPause.objects.filter(dossier=dossier).values_list("started_at",
                                                                         "ended_at"))


def _recompute_due(dossier: Dossier) -> None:
    """due_at = the version's working days from the receipt, moved by every pause's working
    days (QĐ 766 formula sheet: supplement time is not counted); paused_days with it."""
    version = dossier.version
    pauses = _pauses(dossier)
    dossier.due_at = rules.due_at(dossier.received_at, version.processing_days,
                                  next_day_after_cutoff=version.next_day_after_cutoff,
                                  pauses=pauses)
    start = calendar.effective_start(dossier.received_at,
                                     cutoff_moves_start=version.next_day_after_cutoff)
    dossier.paused_days = calendar.pause_working_days(pauses, not_before=start)


def _end_pause(dossier: Dossier, now) -> DossierPause | None:
    pause = (DossierPause.objects.select_for_update(no_key=True)
             .filter(dossier=dossier, ended_at__isnull=True).first())
    if pause is not None:
        pause.ended_at = now
        pause.save(update_fields=["ended_at"])
        dossier.paused_since = None
        _recompute_due(dossier)
    return pause


def dossier_forward(*, actor, code: str, note: str = "", step: int | None = None) -> Dossier:
    """Hand the dossier to the next step: from `received` (the desk, step 0) to step 1, or from
    step n to step n+1 (`processing`). Closes the current work item and hand-over row (judged
    early / on time / late) and opens the next step's work item, assigned to the step's unit (or
    the competent unit for a role step), due at the step's deadline. Past the last step use
    `dossier_resolve`. `step`, when given, is the step the caller saw the dossier at: a
    different current step (a second click, another officer first) is a 409 `stale_step`."""
    errors: check.Errors = {}
    note = check.text(note, "note", errors, max_length=2000)
    if step is not None and (isinstance(step, bool) or not isinstance(step, int)):
        check.add(errors, "step", _("Enter a whole number."))
    with transaction.atomic():
        dossier = wf.locked(code)
        if dossier.state not in (S.RECEIVED, S.PROCESSING):
            raise wf.state_error(dossier, _("Forwarding"))
        if step is not None and not isinstance(step, bool) \
                and isinstance(step, int) and step != dossier.current_step:
            raise AppError("stale_step", _("The dossier has already moved on to another step."),
                           status=409)
        handover = wf.open_handover(dossier)
        if dossier.state == S.RECEIVED:
            wf.require_any(actor, [(wf.RECEIVE, dossier.agency)])
        elif not wf.may_process(actor, dossier, handover):
            raise PermissionDenied()
        check.fail(errors)
        plan = wf.step_plan(dossier, wf.version_steps(dossier))
        nxt = dossier.current_step + 1
        if nxt > len(plan):
            raise AppError("last_step", _("This is the last step: record the result."),
                           status=409)
        now = timezone.now()
        outcome = wf.close_step(handover=handover, actor=actor, now=now, note=note)
        step = plan[nxt - 1]
        wf.open_step(dossier=dossier, actor=actor, step_no=nxt, name=step["name"],
                     unit=step["unit"], due=step["due_at"], now=now,
                     title=Msg(N_("Process the dossier %(code)s: %(step)s"),
                               code=dossier.code, step=step["name"]),
                     kind="onestop.step")
        dossier.state = S.PROCESSING
        dossier.current_step = nxt
        dossier.save(update_fields=["state", "current_step"])
        return _finish(dossier, actor, "forward", now, unit=step["unit"],
                       details={"step": nxt, "unit": step["unit"].pk,
                                "due_at": step["due_at"], "previous_outcome": outcome,
                                "late_forward": bool(nxt == 1 and dossier.forward_by
                                                     and now > dossier.forward_by)})


def _items(items, errors: check.Errors) -> list[str]:
    if isinstance(items, str):
        items = [items]
    if not isinstance(items, list):
        check.add(errors, "items", _("List what the applicant must bring."))
        return []
    out = [check.text(v, f"items.{i}", errors, required=True, max_length=500)
           for i, v in enumerate(items)]
    if not out:
        check.add(errors, "items", _("List what the applicant must bring."))
    return out


def dossier_request_supplement(*, actor, code: str, items: list[str], reason: str = "") -> Dossier:
    """Ask the applicant for a supplement (`received`/`processing` → `supplement`): the clock
    pauses (DossierPause), `supplement_requests` + 1, Mẫu 02 listing every item at once. A
    second request is allowed but recorded as a breach of "một lần" (event details
    `breach_once`; the national index counts the dossier late)."""
    errors: check.Errors = {}
    items = _items(items, errors)
    reason = check.text(reason, "reason", errors, max_length=4000)
    with transaction.atomic():
        dossier = wf.locked(code)
        if dossier.state not in (S.RECEIVED, S.PROCESSING):
            raise wf.state_error(dossier, _("Requesting a supplement"))
        handover = wf.open_handover(dossier)
        if not (wf.may_process(actor, dossier, handover)
                or (dossier.state == S.RECEIVED
                    and wf.policy.can(actor, wf.RECEIVE, dossier.agency))):
            raise PermissionDenied()
        check.fail(errors)
        now = timezone.now()
        DossierPause.objects.create(dossier=dossier, started_at=now, reason=reason,
                                    items=items,
                                    requested_by=actor if getattr(actor, "pk", None) else None)
        dossier.state = S.SUPPLEMENT
        dossier.paused_since = now
        dossier.supplement_requests += 1
        dossier.save(update_fields=["state", "paused_since", "supplement_requests"])
        # NĐ 118/2025 Điều 16.2: one request listing everything; a second one is a breach
        # recorded for the index (QĐ 766: more than one supplement request counts late).
        breach = dossier.supplement_requests > 1
        slip = slip_create(agency=dossier.agency, form=SlipForm.SUPPLEMENT, actor=actor,
                           dossier=dossier, data={**wf.slip_base(dossier, actor),
                                                  "missing": [{"name": i} for i in items],
                                                  "reason": reason, "at": now,
                                                  "stage": "processing"})
        return _finish(dossier, actor, "request_supplement", now,
                       unit=getattr(handover, "unit", None),
                       details={"request": dossier.supplement_requests, "breach_once": breach,
                                "slip": slip.pk, "items": len(items)})


def dossier_supplement_received(*, actor, code: str, note: str = "",
                                files: dict | None = None,
                                components: list[dict] | None = None) -> Dossier:
    """The supplement arrived. From `guidance` (before receipt): `received`, the clock starts
    now (Mẫu 01). From `supplement`: `processing` again, the pause closed, `due_at` moved by
    every pause's working days, `paused_days` and the open step's due time moved too."""
    errors: check.Errors = {}
    note = check.text(note, "note", errors, max_length=2000)
    with transaction.atomic():
        dossier = wf.locked(code)
        if dossier.state not in (S.GUIDANCE, S.SUPPLEMENT):
            raise wf.state_error(dossier, _("Recording a supplement"))
        wf.require_any(actor, [(wf.RECEIVE, dossier.agency)])
        check.fail(errors)
        now = timezone.now()
        if dossier.state == S.GUIDANCE:
            from .intake import _current_rows

            if components is None:
                components = [{"code": c.code, "provided": True}
                              for c in dossier.components.all()]
            rows, missing = _current_rows(dossier, components)
            if missing:
                raise InvalidInput(_("Required components are still missing."), fields={
                    "components": [", ".join(m["name"] for m in missing)]})
            slip = wf.start_clock(dossier=dossier, actor=actor, now=now, rows=rows)
            return _finish(dossier, actor, "supplement_received", now, unit=dossier.agency,
                           details={"stage": "intake", "due_at": dossier.due_at,
                                    "slip": slip.pk})
        pause = _end_pause(dossier, now)
        dossier.state = S.PROCESSING if dossier.current_step else S.RECEIVED
        dossier.save(update_fields=["state", "paused_since", "due_at", "paused_days"])
        handover = wf.open_handover(dossier)
        if handover is not None and handover.step_no:
            plan = wf.step_plan(dossier, wf.version_steps(dossier))
            if handover.step_no <= len(plan):
                wf.move_open_step_due(dossier, handover, plan[handover.step_no - 1]["due_at"])
        return _finish(dossier, actor, "supplement_received", now,
                       unit=getattr(handover, "unit", None),
                       details={"stage": "processing", "due_at": dossier.due_at,
                                "paused_days": dossier.paused_days,
                                "pause": getattr(pause, "pk", None)})


def _new_due(value, errors: check.Errors) -> dt.datetime | None:
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value) if "T" in value or " " in value \
                else dt.date.fromisoformat(value)
        except ValueError:
            check.add(errors, "new_due", _("Enter a date (YYYY-MM-DD)."))
            return None
    if isinstance(value, dt.datetime):
        return calendar.localtime(value)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, calendar.office_closes(), tzinfo=calendar.LOCAL_TZ)
    check.add(errors, "new_due", _("Enter a date (YYYY-MM-DD)."))
    return None


def dossier_apologise(*, actor, code: str, new_due: dt.datetime | dt.date,
                      reason: str) -> Dossier:
    """Mẫu 04: apologise and give a new date (after `due_at`), at most once and only before
    `due_at`; the state is kept, `rescheduled_at` set. 409 otherwise."""
    errors: check.Errors = {}
    when = _new_due(new_due, errors)
    reason = check.text(reason, "reason", errors, required=True, max_length=4000)
    with transaction.atomic():
        dossier = wf.locked(code)
        if dossier.state not in (S.RECEIVED, S.PROCESSING, S.SUPPLEMENT):
            raise wf.state_error(dossier, _("Apologising"))
        wf.require_any(actor, [(wf.DECIDE, dossier.competent_unit),
                               (wf.DECIDE, dossier.agency)])
        now = timezone.now()
        # NĐ 118/2025 Điều 19.3: the apology is sent before the deadline, once.
        if dossier.rescheduled_at is not None:
            raise AppError("already_apologised",
                           _("An apology with a new date was already given for this dossier."),
                           status=409)
        if dossier.due_at is None or now >= dossier.due_at:
            raise AppError("past_deadline",
                           _("The apology must be given before the promised time."),
                           status=409)
        if when is not None and when <= dossier.due_at:
            check.add(errors, "new_due", _("The new date must be after the promised time."))
        check.fail(errors)
        dossier.rescheduled_at = when
        dossier.save(update_fields=["rescheduled_at"])
        slip = slip_create(agency=dossier.agency, form=SlipForm.APOLOGY, actor=actor,
                           dossier=dossier, data={**wf.slip_base(dossier, actor),
                                                  "reason": reason, "due_at": dossier.due_at,
                                                  "new_due": when, "at": now})
        return _finish(dossier, actor, "apologise", now,
                       details={"new_due": when, "slip": slip.pk})


def _sign_result(*, actor, dossier: Dossier, upload, now):
    """Store the result PDF and sign it with the agency's (organisation) certificate through
    the signing service: a text-only stamp top right of page 1 (NĐ 30/2020 Phụ lục I §II.8.b),
    the competent unit's certificate, else the receiving centre's."""
    from egov.core.files import PDF, file_open, file_store
    from egov.signing import pades, stamping
    from egov.signing.selectors import usable_certificate

    unit, certificate = None, None
    for candidate in (dossier.competent_unit, dossier.agency):
        certificate = usable_certificate(unit=candidate)
        if certificate is not None:
            unit = candidate
            break
    if certificate is None:
        raise stamping.no_certificate()
    original = file_store(actor=actor, upload=upload, require={PDF})
    with file_open(original) as fh:
        data = fh.read()
    writer = stamping.open_pdf(data)
    spec, field = stamping.text_only_stamp(
        writer, (unit.name, f"Hồ sơ: {dossier.code}", pades.iso_time(now)), now)
    signed = stamping.sign_for_holder(writer, certificate=certificate, field=stamping.FIELD_ORG,
                                      reason="Kết quả giải quyết TTHC",
                                      location=unit.place_name, appearance=spec,
                                      new_field=field)
    stem = (original.original_name or "ket-qua.pdf").rsplit(".", 1)[0]
    return file_store(actor=actor, upload=(f"{stem}-ky.pdf", signed), require={PDF},
                      derived_from=original, derivation="signed")


def dossier_resolve(*, actor, code: str, medium: str = "electronic", upload=None,
                    number: str = "", note: str = "") -> Dossier:
    """The result is ready (`processing` → `resolved`): `medium` "electronic" — `upload` is a PDF
    signed with the agency's (organisation) signature through the signing service — or "paper"
    with its `number`. Sets `resolved_at`, `ended_at` and `outcome` (judged against `due_at`)."""
    errors: check.Errors = {}
    if medium not in ResultMedium.values:
        check.add(errors, "medium", _("Choose one of: %(values)s.")
                  % {"values": ", ".join(ResultMedium.values)})
    number = check.text(number, "number", errors, max_length=100)
    note = check.text(note, "note", errors, max_length=4000)
    if medium == ResultMedium.ELECTRONIC and upload is None:
        check.add(errors, "file", _("Attach the result as a PDF."))
    if medium == ResultMedium.PAPER and not number:
        check.add(errors, "number", _("This field is required."))
    with transaction.atomic():
        dossier = wf.locked(code)
        if dossier.state != S.PROCESSING:
            raise wf.state_error(dossier, _("Recording the result"))
        checks = [(wf.DECIDE, dossier.competent_unit), (wf.DECIDE, dossier.agency)]
        if medium == ResultMedium.PAPER and dossier.procedure.code in RESULT_ACTIONS:
            checks.append((RESULT_ACTIONS[dossier.procedure.code], dossier.competent_unit))
        wf.require_any(actor, checks)
        check.fail(errors)
        now = timezone.now()
        if medium == ResultMedium.ELECTRONIC:
            dossier.result_file = _sign_result(actor=actor, dossier=dossier, upload=upload,
                                               now=now)
        handover = wf.open_handover(dossier)
        outcome_step = wf.close_step(handover=handover, actor=actor, now=now, note=note)
        dossier.state = S.RESOLVED
        dossier.result_medium, dossier.result_number, dossier.result_note = (
            medium, number, note)
        dossier.resolved_at = dossier.ended_at = now
        dossier.outcome = rules.judge_end(now, dossier.due_at)  # QĐ 766 formula sheet
        dossier.save(update_fields=["state", "result_medium", "result_number", "result_note",
                                    "result_file", "resolved_at", "ended_at", "outcome"])
        wf.open_step(dossier=dossier, actor=actor, step_no=dossier.current_step + 1,
                     name=wf.RETURN_NAME, unit=dossier.agency, due=None, now=now,
                     title=Msg(N_("Return the result of the dossier %(code)s"),
                               code=dossier.code), kind="onestop.return")
        return _finish(dossier, actor, "resolve", now, unit=dossier.competent_unit,
                       details={"medium": medium, "outcome": dossier.outcome,
                                "step_outcome": outcome_step,
                                "file": dossier.result_file_id})


def dossier_return(*, actor, code: str, via: str = "counter", note: str = "") -> Dossier:
    """The result was handed over (`resolved` → `returned`) at the counter, by post or online;
    `returned_at` = now."""
    errors: check.Errors = {}
    if via not in ResultDelivery.values:
        check.add(errors, "via", _("Choose one of: %(values)s.")
                  % {"values": ", ".join(ResultDelivery.values)})
    note = check.text(note, "note", errors, max_length=2000)
    with transaction.atomic():
        dossier = wf.locked(code)
        if dossier.state != S.RESOLVED:
            raise wf.state_error(dossier, _("Returning the result"))
        wf.require_any(actor, [(wf.RECEIVE, dossier.agency)])
        check.fail(errors)
        now = timezone.now()
        wf.close_step(handover=wf.open_handover(dossier), actor=actor, now=now, note=note)
        dossier.state = S.RETURNED
        dossier.returned_at, dossier.returned_via = now, via
        dossier.save(update_fields=["state", "returned_at", "returned_via"])
        return _finish(dossier, actor, "return", now, unit=dossier.agency,
                       details={"via": via})


def _end_without_result(dossier: Dossier, actor, now) -> None:
    """Stop / withdrawal: the open pause closes (its time is not counted), open steps are
    cancelled, NgayKetThucXuLy is now, judged against `due_at` when the clock ran."""
    if dossier.paused_since is not None:
        _end_pause(dossier, now)
    wf.cancel_open_work(dossier, actor, now)
    dossier.paused_since = None
    if dossier.received_at is not None and dossier.due_at is not None:
        dossier.ended_at = now
        dossier.outcome = rules.judge_end(now, dossier.due_at)


def dossier_stop(*, actor, code: str, reason: str) -> Dossier:
    """Stop at the applicant's request (`received`/`processing`/`supplement` → `stopped`),
    Mẫu 05; `ended_at`, `outcome`."""
    errors: check.Errors = {}
    reason = check.text(reason, "reason", errors, required=True, max_length=4000)
    with transaction.atomic():
        dossier = wf.locked(code)
        if dossier.state not in (S.RECEIVED, S.PROCESSING, S.SUPPLEMENT):
            raise wf.state_error(dossier, _("Stopping"))
        wf.require_any(actor, [(wf.DECIDE, dossier.competent_unit),
                               (wf.DECIDE, dossier.agency)])
        check.fail(errors)
        now = timezone.now()
        _end_without_result(dossier, actor, now)
        dossier.state = S.STOPPED
        dossier.stop_reason = reason
        dossier.save(update_fields=["state", "stop_reason", "ended_at", "outcome",
                                    "paused_since", "due_at", "paused_days"])
        slip = slip_create(agency=dossier.agency, form=SlipForm.STOP, actor=actor,
                           dossier=dossier, data={**wf.slip_base(dossier, actor),
                                                  "reason": reason, "at": now})
        return _finish(dossier, actor, "stop", now, details={"slip": slip.pk,
                                                            "outcome": dossier.outcome})


def dossier_withdraw(*, actor, code: str, reason: str = "") -> Dossier:
    """The applicant withdraws the dossier (from submitted, guidance, received, processing or
    supplement → `withdrawn`); open work items are cancelled."""
    errors: check.Errors = {}
    reason = check.text(reason, "reason", errors, max_length=4000)
    with transaction.atomic():
        dossier = wf.locked(code)
        if dossier.state not in (S.SUBMITTED, S.GUIDANCE, S.RECEIVED, S.PROCESSING,
                                 S.SUPPLEMENT):
            raise wf.state_error(dossier, _("Withdrawing"))
        wf.require_any(actor, [(wf.RECEIVE, dossier.agency)])
        check.fail(errors)
        now = timezone.now()
        _end_without_result(dossier, actor, now)
        dossier.state = S.WITHDRAWN
        dossier.stop_reason = reason
        dossier.save(update_fields=["state", "stop_reason", "ended_at", "outcome",
                                    "paused_since", "due_at", "paused_days"])
        return _finish(dossier, actor, "withdraw", now, details={"outcome": dossier.outcome})


# action name (API path) → function; each takes (actor=, code=, **body)
ACTIONS = {
    "forward": dossier_forward,
    "request-supplement": dossier_request_supplement,
    "supplement-received": dossier_supplement_received,
    "apologise": dossier_apologise,
    "resolve": dossier_resolve,
    "return": dossier_return,
    "stop": dossier_stop,
    "withdraw": dossier_withdraw,
}
