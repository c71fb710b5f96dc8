"""Search over incoming and outgoing documents, only what the actor may see (visibility.py).

Modes, chosen from `q`:

- **code** — `q` looks like a number and notation (`123/qd-ubnd`, `15/2024`, `12/UBND-VP`,
  `^\\d+/\\S+$`): the folded codes STARTING with it (PostgreSQL: btree text_pattern_ops;
  SQLite: FTS5 trigram + LIKE), the same code first, then newest first. When no code starts
  with it → **substring**: codes CONTAINING it (pg_trgm / FTS5 trigram). When none contains it
  → **text** with the words of `q`.
- **text** — any other `q`: every word must occur (folded: no diacritics, đ → d) in the subject,
  the metadata (code, type, issuer, signer, notes) or the PDF's text; ranked by relevance
  (bm25 / ts_rank_cd, the subject weighing most), top 20 first. Any FTS5 syntax in `q` is
  neutralised: only the words (letters and digits) are searched, each quoted.
- **browse** — no `q`, only filters: newest first.

Pagination (decided: relevance with a keyset cursor, not offsets): the cursor holds the mode and
the last row's (keys…, kind, id) — (relevance), (code rank, date) or (date) — so "Xem tiếp"
never repeats or skips a row and nothing is ever counted. Each page asks each visibility branch
of each kind (see below) for `limit + 1` rows in the order and merges them: a constant number of
queries (≤ 4 for the documents + the actor's posts and grants, cached on the user). A code
search is one statement on PostgreSQL, the actor's posts and grants included (code_search.py).
Ranking has to look at every visible match, so a later page costs about as much as the first; a
relevance search is meant to be refined, not walked to its end.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce, Substr
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core import policy
from egov.core.errors import InvalidInput
from egov.core.models import OrgUnit
from egov.core.pagination import Page, check_limit, encode_cursor
from egov.core.search import highlight, snippet, words

from .. import search as search_index  # noqa: F401  (connects the index-maintenance signals)
from ..models import (
    URGENT_LEVELS,
    Assignment,
    IncomingDocument,
    IncomingState,
    OutgoingDocument,
    OutgoingState,
    SavedSearch,
    Urgency,
)
from ..search import INCOMING_INDEX, OUTGOING_INDEX
from .visibility import current_unit_ids, incoming_visible_q, outgoing_visible_q

KINDS = ("incoming", "outgoing")
PARAM_KEYS = ("q", "kind", "type", "issuer", "unit", "from", "to", "state", "urgency")
MAX_QUERY_CHARS = 200
MAX_LIMIT = 50
BIGINT = 2**63 - 1
CODE_QUERY = re.compile(r"^\d{1,11}/\S+$")
TYPE_CODE = re.compile(r"^[-a-zA-Z0-9_]{1,20}$")
SNIPPET_SOURCE_CHARS = 4000


# --- parameters -----------------------------------------------------------------------------------


@dataclass
class SearchParams:
    q: str = ""
    kind: str = ""
    type: str = ""
    issuer: str = ""
    unit: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    state: str = ""
    urgency: str = ""

    def as_query(self) -> dict[str, str]:
        """The non-empty parameters as strings, under their URL names (for links and saved
        searches)."""
        values = {
            "q": self.q, "kind": self.kind, "type": self.type, "issuer": self.issuer,
            "unit": str(self.unit) if self.unit else "",
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
            "state": self.state, "urgency": self.urgency,
        }
        return {k: v for k, v in values.items() if v}

    @property
    def is_empty(self) -> bool:
        return not self.as_query()

    @property
    def mode(self) -> str:
        if not self.q:
            return "browse"
        return "code" if CODE_QUERY.match(self.q) else "text"


def _text(data: Mapping[str, Any], key: str, errors: dict, max_length: int) -> str:
    value = data.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        value = str(value)
    if "\x00" in value or any(0xD800 <= ord(ch) <= 0xDFFF for ch in value):
        errors[key] = [_("Remove control characters.")]
        return ""
    value = " ".join(value.split())
    if len(value) > max_length:
        errors[key] = [_("At most %(max)s characters.") % {"max": max_length}]
        return ""
    return value


def _date(data: Mapping[str, Any], key: str, errors: dict) -> dt.date | None:
    value = data.get(key)
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        day = dt.date.fromisoformat(str(value).strip())
    except ValueError:
        errors[key] = [_("Enter a valid date (YYYY-MM-DD).")]
        return None
    if not 1900 <= day.year <= 9998:
        errors[key] = [_("Enter a valid date (YYYY-MM-DD).")]
        return None
    return day


STATE_VALUES = {value for value, _label in IncomingState.choices} | {
    value for value, _label in OutgoingState.choices}
URGENCY_VALUES = {value for value, _label in Urgency.choices}


def search_params(data: Mapping[str, Any]) -> SearchParams:
    """Parse and check search parameters (URL names: q, kind, type, issuer, unit, from, to,
    state, urgency). Unknown keys are ignored; bad values raise InvalidInput (422) naming the
    field."""
    errors: dict[str, list[str]] = {}
    p = SearchParams()
    p.q = _text(data, "q", errors, MAX_QUERY_CHARS)
    if p.q and p.mode == "text" and not words(p.q):
        errors["q"] = [_("Enter at least one letter or digit.")]
    p.issuer = _text(data, "issuer", errors, 200)
    p.kind = _text(data, "kind", errors, 20)
    if p.kind and p.kind not in KINDS:
        errors["kind"] = [_("Choose one of: %(values)s.") % {"values": ", ".join(KINDS)}]
    p.type = _text(data, "type", errors, 20)
    if p.type and not TYPE_CODE.match(p.type):
        errors["type"] = [_("Unknown document type.")]
    p.state = _text(data, "state", errors, 20)
    if p.state and p.state not in STATE_VALUES:
        errors["state"] = [_("Unknown state.")]
    p.urgency = _text(data, "urgency", errors, 20)
    if p.urgency and p.urgency not in URGENCY_VALUES:
        errors["urgency"] = [_("Unknown urgency.")]
    unit = data.get("unit")
    if unit not in (None, ""):
        try:
            p.unit = int(str(unit).strip())
        except ValueError:
            p.unit = None
        if p.unit is None or not 1 <= p.unit <= BIGINT:
            errors["unit"] = [_("Enter a whole number.")]
            p.unit = None
    p.date_from = _date(data, "from", errors)
    p.date_to = _date(data, "to", errors)
    if p.date_from and p.date_to and p.date_from > p.date_to:
        errors["to"] = [_("The end date is before the start date.")]
    if errors:
        raise InvalidInput(_("Check the search fields."), fields=errors)
    return p


# --- visibility, in index-friendly pieces ---------------------------------------------------------
#
# visibility.py says what the actor may see with joins (`agency__agency_id__in`, `…__path__…`)
# and an EXISTS on assignments under an OR; on a million rows PostgreSQL then fetches every
# document matching the words before it can drop the invisible ones. The search asks the same
# question in pieces an index can answer: the units whose documents the actor may see are
# listed first (one small query), so the agency branch becomes `agency_id IN (…)` — answered
# with the words by one scan of the GIN index on (agency_id, search_vector) — and the
# assignments, drafts and signatures become their own queries (driven by their btrees). tests/documents/test_search.py checks that the pieces give exactly
# what incoming_visible_q / outgoing_visible_q give.

SCOPED_ACTIONS = ("documents.view_all", "documents.review_format", "documents.issue",
                  "documents.review_content")


def _action_units(actor) -> dict[str, list[int] | None]:
    """For each scoped action: the ids of the units accepted by policy.unit_q(actor, action, …)
    (None: every unit). One query, cached on the actor like the grants."""
    cached = getattr(actor, "_egov_search_units", None)
    if cached is not None:
        return cached
    grants = [g for g in policy.grants_for(actor) if g.action in SCOPED_ACTIONS]
    result: dict[str, list[int] | None] = {action: [] for action in SCOPED_ACTIONS}
    for g in grants:
        if g.scope == "all":
            result[g.action] = None
    scoped = [g for g in grants if g.scope in ("unit", "agency") and result[g.action] is not None
              and (g.scope == "unit" or g.agency_id)]
    if scoped:
        cond = Q(pk__in=[])
        for g in scoped:
            cond |= (Q(agency_id=g.agency_id) if g.scope == "agency"
                     else Q(path__startswith=g.unit_path))
        units = list(OrgUnit.objects.filter(cond).values_list("id", "path", "agency_id"))
        for g in scoped:
            ids = result[g.action]
            ids.extend(pk for pk, path, agency in units
                       if (agency == g.agency_id if g.scope == "agency"
                           else path.startswith(g.unit_path)))
    result = {a: (sorted(set(ids)) if ids is not None else None) for a, ids in result.items()}
    actor._egov_search_units = result
    return result


def _active(actor) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False) and actor.is_active


def incoming_search_branches(actor) -> list[Q]:
    """Filters whose union is incoming_visible_q(actor), each one index-friendly."""
    if not _active(actor):
        return []
    if actor.is_superuser:
        return [Q()]
    units = _action_units(actor)["documents.view_all"]
    if units is None:
        return [Q()]
    assigned = Exists(Assignment.objects.filter(document=OuterRef("pk")).filter(
        Q(assignee_user=actor) | Q(assignee_unit_id__in=current_unit_ids(actor))))
    return ([Q(agency_id__in=units)] if units else []) + [Q(assigned)]


def outgoing_search_branches(actor) -> list[Q]:
    """Filters whose union is outgoing_visible_q(actor): the agencies' documents (served by the
    (agency_id, search_vector) index) and the actor's own drafts, signatures and reviews."""
    if not _active(actor):
        return []
    if actor.is_superuser:
        return [Q()]
    units = _action_units(actor)
    agency_actions = ("documents.view_all", "documents.review_format", "documents.issue")
    if any(units[a] is None for a in agency_actions) or units["documents.review_content"] is None:
        return [Q()]
    agencies = sorted({u for a in agency_actions for u in units[a]})
    own = Q(drafter=actor) | Q(signer=actor)
    if units["documents.review_content"]:
        own |= Q(drafting_unit_id__in=units["documents.review_content"])
    return ([Q(agency_id__in=agencies)] if agencies else []) + [own]


