"""Every write of the shared kernel: organisation units, positions, delegations, work items.

Each service is keyword-only and typed, checks the actor's permission with the policy, validates
all input before writing (InvalidInput with `fields`, nothing written), runs in one transaction
and appends an audit event.

Decisions worth knowing
-----------------------
- A unit's name and abbreviation change only through `orgunit_rename`, which keeps the history
  in OrgUnitName (old documents keep the name of their time). The effective date may not be in
  the future: record a renaming when it takes effect.
- `orgunit_merge` (the 2025 reform merged communes and abolished districts — Nghị quyết
  202/2025/QH15, Luật Tổ chức chính quyền địa phương 2025) closes each merged unit on the day
  before `effective` and points it at its successor. The merged units' posts are CLOSED on the
  same day, not moved: a post in the new unit is a new appointment (new decision, often a new
  title), and the closed posts stay as history. Delegations of closed posts stop with them.
  Open work assigned to a merged unit (not to a person) moves to the successor so nothing is
  lost; work assigned to a person stays with the person. A unit that still has open sub-units
  cannot be merged: merge or close the sub-units first (the error lists them). As for a
  renaming, the effective date may not be in the future.
- `delegation_create` may not start in the past (no retroactive authority) and must lie within
  the validity of the delegated post. The holder of the post may delegate it; so may whoever
  manages the organisation of its unit.
- Work-item services are building blocks for the modules' own services, which have already
  checked their module's action: `workitem_create` adds no check of its own. Finishing or
  cancelling needs a person linked to the item (assignee, a member of the assignee unit, its
  creator, or someone with `core.assign_work` there); `actor=None` is a background job.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from . import policy
from .audit import audit_log
from .errors import AppError, InvalidInput, PermissionDenied
from .models import (
    Delegation,
    OrgUnit,
    OrgUnitKind,
    OrgUnitName,
    Position,
    Role,
    SignatureCapacity,
    User,
    WorkItem,
    WorkRole,
    WorkState,
)

MANAGE_ORGS = "core.manage_orgs"
ASSIGN_WORK = "core.assign_work"

# QĐ 20/2020/QĐ-TTg, Điều 4: the electronic identifier of an agency is 13 characters,
# X1X2X3.X4X5.X6X7.Y1Y2Y3 (Y1Y2Y3: the ministry / province code, e.g. H41).
ELECTRONIC_ID_RE = re.compile(r"^[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}$")

_UNSET: Any = object()


class _WholeOrganisation:
    """An object the policy cannot place in any unit: only "all"-scope grants cover it (used for
    acts on the top of the tree, such as creating a root unit)."""

    policy_unit = None
    org_unit = None


WHOLE_ORGANISATION = _WholeOrganisation()


# --- helpers ------------------------------------------------------------------------------------


def _today() -> dt.date:
    return timezone.localdate()


def _fail(fields: dict[str, list[str]], message: str | None = None, code: str = "invalid"):
    raise InvalidInput(message or _("Check the highlighted fields."), fields=fields, code=code)


def _add(errors: dict[str, list[str]], name: str, message: str) -> None:
    errors.setdefault(name, []).append(str(message))


def _full_clean(instance: models.Model, errors: dict[str, list[str]], **kwargs) -> None:
    """Run model validation and merge its messages into `errors` (never raises)."""
    try:
        instance.full_clean(**kwargs)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            for message in messages:
                if message not in errors.get(name, []):
                    _add(errors, name, message)


def _date(value, name: str, errors: dict[str, list[str]], *, required: bool = True):
    if value is None:
        if required:
            _add(errors, name, _("This field is required."))
        return None
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        _add(errors, name, _("Enter a valid date."))
        return None
    return value


def _text(value, name: str, errors: dict[str, list[str]], *, required: bool = True,
          max_length: int | None = None) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        _add(errors, name, _("Enter text."))
        return ""
    value = value.strip()
    if required and not value:
        _add(errors, name, _("This field is required."))
    if max_length is not None and len(value) > max_length:
        _add(errors, name, _("At most %(max)d characters.") % {"max": max_length})
    return value


def _audit_unit(unit: OrgUnit) -> dict:
    return {"name": unit.name, "abbreviation": unit.abbreviation, "kind": unit.kind,
            "electronic_id": unit.electronic_id, "parent_id": unit.parent_id,
            "place_name": unit.place_name, "valid_from": unit.valid_from,
            "valid_to": unit.valid_to}


def _require_parent(actor, parent: OrgUnit | None) -> None:
    """Placing a unit under `parent` needs manage_orgs there; a root unit needs "all" scope."""
    policy.require(actor, MANAGE_ORGS, parent if parent is not None else WHOLE_ORGANISATION)


def _check_parent(parent, valid_from, errors, *, unit: OrgUnit | None = None) -> None:
    if parent is None:
        return
    if not isinstance(parent, OrgUnit) or parent.pk is None:
        _add(errors, "parent", _("Choose an existing unit."))
        return
    if unit is not None and unit.pk is not None:
        if parent.pk == unit.pk or (unit.path and parent.path.startswith(unit.path)):
            _add(errors, "parent", _("A unit cannot be placed under itself or its own sub-unit."))
            return
    day = valid_from or _today()
    if parent.valid_to is not None and parent.valid_to < day:
        _add(errors, "parent", _("The parent unit was closed on %(date)s.")
             % {"date": parent.valid_to.strftime("%d/%m/%Y")})


def _check_electronic_id(value, errors, *, unit: OrgUnit | None = None) -> str | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        _add(errors, "electronic_id", _("Enter text."))
        return None
    value = value.strip().upper()
    if not ELECTRONIC_ID_RE.match(value):
        _add(errors, "electronic_id",
             _("Use the form 000.00.00.H41 (QĐ 20/2020/QĐ-TTg)."))
        return value
    clash = OrgUnit.objects.filter(electronic_id=value)
    if unit is not None and unit.pk is not None:
        clash = clash.exclude(pk=unit.pk)
    if clash.exists():
        _add(errors, "electronic_id", _("Another unit already has this electronic identifier."))
    return value


def _check_kind(value, errors) -> None:
    if value not in OrgUnitKind.values:
        _add(errors, "kind", _("Choose one of: %(kinds)s.") % {"kinds": ", ".join(OrgUnitKind.values)})


# --- organisation units -------------------------------------------------------------------------


def orgunit_create(
    *,
    actor,
    kind: str,
    name: str,
    parent: OrgUnit | None = None,
    abbreviation: str = "",
    electronic_id: str | None = None,
    place_name: str = "",
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    legal_basis: str = "",
) -> OrgUnit:
    """Create a unit (and the first row of its name history)."""
    _require_parent(actor, parent)
    errors: dict[str, list[str]] = {}
    _check_kind(kind, errors)
    name = _text(name, "name", errors, max_length=255)
    abbreviation = _text(abbreviation, "abbreviation", errors, required=False, max_length=32)
    place_name = _text(place_name, "place_name", errors, required=False, max_length=100)
    legal_basis = _text(legal_basis, "legal_basis", errors, required=False, max_length=255)
    valid_from = _date(valid_from, "valid_from", errors, required=False) or _today()
    valid_to = _date(valid_to, "valid_to", errors, required=False)
    if valid_to is not None and valid_to < valid_from:
        _add(errors, "valid_to", _("The end date must not be before the start date."))
    electronic_id = _check_electronic_id(electronic_id, errors)
    _check_parent(parent, valid_from, errors)
    if errors:
        _fail(errors)
    unit = OrgUnit(kind=kind, name=name, abbreviation=abbreviation, parent=parent,
                   electronic_id=electronic_id, place_name=place_name, valid_from=valid_from,
                   valid_to=valid_to)
    _full_clean(unit, errors, exclude=["path", "successor"])
    if errors:
        _fail(errors)
    with transaction.atomic():
        unit.save()
        OrgUnitName.objects.create(unit=unit, name=name, abbreviation=abbreviation,
                                   valid_from=valid_from, valid_to=valid_to,
                                   legal_basis=legal_basis)
        audit_log(actor=actor, action="orgunit.create", obj=unit,
                  details={**_audit_unit(unit), "legal_basis": legal_basis})
    return unit


def orgunit_update(
    *,
    actor,
    unit: OrgUnit,
    kind: str = _UNSET,
    parent: OrgUnit | None = _UNSET,
    electronic_id: str | None = _UNSET,
    place_name: str = _UNSET,
    valid_from: dt.date = _UNSET,
    valid_to: dt.date | None = _UNSET,
) -> OrgUnit:
    """Change a unit's data. Only the arguments given are changed. Names and abbreviations change
    through `orgunit_rename` (history); closing by merger through `orgunit_merge`.

    Moving a unit (a new `parent`) needs manage_orgs both where it is and where it goes."""
    policy.require(actor, MANAGE_ORGS, unit)
    errors: dict[str, list[str]] = {}
    changes: dict[str, Any] = {}
    if kind is not _UNSET:
        _check_kind(kind, errors)
        changes["kind"] = kind
    if place_name is not _UNSET:
        changes["place_name"] = _text(place_name, "place_name", errors, required=False,
                                      max_length=100)
    if electronic_id is not _UNSET:
        changes["electronic_id"] = _check_electronic_id(electronic_id, errors, unit=unit)
    if valid_from is not _UNSET:
        changes["valid_from"] = _date(valid_from, "valid_from", errors)
    if valid_to is not _UNSET:
        changes["valid_to"] = _date(valid_to, "valid_to", errors, required=False)
    new_from = changes.get("valid_from", unit.valid_from)
    new_to = changes.get("valid_to", unit.valid_to)
    if new_from and new_to and new_to < new_from:
        _add(errors, "valid_to", _("The end date must not be before the start date."))
    if parent is not _UNSET:
        current_parent_id = unit.parent_id
        if (parent.pk if parent is not None else None) != current_parent_id:
            _require_parent(actor, parent)
            _check_parent(parent, new_from, errors, unit=unit)
            changes["parent"] = parent
    if errors:
        _fail(errors)
    if not changes:
        return unit
    before = _audit_unit(unit)
    for name, value in changes.items():
        setattr(unit, name, value)
    _full_clean(unit, errors, exclude=["path", "successor"])
    if errors:
        unit.refresh_from_db()
        _fail(errors)
    with transaction.atomic():
        unit.save()
        after = _audit_unit(unit)
        audit_log(actor=actor, action="orgunit.update", obj=unit,
                  details={"changed": {k: [before[k], after[k]] for k in after
                                       if before[k] != after[k]}})
    return unit


def _ensure_name_history(unit: OrgUnit) -> OrgUnitName | None:
    """The unit's current name row; units made outside the services may have none yet."""
    return (OrgUnitName.objects.select_for_update(no_key=True).filter(unit=unit, valid_to__isnull=True)
            .order_by("-valid_from").first())


