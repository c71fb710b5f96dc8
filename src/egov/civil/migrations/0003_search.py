# Person search at a province's size (issue 13 budget: look-up by name without diacritics
# <= 50 ms p95 at 5,000,000 persons in 100 communes; bench/bench_civil.py).
#
# PostgreSQL (services/persons.py says how the search uses them):
# - a btree on (commune_id, id): the newest records of one commune in order, read backwards
#   and stopped at the page's LIMIT — the plan for a common name ("nguyen": a third of all
#   names);
# - a btree on (commune_id, name_folded) INCLUDE (id): the ids of a commune's records whose
#   name contains a rare text, from the index alone (an index-only scan of the commune's
#   ~50,000 entries: ~15 ms at 5,000,000 records) — a pg_trgm GIN index over (commune, name)
#   was tried: names are made of a few very common words, whose trigrams each match millions
#   of rows ("nguyen van an": 0.6 s in the GIN index);
# - a pg_trgm GIN index on name_folded alone, for a search over every commune (a province
#   supervisor) of a name with a rare word ("le quyt tho": 1 ms instead of reading the table);
#   for a commune the planner keeps to the commune's btree (cheaper by its estimate);
# - a larger statistics sample on name_folded, so that the planner's estimate of how many
#   names contain the text (from the histogram of names) picks between the two.
# SQLite scans (a commune's test data); nothing to do there.
from django.db import migrations

PG_FORWARD = [
    "CREATE INDEX IF NOT EXISTS civil_person_name_trgm ON civil_person "
    "USING gin (name_folded gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS civil_person_commune_name_id ON civil_person "
    "(commune_id, name_folded) INCLUDE (id)",
    "CREATE INDEX IF NOT EXISTS civil_person_commune_newest ON civil_person (commune_id, id)",
    "ALTER TABLE civil_person ALTER COLUMN name_folded SET STATISTICS 1000",
]

PG_BACKWARD = [
    "ALTER TABLE civil_person ALTER COLUMN name_folded SET STATISTICS -1",
    "DROP INDEX IF EXISTS civil_person_commune_newest",
    "DROP INDEX IF EXISTS civil_person_commune_name_id",
    "DROP INDEX IF EXISTS civil_person_name_trgm",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from egov.core.search import postgres_setup_sql  # pg_trgm, as petitions' 0007 does

    for sql in postgres_setup_sql() + PG_FORWARD:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in PG_BACKWARD:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("civil", "0002_role_grants")]
    operations = [migrations.RunPython(forwards, backwards)]