# --- filters per kind -----------------------------------------------------------------------------


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _incoming_filtered(qs: QuerySet, p: SearchParams) -> QuerySet:
    if p.type:
        qs = qs.filter(doc_type__code=p.type)
    if p.state:
        qs = qs.filter(state=p.state)
    if p.urgency:
        qs = qs.filter(urgency=p.urgency)
    if p.unit:
        qs = qs.filter(Q(agency_id=p.unit) | Exists(Assignment.objects.filter(
            document=OuterRef("pk"), assignee_unit_id=p.unit)))
    if p.date_from:
        qs = qs.filter(arrival_date__gte=_day_start(p.date_from))
    if p.date_to:
        qs = qs.filter(arrival_date__lt=_day_start(p.date_to + dt.timedelta(days=1)))
    if p.issuer:
        qs = INCOMING_INDEX.folded_contains(qs, '"documents_incomingdocument"."issuer_name"',
                                           p.issuer)
    return qs.annotate(sort_at=F("arrival_date"))


def _outgoing_filtered(qs: QuerySet, p: SearchParams) -> QuerySet:
    if p.type:
        qs = qs.filter(doc_type__code=p.type)
    if p.state:
        qs = qs.filter(state=p.state)
    if p.urgency:
        qs = qs.filter(urgency=p.urgency)
    if p.unit:
        qs = qs.filter(Q(agency_id=p.unit) | Q(drafting_unit_id=p.unit))
    if p.date_from or p.date_to:
        issued, drafted = Q(issued_date__isnull=False), Q(issued_date__isnull=True)
        if p.date_from:
            issued &= Q(issued_date__gte=p.date_from)
            drafted &= Q(created_at__gte=_day_start(p.date_from))
        if p.date_to:
            issued &= Q(issued_date__lte=p.date_to)
            drafted &= Q(created_at__lt=_day_start(p.date_to + dt.timedelta(days=1)))
        qs = qs.filter(issued | drafted)
    if p.issuer:
        agencies = OUTGOING_INDEX.folded_contains(OrgUnit.objects.all(), '"core_orgunit"."name"',
                                                  p.issuer)
        qs = qs.filter(agency_id__in=agencies.values("pk"))
    return qs.annotate(sort_at=Coalesce("issued_at", "created_at"))


