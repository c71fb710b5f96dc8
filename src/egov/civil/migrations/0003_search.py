# Person search at a province's size (issue 13 budget: look-up by name without diacritics
# <= 50 ms p95 at 5,000,000 persons in 100 communes; bench/bench_civil.py).
#
# PostgreSQL (services/persons.py says how the search uses them):
# - a btree on (commune_id, id): the newest records of one commune in order, read backwards
#   and stopped at the page's LIMIT — the plan for a common name ("nguyen": a third of all
#   names);
# - a btree on (commune_id, name_folded) INCLUDE (id): the ids of a commune's records whose
#   name contains a rare text, from the index alone (an index-only scan of the commune's
#   ~50,000 entries: ~15 ms at 5,000,000 records);
# - no pg_trgm index: names are made of a few very common words, whose trigrams each match
#   millions of rows ("nguyen van an": 0.6 s in a GIN index over (commune, name)); and a GIN
#   index on the name alone, meant for the province-wide search, was chosen by the planner for
#   short texts in one commune too ("pham duy": 0.24 s instead of 0.03 s) — see docs/civil.md
#   "Budgets" for the province-wide search;
# - a larger statistics sample on name_folded, so that the planner's estimate of how many
#   names contain the text (from the histogram of names) picks between the two.
# SQLite scans (a commune's test data); nothing to do there.
from django.db import migrations

PG_FORWARD = [
    "CREATE INDEX IF NOT EXISTS civil_person_commune_name_id ON civil_person "
    "(commune_id, name_folded) INCLUDE (id)",
    "CREATE INDEX IF NOT EXISTS civil_person_commune_newest ON civil_person (commune_id, id)",
    "ALTER TABLE civil_person ALTER COLUMN name_folded SET STATISTICS 1000",
]

PG_BACKWARD = [
    "ALTER TABLE civil_person ALTER COLUMN name_folded SET STATISTICS -1",
    "DROP INDEX IF EXISTS civil_person_commune_newest",
    "DROP INDEX IF EXISTS civil_person_commune_name_id",
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
    dependencies = [("civil", "0002_role_grants")]
    operations = [migrations.RunPython(forwards, backwards)]