def orgunit_rename(
    *,
    actor,
    unit: OrgUnit,
    name: str,
    abbreviation: str,
    effective: dt.date,
    legal_basis: str,
) -> OrgUnit:
    """Record a renaming: the current OrgUnitName row ends the day before `effective`, a new row
    starts on `effective`, and the unit shows the new name. Old names stay for old records."""
    policy.require(actor, MANAGE_ORGS, unit)
    errors: dict[str, list[str]] = {}
    name = _text(name, "name", errors, max_length=255)
    abbreviation = _text(abbreviation, "abbreviation", errors, required=False, max_length=32)
    legal_basis = _text(legal_basis, "legal_basis", errors, max_length=255)
    effective = _date(effective, "effective", errors)
    if effective is not None:
        if effective > _today():
            _add(errors, "effective", _("Record a renaming when it takes effect, not before."))
        if effective <= unit.valid_from:
            _add(errors, "effective", _("The renaming must take effect after the unit was "
                                        "created (%(date)s).")
                 % {"date": unit.valid_from.strftime("%d/%m/%Y")})
        if unit.valid_to is not None and effective > unit.valid_to:
            _add(errors, "effective", _("The unit was closed on %(date)s.")
                 % {"date": unit.valid_to.strftime("%d/%m/%Y")})
    if not errors and name == unit.name and abbreviation == unit.abbreviation:
        _add(errors, "name", _("The new name is the same as the current one."))
    if errors:
        _fail(errors)
    with transaction.atomic():
        unit = OrgUnit.objects.select_for_update(no_key=True).get(pk=unit.pk)
        current = _ensure_name_history(unit)
        if current is not None and effective <= current.valid_from:
            _fail({"effective": [_("The current name has been in use only since %(date)s; the "
                                   "renaming must take effect after that.")
                                 % {"date": current.valid_from.strftime("%d/%m/%Y")}]})
        if current is None:
            # Keep the old name, which was never recorded, as history.
            OrgUnitName.objects.create(unit=unit, name=unit.name, abbreviation=unit.abbreviation,
                                       valid_from=unit.valid_from,
                                       valid_to=effective - dt.timedelta(days=1))
        else:
            current.valid_to = effective - dt.timedelta(days=1)
            current.save(update_fields=["valid_to"])
        OrgUnitName.objects.create(unit=unit, name=name, abbreviation=abbreviation,
                                   valid_from=effective, legal_basis=legal_basis)
        old = {"name": unit.name, "abbreviation": unit.abbreviation}
        unit.name, unit.abbreviation = name, abbreviation
        unit.save(update_fields=["name", "abbreviation"])
        audit_log(actor=actor, action="orgunit.rename", obj=unit,
                  details={"from": old, "to": {"name": name, "abbreviation": abbreviation},
                           "effective": effective, "legal_basis": legal_basis})
    return unit