def _querysets(actor, p: SearchParams, mode: str) -> list[tuple[str, QuerySet]]:
    """(kind, queryset) for the kinds the parameters allow: one per visibility branch when the
    words or the filters may match much (text, browse), one per kind for codes (few matches:
    the visibility filter as it is costs nothing there)."""
    split = mode in ("text", "browse")
    result = []
    if p.kind != "outgoing" and not (p.state and p.state not in IncomingState.values):
        branches = (incoming_search_branches(actor) if split
                    else [incoming_visible_q(actor)] if _active(actor) else [])
        for branch in branches:
            result.append(("incoming", _incoming_filtered(
                IncomingDocument.objects.filter(branch), p)))
    if p.kind != "incoming" and not (p.state and p.state not in OutgoingState.values):
        branches = (outgoing_search_branches(actor) if split
                    else [outgoing_visible_q(actor)] if _active(actor) else [])
        for branch in branches:
            result.append(("outgoing", _outgoing_filtered(
                OutgoingDocument.objects.filter(branch), p)))
    return result


# --- cursor ---------------------------------------------------------------------------------------

MODE_KEYS = {"text": ("search_rank",), "code": ("code_rank", "sort_at"),
             "substring": ("code_rank", "sort_at"), "browse": ("sort_at",)}


def _bad_cursor() -> InvalidInput:
    return InvalidInput(
        _("The page cursor is not valid. Start again from the first page."),
        fields={"cursor": [_("Invalid cursor.")]}, code="bad_cursor",
    )


