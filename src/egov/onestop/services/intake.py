"""Intake at the counter and by post, and the officer's check of online dossiers (services.md
§1.3; NĐ 118/2025/NĐ-CP Điều 15–18 as amended by NĐ 309/2026/NĐ-CP; TT 03/2025/TT-VPCP forms
01–03).

- complete → `received`: code, Mẫu 01, the clock starts at the receipt time;
- a required component missing → `guidance`: Mẫu 02 listing everything missing at once (the
  clock does not start; NĐ 118/2025 Điều 16.2: "hướng dẫn … một lần, đầy đủ");
- not competent / not eligible (`refuse_reason`) → `refused`: Mẫu 03.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core import calendar
from egov.core.audit import audit_log
from egov.core.files import file_store

from ..models import (
    Channel,
    Dossier,
    DossierComponent,
    DossierState,
    ProcedureComponent,
    ResultDelivery,
    Slip,
    SlipForm,
)
from ..slips import slip_create
from . import applicant as check
from . import workflow as wf
from .records import dossier_create, event_write, procedure_by_code, version_in_force

STATUS_WORD = {DossierState.RECEIVED: "received", DossierState.GUIDANCE: "supplement_requested",
               DossierState.REFUSED: "refused"}
# Public notes of the timeline: data (Vietnamese), no personal data.
NOTE_RECEIVED = "Hồ sơ đã được tiếp nhận"
NOTE_GUIDANCE = "Hồ sơ chưa đầy đủ: đã hướng dẫn bổ sung"
NOTE_REFUSED = "Hồ sơ không được tiếp nhận"


@dataclass(frozen=True)
class IntakeResult:
    """What intake gave: the dossier (received, guidance or refused) and the slip handed over
    (Mẫu 01, 02 or 03); `missing` lists the components still to bring (Mẫu 02)."""

    dossier: Dossier
    slip: Slip
    missing: list[dict] = field(default_factory=list)

    @property
    def status(self) -> str:
        """The API's status word: received / supplement_requested / refused."""
        return STATUS_WORD.get(DossierState(self.dossier.state), self.dossier.state)


def _uploads(files_in, rows: list[dict], errors: check.Errors) -> dict:
    """{component code: upload}, each code one of the version's components."""
    if not files_in:
        return {}
    if not isinstance(files_in, dict):
        check.add(errors, "files", _("Give the scanned files by component."))
        return {}
    codes = {r["code"] for r in rows}
    out = {}
    for code, upload in files_in.items():
        if code not in codes:
            check.add(errors, f"files.{code}"[:100],
                      _("This procedure has no component %(code)s.") % {"code": str(code)[:32]})
        elif upload is not None:
            out[code] = upload
    return out


def _choice(value, name, choices, default, errors: check.Errors) -> str:
    value = value or default
    if value not in choices:
        check.add(errors, name, _("Choose one of: %(values)s.") % {"values": ", ".join(choices)})
        return default
    return value


def _copies(value, errors: check.Errors) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 99:
        check.add(errors, "copies", _("Enter a whole number from 1 to 99."))
        return 1
    return value


