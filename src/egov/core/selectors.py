"""Reads of the shared kernel that views and the API need, already filtered by what the actor may
see. Lists are keyset-paginated (see pagination.py) with a constant number of queries."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from . import calendar, policy
from .errors import InvalidInput, NotFound
from .models import ApiToken, OrgUnit, OrgUnitName, Position, WorkItem, WorkState
from .pagination import Page, check_limit, cursor_values, encode_cursor, keyset_filter, keyset_page

INBOX_ORDER = ("due_sort", "id")
ORGUNIT_ORDER = ("name", "id")
TOKEN_ORDER = ("-created_at", "-id")


def _valid_today(today: dt.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}valid_from__lte": today}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": today})
    )


# --- People -------------------------------------------------------------------------------------


def current_positions(user) -> list[Position]:
    """The user's own posts valid today (not delegated ones), primary first, with the unit and
    the roles loaded: two queries whatever the number of posts."""
    today = timezone.localdate()
    return list(
        Position.objects.filter(_valid_today(today), user=user)
        .select_related("org_unit")
        .prefetch_related("roles")
        .order_by("-is_primary", "id")
    )


def inbox_unit_ids(user) -> list[int]:
    """Ids of the units whose unassigned work lands in this user's inbox: the units of the posts
    the user holds today, and of the posts delegated to the user by a delegation in force today.
    One query."""
    today = timezone.localdate()
    own = Q(user=user)
    delegated = Q(delegations__delegate=user, delegations__start__lte=today,
                  delegations__end__gte=today)
    return sorted(set(
        Position.objects.filter(_valid_today(today) & (own | delegated))
        .order_by().values_list("org_unit_id", flat=True)
    ))


# --- Work items ---------------------------------------------------------------------------------


def _with_deadline_state(items: list[WorkItem]) -> list[WorkItem]:
    now = timezone.now()
    for item in items:
        item.deadline_state = ("immediate" if item.is_immediate
                               else calendar.deadline_state(item.due_at, now))
    return items


# The inbox's keys on PostgreSQL (inbox_page): the actor's own items and, per unit of a post held
# or delegated today (inbox_unit_ids), the unit's unassigned items — each branch an index-ordered
# scan of its partial index cut at the page size, merged and cut again. {after} is the keyset
# condition of the next pages.
_INBOX_KEYS_SQL = """
SELECT k.id FROM (
  (SELECT id, due_sort FROM core_workitem
    WHERE state = %s AND assignee_user_id = %s {after}
    ORDER BY due_sort, id LIMIT %s)
  UNION ALL
  (SELECT x.id, x.due_sort FROM (
     SELECT DISTINCT p.org_unit_id FROM core_position p
       LEFT JOIN core_delegation d ON d.position_id = p.id
      WHERE p.valid_from <= %s AND (p.valid_to IS NULL OR p.valid_to >= %s)
        AND (p.user_id = %s OR (d.delegate_id = %s AND d.start <= %s AND d."end" >= %s))
     ) units
   CROSS JOIN LATERAL (
     SELECT id, due_sort FROM core_workitem
      WHERE state = %s AND assignee_user_id IS NULL
        AND assignee_unit_id = units.org_unit_id {after}
      ORDER BY due_sort, id LIMIT %s) x)
  ORDER BY due_sort, id LIMIT %s) k
