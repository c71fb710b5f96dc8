# The supervisor's look-up by name over many communes (issue 13 budget: look-up by name without
# diacritics <= 50 ms p95 at 5,000,000 persons; bench/bench_civil.py, docs/civil.md "Budgets").
#
# PostgreSQL only (services/persons.py says how the search uses it): a GIN index of the folded
# name's tags, egov_name_tags('nguyen van an') = every prefix of each word and each word followed
# by every prefix of the next word: {n, ng, …, nguyen, v, va, van, a, an, "nguyen v", …,
# "nguyen van", "van a", "van an"}. A search over many communes, once the newest records hold
# fewer matches than a page, asks it for the text's adjacent pairs of words ("nguyen van",
# "van an"; one word: itself) and lets the LIKE decide: a rare or absent name is read from its
# rarest tag's entries (milliseconds) instead of the whole table backwards (~1 s at 5,000,000).
# The expression is written only by that path, so a commune registrar's statement keeps the
# btree plans of 0003_search.
# Tried first and measured at 5,000,000 (EXPLAIN ANALYZE): a pg_trgm GIN over ' ' || name_folded
# took 60-200 ms for names of common words (every trigram of "tran van an" has hundreds of
# thousands of entries); a GIN of the words' prefixes alone, 100-650 ms for two-word texts
# ("phan my": every name with a word starting "my").
# The index takes ~40 tags a name (a 5,000,000-row table: a few minutes to build on 2 cores).
# SQLite: nothing (the search there filters by the LIKE alone).
from django.db import migrations

PG_FORWARD = [
    """CREATE OR REPLACE FUNCTION egov_name_tags(name text) RETURNS text[]
       LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT AS $$
       DECLARE
         w text[] := string_to_array(name, ' ');
         out text[] := '{}';
       BEGIN
         FOR i IN 1 .. coalesce(array_length(w, 1), 0) LOOP
           CONTINUE WHEN w[i] = '';
           FOR n IN 1 .. length(w[i]) LOOP
             out := out || left(w[i], n);
             IF i > 1 AND w[i - 1] <> '' THEN
               out := out || (w[i - 1] || ' ' || left(w[i], n));
             END IF;
           END LOOP;
         END LOOP;
         RETURN out;
       END $$""",
    "CREATE INDEX IF NOT EXISTS civil_person_name_tags ON civil_person "
    "USING gin (egov_name_tags(name_folded))",
    # The newest records' names from the index alone (the first statement of the search over
    # many communes reads them backwards: an index-only scan, no visit of the table's rows).
    "CREATE INDEX IF NOT EXISTS civil_person_id_name ON civil_person (id) INCLUDE (name_folded)",
]

PG_BACKWARD = [
    "DROP INDEX IF EXISTS civil_person_id_name",
    "DROP INDEX IF EXISTS civil_person_name_tags",
    "DROP FUNCTION IF EXISTS egov_name_tags(text)",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in PG_FORWARD:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in PG_BACKWARD:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("civil", "0004_merge")]
    operations = [migrations.RunPython(forwards, backwards)]