def orgunit_merge(
    *,
    actor,
    units: Sequence[OrgUnit],
    into: OrgUnit,
    effective: dt.date,
    legal_basis: str = "",
) -> OrgUnit:
    """Merge `units` into `into` from `effective` (see the module doc for what happens to posts,
    sub-units and open work). Returns `into`."""
    errors: dict[str, list[str]] = {}
    units = list(units or [])
    if not isinstance(into, OrgUnit) or into.pk is None:
        _fail({"into": [_("Choose an existing unit.")]})
    if not units:
        _add(errors, "units", _("Choose at least one unit to merge."))
    for unit in units:
        if not isinstance(unit, OrgUnit) or unit.pk is None:
            _fail({"units": [_("Choose existing units.")]})
    policy.require(actor, MANAGE_ORGS, into)
    for unit in units:
        policy.require(actor, MANAGE_ORGS, unit)
    effective = _date(effective, "effective", errors)
    legal_basis = _text(legal_basis, "legal_basis", errors, required=False, max_length=255)
    if errors:
        _fail(errors)
    ids = {u.pk for u in units}
    if len(ids) != len(units):
        _add(errors, "units", _("A unit is listed twice."))
    if effective > _today():
        _add(errors, "effective", _("Record a merger when it takes effect, not before."))
    if into.pk in ids:
        _add(errors, "into", _("A unit cannot be merged into itself."))
    if not into.is_valid_on(effective):
        _add(errors, "into", _("The receiving unit is not in force on %(date)s.")
             % {"date": effective.strftime("%d/%m/%Y")})
    closing = effective - dt.timedelta(days=1)
    for unit in units:
        label = f"{unit.name}: "
        if unit.valid_to is not None and unit.valid_to < effective:
            _add(errors, "units", label + _("already closed on %(date)s.")
                 % {"date": unit.valid_to.strftime("%d/%m/%Y")})
        if closing < unit.valid_from:
            _add(errors, "effective", label + _("the merger must take effect after the unit "
                                                "was created."))
        if into.path.startswith(unit.path):
            _add(errors, "into", label + _("the receiving unit lies inside a merged unit."))
    if errors:
        _fail(errors)
    open_children = list(
        OrgUnit.objects.filter(parent_id__in=ids)
        .exclude(pk=into.pk).exclude(pk__in=ids)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=effective))
        .values_list("name", flat=True)
    )
    if open_children:
        _fail({"units": [_("Merge or close these sub-units first: %(names)s.")
                         % {"names": ", ".join(open_children)}]})

    with transaction.atomic():
        locked = list(OrgUnit.objects.select_for_update(no_key=True).filter(pk__in=ids).order_by("pk"))
        # Posts that would only start after the closing day end up with an empty range: they
        # never grant anything, and the row stays for the record.
        closed_positions = Position.objects.filter(org_unit_id__in=ids).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=closing)).update(valid_to=closing)
        moved_work = WorkItem.objects.filter(
            assignee_unit_id__in=ids, assignee_user__isnull=True, state=WorkState.OPEN
        ).update(assignee_unit=into)
        for unit in locked:
            unit.valid_to = closing
            unit.successor = into
            unit.save(update_fields=["valid_to", "successor"])
            names = OrgUnitName.objects.filter(unit=unit)
            if names.exists():
                names.filter(valid_to__isnull=True).update(valid_to=closing)
            else:
                # A unit made outside the services has no name history yet: record it.
                OrgUnitName.objects.create(unit=unit, name=unit.name,
                                           abbreviation=unit.abbreviation,
                                           valid_from=unit.valid_from, valid_to=closing)
            audit_log(actor=actor, action="orgunit.merge", obj=unit,
                      details={"into": into.pk, "into_name": into.name, "effective": effective,
                               "legal_basis": legal_basis})
        audit_log(actor=actor, action="orgunit.merge_into", obj=into,
                  details={"units": sorted(ids), "effective": effective,
                           "legal_basis": legal_basis, "positions_closed": closed_positions,
                           "work_items_moved": moved_work})
    for unit in units:
        unit.refresh_from_db()
    return into


