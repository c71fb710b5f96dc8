"""Search: one folding function, two backends (ARCHITECTURE.md §3 "Search"; components.md §4).

`fold(text)` lower-cases, removes the diacritics (NFD, then the combining marks are dropped),
turns đ/Đ into d (U+0111 has no Unicode decomposition, so NFD alone keeps it) and normalises the
white space. It is applied to the indexed text and to the queries alike, so "quyet dinh dong"
finds "Quyết định … đồng" and "123/qd-ubnd" finds "123/QĐ-UBND".

A module describes each searchable table with a `FullTextIndex` and asks it for querysets:

    INDEX = FullTextIndex(table="documents_incomingdocument", name="documents_incoming",
                          columns=("subject", "meta", "body"), weights=(10.0, 3.0, 1.0))
    qs = INDEX.text_search(qs, "quyet dinh dong")      # filtered, annotated `search_rank`
    qs = INDEX.code_search(qs, "123/qd-ubnd")          # filtered, annotated `code_rank`

- **SQLite**: an FTS5 table `<name>_fts` (rowid = the row's primary key; one column per
  `columns`, `tokenize='unicode61 remove_diacritics 2'`) holding the FOLDED text, ranked with
  `bm25()`; and an FTS5 table `<name>_code` (`tokenize='trigram'`) over the folded code, for
  substring search of codes. The module writes both from the application (`sqlite_write` /
  `sqlite_delete`) because SQLite cannot fold đ itself.
- **PostgreSQL**: the table has a `search_vector tsvector` column (weights A, B, C for the
  columns in order) kept by a trigger of the module and a GIN index; ranking with `ts_rank_cd`.
  Codes: a pg_trgm GIN index on `lower(f_unaccent(code))` and `LIKE '%…%'`.
  `postgres_setup_sql()` creates what every module shares: the extensions `unaccent`,
  `pg_trgm` and `btree_gin` (all three in Debian's postgresql-15 package; CREATE EXTENSION needs
  a superuser: in production create them once as the superuser before `egov migrate`, e.g.
  `psql -d egov -c 'CREATE EXTENSION IF NOT EXISTS unaccent; CREATE EXTENSION IF NOT EXISTS
  pg_trgm; CREATE EXTENSION IF NOT EXISTS btree_gin'`; the migration then finds them), the
  IMMUTABLE wrapper
  `f_unaccent`, the folding function `egov_search_fold` (the SQL twin of `fold`, plus
  punctuation → space) and the text search configuration `vi_unaccent`.

Scores are "higher is better" on both backends (`search_rank` = −bm25 on SQLite).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connections
from django.db.models import BooleanField, FloatField, IntegerField, QuerySet
from django.db.models.expressions import RawSQL

# Letters that look like đ but have no decomposition either: Đ/đ (Vietnamese), Ð/ð (Icelandic
# eth, met in text converted from old Vietnamese encodings), Ɖ/ɖ (African D).
_D_LIKE = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "Ð": "d", "ɖ": "d", "Ɖ": "d"})
_WORD = re.compile(r"[^\W_]+")

MAX_QUERY_WORDS = 16


def fold(text: str | None) -> str:
    """Lower case, diacritics removed, đ/Đ → d, white space collapsed to single spaces."""
    if not text:
        return ""
    text = unicodedata.normalize("NFD", text.translate(_D_LIKE).lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.split())


def words(text: str | None, limit: int = MAX_QUERY_WORDS) -> list[str]:
    """The folded words (letters and digits) of a text, at most `limit`, in order."""
    return _WORD.findall(fold(text))[:limit]


def fold_spans(text: str) -> tuple[str, list[int]]:
    """The folded text char by char (no white-space collapsing) and, for each folded character,
    the index of the original character it comes from; used to highlight matches."""
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        for f in fold(ch) or (" " if ch.isspace() else ""):
            out.append(f)
            index.append(i)
    return "".join(out), index


def highlight(text: str, query_words: Sequence[str], *, limit: int = 8) -> list[tuple[str, bool]]:
    """`text` cut into (segment, is_match) pairs, a match being a whole word equal (folded) to one
    of `query_words` — for <mark> in templates, never HTML here."""
    if not text or not query_words:
        return [(text, False)] if text else []
    folded, index = fold_spans(text)
    pattern = re.compile(
        r"(?<![^\W_])(" + "|".join(re.escape(w) for w in sorted(set(query_words), key=len,
                                                                  reverse=True)) + r")(?![^\W_])"
    )
    parts: list[tuple[str, bool]] = []
    last = 0
    for count, m in enumerate(pattern.finditer(folded)):
        if count >= limit:
            break
        start, end = index[m.start()], index[m.end() - 1] + 1
        if start < last:
            continue
        if start > last:
            parts.append((text[last:start], False))
        parts.append((text[start:end], True))
        last = end
    if last < len(text):
        parts.append((text[last:], False))
    return parts


def snippet(text: str, query_words: Sequence[str], *, width: int = 160) -> str:
    """About `width` characters of `text` around the first query word found (folded), or ""."""
    if not text or not query_words:
        return ""
    folded, index = fold_spans(text)
    best = None
    for w in query_words:
        m = re.search(r"(?<![^\W_])" + re.escape(w) + r"(?![^\W_])", folded)
        if m and (best is None or m.start() < best):
            best = m.start()
    if best is None:
        return ""
    centre = index[best]
    start = max(0, centre - width // 3)
    end = min(len(text), start + width)
    piece = " ".join(text[start:end].split())
    return ("… " if start > 0 else "") + piece + (" …" if end < len(text) else "")


def like_escape(text: str) -> str:
    """Escape LIKE's wildcards (use with ESCAPE '\\')."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def fts5_phrase(text: str) -> str:
    """A string as one FTS5 phrase: quoted, inner quotes doubled. Nothing the user types can
    then be read as FTS5 syntax (AND/OR/NOT/NEAR, *, ^, :, -, parentheses)."""
    return '"' + text.replace('"', '""') + '"'