"""


def _inbox_rows_one_statement(actor, after_values, limit: int) -> list[WorkItem]:
    from django.db.models.expressions import RawSQL

    today = timezone.localdate()
    n = limit + 1
    after, after_params = "", []
    if after_values:
        after, after_params = "AND (due_sort, id) > (%s, %s)", list(after_values)
    sql = _INBOX_KEYS_SQL.format(after=after)
    params = [WorkState.OPEN, actor.pk, *after_params, n,
              today, today, actor.pk, actor.pk, today, today,
              WorkState.OPEN, *after_params, n, n]
    return list(WorkItem.objects.select_related("assignee_unit")
                .filter(pk__in=RawSQL(sql, params)).order_by(*INBOX_ORDER))


def inbox_page(*, actor, cursor: str | None = None, limit: int = 50) -> Page:
    """"Việc của tôi": the open work items of the actor, across modules, soonest deadline first.

    An item is in the inbox when it is assigned to the actor personally, or to no person but to a
    unit where the actor holds a post today (own posts and delegations in force today).

    Each branch of that OR is served by its own partial index (`workitem_open_user`,
    `workitem_open_unit`, both on (assignee, due_sort, id) WHERE state = 'open'). On PostgreSQL
    the branches are run as a UNION ALL of index-ordered, limited scans and merged, so the cost of
    a page does not grow with the size of the inbox; the page's rows are then loaded by primary
    key — all in ONE statement, the units of the actor's posts and delegations included (a
    statement costs more than the index scans of a page: three of them took 2.1x the time of
    the one; bench/bench_public_and_search.py --only inbox). SQLite: one statement with an OR
    after the units' (2 queries).
    """
    limit = check_limit(limit)
    if actor is None or not getattr(actor, "is_authenticated", False):
        return Page()
    base = WorkItem.objects.filter(state=WorkState.OPEN)
    after_values = cursor_values(base, INBOX_ORDER, cursor) if cursor else None

    if connection.vendor == "postgresql":
        rows = _inbox_rows_one_statement(actor, after_values, limit)
    else:
        units = inbox_unit_ids(actor)
        after = keyset_filter(INBOX_ORDER, after_values, base) if after_values else Q()
        mine = Q(assignee_user=actor)
        if units:
            mine |= Q(assignee_user__isnull=True, assignee_unit_id__in=units)
        rows = list(
            base.filter(after & mine).select_related("assignee_unit")
            .order_by(*INBOX_ORDER)[: limit + 1]
        )
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor([rows[-1].due_sort, rows[-1].pk]) if more and rows else None
    return Page(items=_with_deadline_state(rows), next=next_cursor)


def unit_work_page(*, actor, unit: OrgUnit, cursor: str | None = None, limit: int = 50,
                   state: str = WorkState.OPEN) -> Page:
    """The work items assigned to a unit (to the unit itself or to one of its people through the
    unit), for leaders and clerks who distribute work. Needs `core.view_unit_work` on the unit."""
    policy.require(actor, "core.view_unit_work", unit)
    if state not in WorkState.values:
        raise InvalidInput(_("Unknown state."), fields={"state": [_("Unknown state.")]})
    qs = WorkItem.objects.filter(assignee_unit=unit, state=state).select_related(
        "assignee_unit", "assignee_user"
    )
    page = keyset_page(qs, order=INBOX_ORDER, cursor=cursor, limit=limit)
    _with_deadline_state(page.items)
    return page


# --- Organisation units -------------------------------------------------------------------------


def orgunit_page(*, actor, cursor: str | None = None, limit: int = 50,
                 parent: int | None = None, q: str = "", include_closed: bool = False) -> Page:
    """Units by name. The organisation tree is not secret inside the administration: every
    signed-in user may list it. `q` matches name, abbreviation or electronic id."""
    qs: QuerySet = OrgUnit.objects.all()
    if parent is not None:
        qs = qs.filter(parent_id=parent)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(abbreviation__icontains=q)
                       | Q(electronic_id__icontains=q))
    if not include_closed:
        today = timezone.localdate()
        qs = qs.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
    return keyset_page(qs, order=ORGUNIT_ORDER, cursor=cursor, limit=limit)


def orgunit_get(*, actor, unit_id: int) -> OrgUnit:
    """One unit with its parent, successor and name history (three queries)."""
    unit = (
        OrgUnit.objects.select_related("parent", "successor")
        .prefetch_related(Prefetch("names", queryset=OrgUnitName.objects.order_by("valid_from")))
        .filter(pk=unit_id)
        .first()
    )
    if unit is None:
        raise NotFound(_("No such organisation unit."))
    return unit


def orgunit_name_on(unit: OrgUnit, day: dt.date) -> tuple[str, str]:
    """(name, abbreviation) the unit bore on `day`: old documents keep the names of their time."""
    row = (
        OrgUnitName.objects.filter(unit=unit, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .order_by("-valid_from")
        .first()
    )
    if row is None:
        return unit.name, unit.abbreviation
    return row.name, row.abbreviation


# --- API tokens ---------------------------------------------------------------------------------


def api_token_page(*, actor, cursor: str | None = None, limit: int = 50) -> Page:
    """The actor's own API tokens, newest first (revoked ones too, for the record)."""
    return keyset_page(ApiToken.objects.filter(user=actor), order=TOKEN_ORDER, cursor=cursor,
                       limit=limit)
