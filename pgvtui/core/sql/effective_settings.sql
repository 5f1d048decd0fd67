-- Effective values of settings inside the current transaction (after SET LOCAL); loads the vector library first so hnsw.*/ivfflat.* exist.
WITH load_vector AS MATERIALIZED (SELECT NULL::{vector_type} AS v)
SELECT g.name, current_setting(g.name, true) AS value
  FROM (SELECT count(*) FROM load_vector) AS loaded,
       unnest(%(names)s::text[]) AS g(name)
