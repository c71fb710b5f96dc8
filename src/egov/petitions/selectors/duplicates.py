"""Duplicate suggestion (services.md §2.2 "Duplicates"; TT 05/2021/TT-TTCP: a denunciation with
the same content is forwarded only once): up to 5 earlier petitions of the same agency that look
like the same matter, by similarity of person and content. The officer confirms
(`Petition.duplicate_of` is set by the classification, not here).

How (migration 0003_slips_duplicates):
1. Candidates by content: the query's words (folded, stop words dropped) minus the words that
   are common in the agency's letters — on PostgreSQL estimated from the most common lexemes
   of the `dup_tsv` column and the agency's share of the rows as ANALYZE measured them
   (`pg_stats`), on SQLite the document counts of the FTS5 vocabulary — OR-ed in a full-text
   query (GIN (agency_id, dup_tsv) / FTS5), best 25 by rank.
2. Candidates by person: same personal ID, or the same name folded (indexes on the identity
   table), best 20 newest. Used for ranking only: the answer never says why a petition was
   suggested, and carries no identity.
3. Score of each candidate: content similarity = 0.4 × trigram similarity of the folded
   contents (pg_trgm `similarity()` on PostgreSQL, the same formula in Python on SQLite) + 0.6 ×
   the overlap of the meaningful words (stop words and administrative boilerplate dropped) —
   plus a person bonus (0.35 × 1.0 for the same ID, × the name's trigram similarity when ≥ 0.8).
   Kept when the content is similar (≥ CONTENT_MIN) or the person matches and the content is
   related (≥ PERSON_CONTENT_MIN): a person's unrelated earlier letter is not a duplicate.

The answer — code, date, kind, a snippet of the REDACTED content, a score — holds only
petitions the actor may see; the contents compared are the redacted ones on both sides (a
draft's content is redacted with its identity first), so identity never reaches the ranking's
output.
"""

from __future__ import annotations

import re
import time

from django.db import connection

from egov.core.search import fold, snippet
from egov.core.search import words as fold_words

from ..models import Petition, PetitionKind
from ..redaction import REDACTED, redact
from . import access

LIMIT = 5
CONTENT_CANDIDATES = 25
# Similarity looks at the first characters of each letter (as the generated dup_tsv column).
TRGM_CHARS = 20000
PERSON_CANDIDATES = 20
CONTENT_MIN = 0.40
PERSON_CONTENT_MIN = 0.30
# Content similarity = TRGM_WEIGHT × trigram similarity + the rest × overlap of the meaningful
# words (Jaccard, stop words dropped): trigrams alone rate two long unrelated letters ~0.45 in
# Vietnamese (the same syllables everywhere), the words tell the matters apart.
TRGM_WEIGHT = 0.4
PERSON_WEIGHT = 0.35
NAME_MIN = 0.8
# A word in more than this share of the agency's letters says nothing about the matter.
COMMON_SHARE = 0.02
MAX_QUERY_TERMS = 24
SNIPPET_WIDTH = 200
NO_LIMIT_ID = 2**62  # a draft: every recorded petition is earlier

# Folded Vietnamese function words and the words of every letter.
STOP_WORDS = frozenset("""
va la cua co cho cac nhung mot duoc khong da dang se voi tai tu den ve nay do thi ma nen vi
de boi neu khi nhu trong ngoai tren duoi sau truoc hon rat cung con nua hay hoac tung moi toi
chung ong ba anh chi em ho no gia dinh xin kinh gui de nghi don viec theo nam ngay thang so
uy ban nhan dan xa phuong thon to ap chu tich quy dinh phap luat kiem tra xem xet xu ly giai
quyet khieu nai cao kien phan anh lan nay van nhieu tren hien dong dan nguoi tien
""".split())

_TRGM_WORD = re.compile(r"[^\W_]+")


def trigrams(text: str) -> set[str]:
    """pg_trgm's trigrams of a (folded) text: each word padded "  w ", then every 3 letters."""
    out: set[str] = set()
    for w in _TRGM_WORD.findall(text.lower()):
        padded = f"  {w} "
        out.update(padded[i:i + 3] for i in range(len(padded) - 2))
    return out


def similarity(a: str, b: str) -> float:
    """pg_trgm similarity(): shared trigrams / all trigrams."""
    ta, tb = trigrams(a), trigrams(b)
    if not ta or not tb:
        return 0.0
    return len(ta & tb) / len(ta | tb)