def _decode_cursor(cursor: str, allowed_modes: tuple[str, ...]) -> tuple[str, list, str, int]:
    """(mode, key values, kind, id) of a cursor made by `_encode_cursor`."""
    if not isinstance(cursor, str) or len(cursor) > 1000:
        raise _bad_cursor()
    try:
        raw = base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode("ascii"))
        values = json.loads(raw.decode())
    except (ValueError, UnicodeError, binascii.Error):
        raise _bad_cursor() from None
    if not isinstance(values, list) or not values or values[0] not in allowed_modes:
        raise _bad_cursor()
    mode = values[0]
    keys = MODE_KEYS[mode]
    if len(values) != len(keys) + 3:
        raise _bad_cursor()
    kind, pk = values[-2], values[-1]
    if kind not in KINDS or isinstance(pk, bool) or not isinstance(pk, int) or not (
            1 <= pk <= BIGINT):
        raise _bad_cursor()
    converted = []
    for key, value in zip(keys, values[1:-2], strict=True):
        if key == "search_rank":
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(
                    value):
                raise _bad_cursor()
            converted.append(float(value))
        elif key == "code_rank":
            if isinstance(value, bool) or not isinstance(value, int) or value not in (0, 1, 2):
                raise _bad_cursor()
            converted.append(int(value))
        else:
            try:
                moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
            except ValueError:
                moment = None
            if moment is None or moment.tzinfo is None:
                raise _bad_cursor()
            converted.append(moment)
    return mode, converted, kind, pk


def _encode_cursor(mode: str, row) -> str:
    return encode_cursor([mode, *(getattr(row, k) for k in MODE_KEYS[mode]), row.search_kind,
                          row.pk])


def _after(keys: tuple[str, ...], values: list, sub_kind: str, kind: str, pk: int) -> Q:
    """Rows after the cursor in the order (keys… DESC, kind ASC, id DESC), for the rows of
    `sub_kind`."""
    result = Q(pk__in=[])
    equal = Q()
    for key, value in zip(keys, values, strict=True):
        result |= equal & Q(**{f"{key}__lt": value})
        equal &= Q(**{key: value})
    if sub_kind > kind:
        result |= equal
    elif sub_kind == kind:
        result |= equal & Q(pk__lt=pk)
    return result


# --- results --------------------------------------------------------------------------------------


@dataclass
class SearchHit:
    kind: str
    id: int
    code: str
    subject: str
    issuer: str
    agency: str
    date: dt.date | None
    type_code: str
    type_name: str
    state: str
    state_label: str
    urgency: str
    urgency_label: str
    is_urgent: bool
    url: str
    score: float | None = None
    snippet: str = ""
    subject_parts: list[tuple[str, bool]] = field(default_factory=list)


def _detail_url(kind: str, pk: int) -> str:
    try:
        return reverse(f"documents:{kind}_detail", args=[pk])
    except NoReverseMatch:
        return f"/documents/{kind}/{pk}/"


def _hit(row, kind: str, mode: str, query_words: list[str]) -> SearchHit:
    if kind == "incoming":
        date = timezone.localtime(row.arrival_date).date() if row.arrival_date else None
        issuer = row.issuer_name
        state_label = IncomingState(row.state).label if row.state in IncomingState.values \
            else row.state
    else:
        date = row.issued_date or (timezone.localtime(row.created_at).date()
                                   if row.created_at else None)
        issuer = row.agency.name
        state_label = OutgoingState(row.state).label if row.state in OutgoingState.values \
            else row.state
    score = getattr(row, "search_rank", None) if mode == "text" else None
    text_head = getattr(row, "text_head", "") or ""
    return SearchHit(
        kind=kind, id=row.pk, code=row.code, subject=row.subject, issuer=issuer,
        agency=row.agency.name, date=date, type_code=row.doc_type.code,
        type_name=row.doc_type.name, state=row.state, state_label=str(state_label),
        urgency=row.urgency,
        urgency_label=str(Urgency(row.urgency).label) if row.urgency in Urgency.values
        else row.urgency,
        is_urgent=row.urgency in URGENT_LEVELS, url=_detail_url(kind, row.pk), score=score,
        snippet=snippet(text_head, query_words) if query_words and text_head else "",
        subject_parts=highlight(row.subject, query_words) if query_words
        else [(row.subject, False)],
    )