# --- positions and delegations ------------------------------------------------------------------


def _roles(roles: Iterable, errors) -> list[Role]:
    codes, objs = [], []
    for role in roles or []:
        if isinstance(role, Role):
            objs.append(role)
        elif isinstance(role, str):
            codes.append(role)
        else:
            _add(errors, "roles", _("Unknown role."))
    if codes:
        found = {r.code: r for r in Role.objects.filter(code__in=codes)}
        for code in codes:
            if code not in found:
                _add(errors, "roles", _("Unknown role: %(code)s.") % {"code": code})
        objs += list(found.values())
    return objs


def position_assign(
    *,
    actor,
    user: User,
    unit: OrgUnit,
    title: str,
    roles: Iterable[str | Role] = (),
    is_primary: bool = True,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
) -> Position:
    """Give a person a post in a unit (several posts at once are normal: kiêm nhiệm)."""
    policy.require(actor, MANAGE_ORGS, unit)
    errors: dict[str, list[str]] = {}
    if not isinstance(user, User) or user.pk is None:
        _add(errors, "user", _("Choose an existing user."))
    elif not user.is_active:
        _add(errors, "user", _("This account is disabled."))
    title = _text(title, "title", errors, max_length=100)
    role_objs = _roles(roles, errors)
    valid_from = _date(valid_from, "valid_from", errors, required=False) or _today()
    valid_to = _date(valid_to, "valid_to", errors, required=False)
    if valid_to is not None and valid_to < valid_from:
        _add(errors, "valid_to", _("The end date must not be before the start date."))
    if not unit.is_valid_on(valid_from):
        _add(errors, "unit", _("The unit is not in force on %(date)s.")
             % {"date": valid_from.strftime("%d/%m/%Y")})
    if errors:
        _fail(errors)
    with transaction.atomic():
        position = Position.objects.create(user=user, org_unit=unit, title=title,
                                           is_primary=bool(is_primary), valid_from=valid_from,
                                           valid_to=valid_to)
        position.roles.set(role_objs)
        audit_log(actor=actor, action="position.assign", obj=position,
                  details={"user": user.pk, "username": user.username, "unit": unit.pk,
                           "title": title, "roles": sorted(r.code for r in role_objs),
                           "valid_from": valid_from, "valid_to": valid_to})
    policy.forget(user)
    return position