def word_overlap(a_terms, text: str) -> float:
    """Jaccard of the meaningful words of the query and of `text`."""
    a, b = set(a_terms), set(_query_terms(text))
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def _query_terms(text: str) -> list[str]:
    seen: list[str] = []
    for w in fold_words(text, limit=10_000):
        if len(w) >= 2 and w not in STOP_WORDS and w not in seen:
            seen.append(w)
    return seen


# --- PostgreSQL ---------------------------------------------------------------------------------

_stats_cache: dict[str, tuple[float, dict]] = {}
STATS_TTL = 600.0


def _pg_stats() -> dict:
    """From the planner's statistics (refreshed by autovacuum's ANALYZE; cached per process for
    10 minutes): the share of the rows of the most common lexemes of `dup_tsv`
    (`most_common_elems`), and the share of the rows of each agency (`agency_id`'s most common
    values; the rest spread evenly over the other agencies)."""
    hit = _stats_cache.get("pg")
    if hit and time.monotonic() - hit[0] < STATS_TTL:
        return hit[1]
    stats = {"words": {}, "agencies": {}, "other_share": 1.0}
    with connection.cursor() as cur:
        cur.execute("SELECT attname, most_common_elems::text::text[], most_common_elem_freqs, "
                    "most_common_vals::text::text[], most_common_freqs, n_distinct "
                    "FROM pg_stats WHERE tablename = 'petitions_petition' "
                    "AND attname IN ('dup_tsv', 'agency_id')")
        rows = cur.fetchall()
        cur.execute("SELECT reltuples FROM pg_class WHERE relname = 'petitions_petition'")
        reltuples = max(1.0, float((cur.fetchone() or [1])[0] or 1))
    for attname, elems, elem_freqs, vals, freqs, n_distinct in rows:
        if attname == "dup_tsv" and elems:
            stats["words"] = dict(zip(elems, elem_freqs or [], strict=False))
        elif attname == "agency_id":
            shares = {int(v): f for v, f in zip(vals or [], freqs or [], strict=False)}
            distinct = n_distinct if n_distinct and n_distinct > 0 else \
                -(n_distinct or -1.0) * reltuples
            others = max(1.0, distinct - len(shares))
            stats["agencies"] = shares
            stats["other_share"] = max(1e-6, (1.0 - sum(shares.values())) / others)
    _stats_cache["pg"] = (time.monotonic(), stats)
    return stats


def _pg_rare(agency_id: int, terms: list[str]) -> list[str]:
    """The terms that are not common in the agency's letters. The statistics are for the whole
    table; a word's share within the agency is at most its share of the table divided by the
    agency's share of the rows — used as the estimate (cautious: a word common elsewhere may
    be dropped; the person candidates still find the same petitioner's letters)."""
    stats = _pg_stats()
    share = stats["agencies"].get(agency_id) or stats["other_share"]
    words = stats["words"]
    return [t for t in terms if words.get(t, 0.0) / share <= COMMON_SHARE]


