"""PostgreSQL: the code search by substring as a PL/pgSQL function (issue 9 §4).

The substring search (a piece of a code that starts no code the actor sees, e.g. "687/tb-ubnd")
was one ordinary statement (selectors/code_search.py: the actor's posts and grants as CTEs,
the visibility tests, two trigram-indexed branches), planned on every search (1.4-1.7 ms at
load 10 on 2 cores), and run with every unit read three times for the covered-unit CTEs and
hashed with every type for the names. This function is the prefix function of migration 0012
with pg_trgm's `LIKE '%…%'` in place of the btree range: planned once per connection
(`plan_cache_mode = force_generic_plan`: a `LIKE` with a parameter still uses the GIN index,
whose trigrams are taken from the value when the scan starts) and JIT off (a generic plan
estimates 0.5 % of the table, enough to cross `jit_above_cost`). Each match is tested for
visibility on its own, as in 0012, and the names of the page's rows are read by primary key.

What remains is the trigram index scan itself (EXPLAIN ANALYZE: 150-160 GIN pages for a piece
like "687/tb-ubnd", most of the run): the raw statement of the bench pays it too. A piece found
in thousands of codes ("/qd-ubnd") reads and tests them all before the sort (about 100-200 ms
loaded, as the ordinary statement did): a newest-first plan with the LIKE as a filter would
suit those, not done here.

Visibility is the rule of selectors/visibility.py and policy.grants_for in SQL, the same text
as 0012's; tests/documents/test_code_substring_search.py and test_search.py check it against
visibility.py. A change of those rules needs a new version of both functions.
"""

from django.db import migrations

