# Search of the petition list (i11-reports, selectors/petitions.py): on PostgreSQL a pg_trgm GIN
# index on the folded (egov_search_fold) redacted content, so `egov_search_fold(content) LIKE
# '%word%'` is answered from the index; a btree on upper(code) for the code prefix. SQLite
# folds with the egov_fold function and scans (fine at a commune's size).
from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from egov.core.search import postgres_setup_sql

    for sql in postgres_setup_sql() + [
        "CREATE INDEX IF NOT EXISTS petition_content_fold_trgm ON petitions_petition "
        "USING gin (egov_search_fold(content) gin_trgm_ops)",
        "CREATE INDEX IF NOT EXISTS petition_code_upper ON petitions_petition "
        "(upper(code) text_pattern_ops)",
    ]:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS petition_content_fold_trgm")
    schema_editor.execute("DROP INDEX IF EXISTS petition_code_upper")


class Migration(migrations.Migration):
    dependencies = [("petitions", "0002_role_grants")]
    operations = [migrations.RunPython(forwards, backwards)]
