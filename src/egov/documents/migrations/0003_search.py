"""Search structures of the documents (egov.documents.search, egov.core.search).

SQLite: FTS5 tables documents_{incoming,outgoing}_fts (subject, meta, body; unicode61
remove_diacritics 2) and documents_{incoming,outgoing}_code (trigram) over FOLDED text, written by
the application (signals in egov.documents.search); existing rows are indexed here.

PostgreSQL: extensions unaccent, pg_trgm, btree_gin (need a superuser: see egov.core.search),
f_unaccent,
egov_search_fold, the vi_unaccent configuration; a `search_vector tsvector` column on each
document table — added with SQL, so Django's models do not know it (query it with RawSQL; never
select it with the ORM) — computed by documents_*_search_vector() in a BEFORE INSERT/UPDATE
trigger (it needs the type name, the agency and the signer from other tables, which a generated
column cannot read); GIN indexes on (agency_id, search_vector), pg_trgm GIN indexes on lower(f_unaccent(code))
(substrings) and on the incoming issuer, btree text_pattern_ops indexes on lower(f_unaccent(code))
(the same code, codes starting with it). Setting search_vector to NULL recomputes it (reindex).
"""

from django.db import migrations

PG_VECTOR_FUNCTIONS = [
    """CREATE OR REPLACE FUNCTION documents_incoming_search_vector(d documents_incomingdocument)
       RETURNS tsvector LANGUAGE sql STABLE AS $$
         SELECT setweight(to_tsvector('vi_unaccent', egov_search_fold(d.subject)), 'A')
             || setweight(to_tsvector('vi_unaccent', egov_search_fold(concat_ws(' ',
                  d.code, (SELECT t.name FROM documents_documenttype t WHERE t.id = d.doc_type_id),
                  d.issuer_name, d.signer_name, d.signer_position, d.description))), 'B')
             || setweight(to_tsvector('vi_unaccent',
                  egov_search_fold(left(d.text_content, 200000))), 'C')
       $$""",
    """CREATE OR REPLACE FUNCTION documents_outgoing_search_vector(d documents_outgoingdocument)
       RETURNS tsvector LANGUAGE sql STABLE AS $$
         SELECT setweight(to_tsvector('vi_unaccent', egov_search_fold(d.subject)), 'A')
             || setweight(to_tsvector('vi_unaccent', egov_search_fold(concat_ws(' ',
                  d.code, (SELECT t.name FROM documents_documenttype t WHERE t.id = d.doc_type_id),
                  (SELECT o.name FROM core_orgunit o WHERE o.id = d.agency_id),
                  (SELECT u.full_name FROM core_user u WHERE u.id = d.signer_id),
                  d.signer_position))), 'B')
             || setweight(to_tsvector('vi_unaccent',
                  egov_search_fold(left(d.text_content, 200000))), 'C')
       $$""",
    # The trigger recomputes only when an indexed field changed (or the vector is NULL): a save
    # that changes the state does not re-parse the PDF text.
    """CREATE OR REPLACE FUNCTION documents_incoming_search_trigger() RETURNS trigger
       LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP = 'UPDATE' AND NEW.search_vector IS NOT NULL
            AND NEW.subject IS NOT DISTINCT FROM OLD.subject
            AND NEW.code IS NOT DISTINCT FROM OLD.code
            AND NEW.doc_type_id IS NOT DISTINCT FROM OLD.doc_type_id
            AND NEW.issuer_name IS NOT DISTINCT FROM OLD.issuer_name
            AND NEW.signer_name IS NOT DISTINCT FROM OLD.signer_name
            AND NEW.signer_position IS NOT DISTINCT FROM OLD.signer_position
            AND NEW.description IS NOT DISTINCT FROM OLD.description
            AND NEW.text_content IS NOT DISTINCT FROM OLD.text_content THEN
           RETURN NEW;
         END IF;
         NEW.search_vector := documents_incoming_search_vector(NEW);
         RETURN NEW;
       END $$""",
    """CREATE OR REPLACE FUNCTION documents_outgoing_search_trigger() RETURNS trigger
       LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP = 'UPDATE' AND NEW.search_vector IS NOT NULL
            AND NEW.subject IS NOT DISTINCT FROM OLD.subject
            AND NEW.code IS NOT DISTINCT FROM OLD.code
            AND NEW.doc_type_id IS NOT DISTINCT FROM OLD.doc_type_id
            AND NEW.agency_id IS NOT DISTINCT FROM OLD.agency_id
            AND NEW.signer_id IS NOT DISTINCT FROM OLD.signer_id
            AND NEW.signer_position IS NOT DISTINCT FROM OLD.signer_position
            AND NEW.text_content IS NOT DISTINCT FROM OLD.text_content THEN
           RETURN NEW;
         END IF;
         NEW.search_vector := documents_outgoing_search_vector(NEW);
         RETURN NEW;
       END $$""",
]

PG_TABLES = [
    "ALTER TABLE documents_incomingdocument ADD COLUMN IF NOT EXISTS search_vector tsvector",
    "ALTER TABLE documents_outgoingdocument ADD COLUMN IF NOT EXISTS search_vector tsvector",
]

