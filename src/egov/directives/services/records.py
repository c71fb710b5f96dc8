"""The shared base of the directive services: giving a directive (with its participants and
code), the event every change writes (subscribers told in the same transaction), the row lock,
and the 409 for a wrong state.

Contract (issue 12): `POST /api/v1/directives` → :func:`directive_create`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core import calendar, numbering, policy
from egov.core import fieldcheck as fc
from egov.core.audit import audit_log
from egov.core.errors import AppError, PermissionDenied
from egov.core.models import OrgUnit, Position, StoredFile, User

from .. import hooks
from ..models import (
    AssigneeRole,
    Directive,
    DirectiveAssignee,
    DirectiveEvent,
    DirectiveFile,
    DirectiveState,
    Priority,
    Recurrence,
    SourceKind,
)
from ..selectors import access

MAX_PARTICIPANTS = 200


def judged_deadline(due: dt.date | None) -> dt.date | None:
    """The date a deadline is judged against: when the last day falls on a day off, the time
    limit ends with the next working day (Bộ luật Dân sự 2015 Art.148.5, applied to time
    limits of directives by the provincial quy chế in practice — UNVERIFIED for each province)."""
    if due is None:
        return None
    return calendar.next_working_day(due, include=True)


def allocate_code(agency: OrgUnit, day: dt.date) -> str:
    """`<agency id>-NV<YY>-<sequence>`, gapless per agency and year (numbering kernel); inside
    the caller's transaction."""
    seq = numbering.sequence_next(scope=f"directives.directive:{agency.pk}", series="NV",
                                  year=day.year)
    ident = (agency.electronic_id or agency.abbreviation or f"U{agency.pk}").replace(" ", "")
    return f"{ident}-NV{day:%y}-{seq:05d}"


def event_write(*, directive: Directive, kind: str, actor=None, note: str = "",
                details: dict | None = None, at: dt.datetime | None = None) -> DirectiveEvent:
    """Record what happened (after the directive row was saved) and tell the subscribers in the
    same transaction."""
    event = DirectiveEvent.objects.create(
        directive=directive, at=at or timezone.now(), kind=kind, state=directive.state,
        actor=actor if getattr(actor, "pk", None) else None, note=note, details=details or {},
    )
    hooks.directive_changed(directive=directive, event=event)
    return event


def not_allowed(directive: Directive, action: str) -> AppError:
    """409 `invalid_state`, naming the state."""
    return AppError(
        "invalid_state",
        _("%(action)s is not allowed: the directive %(code)s is “%(state)s”.")
        % {"action": action, "code": directive.code,
           "state": DirectiveState(directive.state).label},
        status=409,
    )


def lock(directive_id: int) -> Directive:
    """The directive row locked for a change (FOR NO KEY UPDATE, docs/architecture.md)."""
    return (Directive.objects.select_for_update(no_key=True, of=("self",))
            .select_related("agency", "lead_unit").get(pk=directive_id))


def touch(directive: Directive, *fields: str) -> None:
    directive.updated_at = timezone.now()
    directive.save(update_fields=[*fields, "updated_at"])


# --- resolving the people and units named in a request -----------------------------------------


