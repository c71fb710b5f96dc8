"""Code search (`123/qd-ubnd`): one short page, read in one statement (issue 9 §4).

A code matches few documents and the index finds them at once (btree text_pattern_ops for a
prefix, pg_trgm for a substring); what cost the time was around the statement: the actor's
posts, grants and units (three queries), one statement per kind, model instances with their
agency and type, a URL reversed per row. Here:

- PostgreSQL, search by code prefix alone (no other filter): one call of the PL/pgSQL function
  egov_code_prefix_search (migration documents 0012). Planning the statement below cost
  0.65-1.2 ms on every search against 0.2-0.4 ms to run it; inside a function PostgreSQL keeps
  its plan for the connection (a generic plan, JIT off), so a search pays only the run. The
  function tests each match on its own (its agency's and drafting unit's rows by primary key
  against the actor's grants, its assignments by the index on document_id) and reads the names
  of the page's rows by primary key: nothing in it grows with the number of units. It reads
  the actor's posts, roles and delegations in the same statement, so a revoked grant stops
  working at the next search (tests/documents/test_code_prefix_search.py).
- PostgreSQL, search by code substring alone: ONE statement. The actor's posts, grants
  and the units they cover are read inside it (CTEs `pos`, `g`, `units_*`: the rules of
  `policy.grants_for` and `visibility.incoming_visible_q` / `outgoing_visible_q`), or, when
  policy.grants_for already read them in the request (the search page does), given to it as
  array parameters, which PostgreSQL plans in less time (tests/documents/test_search.py
  checks both give the same documents), each kind is an
  index-ordered, limited branch of a UNION ALL reading no other table, and the agency and type
  names are joined to the ≤ 2 × (limit + 1) rows of the page; tuples, no model instances.
- Otherwise (SQLite, or filters besides the code): the ORM querysets of search.py, read as
  values (no instances), both kinds in one UNION where the database allows it.
"""

from __future__ import annotations

from django.db import connections
from django.db.models import CharField, F, Value
from django.utils import timezone

from egov.core.search import fold, like_escape

from ..models import URGENT_LEVELS, IncomingDocument, IncomingState, OutgoingState, Urgency
from ..search import INCOMING_INDEX, OUTGOING_INDEX
from .search import (
    KINDS,
    MODE_KEYS,
    SearchHit,
    SearchParams,
    _active,
    _after,
    _detail_url,
    _querysets,
)

CODE_VALUES = ("id", "code", "subject", "state", "urgency", "issued_date", "created_at",
               "search_kind", "sort_at", "code_rank", "issuer", "agency_name", "type_code",
               "type_name")
STATE_LABELS = {"incoming": dict(IncomingState.choices), "outgoing": dict(OutgoingState.choices)}
URGENCY_LABELS = dict(Urgency.choices)


class CodeRow:
    """One row of a code search (CODE_VALUES as attributes, for the cursor)."""

    def __init__(self, values: dict) -> None:
        self.__dict__.update(values)
        self.pk = values["id"]


# --- PostgreSQL: one statement ------------------------------------------------------------------

# The actor's posts today (own or delegated) and their grants of the actions that show
# documents: policy.grants_for in SQL.
_SCOPE_CTE = """
WITH pos AS MATERIALIZED (
  SELECT p.id, p.org_unit_id, u.path, u.agency_id
    FROM core_position p JOIN core_orgunit u ON u.id = p.org_unit_id
   WHERE p.id IN (SELECT id FROM core_position WHERE user_id = %(me)s
                  UNION ALL
                  SELECT position_id FROM core_delegation WHERE delegate_id = %(me)s
                     AND start <= %(today)s AND "end" >= %(today)s)
     AND p.valid_from <= %(today)s AND (p.valid_to IS NULL OR p.valid_to >= %(today)s)
), g AS MATERIALIZED (
  SELECT DISTINCT rg.action, rg.scope, pos.path, pos.agency_id
    FROM core_rolegrant rg
    JOIN core_position_roles pr ON pr.role_id = rg.role_id
    JOIN pos ON pos.id = pr.position_id
   WHERE rg.action IN ('documents.view_all', 'documents.review_format', 'documents.issue',
                       'documents.review_content')
)
"""


