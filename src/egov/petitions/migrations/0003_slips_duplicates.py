"""Duplicate suggestion structures (i11-slips; selectors.duplicates).

PostgreSQL: the extensions and folding functions every search shares (egov.core.search:
unaccent, pg_trgm, btree_gin — CREATE EXTENSION needs a superuser, see docs/operations.md);
a generated column `petitions_petition.dup_tsv` (the folded, identity-free content as a
'simple' tsvector; added with SQL, unknown to the ORM) with a GIN index on (agency_id, dup_tsv);
on the identities, indexes on the personal ID and on the folded name (egov_search_fold).
Content similarity is pg_trgm's similarity() on the candidates.

SQLite: an FTS5 table `petitions_dup_fts` (rowid = petition id; unicode61 remove_diacritics 2,
đ → d replaced by the triggers since SQLite cannot fold it) kept in sync with the petitions by
triggers, and an fts5vocab table `petitions_dup_vocab` (document frequency of each word).
"""

from django.db import migrations

PG_UP = [
    """ALTER TABLE petitions_petition ADD COLUMN IF NOT EXISTS dup_tsv tsvector
       GENERATED ALWAYS AS (to_tsvector('simple'::regconfig,
                                        egov_search_fold(left(content, 20000)))) STORED""",
    """CREATE INDEX IF NOT EXISTS petitions_petition_dup_gin
       ON petitions_petition USING gin (agency_id, dup_tsv)""",
    """CREATE INDEX IF NOT EXISTS petitions_identity_pid
       ON petitions_petitionidentity (personal_id) WHERE personal_id <> ''""",
    """CREATE INDEX IF NOT EXISTS petitions_identity_fname
       ON petitions_petitionidentity (egov_search_fold(full_name)) WHERE full_name <> ''""",
]
PG_DOWN = [
    "DROP INDEX IF EXISTS petitions_identity_fname",
    "DROP INDEX IF EXISTS petitions_identity_pid",
    "DROP INDEX IF EXISTS petitions_petition_dup_gin",
    "ALTER TABLE petitions_petition DROP COLUMN IF EXISTS dup_tsv",
]

_FOLD = "replace(replace(new.content, 'đ', 'd'), 'Đ', 'D')"
SQLITE_UP = [
    """CREATE VIRTUAL TABLE IF NOT EXISTS petitions_dup_fts USING fts5(
         content, tokenize = 'unicode61 remove_diacritics 2')""",
    """CREATE VIRTUAL TABLE IF NOT EXISTS petitions_dup_vocab
       USING fts5vocab(petitions_dup_fts, 'row')""",
    f"""CREATE TRIGGER IF NOT EXISTS petitions_dup_ai AFTER INSERT ON petitions_petition BEGIN
          INSERT INTO petitions_dup_fts(rowid, content) VALUES (new.id, {_FOLD});
        END""",
    f"""CREATE TRIGGER IF NOT EXISTS petitions_dup_au AFTER UPDATE OF content
        ON petitions_petition BEGIN
          DELETE FROM petitions_dup_fts WHERE rowid = old.id;
          INSERT INTO petitions_dup_fts(rowid, content) VALUES (new.id, {_FOLD});
        END""",
    """CREATE TRIGGER IF NOT EXISTS petitions_dup_ad AFTER DELETE ON petitions_petition BEGIN
          DELETE FROM petitions_dup_fts WHERE rowid = old.id;
        END""",
    """INSERT INTO petitions_dup_fts(rowid, content)
       SELECT id, replace(replace(content, 'đ', 'd'), 'Đ', 'D') FROM petitions_petition""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS petitions_dup_ai",
    "DROP TRIGGER IF EXISTS petitions_dup_au",
    "DROP TRIGGER IF EXISTS petitions_dup_ad",
    "DROP TABLE IF EXISTS petitions_dup_vocab",
    "DROP TABLE IF EXISTS petitions_dup_fts",
]


def _run(schema_editor, statements):
    for sql in statements:
        schema_editor.execute(sql, params=None)


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        from egov.core.search import postgres_setup_sql

        _run(schema_editor, postgres_setup_sql() + PG_UP)
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_UP)
    else:
        raise NotImplementedError(f"duplicate suggestion is not written for {vendor}")


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, PG_DOWN)
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_DOWN)


class Migration(migrations.Migration):
    dependencies = [("petitions", "0002_role_grants")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