def _pg_scored(agency_id, content, terms, personal_id, name,
               before_id) -> dict[int, tuple[float, float]]:
    """Candidates and their scores in ONE statement (each round trip costs on a busy server):
    by content — the agency's letters matching any uncommon word, best CONTENT_CANDIDATES by
    ts_rank (GIN (agency_id, dup_tsv)); by person — the identity indexes first (personal ID,
    folded name), then the agency, newest PERSON_CANDIDATES; then for each, pg_trgm similarity
    of the folded contents, the word overlap from the stored
    `dup_tsv` lexemes, and the person's similarity."""
    rare = _pg_rare(agency_id, terms)[:MAX_QUERY_TERMS]
    branches = []
    params: dict = {"content": content[:TRGM_CHARS], "agency": agency_id,
                    "before": before_id, "pid": personal_id, "name": name,
                    "terms": list(terms), "stop": list(STOP_WORDS)}
    if rare:
        params.update(tsq=" | ".join(rare), nc=CONTENT_CANDIDATES)
        branches.append(
            "(SELECT id FROM petitions_petition, to_tsquery('simple', %(tsq)s) tq "
            # agency_id + 0: filter the few matches of the uncommon words by agency rather than
            # AND them with the agency's whole bitmap (each word matches at most ~2 % of the
            # agency's rows in the whole table, see _pg_rare).
            " WHERE agency_id + 0 = %(agency)s AND dup_tsv @@ tq AND id < %(before)s "
            " ORDER BY ts_rank(dup_tsv, tq) DESC, id DESC LIMIT %(nc)s)")
    if personal_id or name:
        params.update(np=PERSON_CANDIDATES)
        # = ANY(ARRAY(…)): the few identity rows first, whatever the planner estimates.
        branches.append(
            "(SELECT p.id FROM petitions_petition p WHERE p.id = ANY(ARRAY("
            "   SELECT petition_id FROM petitions_petitionidentity "
            "   WHERE personal_id <> '' AND personal_id = %(pid)s "
            "   UNION SELECT petition_id FROM petitions_petitionidentity "
            "   WHERE full_name <> '' AND egov_search_fold(full_name) = egov_search_fold(%(name)s)"
            " )) AND p.agency_id = %(agency)s AND p.id < %(before)s "
            " ORDER BY p.id DESC LIMIT %(np)s)")
    if not branches:
        return {}
    sql = (
        "WITH q AS (SELECT egov_search_fold(%(content)s) AS t), c AS ("
        + " UNION ".join(branches) + ") "
        # pg_trgm compares sets of per-word trigrams: the stored lexemes (folded words, the
        # first 20,000 characters) give the same similarity as the folded text, without
        # folding every candidate again.
        "SELECT p.id, similarity(array_to_string(tsvector_to_array(p.dup_tsv), ' '), q.t), "
        "CASE WHEN %(pid)s <> '' AND i.personal_id = %(pid)s THEN 1.0 "
        "WHEN %(name)s <> '' AND i.full_name <> '' THEN "
        "similarity(egov_search_fold(i.full_name), egov_search_fold(%(name)s)) ELSE 0 END, "
        # ts_delete on the sorted lexemes: how many query words the letter has, and how many
        # meaningful words it has.
        "length(p.dup_tsv) - length(ts_delete(p.dup_tsv, %(terms)s::text[])), "
        "length(ts_delete(p.dup_tsv, %(stop)s::text[])) "
        "FROM q, c JOIN petitions_petition p ON p.id = c.id "
        "LEFT JOIN petitions_petitionidentity i ON i.petition_id = p.id")
    out = {}
    with connection.cursor() as cur:
        cur.execute(sql, params)
        for pk, trgm, person, inter, total in cur.fetchall():
            union = len(terms) + total - inter
            out[pk] = (_content_score(float(trgm), inter / union if union else 0.0),
                       float(person))
    return out


# --- SQLite -------------------------------------------------------------------------------------

def _sqlite_candidates(agency_id, terms, personal_id, name, before_id) -> set[int]:
    ids: set[int] = set()
    with connection.cursor() as cur:
        if terms:
            cur.execute("SELECT COALESCE(MAX(id), 0) FROM petitions_petition")
            total = cur.fetchone()[0] or 1
            marks = ",".join("%s" for _ in terms)
            cur.execute(f"SELECT term, doc FROM petitions_dup_vocab WHERE term IN ({marks})",
                        terms)
            counts = dict(cur.fetchall())
            limit = max(50, COMMON_SHARE * total)
            rare = [t for t in terms if counts.get(t, 0) <= limit][:MAX_QUERY_TERMS]
            if rare:
                match = " OR ".join(f'"{t}"' for t in rare)
                cur.execute(
                    "SELECT p.id FROM petitions_dup_fts f JOIN petitions_petition p "
                    "ON p.id = f.rowid WHERE petitions_dup_fts MATCH %s AND p.agency_id = %s "
                    "AND p.id < %s ORDER BY bm25(petitions_dup_fts), p.id DESC LIMIT %s",
                    [match, agency_id, before_id, CONTENT_CANDIDATES])
                ids.update(r[0] for r in cur.fetchall())
        if personal_id or name:
            cur.execute(
                "SELECT p.id FROM petitions_petitionidentity i "
                "JOIN petitions_petition p ON p.id = i.petition_id "
                "WHERE p.agency_id = %s AND p.id < %s AND ("
                "(i.personal_id <> '' AND i.personal_id = %s) OR "
                "(i.full_name <> '' AND i.full_name = %s COLLATE NOCASE)) "
                "ORDER BY p.id DESC LIMIT %s",
                [agency_id, before_id, personal_id or "\x01", name or "\x01",
                 PERSON_CANDIDATES])
            ids.update(r[0] for r in cur.fetchall())
    return ids


def _py_scores(ids, content, terms, personal_id, name) -> dict[int, tuple[float, float]]:
    from ..models import PetitionIdentity

    idents = {i.petition_id: i for i in PetitionIdentity.objects.filter(petition_id__in=ids)
              .only("petition_id", "personal_id", "full_name")}
    out = {}
    folded = fold(content[:TRGM_CHARS])
    for pk, text in Petition.objects.filter(pk__in=ids).values_list("pk", "content"):
        ident = idents.get(pk)
        person = 0.0
        if ident is not None:
            if personal_id and ident.personal_id == personal_id:
                person = 1.0
            elif name and ident.full_name:
                person = similarity(fold(ident.full_name), fold(name))
        out[pk] = (_content_score(similarity(fold(text[:TRGM_CHARS]), folded),
                                  word_overlap(terms, text[:TRGM_CHARS])), person)
    return out