def _units(name: str, actions: str) -> str:
    """CTE: the units over which the actor holds one of `actions` (policy._covers)."""
    return (f", {name} AS MATERIALIZED (SELECT ou.id FROM core_orgunit ou WHERE EXISTS ("
            f"SELECT 1 FROM g WHERE g.action IN ({actions}) AND (g.scope = 'all' "
            f"OR (g.scope = 'agency' AND g.agency_id = ou.agency_id) "
            f"OR (g.scope = 'unit' AND starts_with(ou.path, g.path)))))")


_UNITS_CTE = (_units("units_in", "'documents.view_all'")
              + _units("units_out", "'documents.view_all', 'documents.review_format', "
                                    "'documents.issue'")
              + _units("units_draft", "'documents.review_content'"))

_VISIBLE = {
    # visibility.incoming_visible_q
    "incoming": "(d.agency_id IN (SELECT id FROM units_in) OR EXISTS (SELECT 1 FROM "
                "documents_assignment x WHERE x.document_id = d.id AND (x.assignee_user_id = "
                "%(me)s OR x.assignee_unit_id IN (SELECT org_unit_id FROM pos))))",
    # visibility.outgoing_visible_q
    "outgoing": "(d.agency_id IN (SELECT id FROM units_out) OR d.drafting_unit_id IN (SELECT id "
                "FROM units_draft) OR d.drafter_id = %(me)s OR d.signer_id = %(me)s)",
}

# When the actor's grants are already loaded (policy's cache on the user), the same rules are
# given as array parameters instead: a statement PostgreSQL plans like a plain filter (planning
# the CTEs above costs more than running them).
_IN_ACTIONS = ("documents.view_all",)
_OUT_ACTIONS = ("documents.view_all", "documents.review_format", "documents.issue")
_DRAFT_ACTIONS = ("documents.review_content",)
_SCOPE_ACTIONS = [*_OUT_ACTIONS, *_DRAFT_ACTIONS]


def _cached_scope(actor):
    """The actor's grants (action, scope, unit path, agency id) of the actions that show
    documents and the units of their posts, when policy.grants_for already read them in this
    request (the search page does, for its unit choices); None otherwise."""
    grants = getattr(actor, "_egov_grants", None)
    units = getattr(actor, "_egov_position_units", None)
    if grants is None or units is None:
        return None
    return ([(g.action, g.scope, g.unit_path, g.agency_id) for g in grants
             if g.action in _SCOPE_ACTIONS], list(units))


def _units_sql(grants, actions: tuple[str, ...], column: str, params: dict,
               name: str) -> str | None:
    """SQL: `column` is a unit over which the actor holds one of `actions` (policy._covers);
    "TRUE" for a grant of every unit, None when there is none."""
    mine = [g for g in grants if g[0] in actions]
    if any(scope == "all" for _a, scope, _p, _ag in mine):
        return "TRUE"
    agencies = sorted({ag for _a, scope, _p, ag in mine if scope == "agency" and ag is not None})
    paths = sorted({like_escape(path) + "%" for _a, scope, path, _ag in mine if scope == "unit"})
    tests = []
    if agencies:
        params[f"{name}_ag"] = agencies
        tests.append(f"ou.agency_id = ANY(%({name}_ag)s)")
    if paths:
        params[f"{name}_paths"] = paths
        tests.append(f"ou.path LIKE ANY(%({name}_paths)s)")
    if not tests:
        return None
    return f"{column} IN (SELECT ou.id FROM core_orgunit ou WHERE {' OR '.join(tests)})"


def _visible_sql(kind: str, scope, params: dict) -> str:
    """SQL: the rules of visibility.incoming_visible_q / outgoing_visible_q for an actor whose
    scope (_cached_scope) is known, as array parameters."""
    grants, units = scope
    if kind == "incoming":
        parts = [_units_sql(grants, _IN_ACTIONS, "d.agency_id", params, "u_in")]
        params["pos_units"] = units
        parts.append("EXISTS (SELECT 1 FROM documents_assignment x WHERE x.document_id = d.id "
                     "AND (x.assignee_user_id = %(me)s OR x.assignee_unit_id = "
                     "ANY(%(pos_units)s)))")
    else:
        parts = [_units_sql(grants, _OUT_ACTIONS, "d.agency_id", params, "u_out"),
                 _units_sql(grants, _DRAFT_ACTIONS, "d.drafting_unit_id", params, "u_draft"),
                 "d.drafter_id = %(me)s", "d.signer_id = %(me)s"]
    parts = [p for p in parts if p is not None]
    return "TRUE" if "TRUE" in parts else "(" + " OR ".join(parts) + ")"