def dossier_intake(*, actor, agency, procedure_code: str, applicant: dict,
                   representative: dict | None = None, components: list[dict],
                   channel: str = "counter", request_content: str = "", copies: int = 1,
                   result_delivery: str = "counter", refuse_reason: str = "",
                   files: dict | None = None) -> IntakeResult:
    """Receive a dossier at the counter (or by post) for `agency` (the receiving centre, an
    OrgUnit; the actor needs `onestop.receive` on it).

    `applicant`: {"kind": "person"|"organisation", "full_name", "personal_id" (12 digits for a
    person; a tax code of 10 or 10-3 digits for an organisation), "address", "phone", "email"};
    `representative`: the same keys plus "authorisation", or None; `components`: [{"code",
    "provided": bool}] against the version in force; `files`: {component code: upload} (scanned
    files, stored through egov.core.files.file_store). Bad input → InvalidInput with the fields
    named, nothing written; unknown procedure → 422 `unknown_procedure`.
    """
    wf.require_any(actor, [(wf.RECEIVE, agency)])
    now = timezone.now()
    procedure = procedure_by_code(procedure_code)
    version = version_in_force(procedure, calendar.localtime(now).date())
    errors: check.Errors = {}
    person = check.person(applicant, "applicant", errors)
    rep = check.representative(representative, errors)
    channel = _choice(channel, "channel", Channel.values, Channel.COUNTER, errors)
    delivery = _choice(result_delivery, "result_delivery", ResultDelivery.values,
                       ResultDelivery.COUNTER, errors)
    content = check.text(request_content, "request_content", errors, max_length=4000)
    reason = check.text(refuse_reason, "refuse_reason", errors, max_length=4000)
    copies = _copies(copies, errors)
    version_components = list(ProcedureComponent.objects.filter(version=version)
                              .order_by("ordering", "id"))
    rows, missing = check.checkoff(components, version_components, errors)
    uploads = _uploads(files, rows, errors)
    check.fail(errors)
    competent = wf.competent_unit_for(agency, version)

    with transaction.atomic():
        stored = {code: file_store(actor=actor, upload=up) for code, up in uploads.items()}
        for row in rows:
            row["file"] = stored.get(row["code"])
        state = (DossierState.REFUSED if reason
                 else DossierState.GUIDANCE if missing else DossierState.RECEIVED)
        dossier = dossier_create(
            actor=actor, agency=agency, competent_unit=competent, version=version,
            channel=channel, state=state, applicant=person, representative=rep,
            components=rows, request_content=content, copies=copies,
            result_delivery=delivery, submitted_at=now)
        slip = _outcome(dossier=dossier, actor=actor, now=now, rows=rows, missing=missing,
                        reason=reason)
        audit_log(actor=actor, action=f"onestop.dossier.{_AUDIT[state]}", obj=dossier,
                  details={"code": dossier.code, "procedure": procedure.code,
                           "version": version.number, "channel": channel, "state": state,
                           "due_at": dossier.due_at, "missing": [m["code"] for m in missing],
                           "slip": slip.pk, "files": len(stored)})
    return IntakeResult(dossier=dossier, slip=slip, missing=missing)


_AUDIT = {DossierState.RECEIVED: "receive", DossierState.GUIDANCE: "guide",
          DossierState.REFUSED: "refuse"}


def _outcome(*, dossier: Dossier, actor, now, rows, missing, reason) -> Slip:
    """The slip and event of the intake's outcome, the dossier's state already set."""
    if dossier.state == DossierState.REFUSED:
        dossier.refusal_reason = reason
        dossier.save(update_fields=["refusal_reason"])
        slip = slip_create(agency=dossier.agency, form=SlipForm.REFUSAL, actor=actor,
                           dossier=dossier, data={**wf.slip_base(dossier, actor),
                                                  "reason": reason, "at": now})
        event_write(dossier=dossier, kind="refuse", actor=actor, unit=dossier.agency,
                    note=NOTE_REFUSED, at=now, details={"slip": slip.pk})
        return slip
    if dossier.state == DossierState.GUIDANCE:
        # NĐ 118/2025 Điều 16.2: everything missing is listed at once (Mẫu 02).
        slip = slip_create(agency=dossier.agency, form=SlipForm.SUPPLEMENT, actor=actor,
                           dossier=dossier, data={**wf.slip_base(dossier, actor),
                                                  "missing": missing, "at": now,
                                                  "stage": "intake",
                                                  "components": wf.components_data(rows)})
        event_write(dossier=dossier, kind="guidance", actor=actor, unit=dossier.agency,
                    note=NOTE_GUIDANCE, at=now,
                    details={"missing": [m["code"] for m in missing], "slip": slip.pk})
        return slip
    slip = wf.start_clock(dossier=dossier, actor=actor, now=now, rows=rows)
    event_write(dossier=dossier, kind="receive", actor=actor, unit=dossier.agency,
                note=NOTE_RECEIVED, at=now,
                details=wf.plain({"due_at": dossier.due_at, "forward_by": dossier.forward_by,
                         "slip": slip.pk}))
    return slip