def _int(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 12:
        return int(value.strip())
    return None


def user_unit(user: User, within: OrgUnit | None = None) -> OrgUnit | None:
    """The unit of the user's current post (the first one inside `within`'s subtree if given)."""
    today = timezone.localdate()
    posts = (Position.objects.filter(user=user, valid_from__lte=today)
             .exclude(valid_to__lt=today).select_related("org_unit").order_by("id"))
    units = [p.org_unit for p in posts]
    if within is not None:
        inside = [u for u in units if u.path.startswith(within.path)]
        units = inside or units
    return units[0] if units else None


def resolve_party(spec, name: str, errors: fc.Errors, *, within: OrgUnit
                  ) -> tuple[OrgUnit | None, User | None]:
    """{"unit_id": …} or {"user_id": …} (a person; the unit is their post's) → (unit, user).
    Both must exist, be active and lie inside `within` (the giver's agency subtree)."""
    if not isinstance(spec, dict):
        fc.add(errors, name, _("Give a unit (unit_id) or a person (user_id)."))
        return None, None
    unit_id, user_id = _int(spec.get("unit_id")), _int(spec.get("user_id"))
    if (spec.get("unit_id") is not None and unit_id is None) or (
            spec.get("user_id") is not None and user_id is None):
        fc.add(errors, name, _("Ids are whole numbers."))
        return None, None
    if unit_id is None and user_id is None:
        fc.add(errors, name, _("Give a unit (unit_id) or a person (user_id)."))
        return None, None
    user = unit = None
    if user_id is not None:
        user = User.objects.filter(pk=user_id, is_active=True).first()
        if user is None:
            fc.add(errors, name, _("No such person."))
            return None, None
    if unit_id is not None:
        unit = OrgUnit.objects.filter(pk=unit_id).first()
        if unit is None or (unit.valid_to is not None and unit.valid_to < timezone.localdate()):
            fc.add(errors, name, _("No such unit, or it no longer exists."))
            return None, None
    if unit is None:
        unit = user_unit(user, within)
        if unit is None:
            fc.add(errors, name, _("This person holds no post."))
            return None, None
    if not unit.path.startswith(within.path):
        fc.add(errors, name, _("The unit is outside the agency of the directive."))
        return None, None
    return unit, user


def _date(value, name: str, errors: fc.Errors, *, required: bool) -> dt.date | None:
    if value in (None, ""):
        if required:
            fc.add(errors, name, _("Enter a date."))
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        day = dt.date.fromisoformat(str(value))
    except ValueError:
        fc.add(errors, name, _("Enter a date as YYYY-MM-DD."))
        return None
    if not (dt.date(2000, 1, 1) <= day <= dt.date(2100, 12, 31)):
        fc.add(errors, name, _("Enter a date between 2000 and 2100."))
        return None
    return day


def parse_date(value, name: str, errors: fc.Errors, *, required: bool = True):
    return _date(value, name, errors, required=required)


def giver_agency(actor, agency_id=None) -> OrgUnit:
    """The agency in whose name the actor gives a directive (`directives.give` there)."""
    ids = policy.agencies_for(actor, access.GIVE)
    if agency_id is not None:
        pk = _int(agency_id)
        unit = OrgUnit.objects.filter(pk=pk).first() if pk is not None else None
        if unit is None or not policy.can(actor, access.GIVE, unit):
            raise PermissionDenied(_("You may not give directives for this agency."))
        return unit.agency if unit.agency_id else unit
    if not ids:
        if getattr(actor, "is_superuser", False):
            unit = OrgUnit.objects.filter(parent__isnull=True).order_by("id").first()
            if unit is not None:
                return unit
        raise PermissionDenied(_("You may not give directives."))
    return OrgUnit.objects.get(pk=ids[0])


# --- giving a directive ----------------------------------------------------------------------


def directive_create(*, actor, title, content="", lead, support: Iterable = (),
                     inform: Iterable = (), due_date=None, priority: str = Priority.NORMAL,
                     source_kind: str | None = None, source_document_id=None,
                     source_text: str = "", guidance: str = "", given_on=None,
                     recurrence: str = Recurrence.NONE, recurrence_day=None,
                     recurrence_until=None, agency_id=None, parent: Directive | None = None,
                     weight=1, plan_key: str = "", files: Iterable[StoredFile] = ()) -> Directive:
    """Give a directive (or, with `parent`, split one inside the lead unit).

    `lead`: {"unit_id"} or {"user_id"}; `support`: a list of such dicts, each optionally with
    its own "due_date" (a sub-deadline, not after the directive's); `inform`: people or units
    told for information. Raises InvalidInput (422, every bad field at once), PermissionDenied
    (403). Writes the directive, its participants, the event "given" and the audit row."""
    errors: fc.Errors = {}
    if parent is not None:
        if not access.may_split(actor, parent) and not access.may_handle(actor, parent):
            raise PermissionDenied(_("Only the lead unit may split this directive."))
        if parent.state not in (DirectiveState.OPEN,):
            raise not_allowed(parent, _("Splitting"))
        agency, within = parent.agency, parent.lead_unit
    else:
        agency = giver_agency(actor, agency_id)
        within = agency
    title = fc.text(title, "title", errors, required=True, max_length=500)
    content = fc.text(content, "content", errors, max_length=20000)
    guidance = fc.text(guidance, "guidance", errors, max_length=5000)
    source_text = fc.text(source_text, "source_text", errors, max_length=500)
    plan_key = fc.text(plan_key, "plan_key", errors, max_length=64)
    if priority not in Priority.values:
        fc.add(errors, "priority", _("Choose one of: %(values)s.")
               % {"values": ", ".join(Priority.values)})
    if recurrence not in Recurrence.values:
        fc.add(errors, "recurrence", _("Choose one of: %(values)s.")
               % {"values": ", ".join(Recurrence.values)})
    given = _date(given_on, "given_on", errors, required=False) or timezone.localdate()
    due = _date(due_date, "due_date", errors, required=recurrence == Recurrence.NONE)
    if due is not None and due < given:
        fc.add(errors, "due_date", _("The deadline cannot be before the day the directive is "
                                     "given."))
    if parent is not None and due is not None and parent.due_date and due > parent.due_date:
        fc.add(errors, "due_date", _("A part cannot be due after the directive it belongs to "
                                     "(%(date)s).") % {"date": parent.due_date.strftime("%d/%m/%Y")})
    until = _date(recurrence_until, "recurrence_until", errors, required=False)
    rday = _int(recurrence_day) if recurrence_day not in (None, "") else None
    if recurrence != Recurrence.NONE and (rday is None or not 1 <= rday <= 28):
        fc.add(errors, "recurrence_day", _("Enter the day (1–28) after the period when the "
                                           "report is due."))
    w = _int(weight)
    if w is None or not 1 <= w <= 100:
        fc.add(errors, "weight", _("Enter a weight from 1 to 100."))
    lead_unit, lead_user = resolve_party(lead, "lead", errors, within=within)
    parties: list[tuple[str, OrgUnit, User | None, dt.date | None]] = []
    seen: set[tuple[int, int | None]] = set()
    if lead_unit is not None:
        seen.add((lead_unit.pk, lead_user.pk if lead_user else None))
    for role, items in ((AssigneeRole.SUPPORT, support), (AssigneeRole.INFORM, inform)):
        if items is None:
            items = []
        if not isinstance(items, (list, tuple)):
            fc.add(errors, role.value, _("Give a list."))
            continue
        if len(items) > MAX_PARTICIPANTS:
            fc.add(errors, role.value, _("At most %(n)d.") % {"n": MAX_PARTICIPANTS})
            continue
        for i, spec in enumerate(items):
            name = f"{role.value}[{i}]"
            unit, user = resolve_party(spec, name, errors, within=within)
            if unit is None:
                continue
            key = (unit.pk, user.pk if user else None)
            if key in seen:
                fc.add(errors, name, _("Already named in this directive."))
                continue
            seen.add(key)
            sub_due = None
            if role == AssigneeRole.SUPPORT and isinstance(spec, dict):
                sub_due = _date(spec.get("due_date"), f"{name}.due_date", errors, required=False)
                if sub_due and due and sub_due > due:
                    fc.add(errors, f"{name}.due_date",
                           _("A supporting deadline cannot be after the directive's deadline."))
            parties.append((role, unit, user, sub_due))
    src_in = src_out = None
    kind = source_kind or (SourceKind.INCOMING if source_document_id not in (None, "")
                           else SourceKind.NONE)
    if kind not in SourceKind.values:
        fc.add(errors, "source_kind", _("Choose one of: %(values)s.")
               % {"values": ", ".join(SourceKind.values)})
    elif kind in (SourceKind.INCOMING, SourceKind.OUTGOING, SourceKind.PLAN):
        src_in, src_out = _source_document(actor, kind, source_document_id, errors)
    fc.fail(errors)
    with transaction.atomic():
        d = Directive.objects.create(
            agency=agency, code=allocate_code(agency, given), parent=parent, weight=w,
            title=title, content=content, guidance=guidance, source_kind=kind,
            source_incoming=src_in, source_outgoing=src_out, source_text=source_text,
            plan_key=plan_key, given_by=actor, given_on=given, lead_unit=lead_unit,
            lead_user=lead_user, priority=priority, recurrence=recurrence,
            recurrence_day=rday if recurrence != Recurrence.NONE else None,
            recurrence_until=until, due_date=due, original_due_date=due,
            judged_due_date=judged_deadline(due),
            created_by=actor,
        )
        DirectiveAssignee.objects.create(directive=d, role=AssigneeRole.LEAD, unit=lead_unit,
                                         user=lead_user, due_date=due)
        DirectiveAssignee.objects.bulk_create([
            DirectiveAssignee(directive=d, role=role, unit=unit, user=user,
                              due_date=sub_due if role == AssigneeRole.SUPPORT else None)
            for role, unit, user, sub_due in parties])
        DirectiveFile.objects.bulk_create([DirectiveFile(directive=d, file=f, added_by=actor)
                                           for f in files])
        event_write(directive=d, kind="given" if parent is None else "split", actor=actor,
                    details={"lead_unit": lead_unit.pk, "due_date": due,
                             "parent": parent.pk if parent else None})
        audit_log(actor=actor, action="directive.give", obj=d,
                  details={"code": d.code, "lead_unit": lead_unit.pk, "due_date": due,
                           "parent": parent.pk if parent else None})
    return d


def _source_document(actor, kind, document_id, errors):
    """The source document through the Documents module's selectors (the actor must see it)."""
    from egov.core.errors import NotFound

    pk = _int(document_id)
    if pk is None:
        fc.add(errors, "source_document_id", _("Choose the source document."))
        return None, None
    try:
        if kind == SourceKind.INCOMING:
            from egov.documents.selectors.incoming import incoming_get

            return incoming_get(actor=actor, id=pk), None
        from egov.documents.selectors.outgoing import outgoing_get

        return None, outgoing_get(actor=actor, document_id=pk)
    except (NotFound, PermissionDenied):
        fc.add(errors, "source_document_id", _("No such document, or you may not see it."))
        return None, None