PG_TRIGGERS = [
    "DROP TRIGGER IF EXISTS documents_incoming_search ON documents_incomingdocument",
    """CREATE TRIGGER documents_incoming_search BEFORE INSERT OR UPDATE
       ON documents_incomingdocument FOR EACH ROW
       EXECUTE FUNCTION documents_incoming_search_trigger()""",
    "DROP TRIGGER IF EXISTS documents_outgoing_search ON documents_outgoingdocument",
    """CREATE TRIGGER documents_outgoing_search BEFORE INSERT OR UPDATE
       ON documents_outgoingdocument FOR EACH ROW
       EXECUTE FUNCTION documents_outgoing_search_trigger()""",
]

PG_BACKFILL = [
    "UPDATE documents_incomingdocument SET search_vector = NULL",
    "UPDATE documents_outgoingdocument SET search_vector = NULL",
]

PG_INDEXES = [
    # (agency_id, search_vector): "these words in these agencies" is one GIN scan that skips
    # through the long posting lists of common words (btree_gin); any subset of the columns can
    # use it, so it also serves searches over every agency.
    """CREATE INDEX IF NOT EXISTS documents_incoming_search_gin
       ON documents_incomingdocument USING gin (agency_id, search_vector)""",
    """CREATE INDEX IF NOT EXISTS documents_outgoing_search_gin
       ON documents_outgoingdocument USING gin (agency_id, search_vector)""",
    """CREATE INDEX IF NOT EXISTS documents_incoming_code_trgm
       ON documents_incomingdocument USING gin (lower(f_unaccent(code)) gin_trgm_ops)""",
    """CREATE INDEX IF NOT EXISTS documents_outgoing_code_trgm
       ON documents_outgoingdocument USING gin (lower(f_unaccent(code)) gin_trgm_ops)""",
    # the same code and codes starting with it: a btree answers LIKE 'prefix%'
    """CREATE INDEX IF NOT EXISTS documents_incoming_code_prefix
       ON documents_incomingdocument (lower(f_unaccent(code)) text_pattern_ops)""",
    """CREATE INDEX IF NOT EXISTS documents_outgoing_code_prefix
       ON documents_outgoingdocument (lower(f_unaccent(code)) text_pattern_ops)""",
    """CREATE INDEX IF NOT EXISTS documents_incoming_issuer_trgm
       ON documents_incomingdocument USING gin (lower(f_unaccent(issuer_name)) gin_trgm_ops)""",
]

PG_DROP = [
    "DROP TRIGGER IF EXISTS documents_incoming_search ON documents_incomingdocument",
    "DROP TRIGGER IF EXISTS documents_outgoing_search ON documents_outgoingdocument",
    "DROP FUNCTION IF EXISTS documents_incoming_search_trigger()",
    "DROP FUNCTION IF EXISTS documents_outgoing_search_trigger()",
    "DROP INDEX IF EXISTS documents_incoming_code_trgm",
    "DROP INDEX IF EXISTS documents_outgoing_code_trgm",
    "DROP INDEX IF EXISTS documents_incoming_issuer_trgm",
    "DROP INDEX IF EXISTS documents_incoming_code_prefix",
    "DROP INDEX IF EXISTS documents_outgoing_code_prefix",
    "ALTER TABLE documents_incomingdocument DROP COLUMN IF EXISTS search_vector",
    "ALTER TABLE documents_outgoingdocument DROP COLUMN IF EXISTS search_vector",
    "DROP FUNCTION IF EXISTS documents_incoming_search_vector(documents_incomingdocument)",
    "DROP FUNCTION IF EXISTS documents_outgoing_search_vector(documents_outgoingdocument)",
]


def _run(schema_editor, statements):
    for sql in statements:
        schema_editor.execute(sql, params=None)


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        from egov.core.search import postgres_setup_sql

        _run(schema_editor, postgres_setup_sql() + PG_TABLES + PG_VECTOR_FUNCTIONS + PG_TRIGGERS
             + PG_BACKFILL + PG_INDEXES)
    elif vendor == "sqlite":
        from egov.documents.search import INCOMING_INDEX, OUTGOING_INDEX, incoming_texts, outgoing_texts

        _run(schema_editor, INCOMING_INDEX.sqlite_create_sql() + OUTGOING_INDEX.sqlite_create_sql())
        db = schema_editor.connection.alias
        incoming = apps.get_model("documents", "IncomingDocument")
        outgoing = apps.get_model("documents", "OutgoingDocument")
        with schema_editor.connection.cursor() as cursor:
            for doc in incoming.objects.using(db).select_related("doc_type").iterator():
                texts, code = incoming_texts(doc)
                INCOMING_INDEX.sqlite_write(cursor, doc.pk, texts, code)
            for doc in outgoing.objects.using(db).select_related(
                    "doc_type", "agency", "signer").iterator():
                texts, code = outgoing_texts(doc)
                OUTGOING_INDEX.sqlite_write(cursor, doc.pk, texts, code)
    else:
        raise NotImplementedError(f"document search is not written for {vendor}")


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, PG_DROP)
    elif vendor == "sqlite":
        from egov.documents.search import INCOMING_INDEX, OUTGOING_INDEX

        _run(schema_editor, INCOMING_INDEX.sqlite_drop_sql() + OUTGOING_INDEX.sqlite_drop_sql())


class Migration(migrations.Migration):
    dependencies = [("documents", "0002_seed_catalogues")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
