-- Every vector/halfvec/bit/sparsevec column the role can see, with stats, storage and sizes.
WITH vtypes AS (
    SELECT t.oid, t.typname
      FROM pg_catalog.pg_type t
      JOIN pg_catalog.pg_depend d
        ON d.classid = 'pg_catalog.pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e'
      JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid AND e.extname = 'vector'
     WHERE t.typname IN ('vector', 'halfvec', 'sparsevec')
    UNION ALL
    SELECT 'pg_catalog.bit'::regtype::oid, 'bit'
)
SELECT n.nspname AS schema,
       c.relname AS "table",
       a.attname AS "column",
       vt.typname AS type,
       CASE WHEN a.atttypmod > 0 THEN a.atttypmod END AS dims,
       NOT a.attnotnull AS nullable,
       CASE WHEN c.reltuples >= 0 THEN c.reltuples::int8 END AS rows_estimate,
       st.null_frac::float8 AS null_frac,
       st.avg_width AS avg_width,
       CASE a.attstorage WHEN 'p' THEN 'plain' WHEN 'e' THEN 'external'
                         WHEN 'm' THEN 'main' ELSE 'extended' END AS storage,
       pg_catalog.pg_relation_size(c.oid)::int8 AS table_bytes,
       CASE WHEN c.reltoastrelid <> 0
            THEN pg_catalog.pg_total_relation_size(c.reltoastrelid) ELSE 0 END::int8 AS toast_bytes,
       pg_catalog.pg_total_relation_size(c.oid)::int8 AS total_bytes,
       c.oid::int8 AS table_oid,
       a.attnum::int AS attnum,
       su.n_dead_tup::int8 AS n_dead_tup,
       su.n_live_tup::int8 AS n_live_tup,
       su.last_autovacuum::text AS last_autovacuum,
       su.last_vacuum::text AS last_vacuum
  FROM pg_catalog.pg_attribute a
  JOIN vtypes vt ON vt.oid = a.atttypid
  JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_catalog.pg_stat_all_tables su ON su.relid = c.oid
  LEFT JOIN LATERAL (
        SELECT s.null_frac, s.avg_width
          FROM pg_catalog.pg_stats s
         WHERE s.schemaname = n.nspname AND s.tablename = c.relname AND s.attname = a.attname
         ORDER BY s.inherited
         LIMIT 1) st ON true
 WHERE a.attnum > 0
   AND NOT a.attisdropped
   AND c.relkind IN ('r', 'p', 'm')
   AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname !~ '^pg_toast'
   AND pg_catalog.has_schema_privilege(n.oid, 'USAGE')
 ORDER BY n.nspname, c.relname, a.attnum
