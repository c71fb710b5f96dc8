"""Fast document lists: a visibility filter made of ORs (an agency's documents, or assigned to
me, or to my unit…) cannot use one index for "newest first", so PostgreSQL would fetch and sort
every visible row before returning the first 50.

Instead a list is split into *branches*, each a plain condition served by an index in the list's
order (the documents of one agency on (agency, -date, -id); the assignments of one person or one
unit on (assignee, -doc_arrival_date, -document)…). Each branch returns at most `limit + 1`
distinct keys (date, id) in that order; the branches are combined with UNION (which also drops a
document reached by two branches), ordered and cut to `limit + 1` in ONE query; the rows are then
loaded by primary key. The cost of a page does not depend on how many documents the actor sees.

Why it is exact: a document among the first n of the union is, in each branch containing it,
preceded only by documents that also precede it in the union, so it is among that branch's
first n distinct keys.

The UNION is written as `SELECT * FROM (<branch>) AS bN UNION …` so that each branch keeps its
ORDER BY / LIMIT on SQLite too: the same code path runs on both databases.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Q, QuerySet

from egov.core import policy
from egov.core.models import OrgUnit

# Above this many branches of one kind, one branch with `IN (…)` replaces them.
MAX_BRANCHES = 60


def after_q(date_field: str, id_field: str, values: Sequence) -> Q:
    """Rows strictly after the cursor (date, id) in descending order; the leading range lets the
    index scan start at the cursor."""
    at, pk = values
    return Q(**{f"{date_field}__lte": at}) & (
        Q(**{f"{date_field}__lt": at}) | Q(**{date_field: at, f"{id_field}__lt": pk}))


def branch_keys(qs: QuerySet, date_field: str, id_field: str, limit: int) -> QuerySet:
    """The first `limit` distinct (date, id) keys of a branch, newest first."""
    return (qs.order_by(f"-{date_field}", f"-{id_field}")
            .values_list(date_field, id_field).distinct()[:limit])


def first_ids(branches: Iterable[QuerySet], limit: int) -> list[int]:
    """Ids of the first `limit` distinct keys of the union of the branches (each made by
    `branch_keys`), newest first. One query (none when there is no branch)."""
    parts: list[str] = []
    params: list = []
    using = None
    for qs in branches:
        try:
            sql, branch_params = qs.query.get_compiler(using=qs.db).as_sql()
        except EmptyResultSet:  # e.g. `pk__in=[]`: nothing to add
            continue
        using = using or qs.db
        parts.append(f"SELECT * FROM ({sql}) AS b{len(parts)}")
        params.extend(branch_params)
    if not parts:
        return []
    sql = " UNION ".join(parts) + f" ORDER BY 1 DESC, 2 DESC LIMIT {int(limit)}"
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        ids: list[int] = []
        for _at, pk in cursor.fetchall():
            if pk not in ids:
                ids.append(pk)
        return ids


def split(qs: QuerySet, field_name: str, ids: Sequence[int]) -> list[QuerySet]:
    """One branch per id (`field = id`), or a single `field IN (…)` branch when there are more
    than MAX_BRANCHES ids."""
    if len(ids) > MAX_BRANCHES:
        return [qs.filter(**{f"{field_name}__in": list(ids)})]
    return [qs.filter(**{field_name: pk}) for pk in ids]


def in_order(rows: Iterable, ids: list[int]) -> list:
    by_id = {row.pk: row for row in rows}
    return [by_id[pk] for pk in ids if pk in by_id]


# --- who sees which agencies and units ----------------------------------------------------------


@dataclass
class Scope:
    """What a set of grants covers, as lists of ids: `everything` (superuser or an "all"
    grant), else `agencies` (the ids of agencies seen entirely) and `units` (ids of units —
    e.g. drafting units — seen entirely)."""

    everything: bool = False
    agencies: list[int] = field(default_factory=list)
    units: list[int] = field(default_factory=list)


def scope_of(actor, *, agency_actions: Sequence[str] = (),
             unit_actions: Sequence[str] = ()) -> Scope:
    """The scope given by `agency_actions` read on a document's agency field (as
    `policy.unit_q(actor, action, "agency")`: agency scope → that agency, unit scope → the
    agencies whose path is under the unit) and by `unit_actions` read on a unit field such as
    the drafting unit (agency scope → every unit of the agency, unit scope → the subtree).
    Grants cached on the actor + at most one query on the units."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return Scope()
    if actor.is_superuser:
        return Scope(everything=True)
    grants = policy.grants_for(actor)
    wanted = set(agency_actions) | set(unit_actions)
    if any(g.scope == "all" and g.action in wanted for g in grants):
        return Scope(everything=True)
    agencies = {g.agency_id for g in grants
                if g.action in agency_actions and g.scope == "agency" and g.agency_id}
    agency_paths = sorted({g.unit_path for g in grants
                           if g.action in agency_actions and g.scope == "unit"})
    unit_agencies = sorted({g.agency_id for g in grants
                            if g.action in unit_actions and g.scope == "agency" and g.agency_id})
    unit_paths = sorted({g.unit_path for g in grants
                         if g.action in unit_actions and g.scope == "unit"})
    units: set[int] = set()
    if agency_paths or unit_agencies or unit_paths:
        where = Q(agency_id__in=unit_agencies) if unit_agencies else Q(pk__in=[])
        for path in {*agency_paths, *unit_paths}:
            where |= Q(path__startswith=path)
        for pk, agency_id, path in OrgUnit.objects.filter(where).values_list(
                "pk", "agency_id", "path"):
            if pk == agency_id and any(path.startswith(p) for p in agency_paths):
                agencies.add(pk)
            if agency_id in unit_agencies or any(path.startswith(p) for p in unit_paths):
                units.add(pk)
    return Scope(agencies=sorted(agencies), units=sorted(units))


def as_datetime_bounds(since: dt.datetime | None, until: dt.datetime | None,
                       date_field: str) -> Q:
    q = Q()
    if since is not None:
        q &= Q(**{f"{date_field}__gte": since})
    if until is not None:
        q &= Q(**{f"{date_field}__lt": until})
    return q
