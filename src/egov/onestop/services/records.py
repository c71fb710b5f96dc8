"""The shared base of the dossier services: the procedure version in force, a new dossier with its
code, and the event that every change writes (with the subscribers told in the same
transaction). Use cases (intake, processing, online submission) build on these.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core import calendar, numbering
from egov.core.errors import AppError, InvalidInput
from egov.core.models import OrgUnit

from .. import hooks
from ..models import (
    Dossier,
    DossierComponent,
    DossierEvent,
    DossierState,
    Procedure,
    ProcedureCode,
    ProcedureVersion,
)

ORDINARY = 0


def procedure_by_code(code: str) -> Procedure:
    """The procedure with this code, current or earlier (code history); 422
    `unknown_procedure` otherwise."""
    code = (code or "").strip()
    proc = Procedure.objects.filter(code=code).first()
    if proc is None:
        old = ProcedureCode.objects.filter(code=code).select_related("procedure") \
            .order_by("-valid_from").first()
        proc = old.procedure if old else None
    if proc is None:
        raise InvalidInput(_("There is no procedure with the code %(code)s.") % {"code": code},
                           fields={"procedure_code": [_("Unknown procedure code.")]},
                           code="unknown_procedure")
    return proc


def version_in_force(procedure: Procedure, day: dt.date) -> ProcedureVersion:
    """The version in force on `day` (a dossier keeps the version in force when it was
    received: services.md §0.1); 422 `procedure_not_in_force` when none is."""
    version = (ProcedureVersion.objects
               .filter(procedure=procedure, effective_from__lte=day)
               .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day))
               .order_by("-effective_from", "-number").first())
    if version is None:
        raise InvalidInput(
            _("The procedure %(code)s is not in force on %(day)s.")
            % {"code": procedure.code, "day": day.strftime("%d/%m/%Y")},
            fields={"procedure_code": [_("Not in force on this date.")]},
            code="procedure_not_in_force")
    return version


def allocate_code(agency: OrgUnit, day: dt.date) -> str:
    """The next mã số hồ sơ of `agency` for the local date `day`, gapless per day (numbering
    kernel; the series restarts every day). Must run inside the caller's transaction."""
    if not agency.electronic_id:
        raise AppError("agency_without_id",
                       _("The receiving unit has no electronic identifier (mã định danh); an "
                         "administrator must set it before dossiers can be received."),
                       status=409)
    seq = numbering.sequence_next(scope=f"onestop.dossier:{agency.pk}",
                                  series=day.strftime("%m%d"), year=day.year)
    from ..rules import dossier_code

    return dossier_code(agency.electronic_id, day, seq)


def _last4(value: str) -> str:
    digits = "".join(ch for ch in (value or "") if ch.isdigit())
    return digits[-4:] if len(digits) >= 4 else ""


def dossier_create(*, actor, agency: OrgUnit, competent_unit: OrgUnit,
                   version: ProcedureVersion, channel: str, state: str, applicant: dict,
                   representative: dict | None = None, components: Iterable[dict] = (),
                   request_content: str = "", copies: int = 1, result_delivery: str = "counter",
                   submitted_at: dt.datetime | None = None) -> Dossier:
    """Create a dossier with its code and components, inside the caller's transaction.

    `applicant`: {"kind", "full_name", "personal_id", "address", "phone", "email"} (already
    validated); `components`: [{"component": ProcedureComponent | None, "code", "name",
    "copy_kind", "count", "provided", "file": StoredFile | None}]. The clock fields are set by
    the caller (receipt) — this only records the dossier."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("dossier_create() must run inside transaction.atomic()")
    now = submitted_at or timezone.now()
    day = calendar.localtime(now).date()
    dossier = Dossier.objects.create(
        code=allocate_code(agency, day),
        public_token=secrets.token_urlsafe(18)[:24],
        agency=agency, competent_unit=competent_unit, procedure=version.procedure,
        version=version, channel=channel, state=state,
        applicant_kind=applicant.get("kind") or "person",
        applicant_name=applicant["full_name"],
        applicant_id=applicant.get("personal_id") or "",
        applicant_address=applicant.get("address") or "",
        applicant_phone=applicant.get("phone") or "",
        applicant_email=applicant.get("email") or "",
        representative=representative or {},
        check_phone=_last4(applicant.get("phone") or ""),
        check_id=_last4(applicant.get("personal_id") or ""),
        request_content=request_content or "",
        copies=copies, result_delivery=result_delivery,
        submitted_at=now, created_by=actor if getattr(actor, "pk", None) else None,
    )
    DossierComponent.objects.bulk_create([
        DossierComponent(dossier=dossier, component=c.get("component"), code=c["code"],
                         name=c["name"], copy_kind=c.get("copy_kind") or "original",
                         count=c.get("count") or 1, provided=bool(c.get("provided")),
                         file=c.get("file"), digitised=c.get("file") is not None)
        for c in components
    ])
    return dossier


def event_write(*, dossier: Dossier, kind: str, actor=None, unit: OrgUnit | None = None,
                note: str = "", public: bool = True, details: dict | None = None,
                at: dt.datetime | None = None) -> DossierEvent:
    """Record what happened (after the dossier row was saved with its new state) and tell the
    subscribers (outbox, national sync) in the same transaction."""
    event = DossierEvent.objects.create(
        dossier=dossier, at=at or timezone.now(), kind=kind, state=dossier.state,
        actor=actor if getattr(actor, "pk", None) else None, unit=unit, note=note,
        public=public, details=details or {},
    )
    hooks.dossier_changed(dossier=dossier, event=event)
    return event


def not_allowed(dossier: Dossier, action: str) -> AppError:
    """409 for an action the dossier's state does not allow; the state is named."""
    return AppError(
        "invalid_state",
        _("%(action)s is not allowed: the dossier %(code)s is “%(state)s”.")
        % {"action": action, "code": dossier.code,
           "state": DossierState(dossier.state).label},
        status=409,
    )