# --- the suggestion -----------------------------------------------------------------------------

def _content_score(trigram: float, words: float) -> float:
    return TRGM_WEIGHT * trigram + (1 - TRGM_WEIGHT) * words


def _score(content_sim: float, person: float) -> float | None:
    person = person if person >= NAME_MIN else 0.0
    if content_sim >= CONTENT_MIN or (person and content_sim >= PERSON_CONTENT_MIN):
        return min(1.0, content_sim + PERSON_WEIGHT * person)
    return None


def _suggest(*, actor, agency_id: int, content: str, personal_id: str, name: str,
             before_id: int | None, limit: int) -> list[dict]:
    content = (content or "").replace(REDACTED, " ")
    terms = _query_terms(content)
    personal_id = (personal_id or "").strip()
    name = " ".join((name or "").split())
    before_id = before_id or NO_LIMIT_ID
    if connection.vendor == "postgresql":
        scores = _pg_scored(agency_id, content, terms, personal_id, name, before_id)
    else:
        ids = _sqlite_candidates(agency_id, terms, personal_id, name, before_id)
        scores = _py_scores(ids, content, terms, personal_id, name) if ids else {}
    ranked = sorted(((s, pk) for pk, (c, p) in scores.items()
                     if (s := _score(c, p)) is not None), reverse=True)
    if not ranked:
        return []
    keep = [pk for _s, pk in ranked[:limit * 4]]
    rows = {p.pk: p for p in Petition.objects.filter(access.visible_q(actor), pk__in=keep)
            .only("pk", "code", "received_at", "kind", "content")}
    out = []
    for s, pk in ranked:
        p = rows.get(pk)
        if p is None:
            continue
        text = p.content or ""
        snip = snippet(text, terms[:MAX_QUERY_TERMS], width=SNIPPET_WIDTH) or text[:SNIPPET_WIDTH]
        out.append({"id": p.pk, "code": p.code, "received_at": p.received_at, "kind": p.kind,
                    "kind_label": PetitionKind(p.kind).label if p.kind else "",
                    "snippet": snip, "score": round(s, 3)})
        if len(out) >= limit:
            break
    return out


def duplicates_for(*, actor, petition: Petition, limit: int = LIMIT) -> list[dict]:
    """Up to `limit` earlier petitions of `petition`'s agency that may be duplicates, best first:
    [{"id", "code", "received_at", "kind", "snippet", "score"}] (no identity)."""
    from ..models import PetitionIdentity

    ident = (PetitionIdentity.objects.filter(petition=petition)
             .only("petition_id", "personal_id", "full_name").first())
    return _suggest(actor=actor, agency_id=petition.agency_id, content=petition.content,
                    personal_id=ident.personal_id if ident else "",
                    name=ident.full_name if ident else "", before_id=petition.pk,
                    limit=limit)


def duplicates_for_draft(*, actor, agency, content: str, identity: dict,
                         limit: int = LIMIT) -> list[dict]:
    """The same for a letter not yet recorded (the intake form): `content` as written and the
    `identity` typed ({"full_name", "personal_id", …}); the content is redacted first."""
    identity = dict(identity or {})
    return _suggest(actor=actor, agency_id=agency.pk, content=redact(content, identity),
                    personal_id=identity.get("personal_id", ""),
                    name=identity.get("full_name", ""), before_id=None, limit=limit)


def may_suggest(actor, petition: Petition) -> bool:
    """Those who classify: the receiving officer and the handler, holders of
    `petitions.receive` or `petitions.decide` on the agency, `petitions.process` on the handling
    unit (who may see the petition at all)."""
    from egov.core import policy

    if not access.may_view(actor, petition):
        return False
    if actor.pk in (petition.received_by_id, petition.handler_id):
        return True
    if any(policy.can(actor, a, petition.agency) for a in (access.RECEIVE, "petitions.decide")):
        return True
    return petition.handling_unit_id is not None and policy.can(actor, access.PROCESS,
                                                                 petition.handling_unit)


def duplicates_get(*, actor, pk: int, limit: int = LIMIT) -> list[dict]:
    """The API's answer: 404 when the actor may not see petition `pk`, 403 when the actor sees it
    but does not classify."""
    from egov.core.errors import PermissionDenied

    petition = access.petition_get(actor=actor, pk=pk)
    if not may_suggest(actor, petition):
        raise PermissionDenied()
    return duplicates_for(actor=actor, petition=petition, limit=limit)
