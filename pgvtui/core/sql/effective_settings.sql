-- Effective values of settings inside the current transaction (after SET LOCAL); loads the vector library first; names the role may not read (not in pg_settings) give NULL.
WITH load_vector AS MATERIALIZED (SELECT NULL::{vector_type} AS v)
SELECT g.name,
       CASE WHEN g.name LIKE 'hnsw.%%' OR g.name LIKE 'ivfflat.%%'
                 OR EXISTS (SELECT 1 FROM pg_catalog.pg_settings s WHERE s.name = g.name)
            THEN current_setting(g.name, true) END AS value
  FROM (SELECT count(*) FROM load_vector) AS loaded,
       unnest(%(names)s::text[]) AS g(name)