def position_end(*, actor, position: Position, end: dt.date | None = None) -> Position:
    """End a post on `end` (default today): from the next day it grants nothing."""
    policy.require(actor, MANAGE_ORGS, position.org_unit)
    errors: dict[str, list[str]] = {}
    end = _date(end, "end", errors, required=False) or _today()
    if not errors:
        if end < position.valid_from:
            _add(errors, "end", _("The post starts on %(date)s; it cannot end before.")
                 % {"date": position.valid_from.strftime("%d/%m/%Y")})
        elif position.valid_to is not None and position.valid_to <= end:
            _add(errors, "end", _("The post already ends on %(date)s.")
                 % {"date": position.valid_to.strftime("%d/%m/%Y")})
    if errors:
        _fail(errors)
    with transaction.atomic():
        Position.objects.filter(pk=position.pk).update(valid_to=end)
        position.valid_to = end
        audit_log(actor=actor, action="position.end", obj=position,
                  details={"user": position.user_id, "unit": position.org_unit_id, "end": end})
    policy.forget(position.user)
    return position


def delegation_create(
    *,
    actor,
    position: Position,
    delegate: User,
    start: dt.date,
    end: dt.date,
    capacity: str = SignatureCapacity.TUQ,
    reason: str = "",
) -> Delegation:
    """Ủy quyền: `delegate` holds the roles of `position` from `start` to `end` inclusive
    (NĐ 30/2020/NĐ-CP, Điều 13 for how the delegate signs: KT., TM., TL., TUQ., Q.)."""
    if actor is None or actor.pk != position.user_id:
        policy.require(actor, MANAGE_ORGS, position.org_unit)
    errors: dict[str, list[str]] = {}
    start = _date(start, "start", errors)
    end = _date(end, "end", errors)
    reason = _text(reason, "reason", errors, required=False, max_length=255)
    if capacity not in SignatureCapacity.values:
        _add(errors, "capacity", _("Choose one of: %(values)s.")
             % {"values": ", ".join(SignatureCapacity.values)})
    if not isinstance(delegate, User) or delegate.pk is None:
        _add(errors, "delegate", _("Choose an existing user."))
    else:
        if delegate.pk == position.user_id:
            _add(errors, "delegate", _("A person cannot delegate to themselves."))
        if not delegate.is_active:
            _add(errors, "delegate", _("This account is disabled."))
    if start and end:
        if end < start:
            _add(errors, "end", _("The end date must not be before the start date."))
        if start < _today():
            _add(errors, "start", _("A delegation cannot start in the past."))
        if start < position.valid_from or (position.valid_to is not None
                                           and end > position.valid_to):
            _add(errors, "end" if start >= position.valid_from else "start",
                 _("The delegation must lie within the post's validity."))
    if errors:
        _fail(errors)
    with transaction.atomic():
        delegation = Delegation.objects.create(position=position, delegate=delegate,
                                               capacity=capacity, start=start, end=end,
                                               reason=reason)
        audit_log(actor=actor, action="delegation.create", obj=delegation,
                  details={"position": position.pk, "delegator": position.user_id,
                           "delegate": delegate.pk, "capacity": capacity, "start": start,
                           "end": end, "reason": reason})
    policy.forget(delegate)
    return delegation


