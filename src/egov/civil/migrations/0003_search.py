# Person search at a province's size (issue 13 budget: look-up by name without diacritics
# <= 50 ms p95 at 5,000,000 persons in 100 communes; bench/bench_civil.py).
#
# PostgreSQL:
# - a pg_trgm GIN index over (commune_id, name_folded) — btree_gin gives the commune its GIN
#   operator class — so "this commune, names containing 'nguyen van an'" intersects the
#   commune's posting list with the trigrams' in the index, and the same index answers a
#   province supervisor's search over every commune (a multicolumn GIN serves any subset of
#   its columns);
# - a btree on (commune_id, id): the newest records of one commune in order, read backwards
#   and stopped at the page's LIMIT — the plan for a common name ("nguyen": a third of all
#   names), where collecting every match from the trigram index and sorting it costs more;
# - a larger statistics sample on name_folded, so that the planner's estimate of how many
#   names contain the text (from the histogram of names) picks between the two.
# SQLite scans (a commune's test data); nothing to do there.
from django.db import migrations

PG_FORWARD = [
    "CREATE INDEX IF NOT EXISTS civil_person_name_trgm ON civil_person "
    "USING gin (commune_id, name_folded gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS civil_person_commune_newest ON civil_person (commune_id, id)",
    "ALTER TABLE civil_person ALTER COLUMN name_folded SET STATISTICS 1000",
]

PG_BACKWARD = [
    "ALTER TABLE civil_person ALTER COLUMN name_folded SET STATISTICS -1",
    "DROP INDEX IF EXISTS civil_person_commune_newest",
    "DROP INDEX IF EXISTS civil_person_name_trgm",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from egov.core.search import postgres_setup_sql

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