def fts5_all_words(query_words: Sequence[str]) -> str:
    """An FTS5 MATCH expression requiring every word (implicit AND of quoted phrases)."""
    return " ".join(fts5_phrase(w) for w in query_words)


# --- SQLite: the fold as an SQL function ---------------------------------------------------------


def _sqlite_fold(value):
    return fold(value) if isinstance(value, str) else value


def register_sqlite_functions(connection) -> None:
    """Make `egov_fold(text)` available on a SQLite connection (idempotent, cheap)."""
    if connection.vendor != "sqlite":
        return
    connection.ensure_connection()
    raw = connection.connection
    if getattr(raw, "_egov_fold", False):
        return
    raw.create_function("egov_fold", 1, _sqlite_fold, deterministic=True)
    try:
        raw._egov_fold = True
    except AttributeError:  # a C connection object without a __dict__: register each time
        pass


def _on_connection_created(sender, connection, **kwargs) -> None:
    register_sqlite_functions(connection)


def connect_signals() -> None:
    from django.db.backends.signals import connection_created

    connection_created.connect(_on_connection_created, dispatch_uid="egov.core.search.fold")


connect_signals()


# --- PostgreSQL: shared objects --------------------------------------------------------------------


def postgres_setup_sql() -> list[str]:
    """Idempotent statements creating what every search index shares on PostgreSQL.

    `CREATE EXTENSION` needs a superuser (pg_trgm and btree_gin are "trusted" since PostgreSQL 13
    and may be created by a database owner; unaccent is not); in production run them once as the
    superuser before `egov migrate`."""
    return [
        "CREATE EXTENSION IF NOT EXISTS unaccent",
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        # GIN operator classes for plain columns: one GIN index over (agency_id, search_vector)
        # answers "these words in this agency" without reading every match of the words.
        "CREATE EXTENSION IF NOT EXISTS btree_gin",
        # unaccent() is only STABLE (it reads a dictionary); indexes need an IMMUTABLE wrapper
        # naming the dictionary schema-qualified.
        """CREATE OR REPLACE FUNCTION f_unaccent(text) RETURNS text
           LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
           AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$""",
        # The SQL twin of fold(): unaccent (folds đ too), lower case, punctuation → space, so
        # the parser sees "123 qd ubnd" for "123/QĐ-UBND" on both the document and query side.
        """CREATE OR REPLACE FUNCTION egov_search_fold(text) RETURNS text
           LANGUAGE sql IMMUTABLE PARALLEL SAFE
           AS $$ SELECT regexp_replace(lower(f_unaccent(coalesce($1, ''))),
                                       '[^[:alnum:]]+', ' ', 'g') $$""",
        """DO $$ BEGIN
             IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'vi_unaccent') THEN
               CREATE TEXT SEARCH CONFIGURATION vi_unaccent (COPY = simple);
               ALTER TEXT SEARCH CONFIGURATION vi_unaccent
                 ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple;
             END IF;
           END $$""",
    ]


