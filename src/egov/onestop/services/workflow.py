"""What the intake and processing services share: the locked dossier, who may act on it, the
competent unit, the clock's start at receipt (Mẫu 01, the register entry, the desk's hand-over
row and work item) and the steps' work items and hand-over rows (Mẫu 06)."""

from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from egov.core import calendar, numbering, policy
from egov.core.errors import AppError, NotFound, PermissionDenied
from egov.core.models import OrgUnit, OrgUnitKind, WorkItem, WorkRole, WorkState
from egov.core.msgtext import Msg, stored

from .. import rules
from ..models import (
    Dossier,
    DossierHandover,
    DossierState,
    Level,
    ProcedureStep,
    ProcedureVersion,
    Slip,
    SlipForm,
)
from ..slips import slip_create

RECEIVE, PROCESS, DECIDE, VIEW_ALL = ("onestop.receive", "onestop.process", "onestop.decide",
                                      "onestop.view_all")
MODULE = "onestop"
DESK_STEP = 0
# Hand-over rows are data printed on Mẫu 06 (Vietnamese, the slip's language).
DESK_NAME = "Bộ phận Một cửa tiếp nhận hồ sơ"
RETURN_NAME = "Bộ phận Một cửa trả kết quả"
DEFAULT_STEP_NAME = "Giải quyết hồ sơ"


# --- reading and locking ------------------------------------------------------------------------


def locked(code: str) -> Dossier:
    """The dossier row locked for this transaction (404 when there is none)."""
    dossier = (Dossier.objects.select_for_update(no_key=True, of=("self",))
               .select_related("agency", "competent_unit", "version", "procedure")
               .filter(code=(code or "").strip()).first())
    if dossier is None:
        raise NotFound(_("There is no dossier with this code."))
    return dossier


def dossier_url(dossier: Dossier) -> str:
    try:
        return reverse("onestop:dossier", kwargs={"code": dossier.code})
    except NoReverseMatch:
        return f"/onestop/dossiers/{dossier.code}/"


def competent_unit_for(agency: OrgUnit, version: ProcedureVersion) -> OrgUnit:
    """Commune level: the receiving commune's committee — the agency itself, or its parent
    committee when the agency is a service centre (NĐ 118/2025 Điều 7; services.md §0.2);
    province level: the version's competent unit, else the receiving agency."""
    if version.level == Level.COMMUNE:
        if agency.kind == OrgUnitKind.SERVICE_CENTRE and agency.parent_id:
            return agency.parent
        if agency.kind == OrgUnitKind.DIVISION and agency.agency_id:
            return OrgUnit.objects.get(pk=agency.agency_id)
        return agency
    return version.competent_unit or agency


# --- permissions --------------------------------------------------------------------------------


def require_any(actor, checks: list[tuple[str, OrgUnit | None]]) -> None:
    """Pass when the actor holds one of the (action, unit) grants."""
    for action, unit in checks:
        if unit is not None and policy.can(actor, action, unit):
            return
    raise PermissionDenied()


def open_handover(dossier: Dossier) -> DossierHandover | None:
    return (DossierHandover.objects.select_for_update(no_key=True, of=("self",))
            .filter(dossier=dossier, handed_at__isnull=True)
            .order_by("-received_at", "-id").first())


def may_process(actor, dossier: Dossier, handover: DossierHandover | None) -> bool:
    """`onestop.process` on the unit holding the current step (or the competent unit), or the
    work item assigned to the actor."""
    units = [u for u in (getattr(handover, "unit", None), dossier.competent_unit) if u]
    if any(policy.can(actor, PROCESS, u) for u in units):
        return True
    if handover is not None and handover.work_item_id:
        item = WorkItem.objects.filter(pk=handover.work_item_id).values(
            "assignee_user_id").first()
        if item and item["assignee_user_id"] == getattr(actor, "pk", None):
            return True
    return False


# --- steps --------------------------------------------------------------------------------------


def version_steps(dossier: Dossier) -> list[ProcedureStep]:
    return list(ProcedureStep.objects.filter(version_id=dossier.version_id)
                .select_related("unit").order_by("ordering"))