# --- work items ---------------------------------------------------------------------------------


def _workitem_build(*, actor, module: str, kind: str, title, url: str, role: str,
                    subject: models.Model | None = None, subject_type=None, subject_id=None,
                    assignee_user=None, assignee_unit=None, assignee_user_id=None,
                    assignee_unit_id=None, due_at: dt.datetime | None = None,
                    urgency: str = "") -> WorkItem:
    """The checked, unsaved item (AppError "invalid" with the fields otherwise). The assignee
    and the subject may be given as objects or, for bulk writes, as ids."""
    from .msgtext import stored

    errors: dict[str, list[str]] = {}
    module = _text(module, "module", errors, max_length=32)
    kind = _text(kind, "kind", errors, max_length=64)
    title, title_msg = stored(title)
    if title_msg is not None:
        title = title[:500]
    title = _text(title, "title", errors, max_length=500)
    url = _text(url, "url", errors, required=False, max_length=500)
    urgency = _text(urgency, "urgency", errors, required=False, max_length=32)
    if role not in WorkRole.values:
        _add(errors, "role", _("Choose one of: %(values)s.") % {"values": ", ".join(WorkRole.values)})
    if assignee_user is not None:
        if not isinstance(assignee_user, User) or assignee_user.pk is None:
            _add(errors, "assignee_user", _("Choose an existing user."))
        assignee_user_id = assignee_user.pk
    if assignee_unit is not None:
        if not isinstance(assignee_unit, OrgUnit) or assignee_unit.pk is None:
            _add(errors, "assignee_unit", _("Choose an existing unit."))
        assignee_unit_id = assignee_unit.pk
    if assignee_user_id is None and assignee_unit_id is None:
        _add(errors, "assignee", _("Assign the work to a person or a unit."))
    if due_at is not None and (not isinstance(due_at, dt.datetime) or timezone.is_naive(due_at)):
        _add(errors, "due_at", _("Enter a date and time with its time zone."))
    if subject is not None:
        if not isinstance(subject, models.Model) or subject.pk is None:
            _add(errors, "subject", _("The subject must be a saved record."))
        else:
            subject_type = ContentType.objects.get_for_model(subject)
            subject_id = subject.pk
    if errors:
        _fail(errors)
    return WorkItem(
        module=module, kind=kind, title=title, title_msg=title_msg, url=url,
        assignee_user_id=assignee_user_id, assignee_unit_id=assignee_unit_id, role=role,
        due_at=due_at, urgency=urgency,
        created_by=actor if getattr(actor, "pk", None) else None,
        subject_type=subject_type, subject_id="" if subject_id is None else str(subject_id),
    )


