"""Code search (`123/qd-ubnd`): one short page, read in one statement (issue 9 §4).

A code matches few documents and the index finds them at once (btree text_pattern_ops for a
prefix, pg_trgm for a substring); what cost the time was around the statement: the actor's
posts, grants and units (three queries), one statement per kind, model instances with their
agency and type, a URL reversed per row. Here:

- PostgreSQL, search by code alone (no other filter): one call of a PL/pgSQL function,
  egov_code_prefix_search (migration documents 0012) for a prefix, egov_code_substring_search
  (0013) for a substring. Planning the ordinary statement cost 0.65-1.2 ms (prefix) and
  1.4-1.7 ms at load 10 (substring: the CTEs, the visibility sub-queries) on every search;
  inside a function PostgreSQL keeps its plan for the connection (a generic plan, JIT off), so
  a search pays only the run. The functions test each match on its own (its agency's and
  drafting unit's rows by primary key against the actor's grants, its assignments by the index
  on document_id) and read the names of the page's rows by primary key: nothing in them grows
  with the number of units. They read the actor's posts, roles and delegations in the same
  statement, so a revoked grant stops working at the next search
  (tests/documents/test_code_prefix_search.py, test_code_substring_search.py). A first page
  is ONE statement for both: the prefix function, and the substring function only when the
  prefix found nothing (run_code_or_substring: `NOT EXISTS` over the prefix's rows, a one-time
  filter), so a substring search costs one round trip, not two.
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


# --- PostgreSQL: one call of a PL/pgSQL function -----------------------------------------------


def _prefix_upper(needle: str) -> str | None:
    """The least string above every string that starts with `needle` in text_pattern_ops
    order (the bytes of UTF-8, i.e. code points): `needle` with its last character's code
    point plus one; None when there is no such character."""
    nxt = ord(needle[-1]) + 1
    if nxt > 0x10FFFF or 0xD800 <= nxt <= 0xDFFF:
        return None
    return needle[:-1] + chr(nxt)


# The prefix and substring searches as PL/pgSQL functions (migrations documents 0012, 0013):
# their statement is planned once per database connection (a generic plan, JIT off) instead of
# on every search. Arguments: the actor, today, the folded needle, then the prefix function's
# upper bound and LIKE prefix or the substring function's LIKE prefix and LIKE pattern, the
# kinds, superuser, limit + 1 and the cursor.
_FUNCTION = "SELECT * FROM {}(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"


def _arguments(actor, kinds: list[str], needle: str, first: str, second: str,
               after: tuple | None, limit: int) -> list:
    rank = moment = cursor_kind = pk = None
    if after is not None:
        (rank, moment), cursor_kind, pk = after
    return [actor.pk, timezone.localdate(), needle, first, second, "incoming" in kinds,
            "outgoing" in kinds, actor.is_superuser, limit + 1, rank, moment, cursor_kind, pk]


def _function(name: str, actor, kinds: list[str], needle: str, first: str, second: str,
              after: tuple | None, limit: int) -> list[dict]:
    with connections[IncomingDocument.objects.db].cursor() as cursor:
        cursor.execute(_FUNCTION.format(name),
                       _arguments(actor, kinds, needle, first, second, after, limit))
        return [dict(zip(CODE_VALUES, row, strict=True)) for row in cursor.fetchall()]


# The first page of a code search: codes starting with the needle, or when none (that the actor
# sees) does, codes containing it, in one round trip. The substring function runs only when
# the prefix function gave no row (an uncorrelated NOT EXISTS is a one-time filter: "never
# executed" in EXPLAIN ANALYZE otherwise).
_CODE_OR_SUBSTRING = (
    "WITH c AS MATERIALIZED (" + _FUNCTION.format("egov_code_prefix_search") + ") "
    "SELECT 'code', c.* FROM c UNION ALL "
    "SELECT 'substring', s.* FROM (" + _FUNCTION.format("egov_code_substring_search") + ") s "
    "WHERE NOT EXISTS (SELECT 1 FROM c)")


def _one_statement(actor, p: SearchParams, mode: str, after: tuple | None,
                   limit: int) -> list[dict]:
    kinds = [k for k in KINDS if p.kind in ("", k)]
    needle = fold(p.q)
    if len(needle) < 3:  # as INCOMING_INDEX.code_search: trigrams need three characters
        return []
    prefix = like_escape(needle) + "%"
    upper = _prefix_upper(needle) if mode == "code" else None
    if upper is not None:
        return _function("egov_code_prefix_search", actor, kinds, needle, upper, prefix, after,
                         limit)
    # a substring; or a prefix with no upper bound (its last character the last code point),
    # which the pg_trgm index answers as LIKE 'needle%'
    pattern = prefix if mode == "code" else "%" + like_escape(needle) + "%"
    return _function("egov_code_substring_search", actor, kinds, needle, prefix, pattern, after,
                     limit)


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


def _by_function(p: SearchParams) -> bool:
    """PostgreSQL and a search by code alone (kind aside): the PL/pgSQL functions."""
    return (not (p.as_query().keys() - {"q", "kind"})
            and connections[IncomingDocument.objects.db].vendor == "postgresql")


def run_codes(actor, p: SearchParams, mode: str, after: tuple | None,
              limit: int) -> tuple[list[CodeRow], bool]:
    """The first `limit + 1` rows (CodeRow) after the cursor of a code search (`mode` "code":
    codes starting with `p.q`; "substring": codes containing it), and whether there are more."""
    if not _active(actor):
        return [], False
    if _by_function(p):
        found = _one_statement(actor, p, mode, after, limit)
    else:
        found = _querysets_as_values(actor, p, mode, after, limit)
    return _rows(found, limit)


def run_code_or_substring(actor, p: SearchParams, limit: int) -> tuple[str, list[CodeRow], bool]:
    """The first page of a code search: ("code", rows, more) when codes the actor sees start
    with `p.q`, else ("substring", rows, more) of the codes containing it. On PostgreSQL one
    statement (_CODE_OR_SUBSTRING); elsewhere run_codes for each mode in turn."""
    needle = fold(p.q)
    upper = _prefix_upper(needle) if len(needle) >= 3 else None
    if not (_active(actor) and upper is not None and _by_function(p)):
        rows, more = run_codes(actor, p, "code", None, limit)
        if rows:
            return "code", rows, more
        return "substring", *run_codes(actor, p, "substring", None, limit)
    kinds = [k for k in KINDS if p.kind in ("", k)]
    prefix = like_escape(needle) + "%"
    with connections[IncomingDocument.objects.db].cursor() as cursor:
        cursor.execute(_CODE_OR_SUBSTRING, [
            *_arguments(actor, kinds, needle, upper, prefix, None, limit),
            *_arguments(actor, kinds, needle, prefix, "%" + like_escape(needle) + "%", None,
                        limit)])
        found = cursor.fetchall()
    mode = found[0][0] if found else "substring"
    return mode, *_rows([dict(zip(CODE_VALUES, row[1:], strict=True)) for row in found], limit)


def _rows(found: list[dict], limit: int) -> tuple[list[CodeRow], bool]:
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