def _shift(when: dt.datetime, days: int) -> dt.datetime:
    if not days:
        return when
    local = calendar.localtime(when)
    return dt.datetime.combine(calendar.add_working_days(local.date(), days), local.timetz())


def step_plan(dossier: Dossier, steps: list[ProcedureStep]) -> list[dict]:
    """[{"step_no", "name", "unit", "due_at"}] for steps 1..n: each step's share counted one
    after the other from the clock's start (rules.step_deadlines), moved by the working days
    paused; the last step is due at the dossier's `due_at`. A version without steps has one
    step at the competent unit."""
    if dossier.received_at is None or dossier.due_at is None:
        return []
    if not steps:
        return [{"step_no": 1, "name": DEFAULT_STEP_NAME, "unit": dossier.competent_unit,
                 "due_at": dossier.due_at}]
    start = calendar.effective_start(
        dossier.received_at, cutoff_moves_start=dossier.version.next_day_after_cutoff)
    first_due = dossier.original_due_at or dossier.due_at
    planned = rules.step_deadlines(start, [s.days for s in steps], first_due)
    planned = [min(_shift(d, dossier.paused_days), dossier.due_at) for d in planned]
    planned[-1] = dossier.due_at
    return [{"step_no": i + 1, "name": s.name, "unit": s.unit or dossier.competent_unit,
             "due_at": planned[i]} for i, s in enumerate(steps)]


def open_step(*, dossier: Dossier, actor, step_no: int, name: str, unit: OrgUnit,
              due: dt.datetime | None, now: dt.datetime, title: Msg,
              kind: str) -> DossierHandover:
    """A work item for `unit` and the hand-over row that goes with it (received now)."""
    text, title_msg = stored(title)
    item = WorkItem(module=MODULE, kind=kind, title=text[:500], title_msg=title_msg,
                    url=dossier_url(dossier), assignee_unit=unit, role=WorkRole.TASK,
                    due_at=due, created_at=now,
                    created_by=actor if getattr(actor, "pk", None) else None,
                    subject_type=ContentType.objects.get_for_model(Dossier),
                    subject_id=str(dossier.pk))
    item.save()
    return DossierHandover.objects.create(
        dossier=dossier, step_no=step_no, name=name[:255], unit=unit, received_at=now,
        due_at=due, work_item=item)


def close_step(*, handover: DossierHandover | None, actor, now: dt.datetime,
               cancelled: bool = False, note: str = "") -> str:
    """Close the hand-over row (handed over now, judged early / on time / late) and its work
    item; returns the outcome ("" when cancelled or without a due time)."""
    if handover is None:
        return ""
    outcome = ""
    if not cancelled and handover.due_at is not None:
        outcome = rules.judge_end(now, handover.due_at)
    handover.handed_at = now
    handover.handed_by = actor if getattr(actor, "pk", None) else None
    if handover.received_by_id is None and handover.handed_by is not None:
        handover.received_by = handover.handed_by
    handover.outcome = outcome
    if note:
        handover.note = note[:2000]
    handover.save(update_fields=["handed_at", "handed_by", "received_by", "outcome", "note"])
    if handover.work_item_id:
        WorkItem.objects.filter(pk=handover.work_item_id, state=WorkState.OPEN).update(
            state=WorkState.CANCELLED if cancelled else WorkState.DONE, finished_at=now)
    return outcome


def cancel_open_work(dossier: Dossier, actor, now: dt.datetime) -> None:
    """Close every open step of a dossier that ends without a result (stop, withdrawal)."""
    for handover in (DossierHandover.objects.select_for_update(no_key=True, of=("self",))
                     .filter(dossier=dossier, handed_at__isnull=True)):
        close_step(handover=handover, actor=actor, now=now, cancelled=True)


def move_open_step_due(dossier: Dossier, handover: DossierHandover | None, due) -> None:
    if handover is None or due is None or handover.due_at == due:
        return
    handover.due_at = due
    handover.save(update_fields=["due_at"])
    if handover.work_item_id:
        item = WorkItem.objects.get(pk=handover.work_item_id)
        item.due_at = due
        item.save(update_fields=["due_at", "due_sort"])