def _workitem_audit(item: WorkItem) -> dict:
    return {"module": item.module, "kind": item.kind, "title": item.title, "role": item.role,
            "assignee_user": item.assignee_user_id, "assignee_unit": item.assignee_unit_id,
            "due_at": item.due_at}


def workitem_create(
    *,
    actor,
    module: str,
    kind: str,
    title: str,
    url: str,
    subject: models.Model | None = None,
    assignee_user: User | None = None,
    assignee_unit: OrgUnit | None = None,
    role: str,
    due_at: dt.datetime | None = None,
    urgency: str = "",
) -> WorkItem:
    """A step somebody must do (see the module doc: the calling module checks its own action).

    `title` may be a `msgtext.Msg`: its key is kept (`title_msg`) so every reader sees it in the
    language of the page; `title` stores the Vietnamese text, cut to 500 characters."""
    item = _workitem_build(actor=actor, module=module, kind=kind, title=title, url=url,
                           subject=subject, assignee_user=assignee_user,
                           assignee_unit=assignee_unit, role=role, due_at=due_at,
                           urgency=urgency)
    with transaction.atomic():
        item.save()
        audit_log(actor=actor, action="workitem.create", obj=item,
                  details=_workitem_audit(item))
    return item


def workitem_create_many(*, actor, items: list[dict], batch_size: int = 2000) -> list[WorkItem]:
    """Many work items at once — a plan's thousands of tasks — each checked as by
    `workitem_create` (one bad item: AppError naming it as ``items[i].<field>``, nothing
    written), inserted in bulk, each with its own audit event (`audit_log_many`: one lock).
    An item is a dict of `workitem_create`'s arguments; for speed the assignee and the subject
    may be ids: ``assignee_user_id``, ``assignee_unit_id``, ``subject_type`` (a ContentType)
    and ``subject_id``."""
    from .audit import Entry, audit_log_many

    built, errors = [], {}
    for index, spec in enumerate(items):
        try:
            built.append(_workitem_build(actor=actor, **spec))
        except AppError as err:
            for name, msgs in (err.fields or {}).items():
                errors[f"items[{index}].{name}"] = msgs
    if errors:
        _fail(errors)
    if not built:
        return []
    with transaction.atomic():
        WorkItem.objects.bulk_create(built, batch_size=batch_size)
        if any(item.pk is None for item in built):  # a backend that returns no ids
            raise RuntimeError("bulk_create returned no primary keys")
        audit_log_many(actor=actor, entries=[
            Entry("workitem.create", "core.workitem", str(item.pk), _workitem_audit(item))
            for item in built], batch_size=batch_size)
    return built