def _current_rows(dossier: Dossier, components: list[dict] | None) -> tuple[list, list]:
    """The dossier's components (as intake rows) after an optional correction of the
    check-off; (rows, missing). Raises InvalidInput on a bad correction."""
    existing = list(DossierComponent.objects.filter(dossier=dossier)
                    .select_related("component").order_by("id"))
    version_components = list(ProcedureComponent.objects.filter(version_id=dossier.version_id)
                              .order_by("ordering", "id"))
    if components is None:
        components = [{"code": c.code, "provided": c.provided} for c in existing
                      if c.code in {v.code for v in version_components}]
    errors: check.Errors = {}
    rows, missing = check.checkoff(components, version_components, errors)
    check.fail(errors)
    by_code = {c.code: c for c in existing}
    for row in rows:
        comp = by_code.get(row["code"])
        if comp is None:
            comp = DossierComponent.objects.create(
                dossier=dossier, component=row["component"], code=row["code"],
                name=row["name"], copy_kind=row["copy_kind"], count=row["count"],
                provided=row["provided"])
        elif comp.provided != row["provided"]:
            comp.provided = row["provided"]
            comp.save(update_fields=["provided"])
    return rows, missing


def dossier_accept(*, actor, code: str, components: list[dict] | None = None) -> IntakeResult:
    """The officer accepts an online dossier (state `submitted`): complete → `received` (the
    clock starts now, Mẫu 01), a required component missing → `guidance` (Mẫu 02).
    `components` may correct the check-off ([{"code", "provided"}]); None keeps the
    applicant's."""
    with transaction.atomic():
        dossier = wf.locked(code)
        wf.require_any(actor, [(wf.RECEIVE, dossier.agency)])
        if dossier.state != DossierState.SUBMITTED:
            raise wf.state_error(dossier, _("Accepting"))
        now = timezone.now()
        rows, missing = _current_rows(dossier, components)
        dossier.state = DossierState.GUIDANCE if missing else DossierState.RECEIVED
        dossier.save(update_fields=["state"])
        slip = _outcome(dossier=dossier, actor=actor, now=now, rows=rows, missing=missing,
                        reason="")
        audit_log(actor=actor, action="onestop.dossier.accept", obj=dossier,
                  details={"code": dossier.code, "state": dossier.state,
                           "missing": [m["code"] for m in missing], "slip": slip.pk})
    return IntakeResult(dossier=dossier, slip=slip, missing=missing)


def dossier_refuse(*, actor, code: str, reason: str) -> IntakeResult:
    """Refuse a dossier in state `submitted` or `guidance` (not competent / not eligible):
    `refused` with Mẫu 03 giving `reason`."""
    errors: check.Errors = {}
    reason = check.text(reason, "reason", errors, required=True, max_length=4000)
    with transaction.atomic():
        dossier = wf.locked(code)
        wf.require_any(actor, [(wf.RECEIVE, dossier.agency)])
        if dossier.state not in (DossierState.SUBMITTED, DossierState.GUIDANCE):
            raise wf.state_error(dossier, _("Refusing"))
        check.fail(errors)
        now = timezone.now()
        dossier.state = DossierState.REFUSED
        dossier.save(update_fields=["state"])
        slip = _outcome(dossier=dossier, actor=actor, now=now, rows=[], missing=[],
                        reason=reason)
        audit_log(actor=actor, action="onestop.dossier.refuse", obj=dossier,
                  details={"code": dossier.code, "slip": slip.pk})
    return IntakeResult(dossier=dossier, slip=slip)