FUNCTION = r"""
CREATE OR REPLACE FUNCTION egov_code_substring_search(
    p_me bigint, p_today date, p_needle text, p_prefix text, p_pattern text,
    p_incoming boolean, p_outgoing boolean, p_superuser boolean, p_n integer,
    p_a_rank integer, p_a_at timestamptz, p_a_kind text, p_a_id bigint)
RETURNS TABLE (id bigint, code text, subject text, state text, urgency text,
               issued_date date, created_at timestamptz, search_kind text,
               sort_at timestamptz, code_rank integer, issuer text, agency_name text,
               type_code text, type_name text)
LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_generic_plan
SET jit = off
AS $fn$
#variable_conflict use_column
BEGIN
  -- p_needle: the folded piece of a code searched for; p_prefix: the LIKE pattern of codes
  -- starting with it (code_rank 1); p_pattern: the LIKE pattern of codes containing it (the
  -- pg_trgm index). p_a_*: the keyset cursor (rank, sort_at, kind, id), NULL for page one.
  RETURN QUERY
  WITH pos AS MATERIALIZED (  -- the actor's posts today, own or delegated (policy.grants_for)
    SELECT p.id, p.org_unit_id
      FROM core_position p
     WHERE p.id IN (SELECT cp.id FROM core_position cp WHERE cp.user_id = p_me
                    UNION ALL
                    SELECT dl.position_id FROM core_delegation dl WHERE dl.delegate_id = p_me
                       AND dl.start <= p_today AND dl."end" >= p_today)
       AND p.valid_from <= p_today AND (p.valid_to IS NULL OR p.valid_to >= p_today)
  ), g AS MATERIALIZED (  -- their grants of the actions that show documents
    SELECT DISTINCT rg.action, rg.scope, u.path, u.agency_id
      FROM core_rolegrant rg
      JOIN core_position_roles pr ON pr.role_id = rg.role_id
      JOIN pos ON pos.id = pr.position_id
      JOIN core_orgunit u ON u.id = pos.org_unit_id
     WHERE rg.action IN ('documents.view_all', 'documents.review_format', 'documents.issue',
                         'documents.review_content')
  )
  -- the names of the page's <= 2 x p_n rows, each by primary key (sub-selects: a join would
  -- read every unit and type to hash them)
  SELECT r.id, r.code, r.subject, r.state, r.urgency, r.issued_date, r.created_at,
         r.search_kind, r.sort_at, r.code_rank, coalesce(r.issuer, r.agency_name),
         r.agency_name, r.type_code, r.type_name
    FROM (SELECT m.*,
                 (SELECT ag.name::text FROM core_orgunit ag WHERE ag.id = m.agency_id) AS agency_name,
                 (SELECT dt.code::text FROM documents_documenttype dt
                   WHERE dt.id = m.doc_type_id) AS type_code,
                 (SELECT dt.name::text FROM documents_documenttype dt
                   WHERE dt.id = m.doc_type_id) AS type_name
    FROM (
      (SELECT * FROM (
         SELECT d.id, d.code::text AS code, d.subject::text AS subject, d.state::text AS state,
                d.urgency::text AS urgency, d.issued_date, d.created_at,
                'incoming'::text AS search_kind, d.arrival_date AS sort_at,
                CASE WHEN lower(f_unaccent(d.code)) = p_needle THEN 2
                     WHEN lower(f_unaccent(d.code)) LIKE p_prefix THEN 1 ELSE 0 END AS code_rank,
                d.issuer_name::text AS issuer, d.agency_id, d.doc_type_id
           FROM documents_incomingdocument d
          WHERE p_incoming
            AND lower(f_unaccent(d.code)) LIKE p_pattern
            -- visibility.incoming_visible_q. A piece of a code matches few documents: each is
            -- tested on its own (OFFSET 0 keeps each sub-query a per-row probe by primary key / index;
            -- hashed, it would read every assignment).
            AND (p_superuser
                 OR EXISTS (SELECT 1 FROM core_orgunit ou
                             WHERE ou.id = d.agency_id
                               AND EXISTS (SELECT 1 FROM g WHERE g.action = 'documents.view_all'
                                             AND (g.scope = 'all'
                                                  OR (g.scope = 'agency' AND g.agency_id = ou.agency_id)
                                                  OR (g.scope = 'unit' AND starts_with(ou.path, g.path))))
                            OFFSET 0)
                 OR EXISTS (SELECT 1 FROM documents_assignment x
                             WHERE x.document_id = d.id
                               AND (x.assignee_user_id = p_me
                                    OR x.assignee_unit_id IN (SELECT pos.org_unit_id FROM pos))
                            OFFSET 0))) i
        WHERE p_a_rank IS NULL OR i.code_rank < p_a_rank
           OR (i.code_rank = p_a_rank AND i.sort_at < p_a_at)
           OR (i.code_rank = p_a_rank AND i.sort_at = p_a_at
               AND ('incoming' > p_a_kind COLLATE "C"
                    OR ('incoming' = p_a_kind AND i.id < p_a_id)))
        ORDER BY i.code_rank DESC, i.sort_at DESC, i.id DESC LIMIT p_n)
      UNION ALL
      (SELECT * FROM (
         SELECT d.id, d.code::text AS code, d.subject::text AS subject, d.state::text AS state,
                d.urgency::text AS urgency, d.issued_date, d.created_at,
                'outgoing'::text AS search_kind, coalesce(d.issued_at, d.created_at) AS sort_at,
                CASE WHEN lower(f_unaccent(d.code)) = p_needle THEN 2
                     WHEN lower(f_unaccent(d.code)) LIKE p_prefix THEN 1 ELSE 0 END AS code_rank,
                NULL::text AS issuer, d.agency_id, d.doc_type_id
           FROM documents_outgoingdocument d
          WHERE p_outgoing
            AND lower(f_unaccent(d.code)) LIKE p_pattern
            -- visibility.outgoing_visible_q
            AND (p_superuser OR d.drafter_id = p_me OR d.signer_id = p_me
                 OR EXISTS (SELECT 1 FROM core_orgunit ou
                             WHERE ou.id = d.agency_id
                               AND EXISTS (SELECT 1 FROM g
                                            WHERE g.action IN ('documents.view_all',
                                                               'documents.review_format',
                                                               'documents.issue')
                                              AND (g.scope = 'all'
                                                   OR (g.scope = 'agency' AND g.agency_id = ou.agency_id)
                                                   OR (g.scope = 'unit' AND starts_with(ou.path, g.path))))
                            OFFSET 0)
                 OR EXISTS (SELECT 1 FROM core_orgunit ou
                             WHERE ou.id = d.drafting_unit_id
                               AND EXISTS (SELECT 1 FROM g
                                            WHERE g.action = 'documents.review_content'
                                              AND (g.scope = 'all'
                                                   OR (g.scope = 'agency' AND g.agency_id = ou.agency_id)
                                                   OR (g.scope = 'unit' AND starts_with(ou.path, g.path))))
                            OFFSET 0))) o
        WHERE p_a_rank IS NULL OR o.code_rank < p_a_rank
           OR (o.code_rank = p_a_rank AND o.sort_at < p_a_at)
           OR (o.code_rank = p_a_rank AND o.sort_at = p_a_at
               AND ('outgoing' > p_a_kind COLLATE "C"
                    OR ('outgoing' = p_a_kind AND o.id < p_a_id)))
        ORDER BY o.code_rank DESC, o.sort_at DESC, o.id DESC LIMIT p_n)
    ) m) r;
END
$fn$
"""

DROP = ("DROP FUNCTION IF EXISTS egov_code_substring_search(bigint, date, text, text, text, "
        "boolean, boolean, boolean, integer, integer, timestamptz, text, bigint)")


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):

    dependencies = [
        ("documents", "0012_code_prefix_search_function"),
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
    ]