# --- the clock starts ---------------------------------------------------------------------------


def register_entry(agency: OrgUnit, now: dt.datetime) -> dict:
    """The entry in the Sổ theo dõi hồ sơ (TT 03/2025 Điều 13; Mẫu 01 "Quyển số…, Số thứ
    tự…"): one book a year, entries numbered in a yearly series per agency."""
    year = calendar.localtime(now).year
    entry = numbering.sequence_next(scope=f"onestop.register:{agency.pk}", series="dossier",
                                    year=year)
    return {"book": year, "entry": entry,
            "text": f"Quyển số {year}, Số thứ tự {entry}"}


def components_data(rows) -> list[dict]:
    return [{"code": r["code"] if isinstance(r, dict) else r.code,
             "name": r["name"] if isinstance(r, dict) else r.name,
             "copy_kind": r["copy_kind"] if isinstance(r, dict) else r.copy_kind,
             "count": r["count"] if isinstance(r, dict) else r.count,
             "provided": r["provided"] if isinstance(r, dict) else r.provided}
            for r in rows]


def applicant_data(dossier: Dossier) -> dict:
    return {"kind": dossier.applicant_kind, "full_name": dossier.applicant_name,
            "personal_id": dossier.applicant_id, "address": dossier.applicant_address,
            "phone": dossier.applicant_phone, "email": dossier.applicant_email}


def slip_base(dossier: Dossier, actor) -> dict:
    """What every slip prints about the dossier (frozen in the slip row)."""
    return {"code": dossier.code,
            "procedure": {"code": dossier.procedure.code, "name": dossier.version.name},
            "agency": dossier.agency.name, "applicant": applicant_data(dossier),
            "representative": dossier.representative or {},
            "officer": (actor.get_full_name() or actor.get_username())
            if getattr(actor, "pk", None) else ""}


def start_clock(*, dossier: Dossier, actor, now: dt.datetime, rows) -> Slip:
    """Complete receipt (NĐ 118/2025 Điều 17.3 as amended): the clock runs from `now`; the
    promised time from the version's working days (the 15:00 flag), the forwarding deadline
    (Điều 18.2), the register entry, Mẫu 01, the desk's hand-over row and work item."""
    version = dossier.version
    dossier.state = DossierState.RECEIVED
    dossier.received_at = now
    dossier.received_by = actor if getattr(actor, "pk", None) else None
    dossier.due_at = dossier.original_due_at = rules.due_at(
        now, version.processing_days, next_day_after_cutoff=version.next_day_after_cutoff)
    dossier.forward_by = rules.forward_deadline(now)
    dossier.current_step = DESK_STEP
    dossier.save(update_fields=["state", "received_at", "received_by", "due_at",
                                "original_due_at", "forward_by", "current_step"])
    entry = register_entry(dossier.agency, now)
    data = {**slip_base(dossier, actor), "received_at": now, "due_at": dossier.due_at,
            "forward_by": dossier.forward_by, "components": components_data(rows),
            "register": entry, "request_content": dossier.request_content,
            "copies": dossier.copies, "result_delivery": dossier.result_delivery,
            "public_token": dossier.public_token}
    slip = slip_create(agency=dossier.agency, form=SlipForm.RECEIPT, actor=actor,
                       dossier=dossier, data=data)
    open_step(dossier=dossier, actor=actor, step_no=DESK_STEP, name=DESK_NAME,
              unit=dossier.agency, due=dossier.forward_by, now=now,
              title=Msg(N_("Forward the dossier %(code)s"), code=dossier.code),
              kind="onestop.forward")
    return slip


def state_error(dossier: Dossier, action: str) -> AppError:
    from .records import not_allowed

    return not_allowed(dossier, action)


def plain(details: dict) -> dict:
    """Event details as JSON (dates as ISO text, as DjangoJSONEncoder writes them)."""
    import json

    from django.core.serializers.json import DjangoJSONEncoder

    return json.loads(json.dumps(details, cls=DjangoJSONEncoder))