def _run(actor, p: SearchParams, mode: str, after: tuple | None, limit: int,
         query_words: list[str]) -> tuple[list, bool]:
    """The first `limit + 1` rows after the cursor, merged over the kinds and visibility
    branches (one query each; codes: one query for both kinds, see _run_codes)."""
    if mode in ("code", "substring"):
        from .code_search import run_codes  # it builds on this module

        return run_codes(actor, p, mode, after, limit)
    keys = MODE_KEYS[mode]
    rows, seen = [], set()
    indexes = {"incoming": INCOMING_INDEX, "outgoing": OUTGOING_INDEX}
    for kind, qs in _querysets(actor, p, mode):
        index = indexes[kind]
        if mode == "text":
            qs = index.text_search(qs, query_words)
        elif mode == "code":
            qs = index.code_search(qs, p.q, prefix_only=True)
        elif mode == "substring":
            qs = index.code_search(qs, p.q)
        if after is not None:
            values, cursor_kind, cursor_pk = after
            qs = qs.filter(_after(keys, values, kind, cursor_kind, cursor_pk))
        qs = qs.select_related("doc_type", "agency").defer(
            *(("text_content", "signature_report") if kind == "incoming"
              else ("text_content",)))
        if mode == "text":
            qs = qs.annotate(text_head=Substr("text_content", 1, SNIPPET_SOURCE_CHARS))
        for row in qs.order_by(*(f"-{k}" for k in keys), "-pk")[: limit + 1]:
            if (kind, row.pk) in seen:  # visible through two branches
                continue
            seen.add((kind, row.pk))
            row.search_kind = kind
            rows.append(row)
    rows.sort(key=lambda r: -r.pk)
    rows.sort(key=lambda r: r.search_kind)
    for key in reversed(keys):
        rows.sort(key=lambda r, key=key: getattr(r, key), reverse=True)
    return rows, len(rows) > limit


def document_search(*, actor, q: str = "", filters: Mapping[str, Any] | None = None,
                    cursor: str | None = None, limit: int = 20) -> Page:
    """One page of `SearchHit`s over the incoming and outgoing documents the actor may see.

    `filters` (URL names): kind ("incoming"/"outgoing"), type (DocumentType code), issuer (text,
    folded substring of the issuing agency), unit (OrgUnit id: the document's agency, a unit it
    is assigned to, or the drafting unit), from/to (arrival date / issue date — creation date for
    drafts — inclusive), state, urgency. Raises InvalidInput (422) for bad parameters or a bad
    cursor.

    A code (`123/qd-ubnd`) is looked for as the start of the folded code first (btree); when no
    code starts with it, anywhere in the code (trigrams); when no code contains it, as words."""
    limit = check_limit(limit, MAX_LIMIT)
    # not {**filters}: a QueryDict would give its lists of values
    p = search_params({**{key: filters[key] for key in (filters or {})}, "q": q})
    mode = p.mode
    query_words = words(p.q) if p.q else []
    if cursor:
        allowed = ("code", "substring", "text") if mode == "code" else (mode,)
        mode, values, kind, pk = _decode_cursor(cursor, allowed)
        rows, more = _run(actor, p, mode, (values, kind, pk), limit, query_words)
    else:
        if mode == "code":  # a code's start; when no code starts with it, anywhere in a code
            from .code_search import run_code_or_substring  # it builds on this module

            mode, rows, more = run_code_or_substring(actor, p, limit)
        else:
            rows, more = _run(actor, p, mode, None, limit, query_words)
        if mode == "substring" and not rows and query_words:
            mode = "text"  # no code contains it: look for the words instead
            rows, more = _run(actor, p, mode, None, limit, query_words)
    rows = rows[:limit]
    if mode in ("code", "substring"):
        from .code_search import code_hits

        hits = code_hits(rows)
    else:
        hits = [_hit(r, r.search_kind, mode, query_words if mode == "text" else [])
                for r in rows]
    return Page(items=hits, next=_encode_cursor(mode, rows[-1]) if more and rows else None)


# --- saved searches -------------------------------------------------------------------------------


def saved_search_list(*, actor) -> list[SavedSearch]:
    """The actor's saved searches by name (at most services.search.MAX_SAVED_SEARCHES)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return []
    return list(SavedSearch.objects.filter(user=actor).order_by("name", "id"))