# Each kind: the index-ordered, limited matches (no join: the names are joined to the page).
_BRANCH = """
  (SELECT * FROM (
     SELECT d.id, d.code, d.subject, d.state, d.urgency, d.issued_date, d.created_at,
            '{kind}'::text AS search_kind, {sort_at} AS sort_at,
            CASE WHEN lower(f_unaccent(d.code)) = %(needle)s THEN 2
                 WHEN lower(f_unaccent(d.code)) LIKE %(prefix)s THEN 1 ELSE 0 END AS code_rank,
            {issuer}::text AS issuer, d.agency_id, d.doc_type_id
       FROM {table} d
      WHERE lower(f_unaccent(d.code)) LIKE %(pattern)s AND {visible}) r
    WHERE {after}
    ORDER BY code_rank DESC, sort_at DESC, id DESC LIMIT %(n)s)"""
_BRANCH_PARTS = {
    "incoming": {"table": "documents_incomingdocument", "sort_at": "d.arrival_date",
                 "issuer": "d.issuer_name"},
    "outgoing": {"table": "documents_outgoingdocument",
                 "sort_at": "coalesce(d.issued_at, d.created_at)", "issuer": "NULL"},
}
_PAGE = """
SELECT r.id, r.code, r.subject, r.state, r.urgency, r.issued_date, r.created_at, r.search_kind,
       r.sort_at, r.code_rank, coalesce(r.issuer, a.name), a.name, t.code, t.name
  FROM ({branches}) r
  JOIN core_orgunit a ON a.id = r.agency_id
  JOIN documents_documenttype t ON t.id = r.doc_type_id
"""


def _after_sql(kind: str, after: tuple | None) -> str:
    """SQL: rows after the cursor in the order (code_rank, sort_at DESC, kind, id DESC)."""
    if after is None:
        return "TRUE"
    _values, cursor_kind, _pk = after
    same = "r.code_rank = %(a_rank)s AND r.sort_at = %(a_at)s"
    tail = ("TRUE" if kind > cursor_kind else "r.id < %(a_id)s" if kind == cursor_kind
            else "FALSE")
    return (f"(r.code_rank < %(a_rank)s OR (r.code_rank = %(a_rank)s AND r.sort_at < %(a_at)s)"
            f" OR ({same} AND {tail}))")


def _prefix_upper(needle: str) -> str | None:
    """The least string above every string that starts with `needle` in text_pattern_ops
    order (the bytes of UTF-8, i.e. code points): `needle` with its last character's code
    point plus one; None when there is no such character."""
    nxt = ord(needle[-1]) + 1
    if nxt > 0x10FFFF or 0xD800 <= nxt <= 0xDFFF:
        return None
    return needle[:-1] + chr(nxt)


# The prefix search as a PL/pgSQL function (migration documents 0012): its statement is
# planned once per database connection (a generic plan, JIT off) instead of on every search.
_PREFIX_FUNCTION = ("SELECT * FROM egov_code_prefix_search(%s, %s, %s, %s, %s, %s, %s, %s, %s, "
                    "%s, %s, %s, %s)")


def _prefix_function(actor, kinds: list[str], needle: str, upper: str, prefix: str,
                     after: tuple | None, limit: int) -> list[dict]:
    rank = moment = cursor_kind = pk = None
    if after is not None:
        (rank, moment), cursor_kind, pk = after
    with connections[IncomingDocument.objects.db].cursor() as cursor:
        cursor.execute(_PREFIX_FUNCTION, [
            actor.pk, timezone.localdate(), needle, upper, prefix, "incoming" in kinds,
            "outgoing" in kinds, actor.is_superuser, limit + 1, rank, moment, cursor_kind, pk])
        return [dict(zip(CODE_VALUES, row, strict=True)) for row in cursor.fetchall()]