def _may_handle(actor, item: WorkItem) -> bool:
    if actor is None:
        return True  # a background job acting for the system
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    if actor.is_superuser or item.assignee_user_id == actor.pk or item.created_by_id == actor.pk:
        return True
    if item.assignee_unit_id is not None:
        from .selectors import inbox_unit_ids

        if item.assignee_user_id is None and item.assignee_unit_id in inbox_unit_ids(actor):
            return True
        return policy.can(actor, ASSIGN_WORK, item.assignee_unit)
    return False


def _locked_open(item: WorkItem) -> WorkItem:
    fresh = WorkItem.objects.select_for_update(no_key=True).get(pk=item.pk)
    if fresh.state != WorkState.OPEN:
        raise AppError("not_open", _("This work item is already closed."), status=409)
    return fresh


def workitem_open(*, actor, item: WorkItem) -> WorkItem:
    """Record the first time the assignee opened the item (later opens change nothing)."""
    if actor is None or not _may_handle(actor, item):
        raise PermissionDenied()
    if item.opened_at is not None:
        return item
    with transaction.atomic():
        fresh = WorkItem.objects.select_for_update(no_key=True).get(pk=item.pk)
        if fresh.opened_at is None and fresh.state == WorkState.OPEN:
            fresh.opened_at = timezone.now()
            fresh.save(update_fields=["opened_at"])
            audit_log(actor=actor, action="workitem.open", obj=fresh, details={})
        item.opened_at = fresh.opened_at
    return item


def _close(actor, item: WorkItem, state: str, action: str, details: dict) -> WorkItem:
    if not _may_handle(actor, item):
        raise PermissionDenied()
    with transaction.atomic():
        fresh = _locked_open(item)
        fresh.state = state
        fresh.finished_at = timezone.now()
        fresh.save(update_fields=["state", "finished_at"])
        audit_log(actor=actor, action=action, obj=fresh, details=details)
    item.state, item.finished_at = fresh.state, fresh.finished_at
    return item


def workitem_finish(*, actor, item: WorkItem) -> WorkItem:
    """Mark the step done (the time is the raw data of on-time statistics)."""
    return _close(actor, item, WorkState.DONE, "workitem.finish", {})


def workitem_cancel(*, actor, item: WorkItem, reason: str = "") -> WorkItem:
    """Withdraw a step that no longer needs doing (it does not count in statistics)."""
    errors: dict[str, list[str]] = {}
    reason = _text(reason, "reason", errors, required=False, max_length=255)
    if errors:
        _fail(errors)
    return _close(actor, item, WorkState.CANCELLED, "workitem.cancel", {"reason": reason})