POSTGRES_CONFIG = "vi_unaccent"


# --- one searchable table ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FullTextIndex:
    """The full-text and code indexes of one table (see the module docstring)."""

    table: str  # the indexed table, e.g. "documents_incomingdocument"
    name: str  # prefix of the SQLite tables: <name>_fts, <name>_code
    columns: tuple[str, ...] = ("subject", "meta", "body")
    weights: tuple[float, ...] = (10.0, 3.0, 1.0)  # bm25 weights (SQLite)
    pk: str = "id"
    code_column: str = "code"  # PostgreSQL: the column holding the code
    vector_column: str = "search_vector"  # PostgreSQL: the tsvector column

    @property
    def fts_table(self) -> str:
        return f"{self.name}_fts"

    @property
    def code_table(self) -> str:
        return f"{self.name}_code"

    # --- DDL ---

    def sqlite_create_sql(self) -> list[str]:
        cols = ", ".join(self.columns)
        return [
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {self.fts_table} USING fts5({cols}, "
            f"tokenize = 'unicode61 remove_diacritics 2')",
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {self.code_table} USING fts5(code, "
            f"tokenize = 'trigram')",
        ]

    def sqlite_drop_sql(self) -> list[str]:
        return [f"DROP TABLE IF EXISTS {self.fts_table}", f"DROP TABLE IF EXISTS {self.code_table}"]

    # --- SQLite index maintenance (PostgreSQL keeps its vector with a trigger) ---

    def sqlite_write(self, cursor, pk: int, texts: Sequence[str] | None, code: str | None
                     ) -> None:
        """(Re)index one row: `texts` in the order of `columns`, raw (folded here); None leaves
        that table as it is (the caller knows it did not change)."""
        if texts is not None:
            values = [fold(t) for t in texts]
            marks = ", ".join(["%s"] * (len(values) + 1))
            cursor.execute(
                f"INSERT OR REPLACE INTO {self.fts_table} (rowid, {', '.join(self.columns)}) "
                f"VALUES ({marks})", [pk, *values])
        if code:
            cursor.execute(f"INSERT OR REPLACE INTO {self.code_table} (rowid, code) "
                           f"VALUES (%s, %s)", [pk, fold(code)])
        elif code is not None:
            cursor.execute(f"DELETE FROM {self.code_table} WHERE rowid = %s", [pk])

    def sqlite_delete(self, cursor, pk: int) -> None:
        cursor.execute(f"DELETE FROM {self.fts_table} WHERE rowid = %s", [pk])
        cursor.execute(f"DELETE FROM {self.code_table} WHERE rowid = %s", [pk])

    # --- queries ---

    def _col(self, column: str) -> str:
        return f'"{self.table}"."{column}"'

    def text_search(self, qs: QuerySet, query_words: Sequence[str]) -> QuerySet:
        """`qs` restricted to rows containing every word (already folded, see `words`) and
        annotated with `search_rank` (higher is better)."""
        if not query_words:
            return qs.none()
        vendor = connections[qs.db].vendor
        if vendor == "sqlite":
            weights = ", ".join(repr(float(w)) for w in self.weights)
            return qs.extra(
                tables=[self.fts_table],
                where=[f'"{self.fts_table}".rowid = {self._col(self.pk)}',
                       f'"{self.fts_table}" MATCH %s'],
                params=[fts5_all_words(query_words)],
            ).annotate(search_rank=RawSQL(f'-bm25("{self.fts_table}", {weights})', [],
                                          output_field=FloatField()))
        if vendor == "postgresql":
            text = " ".join(query_words)
            tsq = f"plainto_tsquery('{POSTGRES_CONFIG}', %s)"
            vector = self._col(self.vector_column)
            return qs.filter(
                RawSQL(f"{vector} @@ {tsq}", [text], output_field=BooleanField())
            ).annotate(search_rank=RawSQL(f"ts_rank_cd({vector}, {tsq})::float8", [text],
                                          output_field=FloatField()))
        raise NotImplementedError(f"full-text search is not written for {vendor}")

    def code_search(self, qs: QuerySet, code: str, *, prefix_only: bool = False) -> QuerySet:
        """`qs` restricted to rows whose folded code contains the folded `code` (or, with
        `prefix_only`, starts with it), annotated with `code_rank`: 2 for the same code, 1 for a
        code starting with it, 0 otherwise.

        PostgreSQL answers `prefix_only` from a btree (text_pattern_ops) on
        lower(f_unaccent(code)) and the substring from the pg_trgm index."""
        needle = fold(code)
        if len(needle) < 3:  # trigrams need three characters
            return qs.none()
        vendor = connections[qs.db].vendor
        prefix = like_escape(needle) + "%"
        if vendor == "sqlite":
            stored = f'"{self.code_table}"."code"'
            where = [f'"{self.code_table}".rowid = {self._col(self.pk)}',
                     f'"{self.code_table}" MATCH %s']
            params = [fts5_phrase(needle)]
            if prefix_only:
                where.append(f"{stored} LIKE %s ESCAPE '\\'")
                params.append(prefix)
            return qs.extra(tables=[self.code_table], where=where, params=params).annotate(
                code_rank=RawSQL(
                    f"CASE WHEN {stored} = %s THEN 2 WHEN {stored} LIKE %s ESCAPE '\\' THEN 1 "
                    f"ELSE 0 END", [needle, prefix], output_field=IntegerField()))
        if vendor == "postgresql":
            folded = f"lower(f_unaccent({self._col(self.code_column)}))"
            pattern = prefix if prefix_only else "%" + like_escape(needle) + "%"
            return qs.filter(
                RawSQL(f"{folded} LIKE %s", [pattern], output_field=BooleanField())
            ).annotate(code_rank=RawSQL(
                f"CASE WHEN {folded} = %s THEN 2 WHEN {folded} LIKE %s THEN 1 ELSE 0 END",
                [needle, prefix], output_field=IntegerField()))
        raise NotImplementedError(f"code search is not written for {vendor}")

    def folded_contains(self, qs: QuerySet, column_sql: str, text: str) -> QuerySet:
        """Rows whose column (an SQL expression) contains `text`, both folded."""
        needle = "%" + like_escape(fold(text)) + "%"
        vendor = connections[qs.db].vendor
        if vendor == "sqlite":
            register_sqlite_functions(connections[qs.db])
            sql = f"egov_fold({column_sql}) LIKE %s ESCAPE '\\'"
        elif vendor == "postgresql":
            sql = f"lower(f_unaccent({column_sql})) LIKE %s ESCAPE '\\'"
        else:
            raise NotImplementedError(vendor)
        return qs.filter(RawSQL(sql, [needle], output_field=BooleanField()))