def _one_statement(actor, p: SearchParams, mode: str, after: tuple | None,
                   limit: int) -> list[dict]:
    kinds = [k for k in KINDS if p.kind in ("", k)]
    needle = fold(p.q)
    if len(needle) < 3:  # as INCOMING_INDEX.code_search: trigrams need three characters
        return []
    prefix = like_escape(needle) + "%"
    upper = _prefix_upper(needle) if mode == "code" else None
    if upper is not None:
        return _prefix_function(actor, kinds, needle, upper, prefix, after, limit)
    superuser = actor.is_superuser
    scope = None if superuser else _cached_scope(actor)
    params = {"me": actor.pk, "today": timezone.localdate(), "needle": needle,
              "prefix": prefix, "pattern": prefix if mode == "code"
              else "%" + like_escape(needle) + "%", "n": limit + 1}
    branches = [_BRANCH.format(kind=kind, visible="TRUE" if superuser else _VISIBLE[kind]
                               if scope is None else _visible_sql(kind, scope, params),
                               after=_after_sql(kind, after), **_BRANCH_PARTS[kind])
                for kind in kinds]
    sql = (("" if superuser or scope is not None else _SCOPE_CTE.rstrip() + _UNITS_CTE)
           + _PAGE.format(branches="\n  UNION ALL".join(branches)))
    if after is not None:
        (rank, moment), _kind, pk = after
        params.update({"a_rank": rank, "a_at": moment, "a_id": pk})
    with connections[IncomingDocument.objects.db].cursor() as cursor:
        cursor.execute(sql, params)
        return [dict(zip(CODE_VALUES, row, strict=True)) for row in cursor.fetchall()]


# --- any database: the ORM querysets, as values ---------------------------------------------------


def _querysets_as_values(actor, p: SearchParams, mode: str, after: tuple | None,
                         limit: int) -> list[dict]:
    keys = MODE_KEYS[mode]
    indexes = {"incoming": INCOMING_INDEX, "outgoing": OUTGOING_INDEX}
    parts = []
    for kind, qs in _querysets(actor, p, mode):
        qs = indexes[kind].code_search(qs, p.q, prefix_only=mode == "code")
        if after is not None:
            values, cursor_kind, cursor_pk = after
            qs = qs.filter(_after(keys, values, kind, cursor_kind, cursor_pk))
        issuer = F("issuer_name") if kind == "incoming" else F("agency__name")
        qs = qs.annotate(search_kind=Value(kind, output_field=CharField()), issuer=issuer,
                         agency_name=F("agency__name"), type_code=F("doc_type__code"),
                         type_name=F("doc_type__name"))
        parts.append(qs.values(*CODE_VALUES).order_by(*(f"-{k}" for k in keys), "-pk")
                     [: limit + 1])
    if len(parts) > 1 and connections[parts[0].db].features.supports_slicing_ordering_in_compound:
        return list(parts[0].union(*parts[1:], all=True))  # one statement
    return [row for part in parts for row in part]


def run_codes(actor, p: SearchParams, mode: str, after: tuple | None,
              limit: int) -> tuple[list[CodeRow], bool]:
    """The first `limit + 1` rows (CodeRow) after the cursor of a code search (`mode` "code":
    codes starting with `p.q`; "substring": codes containing it), and whether there are more."""
    if not _active(actor):
        return [], False
    only_code = not (p.as_query().keys() - {"q", "kind"})
    if only_code and connections[IncomingDocument.objects.db].vendor == "postgresql":
        found = _one_statement(actor, p, mode, after, limit)
    else:
        found = _querysets_as_values(actor, p, mode, after, limit)
    rows, seen = [], set()
    for values in found:
        if (values["search_kind"], values["id"]) not in seen:  # visible through two branches
            seen.add((values["search_kind"], values["id"]))
            rows.append(CodeRow(values))
    rows.sort(key=lambda r: (-r.code_rank, -r.sort_at.timestamp(), r.search_kind, -r.pk))
    return rows, len(rows) > limit


def code_hits(rows: list[CodeRow]) -> list[SearchHit]:
    """SearchHits of code-search rows, with no query and one URL reversal per kind."""
    marker = 987654321987
    urls = {kind: _detail_url(kind, marker).replace(str(marker), "{}") for kind in KINDS}
    tz = timezone.get_current_timezone()
    hits = []
    for r in rows:
        kind = r.search_kind
        if kind == "incoming":
            date = r.sort_at.astimezone(tz).date() if r.sort_at else None
        else:
            date = r.issued_date or (r.created_at.astimezone(tz).date() if r.created_at
                                     else None)
        hits.append(SearchHit(
            kind=kind, id=r.pk, code=r.code, subject=r.subject, issuer=r.issuer or "",
            agency=r.agency_name, date=date, type_code=r.type_code, type_name=r.type_name,
            state=r.state, state_label=str(STATE_LABELS[kind].get(r.state, r.state)),
            urgency=r.urgency, urgency_label=str(URGENCY_LABELS.get(r.urgency, r.urgency)),
            is_urgent=r.urgency in URGENT_LEVELS, url=urls[kind].format(r.pk),
            subject_parts=[(r.subject, False)]))
    return hits
