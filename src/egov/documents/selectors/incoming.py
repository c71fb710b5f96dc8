"""Reads of incoming documents, already filtered by what the actor may see
(`incoming_visible_q`). Lists are keyset-paginated with a constant number of queries and never
count."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Exists, IntegerField, OuterRef, Prefetch, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core import calendar, policy
from egov.core.errors import InvalidInput, NotFound, PermissionDenied
from egov.core.models import OrgUnit, Position, User
from egov.core.pagination import (
    Page,
    check_limit,
    cursor_values,
    decode_cursor,
    encode_cursor,
    keyset_page,
)

from ..models import (
    Assignment,
    AssignmentState,
    DocumentEvent,
    IncomingDocument,
    IncomingState,
    OutgoingDocument,
    OutgoingState,
    Urgency,
    UrgencyDeadline,
)
from ..services.incoming import (
    ASSIGN,
    OPEN_STATES,
    REGISTER,
    _handling_due,
    handling_days,
    is_assignee,
    parse_date,
)
from . import lists
from .dashboard import handling_filter
from .visibility import current_unit_ids, incoming_visible_q, outgoing_visible_q

LIST_ORDER = ("-arrival_date", "-id")
VIEW_ALL = "documents.view_all"
MINE_ORDER = ("-assigned_at", "-id")
HEAVY = ("text_content", "signature_report")

# Urgent first in the leader's queue: hỏa tốc (hẹn giờ) 3, thượng khẩn 2, khẩn 1, thường 0.
URGENCY_RANK = Case(
    When(urgency__in=[Urgency.FLASH, Urgency.FLASH_TIMED], then=Value(3)),
    When(urgency=Urgency.VERY_URGENT, then=Value(2)),
    When(urgency=Urgency.URGENT, then=Value(1)),
    default=Value(0), output_field=IntegerField(),
)


def _bad_cursor() -> InvalidInput:
    return InvalidInput(_("The page cursor is not valid. Start again from the first page."),
                        fields={"cursor": [_("Invalid cursor.")]}, code="bad_cursor")


def _valid_today_q(prefix: str = "") -> Q:
    today = timezone.localdate()
    return Q(**{f"{prefix}valid_from__lte": today}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": today}))


def _mark_visible(document: IncomingDocument, actor) -> IncomingDocument:
    document._egov_visible_to = getattr(actor, "pk", None)
    return document


def _check_visible(actor, document: IncomingDocument) -> None:
    if getattr(document, "_egov_visible_to", "unset") == getattr(actor, "pk", None):
        return
    if not IncomingDocument.objects.filter(incoming_visible_q(actor), pk=document.pk).exists():
        raise NotFound(_("No such incoming document."))
    _mark_visible(document, actor)


# --- lists --------------------------------------------------------------------------------------


@dataclass
class _Where:
    """The list filters, checked: `terms` are (lookup on IncomingDocument, value, negated)."""

    terms: list[tuple[str, Any, bool]] = field(default_factory=list)
    since: dt.datetime | None = None
    until: dt.datetime | None = None  # exclusive
    agency: int | None = None

    def q(self, prefix: str = "") -> Q:
        q = Q()
        for lookup, value, negated in self.terms:
            term = Q(**{f"{prefix}{lookup}": value})
            q &= ~term if negated else term
        return q


def _where(filters: dict[str, Any] | None) -> _Where:
    filters = filters or {}
    errors: dict[str, list[str]] = {}
    where = _Where()
    state = filters.get("state") or ""
    if state:
        if state not in IncomingState.values:
            errors["state"] = [_("Unknown state.")]
        else:
            where.terms.append(("state", state, False))
    urgency = filters.get("urgency") or ""
    if urgency == "urgent_any":
        where.terms.append(("urgency", Urgency.NORMAL, True))
    elif urgency:
        if urgency not in Urgency.values:
            errors["urgency"] = [_("Unknown urgency.")]
        else:
            where.terms.append(("urgency", urgency, False))
    type_code = filters.get("type") or ""
    if type_code:
        if not isinstance(type_code, str) or len(type_code) > 20:
            errors["type"] = [_("Unknown document type.")]
        else:
            where.terms.append(("doc_type__code", type_code, False))
    since = parse_date(filters.get("arrival_from"), "arrival_from", errors)
    until = parse_date(filters.get("arrival_to"), "arrival_to", errors)
    if since and until and until < since:
        errors.setdefault("arrival_to", []).append(_("The end date is before the start date."))
    if since:
        where.since = dt.datetime.combine(since, dt.time.min, tzinfo=calendar.LOCAL_TZ)
    if until:
        where.until = dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min,
                                          tzinfo=calendar.LOCAL_TZ)
    agency = filters.get("agency")
    if agency not in (None, ""):
        try:
            where.agency = int(agency)
        except (TypeError, ValueError):
            errors["agency"] = [_("Enter a whole number.")]
    # The dashboard's links: lead assignments of a unit in one handling state (selectors.dashboard).
    handled = handling_filter(filters, errors)
    if handled is not None:
        where.terms.append(("pk__in", handled, False))
    if errors:
        raise InvalidInput(_("Check the highlighted fields."), fields=errors)
    return where


def _decorate(documents: list[IncomingDocument]) -> list[IncomingDocument]:
    today = timezone.localdate()
    for doc in documents:
        doc.is_urgent = doc.urgency != Urgency.NORMAL
        if doc.state in OPEN_STATES and doc.handling_due_date:
            due = calendar.localtime(dt.datetime.combine(
                doc.handling_due_date, calendar.office_closes(), tzinfo=calendar.LOCAL_TZ))
            doc.deadline_state = calendar.deadline_state(due)
        else:
            doc.deadline_state = "none"
        doc.is_overdue = doc.deadline_state == calendar.STATE_OVERDUE
        doc.arrival_local_date = calendar.localtime(doc.arrival_date).date()
        doc.today = today
    return documents


def incoming_list(*, actor, cursor: str | None = None, limit: int = 50,
                  filters: dict[str, Any] | None = None) -> Page:
    """Incoming documents the actor may see (`incoming_visible_q`), newest arrival first.
    Filters: state, urgency (a value, or "urgent_any"), type (DocumentType.code),
    arrival_from / arrival_to (dates), agency (id).

    Served as a union of index-ordered branches (see `selectors.lists`): one per agency the
    actor sees entirely (documents.view_all; index incoming_agency_recent), the actor's own
    assignments and those of each unit where they hold a post (assignment_user_recent /
    assignment_unit_recent, on the document's arrival date copied onto the assignment).
    Queries: grants and units (cached on the actor) + keys (1) + rows (1); +1 when a view_all
    grant has the "unit" scope."""
    where = _where(filters)
    limit = check_limit(limit)
    values = cursor_values(IncomingDocument.objects.all(), LIST_ORDER, cursor) if cursor else None
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return Page(items=[], next=None)
    scope = lists.scope_of(actor, agency_actions=[VIEW_ALL])

    documents = IncomingDocument.objects.filter(
        where.q(), lists.as_datetime_bounds(where.since, where.until, "arrival_date"))
    if values is not None:
        documents = documents.filter(lists.after_q("arrival_date", "id", values))
    if where.agency is not None:
        documents = documents.filter(agency_id=where.agency)
    branches = []
    if scope.everything:
        branches.append(documents)
    else:
        agencies = [a for a in scope.agencies if where.agency in (None, a)]
        branches += lists.split(documents, "agency_id", agencies)
        assigned = Assignment.objects.filter(
            where.q("document__"),
            lists.as_datetime_bounds(where.since, where.until, "doc_arrival_date"))
        if values is not None:
            assigned = assigned.filter(lists.after_q("doc_arrival_date", "document_id", values))
        if where.agency is not None:
            assigned = assigned.filter(document__agency_id=where.agency)
        branches.append(assigned.filter(assignee_user=actor))
        branches += lists.split(assigned, "assignee_unit_id", current_unit_ids(actor))
    keys = [lists.branch_keys(b, "arrival_date", "id", limit + 1)
            if b.model is IncomingDocument
            else lists.branch_keys(b, "doc_arrival_date", "document_id", limit + 1)
            for b in branches]
    ids = lists.first_ids(keys, limit + 1)
    rows = lists.in_order(
        IncomingDocument.objects.filter(pk__in=ids).select_related("doc_type", "agency")
        .defer(*HEAVY), ids) if ids else []
    more = len(ids) > limit
    rows = rows[:limit]
    next_cursor = None
    if more and rows:
        next_cursor = encode_cursor([rows[-1].arrival_date, rows[-1].pk])
    _decorate(rows)
    return Page(items=rows, next=next_cursor)


def leader_agency_ids(actor) -> list[int] | None:
    """Agencies whose documents the actor directs (documents.assign with agency scope);
    None means every agency (superuser or an "all" grant)."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return []
    if actor.is_superuser:
        return None
    grants = [g for g in policy.grants_for(actor) if g.action == ASSIGN]
    if any(g.scope == "all" for g in grants):
        return None
    return sorted({g.agency_id for g in grants if g.scope == "agency" and g.agency_id})


def _due_defaults(documents: list[IncomingDocument]) -> None:
    """Set `default_due` (the deadline proposed in the one-click form) on each document with
    one query for the urgency rules."""
    today = timezone.localdate()
    need = [d for d in documents if not (d.handling_due_date and d.handling_due_date >= today)]
    rules: dict[tuple[int | None, str], int] = {}
    if need:
        for row in UrgencyDeadline.objects.filter(
                Q(agency_id__in={d.agency_id for d in need}) | Q(agency__isnull=True)):
            rules[(row.agency_id, row.urgency)] = row.working_days
    for doc in documents:
        if doc in need:
            days = rules.get((doc.agency_id, doc.urgency), rules.get((None, doc.urgency)))
            if days is None:
                days = handling_days(doc.agency, doc.urgency)
            doc.default_due = _handling_due(today, days)
        else:
            doc.default_due = doc.handling_due_date


def incoming_leader_queue(*, actor, cursor: str | None = None, limit: int = 50) -> Page:
    """Documents waiting for instructions (PRESENTED) in the agencies the actor directs: urgent
    first, then the longest waiting. Each item carries `default_due`. Queries: grants (cached)
    + 1 (+1 for the urgency rules when a proposed deadline must be recomputed)."""
    limit = check_limit(limit)
    agencies = leader_agency_ids(actor)
    if agencies == []:
        return Page(items=[], next=None)
    qs = (IncomingDocument.objects.filter(state=IncomingState.PRESENTED)
          .select_related("doc_type", "agency").defer(*HEAVY).annotate(rank=URGENCY_RANK))
    if agencies is not None:
        qs = qs.filter(agency_id__in=agencies)
    if cursor:
        raw = decode_cursor(cursor, 3)
        try:
            rank = int(raw[0])
            at = dt.datetime.fromisoformat(raw[1])
            pk = int(raw[2])
        except (TypeError, ValueError):
            raise _bad_cursor() from None
        if isinstance(raw[0], bool) or isinstance(raw[2], bool) or at.tzinfo is None:
            raise _bad_cursor()
        qs = qs.filter(rank__lte=rank).filter(
            Q(rank__lt=rank) | Q(rank=rank, arrival_date__gt=at)
            | Q(rank=rank, arrival_date=at, pk__gt=pk))
    rows = list(qs.order_by("-rank", "arrival_date", "pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if more and rows:
        last = rows[-1]
        next_cursor = encode_cursor([last.rank, last.arrival_date.isoformat(), last.pk])
    _decorate(rows)
    _due_defaults(rows)
    return Page(items=rows, next=next_cursor)


def incoming_my_assignments(*, actor, cursor: str | None = None, limit: int = 50) -> Page:
    """The actor's open assignments ("my work" among incoming documents): given to them, or to
    a unit where they hold a post and not yet passed to a person; newest first."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return Page(items=[], next=None)
    units = current_unit_ids(actor)
    passed_on = Assignment.objects.filter(parent=OuterRef("pk"), state=AssignmentState.OPEN)
    qs = (Assignment.objects.filter(state=AssignmentState.OPEN)
          .filter(Q(assignee_user=actor) | Q(assignee_user__isnull=True,
                                             assignee_unit_id__in=units))
          .filter(~Exists(passed_on))
          .select_related("document", "document__doc_type", "assignee_unit", "work_item",
                          "assigned_by")
          .defer(*(f"document__{f}" for f in HEAVY)))
    page = keyset_page(qs, order=MINE_ORDER, cursor=cursor, limit=limit)
    now = timezone.now()
    for a in page.items:
        a.due_at = a.work_item.due_at if a.work_item_id else None
        a.deadline_state = calendar.deadline_state(a.due_at, now)
        a.is_urgent = a.document.urgency != Urgency.NORMAL
        a.is_unit_assignment = a.assignee_user_id is None
    return page


# --- one document -------------------------------------------------------------------------------


def incoming_get(*, actor, id: int) -> IncomingDocument:
    """One document the actor may see, with its type, agency, register, file and assignments
    loaded (2 queries besides the cached grants); NotFound otherwise — whether it exists or
    is only hidden is not revealed."""
    try:
        pk = int(id)
    except (TypeError, ValueError):
        raise NotFound(_("No such incoming document.")) from None
    doc = (
        IncomingDocument.objects.filter(incoming_visible_q(actor), pk=pk)
        .select_related("doc_type", "agency", "register", "file", "issuer_unit",
                        "duplicate_of", "registered_by", "source", "completed_by_reply")
        .defer("text_content")
        .prefetch_related(Prefetch(
            "assignments",
            queryset=Assignment.objects.select_related(
                "assignee_unit", "assignee_user", "assigned_by", "work_item", "reply",
            ).order_by("assigned_at", "pk"),
        ))
        .first()
    )
    if doc is None:
        raise NotFound(_("No such incoming document."))
    _decorate([doc])
    return _mark_visible(doc, actor)


def incoming_trail(*, actor, document: IncomingDocument) -> list[DocumentEvent]:
    """Every event of the document's trail, oldest first, with the actor's name and unit
    (one query; one more if the document did not come from `incoming_get`)."""
    _check_visible(actor, document)
    return list(DocumentEvent.objects.filter(incoming=document)
                .select_related("actor", "actor_unit").order_by("at", "pk"))


def with_display_dates(events: list[DocumentEvent]) -> list[DocumentEvent]:
    """For pages: add dd/mm/yyyy copies ("due_vn") of the ISO due dates stored in the events'
    details (the API shows the details as stored)."""
    for e in events:
        _display_dates(e.details)
    return events


def _vn(value) -> str | None:
    try:
        return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
    except (TypeError, ValueError):
        return None


def _display_dates(details: dict) -> None:
    if not isinstance(details, dict):
        return
    if isinstance(details.get("due_date"), str):
        details["due_vn"] = _vn(details["due_date"])
    for line in details.get("assignments") or []:
        if isinstance(line, dict) and isinstance(line.get("due_date"), str):
            line["due_vn"] = _vn(line["due_date"])


def _outcome(a: Assignment, now: dt.datetime) -> str:
    """done_on_time / done_late / open_on_time / open_late (GLOSSARY, directives) or the
    closing state (forwarded, returned, cancelled)."""
    due = a.due_at
    if a.state == AssignmentState.DONE:
        if due is None or a.finished_at is None or a.finished_at <= due:
            return "done_on_time"
        return "done_late"
    if a.state == AssignmentState.OPEN:
        return "open_late" if due is not None and due < now else "open_on_time"
    return a.state


def incoming_assignee_states(document: IncomingDocument) -> list[Assignment]:
    """The document's assignments as a tree (children after their parent, `depth` set), each
    with `due_at`, `deadline_state` (calendar.deadline_state, open ones only), `outcome` and
    `first_viewed_at` / `finished_at`. Uses the prefetched assignments when present."""
    cache = getattr(document, "_prefetched_objects_cache", {}).get("assignments")
    if cache is None:
        rows = list(Assignment.objects.filter(document=document)
                    .select_related("assignee_unit", "assignee_user", "assigned_by",
                                    "work_item", "reply")
                    .order_by("assigned_at", "pk"))
    else:
        rows = list(cache)
    now = timezone.now()
    children: dict[int | None, list[Assignment]] = defaultdict(list)
    for a in rows:
        if a.due_date is None:
            a.due_at = None
        else:
            a.due_at = dt.datetime.combine(a.due_date, calendar.office_closes(),
                                           tzinfo=calendar.LOCAL_TZ)
        a.deadline_state = (calendar.deadline_state(a.due_at, now)
                            if a.state == AssignmentState.OPEN else "none")
        a.outcome = _outcome(a, now)
        children[a.parent_id].append(a)
    ordered: list[Assignment] = []
    known = {a.pk for a in rows}

    def walk(parent_id, depth):
        for a in children.get(parent_id, []):
            a.depth = depth
            ordered.append(a)
            walk(a.pk, depth + 1)

    walk(None, 0)
    for parent_id, items in children.items():  # orphans (parent not loaded): keep them
        if parent_id is not None and parent_id not in known:
            for a in items:
                a.depth = 1
                ordered.append(a)
    return ordered


def incoming_actions(*, actor, document: IncomingDocument,
                     assignments: list[Assignment]) -> dict[str, Any]:
    """What the actor may do on the page (the services check again): `can_assign`, and for
    each assignment id the set of operations among complete / forward / return / reassign."""
    withdrawn = document.state == IncomingState.CANCELLED
    can_assign = (not withdrawn and document.state in OPEN_STATES
                  and policy.can(actor, ASSIGN, document))
    open_children = {a.parent_id for a in assignments
                     if a.parent_id and a.state == AssignmentState.OPEN}
    ops: dict[int, set[str]] = {}
    for a in assignments:
        if withdrawn or a.state != AssignmentState.OPEN:
            continue
        allowed: set[str] = set()
        if a.pk not in open_children and is_assignee(actor, a):
            allowed |= {"complete", "forward", "return"}
        if (a.assignee_user_id is None and a.assignee_unit_id
                and (actor.is_superuser or a.assignee_unit_id in current_unit_ids(actor))
                and policy.can(actor, ASSIGN, a.assignee_unit)):
            # Offered on the page to the unit's own head; a leader above may use the API.
            allowed.add("reassign")
        if allowed:
            ops[a.pk] = allowed
    return {"can_assign": can_assign, "ops": ops,
            "has_open_lead": any(a.parent_id is None and a.role == "lead"
                                 and a.state == AssignmentState.OPEN for a in assignments)}


# --- choices for the forms ----------------------------------------------------------------------


def assignable_units(agencies: list[OrgUnit]) -> dict[int, list[OrgUnit]]:
    """{agency id: units below it, valid today} — the units an assignment may name. One query
    for all the agencies."""
    if not agencies:
        return {}
    q = Q(pk__in=[])
    for agency in agencies:
        q |= Q(path__startswith=agency.path)
    units = list(OrgUnit.objects.filter(q & _valid_today_q()).exclude(
        pk__in=[a.pk for a in agencies]).order_by("path"))
    result: dict[int, list[OrgUnit]] = {a.pk: [] for a in agencies}
    for agency in agencies:
        # Divisions of the agency first (its own units), then the agencies below it.
        own = [u for u in units if u.path.startswith(agency.path)]
        own.sort(key=lambda u: (u.agency_id != agency.pk, u.name))
        result[agency.pk] = own
    return result


def people_of(unit: OrgUnit, *, subtree: bool = True) -> list[User]:
    """Active people holding a post today in the unit (and its sub-units), by name."""
    where = Q(org_unit__path__startswith=unit.path) if subtree else Q(org_unit=unit)
    ids = Position.objects.filter(_valid_today_q() & where).values("user_id")
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("full_name",
                                                                         "username"))


def people_by_unit(units: list[OrgUnit]) -> dict[int, list[User]]:
    """{unit id: active people holding a post today in the unit or below it}, one query for
    all the units."""
    result: dict[int, dict[int, User]] = {u.pk: {} for u in units}
    if not units:
        return {}
    q = Q(pk__in=[])
    for unit in units:
        q |= Q(org_unit__path__startswith=unit.path)
    for pos in (Position.objects.filter(_valid_today_q() & q, user__is_active=True)
                .select_related("user", "org_unit")):
        for unit in units:
            if pos.org_unit.path.startswith(unit.path):
                result[unit.pk][pos.user_id] = pos.user
    return {pk: sorted(users.values(), key=lambda u: (u.full_name, u.username))
            for pk, users in result.items()}


def agency_people(agency: OrgUnit) -> list[User]:
    """Active people with a post today in the agency itself or one of its divisions."""
    ids = Position.objects.filter(_valid_today_q(), org_unit__agency=agency).values("user_id")
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("full_name",
                                                                         "username"))


def reply_get(*, actor, id: int) -> OutgoingDocument:
    """An issued outgoing document the actor may see (to link as the reply)."""
    doc = (OutgoingDocument.objects.filter(outgoing_visible_q(actor), pk=id,
                                           state=OutgoingState.ISSUED).first())
    if doc is None:
        raise NotFound(_("No such issued outgoing document."))
    return doc


def assignment_get(*, actor, document_id: int, id: int) -> Assignment:
    """An assignment of a document the actor may see."""
    a = (Assignment.objects.filter(pk=id, document_id=document_id)
         .filter(document__in=IncomingDocument.objects.filter(incoming_visible_q(actor)))
         .select_related("document", "document__agency", "assignee_unit", "assignee_user",
                         "work_item", "assigned_by")
         .first())
    if a is None:
        raise NotFound(_("No such assignment."))
    return a


def register_agency_for(*, actor, agency_id=None) -> OrgUnit:
    """The agency a clerk registers for: `agency_id` when given, else the one agency where the
    actor holds documents.register (the service checks the permission again)."""
    if agency_id not in (None, ""):
        pk = agency_id if isinstance(agency_id, int) and not isinstance(agency_id, bool) else (
            int(agency_id) if isinstance(agency_id, str) and agency_id.isdigit() else None)
        unit = OrgUnit.objects.filter(pk=pk).first() if pk else None
        if unit is None:
            raise InvalidInput(_("Check the highlighted fields."),
                               fields={"agency_id": [_("No such agency.")]})
        return unit
    ids = sorted({g.agency_id for g in policy.grants_for(actor)
                  if g.action == REGISTER and g.agency_id})
    if not ids:
        raise PermissionDenied()
    if len(ids) > 1:
        raise InvalidInput(_("Check the highlighted fields."), fields={"agency_id": [
            _("You register documents for several agencies: choose one.")]})
    return OrgUnit.objects.get(pk=ids[0])


# --- for the outgoing work ----------------------------------------------------------------------


def delivery_status(outgoing: OutgoingDocument) -> list[dict[str, Any]]:
    """How an outgoing document issued inside eGov fares at each recipient agency (Phụ lục VI:
    the sender sees the processing status at the recipient): registered or not, arrival number
    and date, state, and each assignment's state. Two queries. The caller has checked that the
    actor may see `outgoing`."""
    docs = list(
        IncomingDocument.objects.filter(source=outgoing)
        .select_related("agency").defer(*HEAVY)
        .prefetch_related(Prefetch("assignments", queryset=Assignment.objects.select_related(
            "assignee_unit", "assignee_user").order_by("assigned_at", "pk")))
        .order_by("agency__name", "pk")
    )
    result = []
    for doc in docs:
        states = incoming_assignee_states(doc)
        result.append({
            "agency": {"id": doc.agency_id, "name": doc.agency.name},
            "incoming_id": doc.pk,
            "registered": True,
            "arrival_number": doc.arrival_number,
            "arrival_date": doc.arrival_date,
            "state": doc.state,
            "state_label": str(doc.get_state_display()),
            "completed_at": doc.completed_at,
            "cancelled_at": doc.cancelled_at,
            "assignments": [{
                "role": a.role,
                "assignee": (a.assignee_user.get_full_name() if a.assignee_user_id
                             else a.assignee_unit.name),
                "state": a.state,
                "outcome": a.outcome,
                "due_date": a.due_date,
                "first_viewed_at": a.first_viewed_at,
                "finished_at": a.finished_at,
            } for a in states],
        })
    return result
