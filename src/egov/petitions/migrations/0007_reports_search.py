# Search of the petition list (i11-reports, selectors/petitions.py).
#
# PostgreSQL: the folded (egov_search_fold) redacted content is kept in a column
# `content_folded` by a trigger (not a model field: only the search reads it), with a pg_trgm
# GIN index, so `content_folded LIKE '%word%'` is answered from the index and its recheck reads
# the stored text — folding 450 characters with unaccent on each candidate row cost ~0.4 ms a
# row (bench/bench_petitions_list.py: 7 s for a common word at 100,000 petitions). The
# petitioner's name: a pg_trgm index on egov_search_fold(full_name) (short strings). A btree on
# upper(code) for the code prefix.
# SQLite folds with the egov_fold function and scans (fine at a commune's size).
from django.db import migrations

PG_FORWARD = [
    "ALTER TABLE petitions_petition ADD COLUMN IF NOT EXISTS content_folded text",
    """CREATE OR REPLACE FUNCTION petitions_content_fold() RETURNS trigger
       LANGUAGE plpgsql AS $$
       BEGIN
         NEW.content_folded := egov_search_fold(NEW.content);
         RETURN NEW;
       END $$""",
    "DROP TRIGGER IF EXISTS petitions_content_fold ON petitions_petition",
    """CREATE TRIGGER petitions_content_fold BEFORE INSERT OR UPDATE OF content
       ON petitions_petition FOR EACH ROW EXECUTE FUNCTION petitions_content_fold()""",
    "UPDATE petitions_petition SET content_folded = egov_search_fold(content)",
    "CREATE INDEX IF NOT EXISTS petition_content_fold_trgm ON petitions_petition "
    "USING gin (content_folded gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS petition_code_upper ON petitions_petition "
    "(upper(code) text_pattern_ops)",
    "CREATE INDEX IF NOT EXISTS petitionidentity_name_fold_trgm ON "
    "petitions_petitionidentity USING gin (egov_search_fold(full_name) gin_trgm_ops)",
]

PG_BACKWARD = [
    "DROP INDEX IF EXISTS petitionidentity_name_fold_trgm",
    "DROP INDEX IF EXISTS petition_code_upper",
    "DROP INDEX IF EXISTS petition_content_fold_trgm",
    "DROP TRIGGER IF EXISTS petitions_content_fold ON petitions_petition",
    "DROP FUNCTION IF EXISTS petitions_content_fold()",
    "ALTER TABLE petitions_petition DROP COLUMN IF EXISTS content_folded",
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
    dependencies = [("petitions", "0006_mail")]
    operations = [migrations.RunPython(forwards, backwards)]
